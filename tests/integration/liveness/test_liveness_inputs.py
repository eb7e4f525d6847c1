"""Every unusable video gets its own error code (exit status 2 through the CLI).
Bad files are made here in tmp_path from a real clip; no face models are needed."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from kyc.errors import BadInput, ErrorCode
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.video import VideoReader

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CLIP = DATA / "videos" / "d18.mp4"

pytestmark = pytest.mark.skipif(not CLIP.is_file(), reason="shared test data not present")


def _read_all(path: Path, settings: LivenessSettings | None = None) -> int:
    reader = VideoReader(path, settings or LivenessSettings())
    return sum(1 for _ in reader.frames())


def _code(path: Path, settings: LivenessSettings | None = None) -> ErrorCode:
    with pytest.raises(BadInput) as err:
        _read_all(path, settings)
    return err.value.code


def test_real_clip_decodes_with_timestamps() -> None:
    reader = VideoReader(CLIP, LivenessSettings())
    times = [f.t for f in reader.frames()]
    assert len(times) > 100
    assert times[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(times))
    assert 6.5 < times[-1] < 7.5
    assert reader.info.codec == "h264"


def test_truncated_clip(tmp_path: Path) -> None:
    data = CLIP.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    assert _code(cut) is ErrorCode.CORRUPT_VIDEO


def test_audio_only_file(tmp_path: Path) -> None:
    path = tmp_path / "audio.mp4"
    with av.open(str(path), "w") as c:
        s: Any = c.add_stream("aac", rate=16000)
        samples = np.zeros((1, 16000), dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 16000
        for pkt in s.encode(frame):
            c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    assert _code(path) is ErrorCode.NO_VIDEO_STREAM


def _write(path: Path, n_frames: int, codec: str = "libx264") -> Path:
    with av.open(str(path), "w") as c:
        s: Any = c.add_stream(codec, rate=25)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        c.start_encoding()
        for i in range(n_frames):
            img = np.full((64, 64, 3), (i * 5) % 255, np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def test_zero_second_video(tmp_path: Path) -> None:
    """One frame: a video of 0 seconds."""
    assert _code(_write(tmp_path / "one.mp4", 1)) is ErrorCode.VIDEO_TOO_SHORT


def test_zero_frame_video(tmp_path: Path) -> None:
    """A container whose video track has no frames (MP4 then drops the track)."""
    code = _code(_write(tmp_path / "none.mp4", 0))
    assert code in {ErrorCode.NO_VIDEO_STREAM, ErrorCode.VIDEO_TOO_SHORT}


def test_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video\n")
    assert _code(path) is ErrorCode.UNSUPPORTED_FORMAT


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert _code(path) is ErrorCode.EMPTY_FILE


def test_limits() -> None:
    assert _code(CLIP, LivenessSettings(max_video_bytes=1000)) is ErrorCode.VIDEO_TOO_LARGE
    assert _code(CLIP, LivenessSettings(max_video_pixels=100 * 100)) is ErrorCode.VIDEO_TOO_LARGE
    assert _code(CLIP, LivenessSettings(max_duration_s=3.0)) is ErrorCode.VIDEO_TOO_LONG
    assert _code(CLIP, LivenessSettings(min_duration_s=10.0)) is ErrorCode.VIDEO_TOO_SHORT


def test_short_clip(tmp_path: Path) -> None:
    assert _code(_write(tmp_path / "short.mp4", 5)) is ErrorCode.VIDEO_TOO_SHORT


def test_webm_vp9_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path / "clip.webm", 40, "libvpx-vp9")
    reader = VideoReader(path, LivenessSettings())
    assert sum(1 for _ in reader.frames()) == 40
    assert reader.info.container == "matroska"
    assert reader.info.codec in {"vp9", "libvpx"}
