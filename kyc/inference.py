"""One adapter for running ONNX models: OpenVINO (default) or onnxruntime.

``load_model(path, settings, threads)`` gives a ``Model`` whose ``run(inputs)`` takes a
mapping of input name to array and returns the outputs as arrays, whichever runtime is
behind it. Both runtimes execute the same ONNX file; OpenVINO is faster per call when the
input shape is fixed at compile time (measured: issue 16, docs/runtime.md), so the
OpenVINO model keeps one compiled model per input shape it has seen — compiled lazily,
cached for the life of the process (least recently used dropped beyond
``max_static``) — and runs shapes it has not compiled yet on one dynamic-shape compiled
model. ``warm(shapes)`` compiles given shapes up front (service and batch workers do so at
start). Callers that want few compiled models choose few shapes (bucketing is the
caller's business: only it knows whether padding is harmless to its model).

Any model OpenVINO cannot read or compile runs on onnxruntime instead; ``Model.note`` says
why. bf16 is used only when asked for and the CPU has it; f32 otherwise (OpenVINO's own
default on bf16-capable CPUs is bf16, so f32 is set explicitly).

Models are thread-safe: compilation happens under a lock and every run takes an
inference request of its own from a small pool.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

Backend = Literal["openvino", "onnxruntime"]
# The manifest's models that run on this adapter (``kyc models`` says so next to them).
ADAPTER_MODELS = (
    "ppocr_det",
    "ppocr_rec",
    "ppocr_cls",
    "arcface_mbf",
    "scrfd_500m",
    "facemesh",
    "iris",
)
# On the adapter too, but always on onnxruntime: OpenVINO runs faceres's converted graph
# at half onnxruntime's speed (kyc.liveness.descriptors)
ONNXRUNTIME_MODELS = ("faceres",)
Precision = Literal["f32", "bf16"]
Array = npt.NDArray[Any]
Shape = tuple[int, ...]


class RuntimeSettings(BaseModel):
    """``KYC_RUNTIME__BACKEND=onnxruntime`` and so on."""

    # Which runtime executes the models. onnxruntime is the fallback for any model
    # OpenVINO cannot run.
    backend: Backend = "openvino"
    # OpenVINO's inference precision. bf16 changes the numbers (up to 0.3 of a detection
    # probability): used only when asked for and when the CPU has bf16; f32 otherwise.
    precision: Precision = "f32"
    # Compile a fixed-shape model for an input shape the n-th time that shape is run
    # (1: at once; 0: never, the dynamic-shape model runs everything). Until then the
    # dynamic-shape model runs it. A compile costs 0.3-0.9 s and saves 10-35 ms a run
    # (a fixed-shape detection canvas runs in 0.8 of the dynamic model's time, once
    # that has seen the shape): it pays after 10-30 runs. At 2, a second detection
    # pass's canvas seen twice was compiled inside a request, and dropped again by
    # the least-recently-used limit before it paid (measured: 21 compiles, 6 s, in
    # 48 reads).
    static_after: int = 16
    # At most this many fixed-shape compiled models per model, least recently used
    # dropped: each holds its own buffers (~50-100 MB for a detection canvas).
    max_static: int = 8


class Model(Protocol):
    """A loaded ONNX model: ``run`` maps input names to arrays, returns the outputs."""

    backend: Backend
    input_names: tuple[str, ...]
    metadata: Mapping[str, str]
    note: str

    def run(self, inputs: Mapping[str, Array]) -> list[Array]: ...

    def warm(self, shapes: Iterable[Mapping[str, Shape]], fixed: bool = True) -> None: ...


@dataclass(frozen=True)
class RuntimeInfo:
    """What ``kyc models`` reports about the runtime."""

    backend: Backend
    version: str
    precision: Precision
    cpu_bf16: bool
    note: str


# -- onnxruntime ----------------------------------------------------------------------
class OrtModel:
    """An onnxruntime session: every shape runs on the one dynamic-shape session."""

    backend: Backend = "onnxruntime"

    def __init__(self, path: Path, threads: int, note: str = "") -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self.input_names = tuple(i.name for i in self._session.get_inputs())
        self.metadata: Mapping[str, str] = dict(self._session.get_modelmeta().custom_metadata_map)
        self.note = note

    def run(self, inputs: Mapping[str, Array]) -> list[Array]:
        return list(self._session.run(None, dict(inputs)))

    def warm(self, shapes: Iterable[Mapping[str, Shape]], fixed: bool = True) -> None:
        """Nothing to compile: onnxruntime plans every shape when it first sees it."""
        del shapes, fixed


# -- OpenVINO -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _core() -> Any:
    import openvino as ov

    return ov.Core()


def cpu_has_bf16() -> bool:
    """Whether OpenVINO's CPU plugin can run bf16 here (AVX512-BF16 or AMX)."""
    try:
        caps = _core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # any failure to ask means: do not use it
        return False
    return "BF16" in caps


