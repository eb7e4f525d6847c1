"""Filing type from certificate number + domains against the registry (stage 1)."""

from __future__ import annotations

from typing import Any

import pytest
from filing_factory import CREDIT_CODE, enterprise

from kyc.filing.filing_type import decide_filing_type
from kyc.filing.model import parse_filing, parse_registry
from kyc.synth.filing import make_uscc

OTHER_CODE = make_uscc("91440300MA5BTHER2")


def entry(cert: str, domains: list[str], provider: str, account: str | None = None) -> Any:
    return {
        "certificate_number": cert,
        "domains": domains,
        "provider": provider,
        "account_id": account,
    }


TYPES = [
    ("first-empty-registry", [], "first", False),
    ("first-unrelated-entries", [entry(OTHER_CODE, ["other.com"], "us", "acct-7")], "first", False),
    (
        "transfer-in-subject-and-site-elsewhere",
        [entry(CREDIT_CODE, ["example.com"], "other")],
        "transfer_in",
        False,
    ),
    (
        "new-website-subject-elsewhere",
        [entry(CREDIT_CODE, ["old.com"], "other")],
        "new_website",
        False,
    ),
    (
        "new-website-subject-here",
        [entry(CREDIT_CODE, ["old.com"], "us", "acct-1")],
        "new_website",
        False,
    ),
    (
        "refused-subject-under-another-account",
        [entry(CREDIT_CODE, ["old.com"], "us", "acct-2")],
        "new_website",
        True,
    ),
]


@pytest.mark.parametrize(
    ("registry", "expected", "refused"), [t[1:] for t in TYPES], ids=[t[0] for t in TYPES]
)
def test_filing_type(registry: list[Any], expected: str, refused: bool) -> None:
    d = decide_filing_type(parse_filing(enterprise()), parse_registry(registry))
    assert d.filing_type == expected
    assert d.refused is refused


def test_subject_filed_here_flag() -> None:
    order = parse_filing(enterprise())
    here = decide_filing_type(
        order, parse_registry([entry(CREDIT_CODE, ["old.com"], "us", "acct-1")])
    )
    elsewhere = decide_filing_type(
        order, parse_registry([entry(CREDIT_CODE, ["old.com"], "other")])
    )
    assert here.subject_filed_here and not elsewhere.subject_filed_here


def test_certificate_compared_without_case_and_spaces() -> None:
    obj = enterprise()
    obj["subject"]["certificate_number"] = " " + CREDIT_CODE.lower() + " "
    d = decide_filing_type(
        parse_filing(obj), parse_registry([entry(CREDIT_CODE, ["old.com"], "other")])
    )
    assert d.certificate_known and d.filing_type == "new_website"


def test_domain_under_another_certificate_is_a_conflict() -> None:
    d = decide_filing_type(
        parse_filing(enterprise()), parse_registry([entry(OTHER_CODE, ["example.com"], "other")])
    )
    assert d.domain_conflicts == ("example.com",)
    assert d.filing_type == "first" and not d.refused
