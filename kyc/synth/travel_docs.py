"""Passport data pages and the residents' permits for Hong Kong / Macao and Taiwan.

- ``render_passport``: a data page (125 x 88 mm at 10 px/mm) with its machine-readable
  zone in OCR-B. Layouts (``kyc.synth.variants.PASSPORT_LAYOUTS``, split): a PRC page
  with 姓名/Name and the name in hanzi and pinyin (``prc_name``), a PRC page with
  姓/Surname and 名/Given names apart (``prc_split``), and foreign pages with English
  labels (``foreign_en``) or French/English ones (``foreign_fr``), which print no Chinese
  name. Dates as the layout prints them: ``11 JUL 1974``, ``11 7月/JUL 1974``,
  ``11.07.1974``.
- ``render_permit``: the card (85.6 x 54 mm) of a 港澳居民来往内地通行证 or a
  台湾居民来往大陆通行证: title, portrait left or right, labels beside or above their
  values (the variant's arrangement), the number under its label or alone in a corner.

Each returns a :class:`kyc.synth.render.Rendered` with the fields ``kyc ocr`` reports
(../shared/DESIGN.md) and the box of every printed value.
"""

from __future__ import annotations

import datetime as dt
from random import Random

from PIL import Image, ImageDraw

from kyc.synth.certholders import PermitHolder, Traveller
from kyc.synth.fonts import Face, face
from kyc.synth.nondoc import MONTHS
from kyc.synth.render import (
    CARD_SIZE,
    INK,
    RGB,
    Box,
    Rendered,
    _guilloche,
    _rounded_alpha,
    _union,
    draw_label,
    draw_text,
    label_width,
    make_portrait,
    portrait_sources,
    text_width,
)
from kyc.synth.variants import Variant, default_variant

PASSPORT_SIZE = (1250, 880)
COUNTRY_NAMES = {
    "GBR": "UNITED KINGDOM", "USA": "UNITED STATES OF AMERICA", "CAN": "CANADA",
    "AUS": "AUSTRALIA", "DEU": "DEUTSCHLAND", "FRA": "REPUBLIQUE FRANCAISE", "JPN": "JAPAN",
    "KOR": "REPUBLIC OF KOREA", "SGP": "REPUBLIC OF SINGAPORE", "MYS": "MALAYSIA",
    "NZL": "NEW ZEALAND", "ITA": "REPUBBLICA ITALIANA",
}  # fmt: skip
PERMIT_TITLES = {
    "hk_macao_permit": ("港澳居民来往内地通行证",
                        "MAINLAND TRAVEL PERMIT FOR HONG KONG AND MACAO RESIDENTS", "换证次数"),
    "taiwan_permit": ("台湾居民来往大陆通行证", "MAINLAND TRAVEL PERMIT FOR TAIWAN RESIDENTS",
                      "签发次数"),
}  # fmt: skip
LABEL_PURPLE: RGB = (90, 60, 120)


def format_date(d: dt.date, style: str) -> str:
    """A date as a travel document prints it."""
    if style == "bilingual":
        return f"{d.day:02d} {d.month}月/{MONTHS[d.month - 1]} {d.year}"
    if style == "dots":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def _portrait(img: Image.Image, rng: Random, box: Box) -> None:
    pool = portrait_sources()
    src = rng.choice(pool) if pool else None
    pw, ph = box[2] - box[0], box[3] - box[1]
    p = make_portrait(src, (pw, ph), rng, (232, 236, 242))
    img.alpha_composite(p, (box[0], box[1]))


def _jit(rng: Random, v: Variant, amount: float) -> float:
    return rng.uniform(-amount, amount) * v.jitter


# ---------------------------------------------------------------------------------------
# Passport
# ---------------------------------------------------------------------------------------


