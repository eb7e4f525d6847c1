"""Watermarks and stamps printed OVER a document's text, with the share of each field's
box they cover.

- a watermark: a text ("仅供网站备案使用", "复印无效", "与原件一致" …) repeated in diagonal
  rows across the whole document, semi-transparent grey, red or blue;
- a stamp: a red round company seal (name around the ring, a star) or a rectangular
  "复印无效" stamp, centred on or near a field.

Ink is laid down by multiplication (as ink on paper: dark print under it stays dark).
The coverage of a field is the share of its box under the overprint's ink dilated by a
few pixels (where a reader sees foreign strokes), so a thin watermark over a field
counts only where its strokes are.
"""

from __future__ import annotations

import math
from random import Random
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from kyc.synth.fonts import face
from kyc.synth.render import Box, draw_seal, draw_text, text_width

WATERMARK_COLOURS = ((110, 110, 110), (200, 60, 60), (70, 100, 170), (150, 150, 150))


def _apply(img: Image.Image, alpha: np.ndarray, colour: tuple[int, int, int]) -> None:
    """Multiply ``colour`` into ``img`` (RGBA, in place) with per-pixel ``alpha`` (0..1)."""
    arr = np.asarray(img).astype(np.float32)
    tint = np.array(colour, np.float32) / 255.0
    a = alpha[..., None]
    arr[..., :3] *= 1 - a + a * tint
    img.paste(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGBA"))


def coverage(alpha: np.ndarray, boxes: dict[str, Box], dilate: int = 3) -> dict[str, float]:
    """Share of each box under the ink of ``alpha`` (> 0.1), dilated by ``dilate`` px."""
    ink = (alpha > 0.1).astype(np.uint8)
    if dilate > 0:
        ink = np.asarray(cv2.dilate(ink, np.ones((2 * dilate + 1, 2 * dilate + 1), np.uint8)))
    out: dict[str, float] = {}
    h, w = ink.shape
    for k, (x0, y0, x1, y1) in boxes.items():
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        share = float(ink[y0:y1, x0:x1].mean())
        if share > 0:
            out[k] = round(share, 3)
    return out


def watermark(
    img: Image.Image, rng: Random, text: str, family: str, boxes: dict[str, Box]
) -> dict[str, Any]:
    """Repeat ``text`` in diagonal rows over the whole document (in place)."""
    w, h = img.size
    size = max(18, round(min(w, h) * rng.uniform(0.035, 0.07)))
    f = face(family, size)
    diag = math.ceil(math.hypot(w, h))
    layer = Image.new("L", (diag, diag), 0)
    d = ImageDraw.Draw(layer)
    unit = text + "　" * rng.randint(2, 4)
    step_y = size * rng.uniform(2.2, 4.0)
    y = size * 1.0
    row = 0
    while y < diag:
        x = -text_width(unit, f) * ((row * 0.37) % 1)
        while x < diag:
            draw_text(d, (x, y), unit, f, 255)  # type: ignore[arg-type]
            x += text_width(unit, f)
        y += step_y
        row += 1
    angle = rng.choice((-1, 1)) * rng.uniform(20, 45)
    layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR)
    left, top = (diag - w) // 2, (diag - h) // 2
    mask = np.asarray(layer.crop((left, top, left + w, top + h)), np.float32) / 255.0
    strength = rng.uniform(0.25, 0.55)
    colour = rng.choice(WATERMARK_COLOURS)
    alpha = mask * strength
    doc_alpha = np.asarray(img.getchannel("A"), np.float32) / 255.0
    alpha *= doc_alpha
    _apply(img, alpha, colour)
    return {
        "kind": "watermark",
        "text": text,
        "angle": round(angle, 1),
        "opacity": round(strength, 2),
        "colour": list(colour),
        "covered": coverage(alpha, boxes),
    }


def stamp(
    img: Image.Image,
    rng: Random,
    boxes: dict[str, Box],
    *,
    seal_text: str,
    stamp_text: str,
    family: str,
    target: str | None,
) -> dict[str, Any]:
    """A red round seal (``seal_text`` around its ring) or a rectangular ``stamp_text``
    stamp, centred near the box of field ``target`` (or anywhere), in place."""
    w, h = img.size
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    if target is not None and target in boxes:
        x0, y0, x1, y1 = boxes[target]
        cx = rng.uniform(x0, x1)
        cy = (y0 + y1) / 2 + rng.uniform(-0.6, 0.6) * (y1 - y0)
    else:
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    round_seal = rng.random() < 0.55
    colour = (rng.randint(190, 225), rng.randint(20, 60), rng.randint(20, 60))
    if round_seal:
        radius = min(w, h) * rng.uniform(0.13, 0.2)
        draw_seal(layer, (cx, cy), radius, seal_text, rng, family, colour)
        kind = "seal"
    else:
        f = face(family, max(18, round(min(w, h) * rng.uniform(0.05, 0.08))))
        tw = text_width(stamp_text, f, 6)
        sw, sh = round(tw + f.size), round(f.size * 1.7)
        box = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
        bd = ImageDraw.Draw(box)
        bd.rectangle((2, 2, sw - 3, sh - 3), outline=(*colour, 255), width=max(3, f.size // 10))
        draw_text(bd, (f.size / 2, sh * 0.5 + f.size * 0.38), stamp_text, f, colour, tracking=6)
        box = box.rotate(rng.uniform(-25, 25), expand=True, resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(box, (round(cx - box.width / 2), round(cy - box.height / 2)))
        kind = "stamp"
    a = np.asarray(layer.getchannel("A"), np.float32) / 255.0
    # stamp ink is uneven: a soft random texture thins it in places
    nrng = np.random.default_rng(rng.randrange(2**32))
    tex = cv2.resize(
        nrng.uniform(0.55, 1.0, (max(2, h // 16), max(2, w // 16))).astype(np.float32),
        (w, h),
        interpolation=cv2.INTER_LINEAR,
    )
    alpha = a * tex * rng.uniform(0.7, 0.95)
    alpha *= np.asarray(img.getchannel("A"), np.float32) / 255.0
    _apply(img, alpha, colour)
    return {
        "kind": kind,
        "text": seal_text if round_seal else stamp_text,
        "target": target,
        "covered": coverage(alpha, boxes),
    }
