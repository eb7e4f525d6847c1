"""Fake, internally consistent identities for synthetic documents (pure, seeded).

Every value comes from a ``random.Random`` passed in, so a seed reproduces a document.
Region codes and names come from python-stdnum's ``cn/loc`` database (the one
``stdnum.cn.ric`` validates against); check characters from ``stdnum.cn.ric`` and
``stdnum.cn.uscc``. Names are random combinations of common surnames and given-name
characters: they do not describe anybody.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from functools import lru_cache
from random import Random

from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

# ---------------------------------------------------------------------------------------
# Regions (from stdnum's cn/loc.dat)
# ---------------------------------------------------------------------------------------

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京 天津 上海 重庆
_SEGMENT = re.compile(r"^\[(\d*)-(\d*)\](.+)$")


@dataclass(frozen=True)
class Region:
    """A county-level division that exists today, with the year it got its current name."""

    code: str  # 6 digits
    province: str  # 广东省
    city: str  # 深圳市 (for municipalities: the municipality itself, 北京市)
    district: str  # 南山区
    since: int  # first year the code carried this name (0 if always)

    @property
    def is_municipality(self) -> bool:
        return self.code[:2] in MUNICIPALITIES

    @property
    def prefix(self) -> str:
        """The address prefix as printed: 广东省深圳市南山区 / 北京市东城区."""
        if self.is_municipality:
            return f"{self.province}{self.district}"
        return f"{self.province}{self.city}{self.district}"


def _current_name(county: str) -> tuple[str, int] | None:
    """The name a code carries today and since when, or None if abolished."""
    for part in reversed(county.split(",")):
        m = _SEGMENT.match(part)
        if m is None:
            return part, 0
        start, end, name = m.groups()
        if not end:
            return name, int(start) if start else 0
    return None


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """All county-level codes that stdnum accepts and that exist today."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    out: list[Region] = []
    for plen, plow, phigh, pprops, children in db.prefixes:
        province = pprops.get("province")
        if plen != 2 or plow != phigh or not province or int(plow) >= 71:
            continue  # 71 台湾, 81 香港, 82 澳门: not issued by PRC public security
        by_code: dict[str, tuple[str, int]] = {}
        for clen, clow, chigh, cprops, _ in children:
            if clen != 4 or clow != chigh or "county" not in cprops:
                continue
            cur = _current_name(cprops["county"])
            if cur is not None:
                by_code[clow] = cur
        for code4, (name, since) in by_code.items():
            if code4.endswith("00") or code4.endswith("01") or code4.startswith("9"):
                continue  # prefecture entries, 市辖区, special areas
            if "行政区划" in name or "市辖区" in name or "直辖" in name:
                continue
            if plow in MUNICIPALITIES:
                city = province
            else:
                pref = by_code.get(code4[:2] + "00")
                if pref is None or "行政区划" in pref[0] or "直辖" in pref[0]:
                    continue
                city = pref[0]
            out.append(Region(plow + code4, province, city, name, since))
    return tuple(out)


def pick_region(
    rng: Random,
    born: int | None = None,
    province_code: str | None = None,
    max_prefix: int = 20,
) -> Region:
    """A random current region; if ``born`` is given its code was already in use that year.

    A quarter of the draws (without ``province_code``) come from Guangdong (44), where
    the video-check path of the filing rules applies.
    """
    if province_code is None and rng.random() < 0.25:
        province_code = "44"
    cands = [
        r
        for r in regions()
        if (born is None or r.since <= born)
        and (province_code is None or r.code.startswith(province_code))
        and len(r.prefix) <= max_prefix
    ]
    if not cands and province_code is not None and born is not None:
        cands = [r for r in regions() if r.since <= born and len(r.prefix) <= max_prefix]
    if not cands:
        raise ValueError(f"no region for province {province_code!r} born {born}")
    return rng.choice(cands)


