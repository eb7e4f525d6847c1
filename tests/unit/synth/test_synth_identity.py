from __future__ import annotations

import datetime as dt
from random import Random

import pytest
from stdnum.cn import ric, uscc

from kyc.synth.identity import (
    add_years,
    age_on,
    capital_upper,
    make_company,
    make_person,
    regions,
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
def test_company_credit_code_is_valid(seed: int) -> None:
    c = make_company(Random(seed), TODAY)
    assert uscc.is_valid(c.credit_code), c.credit_code
    assert c.credit_code[2:8] == c.region.code
    assert c.address.startswith(c.region.prefix)
    assert c.established_date < TODAY
    f = c.fields()
    assert f["established_date"] == c.established_date.isoformat()
    if c.individual:
        assert c.credit_code.startswith("92")
        assert "registered_capital" not in f and "business_term" not in f
        return
    assert c.credit_code.startswith("91")
    assert c.business_term is not None and " " not in c.business_term
    if c.business_term != "长期":
        start, end = c.business_term.split("至")
        e = c.established_date
        assert start == f"{e.year}年{e.month:02d}月{e.day:02d}日"
        assert end > f"{TODAY.year}"


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
    c = make_company(Random(4), TODAY, individual=True)
    assert c.company_type == "个体工商户"
    assert c.representative_label == "经营者" and c.address_label == "经营场所"
    assert uscc.is_valid(c.credit_code)
    assert set(c.fields()) == {
        "credit_code", "name", "company_type", "legal_representative", "established_date",
        "address", "business_scope",
    }  # fmt: skip