def effective_precision(settings: RuntimeSettings) -> tuple[Precision, str]:
    if settings.precision == "bf16" and not cpu_has_bf16():
        return "f32", "bf16 asked for but this CPU has none: f32"
    return settings.precision, ""


class _Compiled:
    """One compiled model and a pool of idle inference requests for it."""

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def run(self, inputs: Mapping[str, Array]) -> list[Array]:
        with self._lock:
            request = self._idle.pop() if self._idle else self.compiled.create_infer_request()
        try:
            out = request.infer(dict(inputs), share_inputs=True, share_outputs=False)
            return [np.asarray(out[o]) for o in self.compiled.outputs]
        finally:
            with self._lock:
                self._idle.append(request)


class OvModel:
    """An ONNX model on OpenVINO's CPU plugin, compiled per input shape (see module)."""

    backend: Backend = "openvino"

    def __init__(
        self, path: Path, threads: int, settings: RuntimeSettings, fixed_shapes: bool = True
    ) -> None:
        core = _core()
        self._path = path
        self._model = core.read_model(str(path))
        self.input_names = tuple(i.get_any_name() for i in self._model.inputs)
        self.metadata: Mapping[str, str] = _ov_metadata(self._model)
        precision, self.note = effective_precision(settings)
        self.precision: Precision = precision
        self._config = {
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": 1,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
            # Several workers share the cores: pinning each one's threads would pile
            # them onto the same cores.
            "ENABLE_CPU_PINNING": False,
        }
        self._static_after = settings.static_after if fixed_shapes else 0
        self._max_static = max(1, settings.max_static)
        self._static: OrderedDict[tuple[Shape, ...], _Compiled] = OrderedDict()
        self._seen: dict[tuple[Shape, ...], int] = {}
        self._dynamic: _Compiled | None = None
        self._lock = threading.Lock()
        self._threads = threads
        self._fallback: OrtModel | None = None
        self.compile_seconds = 0.0
        self.compiled_shapes = 0

    def _key(self, shapes: Mapping[str, Shape]) -> tuple[Shape, ...]:
        return tuple(tuple(int(d) for d in shapes[name]) for name in self.input_names)

    def _compile(self, key: tuple[Shape, ...] | None) -> _Compiled:
        import openvino as ov

        start = time.perf_counter()
        model = self._model
        if key is not None:
            model = self._model.clone()
            model.reshape(
                {
                    port: ov.PartialShape(list(shape))
                    for port, shape in zip(model.inputs, key, strict=True)
                }
            )
        compiled = _Compiled(_core().compile_model(model, "CPU", self._config))
        self.compile_seconds += time.perf_counter() - start
        self.compiled_shapes += key is not None
        return compiled

    def _for(self, key: tuple[Shape, ...]) -> _Compiled:
        with self._lock:
            found = self._static.get(key)
            if found is not None:
                self._static.move_to_end(key)
                return found
            seen = self._seen.get(key, 0) + 1
            self._seen[key] = seen
            if self._static_after > 0 and seen >= self._static_after:
                compiled = self._compile(key)
                self._static[key] = compiled
                self._seen.pop(key, None)
                while len(self._static) > self._max_static:
                    self._static.popitem(last=False)
                return compiled
            if self._dynamic is None:
                self._dynamic = self._compile(None)
            return self._dynamic

    def run(self, inputs: Mapping[str, Array]) -> list[Array]:
        if self._fallback is not None:
            return self._fallback.run(inputs)
        key = self._key({name: a.shape for name, a in inputs.items()})
        try:
            compiled = self._for(key)
        except RuntimeError as exc:  # OpenVINO cannot compile it: onnxruntime from now on
            self._fallback = OrtModel(
                self._path, self._threads, f"OpenVINO cannot compile {self._path.name}: {exc}"
            )
            self.note = self._fallback.note[:300]
            return self._fallback.run(inputs)
        return compiled.run(inputs)

    def warm(self, shapes: Iterable[Mapping[str, Shape]], fixed: bool = True) -> None:
        """Compile these input shapes now (and run each once: OpenVINO finishes
        preparing a compiled model at its first inference). With ``fixed`` False, or
        for a model kept on its dynamic-shape compile, each shape is run once on that
        instead: the first run of a shape there prepares every layer for it (17-40 ms
        on the recogniser, 30-130 ms on a detection canvas, measured), later runs of
        that shape reuse it, and it holds no compiled model of its own."""
        for item in shapes:
            key = self._key(item)
            if self._static_after == 0 or not fixed:
                with self._lock:
                    if self._dynamic is None:
                        self._dynamic = self._compile(None)
                self._dynamic.run(
                    {
                        name: np.zeros(shape, dtype=np.float32)
                        for name, shape in zip(self.input_names, key, strict=True)
                    }
                )
                continue
            with self._lock:
                if key in self._static:
                    continue
                compiled = self._compile(key)
                self._static[key] = compiled
                while len(self._static) > self._max_static:
                    self._static.popitem(last=False)
            compiled.run(
                {
                    name: np.zeros(shape, dtype=np.float32)
                    for name, shape in zip(self.input_names, key, strict=True)
                }
            )


