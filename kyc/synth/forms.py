"""Synthetic "website filing information authenticity verification forms"
(网站备案信息真实性核验单), signed, stamped or faulty, scanned or photographed, with their
filing and ground truth: the material of the form check (``kyc check-form``, R-DOC-4 and
R-REJ-2) and of its benchmark (scripts/bench_forms.py).

A form is printed by the filing system with the subject's and the website's data, the
provider's verification items (tick boxes the provider's staff fill in) and the promise
the website principal signs. A correct form carries the principal's handwritten
signature and, for a unit, the unit's red seal beside it; the date stays blank and
nothing else is filled in or ticked (RULES.md R-DOC-4, R-REJ-2).

Variants come in two splits. ``tuned`` (the thresholds of kyc/forms may be set on it)
and ``held_out`` (never looked at while tuning): held-out forms use other page layouts,
label wordings, printed fonts, handwriting and seal styles, so a number measured on them
says how the check does on forms it was not shaped by.

    s = generate_form(Random(7), split="tuned", fault="date_filled")
    s.image   # BGR photo or scan
    s.filing  # the filing order (the JSON of ``kyc check-filing``) the form belongs to
    s.truth   # what a correct check reports, plus the variant and the fault
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kyc.synth import degrade as dg
from kyc.synth.filing import enterprise_filing, make_id, person, website
from kyc.synth.identity import make_company, make_person
from kyc.synth.render import draw_seal

Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]
U8 = npt.NDArray[np.uint8]
Split = Literal["tuned", "held_out"]
Nature = Literal["individual", "unit"]
Capture = Literal["scan", "photo"]

PAGE = (1240, 1754)  # A4 at 150 dpi
SPLITS: tuple[Split, ...] = ("tuned", "held_out")

# One fault per faulty form; each makes a reviewer reject it (R-DOC-4 / R-REJ-2).
FAULTS = (
    "no_signature",  # the website principal did not sign
    "no_seal",  # a unit without its seal
    "seal_wrong_place",  # the unit's only seal is not beside the signature (R-REJ-2)
    "extra_seal",  # a seal beside the signature and another elsewhere (R-REJ-2)
    "date_filled",  # the date was written in
    "extra_ticks",  # the provider's tick boxes were ticked
    "provider_filled",  # the provider's signature / date blanks were written in
    "wrong_principal",  # the printed website principal is not the filing's
    "wrong_url",  # the printed homepage URL is not the filing's
    "not_a_form",  # another signed page, not the verification form
)
UNIT_ONLY_FAULTS = frozenset({"no_seal", "seal_wrong_place", "extra_seal"})

# Variant pools per split: page layout, printed font, handwriting, seal style.
LAYOUTS: dict[Split, tuple[str, ...]] = {"tuned": ("grid", "lines"), "held_out": ("columns",)}
PRINT_FONTS: dict[Split, tuple[str, ...]] = {
    "tuned": ("noto_sans", "noto_serif"),
    "held_out": ("microhei", "uming"),
}
HANDS: dict[Split, tuple[str, ...]] = {"tuned": ("kai",), "held_out": ("gkai", "scribble")}
SEALS: dict[Split, tuple[str, ...]] = {"tuned": ("star",), "held_out": ("double",)}

# Font files: the Noto pair ships in a PyPI package; the others are Debian packages that
# scripts/system-deps.sh installs (name in the error when one is missing).
_DEBIAN_FONTS: dict[str, tuple[str, int, str]] = {
    "microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei"),
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"),
    "kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "fonts-arphic-ukai"),
    "gkai": ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0, "fonts-arphic-gkai00mp"),
}

PEN_COLOURS: tuple[RGB, ...] = ((22, 30, 95), (18, 22, 60), (25, 25, 30), (35, 45, 120))
SEAL_COLOURS: tuple[RGB, ...] = ((214, 38, 36), (200, 30, 50), (225, 50, 45), (190, 25, 35))
PROVIDERS = ("示例云计算有限公司", "某某网络科技有限公司", "测试数据服务有限公司")
DOMAIN_WORDS = (
    "cloud", "data", "shop", "tech", "info", "star", "blue", "green", "net", "life",
    "fast", "smart", "home", "mall", "news", "game", "art", "edu", "food", "travel",
)  # fmt: skip
TLDS = ("com", "cn", "com.cn", "net", "top", "org")


@cache
def font_path(name: str) -> tuple[str, int]:
    """(file, face index) of a font of the generator: noto_sans / noto_serif (PyPI) or a
    Debian font (kai, gkai, microhei, uming)."""
    if name in ("noto_sans", "noto_serif"):
        import pylopdf_fonts_zh_cn

        file = {"noto_sans": "NotoSansSC-Regular.otf", "noto_serif": "NotoSerifSC-Regular.otf"}
        return str(Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / file[name]), 0
    path, index, package = _DEBIAN_FONTS[name]
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"font {name} ({path}) is missing: install the Debian package {package} "
            "(scripts/system-deps.sh does)"
        )
    return path, index


@cache
def get_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = font_path(name)
    return ImageFont.truetype(path, size, index=index)


# ---------------------------------------------------------------------------------------
# What the form prints
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormContent:
    nature: Nature
    subject_name: str
    subject_number: str
    website_name: str
    domain: str
    homepage_url: str  # as printed (may carry http://)
    principal: str
    principal_number: str
    mobile: str
    provider: str


def _mask_number(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def random_domain(rng: Random) -> str:
    words = rng.sample(DOMAIN_WORDS, rng.choice((1, 2, 2)))
    stem = "".join(words) + (str(rng.randint(1, 99)) if rng.random() < 0.25 else "")
    return f"{stem}.{rng.choice(TLDS)}"


def make_content(rng: Random, nature: Nature, today: dt.date) -> FormContent:
    principal = make_person(rng, today, min_age=22, max_age=60)
    domain = random_domain(rng)
    if nature == "unit":
        company = make_company(rng, today, individual=False)
        while not (company.name and company.credit_code):  # a named company with a code
            company = make_company(rng, today, individual=False)
        subject, number = company.name, company.credit_code
        site = subject.split("有限")[0][-4:] + rng.choice(("官网", "官方网站", "服务平台"))
    else:
        subject, number = principal.name, principal.id_number
        site = principal.name + rng.choice(("的博客", "个人主页", "学习笔记"))
    url = "www." + domain
    if rng.random() < 0.2:
        url = rng.choice(("http://", "https://")) + url
    return FormContent(
        nature=nature,
        subject_name=subject,
        subject_number=number,
        website_name=site,
        domain=domain,
        homepage_url=url,
        principal=principal.name,
        principal_number=principal.id_number,
        mobile="1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9)),
        provider=rng.choice(PROVIDERS),
    )


# ---------------------------------------------------------------------------------------
# Page rendering: every layout returns the page and where things are on it
# ---------------------------------------------------------------------------------------


@dataclass
class PageMap:
    """Where the marks of a form go, in page pixels."""

    sign_zone: Box = (0, 0, 0, 0)  # the blank right of the principal's signature label
    seal_spot: tuple[float, float] = (0.0, 0.0)  # centre of a correctly placed seal
    date_blanks: list[Box] = field(default_factory=list)  # before 年, 月, 日
    checkboxes: list[Box] = field(default_factory=list)
    provider_sign: Box = (0, 0, 0, 0)
    provider_date: list[Box] = field(default_factory=list)
    wrong_spots: list[tuple[float, float]] = field(default_factory=list)
    values: dict[str, Box] = field(default_factory=dict)  # printed principal / URL


class Pen:
    """Printing helpers on one page: text with its ink box, rules, tick boxes."""

    def __init__(self, img: Image.Image, font_name: str, size: int) -> None:
        self.img = img
        self.d = ImageDraw.Draw(img)
        self.font_name = font_name
        self.size = size
        self.ink: RGB = (20, 20, 22)

    def f(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return get_font(self.font_name, max(8, round(self.size * scale)))

    def text(self, x: float, y: float, s: str, scale: float = 1.0, bold: bool = False) -> Box:
        """Text with its baseline-left at (x, y); returns its ink box."""
        f = self.f(scale)
        stroke = 1 if bold else 0
        self.d.text((x, y), s, font=f, fill=self.ink, anchor="ls", stroke_width=stroke)
        b = self.d.textbbox((x, y), s, font=f, anchor="ls", stroke_width=stroke)
        return (int(b[0]), int(b[1]), math.ceil(b[2]), math.ceil(b[3]))

    def width(self, s: str, scale: float = 1.0) -> float:
        return float(self.f(scale).getlength(s))

    def centred(self, cx: float, y: float, s: str, scale: float = 1.0, bold: bool = False) -> Box:
        return self.text(cx - self.width(s, scale) / 2, y, s, scale, bold)

    def line(self, x0: float, y0: float, x1: float, y1: float, w: int = 2) -> None:
        self.d.line((x0, y0, x1, y1), fill=self.ink, width=w)

    def rect(self, box: tuple[float, float, float, float], w: int = 2) -> None:
        self.d.rectangle(box, outline=self.ink, width=w)

    def checkbox(self, x: float, y: float) -> Box:
        """A printed tick box sitting on the baseline y; returns its box."""
        s = round(self.size * 0.8)
        box = (round(x), round(y - s), round(x + s), round(y))
        self.d.rectangle(box, outline=self.ink, width=2)
        return box

    def paragraph(self, x: float, y: float, s: str, width: float, lead: float) -> float:
        f = self.f()
        line = ""
        for ch in s:
            if line and f.getlength(line + ch) > width:
                self.text(x, y, line)
                y += lead
                line = ch
            else:
                line += ch
        if line:
            self.text(x, y, line)
            y += lead
        return y


PROMISE = (
    "本单位（本人）承诺：以上备案信息真实、准确、完整，已知悉并同意遵守互联网信息服务管理的"
    "有关规定；如有虚假，愿意承担由此产生的一切后果，并同意接入服务单位注销相关备案信息。"
)
OTHER_PAGE = (
    "兹授权我单位员工办理网站备案相关手续，被授权人在办理过程中所签署的有关文件，我单位均予以"
    "承认，并承担相应的法律责任。授权期限自签署之日起至备案完成之日止。特此授权。"
)
CHECK_ITEMS = (
    "主体证件资质是否真实有效",
    "网站负责人证件是否真实有效",
    "网站负责人照片是否与证件一致",
    "联系方式是否真实有效",
    "网站名称报备信息是否规范",
)


def _date_line(pen: Pen, x: float, y: float, label: str) -> tuple[Box, list[Box]]:
    """``label``, then blanks and 年 / 月 / 日; returns (label box, the three blanks)."""
    lb = pen.text(x, y, label)
    gap = pen.size * 2.6
    blanks: list[Box] = []
    cx = lb[2] + pen.size * 0.3
    for unit, w in (("年", gap * 1.3), ("月", gap), ("日", gap)):
        blanks.append((round(cx), round(y - pen.size * 1.1), round(cx + w), round(y + 4)))
        ub = pen.text(cx + w, y, unit)
        cx = ub[2] + pen.size * 0.2
    return lb, blanks


def _info_rows(c: FormContent, wording: int) -> list[tuple[str, str, str]]:
    """(key, label, value) rows of the subject and website data."""
    unit = c.nature == "unit"
    names = (
        ("主办单位名称" if unit else "主办者名称", "网站首页网址", "网站负责人姓名"),
        ("主办者名称", "网站首页URL", "网站负责人"),
    )[wording]
    return [
        ("subject", names[0], c.subject_name),
        ("subject_number", "主办者证件号码", _mask_number(c.subject_number)),
        ("website_name", "网站名称", c.website_name),
        ("domain", "网站域名", c.domain),
        ("homepage_url", names[1], c.homepage_url),
        ("principal", names[2], c.principal),
        ("principal_number", "负责人证件号码", _mask_number(c.principal_number)),
        ("mobile", "负责人手机号码", c.mobile),
    ]


def render_grid(c: FormContent, rng: Random, font_name: str) -> tuple[Image.Image, PageMap]:
    """Tuned layout: a bordered table of the data, the provider's tick boxes in a second
    table, the promise, and two signature blocks at the bottom (provider left, applicant
    right)."""
    img = Image.new("RGB", PAGE, (255, 255, 255))
    size = rng.randint(22, 26)
    pen = Pen(img, font_name, size)
    m = PageMap()
    left, right = 96.0, PAGE[0] - 96.0
    y = 150.0
    pen.centred(PAGE[0] / 2, y, "网站备案信息真实性核验单", 1.8, bold=True)
    y += size * 2.2
    pen.text(left, y, f"核验单编号：{rng.randint(10**9, 10**10 - 1)}", 0.8)
    y += size * 1.8
    pen.text(left, y, "一、网站主办者基本信息", 1.1, bold=True)
    y += size * 0.8
    row = size * 2.1
    label_w = pen.width("负责人手机号码") + size * 1.2
    top = y
    for key, label, value in _info_rows(c, 0):
        base = y + row * 0.68
        pen.text(left + size * 0.5, base, label)
        vb = pen.text(left + label_w + size * 0.5, base, value)
        m.values[key] = vb
        y += row
        pen.line(left, y, right, y)
    pen.rect((left, top, right, y))
    pen.line(left + label_w, top, left + label_w, y)
    m.wrong_spots.append((rng.uniform(left + 250, right - 250), rng.uniform(top + 60, y - 60)))
    y += size * 1.6
    pen.text(left, y, "二、网站备案信息核验内容（由接入服务单位核验人员填写）", 1.1, bold=True)
    y += size * 0.8
    top = y
    col = right - size * 7.5
    for item in CHECK_ITEMS:
        base = y + row * 0.68
        pen.text(left + size * 0.5, base, item)
        bx = col + size * 0.8
        for word in ("是", "否"):
            b = pen.checkbox(bx, base)
            m.checkboxes.append(b)
            wb = pen.text(b[2] + size * 0.3, base, word)
            bx = wb[2] + size * 1.2
        y += row
        pen.line(left, y, right, y)
    pen.rect((left, top, right, y))
    pen.line(col, top, col, y)
    y += size * 1.6
    pen.text(left, y, "三、网站备案信息核验承诺", 1.1, bold=True)
    y += size * 1.6
    para_top = y
    y = pen.paragraph(left + size * 2, y, PROMISE, right - left - size * 2, size * 1.7)
    m.wrong_spots.append((rng.uniform(left + 200, right - 200), (para_top + y) / 2 - size))
    y += size * 2.5
    # signature blocks: provider left, applicant right
    mid = PAGE[0] / 2 + size
    lead = size * 3.2
    pb = pen.text(left, y, "接入服务单位核验人（签字）：")
    m.provider_sign = (pb[2] + 4, round(y - size * 1.6), round(mid - size), round(y + size * 0.5))
    ab = pen.text(mid, y, "网站负责人（签字）：")
    m.sign_zone = (ab[2] + 4, round(y - size * 1.6), round(right), round(y + size * 0.6))
    y2 = y + lead
    ps = pen.text(left, y2, "接入服务单位（盖章）：")
    m.wrong_spots.append((ps[2] - size * 2, y2 + size))
    seal_label = "网站主办者（盖章）：" if c.nature == "unit" else "网站主办者（盖章/签字）："
    sb = pen.text(mid, y2, seal_label)
    y3 = y2 + lead
    _, m.provider_date = _date_line(pen, left, y3, "核验日期：")
    _, m.date_blanks = _date_line(pen, mid, y3, "日期：")
    m.seal_spot = (rng.uniform(ab[2], min(right - 60, ab[2] + 200)), (y + sb[1]) / 2 + size * 0.5)
    m.wrong_spots.append((rng.uniform(left + 150, right - 150), 120.0))
    return img, m


def render_lines(c: FormContent, rng: Random, font_name: str) -> tuple[Image.Image, PageMap]:
    """Tuned layout: "label：value" lines with underlines, the provider's part in a box in
    the middle, and the applicant's block alone at the bottom right."""
    img = Image.new("RGB", PAGE, (255, 255, 255))
    size = rng.randint(22, 26)
    pen = Pen(img, font_name, size)
    m = PageMap()
    left, right = 110.0, PAGE[0] - 110.0
    y = 160.0
    pen.centred(PAGE[0] / 2, y, "网站备案信息真实性核验单", 1.7, bold=True)
    y += size * 3.0
    lead = size * 2.0
    top = y
    for key, label, value in _info_rows(c, 0):
        lb = pen.text(left, y, label + "：")
        vb = pen.text(lb[2] + size * 0.6, y, value)
        m.values[key] = vb
        pen.line(lb[2] + size * 0.3, y + 6, right, y + 6, 1)
        y += lead
    m.wrong_spots.append((rng.uniform(left + 300, right - 250), (top + y) / 2 - size))
    y += size * 0.8
    box_top = y - size * 0.2
    y += size * 1.6
    pen.text(left + size, y, "以下由接入服务单位核验人员填写：", 1.0, bold=True)
    y += lead
    for i in range(0, len(CHECK_ITEMS) - 1, 2):
        x = left + size
        for item in CHECK_ITEMS[i : i + 2]:
            b = pen.checkbox(x, y)
            m.checkboxes.append(b)
            tb = pen.text(b[2] + size * 0.4, y, item[:-4] + "属实")
            x = max(tb[2] + size * 1.5, left + (right - left) / 2)
        y += lead
    pb = pen.text(left + size, y + size * 0.6, "核验人签字：")
    m.provider_sign = (pb[2] + 4, round(y - size * 1.0), round(left + 560), round(y + size))
    _, m.provider_date = _date_line(pen, left + 600, y + size * 0.6, "核验日期：")
    y += size * 2.0
    pen.rect((left, box_top, right, y))
    m.wrong_spots.append((left + 620.0, box_top + (y - box_top) * 0.45))
    y += size * 2.2
    y = pen.paragraph(left, y, PROMISE, right - left, size * 1.7)
    y += size * 4.0
    x0 = PAGE[0] * 0.5
    ab = pen.text(x0, y, "网站负责人签字：")
    m.sign_zone = (ab[2] + 4, round(y - size * 1.7), round(right), round(y + size * 0.6))
    pen.line(ab[2] + 4, y + 6, right, y + 6, 1)
    sb = pen.text(x0, y + size * 3.0, "（单位盖章）" if c.nature == "unit" else "（个人签字即可）")
    _, m.date_blanks = _date_line(pen, x0, y + size * 6.0, "日期：")
    m.seal_spot = (rng.uniform(ab[2] - 40, ab[2] + 160), (y + sb[3]) / 2)
    m.wrong_spots.append((left + rng.uniform(120, 220), y + size * 4.0))
    m.wrong_spots.append((rng.uniform(right - 300, right - 150), 130.0))
    return img, m


