"""Registration certificates of units that are not companies: 事业单位法人证书 (public
institutions), 社会团体法人登记证书 (social groups) and 民办非企业单位登记证书 (private
non-enterprise units).

Horizontal (1600 x 1130) or vertical (1130 x 1600) pages, 副本 or 正本: emblem, title,
the unified social credit code (under its label at the top left, or after it under the
title), the fields of the type in a ruled table (``table``) or as labelled lines
(``plain``: the variant's label spacing, arrangement and alignment), the validity term
(自…至…), and 登记管理机关 with its seal and the issue date. Laid out first, then shrunk
until everything fits, so every value is printed whole (the business license's layout
blocks, kyc/synth/license.py).
"""

from __future__ import annotations

import datetime as dt
from random import Random

from PIL import ImageDraw

from kyc.synth.certholders import Unit
from kyc.synth.fonts import face
from kyc.synth.license import _block, _Op, _Style
from kyc.synth.render import (
    INK,
    LICENSE_H_SIZE,
    LICENSE_V_SIZE,
    RGB,
    Box,
    Rendered,
    _license_base,
    _union,
    draw_emblem,
    draw_label,
    draw_seal,
    draw_text,
    label_width,
    text_width,
)
from kyc.synth.variants import Variant, default_variant

TITLES = {
    "institution_certificate": "事业单位法人证书",
    "social_group_certificate": "社会团体法人登记证书",
    "private_non_enterprise_certificate": "民办非企业单位登记证书",
}
SCHEMES = ("table", "plain")
AUTHORITY_LABELS = ("登记管理机关", "发证机关")


def _date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _items(u: Unit, rng: Random) -> list[tuple[str, str, str]]:
    """(key, label, value) in the order the type prints them; the term's key is
    ``term`` (both dates)."""
    term = f"自{_date_cn(u.valid_from)}至{_date_cn(u.valid_until)}"
    if u.kind == "institution_certificate":
        assert u.funding_source is not None and u.sponsor is not None
        return [
            ("name", "名称", u.name),
            ("purpose_and_scope", "宗旨和业务范围", u.scope),
            ("address", "住所", u.address),
            ("legal_representative", "法定代表人", u.legal_representative),
            ("funding_source", "经费来源", u.funding_source),
            ("capital", "开办资金", u.capital),
            ("sponsor", "举办单位", u.sponsor),
            ("term", "有效期", term),
        ]
    assert u.supervisor is not None
    rep_label = "法定代表人" if rng.random() < 0.8 else "单位负责人"
    if u.kind == "social_group_certificate":
        assert u.activity_area is not None
        return [
            ("name", "名称", u.name),
            ("address", "住所", u.address),
            ("legal_representative", "法定代表人", u.legal_representative),
            ("activity_area", "活动地域", u.activity_area),
            ("capital", "注册资金", u.capital),
            ("business_scope", "业务范围", u.scope),
            ("supervisor", "业务主管单位", u.supervisor),
            ("term", "有效期限", term),
        ]
    return [
        ("name", "名称", u.name),
        ("address", "住所", u.address),
        ("legal_representative", rep_label, u.legal_representative),
        ("capital", "开办资金", u.capital),
        ("business_scope", "业务范围", u.scope),
        ("supervisor", "业务主管单位", u.supervisor),
        ("term", "有效期限", term),
    ]


def _layout(
    u: Unit,
    items: list[tuple[str, str, str]],
    v: Variant,
    scheme: str,
    width: int,
    top: float,
    scale: float,
    label_fill: RGB,
) -> tuple[list[_Op], list[float], float]:
    """Text operations, the y of each rule between rows (table scheme), and the end."""
    lab = face(v.fonts["label"], round(30 * scale))
    val = face(v.fonts["value"], round(30 * scale))
    # labels of up to four characters spread over four (as licenses print them); longer
    # ones tight
    spread = lab.size * 4 + 8
    label_w = max(label_width(lb, lab, v.label_style, spread) for _, lb, _ in items)
    if scheme == "table":
        # cells: label column, value column; labels spread or tight, values inline
        style = v.label_style if v.label_style != "space" else "tight"
        v = Variant(v.split, v.fonts, style, "inline", "column", v.line_spacing, v.label_colour,
                    v.jitter, v.extra)  # fmt: skip
    st = _Style(lab, val, label_w, spread, v, label_fill, gap=lab.size * 1.4)
    ops: list[_Op] = []
    rules: list[float] = []
    margin = 110.0
    y = top
    for key, label, value in items:
        rules.append(y - lab.size * 1.05)
        y = _block(ops, margin, y, width - 2 * margin, (key, label, value), st)
        if scheme == "table":
            y += lab.size * 0.45
    rules.append(y - lab.size * 1.05)
    return ops, rules, y


