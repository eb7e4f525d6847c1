"""Fake holders of the other certificates the filing rules accept (pure, seeded):
passport holders (PRC and foreign), holders of the Hong Kong / Macao and Taiwan
residents' permits, and units with a certificate that is not a business license
(public institutions, social groups, private non-enterprise units).

Every value comes from a ``random.Random`` passed in. Names are random combinations of
common surnames and given names with their romanisation; nobody's identity. Credit codes
get their check character from ``stdnum.cn.uscc`` and the registration-authority prefix
of their type (GB 32100: 12 public institutions, 51 social groups, 52 private
non-enterprise units). The machine-readable zone of a passport (ICAO 9303, TD3) is
composed here, its check digits computed by :func:`mrz_check`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random

from kyc.synth.identity import (
    USCC_ALPHABET,
    Region,
    _rand_date,
    add_years,
    address_in,
    pick_region,
    random_name,
)
from kyc.synth.nondoc import PINYIN_GIVEN, PINYIN_SURNAMES, PROVINCE_PINYIN, mrz_check

# ---------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------

# Hong Kong / Macao residents: Cantonese romanisation, given-name syllables apart.
CANTONESE_SURNAMES = (
    ("陈", "CHAN"), ("黄", "WONG"), ("李", "LEE"), ("张", "CHEUNG"), ("梁", "LEUNG"),
    ("刘", "LAU"), ("林", "LAM"), ("吴", "NG"), ("何", "HO"), ("郭", "KWOK"), ("曾", "TSANG"),
    ("邓", "TANG"), ("周", "CHOW"), ("罗", "LAW"), ("谢", "TSE"), ("麦", "MAK"),
)  # fmt: skip
CANTONESE_GIVEN = (
    ("家", "KA"), ("伟", "WAI"), ("明", "MING"), ("文", "MAN"), ("志", "CHI"), ("嘉", "KA"),
    ("美", "MEI"), ("玲", "LING"), ("国", "KWOK"), ("华", "WAH"), ("健", "KIN"), ("思", "SZE"),
    ("敏", "MAN"), ("俊", "CHUN"), ("欣", "YAN"), ("安", "ON"), ("德", "TAK"), ("雅", "NGA"),
)  # fmt: skip
# Taiwan residents: Wade-Giles, given-name syllables joined by a hyphen.
WADE_GILES_SURNAMES = (
    ("陈", "CHEN"), ("林", "LIN"), ("黄", "HUANG"), ("张", "CHANG"), ("李", "LEE"),
    ("王", "WANG"), ("吴", "WU"), ("刘", "LIU"), ("蔡", "TSAI"), ("杨", "YANG"), ("许", "HSU"),
    ("郑", "CHENG"), ("谢", "HSIEH"), ("洪", "HUNG"), ("郭", "KUO"), ("邱", "CHIU"),
)  # fmt: skip
WADE_GILES_GIVEN = (
    ("志", "CHIH"), ("明", "MING"), ("美", "MEI"), ("华", "HUA"), ("俊", "CHUN"), ("宏", "HUNG"),
    ("淑", "SHU"), ("芬", "FEN"), ("建", "CHIEN"), ("雅", "YA"), ("婷", "TING"), ("家", "CHIA"),
    ("伟", "WEI"), ("宗", "TSUNG"), ("怡", "YI"), ("文", "WEN"), ("正", "CHENG"), ("惠", "HUI"),
)  # fmt: skip
# Foreign passports: (3-letter code, issuing authority as printed, surnames, given names).
FOREIGN = (
    ("GBR", "HMPO", ("SMITH", "JONES", "TAYLOR", "BROWN", "WILSON", "EVANS"),
     ("OLIVER", "EMMA", "JAMES", "SOPHIE", "HARRY", "GRACE")),
    ("USA", "UNITED STATES DEPARTMENT OF STATE", ("JOHNSON", "MILLER", "DAVIS", "GARCIA",
     "MARTINEZ", "ANDERSON"), ("MICHAEL", "SARAH", "DAVID", "EMILY", "DANIEL", "LAURA")),
    ("CAN", "PASSPORT CANADA", ("TREMBLAY", "ROY", "GAGNON", "CAMPBELL"),
     ("LUCAS", "CHLOE", "NOAH", "OLIVIA")),
    ("AUS", "AUSTRALIAN PASSPORT OFFICE", ("WILLIAMS", "THOMPSON", "WHITE", "MARTIN"),
     ("JACK", "ISLA", "WILLIAM", "MIA")),
    ("DEU", "STADT BERLIN", ("MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER"),
     ("LUKAS", "ANNA", "FELIX", "LENA", "JONAS")),
    ("FRA", "PREFECTURE DE PARIS", ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT"),
     ("LOUIS", "CAMILLE", "HUGO", "MANON", "JULES")),
    ("JPN", "MINISTRY OF FOREIGN AFFAIRS", ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "ITO"),
     ("HIROSHI", "YUKI", "KENJI", "AKIKO", "TAKESHI")),
    ("KOR", "MINISTRY OF FOREIGN AFFAIRS", ("KIM", "LEE", "PARK", "CHOI", "JUNG"),
     ("MINJUN", "SEOYEON", "JIHOON", "HAEUN", "DOYUN")),
    ("SGP", "IMMIGRATION AND CHECKPOINTS AUTHORITY", ("TAN", "LIM", "NG", "WONG", "GOH"),
     ("WEI MING", "HUI LING", "JUN JIE", "MEI LIN")),
    ("MYS", "JABATAN IMIGRESEN MALAYSIA", ("ABDULLAH", "RAHMAN", "ISMAIL", "HASSAN"),
     ("AHMAD", "SITI", "FARID", "NURUL")),
    ("NZL", "NEW ZEALAND PASSPORTS", ("SMITH", "WILLIAMS", "BROWN", "WALKER"),
     ("JACK", "CHARLOTTE", "OLIVER", "AMELIA")),
    ("ITA", "MINISTERO DEGLI AFFARI ESTERI", ("ROSSI", "RUSSO", "FERRARI", "ESPOSITO"),
     ("MARCO", "GIULIA", "LUCA", "SOFIA")),
)  # fmt: skip
BIRTH_CITIES = ("LONDON", "NEW YORK", "TORONTO", "SYDNEY", "BERLIN", "PARIS", "TOKYO", "SEOUL",
                "SINGAPORE", "KUALA LUMPUR", "AUCKLAND", "ROME")  # fmt: skip
_NUMBER_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_DIGITS = "0123456789"

PRC_AUTHORITIES = (
    # (from, Chinese, English): the issuer printed on passports and permits
    (dt.date(1900, 1, 1), "公安部出入境管理局", "Exit & Entry Administration, MPS"),
    (dt.date(2018, 4, 2), "国家移民管理局", "National Immigration Administration"),
)


def prc_authority(issued: dt.date) -> tuple[str, str]:
    zh, en = PRC_AUTHORITIES[0][1:]
    for since, z, e in PRC_AUTHORITIES:
        if issued >= since:
            zh, en = z, e
    return zh, en


# ---------------------------------------------------------------------------------------
# Passports
# ---------------------------------------------------------------------------------------


def _mrz_date(d: dt.date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def mrz_name(surname: str, given: str) -> str:
    """The name field of an MRZ (39 characters): SURNAME<<GIVEN<NAMES<<<..."""
    text = surname.replace(" ", "<").replace("-", "<") + "<<"
    text += given.replace(" ", "<").replace("-", "<")
    return text[:39].ljust(39, "<")


@dataclass(frozen=True)
class Traveller:
    """The holder of a passport data page, as printed (visual zone and MRZ)."""

    number: str  # 9 characters or fewer
    surname: str  # Latin, upper case
    given: str  # Latin, upper case, names apart by spaces
    name_zh: str | None  # printed Chinese name (PRC passports only)
    sex: str  # M / F / X
    nationality: str  # 3-letter code
    issuing_country: str
    birth_date: dt.date
    issue_date: dt.date
    expiry_date: dt.date
    birth_place: str  # as printed
    issue_place: str
    authority: str  # as printed (Chinese, or English for foreign passports)
    authority_en: str
    personal: str  # the 14-character optional-data field of MRZ line 2

    @property
    def name_latin(self) -> str:
        return f"{self.surname} {self.given}"

    def mrz(self) -> tuple[str, str]:
        """The two TD3 lines (44 characters each), check digits computed."""
        line1 = f"P<{self.issuing_country}{mrz_name(self.surname, self.given)}"
        number = self.number.ljust(9, "<")
        birth, expiry = _mrz_date(self.birth_date), _mrz_date(self.expiry_date)
        personal = self.personal.ljust(14, "<")
        personal_check = mrz_check(personal) if personal.strip("<") else "<"
        line2 = (
            f"{number}{mrz_check(number)}{self.nationality}{birth}{mrz_check(birth)}{self.sex}"
            f"{expiry}{mrz_check(expiry)}{personal}{personal_check}"
        )
        composite = line2[0:10] + line2[13:20] + line2[21:43]
        return line1, line2 + mrz_check(composite)


# The check digits of MRZ line 2 (TD3): position of the check digit, the span it covers
# and the field whose ``valid`` it decides.
MRZ_CHECKS = (
    ("passport_number", 9, (0, 9)),
    ("birth_date", 19, (13, 19)),
    ("expiry_date", 27, (21, 27)),
)


def mrz_checks(line2: str) -> dict[str, bool]:
    """Which check digits of a printed MRZ line 2 hold (``mrz``: the composite)."""
    out = {name: mrz_check(line2[a:b]) == line2[pos] for name, pos, (a, b) in MRZ_CHECKS}
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    out["mrz"] = mrz_check(composite) == line2[43]
    return out


def break_mrz_check(rng: Random, line2: str) -> tuple[str, int]:
    """Line 2 with one check digit (number, birth date, expiry or composite) printed
    wrong; the composite covers the other three, so it fails with them."""
    pos = rng.choice((9, 19, 27, 43))
    wrong = rng.choice([c for c in _DIGITS if c != line2[pos]])
    return line2[:pos] + wrong + line2[pos + 1 :], pos


def _years_valid(birth: dt.date, issued: dt.date, adult_years: int, minor_years: int) -> int:
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    return adult_years if age >= 16 else minor_years


def make_traveller(
    rng: Random, today: dt.date, foreign: bool | None = None, expired: bool = False
) -> Traveller:
    """A passport holder whose passport is valid on ``today`` (or, with ``expired``, ran
    out before it): a PRC citizen (with a Chinese name) or, a third of the time, a
    foreigner (no Chinese name printed)."""
    if foreign is None:
        foreign = rng.random() < 0.35
    oldest, youngest = 75 * 365, (30 if expired else 6) * 365
    birth = _rand_date(rng, today - dt.timedelta(days=oldest), today - dt.timedelta(days=youngest))
    if expired:
        hi = today - dt.timedelta(days=10 * 366 + 2)
        issued = _rand_date(rng, hi - dt.timedelta(days=4 * 365), hi)
    else:
        issued = _rand_date(rng, max(birth, today - dt.timedelta(days=int(4.9 * 365))), today)
    years = _years_valid(birth, issued, 10, 5)
    expiry = add_years(issued, years) - dt.timedelta(days=1)
    if foreign:
        code, authority, surnames, givens = rng.choice(FOREIGN)
        surname = rng.choice(surnames)
        given = rng.choice(givens)
        if rng.random() < 0.25 and " " not in given:
            given += " " + rng.choice([g for g in givens if g != given and " " not in g] or [given])
        number = _foreign_number(rng, code)
        sex = rng.choice(("M", "F")) if code not in ("AUS", "NZL", "CAN") or rng.random() < 0.85 \
            else "X"  # fmt: skip
        return Traveller(
            number=number, surname=surname, given=given, name_zh=None, sex=sex,
            nationality=code, issuing_country=code, birth_date=birth, issue_date=issued,
            expiry_date=expiry, birth_place=rng.choice(BIRTH_CITIES), issue_place="",
            authority=authority, authority_en=authority, personal="",
        )  # fmt: skip
    sur = rng.choice(PINYIN_SURNAMES)
    syllables = [rng.choice(PINYIN_GIVEN) for _ in range(rng.choice((1, 2, 2)))]
    sex = rng.choice(("M", "F"))
    if rng.random() < 0.5:
        number = "E" + "".join(rng.choice(_DIGITS) for _ in range(8))
    else:
        number = "E" + rng.choice(_NUMBER_LETTERS) + "".join(rng.choice(_DIGITS) for _ in range(7))
    born_in, issued_in = rng.choice(PROVINCE_PINYIN), rng.choice(PROVINCE_PINYIN)
    zh, en = prc_authority(issued)
    personal = "".join(rng.choice("ABCDEFGHIJKLMNOP") for _ in range(rng.choice((0, 14))))
    return Traveller(
        number=number,
        surname=sur[1],
        given="".join(g[1] for g in syllables),
        name_zh=sur[0] + "".join(g[0] for g in syllables),
        sex=sex,
        nationality="CHN",
        issuing_country="CHN",
        birth_date=birth,
        issue_date=issued,
        expiry_date=expiry,
        birth_place=f"{born_in[0]}/{born_in[1]}",
        issue_place=f"{issued_in[0]}/{issued_in[1]}",
        authority=zh,
        authority_en=en,
        personal=personal,
    )


def _foreign_number(rng: Random, code: str) -> str:
    if code in ("USA", "GBR", "AUS", "NZL"):
        head = "" if code in ("USA", "GBR") else rng.choice(_NUMBER_LETTERS)
        return head + "".join(rng.choice(_DIGITS) for _ in range(9 - len(head)))
    if code == "JPN":
        return "T" + rng.choice("KRZ") + "".join(rng.choice(_DIGITS) for _ in range(7))
    if code == "DEU":
        return "C" + "".join(rng.choice(_NUMBER_LETTERS[:10] + _DIGITS) for _ in range(8))
    return rng.choice(_NUMBER_LETTERS) + "".join(rng.choice(_DIGITS) for _ in range(8))


# ---------------------------------------------------------------------------------------
# Residents' permits (Hong Kong / Macao, Taiwan)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PermitHolder:
    """The holder of a 港澳居民来往内地通行证 or 台湾居民来往大陆通行证 card."""

    kind: str  # hk_macao_permit | taiwan_permit
    number: str
    name: str
    surname_latin: str
    given_latin: str
    sex: str  # 男 / 女
    birth_date: dt.date
    valid_from: dt.date
    valid_until: dt.date
    authority: str
    renewals: int  # 换证次数 / 签发次数

    @property
    def name_latin(self) -> str:
        return f"{self.surname_latin} {self.given_latin}"

    def fields(self) -> dict[str, str]:
        return {
            "permit_number": self.number,
            "name": self.name,
            "name_latin": self.name_latin,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "issuing_authority": self.authority,
        }


def make_permit_holder(
    rng: Random, kind: str, today: dt.date, expired: bool = False
) -> PermitHolder:
    """A holder of a permit valid on ``today`` (or, with ``expired``, one that ran out).
    HK/Macao permits last 10 years (5 under 18), Taiwan permits 5 years; the end date is
    the start date N years on, or the day before (both are printed on real cards)."""
    sex = rng.choice(("男", "女"))
    youngest = 25 if expired else 3
    birth = _rand_date(
        rng, today - dt.timedelta(days=80 * 365), today - dt.timedelta(days=youngest * 365)
    )
    if kind == "hk_macao_permit":
        sur, given_pool = rng.choice(CANTONESE_SURNAMES), CANTONESE_GIVEN
        adult, minor = 10, 5
        prefix = "H" if rng.random() < 0.75 else "M"
        number = prefix + "".join(rng.choice(_DIGITS) for _ in range(8))
        sep = " "
    elif kind == "taiwan_permit":
        sur, given_pool = rng.choice(WADE_GILES_SURNAMES), WADE_GILES_GIVEN
        adult = minor = 5
        number = "".join(rng.choice(_DIGITS) for _ in range(8))
        sep = "-"
    else:
        raise ValueError(f"not a permit: {kind!r}")
    given = [rng.choice(given_pool) for _ in range(2 if rng.random() < 0.85 else 1)]

    def term(start: dt.date) -> int:
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        return adult if age >= 18 else minor

    if expired:
        hi = today - dt.timedelta(days=adult * 366 + 2)
        start = _rand_date(rng, max(birth, hi - dt.timedelta(days=3 * 365)), hi)
    else:
        lo = max(birth, today - dt.timedelta(days=adult * 365 - 30))
        start = _rand_date(rng, lo, today - dt.timedelta(days=10))
        if add_years(start, term(start)) <= today + dt.timedelta(days=1):
            lo = max(birth, today - dt.timedelta(days=term(start) * 365 - 30))
            start = _rand_date(rng, lo, today - dt.timedelta(days=10))
    until = add_years(start, term(start))
    if rng.random() < 0.5:
        until -= dt.timedelta(days=1)
    zh, _en = prc_authority(start)
    return PermitHolder(
        kind=kind,
        number=number,
        name=sur[0] + "".join(g[0] for g in given),
        surname_latin=sur[1],
        given_latin=sep.join(g[1] for g in given),
        sex=sex,
        birth_date=birth,
        valid_from=start,
        valid_until=until,
        authority=zh,
        renewals=rng.randint(0, 5),
    )


# ---------------------------------------------------------------------------------------
# Units with a registration certificate
# ---------------------------------------------------------------------------------------

UNIT_KINDS = (
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
)
# GB 32100: registration authority + entity class.
CREDIT_PREFIX = {
    "institution_certificate": "12",
    "social_group_certificate": "51",
    "private_non_enterprise_certificate": "52",
}
INSTITUTION_NAMES = ("第一人民医院", "第三人民医院", "中医院", "妇幼保健院", "实验中学", "第二中学",
                     "图书馆", "博物馆", "疾病预防控制中心", "农业技术推广中心", "广播电视台",
                     "档案馆", "科学技术情报研究所", "职业技术学校", "气象服务中心")  # fmt: skip
INSTITUTION_SPONSORS = ("卫生健康委员会", "教育局", "文化广电旅游局", "农业农村局", "科学技术局",
                        "人民政府")  # fmt: skip
FUNDING_SOURCES = ("财政补助", "财政全额拨款", "财政差额补助", "经费自理", "事业收入")
INSTITUTION_SCOPES = (
    "为人民身体健康提供医疗与护理保健服务", "医疗与护理", "医学教学", "医学研究",
    "卫生医疗人员培训", "卫生技术人员继续教育", "保健与健康教育", "实施初级中等教育",
    "促进基础教育发展",
    "图书文献收藏", "读者服务", "社会教育", "开展文物征集与研究", "疾病预防控制",
    "农业技术推广与培训", "档案收集与保管", "科技信息研究与服务", "职业技能培训",
)  # fmt: skip
SOCIAL_KINDS = ("软件行业协会", "计算机学会", "摄影家协会", "青年企业家商会", "电子商务协会",
                "书法家协会", "物流与采购联合会", "科技创新促进会", "互联网协会", "作家协会",
                "老年体育协会", "管理科学研究会")  # fmt: skip
SOCIAL_SCOPES = ("组织学术交流", "开展业务培训", "提供咨询服务", "编辑出版会刊", "举办展览展示",
                 "开展行业调查研究", "制定行业自律规范", "维护会员合法权益", "承接政府委托事项",
                 "组织会员考察交流", "开展公益活动", "表彰奖励")  # fmt: skip
PRIVATE_KINDS = ("培训学校", "职业技能培训学校", "养老院", "社会工作服务中心", "幼儿园",
                 "康复中心", "文化艺术培训中心", "科技研究院", "心理咨询服务中心")  # fmt: skip
PRIVATE_SCOPES = ("职业技能培训", "文化艺术培训", "学前教育", "养老服务", "康复训练服务",
                  "社会工作服务", "心理健康咨询", "科学技术研究", "技术咨询与服务", "社区服务",
                  "公益项目策划与实施")  # fmt: skip
SUPERVISORS = ("科学技术协会", "民政局", "教育局", "商务局", "工业和信息化局", "文学艺术界联合会",
               "体育局", "人力资源和社会保障局")  # fmt: skip
TRADE_CHARS = "华信恒瑞博创嘉宏德泰新远明达安康正元鼎盛和润天启东方金星"
CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"


@dataclass(frozen=True)
class Unit:
    """A unit with a 事业单位法人证书, 社会团体法人登记证书 or 民办非企业单位登记证书."""

    kind: str
    credit_code: str
    name: str
    scope: str  # purpose_and_scope (institutions) or business_scope
    address: str
    legal_representative: str
    capital: str
    authority: str  # registration_authority
    valid_from: dt.date
    valid_until: dt.date
    region: Region
    funding_source: str | None = None  # institutions
    sponsor: str | None = None  # institutions
    supervisor: str | None = None  # social groups, private non-enterprise units
    activity_area: str | None = None  # social groups

    def fields(self) -> dict[str, str]:
        out: dict[str, str] = {"credit_code": self.credit_code, "name": self.name}
        if self.kind == "institution_certificate":
            out["purpose_and_scope"] = self.scope
        else:
            out["business_scope"] = self.scope
        out["address"] = self.address
        out["legal_representative"] = self.legal_representative
        if self.funding_source is not None:
            out["funding_source"] = self.funding_source
        out["capital"] = self.capital
        if self.sponsor is not None:
            out["sponsor"] = self.sponsor
        if self.supervisor is not None:
            out["supervisor"] = self.supervisor
        if self.activity_area is not None:
            out["activity_area"] = self.activity_area
        out["registration_authority"] = self.authority
        out["valid_from"] = self.valid_from.isoformat()
        out["valid_until"] = self.valid_until.isoformat()
        return out


def make_unit_credit_code(rng: Random, kind: str, region: Region) -> str:
    from stdnum.cn import uscc

    body = CREDIT_PREFIX[kind] + region.code
    body += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _capital(rng: Random) -> str:
    wan = rng.choice((3, 5, 10, 20, 30, 50, 100, 120, 200, 350, 500))
    r = rng.random()
    if r < 0.4:
        return f"{wan}万元"
    if r < 0.7:
        return f"人民币{wan}万元"
    if r < 0.85:
        return f"￥{wan}万元"
    digits = str(wan)
    units = {1: "", 2: "拾", 3: "佰"}
    text = ""
    for i, d in enumerate(digits):
        place = len(digits) - i
        if d != "0":
            text += CN_DIGITS[int(d)] + units[place]
    return f"{text}万元"


def _scope(rng: Random, pool: tuple[str, ...], lo: int, hi: int, sep: str) -> str:
    return sep.join(rng.sample(pool, rng.randint(lo, hi))) + "。"


def make_unit(rng: Random, kind: str, today: dt.date, expired: bool = False) -> Unit:
    """A unit of ``kind`` (one of :data:`UNIT_KINDS`) whose certificate is valid on
    ``today`` (five-year term), or ran out with ``expired``."""
    if kind not in UNIT_KINDS:
        raise ValueError(f"not a unit certificate: {kind!r}")
    region = pick_region(rng)
    city = region.city if not region.is_municipality else region.province
    place = rng.choice((city, region.district if not region.is_municipality else city))
    start = _rand_date(rng, today - dt.timedelta(days=5 * 365 - 20), today - dt.timedelta(days=5))
    if expired:
        start = _rand_date(
            rng, today - dt.timedelta(days=9 * 365), today - dt.timedelta(days=5 * 366 + 2)
        )
    until = add_years(start, 5)
    if rng.random() < 0.5:
        until -= dt.timedelta(days=1)
    rep = random_name(rng, rng.choice(("男", "女")))
    address = address_in(rng, region, rural_ok=False, max_len=36)
    trade = "".join(rng.choice(TRADE_CHARS) for _ in range(2))
    if kind == "institution_certificate":
        name = place + rng.choice(INSTITUTION_NAMES)
        return Unit(
            kind=kind,
            credit_code=make_unit_credit_code(rng, kind, region),
            name=name,
            scope=_scope(rng, INSTITUTION_SCOPES, 2, 6, "。") if rng.random() < 0.3
            else _scope(rng, INSTITUTION_SCOPES, 2, 6, "；"),
            address=address,
            legal_representative=rep,
            capital=_capital(rng),
            authority=f"{city}事业单位登记管理局",
            valid_from=start,
            valid_until=until,
            region=region,
            funding_source=rng.choice(FUNDING_SOURCES),
            sponsor=place + rng.choice(INSTITUTION_SPONSORS),
        )  # fmt: skip
    supervisor = place + rng.choice(SUPERVISORS)
    authority = f"{place}民政局"
    if kind == "social_group_certificate":
        area_name = region.province if rng.random() < 0.3 else place
        return Unit(
            kind=kind,
            credit_code=make_unit_credit_code(rng, kind, region),
            name=area_name + rng.choice(SOCIAL_KINDS),
            scope=_scope(rng, SOCIAL_SCOPES, 3, 8, "、" if rng.random() < 0.5 else "；"),
            address=address,
            legal_representative=rep,
            capital=_capital(rng),
            authority=authority,
            valid_from=start,
            valid_until=until,
            region=region,
            supervisor=supervisor,
            activity_area=area_name,
        )
    return Unit(
        kind=kind,
        credit_code=make_unit_credit_code(rng, kind, region),
        name=place + trade + rng.choice(PRIVATE_KINDS),
        scope=_scope(rng, PRIVATE_SCOPES, 2, 5, "、" if rng.random() < 0.5 else "；"),
        address=address,
        legal_representative=rep,
        capital=_capital(rng),
        authority=authority,
        valid_from=start,
        valid_until=until,
        region=region,
        supervisor=supervisor,
    )
