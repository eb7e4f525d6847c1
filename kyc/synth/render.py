"""Render synthetic PRC resident ID cards and business licenses with Pillow.

Each renderer returns a :class:`Rendered`: an RGB image of the flat document (an alpha
channel marks the card's rounded corners) and, for every ground-truth field, the box of
its printed value in document coordinates. Layouts follow the real documents: the
second-generation ID card (85.6 x 54 mm, drawn at 10 px/mm) and the 2016+ business
license (营业执照, horizontal and vertical).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from random import Random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kyc.synth.identity import Company, Person

Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]

CARD_SIZE = (856, 540)
LICENSE_H_SIZE = (1600, 1130)
LICENSE_V_SIZE = (1130, 1600)
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi

INK: RGB = (24, 24, 28)
CARD_LABEL: RGB = (46, 112, 176)
SEAL_RED: RGB = (214, 38, 36)
PORTRAIT_BOX: Box = (548, 62, 806, 380)


# ---------------------------------------------------------------------------------------
# Shared data and fonts
# ---------------------------------------------------------------------------------------


def shared_dir() -> Path:
    """``<repo>/../shared`` (the repository's sibling), where test data lives."""
    return Path(__file__).resolve().parents[3] / "shared"


@cache
def _font_path(kind: str) -> str:
    import pylopdf_fonts_zh_cn

    name = {"sans": "NotoSansSC-Regular.otf", "serif": "NotoSerifSC-Regular.otf"}[kind]
    return str(Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / name)


@lru_cache(maxsize=256)
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(kind), size)


@dataclass(frozen=True)
class Rendered:
    image: Image.Image  # RGBA, alpha 0 outside the document (rounded card corners)
    boxes: dict[str, Box]  # field -> value box, document coordinates
    fields: dict[str, str]
    document_type: str
    extra: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def draw_text(
    d: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    f: ImageFont.FreeTypeFont,
    fill: RGB,
    tracking: float = 0.0,
    stroke: int = 0,
) -> Box:
    """Draw ``text`` with its baseline-left at ``xy``; extra ``tracking`` px between
    characters. Returns the ink box."""
    x, y = xy
    boxes: list[Box] = []
    if tracking == 0.0:
        d.text((x, y), text, font=f, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill)
        b = d.textbbox((x, y), text, font=f, anchor="ls", stroke_width=stroke)
        return (int(b[0]), int(b[1]), math.ceil(b[2]), math.ceil(b[3]))
    for ch in text:
        d.text((x, y), ch, font=f, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill)
        if not ch.isspace():
            b = d.textbbox((x, y), ch, font=f, anchor="ls", stroke_width=stroke)
            boxes.append((int(b[0]), int(b[1]), math.ceil(b[2]), math.ceil(b[3])))
        x += f.getlength(ch) + tracking
    return _union(boxes) if boxes else (int(xy[0]), int(y) - 1, int(xy[0]) + 1, int(y))


def text_width(text: str, f: ImageFont.FreeTypeFont, tracking: float = 0.0) -> float:
    return sum(f.getlength(ch) for ch in text) + tracking * max(0, len(text) - 1)


def wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (CJK: any character)."""
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and f.getlength(cur + ch) > max_width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def draw_spread(
    d: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    f: ImageFont.FreeTypeFont,
    width: float,
    fill: RGB,
) -> Box:
    """Draw a label with its characters spread evenly over ``width`` (名　　称)."""
    if len(text) < 2:
        return draw_text(d, (x, y), text, f, fill)
    gap = (width - sum(f.getlength(c) for c in text)) / (len(text) - 1)
    return draw_text(d, (x, y), text, f, fill, tracking=max(0.0, gap))


# ---------------------------------------------------------------------------------------
# Decorations
# ---------------------------------------------------------------------------------------


def _star(cx: float, cy: float, r: float, rot: float = -math.pi / 2) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = rot + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def draw_emblem(img: Image.Image, box: Box, mono: bool = False) -> None:
    """A stylised national emblem: red disc, golden stars, gate, ear-of-grain ring."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = min(x1 - x0, y1 - y0) / 2
    red = (120, 120, 120) if mono else (200, 30, 30)
    gold = (200, 200, 200) if mono else (235, 190, 60)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    d.ellipse((cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8), fill=red)
    for i in range(24):  # grain ring
        a = i * 2 * math.pi / 24
        px, py = cx + r * 0.9 * math.cos(a), cy + r * 0.9 * math.sin(a)
        d.ellipse((px - r * 0.08, py - r * 0.05, px + r * 0.08, py + r * 0.05), fill=red)
    d.polygon(_star(cx - r * 0.25, cy - r * 0.35, r * 0.2), fill=gold)
    for k in range(4):
        a = -1.2 + k * 0.55
        d.polygon(
            _star(
                cx - r * 0.25 + r * 0.45 * math.cos(a),
                cy - r * 0.35 + r * 0.45 * math.sin(a),
                r * 0.07,
            ),
            fill=gold,
        )
    d.rectangle((cx - r * 0.45, cy + r * 0.1, cx + r * 0.45, cy + r * 0.35), fill=gold)  # gate
    d.rectangle((cx - r * 0.55, cy + r * 0.4, cx + r * 0.55, cy + r * 0.5), fill=gold)


def _guilloche(size: tuple[int, int], rng: Random, base: RGB, ink: RGB, n: int) -> Image.Image:
    """A soft gradient with fine wavy security lines (computed at half size, upsampled)."""
    w, h = size
    sw, sh = w // 2, h // 2
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * 2
    t = (xx / w * 0.6 + yy / h * 0.4)[..., None]
    tint = np.array([rng.uniform(-8, 8) for _ in range(3)], np.float32)
    img = np.array(base, np.float32) + t * tint
    pattern = np.zeros((sh, sw), np.float32)
    for _ in range(n):
        fx, fy = rng.uniform(0.01, 0.05), rng.uniform(0.01, 0.05)
        ph = rng.uniform(0, 2 * math.pi)
        amp = rng.uniform(10, 40)
        wave = np.sin(xx * fx + np.sin(yy * fy + ph) * amp * 0.05 + yy * rng.uniform(0.002, 0.02))
        pattern += np.clip(1 - np.abs(wave) / 0.08, 0, 1)
    pattern = np.clip(pattern, 0, 1) * rng.uniform(0.12, 0.25)
    img = img * (1 - pattern[..., None]) + np.array(ink, np.float32) * pattern[..., None]
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    return small.resize(size, Image.Resampling.BILINEAR)


def _rounded_alpha(size: tuple[int, int], radius: int) -> Image.Image:
    a = Image.new("L", size, 0)
    ImageDraw.Draw(a).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=radius, fill=255)
    return a


# ---------------------------------------------------------------------------------------
# Portraits
# ---------------------------------------------------------------------------------------

_PORTRAIT_SKIP = {"multi", "partial"}


def portrait_sources() -> list[Path]:
    root = shared_dir() / "data" / "faces"
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.glob("*/*")
        if p.suffix.lower() in {".jpg", ".jpeg", ".png"} and p.parent.name not in _PORTRAIT_SKIP
    )


@lru_cache(maxsize=1)
def _hog_detector() -> object | None:
    try:
        import dlib
    except Exception:  # pragma: no cover - dlib is a dependency; fall back if broken
        return None
    det: object = dlib.get_frontal_face_detector()
    return det