# ---------------------------------------------------------------------------------------
# Names, ethnicities, streets
# ---------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫")
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文博海东亮成"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰萍婷雪琳晶颖慧洁琪梅燕红倩月莉欣怡佳悦雯露璐诗蕾薇瑶"
GIVEN_ANY = "子晨嘉思雨一天泽安宁文欣佳宇子睿梓涵家若云清德永世立志振春秋晓"

ETHNICITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

STREET_STEMS = (
    "人民", "解放", "建设", "中山", "和平", "新华", "胜利", "文化", "光明", "长江", "黄河", "朝阳",
    "幸福", "东风", "青年", "工业", "学府", "南京", "北京", "深南", "滨河", "花园", "科技", "金桥",
    "振兴", "团结", "育才", "翠竹", "桃源", "锦绣", "银河", "星湖", "紫荆", "梧桐", "凤凰", "龙华",
)  # fmt: skip
STREET_KINDS = ("路", "街", "大道", "巷", "东路", "西路", "南路", "北路", "中路")
ESTATES = ("花园", "小区", "新村", "公寓", "家园", "大厦", "苑", "雅居", "名苑", "广场")
VILLAGE_STEMS = ("大王", "新丰", "石桥", "东岭", "柳树", "杨家", "河口", "青岗", "高坪", "双河")


def random_name(rng: Random, sex: str) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
    pool = (GIVEN_MALE if sex == "男" else GIVEN_FEMALE) + GIVEN_ANY
    n = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(n))


def random_ethnicity(rng: Random) -> str:
    return "汉" if rng.random() < 0.88 else rng.choice(ETHNICITIES[1:])


def _street(rng: Random) -> str:
    return rng.choice(STREET_STEMS) + rng.choice(STREET_KINDS)