def render_unit_certificate(
    u: Unit,
    rng: Random,
    orientation: str = "horizontal",
    variant: Variant | None = None,
    scheme: str | None = None,
    copy: str | None = None,
) -> Rendered:
    v = variant or default_variant()
    horizontal = orientation == "horizontal"
    size = LICENSE_H_SIZE if horizontal else LICENSE_V_SIZE
    w, h = size
    scheme = scheme or rng.choice(SCHEMES)
    copy = copy or ("副本" if rng.random() < 0.6 else "正本")
    img = _license_base(size, rng)
    d = ImageDraw.Draw(img)
    label_fill: RGB = v.label_colour if variant is not None else INK
    jit = v.jitter

    def j(amount: float) -> float:
        return rng.uniform(-amount, amount) * jit

    draw_emblem(img, (w // 2 - 45 + round(j(20)), 70, w // 2 + 45 + round(j(20)), 160))
    title = TITLES[u.kind]
    tf = face(v.fonts["title"], round((80 if horizontal else 72) * (1 + j(0.06))))
    tracking = 10.0
    while text_width(title, tf, tracking) > w - 360:
        tf = face(tf.key, tf.size - 2)
    tw = text_width(title, tf, tracking)
    title_y = (250 if horizontal else 330) + j(15)
    draw_text(d, ((w - tw) / 2 + j(15), title_y), title, tf, INK, tracking=tracking, stroke=1)
    if copy == "副本":
        cf = face(v.fonts["title"], 34)
        draw_text(d, ((w - text_width("（副本）", cf)) / 2, title_y + 60), "（副本）", cf, INK)
    boxes: dict[str, Box] = {}
    code_label_f = face(v.fonts["label"], 28)
    num_f = face(v.fonts["number"], round(34 * (1 + j(0.06))))
    if rng.random() < 0.55:  # top left, the code under its label
        cx, cy = 100 + j(15), 118 + j(8)  # above the title, beside the emblem
        draw_text(d, (cx, cy), "统一社会信用代码", code_label_f, label_fill, tracking=2)
        boxes["credit_code"] = draw_text(d, (cx, cy + 48), u.credit_code, num_f, INK, tracking=2)
        top = title_y + (150 if copy == "副本" else 110)
    else:  # under the title, after its label
        cy = title_y + (130 if copy == "副本" else 90)
        lw = text_width("统一社会信用代码", code_label_f, 2)
        cw = text_width(u.credit_code, num_f, 2)
        cx = (w - lw - cw - 30) / 2
        draw_text(d, (cx, cy), "统一社会信用代码", code_label_f, label_fill, tracking=2)
        boxes["credit_code"] = draw_text(d, (cx + lw + 30, cy), u.credit_code, num_f, INK,
                                         tracking=2)  # fmt: skip
        top = cy + 90
    top += j(15)
    bottom = h - (260 if horizontal else 320)
    items = _items(u, rng)
    scale = 1.0 + j(0.08)
    for _ in range(14):
        ops, rules, end = _layout(u, items, v, scheme, w, top, scale, label_fill)
        if end <= bottom:
            break
        scale *= 0.93
    field_boxes: dict[str, list[Box]] = {}
    for op in ops:
        if op.label:
            b = draw_label(d, op.x, op.y, op.text, op.face, op.style, op.spread, op.fill)
        else:
            b = draw_text(d, (op.x, op.y), op.text, op.face, op.fill)
        if op.key is not None:
            field_boxes.setdefault(op.key, []).append(b)
    if scheme == "table":
        rule: RGB = (110, 90, 80)
        left, right = 90, w - 90
        split_x = (
            110
            + max(label_width(op.text, op.face, op.style, op.spread) for op in ops if op.label)
            + 20
        )
        for yy in rules:
            d.line((left, yy, right, yy), fill=rule, width=2)
        d.line((left, rules[0], left, rules[-1]), fill=rule, width=2)
        d.line((right, rules[0], right, rules[-1]), fill=rule, width=2)
        d.line((split_x, rules[0], split_x, rules[-1]), fill=rule, width=2)
    for k, bs in field_boxes.items():
        boxes[k] = _union(bs)
    # both dates share the term's line(s): the boxes split at 至
    boxes.pop("term")
    term_ops = [op for op in ops if op.key == "term"]
    term_boxes = field_boxes["term"]
    before: list[Box] = []
    after: list[Box] = []
    for op, b in zip(term_ops, term_boxes, strict=True):
        if after:
            after.append(b)
        elif "至" in op.text:
            cut = b[0] + round(text_width(op.text[: op.text.index("至")], op.face))
            if cut > b[0]:
                before.append((b[0], b[1], cut, b[3]))
            after.append((cut, b[1], b[2], b[3]))
        else:
            before.append(b)
    boxes["valid_from"] = _union(before)
    boxes["valid_until"] = _union(after)
    # registration authority, seal and date at the bottom right
    ax = (w - 640 if horizontal else w - 600) + j(30)
    # right under the fields, or (three times in ten) at the foot of the page
    ay = (h - 200 if rng.random() < 0.3 else min(h - 200, end + 110 + abs(j(40)))) + j(6)
    af = face(v.fonts["label"], 28)
    auth_label = rng.choice(AUTHORITY_LABELS)
    lb = draw_text(d, (ax, ay), f"{auth_label}：", af, label_fill)
    vf = face(v.fonts["value"], 30)
    while text_width(u.authority, vf) > w - 90 - lb[2] and vf.size > 16:
        vf = face(vf.key, vf.size - 1)
    boxes["registration_authority"] = draw_text(d, (lb[2] + 6, ay), u.authority, vf, INK)
    issue = _date_cn(u.valid_from)
    draw_text(d, (ax + 120, ay + 80), issue, face(v.fonts["value"], 28), INK, tracking=2)
    draw_seal(img, (ax + 120 + j(20), ay + 50 + j(10)), 92, u.authority, rng, v.fonts["seal"])
    fields = u.fields()
    missing = set(fields) - set(boxes)
    if missing:  # pragma: no cover - a layout bug, not an input error
        raise AssertionError(f"fields not printed: {sorted(missing)}")
    extra: dict[str, object] = {"orientation": orientation, "scheme": scheme, "copy": copy}
    return Rendered(img, {k: boxes[k] for k in fields}, fields, u.kind, extra)