def _ov_metadata(model: Any) -> dict[str, str]:
    """The ONNX file's metadata_props (OpenVINO keeps them under rt_info "framework")."""
    try:
        info = model.get_rt_info()
        if "framework" not in info:
            return {}
        framework = info["framework"]
        return {
            str(k): str(v.astype(str) if hasattr(v, "astype") else v) for k, v in framework.items()
        }
    except Exception:  # metadata is optional: a model without it has none
        return {}


# -- choosing -------------------------------------------------------------------------
def load_model(
    path: Path, settings: RuntimeSettings, threads: int, fixed_shapes: bool = True
) -> Model:
    """The model at ``path`` on the configured runtime; onnxruntime when OpenVINO is not
    installed or cannot read or compile this model (``note`` says which). With
    ``fixed_shapes`` false, OpenVINO compiles fixed shapes only when ``warm`` asks: the
    caller's shapes vary too much to compile each one."""
    if settings.backend == "openvino":
        try:
            return OvModel(path, threads, settings, fixed_shapes)
        except Exception as exc:  # an unsupported operator, a missing wheel...
            reason = f"OpenVINO cannot run {path.name} ({type(exc).__name__}: {exc}); onnxruntime"
            return OrtModel(path, threads, note=reason[:300])
    return OrtModel(path, threads)


def runtime_info(settings: RuntimeSettings) -> RuntimeInfo:
    """The runtime the settings select, its version, and the precision it will use."""
    if settings.backend == "onnxruntime":
        import onnxruntime as ort

        return RuntimeInfo("onnxruntime", ort.__version__, "f32", False, "")
    try:
        import openvino as ov

        precision, note = effective_precision(settings)
        return RuntimeInfo("openvino", ov.get_version(), precision, cpu_has_bf16(), note)
    except Exception as exc:
        import onnxruntime as ort

        return RuntimeInfo(
            "onnxruntime", ort.__version__, "f32", False, f"OpenVINO unavailable ({exc})"
        )


def describe(info: RuntimeInfo) -> str:
    """One line for ``kyc models``: ``openvino 2026.4.1 f32 (CPU bf16: yes)``."""
    version = info.version.split("-")[0]
    cpu = f" (CPU bf16: {'yes' if info.cpu_bf16 else 'no'})" if info.backend == "openvino" else ""
    note = f"; {info.note}" if info.note else ""
    return f"{info.backend} {version} {info.precision}{cpu}{note}"


def warm(holder: object, background: bool = False) -> threading.Thread | None:
    """Compile the common input shapes of the models ``holder`` keeps (an object with a
    ``warm()`` method, or one whose ``engine`` has one): the service's and the batch
    job's worker initialisers call this so that no request pays for it. With
    ``background`` it runs in a daemon thread (returned) and the worker serves at once:
    the warm-up takes 6-7 s (dozens of shapes run once), in which a fresh worker mostly
    waits for its first request; a request that comes sooner runs beside it (the models
    are safe to share between threads)."""
    for obj in (holder, getattr(holder, "engine", None)):
        method = getattr(obj, "warm", None)
        if callable(method):
            if not background:
                method()
                return None
            thread = threading.Thread(target=method, name="kyc-warm", daemon=True)
            thread.start()
            return thread
    return None
