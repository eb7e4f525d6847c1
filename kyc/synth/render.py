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

from kyc.synth.fonts import Face, face, font_file
from kyc.synth.identity import Company, Person
from kyc.synth.variants import Variant, default_variant

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
    return font_file({"sans": "noto_sans", "serif": "noto_serif"}[kind])


@lru_cache(maxsize=256)
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans SC (``"sans"``) or Noto Serif SC (``"serif"``) at ``size`` px."""
    return ImageFont.truetype(_font_path(kind), size)


FontLike = ImageFont.FreeTypeFont | Face


@dataclass(frozen=True)
class Rendered:
    image: Image.Image  # RGBA, alpha 0 outside the document (rounded card corners)
    boxes: dict[str, Box]  # field -> value box, document coordinates
    fields: dict[str, str]
    document_type: str
    extra: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Text helpers (a FreeTypeFont, or a Face that draws missing glyphs from its fallback)
# ---------------------------------------------------------------------------------------


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _runs(f: FontLike, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
    return f.runs(text) if isinstance(f, Face) else [(f, text)]


def _font_for(f: FontLike, ch: str) -> ImageFont.FreeTypeFont:
    return f.font_for(ch) if isinstance(f, Face) else f


def draw_text(
    d: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    f: FontLike,
    fill: RGB | tuple[int, int, int, int],
    tracking: float = 0.0,
    stroke: int = 0,
) -> Box:
    """Draw ``text`` with its baseline-left at ``xy``; extra ``tracking`` px between
    characters. Returns the ink box."""
    x, y = xy
    boxes: list[Box] = []
    if tracking == 0.0:
        for ff, run in _runs(f, text):
            d.text((x, y), run, font=ff, fill=fill, anchor="ls", stroke_width=stroke,
                   stroke_fill=fill)  # fmt: skip
            if run.strip():
                b = d.textbbox((x, y), run, font=ff, anchor="ls", stroke_width=stroke)
                boxes.append((int(b[0]), int(b[1]), math.ceil(b[2]), math.ceil(b[3])))
            x += ff.getlength(run)
    else:
        for ch in text:
            ff = _font_for(f, ch)
            d.text((x, y), ch, font=ff, fill=fill, anchor="ls", stroke_width=stroke,
                   stroke_fill=fill)  # fmt: skip
            if not ch.isspace():
                b = d.textbbox((x, y), ch, font=ff, anchor="ls", stroke_width=stroke)
                boxes.append((int(b[0]), int(b[1]), math.ceil(b[2]), math.ceil(b[3])))
            x += ff.getlength(ch) + tracking
    return _union(boxes) if boxes else (int(xy[0]), int(y) - 1, int(xy[0]) + 1, int(y))


def text_width(text: str, f: FontLike, tracking: float = 0.0) -> float:
    return sum(f.getlength(ch) for ch in text) + tracking * max(0, len(text) - 1)


# Closing marks never start a line in Chinese print (避头尾): one that does not fit
# hangs at the end of the line before (a scope's final 。 alone on a line of its own
# was drawn where no document prints it).
NO_LINE_START = frozenset("。，、；：？！）」』】〉》”’.,;:?!)")


def wrap(text: str, f: FontLike, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (CJK: any character; a
    closing mark hangs past the width rather than start a line)."""
    lines: list[str] = []
    cur = ""
    width = 0.0
    for ch in text:
        w = f.getlength(ch)
        if cur and width + w > max_width and ch not in NO_LINE_START:
            lines.append(cur)
            cur, width = ch, w
        else:
            cur += ch
            width += w
    if cur:
        lines.append(cur)
    return lines


def draw_spread(
    d: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    f: FontLike,
    width: float,
    fill: RGB,
) -> Box:
    """Draw a label with its characters spread evenly over ``width`` (名　　称)."""
    if len(text) < 2:
        return draw_text(d, (x, y), text, f, fill)
    gap = (width - sum(f.getlength(c) for c in text)) / (len(text) - 1)
    return draw_text(d, (x, y), text, f, fill, tracking=max(0.0, gap))


def label_text(label: str, style: str) -> str:
    """A label as a style prints it: "space" puts one space between characters."""
    return " ".join(label) if style == "space" else label


def draw_label(
    d: ImageDraw.ImageDraw,
    x: float,
    y: float,
    label: str,
    f: FontLike,
    style: str,
    spread_width: float,
    fill: RGB,
) -> Box:
    """Draw a label in a variant's style: spread over ``spread_width`` (名　　称), tight
    (名称) or spaced (名 称)."""
    if style == "spread" and f.getlength(label) < spread_width:
        return draw_spread(d, x, y, label, f, spread_width, fill)
    return draw_text(d, (x, y), label_text(label, style), f, fill)


