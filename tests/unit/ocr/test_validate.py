"""Field validation: stdnum check characters, OCR-confusion repair, dates and terms."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum.cn import ric, uscc

from kyc.ocr.validate import (
    expected_term_years,
    id_birth_date,
    id_sex,
    parse_date,
    read_credit_code,
    read_id_number,
)


def fake_id(rng: random.Random, region: str = "440305") -> str:
    """A synthetic, check-digit-valid resident ID number (no real person)."""
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(365 * 15))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def fake_uscc(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + "440300" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261129)


def test_clean_id_number_is_valid_and_not_repaired(rng: random.Random) -> None:
    number = fake_id(rng)
    read = read_id_number(number)
    assert read.valid and not read.repaired and read.value == number


def test_lowercase_x_is_normalised(rng: random.Random) -> None:
    while not (number := fake_id(rng)).endswith("X"):
        pass
    read = read_id_number(number[:-1] + "x")
    assert read.valid and read.value == number


def test_letter_o_for_zero_is_repaired(rng: random.Random) -> None:
    number = fake_id(rng)
    pos = number.index("0", 6)
    read = read_id_number(number[:pos] + "O" + number[pos + 1 :])
    assert read.valid and read.repaired and read.value == number


def test_runner_up_character_repairs_a_single_misread(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[10] != "7" else "1"
    alts: list[tuple[str, ...]] = [()] * 18
    alts[10] = (number[10],)
    read = read_id_number(number[:10] + wrong + number[11:], alts)
    assert read.valid and read.repaired and read.value == number


def test_misread_without_evidence_is_reported_invalid(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[10] != "7" else "1"
    read = read_id_number(number[:10] + wrong + number[11:])
    assert not read.valid


def test_ambiguous_repair_is_refused(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[15] != "7" else "1"
    garbled = number[:15] + wrong + number[16:]
    # Offer every digit at every position: a change at any of the sequence digits can
    # satisfy the check character, so no candidate may be chosen.
    alts = [tuple("0123456789")] * 18
    read = read_id_number(garbled, alts)
    assert not read.valid


def test_wrong_length_is_invalid(rng: random.Random) -> None:
    assert not read_id_number(fake_id(rng)[:17]).valid


def test_birth_and_sex_from_number(rng: random.Random) -> None:
    number = fake_id(rng)
    assert id_birth_date(number) == dt.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )
    assert id_sex(number) == ("男" if int(number[16]) % 2 else "女")


def test_credit_code(rng: random.Random) -> None:
    code = fake_uscc(rng)
    assert read_credit_code(code).valid
    assert read_credit_code(" ".join([code[:9], code[9:]])).value == code
    bad = code[:-1] + ("1" if code[-1] != "1" else "2")
    assert not read_credit_code(bad).valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011.01.23", dt.date(2011, 1, 23)),
        ("1974年4月11日", dt.date(1974, 4, 11)),
        ("19740411", dt.date(1974, 4, 11)),
        ("2019.02.30", None),
        ("长期", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("age", "years"), [(10, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None)]
)
def test_legal_term_by_age(age: int, years: int | None) -> None:
    birth = dt.date(1970, 6, 1)
    issued = dt.date(1970 + age, 6, 1)
    assert expected_term_years(birth, issued) == years
