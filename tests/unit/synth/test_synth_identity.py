from __future__ import annotations

import datetime as dt
from random import Random

import pytest
from stdnum.cn import ric, uscc

from kyc.synth.identity import (
    ENTITIES,
    LICENSE_FORMATS,
    add_years,
    age_on,
    break_check,
    capital_upper,
    check_valid,
    checksum_holds,
    code_alphabets,
    make_company,
    make_credit_code,
    make_person,
    make_registration_number,
    regions,
    registration_number_valid,
    validity_years,
)

TODAY = dt.date(2026, 6, 15)


def test_regions_are_known_to_stdnum() -> None:
    from stdnum import numdb

    db = numdb.get("cn/loc")
    regs = regions()
    assert len(regs) > 1000
    for r in Random(0).sample(list(regs), 200):
        info = {k: v for _, props in db.info(r.code) for k, v in props.items()}
        assert info["province"] == r.province
        assert r.district in info["county"]


@pytest.mark.parametrize("seed", range(40))
def test_person_id_number_is_valid_and_consistent(seed: int) -> None:
    rng = Random(seed)
    p = make_person(rng, TODAY, expired=seed % 5 == 0, temporary=seed % 7 == 0)
    assert ric.is_valid(p.id_number), p.id_number
    assert ric.get_birth_date(p.id_number) == p.birth_date
    assert (int(p.id_number[16]) % 2 == 1) == (p.sex == "男")
    assert ric.get_birth_place(p.id_number)["county"] == p.region.district
    assert p.address.startswith(p.region.prefix)
    assert len(p.address) <= 33
    assert p.expired(TODAY) == (seed % 5 == 0)


@pytest.mark.parametrize("seed", range(40))
def test_validity_term_fits_age(seed: int) -> None:
    p = make_person(Random(seed), TODAY, min_age=5, expired=seed % 4 == 0)
    if p.temporary:
        return
    term = validity_years(age_on(p.birth_date, p.valid_from))
    if term is None:
        assert p.valid_until is None
        assert age_on(p.birth_date, p.valid_from) >= 46
    else:
        assert p.valid_until == add_years(p.valid_from, term)
    assert p.valid_from > p.birth_date


def test_temporary_card_is_three_months() -> None:
    p = make_person(Random(3), TODAY, temporary=True)
    assert p.temporary and p.valid_until is not None
    days = (p.valid_until - p.valid_from).days
    assert 88 <= days <= 92