def label_width(label: str, f: FontLike, style: str, spread_width: float) -> float:
    if style == "spread":
        return max(spread_width, f.getlength(label))
    return f.getlength(label_text(label, style))


def fit_size(text: str, key: str, size: int, max_width: float, minimum: int = 12) -> Face:
    """The largest face of family ``key`` at most ``size`` px whose ``text`` fits."""
    sz = int(size)
    while sz > minimum and face(key, sz).getlength(text) > max_width:
        sz -= 1
    return face(key, sz)


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


def _jit(rng: Random, v: Variant, amount: float) -> float:
    """A random offset of up to ``amount`` scaled by the variant's jitter."""
    return rng.uniform(-amount, amount) * v.jitter


def render_id_front(
    person: Person, rng: Random, portrait: Path | None = None, variant: Variant | None = None
) -> Rendered:
    v = variant or default_variant()
    img = _card_base(rng)
    d = ImageDraw.Draw(img)
    k = 1.0 + _jit(rng, v, 0.08)  # overall type size
    lab = face(v.fonts["label"], round(25 * k))
    val_key = v.fonts["value"]
    val = face(val_key, round(33 * k))
    boxes: dict[str, Box] = {}
    lx = 68 + round(_jit(rng, v, 10))
    vx = 168 + round(_jit(rng, v, 10))
    jitter = rng.randint(-3, 3) + round(_jit(rng, v, 6))
    label_fill: RGB = (
        v.label_colour[0] + rng.randint(-10, 10),
        v.label_colour[1] + rng.randint(-10, 10),
        v.label_colour[2] + rng.randint(-10, 10),
    )
    pitch = 70 + _jit(rng, v, 5)
    rows = [round(100 + jitter + i * pitch) for i in range(4)]
    spread = 54 * k

    def label(x: float, y: float, text: str) -> None:
        draw_label(d, x, y, text, lab, v.label_style, spread, label_fill)

    def value_x(x: float, text: str) -> float:
        return max(x + label_width(text, lab, v.label_style, spread) + 14, x + 100 * k - 0)

    label(lx, rows[0], "姓名")
    name_f = fit_size(person.name, val_key, val.size, PORTRAIT_BOX[0] - vx - 20)
    boxes["name"] = draw_text(d, (vx, rows[0]), person.name, name_f, INK, stroke=1)
    label(lx, rows[1], "性别")
    boxes["sex"] = draw_text(d, (vx, rows[1]), person.sex, val, INK)
    ex = 290 + round(_jit(rng, v, 12))
    label(ex, rows[1], "民族")
    eth_x = max(ex + 80 * k, value_x(ex, "民族"))
    eth_f = fit_size(person.ethnicity, val_key, val.size, PORTRAIT_BOX[0] - eth_x - 10)
    boxes["ethnicity"] = draw_text(d, (eth_x, rows[1]), person.ethnicity, eth_f, INK)
    label(lx, rows[2], "出生")
    b = person.birth_date
    x = float(vx)
    parts: list[Box] = []
    for value, unit in ((f"{b.year}", "年"), (f"{b.month}", "月"), (f"{b.day}", "日")):
        parts.append(draw_text(d, (x, rows[2]), value, val, INK))
        x += val.getlength(value) + 12 * k
        draw_text(d, (x, rows[2]), unit, lab, label_fill)
        x += lab.getlength(unit) + 16 * k + (val.getlength("0") if len(value) == 1 else 0)
    boxes["birth_date"] = _union(parts)
    label(lx, rows[3], "住址")
    addr_w = PORTRAIT_BOX[0] - vx - 25
    addr_f = val
    lines = wrap(person.address, addr_f, addr_w)
    size = int(val.size)
    while len(lines) > 3 and size > 18:  # shrink the font until the address fits three lines
        size -= 1
        addr_f = face(val_key, size)
        lines = wrap(person.address, addr_f, addr_w)
    line_h = round(addr_f.size * min(1.45, v.line_spacing))
    addr_boxes = [
        draw_text(d, (vx, rows[3] + i * line_h), line, addr_f, INK) for i, line in enumerate(lines)
    ]
    boxes["address"] = _union(addr_boxes)
    num_y = 470 + round(_jit(rng, v, 8))
    draw_text(d, (lx, num_y), "公民身份号码", lab, label_fill, tracking=1)
    num_x = lx + lab.getlength("公民身份号码") + 6 + 20 * k
    num_key = v.fonts["number"]
    tracking = 3.5 + _jit(rng, v, 2.0)
    num_f = face(num_key, round(39 * k))
    while num_f.size > 20 and text_width(person.id_number, num_f, tracking) > 856 - num_x - 30:
        num_f = face(num_key, num_f.size - 1)
    boxes["id_number"] = draw_text(
        d, (num_x, num_y + 2), person.id_number, num_f, INK, tracking=tracking
    )
    if person.temporary:
        draw_text(d, (lx, 46), "临时居民身份证", face(v.fonts["title"], 22), label_fill, tracking=2)
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