def render_passport(
    t: Traveller,
    rng: Random,
    variant: Variant | None = None,
    layout: str | None = None,
    mrz: tuple[str, str] | None = None,
) -> Rendered:
    """A passport data page of ``t``. ``layout`` (default: the variant's
    ``passport_layout``, else drawn) is one of prc_name, prc_split, foreign_en, foreign_fr;
    a PRC layout for a CHN passport, a foreign one otherwise. ``mrz``: the two lines to
    print (default ``t.mrz()``; a line 2 with a check digit broken on purpose)."""
    v = variant or default_variant()
    prc = t.issuing_country == "CHN"
    if layout is None:
        layout = str(v.extra.get("passport_layout", "")) or None
    if layout is None or layout.startswith("prc") != prc:
        pool = ("prc_name", "prc_split") if prc else ("foreign_en", "foreign_fr")
        choices = [x for x in v.extra.get("passport_layouts", pool) if x in pool] or list(pool)
        layout = rng.choice(choices)
    dates = str(v.extra.get("passport_dates", "mon"))
    if dates == "bilingual" and not prc:
        dates = "dots"
    if dates == "dots" and prc:
        dates = "bilingual"
    size = PASSPORT_SIZE
    base: RGB = (rng.randint(232, 244), rng.randint(230, 242), rng.randint(238, 248))
    img = _guilloche(size, rng, base, (200, 180, 215), n=6).convert("RGBA")
    d = ImageDraw.Draw(img)
    k = 1.0 + _jit(rng, v, 0.06)
    lab = face(v.fonts["label"], round(19 * k))
    val = face(v.fonts["value"], round(29 * k))
    lat = face(v.fonts["number"], round(28 * k))
    tf = face(v.fonts["title"], round(32 * k))
    label_fill = LABEL_PURPLE if rng.random() < 0.6 else v.label_colour
    boxes: dict[str, Box] = {}
    dx, dy = round(_jit(rng, v, 12)), round(_jit(rng, v, 10))
    x0 = 380 + dx
    pitch = (78 if layout != "prc_split" else 70) * (1 + _jit(rng, v, 0.04))
    stack = lab.size * (1.5 + 0.4 * (v.line_spacing - 1.3))

    def cell(x: float, y: float, label: str, value: str, f: Face, key: str | None) -> float:
        draw_text(d, (x, y), label, lab, label_fill)
        b = draw_text(d, (x, y + stack + f.size * 0.75), value, f, INK)
        if key is not None:
            boxes[key] = b if key not in boxes else _union([boxes[key], b])
        return y + pitch

    def date(day: dt.date) -> str:
        return format_date(day, dates)

    sex_text = {"M": "男/M", "F": "女/F", "X": "X"}[t.sex] if prc else t.sex
    if prc:
        draw_text(d, (x0, 58 + dy), "中华人民共和国  PEOPLE'S REPUBLIC OF CHINA", tf, INK)
        draw_text(d, (x0, 106 + dy), "护照  PASSPORT", tf, INK)
        y = 150.0 + dy
        cell(x0, y, "类型/Type", "P", lat, None)
        cell(x0 + 170, y, "国家码/Country Code", t.issuing_country, lat, "issuing_country")
        y = cell(x0 + 470, y, "护照号/Passport No.", t.number, lat, "passport_number")
        assert t.name_zh is not None
        if layout == "prc_name":
            y = cell(x0, y, "姓名/Name", t.name_zh, val, "name")
            boxes["name_latin"] = draw_text(d, (x0, y + 8), f"{t.surname}, {t.given}", lat, INK)
            y += pitch * 0.55
            cell(x0, y, "性别/Sex", sex_text, val, "sex")
            y = cell(x0 + 260, y, "出生地点/Place of birth", t.birth_place, val, None)
            y = cell(x0, y, "出生日期/Date of birth", date(t.birth_date), lat, "birth_date")
            cell(x0, y, "签发日期/Date of issue", date(t.issue_date), lat, None)
            y = cell(
                x0 + 400, y, "有效期至/Date of expiry", date(t.expiry_date), lat, "expiry_date"
            )
            cell(x0, y, "签发机关/Authority", t.authority, val, None)
        else:
            n_sur = 2 if t.name_zh[:2] in ("欧阳", "司马", "上官", "诸葛") else 1
            y = cell(x0, y, "姓/Surname", f"{t.name_zh[:n_sur]}  {t.surname}", val, "name")
            y = cell(x0, y, "名/Given names", f"{t.name_zh[n_sur:]}  {t.given}", val, "name")
            boxes["name_latin"] = boxes["name"]
            cell(x0, y, "性别/Sex", sex_text, val, "sex")
            y = cell(x0 + 260, y, "出生地点/Place of birth", t.birth_place, val, None)
            cell(x0, y, "出生日期/Date of birth", date(t.birth_date), lat, "birth_date")
            y = cell(x0 + 400, y, "签发地点/Place of issue", t.issue_place, val, None)
            cell(x0, y, "签发日期/Date of issue", date(t.issue_date), lat, None)
            y = cell(
                x0 + 400, y, "有效期至/Date of expiry", date(t.expiry_date), lat, "expiry_date"
            )
            cell(x0, y, "签发机关/Authority", t.authority, val, None)
        boxes["nationality"] = boxes["issuing_country"]
    else:
        fr = layout == "foreign_fr"
        country = COUNTRY_NAMES.get(t.issuing_country, t.issuing_country)
        draw_text(d, (x0, 62 + dy), country, tf, INK)
        draw_text(d, (x0, 108 + dy), "PASSEPORT / PASSPORT" if fr else "PASSPORT", tf, INK)

        def lb(fr_label: str, en_label: str) -> str:
            return f"{fr_label}/{en_label}" if fr else en_label

        y = 150.0 + dy
        cell(x0, y, lb("Type", "Type"), "P", lat, None)
        cell(x0 + 150, y, lb("Code", "Code"), t.issuing_country, lat, "issuing_country")
        y = cell(x0 + 420, y, lb("No. du passeport", "Passport No."), t.number, lat,
                 "passport_number")  # fmt: skip
        y = cell(x0, y, lb("Nom", "Surname"), t.surname, lat, "name_latin")
        y = cell(x0, y, lb("Prénoms", "Given names"), t.given, lat, "name_latin")
        y = cell(x0, y, lb("Nationalité", "Nationality"), country, lat, "nationality")
        cell(x0, y, lb("Date de naissance", "Date of birth"), date(t.birth_date), lat,
             "birth_date")  # fmt: skip
        cell(x0 + 330, y, lb("Sexe", "Sex"), sex_text, lat, "sex")
        y = cell(x0 + 470, y, lb("Lieu de naissance", "Place of birth"), t.birth_place, lat, None)
        cell(x0, y, lb("Date de délivrance", "Date of issue"), date(t.issue_date), lat, None)
        y = cell(x0 + 400, y, lb("Date d'expiration", "Date of expiry"), date(t.expiry_date),
                 lat, "expiry_date")  # fmt: skip
        afont = face(v.fonts["number"], round(24 * k))
        while text_width(t.authority, afont) > size[0] - x0 - 60 and afont.size > 14:
            afont = face(afont.key, afont.size - 1)
        cell(x0, y, lb("Autorité", "Authority"), t.authority, afont, None)
    _portrait(img, rng, (60 + dx, 170 + dy, 340 + dx, 540 + dy))
    line1, line2 = mrz or t.mrz()
    mf = face("ocrb", 34)
    track = 1.5
    while text_width(line2, mf, track) > size[0] - 90:
        mf = face("ocrb", mf.size - 1)
    mx = (size[0] - text_width(line2, mf, track)) / 2 + _jit(rng, v, 10)
    my = 770 + _jit(rng, v, 8)
    b1 = draw_text(d, (mx, my), line1, mf, INK, tracking=track)
    b2 = draw_text(d, (mx, my + mf.size * 1.75), line2, mf, INK, tracking=track)
    boxes["mrz"] = _union([b1, b2])
    fields = {
        "passport_number": t.number,
        "name": t.name_zh,
        "name_latin": t.name_latin,
        "sex": t.sex,
        "nationality": t.nationality,
        "birth_date": t.birth_date.isoformat(),
        "expiry_date": t.expiry_date.isoformat(),
        "issuing_country": t.issuing_country,
        "mrz": f"{line1}\n{line2}",
    }
    printed = {k: str(val_) for k, val_ in fields.items() if val_ is not None}
    boxes = {k2: b for k2, b in boxes.items() if k2 in printed}
    return Rendered(img, boxes, printed, "passport", {"passport_layout": layout, "dates": dates})


