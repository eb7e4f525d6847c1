"""Phone-photo conditions for synthetic documents.

Every condition is a pure function of (photo, rng, parameters) returning a new
:class:`Photo`: the BGR image plus the homography that maps document coordinates into
it, so the document's quad and each field's box can be followed through perspective,
rotation, placement and rescaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from random import Random

import cv2
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Photo:
    image: U8  # BGR
    homography: F64  # 3x3, document coordinates -> image coordinates
    doc_size: tuple[int, int]  # (w, h) of the flat document

    def map_points(self, pts: list[tuple[float, float]]) -> F64:
        arr = np.asarray(pts, np.float64).reshape(-1, 1, 2)
        out = cv2.perspectiveTransform(arr, self.homography).reshape(-1, 2)
        return np.asarray(out, np.float64)

    @property
    def quad(self) -> F64:
        w, h = self.doc_size
        return self.map_points([(0, 0), (w, 0), (w, h), (0, h)])

    def box_quad(self, box: Box) -> F64:
        x0, y0, x1, y1 = box
        return self.map_points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def _as_u8(a: object) -> U8:
    return np.asarray(a, np.uint8)


def _u8(a: npt.NDArray[np.floating] | U8) -> U8:
    if a.dtype == np.uint8:
        return np.asarray(a, np.uint8)
    f = np.asarray(a, np.float32)
    np.maximum(f, 0, out=f)  # callers pass temporaries
    return np.asarray(cv2.convertScaleAbs(f), np.uint8)


# ---------------------------------------------------------------------------------------
# Document-level conditions (before placement)
# ---------------------------------------------------------------------------------------


def photocopy(doc: U8, rng: Random, strength: float = 1.0) -> U8:
    """Greyscale, boosted contrast, toner speckle and streaks (BGRA or BGR in, same out)."""
    has_alpha = doc.shape[2] == 4
    bgr = doc[..., :3]
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lo, hi = rng.uniform(20, 60) * strength, 255 - rng.uniform(5, 30) * strength
    g = (g - lo) / max(1.0, hi - lo) * 255
    gamma = rng.uniform(0.8, 1.3)
    g = 255 * np.power(np.clip(g / 255, 0, 1), gamma)
    nrng = np.random.default_rng(rng.randrange(2**32))
    g += nrng.normal(0, 6 * strength, g.shape)
    speck = nrng.random(g.shape) < 0.0015 * strength
    g[speck] = nrng.uniform(30, 120, int(speck.sum()))
    for _ in range(rng.randint(0, 3)):  # toner streaks
        x = rng.randrange(g.shape[1])
        g[:, x : x + rng.randint(1, 3)] *= rng.uniform(0.8, 0.95)
    out = _as_u8(cv2.cvtColor(_u8(g), cv2.COLOR_GRAY2BGR))
    if has_alpha:
        out = _as_u8(np.dstack([out, doc[..., 3]]))
    return out


# ---------------------------------------------------------------------------------------
# Backgrounds and placement
# ---------------------------------------------------------------------------------------


def _upscale(a: npt.NDArray[np.float32], size: tuple[int, int]) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.resize(a, size, interpolation=cv2.INTER_LINEAR), np.float32)


def _noise(
    nrng: np.random.Generator, size: tuple[int, int], sigma: float
) -> npt.NDArray[np.float32]:
    """Grain: normal noise drawn at half resolution and upsampled (cheap, demosaic-like)."""
    w, h = size
    small = nrng.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32) * np.float32(sigma)
    return _upscale(small, (w, h))


def background(size: tuple[int, int], rng: Random, kind: str | None = None) -> tuple[U8, str]:
    """A table-top: wood, plain desk, fabric, dark desk, paper, marble, a tablecloth,
    granite, cardboard or leather. Returns (BGR, kind)."""
    w, h = size
    kind = kind or rng.choice(("wood", "desk", "fabric", "dark", "paper"))
    nrng = np.random.default_rng(rng.randrange(2**32))
    sw, sh = max(2, w // 4), max(2, h // 4)  # low-frequency textures at quarter size
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * 4
    if kind == "wood":
        base = np.array(
            [rng.uniform(40, 90), rng.uniform(80, 130), rng.uniform(130, 190)], np.float32
        )
        f = rng.uniform(0.02, 0.06)
        rings = np.sin(
            yy * f + np.sin(xx * 0.004 + rng.uniform(0, 6)) * 6 + nrng.normal(0, 0.3, (sh, sw))
        ).astype(np.float32)
        lum = _upscale(rings * 18, (w, h))
    elif kind == "fabric":
        base = np.array([rng.uniform(60, 200) for _ in range(3)], np.float32)
        fy, fx = np.mgrid[0:h, 0:w].astype(np.float32)
        lum = np.sin(fx * 1.3) * np.sin(fy * 1.3) * np.float32(10)
    elif kind == "dark":
        base = np.array([rng.uniform(20, 60)] * 3, np.float32) + np.array(
            [rng.uniform(-5, 5) for _ in range(3)], np.float32
        )
        lum = np.zeros((h, w), np.float32)
    elif kind == "paper":
        v = rng.uniform(200, 235)
        base = np.array([v, v, v + rng.uniform(-5, 5)], np.float32)
        lum = np.zeros((h, w), np.float32)
    elif kind == "marble":
        v = rng.uniform(190, 235)
        base = np.array([v, v - rng.uniform(0, 8), v - rng.uniform(0, 12)], np.float32)
        veins = np.sin(
            xx * rng.uniform(0.004, 0.012)
            + yy * rng.uniform(0.002, 0.01)
            + _upscale(
                nrng.normal(0, 1.0, (max(2, sh // 16), max(2, sw // 16))).astype(np.float32),
                (sw, sh),
            )
            * 3
        )
        lum = _upscale((np.clip(1 - np.abs(veins) / 0.12, 0, 1) * -45).astype(np.float32), (w, h))
    elif kind == "tablecloth":
        c1 = np.array([rng.uniform(120, 240) for _ in range(3)], np.float32)
        c2 = np.array([rng.uniform(40, 200) for _ in range(3)], np.float32)
        period = rng.uniform(30, 90)
        fy, fx = np.mgrid[0:h, 0:w].astype(np.float32)
        check = ((np.floor(fx / period) + np.floor(fy / period)) % 2).astype(np.float32)
        stripes = (np.floor(fx / period) % 2) * 0.5 + (np.floor(fy / period) % 2) * 0.5
        pat = check if rng.random() < 0.5 else stripes.astype(np.float32)
        img0 = c1[None, None, :] * (1 - pat[..., None]) + c2[None, None, :] * pat[..., None]
        img0 += _noise(nrng, (w, h), rng.uniform(2, 5))[..., None]
        return _u8(img0), kind
    elif kind == "granite":
        base = np.array([rng.uniform(60, 170)] * 3, np.float32) + np.array(
            [rng.uniform(-8, 8) for _ in range(3)], np.float32
        )
        speck = nrng.normal(0, 1, ((h + 2) // 3, (w + 2) // 3)).astype(np.float32)
        lum = _upscale((np.sign(speck) * np.abs(speck) ** 2 * 14).astype(np.float32), (w, h))
    elif kind == "cardboard":
        base = np.array(
            [rng.uniform(90, 130), rng.uniform(140, 170), rng.uniform(170, 205)], np.float32
        )
        fiber = nrng.normal(0, 1, (sh, sw)).astype(np.float32)
        lum = _upscale(np.asarray(cv2.GaussianBlur(fiber, (0, 0), 1.5) * 12, np.float32), (w, h))
        if rng.random() < 0.5:  # corrugation lines
            lum += np.sin(np.mgrid[0:h, 0:w][1].astype(np.float32) * rng.uniform(0.15, 0.3)) * 3
    elif kind == "leather":
        base = np.array([rng.uniform(15, 60), rng.uniform(20, 60), rng.uniform(30, 90)], np.float32)
        grain = nrng.normal(0, 1, ((h + 1) // 2, (w + 1) // 2)).astype(np.float32)
        lum = _upscale(np.asarray(cv2.GaussianBlur(grain, (0, 0), 1.2) * 10, np.float32), (w, h))
    else:  # desk
        base = np.array([rng.uniform(120, 220) for _ in range(3)], np.float32)
        lum = np.zeros((h, w), np.float32)
    lum += _noise(nrng, (w, h), rng.uniform(2, 6))
    img = lum[..., None] + base
    return _u8(img), kind


def perspective_homography(
    doc_size: tuple[int, int],
    canvas: tuple[int, int],
    *,
    width_frac: float,
    tilt_x: float = 0.0,
    tilt_y: float = 0.0,
    angle: float = 0.0,
    center: tuple[float, float] | None = None,
) -> F64:
    """Document -> canvas homography of a plane tilted by ``tilt_x``/``tilt_y`` degrees
    about its axes, turned by ``angle`` degrees in-plane, seen by a pinhole camera and
    scaled so that its width spans ``width_frac`` of the canvas width."""
    w, h = doc_size
    cw, ch = canvas
    s = width_frac * cw / w
    f = 1.2 * max(cw, ch)
    ax, ay, az = map(math.radians, (tilt_x, tilt_y, angle))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    r = rx @ ry @ rz
    cx, cy = center if center is not None else (cw / 2, ch / 2)
    src = np.array([(0, 0), (w, 0), (w, h), (0, h)], np.float32)
    dst = []
    for u, v in src:
        p = r @ np.array([(u - w / 2) * s, (v - h / 2) * s, 0.0])
        z = f + p[2]
        dst.append((cx + f * p[0] / z, cy + f * p[1] / z))
    m: F64 = cv2.getPerspectiveTransform(src, np.array(dst, np.float32)).astype(np.float64)
    return m


def place(doc: U8, bg: U8, hom: F64, rng: Random, shadow: bool = True) -> Photo:
    """Warp a BGRA document onto ``bg`` with homography ``H`` (soft drop shadow)."""
    h, w = bg.shape[:2]
    dh, dw = doc.shape[:2]
    if doc.shape[2] == 3:
        doc = np.dstack([doc, np.full((dh, dw), 255, np.uint8)])
    warped = cv2.warpPerspective(doc, hom, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    alpha = np.asarray(warped[..., 3], np.float32) / np.float32(255)
    base = bg
    if shadow:
        off = np.array([[1, 0, rng.uniform(-8, 8)], [0, 1, rng.uniform(2, 14)]], np.float32)
        small = cv2.resize(
            warped[..., 3], (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA
        )
        off[:, 2] /= 4
        moved = cv2.warpAffine(small, off, (small.shape[1], small.shape[0]))
        blurred = cv2.GaussianBlur(moved, (0, 0), rng.uniform(1, 3))
        sh = _upscale(np.asarray(blurred, np.float32), (w, h)) * np.float32(
            rng.uniform(0.2, 0.45) / 255
        )
        base = _u8(bg.astype(np.float32) * (1 - sh)[..., None])
    comp = cv2.blendLinear(
        np.ascontiguousarray(warped[..., :3]), base, alpha, np.float32(1) - alpha
    )
    return Photo(np.asarray(comp, np.uint8), hom.copy(), (dw, dh))


def rotate90(photo: Photo, k: int) -> Photo:
    """Rotate the whole photo by k*90 degrees counter-clockwise."""
    k %= 4
    if k == 0:
        return photo
    h, w = photo.image.shape[:2]
    img = np.ascontiguousarray(np.rot90(photo.image, k))
    # pixel centres at integer coordinates (OpenCV's convention)
    if k == 1:
        r = np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], np.float64)
    elif k == 2:
        r = np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], np.float64)
    else:
        r = np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], np.float64)
    return replace(photo, image=img, homography=r @ photo.homography)


def rescale(photo: Photo, factor: float) -> Photo:
    h, w = photo.image.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    img = _as_u8(
        cv2.resize(
            photo.image, (nw, nh), interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        )
    )
    sx, sy = nw / w, nh / h  # pixel centres: x' = (x + 0.5) * sx - 0.5
    s = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]], np.float64)
    return replace(photo, image=img, homography=s @ photo.homography)


# ---------------------------------------------------------------------------------------
# Photo-level conditions
# ---------------------------------------------------------------------------------------


def lighting(photo: Photo, rng: Random, strength: float = 0.3) -> Photo:
    """A linear brightness gradient in a random direction and a slight colour temperature."""
    h, w = photo.image.shape[:2]
    sw, sh = max(2, w // 8), max(2, h // 8)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    t = xx * math.cos(a) + yy * math.sin(a)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    # plus a lens vignette: corners a few percent darker
    r2 = ((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2) * 2
    vignette = 1 - 0.35 * strength * r2  # (no extra draw: keeps earlier seeds' images)
    gain = _upscale(((1 - strength * t) * vignette).astype(np.float32), (w, h))
    warm = np.array(
        [1.0, 1.0 + rng.uniform(-0.03, 0.03), 1.0 + rng.uniform(-0.02, 0.06)], np.float32
    )
    img = photo.image.astype(np.float32) * gain[..., None] * warm
    return replace(photo, image=_u8(img))


def shadow(photo: Photo, rng: Random, darkness: float = 0.35) -> Photo:
    """A soft-edged shadow (a hand or phone) across one side of the frame."""
    h, w = photo.image.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    side = rng.randrange(4)
    d = rng.uniform(0.15, 0.35)
    pts = {
        0: [(0, 0), (int(w * d), 0), (int(w * d * 0.6), h), (0, h)],
        1: [(w, 0), (int(w * (1 - d)), 0), (int(w * (1 - d * 0.6)), h), (w, h)],
        2: [(0, 0), (w, 0), (w, int(h * d * 0.6)), (0, int(h * d))],
        3: [(0, h), (w, h), (w, int(h * (1 - d))), (0, int(h * (1 - d * 0.6)))],
    }[side]
    cv2.fillPoly(mask, [np.array(pts, np.int32)], 255)
    small = cv2.resize(mask, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(w, h) * 0.03 / 8)
    m = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
    img = photo.image.astype(np.float32) * (1 - darkness * m[..., None])
    return replace(photo, image=_u8(img))


GLARE_SHAPES = ("blob", "streak", "window", "ring")


def glare(
    photo: Photo,
    rng: Random,
    center: tuple[float, float],
    radius: float,
    peak: float = 1.0,
    shape: str = "blob",
) -> tuple[Photo, U8]:
    """A bright specular highlight (saturating at its core) centred on ``center``: an
    elliptic ``blob``, a long thin ``streak`` (a tube light), a ``window`` (a soft-edged
    rectangle: a reflected window or lamp panel) or a ``ring`` (a ring light). Returns the
    mask of the washed-out core (1 where the print is all but erased) too."""
    h, w = photo.image.shape[:2]
    # computed on a window around the highlight only (the rest of the photo is untouched)
    reach = radius * 6.5
    x0, x1 = max(0, int(center[0] - reach)), min(w, int(center[0] + reach) + 1)
    y0, y1 = max(0, int(center[1] - reach)), min(h, int(center[1] + reach) + 1)
    g = np.zeros((h, w), np.float32)
    if x1 <= x0 or y1 <= y0:
        return photo, np.zeros((h, w), np.uint8)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    a = rng.uniform(0, math.pi)
    dx, dy = xx - center[0], yy - center[1]
    if shape == "streak":
        sx, sy = radius * rng.uniform(3.0, 6.0), radius * rng.uniform(0.2, 0.35)
    elif shape == "window":
        sx, sy = radius * rng.uniform(1.0, 1.8), radius * rng.uniform(0.7, 1.2)
    else:
        sx, sy = radius * rng.uniform(1.0, 2.2), radius * rng.uniform(0.5, 1.0)
    u = (dx * math.cos(a) + dy * math.sin(a)) / sx
    v = (-dx * math.sin(a) + dy * math.cos(a)) / sy
    if shape == "window":
        part = np.exp(-(np.maximum(np.abs(u), np.abs(v)) ** 8)) * peak
    elif shape == "ring":
        rr = np.sqrt(u * u + v * v)
        part = np.exp(-(((rr - 1.0) / 0.3) ** 2)) * peak
    else:
        part = np.exp(-(u * u + v * v)) * peak
    g[y0:y1, x0:x1] = part
    core = np.clip(g * 1.6, 0, 1)[..., None]
    img = photo.image.astype(np.float32)
    img = img * (1 - core) + 255 * core + 60 * g[..., None]
    return replace(photo, image=_u8(img)), (core[..., 0] >= 0.85).astype(np.uint8)


SKIN_TONES = ((225, 190, 160), (205, 160, 125), (170, 120, 85), (120, 80, 55), (240, 205, 185))


def occlusion(
    photo: Photo,
    rng: Random,
    tip: tuple[float, float],
    base: tuple[float, float],
    width: float,
    tone: tuple[int, int, int] | None = None,
) -> tuple[Photo, U8]:
    """A finger (thumb) from ``base`` to its rounded tip at ``tip``. Returns the mask too."""
    h, w = photo.image.shape[:2]
    tx, ty = tip
    ex, ey = base
    mask = np.zeros((h, w), np.uint8)
    thick = max(6, int(width))
    cv2.line(mask, (int(ex), int(ey)), (int(tx), int(ty)), 255, thick)
    cv2.circle(mask, (int(tx), int(ty)), thick // 2, 255, -1)
    soft = cv2.GaussianBlur(mask, (0, 0), max(1.0, thick * 0.08)).astype(np.float32) / 255
    if tone is None:
        r_ = rng.uniform(185, 230)
        skin = np.array(
            [r_ * rng.uniform(0.55, 0.68), r_ * rng.uniform(0.72, 0.82), r_], np.float32
        )
    else:  # an RGB skin tone, varied a little
        k = rng.uniform(0.9, 1.08)
        skin = np.array([tone[2] * k, tone[1] * k, tone[0] * k], np.float32)
    # shading across the finger: darker at the sides
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    shade = 0.65 + 0.35 * np.clip(dist / (thick / 2), 0, 1)
    finger = skin[None, None, :] * shade[..., None]
    # the nail: a lighter, pinker ellipse just behind the tip
    length = max(1e-6, math.hypot(ex - tx, ey - ty))
    ux, uy = (ex - tx) / length, (ey - ty) / length
    nail = np.zeros((h, w), np.uint8)
    centre = (int(tx + ux * thick * 0.4), int(ty + uy * thick * 0.4))
    axes = (max(2, int(thick * 0.42)), max(2, int(thick * 0.3)))
    cv2.ellipse(nail, centre, axes, math.degrees(math.atan2(uy, ux)), 0, 360, 255, -1)
    nail_f = cv2.GaussianBlur(nail, (0, 0), max(1.0, thick * 0.04)).astype(np.float32) / 255
    tint = np.array([1.12, 1.08, 1.04], np.float32)
    finger = finger * (1 + (tint - 1) * nail_f[..., None])
    img = photo.image.astype(np.float32) * (1 - soft[..., None]) + finger * soft[..., None]
    return replace(photo, image=_u8(img)), (soft > 0.5).astype(np.uint8)


def gaussian_blur(photo: Photo, sigma: float) -> Photo:
    if sigma <= 0:
        return photo
    return replace(photo, image=_as_u8(cv2.GaussianBlur(photo.image, (0, 0), sigma)))


def motion_blur(photo: Photo, length: int, angle: float) -> Photo:
    length = max(1, int(length))
    if length <= 1:
        return photo
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kern = np.asarray(cv2.warpAffine(k, rot, (length, length)), np.float32)
    kern /= max(1e-6, float(kern.sum()))
    return replace(photo, image=_as_u8(cv2.filter2D(photo.image, -1, kern)))


def sensor_noise(photo: Photo, rng: Random, sigma: float) -> Photo:
    nrng = np.random.default_rng(rng.randrange(2**32))
    h, w = photo.image.shape[:2]
    img = photo.image.astype(np.float32) + _noise(nrng, (w, h), sigma)[..., None]
    return replace(photo, image=_u8(img))


def jpeg(photo: Photo, quality: int) -> Photo:
    ok, buf = cv2.imencode(".jpg", photo.image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return replace(photo, image=np.asarray(img, np.uint8))


SCREENS = ("lcd_stripe", "oled_pentile", "laptop_matte")


def recapture(
    photo: Photo, rng: Random, strength: float = 1.0, screen: str = "lcd_stripe"
) -> Photo:
    """Screen re-shoot: moiré interference, visible pixel grid and a colour cast. The
    ``screen``: an LCD with RGB stripes, an OLED with a diagonal (pentile) sub-pixel
    pattern and a bluish cast, or a matte laptop panel (finer grid, softer, dimmer)."""
    if screen == "oled_pentile":
        return _recapture_oled(photo, rng, strength)
    if screen == "laptop_matte":
        photo = replace(photo, image=_as_u8(cv2.GaussianBlur(photo.image, (0, 0), 0.8)))
        strength *= 0.7
    h, w = photo.image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = photo.image.astype(np.float32)
    # moiré: beat between the screen's pixel pitch and the camera's sampling
    f1, a1 = rng.uniform(0.35, 0.6), rng.uniform(0, math.pi)
    f2 = f1 * rng.uniform(0.97, 1.03)
    a2 = a1 + rng.uniform(0.02, 0.08)
    m = np.sin(f1 * (xx * math.cos(a1) + yy * math.sin(a1))) + np.sin(
        f2 * (xx * math.cos(a2) + yy * math.sin(a2))
    )
    img *= (1 + 0.10 * strength * m / 2)[..., None]
    # pixel grid: dark lines every `pitch` pixels, RGB sub-pixel stripes
    pitch = rng.randint(3, 5)
    grid = np.ones((h, w), np.float32)
    grid[::pitch, :] *= 1 - 0.25 * strength
    grid[:, ::pitch] *= 1 - 0.25 * strength
    img *= grid[..., None]
    sub = xx.astype(np.int32) % 3
    for c in range(3):
        img[..., c] *= np.where(sub == (2 - c), 1 + 0.06 * strength, 1 - 0.03 * strength)
    cast = np.array(
        [rng.uniform(0.95, 1.12), rng.uniform(0.95, 1.05), rng.uniform(0.85, 1.02)], np.float32
    )
    img = img * cast + rng.uniform(5, 25) * strength  # raised black level of a lit screen
    return replace(photo, image=_u8(img))


def _recapture_oled(photo: Photo, rng: Random, strength: float) -> Photo:
    h, w = photo.image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = photo.image.astype(np.float32)
    f1, a1 = rng.uniform(0.3, 0.5), rng.uniform(0, math.pi)
    m = np.sin(f1 * (xx * math.cos(a1) + yy * math.sin(a1))) * np.sin(
        f1 * rng.uniform(0.97, 1.03) * (xx * math.cos(a1 + 0.7) + yy * math.sin(a1 + 0.7))
    )
    img *= (1 + 0.12 * strength * m)[..., None]
    pitch = rng.randint(3, 4)
    diag = ((xx.astype(np.int32) + yy.astype(np.int32)) % pitch == 0).astype(np.float32)
    img *= (1 - 0.2 * strength * diag)[..., None]
    cast = np.array(
        [rng.uniform(1.02, 1.15), rng.uniform(0.95, 1.05), rng.uniform(0.9, 1.0)], np.float32
    )
    img = img * cast + rng.uniform(3, 15) * strength
    return replace(photo, image=_u8(img))


# ---------------------------------------------------------------------------------------
# Cameras: phone processing, messaging apps, flatbed scans
# ---------------------------------------------------------------------------------------


def sharpen(photo: Photo, amount: float, radius: float) -> Photo:
    """Unsharp masking as phone pipelines apply it: bright and dark halos along edges."""
    if amount <= 0:
        return photo
    blur = cv2.GaussianBlur(photo.image, (0, 0), radius)
    out = cv2.addWeighted(photo.image, 1.0 + amount, blur, -amount, 0)  # saturates at 0/255
    return replace(photo, image=_as_u8(out))


def denoise(photo: Photo, strength: float) -> Photo:
    """Edge-preserving smoothing (a phone's noise reduction): flat areas lose their grain
    and fine print its texture."""
    if strength <= 0:
        return photo
    d = 5
    out = cv2.bilateralFilter(photo.image, d, 12 + 40 * strength, 2 + 3 * strength)
    return replace(photo, image=_as_u8(out))


def chroma_noise(photo: Photo, rng: Random, sigma: float) -> Photo:
    """Low-frequency colour blotches (noise in the chroma channels only)."""
    if sigma <= 0:
        return photo
    nrng = np.random.default_rng(rng.randrange(2**32))
    h, w = photo.image.shape[:2]
    ycc = cv2.cvtColor(photo.image, cv2.COLOR_BGR2YCrCb).astype(np.float32)
    for c in (1, 2):
        small = nrng.standard_normal((max(2, h // 4), max(2, w // 4))).astype(np.float32)
        ycc[..., c] += _upscale(small, (w, h)) * np.float32(sigma)
    return replace(photo, image=_as_u8(cv2.cvtColor(_u8(ycc), cv2.COLOR_YCrCb2BGR)))


def messaging(
    photo: Photo, rng: Random, long_side: int = 1280, quality: int | None = None
) -> Photo:
    """What a messaging app does to a sent photo: downscale to ``long_side`` and JPEG."""
    h, w = photo.image.shape[:2]
    factor = long_side / max(h, w)
    if factor < 1:
        photo = rescale(photo, factor)
    return jpeg(photo, quality if quality is not None else rng.randint(70, 85))


def scan_background(size: tuple[int, int], rng: Random, warm: bool = False) -> U8:
    """A flatbed's white lid (nearly uniform, faint noise)."""
    w, h = size
    v = rng.uniform(238, 252)
    base = np.array([v - (6 if warm else 0), v - (2 if warm else 0), v], np.float32)
    nrng = np.random.default_rng(rng.randrange(2**32))
    img = base + _noise(nrng, (w, h), 1.2)[..., None]
    return _u8(img)


# ---------------------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------------------


def fraction_inside(quad: F64, size: tuple[int, int]) -> float:
    """Share of a convex quad's area that lies inside the (w, h) frame."""
    w, h = size
    poly = quad.astype(np.float32).reshape(-1, 1, 2)
    area = abs(float(cv2.contourArea(poly)))
    if area <= 0:
        return 0.0
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    inter, _ = cv2.intersectConvexConvex(poly.reshape(-1, 2), frame)
    return float(inter) / area


def mask_coverage(quad: F64, mask: U8) -> float:
    """Share of the quad's pixels covered by ``mask`` (1 = covered)."""
    m = np.zeros(mask.shape, np.uint8)
    cv2.fillPoly(m, [np.round(quad).astype(np.int32)], 1)
    n = int(m.sum())
    if n == 0:
        return 0.0
    return float((m & mask).sum()) / n