def render_id_back(person: Person, rng: Random, variant: Variant | None = None) -> Rendered:
    v = variant or default_variant()
    img = _card_base(rng)
    d = ImageDraw.Draw(img)
    ex, ey = round(_jit(rng, v, 10)), round(_jit(rng, v, 8))
    draw_emblem(img, (62 + ex, 48 + ey, 192 + ex, 178 + ey))
    label_fill = v.label_colour
    title_key = v.fonts["title"]
    hf = fit_size("中华人民共和国", title_key, 46, 856 - 262 - 40 - 6 * 9)
    draw_text(d, (262, 112), "中华人民共和国", hf, INK, tracking=9, stroke=1)
    title = "临时居民身份证" if person.temporary else "居民身份证"
    tracking = 14 if person.temporary else 22
    tf = fit_size(title, title_key, 56 if person.temporary else 70, 856 - 232 - 40 - tracking * 6)
    draw_text(d, (232 if person.temporary else 238, 218), title, tf, INK, tracking=tracking,
              stroke=1)  # fmt: skip
    k = 1.0 + _jit(rng, v, 0.08)
    lab = face(v.fonts["label"], round(25 * k))
    boxes: dict[str, Box] = {}
    lx = 166 + round(_jit(rng, v, 12))
    y1 = 402 + round(_jit(rng, v, 8))
    y2 = 466 + round(_jit(rng, v, 8))
    spread = lab.size * 4 + 12
    draw_label(d, lx, y1, "签发机关", lab, v.label_style, spread, label_fill)
    vx = max(318 + round(_jit(rng, v, 10)), round(lx + label_width("签发机关", lab, v.label_style,
                                                                 spread) + 20))  # fmt: skip
    max_w = CARD_SIZE[0] - vx - 30
    val_key = v.fonts["value"]
    boxes["issuing_authority"] = draw_text(
        d, (vx, y1 + 1), person.issuing_authority, fit_size(person.issuing_authority, val_key,
                                                             round(31 * k), max_w, 16), INK
    )  # fmt: skip
    draw_label(d, lx, y2, "有效期限", lab, v.label_style, spread, label_fill)
    until = "长期" if person.valid_until is None else _fmt_dot(person.valid_until)
    text = f"{_fmt_dot(person.valid_from)}-{until}"
    nf = fit_size(text, v.fonts["number"] if rng.random() < 0.5 else val_key, round(31 * k),
                  max_w - 10, 16)  # fmt: skip
    span = draw_text(d, (vx, y2 + 1), text, nf, INK, tracking=0.5)
    # valid_from and valid_until share one printed line; both boxes are the whole line's halves
    mid = span[0] + round(text_width(_fmt_dot(person.valid_from), nf, 0.5))
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
    img: Image.Image,
    center: tuple[float, float],
    radius: float,
    text: str,
    rng: Random,
    family: str = "noto_serif",
    colour: RGB = SEAL_RED,
) -> None:
    """A round red official seal: ring, star, the authority's name along the arc."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = center
    alpha = rng.randint(150, 210)
    col = (*colour, alpha)
    d.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        outline=col,
        width=max(3, round(radius * 0.05)),
    )
    d.polygon(_star(cx, cy, radius * 0.28), fill=col)
    f = face(family, max(12, round(radius * 0.22)))
    n = len(text)
    span = min(math.radians(250), n * math.radians(22))
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        gx, gy = cx + radius * 0.74 * math.cos(a), cy + radius * 0.74 * math.sin(a)
        fs = int(f.size)
        g = Image.new("RGBA", (fs * 2, fs * 2), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((fs, fs), ch, font=f.font_for(ch), fill=col, anchor="mm")
        g = g.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(g, (round(gx - fs), round(gy - fs)))
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


def render_license(
    company: Company,
    rng: Random,
    orientation: str = "horizontal",
    variant: Variant | None = None,
    copy: str | None = None,
    scheme: str | None = None,
) -> Rendered:
    """A business license (kyc/synth/license.py)."""
    from kyc.synth.license import render_license as render

    return render(company, rng, orientation, variant, copy, scheme)
