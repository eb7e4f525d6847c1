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
    read_registration_number,
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


SURE = 0.995  # a confidently read character
DIGITS = "0123456789"


def evidence(
    number: str, doubtful: dict[int, tuple[float, list[tuple[str, float]]]] | None = None
) -> tuple[list[float], list[list[tuple[str, float]]]]:
    """Per-character probabilities and runner-ups as the recogniser gives them: every
    character confident, with implausible runner-ups (other digits at ~0.1%), except the
    positions in ``doubtful`` (probability, runner-ups)."""
    probs = [SURE] * len(number)
    alts = [[(d, 0.001) for d in DIGITS if d != ch][:3] for ch in number]
    for pos, (p, a) in (doubtful or {}).items():
        probs[pos], alts[pos] = p, a
    return probs, alts


def wrong_at(number: str, pos: int, rng: random.Random, alphabet: str = DIGITS) -> str:
    """``number`` with the character at ``pos`` replaced so that its check fails."""
    while True:
        ch = rng.choice(alphabet.replace(number[pos], ""))
        bad = number[:pos] + ch + number[pos + 1 :]
        if not ric.is_valid(bad) and not uscc.is_valid(bad):
            return bad


def test_clean_id_number_is_valid_and_not_repaired(rng: random.Random) -> None:
    number = fake_id(rng)
    read = read_id_number(number, *evidence(number))
    assert read.valid and not read.repaired and read.value == number


def test_lowercase_x_is_normalised(rng: random.Random) -> None:
    while not (number := fake_id(rng)).endswith("X"):
        pass
    read = read_id_number(number[:-1] + "x")
    assert read.valid and read.value == number


def test_letter_o_among_digits_stands_for_zero(rng: random.Random) -> None:
    number = fake_id(rng)
    pos = number.index("0", 6)
    read = read_id_number(number[:pos] + "O" + number[pos + 1 :])
    assert read.valid and read.value == number


