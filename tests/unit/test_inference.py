"""Pure parts of the inference adapter and of the OCR engine's input shapes."""

from __future__ import annotations

import numpy as np
import pytest

from kyc import inference
from kyc.inference import RuntimeInfo, RuntimeSettings, describe, effective_precision, warm
from kyc.ocr.engine import OcrEngine, det_input_shape, pad_rows, rec_width


def test_pad_rows_appends_zero_rows_up_to_a_multiple() -> None:
    batch = np.ones((5, 3, 4, 6), dtype=np.float32)
    padded = pad_rows(batch, 8)
    assert padded.shape == (8, 3, 4, 6)
    assert np.array_equal(padded[:5], batch)
    assert not padded[5:].any()
    assert pad_rows(padded, 8) is padded  # already a multiple: untouched


@pytest.mark.parametrize(
    ("h", "w"), [(3024, 4032), (4032, 3024), (1080, 1920), (1920, 1080), (1536, 2048)]
)
def test_phone_photos_land_on_the_warmed_canvases(h: int, w: int) -> None:
    _n, _c, ch, cw = det_input_shape(h, w, 736)
    assert (ch, cw) in OcrEngine.COMMON_CANVASES


def test_recognition_widths_fall_on_the_step_grid_and_hold_the_widest_line() -> None:
    for ratio in (0.0, 1.0, 2.66, 2.7, 5.01, 9.3, 31.2):
        width = rec_width(ratio, 128, 32)
        assert width % 32 == 0
        assert width >= 128
        assert width >= 48 * ratio  # the widest line is never squeezed
        assert width - 32 < max(128, 48 * ratio)  # and padded by less than one step
    assert rec_width(3.0, 128, 1) == 144  # a step of 1: the line's own width


def test_detection_input_is_never_upscaled_and_a_multiple_of_32() -> None:
    for h, w in ((100, 90), (500, 700), (33, 2000), (736, 736)):
        _n, _c, ch, cw = det_input_shape(h, w, 736)
        assert ch % 32 == 0 and cw % 32 == 0
        assert max(ch, cw) <= max(32, round(max(h, w) / 32) * 32)


def test_bf16_falls_back_to_f32_without_cpu_support(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inference, "cpu_has_bf16", lambda: False)
    precision, note = effective_precision(RuntimeSettings(precision="bf16"))
    assert precision == "f32" and "bf16" in note
    monkeypatch.setattr(inference, "cpu_has_bf16", lambda: True)
    assert effective_precision(RuntimeSettings(precision="bf16")) == ("bf16", "")
    assert effective_precision(RuntimeSettings()) == ("f32", "")


def test_settings_reject_an_unknown_backend() -> None:
    with pytest.raises(ValueError, match="backend"):
        RuntimeSettings.model_validate({"backend": "tensorrt"})


def test_describe_names_backend_version_and_precision() -> None:
    line = describe(RuntimeInfo("openvino", "2026.4.1-22982-abc", "f32", True, ""))
    assert line == "openvino 2026.4.1 f32 (CPU bf16: yes)"
    line = describe(RuntimeInfo("onnxruntime", "1.32.0", "f32", False, "OpenVINO unavailable"))
    assert line == "onnxruntime 1.32.0 f32; OpenVINO unavailable"


def test_warm_finds_the_engine_of_a_reader() -> None:
    calls: list[str] = []

    class Engine:
        def warm(self) -> None:
            calls.append("engine")

    class Reader:
        engine = Engine()

    warm(Reader())
    warm(object())  # nothing to warm: no error
    assert calls == ["engine"]
    thread = warm(Reader(), background=True)  # a worker serves while it warms
    assert thread is not None and thread.daemon
    thread.join(5)
    assert calls == ["engine", "engine"]
    assert warm(object(), background=True) is None


def test_fingerprint_ignores_the_back_end_but_not_bf16() -> None:
    from kyc.config import Settings

    base = Settings()
    ort = Settings(runtime=RuntimeSettings(backend="onnxruntime"))
    bf16 = Settings(runtime=RuntimeSettings(precision="bf16"))
    assert base.fingerprint() == ort.fingerprint()
    assert base.fingerprint() != bf16.fingerprint()
