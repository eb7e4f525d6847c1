"""Business licenses (营业执照) of every format the reader must take.

Formats: the current (2016+) license with its unified social credit code at the top left
and a QR code, horizontal or vertical, 副本 (marked （副本）) or 正本; the pre-2016 license
with a 15-digit registration number (注册号) and no credit code; and the entities a
license is issued to — companies and branches, individual businesses (个体工商户:
经营者, 经营场所, 组成形式, 注册日期, maybe without a name), sole proprietorships
(个人独资企业: 投资人) and partnerships (合伙企业: 执行事务合伙人, 主要经营场所, 合伙期限).

Layout follows the variant (kyc/synth/variants.py): label spacing, label and value on one
line or stacked, values in one column or right after their label, line spacing, label
colour, fonts per role; the scheme puts the fields in two columns, one column, or with
the business scope at the bottom in two text columns. Everything is first laid out as a
list of text operations, then drawn, so that the layout can be shrunk until it fits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random

from PIL import ImageDraw

from kyc.synth.fonts import Face, face
from kyc.synth.identity import Company
from kyc.synth.render import (
    INK,
    LICENSE_H_SIZE,
    LICENSE_V_SIZE,
    RGB,
    Box,
    Rendered,
    _license_base,
    _qr,
    _union,
    draw_emblem,
    draw_label,
    draw_seal,
    draw_text,
    label_width,
    text_width,
    wrap,
)
from kyc.synth.variants import Variant, default_variant

# How an individual business without a name shows its 名称 line.
UNNAMED_MARKS = ("", "***", "*")
TITLES = ("营业执照",)
OLD_CORPORATE_TITLE = "企业法人营业执照"
QR_CAPTION = ("扫描二维码登录", "国家企业信用", "信息公示系统")
QR_CAPTION_ALT = ("扫描市场主体身份码", "了解更多登记、", "备案、许可、监管信息")
FOOTERS = (
    "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
    "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告",
)
FOOTER_RIGHT = "国家市场监督管理总局监制"
OLD_FOOTER = "提示：每年1月1日至6月30日通过企业信用信息公示系统报送上一年度年度报告并公示"
AUTHORITY_LABEL = "登记机关"
SINGLE_LINE = {"registered_capital", "paid_in_capital", "established_date", "business_term",
               "organization_form"}  # fmt: skip


def _date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


@dataclass
class _Op:
    x: float
    y: float
    text: str
    face: Face
    fill: RGB
    key: str | None = None  # the field whose value this is
    label: bool = False
    spread: float = 0.0
    style: str = "tight"


@dataclass(frozen=True)
class _Style:
    lab: Face
    val: Face
    label_w: float  # the label column (column alignment) / spread width
    spread: float
    v: Variant
    label_fill: RGB
    gap: float


def _items(c: Company) -> list[tuple[str, str, str]]:
    """(key, label, value) in the order the format prints them; key "" prints a line that
    is no field (实收资本, an absent name)."""
    name = c.name if c.name is not None else "\x00"
    old = c.format == "pre2016"
    rep_label = c.representative_label
    if old and rep_label == "法定代表人":
        rep_label = "法定代表人姓名"
    rep_key = "operator" if c.individual else "legal_representative"
    type_label = "公司类型" if old and c.entity in ("company", "branch") else "类型"
    items: list[tuple[str, str, str]] = [("name", "名称", name)]
    if not (old and c.individual):
        items.append(("company_type", type_label, c.company_type))
    items.append((rep_key, rep_label, c.legal_representative))
    if c.composition is not None:
        items.append(("organization_form", "组成形式", c.composition))
    if c.registered_capital is not None:
        items.append(("registered_capital", "注册资本", c.registered_capital))
    if c.paid_in_capital is not None:
        items.append(("", "实收资本", c.paid_in_capital))
    items.append(("established_date", c.established_label, _date_cn(c.established_date)))
    if c.business_term is not None:
        term = c.business_term.replace("至", " 至 ")
        items.append(("business_term", c.term_label, term))
    items.append(("address", c.address_label, c.address))
    return items


def _block(
    ops: list[_Op], x: float, y: float, width: float, item: tuple[str, str, str], st: _Style
) -> float:
    key, label, text = item
    v = st.v
    ops.append(_Op(x, y, label, st.lab, st.label_fill, label=True, spread=st.spread,
                   style=v.label_style))  # fmt: skip
    lw = label_width(label, st.lab, v.label_style, st.spread)
    line_h = st.val.size * v.line_spacing
    if v.arrangement == "stacked":
        vx, vy = x + st.lab.size * 0.6, y + st.lab.size * v.line_spacing
    else:
        vx = x + (st.label_w if v.alignment == "column" else lw) + st.gap
        vy = y
    avail = x + width - vx
    f = st.val
    if text == "\x00":  # an individual business without a name: blank or a mark
        return vy + line_h + st.lab.size * 0.5
    if key in SINGLE_LINE or (key == "" and label == "实收资本"):
        while f.size > 14 and f.getlength(text) > avail:
            f = face(f.key, f.size - 1)
        lines = [text]
    else:
        lines = wrap(text, f, avail)
    for i, line in enumerate(lines):
        ops.append(_Op(vx, vy + i * line_h, line, f, INK, key=key or None))
    return vy + len(lines) * line_h + st.lab.size * 0.55


def _scope_ops(
    ops: list[_Op],
    x: float,
    y: float,
    width: float,
    text: str,
    st: _Style,
    columns: int,
    size: int,
) -> float:
    v = st.v
    ops.append(_Op(x, y, "经营范围", st.lab, st.label_fill, label=True, spread=st.spread,
                   style=v.label_style))  # fmt: skip
    lw = label_width("经营范围", st.lab, v.label_style, st.spread)
    f = face(st.val.key, size)
    line_h = f.size * v.line_spacing
    if v.arrangement == "stacked" or columns == 2:
        vx, vy = x + st.lab.size * 0.6, y + st.lab.size * v.line_spacing
    else:
        vx = x + (st.label_w if v.alignment == "column" else lw) + st.gap
        vy = y
    avail = x + width - vx
    if columns == 2:
        col_gap = 40.0
        col_w = (avail - col_gap) / 2
        lines = wrap(text, f, col_w)
        half = (len(lines) + 1) // 2
        for i, line in enumerate(lines):
            col, row = divmod(i, half)
            ops.append(_Op(vx + col * (col_w + col_gap), vy + row * line_h, line, f, INK,
                           key="business_scope"))  # fmt: skip
        return vy + half * line_h
    lines = wrap(text, f, avail)
    for i, line in enumerate(lines):
        ops.append(_Op(vx, vy + i * line_h, line, f, INK, key="business_scope"))
    return vy + len(lines) * line_h


def _layout(
    c: Company,
    v: Variant,
    scheme: str,
    size: tuple[int, int],
    top: float,
    bottom: float,
    scale: float,
    label_fill: RGB,
    scope_size: int,
) -> tuple[list[_Op], float]:
    w, _ = size
    lab = face(v.fonts["label"], round(30 * scale))
    val = face(v.fonts["value"], round(30 * scale))
    items = _items(c)
    spread = lab.size * 4 + 8
    label_w = max(label_width(lb, lab, v.label_style, spread) for _, lb, _ in items)
    st = _Style(lab, val, label_w, spread, v, label_fill, gap=lab.size * 1.1)
    ops: list[_Op] = []
    margin = 100.0
    columns_scope = 2 if scheme.endswith("scope2") else 1
    if scheme.startswith("h2"):
        col_gap = 60.0
        col_w = (w - 2 * margin - col_gap) / 2
        left_keys = ["name", "company_type", "legal_representative", "operator"]
        if scheme == "h2_scope2":
            left_keys += ["registered_capital", "organization_form"]
        left = [it for it in items if it[0] in left_keys]
        right = [it for it in items if it not in left]
        y = top
        for it in left:
            y = _block(ops, margin, y, col_w, it, st)
        y_left = y
        y = top
        for it in right:
            y = _block(ops, margin + col_w + col_gap, y, col_w, it, st)
        y_right = y
        if scheme == "h2_scope2":
            y = max(y_left, y_right)
            end = _scope_ops(ops, margin, y, w - 2 * margin, c.business_scope, st, 2, scope_size)
        else:
            end = _scope_ops(ops, margin, y_left, col_w, c.business_scope, st, 1, scope_size)
            end = max(end, y_right)
    else:
        order = {k: i for i, k in enumerate(
            ["name", "company_type", "address", "legal_representative", "operator",
             "organization_form", "registered_capital", "", "established_date", "business_term"]
        )}  # fmt: skip
        if c.format == "pre2016":
            order = {k: i for i, k in enumerate(
                ["name", "address", "legal_representative", "operator", "organization_form",
                 "registered_capital", "", "company_type", "established_date", "business_term"]
            )}  # fmt: skip
        y = top
        for it in sorted(items, key=lambda it: order.get(it[0], 99)):
            y = _block(ops, margin, y, w - 2 * margin, it, st)
        end = _scope_ops(ops, margin, y, w - 2 * margin, c.business_scope, st, columns_scope,
                         scope_size)  # fmt: skip
    return ops, end


def render_license(
    company: Company,
    rng: Random,
    orientation: str = "horizontal",
    variant: Variant | None = None,
    copy: str | None = None,
    scheme: str | None = None,
) -> Rendered:
    """A license of ``company`` in its format (``company.format``). ``copy`` is "副本"
    (marked) or "正本" (default: 副本 seven times in ten); ``scheme`` (default: drawn) is
    "h2" / "h2_scope2" for horizontal, "v1" / "v1_scope2" for vertical licenses."""
    v = variant or default_variant()
    horizontal = orientation == "horizontal"
    size = LICENSE_H_SIZE if horizontal else LICENSE_V_SIZE
    w, h = size
    old = company.format == "pre2016"
    copy = copy or ("副本" if rng.random() < 0.7 else "正本")
    if scheme is None:
        scheme = rng.choice(("h2", "h2", "h2_scope2") if horizontal else ("v1", "v1", "v1_scope2"))
    img = _license_base(size, rng)
    d = ImageDraw.Draw(img)
    label_fill: RGB = INK if variant is None else v.label_colour
    jit = v.jitter

    def j(amount: float) -> float:
        return rng.uniform(-amount, amount) * jit

    ex = round(j(30))
    draw_emblem(img, (w // 2 - 45 + ex, 70, w // 2 + 45 + ex, 160))
    title = OLD_CORPORATE_TITLE if old and company.entity == "company" and rng.random() < 0.5 \
        else TITLES[0]  # fmt: skip
    tf = face(v.fonts["title"], round((104 if horizontal else 96) * (1 + j(0.08))))
    tracking = 40.0 if len(title) == 4 else 12.0
    while text_width(title, tf, tracking) > w - 520:
        tf = face(tf.key, tf.size - 2)
    tw = text_width(title, tf, tracking)
    title_y = (285 if horizontal else 400) + j(20)
    title_box = draw_text(
        d, ((w - tw) / 2 + j(20), title_y), title, tf, INK, tracking=tracking, stroke=2
    )
    if copy == "副本":
        cf = face(v.fonts["title"], 34)
        mark = "（副本）"
        draw_text(d, ((w - text_width(mark, cf)) / 2, title_y + 60), mark, cf, INK)
        if rng.random() < 0.4:
            nf = face(v.fonts["label"], 22)
            draw_text(d, ((w + tw) / 2 + 10, title_y + 60), f"副本编号：{rng.randint(1, 3)}-1",
                      nf, INK)  # fmt: skip
    boxes: dict[str, Box] = {}
    label_f = face(v.fonts["label"], 28)
    num_f = face(v.fonts["number"], round(34 * (1 + j(0.06))))
    if company.credit_code is not None:
        cx, cy = 100 + j(15), 180 + j(10)
        draw_text(d, (cx, cy), "统一社会信用代码", label_f, label_fill, tracking=2)
        # A license prints its code clear of the title: a wide number font is set
        # smaller rather than run into the title's first character on the same rows.
        code_f = num_f
        while (
            title_box[1] < cy + 48
            and cx + text_width(company.credit_code, code_f, 2) > title_box[0] - 30
        ):
            code_f = face(code_f.key, code_f.size - 1)
        boxes["credit_code"] = draw_text(
            d, (cx, cy + 48), company.credit_code, code_f, INK, tracking=2
        )
        qr = _qr(rng)
        qx = w - 100 - qr.width + round(j(15))
        img.paste(qr, (qx, 110))
        qf = face(v.fonts["footer"], 14)
        caption = QR_CAPTION if rng.random() < 0.6 else QR_CAPTION_ALT
        for i, line in enumerate(caption):
            draw_text(d, (qx + (qr.width - text_width(line, qf)) / 2,
                          110 + qr.height + 22 + i * 19), line, qf, INK)  # fmt: skip
    else:
        assert company.registration_number is not None
        rf = face(v.fonts["label"], 28)
        if rng.random() < 0.5:  # top right
            rx = w - 110 - text_width("注册号", rf) - 16
            rx -= text_width(company.registration_number, num_f, 1.5)
            ry = 200.0
        else:  # under the title
            rx = w / 2 - 200
            ry = title_y + (120 if copy == "副本" else 80)
        lab_box = draw_text(d, (rx, ry), "注册号", rf, label_fill)
        boxes["registration_number"] = draw_text(
            d, (lab_box[2] + 16, ry), company.registration_number, num_f, INK, tracking=1.5
        )
    top = (440.0 if horizontal else 560.0) + j(25)
    if old and not horizontal:
        top = max(top, title_y + 200)
    bottom = h - (250 if horizontal else 330)
    scale = 1.0 + j(0.1)
    ops: list[_Op] = []
    for _ in range(12):
        base = round(30 * scale)
        for scope_size in range(base, 15, -1):
            ops, end = _layout(company, v, scheme, size, top, bottom, scale, label_fill,
                               scope_size)  # fmt: skip
            if end <= bottom:
                break
        if end <= bottom:
            break
        scale *= 0.92
    field_boxes: dict[str, list[Box]] = {}
    for op in ops:
        if op.label:
            b = draw_label(d, op.x, op.y, op.text, op.face, op.style, op.spread, op.fill)
        else:
            b = draw_text(d, (op.x, op.y), op.text, op.face, op.fill)
        if op.key is not None:
            field_boxes.setdefault(op.key, []).append(b)
    for k, bs in field_boxes.items():
        boxes[k] = _union(bs)
    if company.name is None:  # 名称 printed blank or with a mark
        mark = rng.choice(UNNAMED_MARKS)
        name_label = next(op for op in ops if op.label and op.text == "名称")
        if mark:
            lw = label_width("名称", name_label.face, v.label_style, name_label.spread)
            draw_text(d, (name_label.x + lw + 40, name_label.y), mark, name_label.face, INK)
        extra_unnamed: str | None = mark or "blank"
    else:
        extra_unnamed = None
    # registration authority, seal, date
    if horizontal:
        ax = w / 2 + 60 + 100 + j(40)
        auth_y = h - 250 + j(15)
    else:
        ax = w - 520 + j(40)
        auth_y = h - 230 + j(15)
    af = face(v.fonts["label"], 30)
    draw_text(d, (ax + 60, auth_y), AUTHORITY_LABEL, af, INK, tracking=8)
    issue = _date_cn(company.issue_date)
    draw_text(d, (ax + 60, auth_y + 110), issue, face(v.fonts["value"], 30), INK, tracking=2)
    draw_seal(img, (ax + 150, auth_y + 30), 95, company.registration_authority, rng,
              v.fonts["seal"])  # fmt: skip
    sf = face(v.fonts["footer"], 15)
    foot = OLD_FOOTER if old else rng.choice(FOOTERS)
    if text_width(foot, sf) < w - 200 - text_width(FOOTER_RIGHT, sf) - 30:
        draw_text(d, (100, h - 58), foot, sf, INK)
    if not old:
        draw_text(d, (w - 100 - text_width(FOOTER_RIGHT, sf), h - 58), FOOTER_RIGHT, sf, INK)
    fields = company.fields()
    boxes = {k: b for k, b in boxes.items() if k in fields}
    missing = set(fields) - set(boxes)
    if missing:  # pragma: no cover - a layout bug, not an input error
        raise AssertionError(f"fields not printed: {sorted(missing)}")
    extra: dict[str, object] = {
        "orientation": orientation,
        "copy": copy,
        "scheme": scheme,
        "format": company.format,
        "entity": company.entity,
        "title_box": title_box,
    }
    if extra_unnamed is not None:
        extra["unnamed"] = extra_unnamed
    return Rendered(img, boxes, fields, "business_license", extra)


__all__ = ["render_license"]