def render_columns(c: FormContent, rng: Random, font_name: str) -> tuple[Image.Image, PageMap]:
    """Held-out layout: a four-column data table, other label wordings, the provider's
    items as a "□已核验" list, and the applicant's block at the bottom left."""
    img = Image.new("RGB", PAGE, (255, 255, 255))
    size = rng.randint(21, 25)
    pen = Pen(img, font_name, size)
    m = PageMap()
    left, right = 90.0, PAGE[0] - 90.0
    y = 140.0
    pen.centred(PAGE[0] / 2, y, "网站备案信息真实性核验单", 1.6, bold=True)
    y += size * 1.6
    pen.centred(PAGE[0] / 2, y, "（一式两份，接入服务单位与主体所在地通信管理局各存一份）", 0.75)
    y += size * 1.4
    rows = _info_rows(c, 1)
    row = size * 2.2
    top = y
    half = (right - left) / 2
    lw = pen.width("负责人证件号码") + size * 0.8
    for i in range(0, len(rows), 2):
        for j, (key, label, value) in enumerate(rows[i : i + 2]):
            x = left + j * half
            base = y + row * 0.66
            pen.text(x + size * 0.3, base, label, 0.9)
            scale = 0.9 if pen.width(value, 0.9) < half - lw - size else 0.72
            m.values[key] = pen.text(x + lw + size * 0.3, base, value, scale)
        y += row
        pen.line(left, y, right, y)
    pen.rect((left, top, right, y))
    for x in (left + lw, left + half, left + half + lw):
        pen.line(x, top, x, y)
    m.wrong_spots.append((rng.uniform(left + 200, right - 200), (top + y) / 2))
    y += size * 2.0
    pen.text(left, y, "接入服务单位核验记录", 1.05, bold=True)
    y += size * 1.9
    for item in CHECK_ITEMS[:4]:
        b = pen.checkbox(left + size, y)
        m.checkboxes.append(b)
        pen.text(b[2] + size * 0.4, y, "已核验：" + item[:-4])
        y += size * 1.8
    pb = pen.text(left + size, y + size * 0.4, "核验人员签名：")
    m.provider_sign = (pb[2] + 4, round(y - size * 1.2), round(left + 620), round(y + size))
    _, m.provider_date = _date_line(pen, left + 660, y + size * 0.4, "核验日期：")
    m.wrong_spots.append((left + 700.0, y - size * 3))
    y += size * 2.6
    pen.text(left, y, "网站主办者承诺", 1.05, bold=True)
    y += size * 1.8
    y = pen.paragraph(left + size * 2, y, PROMISE, right - left - size * 2, size * 1.65)
    y += size * 3.6
    ab = pen.text(left, y, "网站负责人签名：")
    m.sign_zone = (ab[2] + 4, round(y - size * 1.7), round(left + 600), round(y + size * 0.6))
    sb = pen.text(left, y + size * 3.0, "主办单位盖章：" if c.nature == "unit" else "签名即可")
    _, m.date_blanks = _date_line(pen, left, y + size * 6.0, "填表日期：")
    m.seal_spot = (rng.uniform(ab[2] - 20, ab[2] + 180), (y + sb[3]) / 2 + size * 0.3)
    m.wrong_spots.append((right - rng.uniform(160, 260), y + size * 3.0))
    m.wrong_spots.append((rng.uniform(left + 200, right - 200), 110.0))
    return img, m


