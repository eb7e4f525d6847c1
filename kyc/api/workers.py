"""Heavy work in a process pool: models load once per worker; the event loop never blocks.

The pool is bounded: at most ``workers + max_queue`` jobs are accepted at once; beyond that
the caller gets ``Saturated`` (HTTP 503 + Retry-After) instead of an unbounded queue.
Worker functions return plain dicts (errors as values: exceptions with custom constructors
do not cross process boundaries reliably).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from kyc.api.metrics import Metrics
from kyc.config import Settings
from kyc.errors import BadInput, ErrorCode, KycError, SystemFault
from kyc.plugins import load_spec

DEFAULT_READER = "kyc.ocr.pipeline:DocumentReader"
DEFAULT_VIDEO = "kyc.liveness.verify:verify_video"
DEFAULT_BACKDROP = "kyc.forms.backdrop:check_backdrop"
DEFAULT_FORM = "kyc.api.workers:check_form_bytes"

# Per-process state, filled by ``init_worker``.
_STATE: dict[str, Any] = {}


def init_worker(
    settings_json: str,
    reader_spec: str,
    video_spec: str,
    backdrop_spec: str = DEFAULT_BACKDROP,
    form_spec: str = DEFAULT_FORM,
) -> None:
    """Pool initializer: settings, the document reader (models), the video verifier and the
    backdrop check (sharing the video check's face models, loaded once per worker)."""
    settings = Settings.model_validate_json(settings_json)
    _STATE["settings"] = settings
    try:
        _STATE["backdrop"] = load_spec(backdrop_spec)
        _STATE["backdrop_engine"] = backdrop_spec == DEFAULT_BACKDROP
        _STATE.pop("backdrop_error", None)
    except (ImportError, AttributeError) as exc:
        _STATE["backdrop_error"] = f"{backdrop_spec} is not available: {exc}"
    try:
        _STATE["form"] = load_spec(form_spec)
        _STATE.pop("form_error", None)
    except (ImportError, AttributeError) as exc:
        _STATE["form_error"] = f"{form_spec} is not available: {exc}"
    for key, spec, construct in (("reader", reader_spec, True), ("video", video_spec, False)):
        if not spec:  # not wanted in this process (``kyc worker`` runs video checks only)
            _STATE.pop(key, None)
            _STATE[key + "_error"] = f"no {key} in this process"
            continue
        try:
            loaded = load_spec(spec)
            _STATE[key] = loaded(settings) if construct else loaded
            if key == "reader":
                from kyc.inference import warm

                # the usual input shapes, prepared while the worker waits for requests
                warm(_STATE[key], background=True)
            _STATE.pop(key + "_error", None)
            if key == "video" and spec == DEFAULT_VIDEO:  # face models: load once per worker
                from kyc.liveness.match import load_models
                from kyc.liveness.scrfd import default_face_counter

                load_models(settings.models_dir)  # dlib, faceres, ArcFace, face mesh
                default_face_counter()  # the backdrop check's people counter (SCRFD)
        except (ImportError, AttributeError) as exc:
            _STATE[key + "_error"] = f"{spec} is not available: {exc}"
        except KycError as exc:
            _STATE[key + "_error"] = f"{exc.code}: {exc.detail}"


def _error(exc: KycError) -> dict[str, Any]:
    kind = "bad_input" if isinstance(exc, BadInput) else "system"
    return {"error": {"kind": kind, "code": str(exc.code), "detail": exc.detail}}


def _missing(key: str) -> dict[str, Any] | None:
    if key in _STATE:
        return None
    detail = _STATE.get(key + "_error", f"{key} not initialised")
    return {"error": {"kind": "missing", "code": "NOT_IMPLEMENTED", "detail": detail}}


def read_document(data: bytes, name: str, hint: str) -> dict[str, Any]:
    """OCR one upload; returns the reading, field boxes and evidence crops as JPEG bytes."""
    missing = _missing("reader")
    if missing:
        return missing
    from kyc.imageio import encode_jpeg

    started = time.perf_counter()
    try:
        reading = _STATE["reader"].read_bytes(data, name, type_hint=hint)
    except KycError as exc:
        return _error(exc)
    evidence: bytes | None = None
    size: tuple[int, int] | None = None
    if reading.rectified is not None:
        evidence = encode_jpeg(reading.rectified, 85)
        size = (int(reading.rectified.shape[1]), int(reading.rectified.shape[0]))
    portrait = encode_jpeg(reading.portrait, 90) if reading.portrait is not None else None
    boxes = {k: list(f.box) if f.box is not None else None for k, f in reading.fields.items()}
    return {
        "reading": reading.to_json(),
        "boxes": boxes,
        "evidence_jpeg": evidence,
        "evidence_size": size,
        "portrait_jpeg": portrait,
        "filing_jpeg": reading.filing_jpeg,
        "worker_ms": (time.perf_counter() - started) * 1000,
    }


def check_video(
    video_path: str,
    portrait_jpeg: bytes,
    challenge_json: dict[str, Any],
    mirrored: bool,
    now_iso: str,
) -> dict[str, Any]:
    """The video identity check against the ID portrait; the verdict as JSON + best frame."""
    missing = _missing("video")
    if missing:
        return missing
    from kyc.imageio import decode_image
    from kyc.liveness.challenge import Challenge

    settings: Settings = _STATE["settings"]
    try:
        portrait = decode_image(portrait_jpeg, settings.images, "portrait")
        challenge = Challenge.from_json(challenge_json)
        verdict = _STATE["video"](
            Path(video_path),
            portrait,
            challenge,
            settings.liveness,
            datetime.fromisoformat(now_iso),
            mirrored=mirrored,
        )
    except KycError as exc:
        return _error(exc)
    result = verdict.to_json()
    evidence = getattr(verdict, "evidence_json", None)
    if callable(evidence):
        result.update(evidence())
    best = getattr(verdict, "best_frame_jpeg", None)
    clean: dict[str, Any] = {}
    for k, v in result.items():
        if isinstance(v, bytes | bytearray):
            best = best or bytes(v)
        else:
            clean[k] = v
    return {"verdict": clean, "best_frame_jpeg": best}


def check_backdrop_photo(data: bytes, portrait_jpeg: bytes) -> dict[str, Any]:
    """The backdrop check (kyc.forms.backdrop) of one photo against the ID portrait, with
    the operator's backdrop reference when one is configured; the result as JSON."""
    missing = _missing("backdrop")
    if missing:
        return missing
    from kyc.imageio import decode_image, read_image_file

    settings: Settings = _STATE["settings"]
    try:
        reference = _STATE.get("backdrop_reference")
        ref_path = settings.service.backdrop_reference_path
        if reference is None and ref_path:
            reference = read_image_file(Path(ref_path), settings.images)
            _STATE["backdrop_reference"] = reference
        engine = None
        if _STATE.get("backdrop_engine"):
            from kyc.liveness.engine import get_engine

            engine = get_engine(settings.models_dir)  # cached: loaded once per worker
        portrait = decode_image(portrait_jpeg, settings.images, "portrait")
        result = _STATE["backdrop"](
            data,
            portrait,
            reference,
            engine,
            settings.backdrop,
            settings.liveness,
            settings.images,
        )
    except KycError as exc:
        return _error(exc)
    out: dict[str, Any] = result.to_json()
    evidence = getattr(result, "evidence", None)
    if isinstance(evidence, dict):
        out["evidence"] = evidence
    return {"result": out}


def check_form_bytes(
    data: bytes, order: dict[str, Any], engine: Any, settings: Settings
) -> dict[str, Any]:
    """The verification form check (kyc.forms.check) of one upload against the filing,
    with the document reader's OCR engine (loaded once per worker)."""
    from kyc.filing.model import parse_filing
    from kyc.forms.check import check_form
    from kyc.imageio import decode_image

    if engine is None:
        raise SystemFault(ErrorCode.MODEL_MISSING, "the form check needs the OCR engine")
    image = decode_image(data, settings.images, "verification form")
    result = check_form(image, parse_filing(order), engine, settings.forms)
    out: dict[str, Any] = result.to_json()
    out["evidence"] = result.evidence
    out["size"] = [int(image.shape[1]), int(image.shape[0])]
    return out


def check_form_photo(data: bytes, order: dict[str, Any]) -> dict[str, Any]:
    """The verification form of the filing ``order``: the check's JSON."""
    missing = _missing("form")
    if missing:
        return missing
    settings: Settings = _STATE["settings"]
    engine = getattr(_STATE.get("reader"), "engine", None)
    try:
        return {"result": _STATE["form"](data, order, engine, settings)}
    except KycError as exc:
        return _error(exc)


class Saturated(Exception):
    """The pool has no room: answer 503 with Retry-After."""


def raise_worker_error(result: dict[str, Any]) -> None:
    err = result.get("error")
    if not err:
        return
    if err["kind"] == "bad_input":
        raise BadInput(ErrorCode(err["code"]), err["detail"])
    if err["kind"] == "missing":
        from kyc.api.errors import ApiCode, ApiError

        raise ApiError(501, ApiCode.NOT_IMPLEMENTED, err["detail"])
    try:
        code = ErrorCode(err["code"])
    except ValueError:
        code = ErrorCode.INTERNAL
    raise SystemFault(code, err["detail"])


class WorkPool:
    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        kind: Literal["process", "thread"] = "process",
        reader_spec: str = DEFAULT_READER,
        video_spec: str = DEFAULT_VIDEO,
        backdrop_spec: str = DEFAULT_BACKDROP,
        form_spec: str = DEFAULT_FORM,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.kind = kind
        self.reader_spec = reader_spec
        self.video_spec = video_spec
        self.workers = settings.service.workers
        self.capacity = settings.service.workers + settings.service.max_queue
        self._initargs = (
            settings.model_dump_json(),
            reader_spec,
            video_spec,
            backdrop_spec,
            form_spec,
        )
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        self._accepted = 0

    def _get_executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.kind == "thread":  # tests, tools: one reader per thread
                    self._executor = ThreadPoolExecutor(
                        self.workers, initializer=init_worker, initargs=self._initargs
                    )
                else:
                    self._executor = ProcessPoolExecutor(
                        self.workers,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=init_worker,
                        initargs=self._initargs,
                    )
            return self._executor

    def start(self) -> None:
        """Start every worker now, so that models load before the first request."""
        executor = self._get_executor()
        for future in [executor.submit(_noop) for _ in range(self.workers)]:
            future.result()

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    @property
    def accepted(self) -> int:
        return self._accepted

    def acquire(self) -> None:
        """Reserve a place, or raise Saturated."""
        with self._lock:
            if self._accepted >= self.capacity:
                self.metrics.rejected.inc()
                raise Saturated()
            self._accepted += 1
            self._update_gauges()

    def release(self) -> None:
        with self._lock:
            self._accepted -= 1
            self._update_gauges()

    def _update_gauges(self) -> None:
        self.metrics.in_flight.set(self._accepted)
        self.metrics.queue_depth.set(max(0, self._accepted - self.workers))

    async def run(
        self, stage: str, fn: Callable[..., dict[str, Any]], *args: Any, reserved: bool = False
    ) -> dict[str, Any]:
        """Run ``fn(*args)`` in the pool; ``reserved`` when ``acquire`` was already called."""
        if not reserved:
            self.acquire()
        started = time.perf_counter()
        try:
            executor, future = self._submit(fn, *args)
            try:
                result, run_s = await asyncio.wrap_future(future)
            except BrokenProcessPool as exc:
                self._drop(executor)  # a worker died (e.g. out of memory): start anew
                raise SystemFault(ErrorCode.INTERNAL, "a worker process died") from exc
            self.metrics.stages.labels(stage + "_queue").observe(
                max(0.0, time.perf_counter() - started - run_s)
            )
            self.metrics.stages.labels(stage).observe(run_s)
            return result
        finally:
            self.release()

    def _submit(
        self, fn: Callable[..., dict[str, Any]], *args: Any
    ) -> tuple[Executor, Future[tuple[dict[str, Any], float]]]:
        """Hand ``fn(*args)`` to the pool. A pool found broken before the work is handed
        over (a worker died while idle: killed, out of memory) is replaced, and the work
        goes to the new one: none of it had run."""
        executor = self._get_executor()
        try:
            return executor, executor.submit(_timed, fn, *args)
        except BrokenProcessPool:
            self._drop(executor)
        executor = self._get_executor()
        return executor, executor.submit(_timed, fn, *args)

    def _drop(self, executor: Executor) -> None:
        """Forget a broken pool (once, however many callers found it broken)."""
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)


def _noop() -> None:
    return None


def _timed(fn: Callable[..., dict[str, Any]], *args: Any) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0
