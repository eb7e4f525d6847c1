"""Contact sheets for labelling the genuine clips by eye (tests/data/liveness_labels.json).

    uv run python scripts/label_sheets.py CLIP.mp4 [...] --out DIR [--fps 15] [--rows 10]

For each clip, PNG sheets of one row per second of video: 15 (``--fps``) frames a second,
each shown as three crops - both eyes (top strip), the mouth (middle strip) and the whole
face (bottom strip) - and a timestamp at the start of each row. Frames are sampled by
timestamp, not by frame index, so variable frame rates keep their true times.

The crops sit on the face box of the HOG detector, smoothed over +/-0.3 s (median), so
they do not follow the eyelids or lips: a blink shows as the eye strip going dark, a
mouth opening as the mouth strip opening, a head turn as the face moving in its tile.
The labels are what the frames show, read off these sheets; the product's signals are not
used to make them. A plot of the product's signal series (eye, mouth, yaw) is drawn as
a separate PNG only to find frames worth a second look.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from kyc.config import get_settings
from kyc.liveness.engine import get_engine

BGR = npt.NDArray[Any]


def sample_frames(path: Path, fps: float, max_s: float) -> tuple[list[float], list[BGR]]:
    """For each k/fps, the decoded frame nearest to it by timestamp (a frame may serve
    two slots at a low frame rate); frames are scaled to at most 540 px short side."""
    times: list[float] = []
    frames: list[BGR] = []
    k = 0
    prev: tuple[float, BGR] | None = None
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        first = None
        for f in c.decode(stream):
            if f.time is None:
                continue
            first = f.time if first is None else first
            t = float(f.time - first)
            if t > max_s:
                break
            img: BGR = f.to_ndarray(format="bgr24")
            s = min(1.0, 540.0 / min(img.shape[:2]))
            if s < 1.0:
                img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            while k / fps <= t:
                target = k / fps
                if prev is not None and abs(prev[0] - target) < abs(t - target):
                    times.append(target)
                    frames.append(prev[1])
                else:
                    times.append(target)
                    frames.append(img)
                k += 1
            prev = (t, img)
    return times, frames


def face_points(frames: list[BGR]) -> list[npt.NDArray[np.float64] | None]:
    """68 landmarks per frame (full-frame HOG detection, upsampled for small faces)."""
    engine = get_engine(get_settings().models_dir)
    out: list[npt.NDArray[np.float64] | None] = []
    for img in frames:
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        scale = min(1.0, 480.0 / min(gray.shape[:2]))
        small = cv2.resize(gray, None, fx=scale, fy=scale) if scale < 1 else gray
        boxes = engine.detect(np.asarray(small, np.uint8), 1 if min(small.shape) < 400 else 0)
        if not boxes:
            out.append(None)
            continue
        b = boxes[0].scaled(1.0 / scale)
        out.append(engine.landmarks(np.ascontiguousarray(gray), b))
    return out


def smoothed_boxes(
    times: list[float], pts: list[npt.NDArray[np.float64] | None], idx: list[int], half_s: float
) -> list[tuple[float, float, float, float] | None]:
    """Median over +/-half_s of the bounding box of landmarks ``idx`` (x0, y0, x1, y1)."""
    raw = [None if p is None else (*p[idx].min(axis=0), *p[idx].max(axis=0)) for p in pts]
    out: list[tuple[float, float, float, float] | None] = []
    for t in times:
        near = [r for j, r in enumerate(raw) if r is not None and abs(times[j] - t) <= half_s]
        if not near:
            out.append(None)
            continue
        m = np.median(np.array(near), axis=0)
        out.append((float(m[0]), float(m[1]), float(m[2]), float(m[3])))
    return out


def crop(
    img: BGR,
    box: tuple[float, float, float, float] | None,
    pad: tuple[float, float],
    size: tuple[int, int],
) -> BGR:
    tw, th = size
    if box is None:
        return np.full((th, tw, 3), 40, np.uint8)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = (x1 - x0) * (1 + pad[0])
    h = max((y1 - y0) * (1 + pad[1]), w * th / tw)
    w = max(w, h * tw / th)
    src = np.array(
        [[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx - w / 2, cy + h / 2]], np.float32
    )
    dst = np.array([[0, 0], [tw, 0], [0, th]], np.float32)
    m = cv2.getAffineTransform(src, dst)
    return np.asarray(
        cv2.warpAffine(img, m, (tw, th), flags=cv2.INTER_AREA, borderValue=(40, 40, 40)), np.uint8
    )


def sheets(
    path: Path,
    out: Path,
    fps: float,
    rows: int,
    max_s: float,
    tw: int = 96,
    per_row: int = 0,
    t0: float = 0.0,
    t1: float = 1e9,
    face: bool = True,
    one_eye: bool = False,
    smooth_s: float = 0.3,
) -> list[Path]:
    times, frames = sample_frames(path, fps, min(max_s, t1))
    keep = [i for i, t in enumerate(times) if t >= t0 - 1e-6]
    times, frames = [times[i] for i in keep], [frames[i] for i in keep]
    pts = face_points(frames)
    eyes = smoothed_boxes(times, pts, list(range(36, 42 if one_eye else 48)), smooth_s)
    mouth = smoothed_boxes(times, pts, list(range(48, 68)), smooth_s)
    whole = smoothed_boxes(times, pts, list(range(0, 68)), smooth_s)
    per_row = per_row or int(round(fps))
    eh, mh, fh = tw // 3, tw * 5 // 12, tw if face else 0
    if one_eye:  # one eye (the one on the image's left), large; no mouth, no face
        eh, mh, fh = tw // 2, 0, 0
    label_w = 64
    n_rows = math.ceil(len(times) / per_row)
    written: list[Path] = []
    tag = "" if t0 <= 0 and t1 >= 1e9 else f"_{t0:g}-{min(t1, times[-1]):g}"
    for page in range(0, max(n_rows, 1), rows):
        strips = []
        for r in range(page, min(page + rows, n_rows)):
            row = np.full((eh + mh + fh + 10, label_w + per_row * tw, 3), 255, np.uint8)
            cv2.putText(
                row,
                f"{times[r * per_row]:.2f}",
                (2, min(30, eh - 4)),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.55,
                (0, 0, 0),
                2,
            )
            for k in range(per_row):
                i = r * per_row + k
                if i >= len(times):
                    continue
                x = label_w + k * tw
                pad = (0.7, 2.0) if one_eye else (0.5, 1.6)
                row[0:eh, x : x + tw - 2] = crop(frames[i], eyes[i], pad, (tw - 2, eh))
                if mh:
                    row[eh : eh + mh, x : x + tw - 2] = crop(
                        frames[i], mouth[i], (0.6, 1.2), (tw - 2, mh)
                    )
                if fh:
                    row[eh + mh : eh + mh + fh, x : x + tw - 2] = crop(
                        frames[i], whole[i], (0.3, 0.5), (tw - 2, fh)
                    )
            strips.append(row)
        img = np.vstack(strips)
        p = out / f"{path.stem}{tag}_{page // rows}.png"
        cv2.imwrite(str(p), img)
        written.append(p)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--rows", type=int, default=10)
    ap.add_argument("--max-s", type=float, default=30.0)
    ap.add_argument("--tile", type=int, default=96, help="tile width, px")
    ap.add_argument("--per-row", type=int, default=0, help="tiles a row (default: fps)")
    ap.add_argument("--from", dest="t0", type=float, default=0.0, help="start, s")
    ap.add_argument("--to", dest="t1", type=float, default=1e9, help="end, s")
    ap.add_argument("--no-face", action="store_true", help="eyes and mouth strips only")
    ap.add_argument("--smooth", type=float, default=0.3, help="crop smoothing, +/- s")
    ap.add_argument("--one-eye", action="store_true", help="one eye only, large (blinks)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for clip in args.clips:
        for p in sheets(
            clip,
            args.out,
            args.fps,
            args.rows,
            args.max_s,
            args.tile,
            args.per_row,
            args.t0,
            args.t1,
            not args.no_face,
            args.one_eye,
            args.smooth,
        ):
            print(p)


if __name__ == "__main__":
    main()