def render_other(c: FormContent, rng: Random, font_name: str) -> tuple[Image.Image, PageMap]:
    """Not the form: a signed and stamped authorisation letter."""
    img = Image.new("RGB", PAGE, (255, 255, 255))
    size = rng.randint(24, 28)
    pen = Pen(img, font_name, size)
    m = PageMap()
    left, right = 120.0, PAGE[0] - 120.0
    y = 200.0
    pen.centred(PAGE[0] / 2, y, rng.choice(("授权委托书", "网站建设情况说明")), 1.8, bold=True)
    y += size * 3
    pen.text(left, y, f"致{c.provider}：")
    y += size * 2
    y = pen.paragraph(left + size * 2, y, OTHER_PAGE * 2, right - left - size * 2, size * 1.8)
    y += size * 3
    ab = pen.text(PAGE[0] * 0.5, y, "授权人签字：")
    m.sign_zone = (ab[2] + 4, round(y - size * 1.7), round(right), round(y + size * 0.6))
    m.seal_spot = (ab[2] + 100.0, y + size)
    return img, m


RENDERERS = {
    "grid": render_grid,
    "lines": render_lines,
    "columns": render_columns,
    "other": render_other,
}


# ---------------------------------------------------------------------------------------
# Marks: handwriting, ticks, seals
# ---------------------------------------------------------------------------------------