def test_runner_up_repairs_a_doubtful_misread(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[15] != "7" else "1"
    probs, alts = evidence(number, {15: (0.55, [(number[15], 0.4)])})
    read = read_id_number(number[:15] + wrong + number[16:], probs, alts)
    assert read.valid and read.repaired and read.value == number


def test_confident_misread_is_never_overwritten(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[15] != "7" else "1"
    probs, alts = evidence(number, {15: (0.97, [(number[15], 0.02)])})
    read = read_id_number(number[:15] + wrong + number[16:], probs, alts)
    assert not read.valid and read.value == number[:15] + wrong + number[16:]


@pytest.mark.parametrize("pos", range(18))
def test_numbers_printed_wrong_are_returned_as_read(pos: int) -> None:
    """A card printed with a wrong character at any position, read confidently, comes back
    exactly as printed and not valid, whatever runner-ups the recogniser offered."""
    for seed in range(40):
        rng = random.Random(f"{pos}:{seed}")
        printed = wrong_at(fake_id(rng), pos, rng, DIGITS + ("X" if pos == 17 else ""))
        read = read_id_number(printed, *evidence(printed))
        assert (read.value, read.valid) == (printed, False)


@pytest.mark.parametrize("pos", range(18))
def test_credit_codes_printed_wrong_are_returned_as_read(pos: int) -> None:
    # GB 32100: letters may stand first and second (authority, entity class), not in
    # the region's six digits
    alphabet = DIGITS if 2 <= pos < 8 else "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for seed in range(40):
        rng = random.Random(f"uscc{pos}:{seed}")
        printed = wrong_at(fake_uscc(rng), pos, rng, alphabet)
        read = read_credit_code(printed, *evidence(printed))
        assert (read.value, read.valid) == (printed, False)


def test_look_alikes_alone_never_validate_a_wrong_code() -> None:
    """A letter read confidently where a letter may stand is not turned into the digit it
    resembles to make the check hold (B -> 8, S -> 5 ...)."""
    validated = 0
    for seed in range(3000):
        rng = random.Random(f"look{seed}")
        code = fake_uscc(rng)
        bad = code[:-1] + rng.choice(
            [c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[-1]]
        )
        validated += read_credit_code(bad, *evidence(bad)).valid
    assert validated == 0


def test_repair_at_a_birth_digit_must_agree_with_the_printed_birth_date(
    rng: random.Random,
) -> None:
    number = fake_id(rng)
    pos = 13  # last digit of the birth day
    wrong = next(d for d in "0123456789" if d != number[pos])
    garbled = number[:pos] + wrong + number[pos + 1 :]
    probs, alts = evidence(number, {pos: (0.5, [(number[pos], 0.45)])})
    birth = id_birth_date(number)
    sex = id_sex(number)
    assert read_id_number(garbled, probs, alts, birth, sex).value == number
    # Unknown printed birth date: the birth digits are not repaired.
    assert not read_id_number(garbled, probs, alts, None, sex).valid
    # A printed birth date that says otherwise: not repaired either.
    other = dt.date(1950, 1, 1)
    assert not read_id_number(garbled, probs, alts, other, sex).valid


def test_ambiguous_repair_is_refused(rng: random.Random) -> None:
    number = fake_id(rng)
    wrong = "7" if number[15] != "7" else "1"
    garbled = number[:15] + wrong + number[16:]
    # Every digit offered at two doubtful positions: changes at either can satisfy the
    # check character, so no candidate may be chosen.
    every = [(d, 0.05) for d in DIGITS]
    probs, alts = evidence(number, {14: (0.5, every), 15: (0.5, every)})
    assert not read_id_number(garbled, probs, alts).valid


def test_no_repair_where_another_character_is_doubted_too(rng: random.Random) -> None:
    # Two characters misread at 0.5; the runner-up offered at one of them makes the
    # check hold with the other still wrong. One candidate passes, so the old rule took
    # it: a valid, wrong code.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    code = fake_uscc(rng)
    a, b = 10, 13
    for wrong_a in alphabet.replace(code[a], ""):
        misread = code[:a] + wrong_a + code[a + 1 :]
        fits = [c for c in alphabet if uscc.is_valid(misread[:b] + c + misread[b + 1 :])]
        if fits and fits[0] != code[b]:
            break
    coincidence = misread[:b] + fits[0] + misread[b + 1 :]
    assert uscc.is_valid(coincidence) and coincidence != code
    wrong_b = next(c for c in alphabet if c not in (code[b], fits[0]))
    garbled = misread[:b] + wrong_b + misread[b + 1 :]
    probs, alts = evidence(garbled, {a: (0.54, [(code[a], 0.3)]), b: (0.49, [(fits[0], 0.45)])})
    read = read_credit_code(garbled, probs, alts)
    assert not read.valid and read.value == garbled
    # With the other character read confidently, the same runner-up repairs it.
    alone = misread[:b] + wrong_b + misread[b + 1 :]
    probs, alts = evidence(alone, {b: (0.49, [(fits[0], 0.45)])})
    read = read_credit_code(alone, probs, alts)
    assert read.valid and read.repaired and read.value == coincidence


def test_wrong_length_is_invalid(rng: random.Random) -> None:
    assert not read_id_number(fake_id(rng)[:17]).valid


def test_registration_number_mod_11_10(rng: random.Random) -> None:
    from stdnum.iso7064 import mod_11_10

    body = "".join(rng.choice(DIGITS) for _ in range(14))
    number = body + mod_11_10.calc_check_digit(body)
    assert read_registration_number(number).valid
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    read = read_registration_number(bad, *evidence(bad))
    assert (read.value, read.valid) == (bad, False)


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
        ("2021,10.13", dt.date(2021, 10, 13)),  # a dot read as a comma
        ("2021。10·13", dt.date(2021, 10, 13)),
        ("1977:12.27", dt.date(1977, 12, 27)),  # a dot read as a colon
        ("200710.25", dt.date(2007, 10, 25)),  # a dot lost: the digits' places say it
        ("2007.1025", dt.date(2007, 10, 25)),
        ("120071025", None),  # nine digits: no date's places
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