# ---------------------------------------------------------------------------------------
# Permits
# ---------------------------------------------------------------------------------------


def _dot(d: dt.date) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def render_permit(p: PermitHolder, rng: Random, variant: Variant | None = None) -> Rendered:
    """The card of a residents' permit: title (Chinese and English), portrait, name in
    hanzi and Latin letters, birth date and sex, validity term, issuing authority, the
    number and the renewal count."""
    v = variant or default_variant()
    w, h = CARD_SIZE
    if p.kind == "hk_macao_permit":
        base: RGB = (rng.randint(236, 246), rng.randint(232, 242), rng.randint(216, 230))
        ink: RGB = (210, 180, 150)
    else:
        base = (rng.randint(226, 238), rng.randint(236, 246), rng.randint(226, 238))
        ink = (160, 200, 170)
    img = _guilloche(CARD_SIZE, rng, base, ink, n=7).convert("RGBA")
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    d = ImageDraw.Draw(img)
    title, title_en, counter = PERMIT_TITLES[p.kind]
    k = 1.0 + _jit(rng, v, 0.06)
    tf = face(v.fonts["title"], round(36 * k))
    while text_width(title, tf, 2) > w - 80:
        tf = face(tf.key, tf.size - 1)
    title_fill: RGB = (150, 30, 40) if rng.random() < 0.5 else INK
    tx = (w - text_width(title, tf, 2)) / 2 + _jit(rng, v, 10)
    draw_text(d, (tx, 58 + _jit(rng, v, 5)), title, tf, title_fill, tracking=2)
    ef = face(v.fonts["footer"], 14)
    draw_text(d, ((w - text_width(title_en, ef)) / 2, 84), title_en, ef, title_fill)
    portrait_left = rng.random() < 0.6
    pbox: Box = (40, 112, 250, 372) if portrait_left else (w - 240, 112, w - 40, 372)
    _portrait(img, rng, pbox)
    lab = face(v.fonts["label"], round(21 * k))
    val = face(v.fonts["value"], round(28 * k))
    num = face(v.fonts["number"], round(27 * k))
    latin = face(v.fonts["number"], round(22 * k))
    label_fill = v.label_colour
    x0 = (280 if portrait_left else 48) + round(_jit(rng, v, 8))
    right_edge = (w - 30) if portrait_left else (w - 260)
    stacked = v.arrangement == "stacked"
    spread = lab.size * 4 + 8
    lw = max(label_width(x, lab, v.label_style, spread) for x in ("姓名", "出生日期", "有效期限"))
    boxes: dict[str, Box] = {}
    y = 136.0 + _jit(rng, v, 6)
    pitch = val.size * v.line_spacing * (1.45 if stacked else 1.05)

    def put(x: float, y: float, label: str, text: str, f: Face, key: str | None) -> Box:
        draw_label(d, x, y, label, lab, v.label_style, spread, label_fill)
        if stacked:
            vx, vy = x + lab.size * 0.3, y + lab.size * 1.35 + f.size * 0.1
        elif v.alignment == "column":
            vx, vy = x + lw + 16, y
        else:
            vx, vy = x + label_width(label, lab, v.label_style, spread) + 14, y
        b = draw_text(d, (vx, vy), text, f, INK)
        if key:
            boxes[key] = b
        return b

    put(x0, y, "姓名", p.name, val, "name")
    if stacked:
        y += lab.size * 1.35
    y += val.size * 1.1
    lat_x = boxes["name"][0]
    boxes["name_latin"] = draw_text(d, (lat_x, y), f"{p.surname_latin}, {p.given_latin}", latin,
                                    INK)  # fmt: skip
    y += pitch * 0.85
    born = put(x0, y, "出生日期", _dot(p.birth_date), num, "birth_date")
    sx = max(born[2] + 36 + _jit(rng, v, 10), x0 + (right_edge - x0) * 0.55)
    put(sx, y, "性别", p.sex, val, "sex")
    y += pitch
    term = f"{_dot(p.valid_from)}-{_dot(p.valid_until)}"
    tfnt = num
    while text_width(term, tfnt) > right_edge - x0 - lw - 20 and tfnt.size > 14:
        tfnt = face(tfnt.key, tfnt.size - 1)
    span = put(x0, y, "有效期限", term, tfnt, None)
    mid = span[0] + round(text_width(_dot(p.valid_from), tfnt))
    boxes["valid_from"] = (span[0], span[1], mid, span[3])
    boxes["valid_until"] = (mid, span[1], span[2], span[3])
    y += pitch
    afnt = val
    while text_width(p.authority, afnt) > right_edge - x0 - lw - 20 and afnt.size > 14:
        afnt = face(afnt.key, afnt.size - 1)
    put(x0, y, "签发机关", p.authority, afnt, "issuing_authority")
    # the number: under its label at the bottom, or alone in the top corner opposite the
    # portrait; the renewal count beside it
    nf = face(v.fonts["number"], round(34 * k))
    count = f"{p.renewals:02d}"
    if rng.random() < 0.6:
        ny = h - 52 + _jit(rng, v, 6)
        nx = 48 + _jit(rng, v, 8)
        lb = draw_label(d, nx, ny, "证件号码", lab, v.label_style, spread, label_fill)
        boxes["permit_number"] = draw_text(d, (lb[2] + 18, ny + 2), p.number, nf, INK,
                                           tracking=2)  # fmt: skip
        cx = boxes["permit_number"][2] + 40
        draw_label(d, cx, ny, counter, lab, v.label_style, spread, label_fill)
        draw_text(d, (cx + label_width(counter, lab, v.label_style, spread) + 14, ny), count,
                  num, INK)  # fmt: skip
    else:
        ny = h - 46 + _jit(rng, v, 6)
        nx = (w - 60 - text_width(p.number, nf, 2)) if portrait_left else 48
        boxes["permit_number"] = draw_text(d, (nx, ny), p.number, nf, INK, tracking=2)
        draw_text(d, (pbox[0] + 20, pbox[3] + 40), f"{counter} {count}", lab, label_fill)
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    fields = p.fields()
    return Rendered(img, boxes, fields, p.kind, {"portrait_box": pbox})