def _layer(size: tuple[int, int]) -> Image.Image:
    return Image.new("RGBA", size, (0, 0, 0, 0))


def handwriting(text: str, hand: str, height: int, colour: RGB, rng: Random) -> Image.Image:
    """``text`` written by hand, about ``height`` px tall (RGBA, tight)."""
    if hand == "scribble":
        return _scribble(len(text), height, colour, rng)
    f = get_font(hand, height)
    w = round(height * (len(text) * 1.15 + 1))
    layer = _layer((w, round(height * 2)))
    x = height * 0.3
    slant = rng.uniform(-0.05, 0.25)
    for ch in text:
        s = rng.uniform(0.82, 1.15)
        g = _layer((round(height * 1.6), round(height * 1.6)))
        gd = ImageDraw.Draw(g)
        gd.text(
            (g.width / 2, g.height / 2),
            ch,
            font=get_font(hand, max(8, round(height * s))),
            fill=(*colour, 255),
            anchor="mm",
            stroke_width=rng.choice((0, 1)),
            stroke_fill=(*colour, 255),
        )
        g = g.rotate(rng.uniform(-8, 8), resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(g, (round(x), round(height * 0.2 + rng.uniform(-0.1, 0.1) * height)))
        x += f.getlength(ch) * rng.uniform(0.8, 1.0) * s
    layer = layer.transform(
        layer.size,
        Image.Transform.AFFINE,
        (1, slant, -slant * layer.height / 2, 0, 1, 0),
        resample=Image.Resampling.BICUBIC,
    )
    bbox = layer.getbbox()
    return layer.crop(bbox) if bbox else layer


def _scribble(n_chars: int, height: int, colour: RGB, rng: Random) -> Image.Image:
    """A cursive signature: one or two connected strokes of loops, pen-width varying."""
    w = round(height * (0.9 * n_chars + 0.8))
    layer = _layer((w + height, round(height * 1.8)))
    d = ImageDraw.Draw(layer)
    pts: list[tuple[float, float]] = []
    x = height * 0.4
    for _ in range(n_chars):
        for _ in range(rng.randint(3, 5)):
            pts.append((x + rng.uniform(0, height * 0.8), height * 0.4 + rng.uniform(0, height)))
        x += height * rng.uniform(0.7, 0.95)
    # Catmull-Rom through the points: a smooth pen path
    path: list[tuple[float, float]] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for t in np.linspace(0, 1, 10, endpoint=False):
            t2, t3 = t * t, t * t * t
            px, py = (
                0.5
                * (
                    2 * p1[k]
                    + (-p0[k] + p2[k]) * t
                    + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                )
                for k in (0, 1)
            )
            path.append((float(px), float(py)))
    width = max(2, round(height / 14))
    for a, b in itertools.pairwise(path):
        d.line((a, b), fill=(*colour, 255), width=width + rng.choice((0, 0, 1)))
    if rng.random() < 0.5:  # a flourish underneath
        y = height * 1.45
        d.line(
            (height * 0.3, y, x + height * 0.2, y - height * 0.2), fill=(*colour, 255), width=width
        )
    bbox = layer.getbbox()
    return layer.crop(bbox) if bbox else layer


def tick(size: int, colour: RGB, rng: Random) -> Image.Image:
    """A hand-drawn tick (or cross) a little larger than a box of ``size`` px."""
    s = round(size * 1.5)
    layer = _layer((s, s))
    d = ImageDraw.Draw(layer)
    w = max(2, round(size / 8))
    c = (*colour, 255)
    if rng.random() < 0.75:
        a = (s * rng.uniform(0.15, 0.25), s * rng.uniform(0.45, 0.6))
        b = (s * rng.uniform(0.38, 0.48), s * rng.uniform(0.8, 0.9))
        e = (s * rng.uniform(0.85, 0.98), s * rng.uniform(0.02, 0.15))
        d.line((a, b, e), fill=c, width=w, joint="curve")
    else:
        d.line((s * 0.2, s * 0.2, s * 0.8, s * 0.8), fill=c, width=w)
        d.line((s * 0.8, s * 0.2, s * 0.2, s * 0.8), fill=c, width=w)
    return layer


def seal(style: str, radius: int, text: str, colour: RGB, rng: Random) -> Image.Image:
    """A round red seal of ``radius`` px (RGBA, 2*radius + margin square)."""
    side = 2 * radius + 8
    layer = _layer((side, side))
    c = (side / 2, side / 2)
    if style == "star":
        draw_seal(layer, c, radius, text, rng)
        arr = np.asarray(layer).copy()
        arr[..., :3] = colour  # the project's seal red, re-tinted per form
        return Image.fromarray(arr, "RGBA")
    # "double": outer ring, thin inner ring, text along the arc, a smaller star, a
    # horizontal line of text below the star; uneven ink.
    d = ImageDraw.Draw(layer)
    alpha = rng.randint(160, 220)
    col = (*colour, alpha)
    d.ellipse((c[0] - radius, c[1] - radius, c[0] + radius, c[1] + radius), outline=col,
              width=max(4, round(radius * 0.06)))  # fmt: skip
    r2 = radius * 0.86
    d.ellipse((c[0] - r2, c[1] - r2, c[0] + r2, c[1] + r2), outline=col, width=2)
    k = radius * 0.22
    star = [
        (
            c[0] + (k if i % 2 == 0 else k * 0.4) * math.cos(-math.pi / 2 + i * math.pi / 5),
            c[1] + (k if i % 2 == 0 else k * 0.4) * math.sin(-math.pi / 2 + i * math.pi / 5),
        )
        for i in range(10)
    ]
    d.polygon(star, fill=col)
    f = get_font("noto_sans", max(12, round(radius * 0.2)))
    n = len(text)
    span = min(math.radians(260), n * math.radians(21))
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        fs = round(f.size)
        g = _layer((fs * 2, fs * 2))
        ImageDraw.Draw(g).text((fs, fs), ch, font=f, fill=col, anchor="mm")
        g = g.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        gx, gy = c[0] + radius * 0.66 * math.cos(a), c[1] + radius * 0.66 * math.sin(a)
        layer.alpha_composite(g, (round(gx - f.size), round(gy - f.size)))
    small = get_font("noto_sans", max(10, round(radius * 0.16)))
    d.text((c[0], c[1] + radius * 0.5), "公章", font=small, fill=col, anchor="mm")
    arr = np.asarray(layer).astype(np.float32)
    nrng = np.random.default_rng(rng.randrange(2**32))
    blot = cv2.GaussianBlur(
        nrng.random((side // 8 + 1, side // 8 + 1)).astype(np.float32), (3, 3), 0
    )
    blot = cv2.resize(blot, (side, side), interpolation=cv2.INTER_LINEAR)
    arr[..., 3] *= np.clip(0.55 + blot * 0.7, 0, 1)
    return Image.fromarray(arr.astype(np.uint8), "RGBA")


def _paste_centred(page: Image.Image, layer: Image.Image, cx: float, cy: float) -> Box:
    x, y = round(cx - layer.width / 2), round(cy - layer.height / 2)
    page.alpha_composite(layer, (x, y))
    return (x, y, x + layer.width, y + layer.height)


def _write_in(page: Image.Image, box: Box, text: str, hand: str, colour: RGB, rng: Random) -> Box:
    """Handwriting fitted into ``box`` (left part, vertically centred on its baseline)."""
    h = round((box[3] - box[1]) * rng.uniform(0.75, 0.95))
    hw = handwriting(text, hand, h, colour, rng)
    room = box[2] - box[0]
    if hw.width > room:
        hw = hw.resize((room, max(4, round(hw.height * room / hw.width))))
    x = box[0] + rng.uniform(0, max(0.0, (room - hw.width) * 0.4))
    y = (box[1] + box[3]) / 2 - hw.height / 2
    page.alpha_composite(hw, (round(x), round(y)))
    return (round(x), round(y), round(x) + hw.width, round(y) + hw.height)


# ---------------------------------------------------------------------------------------
# The sample
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FormSample:
    image: U8  # BGR photo or scan
    filing: dict[str, Any]  # the filing order (kyc check-filing's JSON)
    truth: dict[str, Any]
    page: U8 = field(repr=False)  # the flat marked page, BGR


def _seal_radius(rng: Random) -> int:
    return round(rng.uniform(19.0, 21.0) / 25.4 * 150)  # a 38-42 mm company seal at 150 dpi


def _distance_to_box(p: tuple[float, float], box: Box) -> float:
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return math.hypot(dx, dy)


def _filing_for(c: FormContent, fault: str | None, rng: Random) -> dict[str, Any]:
    """The filing order the form belongs to; a wrong_* fault makes the filing differ
    from what the form prints."""
    principal_name = c.principal
    url = c.homepage_url.split("://")[-1]
    domain = c.domain
    if fault == "wrong_principal":
        other = principal_name
        while other == principal_name:
            other = make_person(rng, dt.date(2026, 1, 1)).name
            if rng.random() < 0.5:  # the same surname, another given name
                other = principal_name[0] + other[1:]
        principal_name = other
    if fault == "wrong_url":
        if rng.random() < 0.5:
            other_domain = random_domain(rng)
            while other_domain == domain:
                other_domain = random_domain(rng)
        else:  # one letter off (a look-alike domain)
            stem, dot, tld = domain.partition(".")
            i = rng.randrange(len(stem))
            letters = [ch for ch in "abcdefghkmnprstuvwxyz" if ch != stem[i]]
            other_domain = stem[:i] + rng.choice(letters) + stem[i + 1 :] + dot + tld
        domain, url = other_domain, "www." + other_domain
    principal = person(
        name=principal_name,
        certificate_number=make_id(dt.date(1988, 5, 20), seq=f"{rng.randint(100, 999)}"),
    )
    site = website(domain, name=c.website_name, homepage_url=url)
    if c.nature == "individual":
        filing = enterprise_filing(
            nature="individual",
            certificate_type="id_card",
            certificate_number=principal["certificate_number"],
            name=principal_name,
            principal=principal,
            investor=principal_name,
        )
        site["service_content"] = "personal"
        site["note"] = "个人技术博客"
    else:
        filing = enterprise_filing(name=c.subject_name, principal=principal)
        if rng.random() < 0.3:  # a website principal other than the subject's
            site["principal"] = principal
            filing["subject"]["principal"] = person(name=make_person(rng, dt.date(2026, 1, 1)).name)
    filing["websites"] = [site]
    return filing


def generate_form(
    rng: Random,
    split: Split = "tuned",
    fault: str | None = None,
    nature: Nature | None = None,
    capture: Capture | None = None,
    today: dt.date | None = None,
) -> FormSample:
    """One form: signed (and, for a unit, stamped beside the signature) unless ``fault``
    says what is wrong with it; scanned or photographed."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}")
    kinds: tuple[Nature, ...] = ("unit", "individual")
    if nature is not None:
        kind: Nature = nature
    else:
        kind = "unit" if fault in UNIT_ONLY_FAULTS else rng.choice(kinds)
    if fault in UNIT_ONLY_FAULTS and kind != "unit":
        raise ValueError(f"{fault} applies to units only")
    captures: tuple[Capture, ...] = ("scan", "photo", "photo")
    how: Capture = capture if capture is not None else rng.choice(captures)
    today = today or dt.date(2026, 6, 1)
    content = make_content(rng, kind, today)
    layout = "other" if fault == "not_a_form" else rng.choice(LAYOUTS[split])
    font_name = rng.choice(PRINT_FONTS[split])
    hand = rng.choice(HANDS[split])
    seal_style = rng.choice(SEALS[split])
    pen_colour = rng.choice(PEN_COLOURS)
    seal_colour = rng.choice(SEAL_COLOURS)
    page_rgb, pm = RENDERERS[layout](content, rng, font_name)
    page = page_rgb.convert("RGBA")
    radius = _seal_radius(rng)

    signature_box: Box | None = None
    if fault != "no_signature":
        signature_box = _write_in(page, pm.sign_zone, content.principal, hand, pen_colour, rng)
    seals: list[tuple[float, float]] = []
    stamps = kind == "unit" and fault != "no_seal"
    if stamps:
        if fault == "seal_wrong_place":
            seals.append(rng.choice(pm.wrong_spots))
        else:
            sx, sy = pm.seal_spot
            seals.append(
                (sx + rng.uniform(-0.2, 0.2) * radius, sy + rng.uniform(-0.2, 0.2) * radius)
            )
        if fault == "extra_seal":
            seals.append(rng.choice(pm.wrong_spots))
    seal_boxes = [
        _paste_centred(page, seal(seal_style, radius, content.subject_name, seal_colour, rng), x, y)
        for x, y in seals
    ]
    if fault == "date_filled":
        parts = (str(today.year), str(today.month), str(today.day))
        which = rng.choice(((0, 1, 2), (0, 1, 2), (1, 2), (0,)))
        digits_hand = "gkai" if hand == "scribble" else hand  # figures are written legibly
        for i in which:
            _write_in(page, pm.date_blanks[i], parts[i], digits_hand, pen_colour, rng)
    if fault == "extra_ticks":
        boxes = rng.sample(pm.checkboxes, rng.randint(1, min(4, len(pm.checkboxes))))
        for b in boxes:
            t = tick(b[2] - b[0], pen_colour, rng)
            page.alpha_composite(t, (b[0] - (t.width - (b[2] - b[0])) // 3, b[3] - t.height))
    if fault == "provider_filled":
        name = make_person(rng, today).name
        _write_in(page, pm.provider_sign, name, hand, pen_colour, rng)
        if rng.random() < 0.5:
            digits_hand = "gkai" if hand == "scribble" else hand
            _write_in(page, pm.provider_date[0], str(today.year), digits_hand, pen_colour, rng)

    page_rgb = page.convert("RGB")
    if rng.random() < 0.5:  # printer's slight tint and softness
        page_rgb = page_rgb.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.6)))
    flat = np.ascontiguousarray(np.asarray(page_rgb, np.uint8)[:, :, ::-1])
    photo = _capture(flat, how, rng)

    sig_quad = photo.box_quad(signature_box).round(1).tolist() if signature_box else None
    seal_quads = [photo.box_quad(b).round(1).tolist() for b in seal_boxes]
    next_to = None
    if seals:
        next_to = all(
            _distance_to_box(s, pm.sign_zone) <= 1.0 * radius
            or math.dist(s, pm.seal_spot) <= radius
            for s in seals
        )
    is_form = layout != "other"
    good = fault is None
    truth: dict[str, Any] = {
        "form_detected": is_form,
        "matches_filing": (fault not in ("wrong_principal", "wrong_url")) if is_form else None,
        "signature": {"present": signature_box is not None},
        "seal": {"present": bool(seals), "count": len(seals), "next_to_signature": next_to},
        "date_blank": fault != "date_filled" if is_form else None,
        "extra_marks": fault in ("extra_ticks", "provider_filled"),
        "decision": "pass" if good else "reject",
        "fault": fault,
        "nature": kind,
        "split": split,
        "capture": how,
        "variant": {"layout": layout, "font": font_name, "hand": hand, "seal": seal_style},
        "boxes": {"signature": sig_quad, "seals": seal_quads},
        "page_quad": photo.quad.round(1).tolist(),
        "printed": {"principal": content.principal, "homepage_url": content.homepage_url},
    }
    return FormSample(photo.image, _filing_for(content, fault, rng), truth, flat)


def _capture(flat: U8, capture: Capture, rng: Random) -> dg.Photo:
    h, w = flat.shape[:2]
    if capture == "scan":
        # a flatbed scan: the page fills the frame, a little skew, maybe a quarter turn
        dpi = rng.choice((150, 150, 200))
        canvas = (round(w * dpi / 150) + 40, round(h * dpi / 150) + 40)
        bg = np.full((canvas[1], canvas[0], 3), rng.randint(235, 252), np.uint8)
        hom = dg.perspective_homography(
            (w, h), canvas, width_frac=w * dpi / 150 / canvas[0], angle=rng.uniform(-1.5, 1.5)
        )
        photo = dg.place(flat, bg, hom, rng, shadow=False)
        photo = dg.rotate90(photo, rng.choice((0, 0, 0, 1, 2, 3)))
        photo = dg.sensor_noise(photo, rng, rng.uniform(1.0, 3.0))
        return dg.jpeg(photo, rng.randint(80, 95))
    # a phone photo of the page on a table: perspective, any in-plane angle, light
    portrait = rng.random() < 0.7
    long_side = rng.choice((2000, 2400, 2800))
    canvas = (
        (round(long_side * 0.75), long_side) if portrait else (long_side, round(long_side * 0.75))
    )
    bg, _kind = dg.background(canvas, rng)
    angle = rng.uniform(-25, 25) + (rng.choice((0, 90, 180, 270)) if rng.random() < 0.3 else 0)
    fill = rng.uniform(0.72, 0.9)
    # the page's width as a share of the canvas so that the turned page stays inside
    rad = math.radians(angle)
    span_x = abs(w * math.cos(rad)) + abs(h * math.sin(rad))
    span_y = abs(w * math.sin(rad)) + abs(h * math.cos(rad))
    k = fill * min(canvas[0] / span_x, canvas[1] / span_y)
    hom = dg.perspective_homography(
        (w, h),
        canvas,
        width_frac=k * w / canvas[0],
        tilt_x=rng.uniform(-18, 18),
        tilt_y=rng.uniform(-14, 14),
        angle=angle,
    )
    photo = dg.place(flat, bg, hom, rng)
    photo = dg.lighting(photo, rng, rng.uniform(0.1, 0.35))
    if rng.random() < 0.3:
        photo = dg.shadow(photo, rng, rng.uniform(0.15, 0.3))
    photo = dg.gaussian_blur(photo, rng.uniform(0.4, 0.9))
    photo = dg.sensor_noise(photo, rng, rng.uniform(1.5, 4.0))
    return dg.jpeg(photo, rng.randint(75, 92))


def form_set(n: int, seed: int, split: Split) -> list[FormSample]:
    """``n`` forms: about half correct, the rest cycling through the faults (unit-only
    faults on units); form ``i`` draws from ``Random(f"form:{split}:{seed}:{i}")``."""
    out = []
    for i in range(n):
        rng = Random(f"form:{split}:{seed}:{i}")
        fault = None if i % 2 == 0 else FAULTS[(i // 2) % len(FAULTS)]
        out.append(generate_form(rng, split, fault))
    return out
