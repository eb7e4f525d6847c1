"""Official names of China's county-level divisions (python-stdnum's data, with every name
a code has carried), for repairing the region at the start of an ID card's address.

A resident ID number's first six digits name the county where it was issued; the card's
address usually starts with that county's full name (province, prefecture, county). When
the address read starts with something one or two characters away from that name, and
not with the name of any other real region, the recogniser misread it (羌 as 美, a lost
猗) and the official name is restored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京 天津 上海 重庆
_PERIOD = re.compile(r"^\[\d*-\d*\]")


def _names(value: str | None) -> tuple[str, ...]:
    """Every name in a stdnum property such as "[1985-2002]北川县,[2003-]北川羌族自治县"."""
    if not value:
        return ()
    return tuple(_PERIOD.sub("", part) for part in value.split(",") if part)


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    """Every county code that stdnum knows, with the address prefixes it can print as:
    四川省绵阳市北川羌族自治县, or 北京市东城区 for a municipality (historic names included)."""
    from stdnum import numdb

    out: dict[str, tuple[str, ...]] = {}
    for plen, plow, phigh, pprops, children in numdb.get("cn/loc").prefixes:
        provinces = _names(pprops.get("province"))
        if plen != 2 or plow != phigh or not provinces:
            continue
        counties = {
            clow: _names(cprops.get("county"))
            for clen, clow, chigh, cprops, _ in children
            if clen == 4 and clow == chigh
        }
        for code4, names in counties.items():
            if code4.endswith("00") or not names or "行政区划" in "".join(names):
                continue
            prefectures = tuple(
                p
                for p in counties.get(code4[:2] + "00", ())
                if "行政区划" not in p and "直辖" not in p
            )
            if plow in _MUNICIPALITIES or not prefectures:
                combos = tuple(p + c for p in provinces for c in names)
            else:
                combos = tuple(p + f + c for p in provinces for f in prefectures for c in names)
            out[plow + code4] = combos
    return out


def prefixes(code: str) -> tuple[str, ...]:
    """The address prefixes a county code can print as."""
    return _table().get(code, ())


@lru_cache(maxsize=1)
def _all_prefixes() -> frozenset[str]:
    return frozenset(p for names in _table().values() for p in names)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=1)
def _provinces() -> frozenset[str]:
    from stdnum import numdb

    return frozenset(
        name
        for plen, _lo, _hi, props, _children in numdb.get("cn/loc").prefixes
        if plen == 2
        for name in _names(props.get("province"))
    )


def starts_with_province(address: str) -> bool:
    """Whether an address starts with a province's (or municipality's) name, as every
    address on a resident ID card does."""
    return any(address.startswith(p) for p in _provinces())


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Every province, prefecture and county name stdnum knows (historic ones too)."""
    from stdnum import numdb

    out: set[str] = set()

    def walk(prefixes: Any) -> None:
        for _len, _lo, _hi, props, children in prefixes:
            for key in ("province", "prefecture", "county"):
                out.update(_names(props.get(key)))
            walk(children)

    walk(numdb.get("cn/loc").prefixes)
    return frozenset(n for n in out if "行政区划" not in n and "直辖" not in n)


def authority_known(authority: str) -> bool | None:
    """Whether an ID card's issuing authority names real places: <place>公安局 (the place
    one name or a prefecture's and a county's: 眉山市仁寿县), or <place>公安局<district>分局
    with a county of that name (北辰分局 for 北辰区). None when it is not of that shape."""
    m = re.fullmatch(r"(.+?)公安局(?:(.+?)分局)?", authority)
    if m is None:
        return None
    names = _place_names()
    place, district = m.group(1), m.group(2)
    if not _known_place(place):
        return False
    # The district is a county's whole name or that name without its suffix (北辰 for
    # 北辰区): a name with a character lost (罗 for 罗湖) is no district.
    return district is None or any(
        n == district or (n[:-1] == district and n[-1] in _COUNTY_SUFFIXES) for n in names
    )


_COUNTY_SUFFIXES = "区县市旗"


