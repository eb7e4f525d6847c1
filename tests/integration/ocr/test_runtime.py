"""The OCR models on OpenVINO against onnxruntime, with the real model files."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from kyc import inference
from kyc.config import get_settings
from kyc.inference import Array, Model, OrtModel, OvModel, RuntimeSettings, load_model
from kyc.modelfiles import resolve
from kyc.ocr.engine import OcrEngine, crop_line, pad_rows
from kyc.synth import generate

pytestmark = pytest.mark.models


def _path(name: str) -> Path:
    return resolve(name, get_settings().models_dir)


@contextmanager
def _shapes_run(model: Model) -> Iterator[list[tuple[int, ...]]]:
    """The input shapes ``model`` runs while the block runs."""
    seen: list[tuple[int, ...]] = []
    run = model.run

    def spy(inputs: Mapping[str, Array]) -> list[Array]:
        seen.extend(a.shape for a in inputs.values())
        return run(inputs)

    model.run = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        model.run = run  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def engines() -> tuple[OcrEngine, OcrEngine]:
    settings = get_settings()
    return (
        OcrEngine(settings.ocr, settings.models_dir, RuntimeSettings(backend="onnxruntime")),
        OcrEngine(settings.ocr, settings.models_dir, RuntimeSettings(backend="openvino")),
    )


def test_both_back_ends_read_a_photo_the_same(engines: tuple[OcrEngine, OcrEngine]) -> None:
    ort_engine, ov_engine = engines
    assert ort_engine._det.backend == "onnxruntime" and ov_engine._det.backend == "openvino"
    image = generate("id_card_front", "clean", random.Random(21)).image
    quads_a, quads_b = ort_engine.detect(image), ov_engine.detect(image)
    assert len(quads_a) == len(quads_b) >= 5
    for qa, qb in zip(quads_a, quads_b, strict=True):
        assert np.abs(qa - qb).max() <= 1.0
    crops = [crop_line(image, q) for q in quads_a]
    up_a, up_b = ort_engine.upside_down(crops), ov_engine.upside_down(crops)
    assert np.allclose(up_a, up_b, atol=1e-4)
    texts_a, texts_b = ort_engine.recognize(crops), ov_engine.recognize(crops)
    assert [t.text for t in texts_a] == [t.text for t in texts_b]
    assert any(sum(c.isdigit() for c in t.text) >= 17 for t in texts_a)  # the ID number
    for ta, tb in zip(texts_a, texts_b, strict=True):
        assert np.allclose([c.prob for c in ta.chars], [c.prob for c in tb.chars], atol=1e-4)


def test_characters_come_with_where_they_were_read(engines: tuple[OcrEngine, OcrEngine]) -> None:
    _ort_engine, ov_engine = engines
    image = generate("id_card_front", "clean", random.Random(21)).image
    crops = [crop_line(image, q) for q in ov_engine.detect(image)]
    number = next(t for t in ov_engine.recognize(crops) if sum(c.isdigit() for c in t.text) >= 17)
    at = [c.at for c in number.chars]
    assert all(0 < a < 1 for a in at)
    assert at == sorted(at) and len(set(at)) == len(at)
    # eighteen characters set evenly across the line: the first near its start, the last
    # near its end
    assert at[0] < 0.15 and at[-1] > 0.85


def test_classifier_rows_do_not_depend_on_padding_rows() -> None:
    model = load_model(_path("ppocr_cls"), RuntimeSettings(), threads=2)
    rng = np.random.default_rng(3)
    batch = rng.uniform(-1, 1, (5, 3, 48, 192)).astype(np.float32)
    name = model.input_names[0]
    alone = model.run({name: batch})[0]
    padded = model.run({name: pad_rows(batch, 8)})[0]
    assert padded.shape[0] == 8
    assert np.allclose(alone, padded[:5], atol=1e-5)


def test_the_classifier_sees_one_batch_shape_whatever_the_number_of_lines(
    engines: tuple[OcrEngine, OcrEngine],
) -> None:
    _ort_engine, ov_engine = engines
    image = generate("business_license", "clean", random.Random(5)).image
    crops = [crop_line(image, q) for q in ov_engine.detect(image)][:19]
    assert len(crops) == 19  # two full batches of 8 and a padded one of 3
    with _shapes_run(ov_engine._cls) as seen:
        together = ov_engine.upside_down(crops)
        alone = [ov_engine.upside_down([c])[0] for c in crops[:3]]
    assert {shape[0] for shape in seen} == {OcrEngine.CLS_BATCH}
    assert len(together) == 19
    assert np.allclose(together[:3], alone, atol=1e-5)


def test_a_shape_is_compiled_on_its_second_run_and_gives_the_same_numbers() -> None:
    model = OvModel(_path("ppocr_cls"), 2, RuntimeSettings(static_after=2, max_static=2))
    name = model.input_names[0]
    x = np.random.default_rng(4).uniform(-1, 1, (8, 3, 48, 192)).astype(np.float32)
    dynamic = model.run({name: x})[0]
    assert model.compiled_shapes == 0  # the first run went to the dynamic-shape model
    static = model.run({name: x})[0]
    assert model.compiled_shapes == 1
    assert np.allclose(dynamic, static, atol=1e-5)
    for n in (16, 24, 24):
        model.run({name: np.zeros((n, 3, 48, 192), dtype=np.float32)})
    assert len(model._static) == 2  # at most max_static kept


def test_warming_a_dynamic_shape_model_runs_its_shapes_without_compiling_them() -> None:
    model = OvModel(_path("ppocr_rec"), 2, RuntimeSettings(), fixed_shapes=False)
    name = model.input_names[0]
    model.warm([{name: (2, 3, 48, w)} for w in (128, 160)])
    assert model.compiled_shapes == 0  # runs went to the one dynamic-shape model
    cls = OvModel(_path("ppocr_cls"), 2, RuntimeSettings())
    cls.warm([{cls.input_names[0]: (n, 3, 48, 192)} for n in (1, 2)], fixed=False)
    assert cls.compiled_shapes == 0  # asked not to compile them either
    cls.warm([{cls.input_names[0]: (3, 3, 48, 192)}])
    assert cls.compiled_shapes == 1
    x = np.random.default_rng(6).uniform(-1, 1, (2, 3, 48, 160)).astype(np.float32)
    fallback = OrtModel(_path("ppocr_rec"), 2)
    assert np.allclose(model.run({name: x})[0], fallback.run({name: x})[0], atol=1e-4)


def test_recognition_widths_fall_on_the_grid_the_workers_warm(
    engines: tuple[OcrEngine, OcrEngine],
) -> None:
    _ort_engine, ov_engine = engines
    image = generate("business_license", "moderate", random.Random(8)).image
    crops = [crop_line(image, q) for q in ov_engine.detect(image)]
    with _shapes_run(ov_engine._rec) as seen:
        ov_engine.recognize(crops)
    step = ov_engine.settings.rec_width_step
    widths = [shape[3] for shape in seen]
    assert len(set(widths)) > 3  # lines of many lengths
    assert all(w % step == 0 and w >= ov_engine.settings.rec_min_width for w in widths)


def test_a_model_openvino_cannot_load_runs_on_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(inference, "OvModel", broken)
    model = load_model(_path("ppocr_cls"), RuntimeSettings(), threads=1)
    assert isinstance(model, OrtModel)
    assert "unsupported operator" in model.note
    out = model.run({model.input_names[0]: np.zeros((1, 3, 48, 192), dtype=np.float32)})
    assert out[0].shape == (1, 2)


def test_recogniser_metadata_is_the_same_on_both(engines: tuple[OcrEngine, OcrEngine]) -> None:
    ort_engine, ov_engine = engines
    assert ort_engine._charset == ov_engine._charset
    # PP-OCRv6 small's 18,708 characters, the CTC blank and the space
    assert len(ov_engine._charset) == 18710
