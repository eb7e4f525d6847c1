"""The face mesh and iris model with the real weights: the mesh lies on the face dlib
fits, on a real clip the eyelids they give find the blinks marked by eye and no other,
and both back ends give the same points (their conversion is tested with faceres's, in
test_face_match.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from kyc.config import get_settings
from kyc.liveness.analyse import analyse
from kyc.liveness.challenge import Action
from kyc.liveness.engine import get_engine
from kyc.liveness.evaluate import baseline, detect_events
from kyc.liveness.facemesh import get_facemesh
from kyc.liveness.signals import series

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CLIP = DATA / "videos" / "d18.mp4"
LABELS = Path(__file__).resolve().parents[2] / "data" / "liveness_labels.json"

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not CLIP.is_file(), reason="shared test data not present"),
]


def test_mesh_follows_the_face_and_its_eyelids_find_the_marked_blinks() -> None:
    s = get_settings()
    track = analyse(CLIP, get_engine(s.models_dir), s.liveness, get_facemesh(s.models_dir))
    assert track.meshes is not None and len(track.meshes) == len(track.shapes)
    # on every frame with a face the mesh's eye corners lie on dlib's (within 15% of the
    # distance between the eyes; measured medians 2-5%)
    pairs = [(33, 36), (133, 39), (362, 42), (263, 45)]
    for pts, mesh in zip(track.shapes, track.meshes, strict=True):
        assert (pts is None) == (mesh is None)
        if pts is None or mesh is None:
            continue
        iod = float(np.linalg.norm(pts[36:42].mean(axis=0) - pts[42:48].mean(axis=0)))
        worst = max(float(np.linalg.norm(mesh[a] - pts[b])) for a, b in pairs)
        assert worst < 0.15 * iod
    sig = series(track.times, track.shapes, track.meshes)
    base = baseline(sig, s.liveness.blink_baseline_pct)
    assert base is not None
    blinks = [e for e in detect_events(sig, base, s.liveness) if e.action is Action.BLINK]
    marked = [
        (e["start"], e["end"], e["sure"])
        for e in json.loads(LABELS.read_text())["clips"]["d18"]["events"]
        if e["action"] == "blink"
    ]
    for t0, t1, sure in marked:  # each sure blink found (one analysed frame either side)
        if sure:
            assert any(e.start_s <= t1 + 0.15 and e.end_s >= t0 - 0.15 for e in blinks), t0
    for e in blinks:  # and nothing the frames do not show
        assert any(e.start_s <= t1 + 0.15 and e.end_s >= t0 - 0.15 for t0, t1, _ in marked)
    assert all(math.isfinite(f.eye) for f in sig if f.face)


def test_mesh_and_eyelids_are_the_same_on_both_back_ends() -> None:
    """The mesh and the iris model run on the configured back end (OpenVINO by default,
    about 4x onnxruntime's speed on these graphs): both give the same points."""
    import av

    from kyc.liveness.engine import box_of
    from kyc.liveness.facemesh import FaceMeshModel
    from kyc.modelfiles import resolve

    s = get_settings()
    engine = get_engine(s.models_dir)
    with av.open(str(CLIP)) as c:
        gray = np.asarray(next(iter(c.decode(video=0))).to_ndarray(format="gray"), np.uint8)
    boxes = engine.detect(gray)
    assert boxes
    pts = engine.landmarks(gray, boxes[0])
    assert box_of(pts).width > 50
    paths = resolve("facemesh", s.models_dir), resolve("iris", s.models_dir)
    fits = [
        FaceMeshModel(*paths, 1, backend).fit(gray, pts) for backend in ("onnxruntime", "openvino")
    ]
    assert fits[0].score > 0.9
    np.testing.assert_allclose(fits[0].points, fits[1].points, atol=0.05)
