"""The dlib adapter (``kyc.liveness.engine``) with the real models."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from kyc.config import get_settings
from kyc.liveness.engine import get_engine

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CLIP = DATA / "videos" / "d18.mp4"

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not CLIP.is_file(), reason="shared test data not present"),
]


def test_dlib_sees_a_crop_of_a_frame_as_it_sees_its_copy() -> None:
    """A crop is a strided view of the frame (the analysis's re-detection around a small
    face hands one over unscaled): dlib misread such views and found no face, or another,
    from run to run. The engine hands dlib contiguous arrays."""
    engine = get_engine(get_settings().models_dir)
    with av.open(str(CLIP)) as c:
        gray = np.asarray(next(iter(c.decode(video=0))).to_ndarray(format="gray"), np.uint8)
    face = engine.detect(gray)[0]
    x0, y0 = max(0, int(face.left) - 40), max(0, int(face.top) - 40)
    view = gray[y0 : int(face.bottom) + 40, x0 : int(face.right) + 40]
    assert not view.flags["C_CONTIGUOUS"]
    want = engine.detect(np.ascontiguousarray(view))
    assert want
    for _ in range(3):
        got = engine.detect(view)
        assert [(b.left, b.top, b.right, b.bottom) for b in got] == [
            (b.left, b.top, b.right, b.bottom) for b in want
        ]
    pts = engine.landmarks(view, want[0])
    np.testing.assert_array_equal(pts, engine.landmarks(np.ascontiguousarray(view), want[0]))