def leading_place_known(text: str) -> bool | None:
    """Whether the place an organisation's name starts with (a first word ending in 省,
    市, 县, 区, 州, 旗 or 盟, within 8 characters: 梅州市, not 梅州) is a real one, alone or as
    a prefecture's and a county's names run together; None when it starts with none. A
    name with a misread place (键为县 for 犍为县) is not confident, however sure its
    characters."""
    places = leading_places(text)
    return any(_known_place(p) for p in places) if places else None


def leading_places(text: str) -> list[str]:
    """The words ``text`` may start its place with: each start of it that ends in 省, 市,
    县, 区, 州, 旗 or 盟 within 8 characters, shortest first (梅州, 梅州市)."""
    return [text[: i + 1] for i in range(1, min(len(text), 8)) if text[i] in _PLACE_SUFFIXES]


def _known_place(place: str) -> bool:
    """A real place name, alone or a prefecture's and a county's run together."""
    names = _place_names()
    return place in names or any(
        place[:k] in names and place[k:] in names for k in range(2, len(place) - 1)
    )


_PLACE_SUFFIXES = "省市县区州旗盟"


def place_one_off(place: str, text: str) -> str | None:
    """The one real place named in ``text`` that ``place``, itself no real place, reads
    one character off: one character misread (an authority's 远安具 for 远安县, named in
    the certificate's address), or its first character lost (州市 for 梅州市, a seal over
    the authority's start); None where there is none or more than one. A misread in a
    name of two characters is left alone: one character is half of it."""
    if len(place) < 2 or _known_place(place):
        return None
    hits = {
        n
        for n in _place_names()
        if n in text
        and (
            (len(place) >= 3 and len(n) == len(place) and _one_substitution(n, place))
            or (len(n) == len(place) + 1 and n[1:] == place)
        )
    }
    return hits.pop() if len(hits) == 1 else None


def leading_place_repaired(text: str, named: str) -> str | None:
    """``text`` (an organisation's name) with the place it starts with restored to the
    one place ``named`` (the certificate's address) names that it reads one character
    off (燕岭县第三人民医院 under an address in 蕉岭县); None where there is none."""
    for place in leading_places(text):
        known = place_one_off(place, named)
        if known:
            return known + text[len(place) :]
    return None


# The most a name whose place was repaired (or freed of a stray mark) is trusted: the
# repair rests on the place's spelling, not on what was read.
PLACE_REPAIR_CAP = 0.85


def place_after_first(text: str) -> bool:
    """Whether ``text`` (an organisation's name) starts with a real place only once its
    first character is dropped (業南京市腾达餐馆: 業 before 南京市)."""
    return (
        len(text) > 3
        and leading_place_known(text[1:]) is True
        and leading_place_known(text) is not True
    )


def _one_substitution(a: str, b: str) -> bool:
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def region_known(address: str) -> bool | None:
    """Whether an address that starts with a province's name goes on with a real
    prefecture and county of it (广东省深圳市南山区); None when it does not start with a
    province (a street address, 深圳市南山区 without the province). A region no code
    has ever named (鄂邑区 for 鄠邑区) is a misread, however sure its characters."""
    if not any(address.startswith(p) for p in _provinces()):
        return None
    return any(address.startswith(p) for p in _all_prefixes())


def repair_prefix(address: str, code: str) -> str | None:
    """``address`` with its region prefix restored to the official name of ``code``'s
    county; None when the address already starts with a
    real region's name or is not within one edit (two for names of 12 or more
    characters) of the county's."""
    if any(address.startswith(p) for p in _all_prefixes()):
        return None
    best: tuple[int, int, str] | None = None  # distance, read length, official name
    for name in prefixes(code):
        n = len(name)
        budget = 2 if n >= 12 else 1
        for m in range(max(1, n - budget), min(len(address), n + budget) + 1):
            d = _distance(address[:m], name)
            if d <= budget and (best is None or (d, abs(m - n)) < (best[0], abs(best[1] - n))):
                best = (d, m, name)
    if best is None:
        return None
    _, m, name = best
    return name + address[m:]
