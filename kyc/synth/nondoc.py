"""Things that look like our documents and are not: social security cards, bank cards,
driving licences, receipts and invoices, a passport data page, plain photos.

All data is fake (drawn by kyc/synth/identity.py). A social security card prints an
18-digit 社会保障号码 (an ID number), a driving licence an ID number as 证号, an invoice a
credit code: a reader that finds codes by content alone will find them here too. Except
for the passport (its own document type, ``../shared/DESIGN.md``), each is ``unknown``
with ``NOT_A_DOCUMENT``.
"""

from __future__ import annotations

import datetime as dt
from random import Random

from PIL import Image, ImageDraw

from kyc.synth.fonts import face
from kyc.synth.identity import (
    Person,
    add_years,
    make_company,
    make_person,
)
from kyc.synth.render import (
    CARD_SIZE,
    INK,
    RGB,
    Rendered,
    _guilloche,
    _rounded_alpha,
    draw_emblem,
    draw_seal,
    draw_text,
    make_portrait,
    portrait_sources,
    text_width,
)
from kyc.synth.variants import Variant, default_variant

NON_DOCUMENTS = (
    "social_security_card",
    "bank_card",
    "driving_licence",
    "receipt",
    "invoice",
    "plain_photo",
)
SSC_TITLE = "中华人民共和国社会保障卡"
SSC_LABELS = ("姓名", "社会保障号码", "社会保障卡号", "发卡日期")
BANK_NAMES = ("华信银行", "东方商业银行", "长江农村商业银行", "城市联合银行")
BANK_WORDS = ("借记卡", "储蓄卡", "金融社保卡", "DEBIT", "VALID THRU", "银联")
DL_TITLE = "中华人民共和国机动车驾驶证"
DL_LABELS = ("证号", "姓名", "性别", "国籍", "住址", "出生日期", "初次领证日期", "准驾车型",
             "有效期限", "中国", "至", "C1", "C2", "A2", "B2")  # fmt: skip
DL_SEAL = "公安局交通警察支队"
RECEIPT_WORDS = ("欢迎光临", "单号", "收银员", "商品", "数量", "金额", "合计", "实收", "找零",
                 "现金", "微信支付", "纳税人识别号", "谢谢惠顾", "日期")  # fmt: skip
RECEIPT_ITEMS = ("矿泉水", "面包", "牛奶", "纸巾", "洗衣液", "苹果", "方便面", "咖啡", "笔记本",
                 "签字笔", "雨伞", "酸奶")  # fmt: skip
INVOICE_WORDS = ("电子发票（普通发票）", "发票号码", "开票日期", "购买方信息", "销售方信息",
                 "名称", "统一社会信用代码/纳税人识别号", "项目名称", "规格型号", "单位", "数量",
                 "单价", "金额", "税率/征收率", "税额", "合计", "价税合计（大写）", "（小写）",
                 "备注", "开票人", "发票专用章", "*信息技术服务*技术服务费", "*办公用品*打印纸",
                 "¥", "%", "次", "箱")  # fmt: skip
PASSPORT_WORDS = ("中华人民共和国", "PEOPLE'S REPUBLIC OF CHINA", "护照", "PASSPORT",
                  "类型/Type", "国家码/Country Code", "护照号/Passport No.", "姓名/Name",
                  "性别/Sex", "出生地点/Place of birth", "出生日期/Date of birth",
                  "签发地点/Place of issue", "签发日期/Date of issue", "有效期至/Date of expiry",
                  "签发机关/Authority", "国家移民管理局", "National Immigration Administration",
                  "男/M", "女/F")  # fmt: skip
