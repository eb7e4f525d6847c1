"""The worker side: models load once per worker (a pool process or a Ray actor), then
``process`` re-runs one filing's document reading, face match and liveness check.

Errors are values here: a broken input becomes the part's error code, so one bad stored
blob never stops a run. The module imports nothing heavy at import time: ``init`` first
limits the math libraries' threads (when asked), then loads the models.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kyc.errors import ErrorCode, KycError
from kyc.jobs.model import (
    DocumentAfter,
    DocumentInput,
    ItemOutcome,
    ItemTask,
    PartError,
    VideoAfter,
    VideoInput,
    WorkerConfig,
)
from kyc.plugins import load_spec

# Thread knobs of the libraries a worker uses (OpenMP, OpenBLAS, MKL, numexpr...).
THREAD_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def single_thread_env() -> dict[str, str]:
    return dict.fromkeys(THREAD_ENV, "1")


class Worker:
    """The loaded pipeline of one worker process."""

    def __init__(self, config: WorkerConfig) -> None:
        self.numpy_was_loaded = "numpy" in sys.modules  # env limits only bind before it
        if config.single_thread:
            os.environ.update(single_thread_env())
        from kyc.config import Settings

        settings = Settings.model_validate_json(config.settings_json)
        if config.single_thread:  # execution knobs, not thresholds: not in the run's key
            settings = settings.model_copy(
                update={
                    "ocr": settings.ocr.model_copy(update={"threads": 1}),
                    "liveness": settings.liveness.model_copy(update={"threads": 1}),
                }
            )
            import cv2

            cv2.setNumThreads(1)
        self.settings = settings
        self.single_thread = config.single_thread
        self.reader = load_spec(config.pipeline.reader)(settings)
        from kyc.inference import warm

        warm(self.reader, background=True)  # the usual input shapes, beside the first items
        self.verify = load_spec(config.pipeline.video)
        self.video_kwargs: dict[str, Any] = {}
        if config.pipeline.video == "kyc.liveness.verify:verify_video":
            from kyc.liveness.match import load_models

            engine, models = load_models(settings.models_dir)  # load now, once
            self.video_kwargs.update(engine=engine, models=models)
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def info(self) -> dict[str, Any]:
        return {
            "worker": self.name,
            "pid": os.getpid(),
            "single_thread": self.single_thread,
            "numpy_was_loaded": self.numpy_was_loaded,
            "omp_threads": os.environ.get("OMP_NUM_THREADS"),
            "ocr_threads": self.settings.ocr.threads,
        }

    # ---------------------------------------------------------------------------- parts
    def _document(self, doc: DocumentInput) -> tuple[DocumentAfter, Any]:
        if doc.error is not None or doc.data is None:
            err = doc.error or PartError(ErrorCode.BLOB_MISSING.value, "no input")
            return DocumentAfter(doc.document_id, None, err), None
        try:
            reading = self.reader.read_bytes(doc.data, f"document {doc.document_id[:8]}")
        except KycError as exc:
            return DocumentAfter(doc.document_id, None, PartError(str(exc.code), exc.detail)), None
        return DocumentAfter(doc.document_id, reading.to_json()), reading.portrait

    def _video(self, video: VideoInput, portraits: dict[str, Any]) -> VideoAfter:
        if video.error is not None or video.data is None:
            err = video.error or PartError(ErrorCode.BLOB_MISSING.value, "no input")
            return VideoAfter(video.video_id, None, err)
        from kyc.imageio import decode_image
        from kyc.liveness.challenge import Challenge

        tmp_dir = Path(tempfile.mkdtemp(prefix="kyc-reverify-"))
        path = tmp_dir / "video"
        try:
            portrait = portraits.get(video.portrait_document_id or "")
            if portrait is None:
                if video.stored_portrait is None:
                    return VideoAfter(
                        video.video_id,
                        None,
                        PartError(ErrorCode.NO_PORTRAIT.value, "no portrait to match against"),
                    )
                portrait = decode_image(video.stored_portrait, self.settings.images, "portrait")
            challenge = Challenge.from_json(video.challenge) if video.challenge else None
            path.write_bytes(video.data)
            verdict = self.verify(
                path,
                portrait,
                challenge,
                self.settings.liveness,
                dt.datetime.fromisoformat(video.at_iso),
                mirrored=video.mirrored,
                **self.video_kwargs,
            )
            return VideoAfter(video.video_id, dict(verdict.to_json()))
        except KycError as exc:
            return VideoAfter(video.video_id, None, PartError(str(exc.code), exc.detail))
        finally:
            path.unlink(missing_ok=True)
            tmp_dir.rmdir()

    def process(self, task: ItemTask) -> ItemOutcome:
        started = time.perf_counter()
        docs: list[DocumentAfter] = []
        portraits: dict[str, Any] = {}
        for doc in task.documents:
            after, portrait = self._document(doc)
            docs.append(after)
            if portrait is not None:
                portraits[doc.document_id] = portrait
        video = self._video(task.video, portraits) if task.video is not None else None
        return ItemOutcome(
            filing_id=task.filing_id,
            documents=tuple(docs),
            video=video,
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            worker=self.name,
        )


# --------------------------------------------------------------------------- pool entry points

_WORKER: list[Worker] = []


def init(config: WorkerConfig) -> None:
    """Process-pool initializer: load the pipeline once for this process."""
    _WORKER[:] = [Worker(config)]


def process(task: ItemTask) -> ItemOutcome:
    return _WORKER[0].process(task)


def ready(pause_s: float = 0.0) -> dict[str, Any]:
    """Answers once the models are loaded (the initializer has run); the pause keeps this
    worker busy so that the pool starts its other workers too."""
    time.sleep(pause_s)
    return _WORKER[0].info()
