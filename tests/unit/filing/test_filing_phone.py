"""Office phone area codes against the region, from phonenumbers' maintained geocoder data."""

from __future__ import annotations

import pytest

from kyc.filing.facts import OfficePhone, parse_office_phone, place_matches
from kyc.filing.model import Region

# Every prefecture-level city of Guangdong with its area code (the expectation, not the code
# under test: the code reads phonenumbers' geocoder).
GUANGDONG = [
    ("广州市", "020"),
    ("深圳市", "0755"),
    ("珠海市", "0756"),
    ("汕头市", "0754"),
    ("佛山市", "0757"),
    ("韶关市", "0751"),
    ("河源市", "0762"),
    ("梅州市", "0753"),
    ("惠州市", "0752"),
    ("汕尾市", "0660"),
    ("东莞市", "0769"),
    ("中山市", "0760"),
    ("江门市", "0750"),
    ("阳江市", "0662"),
    ("湛江市", "0759"),
    ("茂名市", "0668"),
    ("肇庆市", "0758"),
    ("清远市", "0763"),
    ("潮州市", "0768"),
    ("揭阳市", "0663"),
    ("云浮市", "0766"),
]

# Each provincial-level capital (municipalities, provinces, autonomous regions).
CAPITALS = [
    ("北京市", "北京市", "010"),
    ("天津市", "天津市", "022"),
    ("上海市", "上海市", "021"),
    ("重庆市", "重庆市", "023"),
    ("河北省", "石家庄市", "0311"),
    ("山西省", "太原市", "0351"),
    ("内蒙古自治区", "呼和浩特市", "0471"),
    ("辽宁省", "沈阳市", "024"),
    ("吉林省", "长春市", "0431"),
    ("黑龙江省", "哈尔滨市", "0451"),
    ("江苏省", "南京市", "025"),
    ("浙江省", "杭州市", "0571"),
    ("安徽省", "合肥市", "0551"),
    ("福建省", "福州市", "0591"),
    ("江西省", "南昌市", "0791"),
    ("山东省", "济南市", "0531"),
    ("河南省", "郑州市", "0371"),
    ("湖北省", "武汉市", "027"),
    ("湖南省", "长沙市", "0731"),
    ("广东省", "广州市", "020"),
    ("广西壮族自治区", "南宁市", "0771"),
    ("海南省", "海口市", "0898"),
    ("四川省", "成都市", "028"),
    ("贵州省", "贵阳市", "0851"),
    ("云南省", "昆明市", "0871"),
    ("西藏自治区", "拉萨市", "0891"),
    ("陕西省", "西安市", "029"),
    ("甘肃省", "兰州市", "0931"),
    ("青海省", "西宁市", "0971"),
    ("宁夏回族自治区", "银川市", "0951"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "0991"),
]


def landline(area: str) -> OfficePhone:
    """An office phone in the area: subscriber numbers are 8 digits in big cities, 7 in
    smaller ones (the numbering plan, per phonenumbers, accepts one of them)."""
    for number in ("86013388", "8601338"):
        phone = parse_office_phone(f"086-{area}-{number}")
        if phone is not None and phone.landline:
            return phone
    raise AssertionError(f"no landline accepted for area code {area}")


@pytest.mark.parametrize(("city", "area"), GUANGDONG, ids=[g[0] for g in GUANGDONG])
def test_every_guangdong_city_area_code_matches_its_city(city: str, area: str) -> None:
    phone = landline(area)
    assert place_matches(phone.place, Region("广东省", city, ""))
    # ... and not another Guangdong city
    other = next(c for c, a in GUANGDONG if a != area)
    assert not place_matches(phone.place, Region("广东省", other, ""))


@pytest.mark.parametrize(
    ("province", "city", "area"), CAPITALS, ids=[f"{c[1]}-{c[2]}" for c in CAPITALS]
)
def test_every_capital_area_code_matches_its_region(province: str, city: str, area: str) -> None:
    phone = landline(area)
    assert place_matches(phone.place, Region(province, city, ""))
    assert not place_matches(phone.place, Region("广东省" if area != "020" else "浙江省", "x", ""))


@pytest.mark.parametrize(
    "text",
    ["0755-86013388", "086-755-86013388", "+86-0755-86013388", "086-0755-860", "13800138000", ""],
)
def test_bad_office_phone_formats(text: str) -> None:
    assert parse_office_phone(text) is None


def test_unknown_area_code_is_not_a_landline() -> None:
    phone = parse_office_phone("086-0200-12345678")
    assert phone is not None
    assert not phone.landline and phone.place == ""


def test_shared_area_code_lists_several_cities() -> None:
    phone = parse_office_phone("086-0898-66123456")
    assert phone is not None
    assert place_matches(phone.place, Region("海南省", "三亚市", ""))
    assert place_matches(phone.place, Region("海南省", "海口市", ""))
    assert not place_matches(phone.place, Region("广东省", "海口市", ""))
