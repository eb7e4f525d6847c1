"""Synthetic photos of the website principal in front of the operator's mailed backdrop
(幕布, stage 3 of RULES.md), with the ID portrait to match and ground truth: the material
of the backdrop check (``kyc check-backdrop``) and its benchmark (scripts/bench_forms.py).

People are real face photos from ``../shared/data/faces`` (press photos, cut out with
GrabCut seeded by the face) and ``../shared/data/faces_lfw`` (aligned crops); the scene
is synthetic: a room, the backdrop cloth (one colour, folds, maybe the operator's
name printed on it) hanging behind the person, a phone camera's light, noise and JPEG.
Faults: another person's portrait, two people, no backdrop, a backdrop other than the
reference, a re-shoot of a screen, heavy blur, a PNG or an oversized file.

Splits, by person and by backdrop: ``tuned`` people and backdrop styles may shape
thresholds; ``held_out`` people (other photos, other identities) and backdrop colours
and prints never do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from kyc.synth import degrade as dg
from kyc.synth.forms import get_font
from kyc.synth.render import shared_dir

U8 = npt.NDArray[np.uint8]
Split = Literal["tuned", "held_out"]
SPLITS: tuple[Split, ...] = ("tuned", "held_out")

FAULTS = (
    "impostor",  # the portrait is of someone else
    "two_people",
    "no_backdrop",  # in front of a room, no cloth
    "wrong_backdrop",  # a backdrop, but not the reference's (judged with --backdrop-ref)
    "screen",  # a photo of a screen showing the photo
    "blur",
    "png",  # the file is a PNG
    "oversize",  # a JPEG over 2 MB
)
MAX_BYTES = 2 * 1024 * 1024

# Press photos with one person: person -> files. Split by person.
PRESS_PEOPLE: dict[Split, tuple[str, ...]] = {
    "tuned": ("obama", "kit_harington", "rose_leslie"),
    "held_out": ("biden", "alex_lacamoire"),
}
# Backdrop styles: (name, RGB base, printed text or None)
BACKDROPS: dict[Split, tuple[tuple[str, tuple[int, int, int], str | None], ...]] = {
    "tuned": (
        ("light_blue", (168, 200, 232), None),
        ("white", (236, 236, 232), None),
        ("blue_logo", (40, 110, 200), "示例云"),
    ),
    "held_out": (
        ("grey", (196, 198, 200), None),
        ("teal_logo", (30, 140, 150), "备案专用"),
        ("pale_blue", (200, 222, 240), None),
    ),
}


def _faces_root() -> Path:
    return shared_dir() / "data"


@cache
def press_photos(person: str) -> tuple[Path, ...]:
    d = _faces_root() / "faces" / person
    return tuple(sorted(p for p in d.glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")))


@cache
def lfw_people(split: Split) -> tuple[str, ...]:
    """LFW identities with two crops; the first half tuned, the second held out."""
    root = _faces_root() / "faces_lfw"
    people = sorted(p.name for p in root.iterdir() if p.is_dir() and len(list(p.glob("*"))) >= 2)
    half = len(people) // 2
    return tuple(people[:half] if split == "tuned" else people[half:])


def lfw_photos(person: str) -> tuple[Path, ...]:
    return tuple(sorted((_faces_root() / "faces_lfw" / person).glob("*")))


def _read(path: Path) -> U8:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:  # pragma: no cover - the shared data are images
        raise FileNotFoundError(path)
    return np.asarray(img, np.uint8)


@cache
def _hog() -> Any:
    import dlib

    return dlib.get_frontal_face_detector()


def face_box(img: U8) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the largest face (dlib HOG)."""
    h, w = img.shape[:2]
    k = min(1.0, 480 / max(h, w))
    small = cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    rects = _hog()(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), 1)
    if not rects:
        return None
    r = max(rects, key=lambda q: q.width() * q.height())
    return (round(r.left() / k), round(r.top() / k), round(r.right() / k), round(r.bottom() / k))


