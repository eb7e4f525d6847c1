"""The two splits of the generator's variants: ``tuned`` (develop and tune on these) and
``heldout`` (never tune on these; report them beside the tuned numbers).

Each split has its own pools, disjoint where the thing can be split at all:

- font families per text role (label, value, number, title, seal, footer): tuned draws
  from Noto Sans SC, WenQuanYi Zen Hei, Noto Serif SC, AR PL UKai and cwTeX FangSong;
  held-out from WenQuanYi Micro Hei, Smiley Sans, AR PL UMing, AR PL SungtiL GB,
  AR PL KaitiM GB and LXGW WenKai (no second FangSong is packaged: held-out has none);
  printed numbers sometimes in OCR-B (tuned) or a condensed DejaVu (held-out);
- layout variants (label spacing x label/value arrangement x value alignment): disjoint
  combinations per split; line spacing and label colours from disjoint ranges;
- table-top backgrounds, camera profiles, watermark and stamp texts.

A :class:`Variant` is drawn once per document from its split's pools and recorded in the
truth (``truth["variant"]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Any, Literal

Split = Literal["tuned", "heldout"]
SPLITS: tuple[Split, ...] = ("tuned", "heldout")
ROLES = ("label", "value", "number", "title", "seal", "footer")

CJK_FAMILIES: dict[Split, tuple[str, ...]] = {
    "tuned": ("noto_sans", "zenhei", "noto_serif", "ukai", "cwfs"),
    "heldout": ("microhei", "smiley", "uming", "sungtil", "kaitim", "wenkai"),
}
NUMBER_FAMILIES: dict[Split, tuple[str, ...]] = {
    "tuned": ("ocrb",),
    "heldout": ("dejavu_cond", "dejavu_serif_cond"),
}
# Share of documents whose numbers (ID number, codes) are printed in the Latin number font.
NUMBER_FONT_SHARE = 0.3

# Label spacing: "spread" (名　　称 over a fixed width), "tight" (名称), "space" (名 称).
# Arrangement: "inline" (value right of the label) or "stacked" (value under the label).
# Alignment: "column" (values start at one x), "follow" (each value right after its label).
LAYOUTS: dict[Split, tuple[tuple[str, str, str], ...]] = {
    "tuned": (
        ("spread", "inline", "column"),
        ("tight", "inline", "column"),
        ("space", "inline", "follow"),
        ("tight", "stacked", "column"),
    ),
    "heldout": (
        ("space", "inline", "column"),
        ("tight", "inline", "follow"),
        ("spread", "inline", "follow"),
        ("spread", "stacked", "column"),
    ),
}
# ID cards keep the real card's design: values right of their labels, in one column.
CARD_LABELS: dict[Split, tuple[str, ...]] = {
    "tuned": ("spread", "tight"),
    "heldout": ("space", "spread"),
}
LINE_SPACING: dict[Split, tuple[tuple[float, float], ...]] = {
    "tuned": ((1.30, 1.50),),
    "heldout": ((1.15, 1.30), (1.50, 1.70)),
}
# Label colours: ID cards print blue labels; licenses black, some brownish or dark blue.
CARD_LABEL_COLOURS: dict[Split, tuple[tuple[int, int, int], ...]] = {
    "tuned": ((46, 112, 176), (60, 120, 170)),
    "heldout": ((30, 90, 150), (70, 110, 140), (40, 130, 190)),
}
LICENSE_LABEL_COLOURS: dict[Split, tuple[tuple[int, int, int], ...]] = {
    "tuned": ((24, 24, 28), (60, 40, 30)),
    "heldout": ((20, 30, 70), (45, 45, 45), (90, 30, 30)),
}
BACKGROUNDS: dict[Split, tuple[str, ...]] = {
    "tuned": ("wood", "desk", "fabric", "dark", "paper"),
    "heldout": ("marble", "tablecloth", "granite", "cardboard", "leather"),
}
CAMERAS: dict[Split, tuple[str, ...]] = {
    "tuned": ("phone_4x3", "phone_16x9", "phone_portrait", "scan_flatbed"),
    "heldout": ("phone_4x3_hi", "phone_portrait_hi", "phone_16x9_small", "scan_sheetfed"),
}
WATERMARK_TEXTS: dict[Split, tuple[str, ...]] = {
    "tuned": ("仅供网站备案使用", "复印无效", "仅供办理备案使用", "再复印无效"),
    "heldout": ("与原件一致", "仅供银行开户使用", "仅供本次业务使用", "他用无效"),
}
STAMP_TEXTS: dict[Split, tuple[str, ...]] = {
    "tuned": ("复印无效", "仅供备案使用"),
    "heldout": ("与原件一致", "禁止复印"),
}
# Passport data pages: layouts (kyc/synth/travel_docs.py) and how dates are printed.
PASSPORT_LAYOUTS: dict[Split, tuple[str, ...]] = {
    "tuned": ("prc_name", "foreign_en"),
    "heldout": ("prc_split", "foreign_fr"),
}
PASSPORT_DATES: dict[Split, tuple[str, ...]] = {
    "tuned": ("mon",),
    "heldout": ("bilingual", "dots"),
}
SEAL_SUFFIXES: dict[Split, tuple[str, ...]] = {
    "tuned": ("", "公章"),
    "heldout": ("", "业务专用章"),
}


@dataclass(frozen=True)
class Variant:
    """The variant of one document: fonts per role, layout, camera, background."""

    split: Split
    fonts: dict[str, str]  # role -> family key
    label_style: str
    arrangement: str
    alignment: str
    line_spacing: float
    label_colour: tuple[int, int, int]
    jitter: float  # how far positions and sizes move, as a share of the nominal values
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def layout_id(self) -> str:
        return f"{self.label_style}/{self.arrangement}/{self.alignment}"

    def record(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "fonts": dict(self.fonts),
            "layout": self.layout_id,
            "line_spacing": round(self.line_spacing, 3),
            "label_colour": list(self.label_colour),
            **self.extra,
        }


def check_split(split: str) -> Split:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    return split


def draw_variant(rng: Random, split: Split, kind: str) -> Variant:
    """A random variant of ``kind`` from the pools of ``split``."""
    fams = CJK_FAMILIES[split]
    fonts = {role: rng.choice(fams) for role in ROLES}
    if rng.random() < NUMBER_FONT_SHARE:
        fonts["number"] = rng.choice(NUMBER_FAMILIES[split])
    if kind.startswith("id_card"):
        label_style = rng.choice(CARD_LABELS[split])
        arrangement, alignment = "inline", "column"
        colour = rng.choice(CARD_LABEL_COLOURS[split])
    else:
        label_style, arrangement, alignment = rng.choice(LAYOUTS[split])
        colour = rng.choice(LICENSE_LABEL_COLOURS[split])
    lo, hi = rng.choice(LINE_SPACING[split])
    colour = (
        min(255, max(0, colour[0] + rng.randint(-8, 8))),
        min(255, max(0, colour[1] + rng.randint(-8, 8))),
        min(255, max(0, colour[2] + rng.randint(-8, 8))),
    )
    extra: dict[str, Any] = {}
    if kind == "passport":
        extra = {
            "passport_layouts": PASSPORT_LAYOUTS[split],
            "passport_dates": rng.choice(PASSPORT_DATES[split]),
        }
    return Variant(
        split=split,
        fonts=fonts,
        label_style=label_style,
        arrangement=arrangement,
        alignment=alignment,
        line_spacing=rng.uniform(lo, hi),
        label_colour=colour,
        jitter=rng.uniform(0.0, 1.0),
        extra=extra,
    )


def default_variant() -> Variant:
    """The generator's original look (Noto Sans values, Noto Serif titles, spread labels):
    what renderers use when no variant is passed."""
    fonts = dict.fromkeys(ROLES, "noto_sans") | {"title": "noto_serif", "seal": "noto_serif"}
    return Variant("tuned", fonts, "spread", "inline", "column", 1.42, (46, 112, 176), 0.0)


# Conditions of the hard level, varied per split (same warnings, other looks).
GLARE_SHAPES: dict[Split, tuple[str, ...]] = {
    "tuned": ("blob", "streak"),
    "heldout": ("window", "ring"),
}
SKIN_TONES: dict[Split, tuple[tuple[int, int, int], ...]] = {  # RGB
    "tuned": ((225, 190, 160), (170, 120, 85), (240, 205, 185)),
    "heldout": ((205, 160, 125), (120, 80, 55)),
}
SCREENS: dict[Split, tuple[str, ...]] = {
    "tuned": ("lcd_stripe", "laptop_matte"),
    "heldout": ("oled_pentile",),
}


@dataclass(frozen=True)
class Camera:
    """A camera (or scanner) profile: frame size and shape, and the processing its
    pipeline applies."""

    id: str
    long_side: tuple[int, int]  # range of the frame's long side, px
    aspect: float  # long / short
    portrait: bool
    sharpen: tuple[float, float]  # unsharp-mask amount range
    sharpen_radius: tuple[float, float]
    denoise: tuple[float, float]
    chroma: tuple[float, float]  # chroma-noise sigma range
    messaging: float  # chance the photo went through a messaging app (1280 px + JPEG)
    scanner: bool = False
    dpi: tuple[int, int] = (0, 0)


CAMERA_PROFILES: dict[str, Camera] = {
    c.id: c
    for c in (
        Camera("phone_4x3", (1600, 3000), 4 / 3, False, (0.2, 0.7), (1.0, 1.6), (0.0, 0.5),
               (0.0, 2.0), 0.15),
        Camera("phone_16x9", (1920, 2560), 16 / 9, False, (0.2, 0.6), (1.0, 1.5), (0.0, 0.4),
               (0.0, 2.0), 0.15),
        Camera("phone_portrait", (1600, 3000), 4 / 3, True, (0.2, 0.7), (1.0, 1.6), (0.0, 0.5),
               (0.0, 2.0), 0.15),
        Camera("scan_flatbed", (0, 0), 297 / 210, True, (0.0, 0.2), (1.0, 1.2), (0.0, 0.0),
               (0.0, 0.0), 0.0, scanner=True, dpi=(200, 240)),
        Camera("phone_4x3_hi", (3264, 4032), 4 / 3, False, (0.7, 1.4), (1.5, 2.5), (0.5, 1.0),
               (1.5, 4.0), 0.25),
        Camera("phone_portrait_hi", (2400, 4032), 16 / 9, True, (0.6, 1.2), (1.4, 2.2),
               (0.4, 0.9), (1.0, 3.5), 0.25),
        Camera("phone_16x9_small", (1280, 1600), 16 / 9, False, (0.4, 1.0), (1.0, 2.0),
               (0.3, 0.8), (1.0, 3.0), 0.25),
        Camera("scan_sheetfed", (0, 0), 297 / 210, True, (0.1, 0.4), (1.0, 1.4), (0.0, 0.0),
               (0.0, 0.0), 0.0, scanner=True, dpi=(250, 300)),
    )
}  # fmt: skip