# A few surnames and given-name syllables with their pinyin (passport names are printed
# in both); random combinations, nobody's name.
PINYIN_SURNAMES = (
    ("王", "WANG"),
    ("李", "LI"),
    ("张", "ZHANG"),
    ("刘", "LIU"),
    ("陈", "CHEN"),
    ("杨", "YANG"),
    ("黄", "HUANG"),
    ("赵", "ZHAO"),
    ("吴", "WU"),
    ("周", "ZHOU"),
    ("徐", "XU"),
    ("孙", "SUN"),
    ("马", "MA"),
    ("朱", "ZHU"),
    ("胡", "HU"),
    ("郭", "GUO"),
    ("何", "HE"),
    ("林", "LIN"),
    ("罗", "LUO"),
    ("高", "GAO"),
)
PINYIN_GIVEN = (
    ("伟", "WEI"),
    ("芳", "FANG"),
    ("娜", "NA"),
    ("敏", "MIN"),
    ("静", "JING"),
    ("强", "QIANG"),
    ("磊", "LEI"),
    ("军", "JUN"),
    ("洋", "YANG"),
    ("勇", "YONG"),
    ("艳", "YAN"),
    ("杰", "JIE"),
    ("涛", "TAO"),
    ("明", "MING"),
    ("超", "CHAO"),
    ("秀", "XIU"),
    ("霞", "XIA"),
    ("平", "PING"),
    ("刚", "GANG"),
    ("桂", "GUI"),
    ("文", "WEN"),
    ("华", "HUA"),
    ("建", "JIAN"),
    ("国", "GUO"),
    ("丽", "LI"),
    ("晨", "CHEN"),
    ("宇", "YU"),
    ("欣", "XIN"),
    ("佳", "JIA"),
    ("怡", "YI"),
)
PROVINCE_PINYIN = (
    ("广东", "GUANGDONG"),
    ("北京", "BEIJING"),
    ("上海", "SHANGHAI"),
    ("浙江", "ZHEJIANG"),
    ("江苏", "JIANGSU"),
    ("四川", "SICHUAN"),
    ("湖南", "HUNAN"),
    ("山东", "SHANDONG"),
    ("河南", "HENAN"),
    ("福建", "FUJIAN"),
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _card(rng: Random, base: RGB, ink: RGB) -> Image.Image:
    img = _guilloche(CARD_SIZE, rng, base, ink, n=5).convert("RGBA")
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    return img


def _chip(d: ImageDraw.ImageDraw, x: float, y: float, s: float = 1.0) -> None:
    w, h = 110 * s, 84 * s
    d.rounded_rectangle((x, y, x + w, y + h), radius=12 * s, fill=(212, 180, 96),
                        outline=(150, 120, 60), width=2)  # fmt: skip
    for i in (1, 2):
        d.line((x, y + h * i / 3, x + w, y + h * i / 3), fill=(150, 120, 60), width=2)
    d.line((x + w / 2, y, x + w / 2, y + h), fill=(150, 120, 60), width=2)


def _portrait(img: Image.Image, rng: Random, box: tuple[int, int, int, int]) -> None:
    pool = portrait_sources()
    src = rng.choice(pool) if pool else None
    pw, ph = box[2] - box[0], box[3] - box[1]
    p = make_portrait(src, (pw, ph), rng, (235, 240, 245))
    img.alpha_composite(p, (box[0], box[1]))


def social_security_card(rng: Random, person: Person, v: Variant) -> Image.Image:
    img = _card(rng, (rng.randint(225, 240), rng.randint(235, 245), 250), (150, 180, 220))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, CARD_SIZE[0], 96), fill=(rng.randint(20, 60), rng.randint(90, 140), 190))
    draw_emblem(img, (24, 14, 92, 82))
    draw_text(d, (110, 64), SSC_TITLE, face(v.fonts["title"], 40), (255, 255, 255), tracking=2)
    _chip(d, 60, 150)
    lab, val = face(v.fonts["label"], 24), face(v.fonts["value"], 30)
    num = face(v.fonts["number"], 32)
    y = 300
    card_no = rng.choice("ABCDEFGH") + "".join(rng.choice("0123456789") for _ in range(8))
    issued = person.valid_from
    rows = (
        ("姓名", person.name, val),
        ("社会保障号码", person.id_number, num),
        ("社会保障卡号", card_no, num),
        ("发卡日期", f"{issued.year}年{issued.month:02d}月", val),
    )
    for label, value, f in rows:
        draw_text(d, (60, y), label, lab, v.label_colour)
        draw_text(d, (60 + lab.getlength(label) + 20, y), value, f, INK)
        y += 56
    _portrait(img, rng, (620, 140, 800, 360))
    draw_text(d, (600, 510), rng.choice(BANK_NAMES), face(v.fonts["footer"], 24), INK)
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    return img


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return body + str((10 - total % 10) % 10)