@lru_cache(maxsize=64)
def _face_box(path: str) -> tuple[int, int, int, int] | None:
    """(top, right, bottom, left) of the largest face, or None (dlib HOG, cached)."""
    det = _hog_detector()
    if det is None:  # pragma: no cover
        return None
    im = Image.open(path).convert("RGB")
    scale = min(1.0, 400 / max(im.size))
    small = im.resize((round(im.width * scale), round(im.height * scale)))
    rects = det(np.asarray(small), 1)  # type: ignore[operator]
    if not rects:
        return None
    r = max(rects, key=lambda q: q.width() * q.height())
    return (
        round(r.top() / scale),
        round(r.right() / scale),
        round(r.bottom() / scale),
        round(r.left() / scale),
    )


def make_portrait(path: Path | None, size: tuple[int, int], rng: Random, bg: RGB) -> Image.Image:
    """Head-and-shoulders crop around the face, on a light background (RGBA)."""
    w, h = size
    if path is None:
        img = Image.new("RGBA", size, (*bg, 0))
        d = ImageDraw.Draw(img)
        tone = (rng.randint(60, 120),) * 3
        d.ellipse((w * 0.28, h * 0.12, w * 0.72, h * 0.62), fill=(*tone, 255))
        d.ellipse((w * 0.05, h * 0.62, w * 0.95, h * 1.3), fill=(*tone, 255))
        return img
    base, fg = _portrait_cutout(str(path))
    bw, bh = base.size
    # a random sub-window: head size and position vary a little from card to card
    k = rng.uniform(0.84, 0.95)
    cw, ch = bw * k, bh * k
    x0 = (bw - cw) / 2 + rng.uniform(-0.04, 0.04) * bw
    y0 = rng.uniform(0.0, bh - ch)
    box = (round(x0), round(y0), round(x0 + cw), round(y0 + ch))
    crop = base.crop(box).resize(size, Image.Resampling.LANCZOS)
    mask = fg.crop(box).resize(size, Image.Resampling.BILINEAR)
    mask = mask.filter(ImageFilter.GaussianBlur(1.5))
    light = Image.new("RGB", size, _lighter(bg, rng))
    out = Image.composite(crop, light, mask).convert("RGBA")
    # soft edge so the portrait blends into the card
    edge = Image.new("L", size, 0)
    ImageDraw.Draw(edge).rectangle((3, 3, w - 4, h - 4), fill=255)
    out.putalpha(edge.filter(ImageFilter.GaussianBlur(3)))
    return out


def _lighter(c: RGB, rng: Random) -> RGB:
    v = rng.uniform(0.3, 0.7)
    return (
        round(c[0] + (255 - c[0]) * v),
        round(c[1] + (255 - c[1]) * v),
        round(c[2] + (255 - c[2]) * v),
    )


PORTRAIT_ASPECT = (PORTRAIT_BOX[2] - PORTRAIT_BOX[0]) / (PORTRAIT_BOX[3] - PORTRAIT_BOX[1])