@cache
def cutout(path: Path) -> tuple[U8, U8, tuple[int, int, int, int]]:
    """Head and shoulders cut from a photo: (BGR crop, alpha mask, face box in the
    crop). GrabCut seeded by the face; the crop is about 3 face heights tall."""
    img = _read(path)
    h, w = img.shape[:2]
    fb = face_box(img)
    if fb is None:
        fb = (int(w * 0.3), int(h * 0.2), int(w * 0.7), int(h * 0.6))
    fl, ft, fr, fbm = fb
    fw, fh = fr - fl, fbm - ft
    x0, x1 = max(0, int(fl - 1.3 * fw)), min(w, int(fr + 1.3 * fw))
    y0, y1 = max(0, int(ft - 0.9 * fh)), min(h, int(fbm + 2.0 * fh))
    crop = np.ascontiguousarray(img[y0:y1, x0:x1])
    ch, cw = crop.shape[:2]
    k = min(1.0, 360 / max(ch, cw))
    small = np.asarray(cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA), np.uint8)
    sh, sw = small.shape[:2]
    seed = np.full((sh, sw), cv2.GC_PR_BGD, np.uint8)
    f = [v * k for v in (fl - x0, ft - y0, fr - x0, fbm - y0)]
    cx, fwk, fhk = (f[0] + f[2]) / 2, f[2] - f[0], f[3] - f[1]
    head = (int(cx), int((f[1] + f[3]) / 2))
    cv2.ellipse(seed, head, (int(fwk * 0.75), int(fhk * 0.95)), 0, 0, 360, cv2.GC_PR_FGD, -1)
    body = ((int(cx - fwk), int(f[3] + fhk * 0.4)), (int(cx + fwk), sh))
    cv2.rectangle(seed, body[0], body[1], cv2.GC_PR_FGD, -1)
    inner = ((int(f[0] + fwk * 0.2), int(f[1] + fhk * 0.2)), (int(f[2] - fwk * 0.2), int(f[3])))
    cv2.rectangle(seed, inner[0], (inner[1][0], int(f[3] - fhk * 0.1)), cv2.GC_FGD, -1)
    seed[: max(1, int(f[1] - fhk * 0.8)), :] = cv2.GC_BGD
    seed[:, :2] = cv2.GC_BGD
    seed[:, -2:] = cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    try:
        cv2.grabCut(small, seed, (0, 0, 1, 1), bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
        fg = np.where((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    except cv2.error:  # pragma: no cover - degenerate seeds
        fg = np.where(seed != cv2.GC_PR_BGD, 255, 0).astype(np.uint8)
    opened = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    full = cv2.resize(opened, (cw, ch), interpolation=cv2.INTER_LINEAR)
    soft = np.asarray(cv2.GaussianBlur(full, (0, 0), max(1.0, cw / 400)), np.uint8)
    return crop, soft, (fl - x0, ft - y0, fr - x0, fbm - y0)


@cache
def lfw_cutout(path: Path) -> tuple[U8, U8, tuple[int, int, int, int]]:
    """An aligned LFW crop (100x100) as a head on dark shoulders, upscaled."""
    img = cv2.resize(_read(path), (300, 300), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((560, 420, 3), 0, np.uint8)
    mask = np.zeros((560, 420), np.uint8)
    canvas[40:340, 60:360] = img
    cv2.ellipse(mask, (210, 185), (112, 150), 0, 0, 360, 255, -1)
    shirt = np.array([random_shirt(int(path.stat().st_size))], np.uint8)
    pts = np.array([[120, 320], [300, 320], [420, 470], [420, 560], [0, 560], [0, 470]], np.int32)
    cv2.fillPoly(canvas, [pts], shirt[0].tolist())
    cv2.fillPoly(mask, [pts], 255)
    soft = np.asarray(cv2.GaussianBlur(mask, (0, 0), 2.0), np.uint8)
    return canvas, soft, (128, 100, 292, 290)


def random_shirt(seed: int) -> tuple[int, int, int]:
    r = Random(seed)
    return (r.randint(20, 120), r.randint(20, 120), r.randint(20, 120))


# ---------------------------------------------------------------------------------------
# Scene
# ---------------------------------------------------------------------------------------


def room(size: tuple[int, int], rng: Random) -> U8:
    """A busy room behind the backdrop: a wall, a door or shelf, a window, a picture."""
    w, h = size
    wall = tuple(rng.randint(120, 230) for _ in range(3))
    img = Image.new("RGB", size, wall)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(10, 18)):
        x0, y0 = rng.randint(-w // 4, w), rng.randint(-h // 4, h)
        x1, y1 = x0 + rng.randint(w // 8, w // 2), y0 + rng.randint(h // 8, h // 2)
        col = tuple(rng.randint(20, 250) for _ in range(3))
        if rng.random() < 0.5:
            d.rectangle((x0, y0, x1, y1), fill=col)
        else:
            d.rectangle((x0, y0, x1, y1), outline=col, width=rng.randint(6, 20))
    for _ in range(rng.randint(25, 50)):  # shelf items / books
        x, y = rng.randint(0, w), rng.randint(0, h)
        d.rectangle((x, y, x + rng.randint(15, 60), y + rng.randint(60, 160)),
                    fill=tuple(rng.randint(0, 255) for _ in range(3)))  # fmt: skip
    arr = np.asarray(img, np.uint8)[:, :, ::-1]
    return np.ascontiguousarray(cv2.GaussianBlur(arr, (0, 0), rng.uniform(1.5, 4.0)))


def backdrop_cloth(
    size: tuple[int, int], rgb: tuple[int, int, int], text: str | None, rng: Random
) -> U8:
    """The cloth: one colour, soft vertical folds, a faint weave, maybe a printed name."""
    w, h = size
    xs = np.arange(w, dtype=np.float32)
    folds = np.zeros(w, np.float32)
    for _ in range(rng.randint(2, 5)):
        folds += rng.uniform(0.02, 0.06) * np.sin(
            xs / w * rng.uniform(3, 12) * math.pi + rng.uniform(0, 6)
        )
    shade = (
        1.0
        + folds[None, :]
        + np.linspace(rng.uniform(-0.05, 0.05), rng.uniform(-0.08, 0.03), h, dtype=np.float32)[
            :, None
        ]
    )
    base = np.array(rgb[::-1], np.float32)
    img = base[None, None, :] * shade[..., None]
    nrng = np.random.default_rng(rng.randrange(2**32))
    img += nrng.normal(0, 2.0, (h, w, 1)).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if text:
        pil = Image.fromarray(out[:, :, ::-1].copy())
        d = ImageDraw.Draw(pil)
        f = get_font("noto_sans", max(24, w // 14))
        lighter = tuple(min(255, c + 45) for c in rgb)
        step_x, step_y = int(w / 2.6), int(h / 4.5)
        for j, y in enumerate(range(step_y // 2, h, step_y)):
            for x in range(-(j % 2) * step_x // 2, w, step_x):
                d.text((x, y), text, font=f, fill=lighter)
        out = np.asarray(pil, np.uint8)[:, :, ::-1]
    return np.ascontiguousarray(out)


def _composite(scene: U8, layer: U8, mask: U8, x: int, y: int) -> U8:
    h, w = layer.shape[:2]
    sh, sw = scene.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(sw, x + w), min(sh, y + h)
    if x1 <= x0 or y1 <= y0:
        return scene
    a = mask[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)[..., None] / 255.0
    out = scene.copy()
    region = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = (region * (1 - a) + layer[y0 - y : y1 - y, x0 - x : x1 - x] * a).astype(
        np.uint8
    )
    return out


def place_person(
    scene: U8,
    cut: tuple[U8, U8, tuple[int, int, int, int]],
    face_w: float,
    cx: float,
    face_top: float,
) -> tuple[U8, tuple[float, float, float, float]]:
    """Scale the cutout so its face is ``face_w`` wide, with the face's top-centre at
    (cx, face_top); returns the scene and the face box placed."""
    crop, mask, (fl, ft, fr, fb) = cut
    k = face_w / max(1, fr - fl)
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC
    layer = np.asarray(cv2.resize(crop, None, fx=k, fy=k, interpolation=interp), np.uint8)
    size = (layer.shape[1], layer.shape[0])
    m = np.asarray(cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR), np.uint8)
    x = int(cx - (fl + fr) / 2 * k)
    y = int(face_top - ft * k)
    below = scene.shape[0] - (y + layer.shape[0])
    if below > 0:  # the body goes on to the frame's bottom edge
        layer = np.asarray(np.concatenate([layer, np.repeat(layer[-1:], below, axis=0)]), np.uint8)
        m = np.asarray(np.concatenate([m, np.repeat(m[-1:], below, axis=0)]), np.uint8)
    return _composite(scene, layer, m, x, y), (x + fl * k, y + ft * k, x + fr * k, y + fb * k)


@dataclass(frozen=True, eq=False)
class BackdropSample:
    data: bytes  # the uploaded file
    portrait: U8  # the ID portrait (a bare face or a whole ID-card front), BGR
    reference: U8 | None  # a photo of the operator's backdrop, or None
    truth: dict[str, Any] = field(default_factory=dict)


def _people(split: Split, rng: Random) -> list[tuple[Path, Path, bool]]:
    """Candidate (scene photo, portrait photo, is press) pairs of one person."""
    out = []
    for person in PRESS_PEOPLE[split]:
        photos = press_photos(person)
        for a in photos:
            for b in photos:
                if a != b:
                    out.append((a, b, True))
    for person in lfw_people(split):
        a, b = lfw_photos(person)[:2]
        out.append((a, b, False))
    return out


def _other_person(split: Split, not_this: Path, rng: Random) -> Path:
    pool = [p for person in PRESS_PEOPLE[split] for p in press_photos(person)]
    pool += [lfw_photos(p)[0] for p in lfw_people(split)]
    pool = [p for p in pool if p.parent != not_this.parent]
    return rng.choice(pool)


def _portrait_image(path: Path, rng: Random, as_card: bool) -> U8:
    img = _read(path)
    if path.parent.parent.name == "faces_lfw":  # a 100 px aligned crop: enlarged, bare
        return np.asarray(cv2.resize(img, (300, 300), interpolation=cv2.INTER_CUBIC), np.uint8)
    if as_card:
        import datetime as dt

        from kyc.synth.identity import make_person
        from kyc.synth.render import render_id_front

        person = make_person(rng, dt.date(2026, 6, 1))
        card = render_id_front(person, rng, portrait=path).image.convert("RGB")
        return np.ascontiguousarray(np.asarray(card, np.uint8)[:, :, ::-1])
    fb = face_box(img)
    if fb is None:
        return img
    fl, ft, fr, fbm = fb
    fw, fh = fr - fl, fbm - ft
    h, w = img.shape[:2]
    return np.ascontiguousarray(
        img[
            max(0, int(ft - fh)) : min(h, int(fbm + fh)),
            max(0, int(fl - 0.8 * fw)) : min(w, int(fr + 0.8 * fw)),
        ]
    )


def generate_backdrop(
    rng: Random, split: Split = "tuned", fault: str | None = None
) -> BackdropSample:
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}")
    pairs = _people(split, rng)
    press = [p for p in pairs if p[2]]
    scene_path, portrait_path, is_press = rng.choice(press)
    if fault == "impostor":
        portrait_path = _other_person(split, scene_path, rng)
    styles = BACKDROPS[split]
    style = rng.choice(styles)
    ref_style = style
    if fault == "wrong_backdrop":
        ref_style = rng.choice([s for s in styles if s != style])
    portrait = _portrait_image(portrait_path, rng, as_card=rng.random() < 0.4)

    landscape = rng.random() < 0.25
    width, height = (1600, 1200) if landscape else (rng.choice((960, 1080, 1200)), 0)
    if not landscape:
        height = round(width * 4 / 3)
    scene = room((width, height), rng)
    cloth_box = (0, 0, width, height)
    if fault != "no_backdrop":
        # the cloth covers most of the frame behind the person; its edge may show
        mx = int(width * rng.uniform(0.0, 0.08)) if rng.random() < 0.5 else 0
        top = int(height * rng.uniform(0.0, 0.05)) if rng.random() < 0.5 else 0
        cloth_box = (mx, top, width - (int(width * rng.uniform(0.0, 0.08)) if mx else 0), height)
        cw, ch = cloth_box[2] - cloth_box[0], cloth_box[3] - cloth_box[1]
        cloth = backdrop_cloth((cw, ch), style[1], style[2], rng)
        scene[cloth_box[1] : cloth_box[3], cloth_box[0] : cloth_box[2]] = cloth
    if fault == "no_backdrop":
        # a room is busy behind the head (a plain wall of one colour would count as a
        # plain backdrop without a reference): shelves and things around where the head goes
        clutter = room((width // 2, height // 2), rng)
        for _ in range(3):
            clutter = np.maximum(clutter, room((width // 2, height // 2), rng) // 2)
        scene[: height // 2, width // 4 : width // 4 + width // 2] = clutter
    cut = cutout(scene_path) if is_press else lfw_cutout(scene_path)
    face_w = width * rng.uniform(0.18, 0.3)
    cx = width * rng.uniform(0.4, 0.6)
    scene, fbox = place_person(scene, cut, face_w, cx, height * rng.uniform(0.18, 0.3))
    faces = 1
    if fault == "two_people":
        other = _other_person(split, scene_path, rng)
        cut2 = cutout(other) if other.parent.parent.name == "faces" else lfw_cutout(other)
        side = -1 if rng.random() < 0.5 else 1
        scene, _ = place_person(
            scene,
            cut2,
            face_w * rng.uniform(0.8, 1.0),
            cx + side * width * 0.33,
            height * rng.uniform(0.2, 0.32),
        )
        faces = 2

    photo = dg.Photo(scene, np.eye(3), (width, height))
    photo = dg.lighting(photo, rng, rng.uniform(0.05, 0.25))
    if fault == "screen":
        photo = dg.recapture(photo, rng, rng.uniform(0.8, 1.2))
    if fault == "blur":
        if rng.random() < 0.5:
            photo = dg.gaussian_blur(photo, rng.uniform(4.0, 7.0) * width / 1200)
        else:
            photo = dg.motion_blur(
                photo, int(rng.uniform(25, 45) * width / 1200), rng.uniform(0, 180)
            )
    else:
        photo = dg.gaussian_blur(photo, rng.uniform(0.3, 0.8))
    photo = dg.sensor_noise(photo, rng, rng.uniform(1.0, 3.0))
    image = photo.image
    if fault == "oversize":  # a full-size phone JPEG: more pixels, fine grain, high quality
        image = np.asarray(
            cv2.resize(image, None, fx=2.4, fy=2.4, interpolation=cv2.INTER_CUBIC), np.uint8
        )
        image = dg.sensor_noise(dg.Photo(image, np.eye(3), (0, 0)), rng, 7.0).image
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 98])
    elif fault == "png":
        ok, buf = cv2.imencode(".png", image)
    else:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(82, 92)])
    if not ok:  # pragma: no cover
        raise RuntimeError("encoding failed")
    data = bytes(buf.tobytes())
    if fault == "oversize" and len(data) <= MAX_BYTES:  # pragma: no cover - 2.4x, q98 is ~3 MB
        raise RuntimeError("the oversized photo came out within the limit")

    with_ref = fault == "wrong_backdrop" or rng.random() < 0.5
    reference = None
    if with_ref:
        rw, rh = 900, 680
        ref = backdrop_cloth((rw, rh), ref_style[1], ref_style[2], rng)
        ref = dg.lighting(dg.Photo(ref, np.eye(3), (rw, rh)), rng, rng.uniform(0.05, 0.25)).image
        reference = dg.jpeg(dg.Photo(ref, np.eye(3), (rw, rh)), 88).image
    backdrop_ok = fault not in ("no_backdrop", "wrong_backdrop")
    truth = {
        "faces": faces,
        "match": {"same_person": fault != "impostor"},
        "backdrop": {"detected": backdrop_ok},
        "file": {
            "jpeg": fault != "png",
            "within_limit": len(data) <= MAX_BYTES,
            "bytes": len(data),
        },
        "decision": "pass" if fault is None else "reject",
        "fault": fault,
        "split": split,
        "variant": {"backdrop": style[0], "person": scene_path.parent.name, "press": is_press},
        "with_reference": reference is not None,
        "face_box": [round(v, 1) for v in fbox],
    }
    return BackdropSample(data, portrait, reference, truth)


def backdrop_set(n: int, seed: int, split: Split) -> list[BackdropSample]:
    """``n`` photos, half correct, the rest cycling through the faults."""
    out = []
    for i in range(n):
        rng = Random(f"backdrop:{split}:{seed}:{i}")
        fault = None if i % 2 == 0 else FAULTS[(i // 2) % len(FAULTS)]
        out.append(generate_backdrop(rng, split, fault))
    return out