def bank_card(rng: Random, person: Person, v: Variant) -> Image.Image:
    base = (rng.randint(20, 200), rng.randint(20, 160), rng.randint(60, 200))
    img = _card(rng, base, tuple(min(255, c + 40) for c in base))  # type: ignore[arg-type]
    d = ImageDraw.Draw(img)
    light = (245, 245, 245)
    draw_text(d, (50, 90), rng.choice(BANK_NAMES), face(v.fonts["title"], 44), light)
    _chip(d, 70, 170)
    body = "62" + "".join(rng.choice("0123456789") for _ in range(rng.choice((13, 14, 16))))
    number = _luhn_complete(body)
    groups = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    nf = face(v.fonts["number"], 46)
    while text_width(groups, nf, 2) > 760:
        nf = face(nf.key, nf.size - 2)
    draw_text(d, (50, 360), groups, nf, light, tracking=2)
    until = add_years(dt.date(2020, 1, 1), rng.randint(4, 12))
    draw_text(d, (300, 420), f"VALID THRU {until.month:02d}/{until.year % 100:02d}",
              face("ocrb", 24), light)  # fmt: skip
    sur, given = rng.choice(PINYIN_SURNAMES), rng.choice(PINYIN_GIVEN)
    draw_text(d, (50, 490), f"{sur[1]} {given[1]}", face("ocrb", 30), light)
    draw_text(d, (640, 490), rng.choice(BANK_WORDS[:3]), face(v.fonts["label"], 28), light)
    img.putalpha(_rounded_alpha(CARD_SIZE, 34))
    return img


def driving_licence(rng: Random, person: Person, v: Variant) -> Image.Image:
    size = (880, 600)
    img = _guilloche(size, rng, (248, 246, 238), (190, 200, 215), n=4).convert("RGBA")
    d = ImageDraw.Draw(img)
    tf = face(v.fonts["title"], 38)
    draw_text(d, ((size[0] - text_width(DL_TITLE, tf)) / 2, 60), DL_TITLE, tf, INK)
    d.rectangle((30, 85, 850, 570), outline=(120, 120, 140), width=2)
    lab, val = face(v.fonts["label"], 22), face(v.fonts["value"], 26)
    num = face(v.fonts["number"], 30)
    y = 130
    draw_text(d, (50, y), "证号", lab, INK)
    draw_text(d, (130, y + 2), person.id_number, num, INK, tracking=2)
    first = add_years(person.birth_date, rng.randint(18, 40))
    start = add_years(first, rng.choice((0, 6, 12)))
    rows = (
        (("姓名", person.name), ("性别", person.sex), ("国籍", "中国")),
        (("住址", person.address[:20]),),
        (("", person.address[20:]),),
        (("出生日期", person.birth_date.isoformat()),),
        (("初次领证日期", first.isoformat()),),
        (("准驾车型", rng.choice(("C1", "C2", "A2", "B2"))),),
        (("有效期限", f"{start.isoformat()} 至 {add_years(start, 6).isoformat()}"),),
    )
    for row in rows:
        y += 56
        x = 50.0
        for label, value in row:
            if label:
                draw_text(d, (x, y), label, lab, INK)
            draw_text(d, (x + max(80, lab.getlength(label) + 16), y), value, val, INK)
            x += 230
    _portrait(img, rng, (650, 170, 820, 390))
    draw_seal(img, (700, 470), 70, person.region.city + DL_SEAL, rng, v.fonts["seal"])
    return img


def receipt(rng: Random, v: Variant) -> Image.Image:
    n = rng.randint(3, 9)
    size = (620, 560 + n * 44)
    img = Image.new("RGBA", size, (rng.randint(240, 252),) * 3 + (255,))
    d = ImageDraw.Draw(img)
    company = make_company(rng, dt.date(2026, 1, 1), entity="company", license_format="current")
    assert company.name is not None and company.credit_code is not None
    tf, f = face(v.fonts["title"], 30), face(v.fonts["value"], 22)
    nf = face(v.fonts["number"], 22)
    shop = company.name.replace("有限公司", "") + rng.choice(("超市", "便利店", "文具店"))
    draw_text(d, (30, 60), shop[:18], tf, INK)
    draw_text(d, (30, 110), f"纳税人识别号：{company.credit_code}", f, INK)
    ticket = f"单号：{rng.randint(10**9, 10**10 - 1)}  收银员：{rng.randint(1, 30):02d}"
    draw_text(d, (30, 145), ticket, f, INK)
    draw_text(d, (30, 190), "商品        数量      金额", f, INK)
    y, total = 230, 0.0
    for _ in range(n):
        price = rng.randint(100, 9900) / 100
        qty = rng.randint(1, 3)
        total += price * qty
        draw_text(d, (30, y), rng.choice(RECEIPT_ITEMS), f, INK)
        draw_text(d, (250, y), str(qty), nf, INK)
        draw_text(d, (420, y), f"{price * qty:.2f}", nf, INK)
        y += 44
    d.line((30, y, 590, y), fill=INK, width=1)
    draw_text(d, (30, y + 40), f"合计：{total:.2f}", tf, INK)
    draw_text(d, (30, y + 90), f"{rng.choice(('现金', '微信支付'))}：{total:.2f}", f, INK)
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
    when = f"日期：{day.isoformat()} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
    draw_text(d, (30, y + 130), when, nf, INK)
    draw_text(d, (180, y + 190), rng.choice(("谢谢惠顾", "欢迎光临")), tf, INK)
    return img