@lru_cache(maxsize=64)
def _portrait_cutout(path: str) -> tuple[Image.Image, Image.Image]:
    """A head-and-shoulders crop around the face (about 300 px tall) and its foreground
    mask from GrabCut seeded with the face box (cached per source photo)."""
    import cv2

    src = Image.open(path).convert("RGB")
    fb = _face_box(path)
    if fb is None:
        t, r, b, le = src.height * 0.15, src.width * 0.7, src.height * 0.5, src.width * 0.3
    else:
        t, r, b, le = fb
    fw, fh = r - le, b - t
    ch = fh * 2.75
    cw = ch * PORTRAIT_ASPECT
    cx, top = (le + r) / 2, t - fh * 0.75
    crop = src.crop((round(cx - cw / 2), round(top), round(cx + cw / 2), round(top + ch)))
    crop = crop.resize((round(300 * PORTRAIT_ASPECT), 300), Image.Resampling.LANCZOS)
    w, h = crop.size
    # seeds, in crop coordinates: face = certain foreground, head/shoulders = probable
    s = h / ch
    fx0, fy0 = (le - (cx - cw / 2)) * s, (t - top) * s
    fx1, fy1 = fx0 + fw * s, fy0 + fh * s
    seed = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    m = Image.new("L", (w, h), 0)
    md = ImageDraw.Draw(m)
    md.ellipse(
        (fx0 - fw * s * 0.35, fy0 - fh * s * 0.7, fx1 + fw * s * 0.35, fy1 + fh * s * 0.3), fill=1
    )
    md.rectangle((fx0 - fw * s * 0.6, fy1 + fh * s * 0.45, fx1 + fw * s * 0.6, h), fill=1)
    seed[np.asarray(m) == 1] = cv2.GC_PR_FGD
    seed[
        round(fy0 + fh * s * 0.15) : round(fy1),
        round(fx0 + fw * s * 0.15) : round(fx1 - fw * s * 0.15),
    ] = cv2.GC_FGD
    seed[: max(2, round(fy0 - fh * s * 0.75)), :] = cv2.GC_BGD
    seed[:, :3] = seed[:, -3:] = cv2.GC_BGD
    img = np.ascontiguousarray(np.asarray(crop)[..., ::-1])
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means uses OpenCV's global RNG: make it repeatable
    try:
        cv2.grabCut(img, seed, (0, 0, 1, 1), bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
        fg = np.where((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    except cv2.error:  # pragma: no cover - degenerate seeds
        fg = np.asarray(m, np.uint8) * 255
    return crop, Image.fromarray(fg, "L")


# ---------------------------------------------------------------------------------------
# ID card
# ---------------------------------------------------------------------------------------


def _card_base(rng: Random) -> Image.Image:
    base: RGB = (rng.randint(236, 246), rng.randint(238, 246), rng.randint(232, 242))
    ink: RGB = (rng.randint(150, 190), rng.randint(170, 200), rng.randint(190, 220))
    img = _guilloche(CARD_SIZE, rng, base, ink, n=7).convert("RGBA")
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    return img


def render_id_front(person: Person, rng: Random, portrait: Path | None = None) -> Rendered:
    img = _card_base(rng)
    d = ImageDraw.Draw(img)
    lab = font("sans", 25)
    val = font("sans", 33)
    num = font("sans", 39)
    boxes: dict[str, Box] = {}
    lx, vx = 68, 168
    jitter = rng.randint(-3, 3)
    label_fill: RGB = (
        CARD_LABEL[0] + rng.randint(-10, 10),
        CARD_LABEL[1] + rng.randint(-10, 10),
        CARD_LABEL[2] + rng.randint(-10, 10),
    )
    rows = [100 + jitter, 170 + jitter, 240 + jitter, 310 + jitter]
    draw_spread(d, lx, rows[0], "姓名", lab, 54, label_fill)
    boxes["name"] = draw_text(d, (vx, rows[0]), person.name, val, INK, stroke=1)
    draw_spread(d, lx, rows[1], "性别", lab, 54, label_fill)
    boxes["sex"] = draw_text(d, (vx, rows[1]), person.sex, val, INK)
    draw_spread(d, 290, rows[1], "民族", lab, 54, label_fill)
    boxes["ethnicity"] = draw_text(d, (370, rows[1]), person.ethnicity, val, INK)
    draw_spread(d, lx, rows[2], "出生", lab, 54, label_fill)
    b = person.birth_date
    x = float(vx)
    parts: list[Box] = []
    for value, unit in ((f"{b.year}", "年"), (f"{b.month}", "月"), (f"{b.day}", "日")):
        parts.append(draw_text(d, (x, rows[2]), value, val, INK))
        x += val.getlength(value) + 12
        draw_text(d, (x, rows[2]), unit, lab, label_fill)
        x += lab.getlength(unit) + 16 + (val.getlength("0") if len(value) == 1 else 0)
    boxes["birth_date"] = _union(parts)
    draw_spread(d, lx, rows[3], "住址", lab, 54, label_fill)
    lines = wrap(person.address, val, 355)
    if len(lines) > 3:  # shrink the font until the address fits three lines
        for size in range(32, 22, -1):
            f2 = font("sans", size)
            lines = wrap(person.address, f2, 355)
            if len(lines) <= 3:
                val = f2
                break
    addr_boxes = [
        draw_text(d, (vx, rows[3] + i * round(val.size * 1.3)), line, val, INK)
        for i, line in enumerate(lines)
    ]
    boxes["address"] = _union(addr_boxes)
    draw_text(d, (lx, 470), "公民身份号码", lab, label_fill, tracking=1)
    boxes["id_number"] = draw_text(d, (262, 472), person.id_number, num, INK, tracking=3.5)
    if person.temporary:
        draw_text(d, (lx, 46), "临时居民身份证", font("sans", 22), label_fill, tracking=2)
    src = portrait
    if src is None:
        pool = portrait_sources()
        src = rng.choice(pool) if pool else None
    pw, ph = PORTRAIT_BOX[2] - PORTRAIT_BOX[0], PORTRAIT_BOX[3] - PORTRAIT_BOX[1]
    bgc = img.getpixel((PORTRAIT_BOX[0] + pw // 2, PORTRAIT_BOX[1] + 5))
    assert isinstance(bgc, tuple)
    pimg = make_portrait(src, (pw, ph), rng, (bgc[0], bgc[1], bgc[2]))
    img.alpha_composite(pimg, (PORTRAIT_BOX[0], PORTRAIT_BOX[1]))
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    portrait_src = str(src.relative_to(shared_dir())) if src is not None else None
    return Rendered(
        img,
        boxes,
        person.front_fields(),
        "id_card_front",
        {"portrait_box": PORTRAIT_BOX, "portrait_source": portrait_src},
    )


def _fmt_dot(d: dt.date) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def render_id_back(person: Person, rng: Random) -> Rendered:
    img = _card_base(rng)
    d = ImageDraw.Draw(img)
    draw_emblem(img, (62, 48, 192, 178))
    label_fill = CARD_LABEL
    draw_text(d, (262, 112), "中华人民共和国", font("serif", 46), INK, tracking=9, stroke=1)
    title = "临时居民身份证" if person.temporary else "居民身份证"
    tf = font("serif", 56 if person.temporary else 70)
    draw_text(
        d,
        (232 if person.temporary else 238, 218),
        title,
        tf,
        INK,
        tracking=14 if person.temporary else 22,
        stroke=1,
    )
    lab = font("sans", 25)
    boxes: dict[str, Box] = {}
    draw_text(d, (166, 402), "签发机关", lab, label_fill, tracking=4)
    vx, max_w = 318, CARD_SIZE[0] - 318 - 30
    size = 31
    while size > 18 and font("sans", size).getlength(person.issuing_authority) > max_w:
        size -= 1
    boxes["issuing_authority"] = draw_text(
        d, (vx, 403), person.issuing_authority, font("sans", size), INK
    )
    draw_text(d, (166, 466), "有效期限", lab, label_fill, tracking=4)
    until = "长期" if person.valid_until is None else _fmt_dot(person.valid_until)
    text = f"{_fmt_dot(person.valid_from)}-{until}"
    span = draw_text(d, (vx, 467), text, font("sans", 31), INK, tracking=0.5)
    # valid_from and valid_until share one printed line; both boxes are the whole line's halves
    mid = span[0] + round(font("sans", 31).getlength(_fmt_dot(person.valid_from)))
    boxes["valid_from"] = (span[0], span[1], mid, span[3])
    boxes["valid_until"] = (mid, span[1], span[2], span[3])
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    return Rendered(img, boxes, person.back_fields(), "id_card_back")


def render_id_both(
    front: Rendered, back: Rendered, rng: Random, *, grey: bool = False, stamp: bool = False
) -> Rendered:
    """Both sides on one A4-ish page (the way applicants photocopy them)."""
    w = PAGE_SIZE[0]
    shade = rng.randint(235, 252)
    page = Image.new("RGBA", PAGE_SIZE, (shade, shade, shade, 255))
    scale = rng.uniform(0.78, 0.88)
    cw, ch = round(CARD_SIZE[0] * scale), round(CARD_SIZE[1] * scale)
    x = rng.randint(120, w - cw - 120)
    y1 = rng.randint(160, 360)
    y2 = y1 + ch + rng.randint(120, 320)
    boxes: dict[str, Box] = {}
    quads: dict[str, list[list[int]]] = {}
    back_first = rng.random() < 0.25
    slots = {"front": (front, y2 if back_first else y1), "back": (back, y1 if back_first else y2)}
    for side, (r, yy) in slots.items():
        xx = x + rng.randint(-40, 40)
        page.alpha_composite(r.image.resize((cw, ch), Image.Resampling.LANCZOS), (xx, yy))
        for k, b in r.boxes.items():
            boxes[k] = (
                xx + math.floor(b[0] * scale),
                yy + math.floor(b[1] * scale),
                xx + math.ceil(b[2] * scale),
                yy + math.ceil(b[3] * scale),
            )
        quads[side] = [[xx, yy], [xx + cw, yy], [xx + cw, yy + ch], [xx, yy + ch]]
    if grey:
        page = page.convert("L").convert("RGBA")
    extra: dict[str, object] = {"card_quads": quads, "scale": scale}
    if stamp:
        extra["stamp_box"] = stamp_copy_invalid(page, boxes, rng)
    fields = {**front.fields, **back.fields}
    return Rendered(page, boxes, fields, "id_card_both", {**front.extra, **extra})


# ---------------------------------------------------------------------------------------
# Stamps
# ---------------------------------------------------------------------------------------


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def stamp_copy_invalid(
    img: Image.Image, avoid: dict[str, Box], rng: Random, grey: bool = True
) -> Box | None:
    """A 复印无效 stamp (outlined box, semi-transparent) placed where it covers no field."""
    f = font("serif", max(24, min(60, img.width // rng.randint(16, 22))))
    text = rng.choice(("复印无效", "仅供备案使用", "复印无效"))
    tw = text_width(text, f, 6)
    sw, sh = round(tw + 36), round(f.size * 1.6)
    layer = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    ld = ImageDraw.Draw(layer)
    colour = (60, 60, 60) if grey else (200, 40, 40)
    alpha = rng.randint(120, 190)
    ld.rectangle((2, 2, sw - 3, sh - 3), outline=(*colour, alpha), width=4)
    draw_text(ld, (18, sh * 0.5 + f.size * 0.38), text, f, colour, tracking=6)
    # text drawn opaque above: reapply alpha
    arr = np.asarray(layer).copy()
    arr[..., 3] = np.minimum(arr[..., 3], alpha)
    layer = Image.fromarray(arr, "RGBA").rotate(
        rng.uniform(-20, 20), expand=True, resample=Image.Resampling.BICUBIC
    )
    for _ in range(60):
        x = rng.randint(0, max(0, img.width - layer.width))
        y = rng.randint(0, max(0, img.height - layer.height))
        box = (x, y, x + layer.width, y + layer.height)
        if not any(_overlaps(box, b) for b in avoid.values()):
            img.alpha_composite(layer, (x, y))
            return box
    return None


def draw_seal(
    img: Image.Image, center: tuple[float, float], radius: float, text: str, rng: Random
) -> None:
    """A round red official seal: ring, star, the authority's name along the arc."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = center
    alpha = rng.randint(150, 210)
    col = (*SEAL_RED, alpha)
    d.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        outline=col,
        width=max(3, round(radius * 0.05)),
    )
    d.polygon(_star(cx, cy, radius * 0.28), fill=col)
    f = font("serif", max(12, round(radius * 0.22)))
    n = len(text)
    span = min(math.radians(250), n * math.radians(22))
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        gx, gy = cx + radius * 0.74 * math.cos(a), cy + radius * 0.74 * math.sin(a)
        fs = int(f.size)
        g = Image.new("RGBA", (fs * 2, fs * 2), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((f.size, f.size), ch, font=f, fill=col, anchor="mm")
        g = g.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(g, (round(gx - f.size), round(gy - f.size)))
    img.alpha_composite(layer)


# ---------------------------------------------------------------------------------------
# Business license
# ---------------------------------------------------------------------------------------

LICENSE_LABEL_WIDTH_CHARS = 5  # 法定代表人


def _license_base(size: tuple[int, int], rng: Random) -> Image.Image:
    w, h = size
    base: RGB = (rng.randint(246, 252), rng.randint(240, 248), rng.randint(228, 240))
    img = _guilloche(size, rng, base, (230, 200, 160), n=4).convert("RGBA")
    d = ImageDraw.Draw(img)
    frame: RGB = (rng.randint(150, 190), rng.randint(90, 120), rng.randint(60, 90))
    m = 28
    d.rectangle((m, m, w - m, h - m), outline=frame, width=10)
    d.rectangle((m + 18, m + 18, w - m - 18, h - m - 18), outline=frame, width=3)
    step = 26
    for x in range(m + 30, w - m - 30, step):  # small lozenges along the frame
        for y in (m + 9, h - m - 9):
            d.polygon([(x, y - 5), (x + 6, y), (x, y + 5), (x - 6, y)], fill=(250, 235, 200))
    for y in range(m + 30, h - m - 30, step):
        for x in (m + 9, w - m - 9):
            d.polygon([(x - 5, y), (x, y + 6), (x + 5, y), (x, y - 6)], fill=(250, 235, 200))
    return img


def _qr(rng: Random, n: int = 25, cell: int = 6) -> Image.Image:
    grid = np.array([[rng.random() < 0.5 for _ in range(n)] for _ in range(n)])
    for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
        grid[oy : oy + 7, ox : ox + 7] = False
        grid[oy : oy + 7, ox] = grid[oy : oy + 7, ox + 6] = True
        grid[oy, ox : ox + 7] = grid[oy + 6, ox : ox + 7] = True
        grid[oy + 2 : oy + 5, ox + 2 : ox + 5] = True
    arr = np.where(grid, 20, 255).astype(np.uint8)
    im = Image.fromarray(arr, "L").resize((n * cell, n * cell), Image.Resampling.NEAREST)
    out = Image.new("RGB", (im.width + 2 * cell, im.height + 2 * cell), "white")
    out.paste(im.convert("RGB"), (cell, cell))
    return out


def _date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def render_license(company: Company, rng: Random, orientation: str = "horizontal") -> Rendered:
    horizontal = orientation == "horizontal"
    size = LICENSE_H_SIZE if horizontal else LICENSE_V_SIZE
    w, h = size
    img = _license_base(size, rng)
    d = ImageDraw.Draw(img)
    boxes: dict[str, Box] = {}
    # header: emblem, title, copy mark, credit code (top-left), QR (top-right)
    draw_emblem(img, (w // 2 - 45, 70, w // 2 + 45, 160))
    tf = font("serif", 104 if horizontal else 96)
    title = "营业执照"
    tw = text_width(title, tf, 40)
    title_y = 285 if horizontal else 400
    draw_text(d, ((w - tw) / 2, title_y), title, tf, INK, tracking=40, stroke=2)
    if rng.random() < 0.7:
        cf = font("serif", 34)
        draw_text(d, ((w - text_width("（副本）", cf)) / 2, title_y + 60), "（副本）", cf, INK)
    label_f = font("serif", 28)
    draw_text(d, (100, 180), "统一社会信用代码", label_f, INK, tracking=2)
    boxes["credit_code"] = draw_text(
        d, (100, 228), company.credit_code, font("sans", 34), INK, tracking=2
    )
    qr = _qr(rng)
    qx = w - 100 - qr.width
    img.paste(qr, (qx, 110))
    qf = font("sans", 14)
    for i, line in enumerate(("扫描二维码登录", "国家企业信用", "信息公示系统")):
        draw_text(
            d,
            (qx + (qr.width - text_width(line, qf)) / 2, 110 + qr.height + 22 + i * 19),
            line,
            qf,
            INK,
        )
    lab = font("serif", 30)
    valf = font("sans", 30)
    label_w = lab.size * LICENSE_LABEL_WIDTH_CHARS + 4

    values: list[tuple[str, str, str]] = [
        ("name", "名称", company.name),
        ("company_type", "类型", company.company_type),
        ("legal_representative", company.representative_label, company.legal_representative),
    ]
    right: list[tuple[str, str, str]] = []
    if company.composition is not None:
        right.append(("composition", "组成形式", company.composition))
    if company.registered_capital is not None:
        right.append(("registered_capital", "注册资本", company.registered_capital))
    right.append(
        ("established_date", company.established_label, _date_cn(company.established_date))
    )
    if company.business_term is not None:
        right.append(("business_term", "营业期限", company.business_term.replace("至", " 至 ")))
    right.append(("address", company.address_label, company.address))
    scope = ("business_scope", "经营范围", company.business_scope)

    def block(
        x: float, y: float, width: float, key: str, label: str, text: str, max_lines: int
    ) -> float:
        if key in ("business_term", "established_date", "registered_capital", "composition"):
            max_lines = 1
        draw_spread(d, x, y, label, lab, label_w, INK)
        vx = x + label_w + 34
        f = valf
        lines = wrap(text, f, width - (vx - x))
        sz = int(f.size)
        while len(lines) > max_lines and sz > 16:
            sz -= 1
            f = font("sans", sz)
            lines = wrap(text, f, width - (vx - x))
        lh = round(f.size * 1.42)
        bs = [draw_text(d, (vx, y + i * lh), line, f, INK) for i, line in enumerate(lines)]
        boxes[key] = _union(bs)
        return y + max(len(lines), 1) * lh + round(lab.size * 0.95)

    if horizontal:
        col_w = (w - 2 * 100 - 60) / 2
        y = 440.0
        for key, label, text in values:
            y = block(100, y, col_w, key, label, text, 2)
        block(100, y, col_w, *scope, max_lines=max(1, int((h - 110 - y) / (30 * 1.42))))
        y = 440.0
        for key, label, text in right:
            y = block(100 + col_w + 60, y, col_w, key, label, text, 3)
        auth_y = max(y + 40, h - 250)
        ax = 100 + col_w + 60
    else:
        y = 560.0
        order = [values[0], values[1], right[-1], values[2], *right[:-1]]
        for key, label, text in order:
            y = block(100, y, w - 200, key, label, text, 2)
        block(100, y, w - 200, *scope, max_lines=max(1, int((h - 330 - y) / (30 * 1.42))))
        auth_y = h - 230
        ax = w - 520
    af = font("serif", 30)
    draw_text(d, (ax + 60, auth_y), "登记机关", af, INK, tracking=8)
    issue = _date_cn(company.issue_date)
    draw_text(d, (ax + 60, auth_y + 110), issue, font("sans", 30), INK, tracking=2)
    draw_seal(img, (ax + 150, auth_y + 30), 95, company.registration_authority, rng)
    sf = font("sans", 15)
    foot = "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn"
    draw_text(d, (100, h - 58), foot, sf, INK)
    draw_text(
        d,
        (w - 100 - text_width("国家市场监督管理总局监制", sf), h - 58),
        "国家市场监督管理总局监制",
        sf,
        INK,
    )
    fields = company.fields()
    boxes = {k: b for k, b in boxes.items() if k in fields}  # 组成形式 is printed, not a field
    return Rendered(img, boxes, fields, "business_license", {"orientation": orientation})