def test_validity_years_table() -> None:
    assert [validity_years(a) for a in (10, 15, 16, 25, 26, 45, 46, 80)] == [
        5, 5, 10, 10, 20, 20, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_company_codes_are_valid_and_fields_fit_the_format(seed: int) -> None:
    c = make_company(Random(seed), TODAY)
    f = c.fields()
    assert c.address.startswith(c.region.prefix)
    assert c.established_date < TODAY
    assert f["established_date"] == c.established_date.isoformat()
    if c.format == "current":
        assert c.credit_code is not None and uscc.is_valid(c.credit_code), c.credit_code
        assert c.credit_code[2:8] == c.region.code
        assert "registration_number" not in f
    else:
        assert c.credit_code is None and "credit_code" not in f
        assert c.registration_number is not None
        assert registration_number_valid(c.registration_number)
        assert c.registration_number[:6] == c.region.code
        assert c.established_date <= dt.date(2015, 12, 31)
    if c.individual:
        assert c.credit_code is None or c.credit_code.startswith("92")
        assert "legal_representative" not in f and f["operator"] == c.legal_representative
        assert f["organization_form"] in ("个人经营", "家庭经营")
        assert "registered_capital" not in f and "business_term" not in f
        return
    assert "operator" not in f and "organization_form" not in f
    assert c.credit_code is None or c.credit_code.startswith("91")
    if c.entity in ("branch", "sole_proprietorship", "partnership"):
        assert "registered_capital" not in f
    if c.entity == "sole_proprietorship":
        assert "business_term" not in f
        return
    assert c.business_term is not None and " " not in c.business_term
    if c.business_term != "长期":
        start, end = c.business_term.split("至")
        e = c.established_date
        assert start == f"{e.year}年{e.month:02d}月{e.day:02d}日"
        assert end > f"{TODAY.year}"


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("fmt", LICENSE_FORMATS)
def test_every_entity_in_every_format(entity: str, fmt: str) -> None:
    c = make_company(Random(3), TODAY, entity=entity, license_format=fmt)
    assert c.entity == entity and c.format == fmt
    labels = {
        "company": "法定代表人", "branch": "负责人", "individual": "经营者",
        "sole_proprietorship": "投资人", "partnership": "执行事务合伙人",
    }  # fmt: skip
    assert c.representative_label == labels[entity]
    if entity == "partnership":
        assert c.address_label == "主要经营场所" and c.term_label == "合伙期限"


def test_registration_number_check_digit() -> None:
    # ISO 7064 MOD 11,10 computed by hand for 11010100000001: every prefix product
    # p = (2 * ((s + d) mod 10 or 10)) mod 11 ends at 1 with the check digit appended
    body = "11010100000001"
    p = 10
    for ch in body:
        s = (p + int(ch)) % 10 or 10
        p = (2 * s) % 11
    check = (11 - p) % 10
    assert registration_number_valid(body + str(check))
    for wrong in set("0123456789") - {str(check)}:
        assert not registration_number_valid(body + wrong)
    r = make_registration_number(Random(1), regions()[0])
    assert len(r) == 15 and registration_number_valid(r)


@pytest.mark.parametrize("field", ["id_number", "credit_code", "registration_number"])
def test_break_check_changes_one_character_anywhere_and_the_check_fails(field: str) -> None:
    rng = Random(field)
    valid = {
        "id_number": make_person(rng, TODAY).id_number,
        "credit_code": make_credit_code(rng, regions()[5]),
        "registration_number": make_registration_number(rng, regions()[5]),
    }[field]
    assert check_valid(field, valid)
    alphabets = code_alphabets(field)
    positions = set()
    for _ in range(400):
        bad, pos = break_check(rng, field, valid)
        diff = [i for i, (a, b) in enumerate(zip(valid, bad, strict=True)) if a != b]
        assert diff == [pos]
        assert bad[pos] in alphabets[pos]
        assert not checksum_holds(field, bad) and not check_valid(field, bad)
        positions.add(pos)
    assert positions == set(range(len(valid)))  # every position, not only the last


def test_capital_upper() -> None:
    assert capital_upper(500) == "伍佰"
    assert capital_upper(1050) == "壹仟零伍拾"
    assert capital_upper(10) == "壹拾"  # financial style keeps the leading 壹
    assert capital_upper(2005) == "贰仟零伍"
    with pytest.raises(ValueError):
        capital_upper(0)


def test_seeded_draws_repeat() -> None:
    assert make_person(Random(9), TODAY) == make_person(Random(9), TODAY)
    assert make_company(Random(9), TODAY) == make_company(Random(9), TODAY)
    assert make_person(Random(9), TODAY) != make_person(Random(10), TODAY)


def test_individual_business_fields() -> None:
    c = make_company(Random(4), TODAY, individual=True, license_format="current")
    assert c.company_type == "个体工商户"
    assert c.representative_label == "经营者" and c.address_label == "经营场所"
    assert c.credit_code is not None and uscc.is_valid(c.credit_code)
    expected = {
        "credit_code", "name", "company_type", "operator", "organization_form",
        "established_date", "address", "business_scope",
    }  # fmt: skip
    assert set(c.fields()) == expected - ({"name"} if c.name is None else set())
    unnamed = [make_company(Random(s), TODAY, individual=True).name is None for s in range(60)]
    assert 0 < sum(unnamed) < 60  # some individual businesses print no name