def invoice(rng: Random, v: Variant) -> Image.Image:
    size = (1400, 900)
    img = Image.new("RGBA", size, (252, 250, 244, 255))
    d = ImageDraw.Draw(img)
    brown: RGB = (140, 70, 40)
    tf = face(v.fonts["title"], 44)
    title = INVOICE_WORDS[0]
    draw_text(d, ((size[0] - text_width(title, tf)) / 2, 90), title, tf, brown)
    f, nf = face(v.fonts["value"], 22), face(v.fonts["number"], 22)
    lab = face(v.fonts["label"], 22)
    draw_text(d, (1000, 60), f"发票号码：{rng.randint(10**19, 10**20 - 1)}", nf, INK)
    issued = f"开票日期：2025年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
    draw_text(d, (1000, 100), issued, f, INK)
    d.rectangle((60, 150, 1340, 780), outline=brown, width=2)
    d.line((700, 150, 700, 320), fill=brown, width=2)
    d.line((60, 320, 1340, 320), fill=brown, width=2)
    today = dt.date(2026, 1, 1)
    for i, x in enumerate((80, 720)):
        c = make_company(rng, today, entity="company", license_format="current")
        assert c.name is not None and c.credit_code is not None
        draw_text(d, (x, 190), "购买方信息" if i == 0 else "销售方信息", lab, brown)
        draw_text(d, (x, 240), f"名称：{c.name[:22]}", f, INK)
        draw_text(d, (x, 290), "统一社会信用代码/纳税人识别号：", lab, brown)
        draw_text(d, (x + 360, 290), c.credit_code, nf, INK)
    heads = ("项目名称", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
    xs = (80, 480, 580, 680, 820, 980, 1160)
    for x, head in zip(xs, heads, strict=True):
        draw_text(d, (x, 360), head, lab, brown)
    y, total = 410, 0.0
    for _ in range(rng.randint(1, 4)):
        amount = rng.randint(1000, 99999) / 100
        total += amount
        row = (rng.choice(INVOICE_WORDS[-5:-3]), rng.choice(("次", "箱")), "1",
               f"{amount:.2f}", f"{amount:.2f}", "6%", f"{amount * 0.06:.2f}")  # fmt: skip
        for x, cell in zip(xs, row, strict=True):
            draw_text(d, (x, y), cell, f, INK)
        y += 44
    draw_text(d, (80, 720), f"价税合计（大写）  （小写）¥{total * 1.06:.2f}", f, INK)
    draw_text(d, (80, 840), f"开票人：{make_person(rng, today).name}", f, INK)
    seal_img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw_seal(seal_img, (1150, 760), 90, "发票专用章", rng, v.fonts["seal"])
    img.alpha_composite(seal_img)
    return img


def plain_photo(rng: Random, size: tuple[int, int]) -> Image.Image:
    """A photo with no document: a face photo, or shapes on a surface."""
    pool = portrait_sources()
    if pool and rng.random() < 0.5:
        src = Image.open(rng.choice(pool)).convert("RGB")
        return src.resize(size, Image.Resampling.BILINEAR).convert("RGBA")
    base = tuple(rng.randint(60, 200) for _ in range(3))
    img = Image.new("RGBA", size, (*base, 255))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(2, 6)):
        x, y = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        r = rng.uniform(0.05, 0.25) * min(size)
        col = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            d.ellipse((x - r, y - r, x + r, y + r), fill=col)
        else:
            d.rectangle((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=col)
    return img


def render_non_document(
    what: str, rng: Random, today: dt.date, variant: Variant | None = None
) -> Rendered:
    """One of :data:`NON_DOCUMENTS`, as a flat RGBA image with no fields."""
    v = variant or default_variant()
    if what not in NON_DOCUMENTS:
        raise ValueError(f"unknown non-document {what!r}")
    if what in ("social_security_card", "bank_card", "driving_licence"):
        person = make_person(rng, today)
        img = {"social_security_card": social_security_card, "bank_card": bank_card,
               "driving_licence": driving_licence}[what](rng, person, v)  # fmt: skip
    elif what == "receipt":
        img = receipt(rng, v)
    elif what == "invoice":
        img = invoice(rng, v)
    else:
        img = plain_photo(rng, (1200, 900))
    return Rendered(img, {}, {}, "unknown", {"non_document": what})


# ---------------------------------------------------------------------------------------
# Passport data page (its own document type)
# ---------------------------------------------------------------------------------------


def mrz_check(s: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1; A-Z = 10-35, '<' = 0)."""
    total = 0
    for i, ch in enumerate(s):
        if ch.isdigit():
            n = int(ch)
        elif ch.isalpha():
            n = ord(ch) - 55
        else:
            n = 0
        total += n * (7, 3, 1)[i % 3]
    return str(total % 10)


def _mrz_date(d: dt.date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def _pp_date(d: dt.date) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def render_passport(rng: Random, today: dt.date, variant: Variant | None = None) -> Rendered:
    """A PRC passport data page (125 x 88 mm at 10 px/mm) with its MRZ; the fields are
    those ``kyc ocr`` reports for a passport (../shared/DESIGN.md)."""
    v = variant or default_variant()
    size = (1250, 880)
    img = _guilloche(size, rng, (238, 236, 246), (200, 180, 215), n=6).convert("RGBA")
    d = ImageDraw.Draw(img)
    sur = rng.choice(PINYIN_SURNAMES)
    given = [rng.choice(PINYIN_GIVEN) for _ in range(rng.choice((1, 2)))]
    name = sur[0] + "".join(g[0] for g in given)
    given_latin = "".join(g[1] for g in given)
    sex = rng.choice(("M", "F"))
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 70 * 365))
    issue = today - dt.timedelta(days=rng.randint(30, 9 * 365))
    expiry = add_years(issue, 10) - dt.timedelta(days=1)
    number = "E" + "".join(rng.choice("0123456789") for _ in range(8))
    place = rng.choice(PROVINCE_PINYIN)
    lab = face(v.fonts["label"], 18)
    val = face(v.fonts["value"], 28)
    lat = face("ocrb", 26)
    tf = face(v.fonts["title"], 34)
    draw_text(d, (380, 60), "中华人民共和国  PEOPLE'S REPUBLIC OF CHINA", tf, INK)
    draw_text(d, (380, 110), "护照  PASSPORT", tf, INK)

    def field(x: float, y: float, label: str, value: str, f: object = val) -> None:
        draw_text(d, (x, y), label, lab, (90, 60, 120))
        draw_text(d, (x, y + 36), value, f, INK)  # type: ignore[arg-type]

    field(380, 160, "类型/Type", "P", lat)
    field(560, 160, "国家码/Country Code", "CHN", lat)
    field(860, 160, "护照号/Passport No.", number, lat)
    field(380, 240, "姓名/Name", f"{name}")
    draw_text(d, (380, 320), f"{sur[1]}, {given_latin}", lat, INK)
    field(380, 350, "性别/Sex", "男/M" if sex == "M" else "女/F")
    field(640, 350, "出生地点/Place of birth", f"{place[0]}/{place[1]}")
    field(380, 430, "出生日期/Date of birth", _pp_date(birth), lat)
    field(380, 510, "签发日期/Date of issue", _pp_date(issue), lat)
    field(780, 510, "有效期至/Date of expiry", _pp_date(expiry), lat)
    field(380, 590, "签发机关/Authority", "国家移民管理局")
    _portrait(img, rng, (60, 170, 340, 540))
    line1 = f"P<CHN{sur[1]}<<{given_latin}".ljust(44, "<")[:44]
    pn = number
    line2 = (
        f"{pn}{mrz_check(pn)}CHN{_mrz_date(birth)}{mrz_check(_mrz_date(birth))}{sex}"
        f"{_mrz_date(expiry)}{mrz_check(_mrz_date(expiry))}"
    )
    personal = "<" * 14
    line2 += personal + mrz_check(personal)
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    line2 += mrz_check(composite)
    mf = face("ocrb", 34)
    draw_text(d, (50, 760), line1, mf, INK, tracking=1.5)
    draw_text(d, (50, 820), line2, mf, INK, tracking=1.5)
    fields = {
        "passport_number": number,
        "name": name,
        "name_latin": f"{sur[1]} {given_latin}",
        "sex": sex,
        "nationality": "CHN",
        "birth_date": birth.isoformat(),
        "expiry_date": expiry.isoformat(),
        "issuing_country": "CHN",
        "mrz": f"{line1}\n{line2}",
    }
    return Rendered(img, {}, fields, "passport", {"non_document": "passport"})