def address_in(rng: Random, region: Region, *, rural_ok: bool = True, max_len: int = 33) -> str:
    """A street address inside ``region``, at most ``max_len`` characters."""
    for _ in range(20):
        rural = rural_ok and region.district.endswith(("县", "旗")) and rng.random() < 0.5
        if rural:
            town = rng.choice(VILLAGE_STEMS) + rng.choice(("镇", "乡"))
            village = rng.choice(VILLAGE_STEMS) + "村"
            tail = f"{town}{village}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
        else:
            tail = f"{_street(rng)}{rng.randint(1, 999)}号"
            r = rng.random()
            if r < 0.45:
                tail += (
                    f"{rng.choice(STREET_STEMS)}{rng.choice(ESTATES)}"
                    f"{rng.randint(1, 30)}栋{rng.randint(1, 30)}{rng.randint(1, 9):02d}"
                    f"{'室' if rng.random() < 0.6 else '房'}"
                )
            elif r < 0.7:
                tail += f"{rng.randint(1, 12)}单元{rng.randint(1, 30)}0{rng.randint(1, 6)}"
        addr = region.prefix + tail
        if len(addr) <= max_len:
            return addr
    return region.prefix + f"{_street(rng)}{rng.randint(1, 99)}号"


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validity_years(age_at_issue: int) -> int | None:
    """Legal term of a resident ID card (居民身份证法 art. 5); None means 长期."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def _rand_date(rng: Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


# ---------------------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # 男 / 女
    ethnicity: str
    birth_date: dt.date
    region: Region
    address: str
    id_number: str
    issuing_authority: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期
    temporary: bool = False

    @property
    def long_term(self) -> bool:
        return self.valid_until is None

    def expired(self, today: dt.date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    def front_fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
        }

    def back_fields(self) -> dict[str, str]:
        return {
            "issuing_authority": self.issuing_authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": "long_term"
            if self.valid_until is None
            else self.valid_until.isoformat(),
        }


def make_id_number(rng: Random, region: Region, birth: dt.date, sex: str) -> str:
    seq = rng.randrange(0, 1000)
    if (seq % 2 == 1) != (sex == "男"):
        seq = (seq + 1) % 1000
    body = f"{region.code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def issuing_authority_for(region: Region) -> str:
    d = region.district
    if d.endswith("区"):
        short = d[:-1] if len(d) > 2 else d
        return f"{region.city}公安局{short}分局"
    if region.is_municipality:
        return f"{region.city}{d}公安局"
    return f"{d}公安局" if len(d) > 2 else f"{region.city}{d}公安局"


def make_person(
    rng: Random,
    today: dt.date,
    *,
    expired: bool = False,
    temporary: bool = False,
    sex: str | None = None,
    province_code: str | None = None,
    min_age: int = 16,
    max_age: int = 80,
    long_term: bool | None = None,
) -> Person:
    """A random person whose card is valid on ``today`` (or expired, if asked).

    ``long_term`` forces (True) or forbids (False) a 长期 card; temporary cards
    (临时居民身份证) are valid for three months.
    """
    sex = sex or rng.choice(("男", "女"))
    for _ in range(400):
        age = rng.randint(min_age, max_age)
        birth = _rand_date(
            rng, add_years(today, -age - 1) + dt.timedelta(days=1), add_years(today, -age)
        )
        if temporary:
            vfrom = _rand_date(rng, today - dt.timedelta(days=400), today - dt.timedelta(days=1))
            vuntil: dt.date | None = add_months(vfrom, 3)
        else:
            earliest = max(add_years(birth, 1), add_years(today, -30))
            vfrom = _rand_date(rng, earliest, today - dt.timedelta(days=1))
            if vfrom <= birth:
                continue
            term = validity_years(age_on(birth, vfrom))
            vuntil = None if term is None else add_years(vfrom, term)
        if long_term is not None and long_term != (vuntil is None):
            continue
        is_expired = vuntil is not None and vuntil < today
        if is_expired != expired:
            continue
        region = pick_region(rng, birth.year, province_code)
        id_number = make_id_number(rng, region, birth, sex)
        if not ric.is_valid(id_number):  # the code was not in use at the birth year
            continue
        return Person(
            name=random_name(rng, sex),
            sex=sex,
            ethnicity=random_ethnicity(rng),
            birth_date=birth,
            region=region,
            address=address_in(rng, region),
            id_number=id_number,
            issuing_authority=issuing_authority_for(region),
            valid_from=vfrom,
            valid_until=vuntil,
            temporary=temporary,
        )
    raise ValueError("could not draw a person with these constraints")


# ---------------------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------------------

TRADE_NAME_CHARS = (
    "华信达利通宏盛泰兴源安隆鑫昌恒瑞祥和博创新远航鼎晟嘉泽优联智汇腾飞康景丰润启明星辰云海"
)
INDUSTRIES = (
    "科技", "信息技术", "网络科技", "电子商务", "贸易", "商贸", "文化传媒", "建筑工程", "物流",
    "餐饮管理", "教育咨询", "医疗器械", "食品", "电子", "软件", "广告", "环保科技", "实业",
    "企业管理咨询", "供应链管理", "装饰工程", "服装", "机械设备", "新能源",
)  # fmt: skip
COMPANY_TYPES = (
    "有限责任公司（自然人独资）",
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（法人独资）",
    "其他有限责任公司",
    "股份有限公司（非上市、自然人投资或控股）",
    "有限责任公司（非自然人投资或控股的法人独资）",
)
SCOPE_ITEMS = (
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "软件开发",
    "信息系统集成服务",
    "计算机系统服务",
    "数据处理和存储支持服务",
    "互联网销售（除销售需要许可的商品）",
    "网络技术服务",
    "广告设计、代理",
    "广告制作",
    "企业管理咨询",
    "会议及展览服务",
    "日用百货销售",
    "办公用品销售",
    "电子产品销售",
    "五金产品批发",
    "服装服饰零售",
    "货物进出口",
    "技术进出口",
    "国内贸易代理",
    "市场营销策划",
    "信息咨询服务（不含许可类信息咨询服务）",
    "组织文化艺术交流活动",
    "家用电器销售",
    "第二类医疗器械销售",
    "食品销售（仅销售预包装食品）",
    "普通货物仓储服务（不含危险化学品等需许可审批的项目）",
    "物业管理",
    "建筑装饰材料销售",
    "机械设备租赁",
    "专业设计服务",
)
SCOPE_TAIL = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
CN_UNITS = ("", "拾", "佰", "仟")


def capital_upper(n: int) -> str:
    """Financial uppercase numerals for 1 <= n <= 9999: 500 -> 伍佰, 1050 -> 壹仟零伍拾."""
    if not 1 <= n <= 9999:
        raise ValueError(n)
    digits = f"{n}"
    out: list[str] = []
    zero = False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        if ch == "0":
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(CN_DIGITS[int(ch)] + CN_UNITS[pos])
    return "".join(out)


ENTITIES = ("company", "branch", "individual", "sole_proprietorship", "partnership")
LICENSE_FORMATS = ("current", "pre2016")


@dataclass(frozen=True)
class Company:
    credit_code: str | None  # None on a pre-2016 license (it prints a registration number)
    name: str | None  # None: an individual business without a name
    company_type: str
    legal_representative: str  # the person as labelled (法定代表人 / 负责人 / 经营者 / ...)
    representative_label: str  # 法定代表人 / 负责人 / 经营者 / 投资人 / 执行事务合伙人
    registered_capital: str | None  # as printed; None where the format prints none
    established_date: dt.date
    business_term: str | None  # as printed, no whitespace: 长期 / 2015年03月12日至2045年03月11日
    address: str
    address_label: str  # 住所 / 营业场所 / 经营场所 / 主要经营场所
    business_scope: str
    region: Region
    registration_authority: str
    issue_date: dt.date
    established_label: str = "成立日期"  # 注册日期 on an individual business's license
    composition: str | None = None  # 组成形式 (individual businesses): 个人经营 / 家庭经营
    entity: str = "company"  # one of ENTITIES
    format: str = "current"  # "current" (2016+, credit code) or "pre2016" (注册号)
    registration_number: str | None = None  # 15 digits, ISO 7064 MOD 11,10 (pre-2016)
    paid_in_capital: str | None = None  # 实收资本: printed on some pre-2016 licenses, no field
    term_label: str = "营业期限"  # 合伙期限 for partnerships

    @property
    def individual(self) -> bool:
        return self.entity == "individual"

    def fields(self) -> dict[str, str]:
        """The truth fields, named as ``kyc ocr`` reports them (../shared/DESIGN.md): a
        field the format does not print is absent."""
        out: dict[str, str | None] = {
            "credit_code": self.credit_code,
            "registration_number": self.registration_number,
            "name": self.name,
            # a pre-2016 individual-business license prints no 类型 line
            "company_type": None
            if self.individual and self.format == "pre2016"
            else self.company_type,
        }
        if self.individual:
            out["operator"] = self.legal_representative
            out["organization_form"] = self.composition
        else:
            out["legal_representative"] = self.legal_representative
        out |= {
            "registered_capital": self.registered_capital,
            "established_date": self.established_date.isoformat(),
            "business_term": self.business_term,
            "address": self.address,
            "business_scope": self.business_scope,
        }
        return {k: v for k, v in out.items() if v is not None}


def make_registration_number(rng: Random, region: Region) -> str:
    """A pre-2016 registration number (注册号): the region code, 8 digits and the
    ISO 7064 MOD 11,10 check digit (GB/T 17710)."""
    body = region.code + "".join(rng.choice("0123456789") for _ in range(8))
    return body + mod_11_10.calc_check_digit(body)


def registration_number_valid(number: str) -> bool:
    return len(number) == 15 and number.isdigit() and mod_11_10.is_valid(number)


def make_credit_code(rng: Random, region: Region, entity: str = "91") -> str:
    org = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    body = f"{entity}{region.code}{org}"
    return body + uscc.calc_check_digit(body)


def _date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def make_company(
    rng: Random,
    today: dt.date,
    *,
    province_code: str | None = None,
    branch: bool | None = None,
    individual: bool | None = None,
    entity: str | None = None,
    license_format: str | None = None,
) -> Company:
    """A random business as its license prints it.

    ``entity`` (default: drawn) is one of :data:`ENTITIES`: a company (有限公司,
    股份有限公司), a branch (分公司: 负责人, 营业场所, no capital), an individual business
    (个体工商户: 经营者, 经营场所, 组成形式, 注册日期, maybe no name, no capital or term),
    a sole proprietorship (个人独资企业: 投资人, no capital or term) or a partnership
    (合伙企业: 执行事务合伙人, 主要经营场所, 合伙期限). ``license_format`` "current" prints a
    unified social credit code; "pre2016" a 15-digit registration number (注册号) instead.
    ``branch=True`` / ``individual=True`` are shorthands for those entities.
    """
    if entity is None:
        if individual:
            entity = "individual"
        elif branch:
            entity = "branch"
        elif individual is None and branch is None:
            r = rng.random()
            entity = (
                "individual" if r < 0.12
                else "sole_proprietorship" if r < 0.18
                else "partnership" if r < 0.24
                else "branch" if r < 0.32
                else "company"
            )  # fmt: skip
        else:
            entity = "company"
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    fmt = license_format or ("pre2016" if rng.random() < 0.2 else "current")
    if fmt not in LICENSE_FORMATS:
        raise ValueError(f"unknown license format {fmt!r}")
    if entity == "individual":
        c = _make_individual_business(rng, today, province_code)
    else:
        c = _make_enterprise(rng, today, province_code, entity)
    if fmt == "pre2016":
        c = _as_pre2016(rng, c, today)
    return c


def _as_pre2016(rng: Random, c: Company, today: dt.date) -> Company:
    """The same business on a license issued before 2016 (注册号, no credit code)."""
    latest = dt.date(2015, 9, 30)
    established = c.established_date
    if established > latest:
        established = _rand_date(rng, dt.date(1995, 1, 1), latest)
    term = c.business_term
    if term is not None and term != "长期":
        years = rng.choice((10, 20, 20, 30))
        end = add_years(established, years) - dt.timedelta(days=1)
        term = f"{_date_cn(established)}至{_date_cn(end)}" if end > today else "长期"
    paid = None
    if c.registered_capital is not None and c.entity == "company" and rng.random() < 0.5:
        paid = c.registered_capital
    return dataclass_replace(
        c,
        credit_code=None,
        registration_number=make_registration_number(rng, c.region),
        established_date=established,
        business_term=term,
        issue_date=_rand_date(rng, established, latest),
        paid_in_capital=paid,
        format="pre2016",
    )


def _capital(rng: Random) -> str:
    amount = rng.choice((3, 5, 10, 20, 30, 50, 100, 100, 200, 300, 500, 500, 800, 1000, 2000, 5000))
    if rng.random() < 0.15:
        amount = rng.randint(1, 120) * 10
    fmt = rng.random()
    if fmt < 0.45:
        return f"人民币{capital_upper(amount)}万元整"
    if fmt < 0.75:
        return f"{capital_upper(amount)}万元整"
    return f"{amount}万元人民币"


def _make_enterprise(
    rng: Random, today: dt.date, province_code: str | None, entity: str
) -> Company:
    region = pick_region(rng, None, province_code)
    trade = "".join(rng.choice(TRADE_NAME_CHARS) for _ in range(rng.choice((2, 2, 2, 3))))
    industry = rng.choice(INDUSTRIES)
    city_short = region.city[:-1] if region.city.endswith("市") else region.city
    style = rng.random()
    if style < 0.5:
        base = f"{region.city}{trade}{industry}"
    elif style < 0.8:
        base = f"{city_short}{trade}{industry}"
    else:
        base = f"{trade}（{city_short}）{industry}"
    ctype = rng.choice(COMPANY_TYPES)
    established = _rand_date(rng, dt.date(1998, 1, 1), today - dt.timedelta(days=30))
    term_label = "营业期限"
    capital: str | None
    if entity == "branch":
        name = base + ("股份有限公司" if ctype.startswith("股份") else "有限公司")
        name += f"{rng.choice(STREET_STEMS)}分公司"
        ctype = ctype.replace("有限责任公司", "有限责任公司分公司", 1)
        if "分公司" not in ctype:
            ctype = "其他有限责任公司分公司"
        rep_label, addr_label, capital = "负责人", "营业场所", None
    elif entity == "sole_proprietorship":
        name = base + rng.choice(("中心", "工作室", "商行", "经营部"))
        ctype = "个人独资企业"
        rep_label, addr_label, capital = "投资人", "住所", None
    elif entity == "partnership":
        name = base + rng.choice(
            ("合伙企业（有限合伙）", "合伙企业（普通合伙）", "中心（有限合伙）")
        )
        ctype = "有限合伙企业" if "有限合伙" in name else "普通合伙企业"
        rep_label, addr_label, capital = "执行事务合伙人", "主要经营场所", None
        term_label = "合伙期限"
    else:
        name = base + ("股份有限公司" if ctype.startswith("股份") else "有限公司")
        rep_label, addr_label = "法定代表人", "住所"
        capital = _capital(rng)
    term: str | None = "长期"
    if rng.random() < 0.45:
        end = add_years(established, rng.choice((20, 30, 30, 50))) - dt.timedelta(days=1)
        if end > today:
            term = f"{_date_cn(established)}至{_date_cn(end)}"
    if entity == "sole_proprietorship":
        term = None
    n_items = rng.randint(3, 14)
    scope = "；".join(rng.sample(SCOPE_ITEMS, n_items)) + "。"
    if rng.random() < 0.6:
        scope += SCOPE_TAIL
    sex = rng.choice(("男", "女"))
    representative = random_name(rng, sex)
    if entity == "partnership" and rng.random() < 0.3:  # a corporate general partner
        partner = (
            f"{city_short}{''.join(rng.choice(TRADE_NAME_CHARS) for _ in range(2))}投资管理有限公司"
        )
        representative = f"{partner}（委派代表：{representative}）"
    if region.is_municipality or rng.random() < 0.5:
        authority = f"{region.city}{region.district}市场监督管理局"
    else:
        authority = f"{region.city}市场监督管理局"
    issue = _rand_date(rng, max(established, today - dt.timedelta(days=3 * 365)), today)
    return Company(
        credit_code=make_credit_code(rng, region),
        name=name,
        company_type=ctype,
        legal_representative=representative,
        representative_label=rep_label,
        registered_capital=capital,
        established_date=established,
        business_term=term,
        address=address_in(rng, region, rural_ok=False, max_len=40),
        address_label=addr_label,
        business_scope=scope,
        region=region,
        registration_authority=authority,
        issue_date=issue,
        entity=entity,
        term_label=term_label,
    )


PARTNERSHIP_SUFFIXES = ("合伙企业（有限合伙）", "合伙企业（普通合伙）", "中心（有限合伙）")
SHOP_KINDS = (
    "便利店",
    "商行",
    "餐馆",
    "小吃店",
    "理发店",
    "五金店",
    "服装店",
    "水果店",
    "工作室",
    "经营部",
)
SHOP_SCOPES = (
    "日用百货零售",
    "食品销售（仅销售预包装食品）",
    "餐饮服务",
    "小餐饮",
    "理发及美容服务",
    "五金产品零售",
    "服装服饰零售",
    "新鲜水果零售",
    "烟草制品零售",
    "家用电器维修",
    "办公用品销售",
)


def _make_individual_business(rng: Random, today: dt.date, province_code: str | None) -> Company:
    region = pick_region(rng, None, province_code)
    trade = "".join(rng.choice(TRADE_NAME_CHARS) for _ in range(2))
    place = region.district if rng.random() < 0.6 else region.city
    # about one in five individual businesses registers without a name (字号)
    name = None if rng.random() < 0.2 else f"{place}{trade}{rng.choice(SHOP_KINDS)}"
    registered = _rand_date(rng, dt.date(2005, 1, 1), today - dt.timedelta(days=30))
    items = rng.sample(SHOP_SCOPES, rng.randint(1, 4))
    scope = "；".join(items) + "。"
    if rng.random() < 0.5:
        scope += "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    sex = rng.choice(("男", "女"))
    return Company(
        credit_code=make_credit_code(rng, region, entity="92"),
        name=name,
        company_type="个体工商户",
        legal_representative=random_name(rng, sex),
        representative_label="经营者",
        registered_capital=None,
        established_date=registered,
        business_term=None,
        address=address_in(rng, region, rural_ok=False, max_len=40),
        address_label="经营场所",
        business_scope=scope,
        region=region,
        registration_authority=f"{region.city}{region.district}市场监督管理局",
        issue_date=_rand_date(rng, max(registered, today - dt.timedelta(days=3 * 365)), today),
        established_label="注册日期",
        composition=rng.choice(("个人经营", "个人经营", "家庭经营")),
        entity="individual",
    )


# ---------------------------------------------------------------------------------------
# Numbers printed with a wrong check character
# ---------------------------------------------------------------------------------------

DIGITS = "0123456789"
ID_CHECK_ALPHABET = "0123456789X"


def code_alphabets(field: str) -> list[str]:
    """For each position of an ``id_number``, ``credit_code`` or ``registration_number``,
    the characters that position may hold."""
    if field == "id_number":
        return [DIGITS] * 17 + [ID_CHECK_ALPHABET]
    if field == "credit_code":
        # registration authority and entity class, region (digits), organisation code, check
        return [USCC_ALPHABET[1:], USCC_ALPHABET[1:]] + [DIGITS] * 6 + [USCC_ALPHABET] * 10
    if field == "registration_number":
        return [DIGITS] * 15
    raise ValueError(f"no check character on {field!r}")


def check_valid(field: str, value: str) -> bool:
    if field == "id_number":
        return bool(ric.is_valid(value))
    if field == "credit_code":
        return bool(uscc.is_valid(value))
    if field == "registration_number":
        return registration_number_valid(value)
    raise ValueError(f"no check character on {field!r}")


def checksum_holds(field: str, value: str) -> bool:
    """Whether the check character alone holds (not the date or region of an ID number)."""
    if field == "id_number":
        return ric.calc_check_digit(value[:17] + "0") == value[17]
    if field == "credit_code":
        return bool(uscc.calc_check_digit(value[:17]) == value[17])
    return registration_number_valid(value)


def break_check(rng: Random, field: str, value: str) -> tuple[str, int]:
    """``value`` with ONE character, at a random position (any, not only the last),
    changed to another character of that position's alphabet so that the check fails.
    Returns the new value and the position changed."""
    alphabets = code_alphabets(field)
    if len(value) != len(alphabets):
        raise ValueError(f"{field} {value!r} has {len(value)} characters")
    for _ in range(100):
        pos = rng.randrange(len(value))
        choices = [c for c in alphabets[pos] if c != value[pos]]
        new = value[:pos] + rng.choice(choices) + value[pos + 1 :]
        if not checksum_holds(field, new):
            return new, pos
    raise AssertionError("every single substitution kept the check")  # pragma: no cover
