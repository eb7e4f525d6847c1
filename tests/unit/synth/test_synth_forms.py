"""The form generator: truth consistent with what was drawn, filings that parse,
splits that do not share variants."""

from __future__ import annotations

from random import Random

import pytest

from kyc.filing.model import parse_filing
from kyc.synth.forms import FAULTS, HANDS, LAYOUTS, PRINT_FONTS, SEALS, form_set, generate_form


@pytest.mark.parametrize("fault", [None, *FAULTS])
def test_each_fault_is_in_the_truth_and_the_filing_parses(fault: str | None) -> None:
    s = generate_form(Random(f"t:{fault}"), "tuned", fault, capture="scan")
    t = s.truth
    order = parse_filing(s.filing)
    assert t["fault"] == fault
    assert t["decision"] == ("pass" if fault is None else "reject")
    assert s.image.ndim == 3 and s.image.dtype.name == "uint8"
    site = order.websites[0]
    principal = order.website_principal(site).name
    printed = t["printed"]
    same_url = printed["homepage_url"].split("://")[-1] == site.homepage_url
    assert same_url == (fault != "wrong_url")
    assert (printed["principal"] == principal) == (fault != "wrong_principal")
    assert t["signature"]["present"] == (fault != "no_signature")
    if fault == "extra_seal":
        assert t["seal"]["count"] == 2 and t["seal"]["next_to_signature"] is False
    if fault == "seal_wrong_place":
        assert t["seal"]["count"] == 1 and t["seal"]["next_to_signature"] is False
    if fault is None and t["nature"] == "unit":
        assert t["seal"]["count"] == 1 and t["seal"]["next_to_signature"] is True
    if t["nature"] == "individual":
        assert t["seal"]["count"] == 0
    assert t["form_detected"] == (fault != "not_a_form")


def test_unit_only_faults_refuse_individuals() -> None:
    with pytest.raises(ValueError):
        generate_form(Random(1), "tuned", "no_seal", nature="individual")


def test_splits_share_no_layout_font_hand_or_seal() -> None:
    for pools in (LAYOUTS, PRINT_FONTS, HANDS, SEALS):
        assert not set(pools["tuned"]) & set(pools["held_out"])
    held = form_set(4, 3, "held_out")
    assert {s.truth["variant"]["layout"] for s in held if s.truth["fault"] != "not_a_form"} <= set(
        LAYOUTS["held_out"]
    )


def test_same_seed_same_form() -> None:
    a = generate_form(Random(5), "held_out", "date_filled", capture="photo")
    b = generate_form(Random(5), "held_out", "date_filled", capture="photo")
    assert (a.image == b.image).all() and a.filing == b.filing
