"""The generator's typefaces: CJK families from Debian packages (and the Noto pair that a
Python dependency ships), each with a per-character fallback.

A :class:`Face` is one family at one size plus a fallback family of a similar style: any
character the primary font's cmap lacks (cwTeX FangSong has no glyph for about 450
simplified characters of our texts; the GB-only Arphic fonts and Smiley Sans lack a dozen
rare place-name characters) is drawn from the fallback, run by run. A font file missing
on the machine raises :class:`MissingFontError` naming the Debian package that installs
it: the generator never falls back to another family silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

Style = Literal["hei", "song", "kai", "fangsong", "latin"]


class MissingFontError(RuntimeError):
    """A font file the generator needs is not installed (the message names the package)."""


@dataclass(frozen=True)
class Family:
    key: str
    name: str  # as the font names itself
    style: Style
    path: str  # absolute, or "pylopdf:<file>" for the fonts inside pylopdf-fonts-zh-cn
    index: int  # face index inside a .ttc
    package: str  # what installs it: a Debian package, or the PyPI one
    fallback: str | None  # family key drawing the characters this one lacks


_FONTS = "/usr/share/fonts"
FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        # Hei / sans
        Family("noto_sans", "Noto Sans SC", "hei", "pylopdf:NotoSansSC-Regular.otf", 0,
               "pylopdf-fonts-zh-cn (PyPI dependency)", "noto_serif"),
        Family("zenhei", "WenQuanYi Zen Hei", "hei", f"{_FONTS}/truetype/wqy/wqy-zenhei.ttc", 0,
               "fonts-wqy-zenhei", "noto_sans"),
        Family("microhei", "WenQuanYi Micro Hei", "hei",
               f"{_FONTS}/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei", "uming"),
        Family("smiley", "Smiley Sans", "hei",
               f"{_FONTS}/truetype/smiley-sans/SmileySans-Oblique.ttf", 0, "fonts-smiley-sans",
               "microhei"),
        # Song / Ming
        Family("noto_serif", "Noto Serif SC", "song", "pylopdf:NotoSerifSC-Regular.otf", 0,
               "pylopdf-fonts-zh-cn (PyPI dependency)", "noto_sans"),
        Family("uming", "AR PL UMing CN", "song", f"{_FONTS}/truetype/arphic/uming.ttc", 0,
               "fonts-arphic-uming", "microhei"),
        Family("sungtil", "AR PL SungtiL GB", "song",
               f"{_FONTS}/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0, "fonts-arphic-gbsn00lp",
               "uming"),
        # Kai
        Family("ukai", "AR PL UKai CN", "kai", f"{_FONTS}/truetype/arphic/ukai.ttc", 0,
               "fonts-arphic-ukai", "noto_serif"),
        Family("kaitim", "AR PL KaitiM GB", "kai",
               f"{_FONTS}/truetype/arphic-gkai00mp/gkai00mp.ttf", 0, "fonts-arphic-gkai00mp",
               "wenkai"),
        Family("wenkai", "LXGW WenKai", "kai",
               f"{_FONTS}/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0, "fonts-lxgw-wenkai",
               "uming"),
        # FangSong
        Family("cwfs", "cwTeX FangSong", "fangsong", f"{_FONTS}/truetype/cwtex/cwfs.ttf", 0,
               "fonts-cwtex-fs", "noto_serif"),
        # Latin digits and letters for printed numbers (ID number, codes)
        Family("ocrb", "OCR B", "latin", f"{_FONTS}/opentype/ocr-b/OCRB.otf", 0, "fonts-ocr-b",
               "noto_sans"),
        Family("dejavu_cond", "DejaVu Sans Condensed", "latin",
               f"{_FONTS}/truetype/dejavu/DejaVuSansCondensed.ttf", 0, "fonts-dejavu-extra",
               "microhei"),
        Family("dejavu_serif_cond", "DejaVu Serif Condensed", "latin",
               f"{_FONTS}/truetype/dejavu/DejaVuSerifCondensed.ttf", 0, "fonts-dejavu-extra",
               "uming"),
    )
}  # fmt: skip

# The Debian packages the generator needs (scripts/system-deps.sh installs them).
DEBIAN_PACKAGES = tuple(
    sorted({f.package for f in FAMILIES.values() if not f.path.startswith("pylopdf:")})
)


@cache
def font_file(key: str) -> str:
    """The file of family ``key``; raises :class:`MissingFontError` if it is not installed."""
    fam = FAMILIES[key]
    if fam.path.startswith("pylopdf:"):
        import pylopdf_fonts_zh_cn

        path = Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / fam.path.split(":", 1)[1]
    else:
        path = Path(fam.path)
    if not path.is_file():
        raise MissingFontError(
            f"font {fam.name!r} ({path}) is missing: install it with "
            f"`apt-get install {fam.package}` (scripts/system-deps.sh does)"
        )
    return str(path)


@cache
def cmap(key: str) -> frozenset[int]:
    """The code points family ``key`` has a glyph for (its best cmap)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    tt = TTFont(font_file(key), fontNumber=FAMILIES[key].index, lazy=True)
    try:
        best = tt.getBestCmap() or {}
        return frozenset(best)
    finally:
        tt.close()


def covers(key: str, ch: str) -> bool:
    return ch.isspace() or ord(ch) in cmap(key)


@lru_cache(maxsize=512)
def freetype(key: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(key), size, index=FAMILIES[key].index)


class Face:
    """A family at a size, with its fallback for characters the family lacks.

    Behaves like the parts of ``ImageFont.FreeTypeFont`` the renderers use (``size``,
    ``getlength``) and splits text into runs of one font each (:meth:`runs`).
    """

    def __init__(self, key: str, size: int) -> None:
        self.key = key
        self.size = int(size)
        self.primary = freetype(key, self.size)
        fb = FAMILIES[key].fallback
        self.fallback_key = fb
        self.fallback = freetype(fb, self.size) if fb is not None else None

    def font_for(self, ch: str) -> ImageFont.FreeTypeFont:
        if covers(self.key, ch):
            return self.primary
        if self.fallback is not None and self.fallback_key and covers(self.fallback_key, ch):
            return self.fallback
        raise ValueError(f"no glyph for {ch!r} (U+{ord(ch):04X}) in {self.key} or its fallback")

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        out: list[tuple[ImageFont.FreeTypeFont, str]] = []
        for ch in text:
            f = self.font_for(ch)
            if out and out[-1][0] is f:
                out[-1] = (f, out[-1][1] + ch)
            else:
                out.append((f, ch))
        return out

    def getlength(self, text: str) -> float:
        return float(sum(f.getlength(t) for f, t in self.runs(text)))

    def __repr__(self) -> str:
        return f"Face({self.key!r}, {self.size})"


@lru_cache(maxsize=1024)
def face(key: str, size: int) -> Face:
    return Face(key, max(6, int(size)))


def check_installed() -> list[str]:
    """The messages of every missing font (empty when all are installed)."""
    missing: list[str] = []
    for key in FAMILIES:
        try:
            font_file(key)
        except MissingFontError as exc:
            missing.append(str(exc))
    return missing
