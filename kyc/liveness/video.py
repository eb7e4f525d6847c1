"""Video decoding with PyAV (thin adapter): container sniffing, limits, rotation metadata,
timestamps rather than frame indices.

Accepted: MP4/MOV (ISO-BMFF) and WebM/Matroska holding H.264, HEVC, VP8, VP9 or AV1.
Every broken or unacceptable input raises ``BadInput`` with a specific code.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kyc.errors import BadInput, ErrorCode
from kyc.liveness.settings import LivenessSettings

GrayImage = npt.NDArray[np.uint8]
RGBImage = npt.NDArray[np.uint8]

ACCEPTED_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "libdav1d", "libvpx"})
_ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}


def sniff_container(head: bytes) -> str | None:
    """'mp4' (MP4/MOV) or 'matroska' (WebM/MKV) from the first bytes, else None."""
    if len(head) >= 8 and head[4:8] in _ISO_BOXES:
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    return None


def rotation_turns(rotation_ccw_deg: float) -> int:
    """Quarter turns (counter-clockwise, as ``numpy.rot90`` counts them) that display a frame
    upright, from the display matrix angle PyAV reports (counter-clockwise degrees)."""
    return int(round(rotation_ccw_deg / 90.0)) % 4


# A display matrix is accepted when it turns the picture by a multiple of 90 degrees to
# within this many degrees, without a mirror, a shear or a zero scale.
_ROTATION_TOLERANCE_DEG = 1.0


def matrix_turns(matrix: Sequence[int]) -> int | None:
    """Quarter turns of an FFmpeg display matrix (9 int32, ``a b u c d v x y w``, the first
    four in 16.16 fixed point), or None when it is no rotation by a multiple of 90
    degrees: all zero, 45 degrees, a mirror, a shear. Pure."""
    if len(matrix) != 9:
        return None
    a, b, c, d = (float(v) / 65536.0 for v in (matrix[0], matrix[1], matrix[3], matrix[4]))
    scale_x, scale_y = math.hypot(a, c), math.hypot(b, d)
    if scale_x < 1e-6 or scale_y < 1e-6:
        return None  # degenerate (an all-zero matrix)
    det = a * d - b * c
    if det <= 0 or abs(det / (scale_x * scale_y) - 1.0) > 1e-3:
        return None  # a mirror, or columns not perpendicular (a shear)
    # As av_display_rotation_get: the counter-clockwise angle is -atan2(b, a).
    angle = -math.degrees(math.atan2(b / scale_y, a / scale_x))
    nearest = round(angle / 90.0) * 90.0
    if abs(angle - nearest) > _ROTATION_TOLERANCE_DEG:
        return None
    return rotation_turns(nearest)


def display_turns(vf: Any, name: object = "video") -> int:
    """Quarter turns a decoded frame's display matrix asks for (0 without one); an invalid
    matrix is refused (VIDEO_ROTATION_INVALID) instead of read as some angle."""
    from av.sidedata.sidedata import Type

    for item in vf.side_data:
        if item.type != Type.DISPLAYMATRIX:
            continue
        raw = bytes(item)
        values = struct.unpack("<9i", raw[:36]) if len(raw) >= 36 else ()
        turns = matrix_turns(values)
        if turns is None:
            raise BadInput(
                ErrorCode.VIDEO_ROTATION_INVALID,
                f"{name}: the rotation metadata (display matrix {list(values)}) is not a turn "
                "by a multiple of 90 degrees",
            )
        return turns
    return 0


def upright(img: npt.NDArray[np.uint8], turns: int) -> npt.NDArray[np.uint8]:
    if turns == 0:
        return img
    return np.ascontiguousarray(np.rot90(img, turns))


@dataclass(frozen=True)
class VideoInfo:
    container: str
    codec: str
    width: int  # as displayed (after rotation)
    height: int
    duration_s: float | None  # from the container, when it says
    turns: int  # quarter turns applied to every frame


@dataclass(frozen=True)
class Frame:
    t: float  # seconds from the first frame
    gray: GrayImage  # upright luma, at most ``work_short_side`` on its short side
    source: Any  # the full-resolution av.VideoFrame (for an RGB copy when needed)
    scale: float = 1.0  # ``gray`` pixels per full-resolution pixel


def to_rgb(frame: Frame, turns: int) -> RGBImage:
    rgb: RGBImage = frame.source.to_ndarray(format="rgb24")
    return upright(rgb, turns)


def _gray(vf: Any, scale: float = 1.0) -> GrayImage:
    """The luma plane without a colour conversion when the format is planar YUV; with
    ``scale`` < 1 downscaled by OpenCV (area averaging; it releases the GIL, so in the
    decoding thread this runs beside the analysis)."""
    fmt = vf.format.name
    if fmt.startswith(("yuv", "yuvj", "nv12", "nv21")) and not fmt.endswith(("p10le", "p10be")):
        plane = vf.planes[0]
        buf = np.frombuffer(memoryview(plane), dtype=np.uint8)
        arr = buf.reshape(plane.height, plane.line_size)[:, : plane.width]
    else:
        arr = vf.to_ndarray(format="gray")
    if scale < 1.0:
        import cv2

        size = (max(2, round(arr.shape[1] * scale)), max(2, round(arr.shape[0] * scale)))
        return np.asarray(cv2.resize(arr, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return np.ascontiguousarray(arr)


class VideoReader:
    """Opens and validates a video file; iterate ``frames()`` once."""

    def __init__(self, path: Path, settings: LivenessSettings) -> None:
        import av

        self.path = path
        self.settings = settings
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise BadInput(ErrorCode.FILE_NOT_FOUND, f"{path} does not exist") from exc
        if size == 0:
            raise BadInput(ErrorCode.EMPTY_FILE, f"{path} is empty (0 bytes)")
        if size > settings.max_video_bytes:
            raise BadInput(
                ErrorCode.VIDEO_TOO_LARGE,
                f"{path} is {size / 1e6:.1f} MB; the limit is "
                f"{settings.max_video_bytes / 1e6:.0f} MB",
            )
        with path.open("rb") as fh:
            kind = sniff_container(fh.read(16))
        if kind is None:
            raise BadInput(ErrorCode.UNSUPPORTED_FORMAT, f"{path} is not an MP4, MOV or WebM video")
        try:
            self._container = av.open(str(path), mode="r")
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise BadInput(
                ErrorCode.CORRUPT_VIDEO, f"{path} cannot be opened (truncated?): {exc}"
            ) from exc
        if not self._container.streams.video:
            self._container.close()
            raise BadInput(ErrorCode.NO_VIDEO_STREAM, f"{path} has no video stream")
        stream = self._container.streams.video[0]
        self._stream = stream
        codec = stream.codec_context.name
        if codec not in ACCEPTED_CODECS:
            self._container.close()
            raise BadInput(
                ErrorCode.UNSUPPORTED_FORMAT,
                f"{path}: video codec {codec} is not H.264, HEVC, VP8, VP9 or AV1",
            )
        w, h = stream.codec_context.width, stream.codec_context.height
        if w * h > settings.max_video_pixels or max(w, h) > settings.max_video_side:
            self._container.close()
            raise BadInput(
                ErrorCode.VIDEO_TOO_LARGE,
                f"{path} is {w}x{h}; the limit is {settings.max_video_pixels / 1e6:.1f} "
                f"megapixels and {settings.max_video_side} px a side",
            )
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration is not None:
            duration = self._container.duration / 1e6
        if duration is not None and duration > settings.max_duration_s + 0.5:
            self._container.close()
            raise BadInput(
                ErrorCode.VIDEO_TOO_LONG,
                f"{path} lasts {duration:.1f} s; the limit is {settings.max_duration_s:.0f} s",
            )
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = settings.threads
        self.info = VideoInfo(kind, codec, w, h, duration, 0)

    def frames(self, prefetch: int = 0) -> Iterator[Frame]:
        """Decoded frames in presentation order, upright, with their timestamps (s).

        With ``prefetch`` > 0 a background thread decodes up to that many frames ahead
        (PyAV releases the GIL while decoding, so decoding overlaps the caller's work on a
        second core); errors still surface here, in order.

        Raises CORRUPT_VIDEO on a decoding error or when the stream ends far before its
        declared duration (a truncated file), VIDEO_TOO_SHORT for 0 frames or a clip
        shorter than ``min_duration_s``, VIDEO_TOO_LONG past ``max_duration_s``."""
        if prefetch <= 0:
            yield from self._decode()
            return
        yield from _prefetched(self._decode(), prefetch)

    def _decode(self) -> Iterator[Frame]:
        import av

        s = self.settings
        w0, h0 = self.info.width, self.info.height
        scale = min(1.0, s.work_short_side / max(1, min(w0, h0)))
        first: float | None = None
        last_t = 0.0
        count = 0
        turns: int | None = None
        try:
            for vf in self._container.decode(self._stream):
                if vf.time is None:
                    continue
                if first is None:
                    first = float(vf.time)
                t = float(vf.time) - first
                if t > s.max_duration_s + 0.5:
                    raise BadInput(
                        ErrorCode.VIDEO_TOO_LONG,
                        f"{self.path} runs past {s.max_duration_s:.0f} s",
                    )
                if turns is None:
                    turns = display_turns(vf, self.path)
                    if turns % 2:
                        self.info = VideoInfo(
                            self.info.container,
                            self.info.codec,
                            self.info.height,
                            self.info.width,
                            self.info.duration_s,
                            turns,
                        )
                    else:
                        self.info = VideoInfo(
                            self.info.container,
                            self.info.codec,
                            self.info.width,
                            self.info.height,
                            self.info.duration_s,
                            turns,
                        )
                count += 1
                last_t = t
                yield Frame(t, upright(_gray(vf, scale), turns), vf, scale)
        except av.FFmpegError as exc:
            raise BadInput(
                ErrorCode.CORRUPT_VIDEO, f"{self.path} cannot be decoded: {exc}"
            ) from exc
        finally:
            self._container.close()
        if count == 0:
            raise BadInput(ErrorCode.VIDEO_TOO_SHORT, f"{self.path} has no video frames")
        declared = self.info.duration_s
        if declared is not None and declared > 1.0 and last_t < 0.6 * declared - 0.5:
            raise BadInput(
                ErrorCode.CORRUPT_VIDEO,
                f"{self.path} ends at {last_t:.1f} s of a declared {declared:.1f} s (truncated)",
            )
        if last_t + 1e-6 < s.min_duration_s - 0.1 or count < 2:
            raise BadInput(
                ErrorCode.VIDEO_TOO_SHORT,
                f"{self.path} lasts {last_t:.2f} s; at least {s.min_duration_s:.1f} s needed",
            )


def probe_video(path: Path, settings: LivenessSettings, max_frames: int) -> VideoInfo:
    """Check an uploaded video before it is queued: what ``VideoReader`` checks on opening
    (container sniffed, a video stream, the codec, the resolution, the declared duration),
    plus the declared frame count (VIDEO_TOO_LONG beyond ``max_frames``), a declared
    duration below the minimum (VIDEO_TOO_SHORT), and a first frame that decodes with valid
    rotation metadata (CORRUPT_VIDEO, VIDEO_ROTATION_INVALID). Decodes one frame only."""
    import av

    reader = VideoReader(path, settings)
    container, stream = reader._container, reader._stream
    try:
        declared = int(stream.frames or 0)
        if declared > max_frames:
            raise BadInput(
                ErrorCode.VIDEO_TOO_LONG,
                f"{path} declares {declared} frames; the limit is {max_frames}",
            )
        duration = reader.info.duration_s
        if duration is not None and duration < settings.min_duration_s - 0.1:
            raise BadInput(
                ErrorCode.VIDEO_TOO_SHORT,
                f"{path} lasts {duration:.2f} s; at least {settings.min_duration_s:.1f} s needed",
            )
        turns: int | None = None
        for vf in container.decode(stream):
            turns = display_turns(vf, path)
            break
        if turns is None:
            raise BadInput(ErrorCode.VIDEO_TOO_SHORT, f"{path} has no video frames")
    except av.FFmpegError as exc:
        raise BadInput(ErrorCode.CORRUPT_VIDEO, f"{path} cannot be decoded: {exc}") from exc
    finally:
        container.close()
    info = reader.info
    if turns % 2:
        return VideoInfo(info.container, info.codec, info.height, info.width, duration, turns)
    return VideoInfo(info.container, info.codec, info.width, info.height, duration, turns)


_DONE = object()


def _prefetched(source: Iterator[Frame], depth: int) -> Iterator[Frame]:
    """Run ``source`` in a daemon thread, ``depth`` items ahead; re-raise its exception
    in the consumer. Stopping early (the consumer breaks off) lets the thread finish."""
    import queue
    import threading

    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=run, name="video-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Frame)
            yield item
    finally:
        stop.set()
        worker.join(timeout=5.0)
