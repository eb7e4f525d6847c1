"""R-DOC-4 and R-REJ-2 from the verification form's check (``FormView``)."""

from __future__ import annotations

import pytest
from filing_factory import TODAY, enterprise, individual

from kyc.filing.check import check_filing
from kyc.filing.model import parse_filing
from kyc.filing.result import FormView


def statuses(order: dict[str, object], form: FormView | None) -> dict[str, str]:
    check = check_filing(parse_filing(order), [], TODAY, form=form)
    return {r.id: r.status for r in check.rules if r.id in ("R-DOC-4", "R-REJ-2")}


@pytest.mark.parametrize(
    ("doc4", "rej2", "expected"),
    [
        ("passed", "passed", {"R-DOC-4": "passed", "R-REJ-2": "passed"}),
        ("passed", "failed", {"R-DOC-4": "passed", "R-REJ-2": "failed"}),
        ("failed", "passed", {"R-DOC-4": "failed", "R-REJ-2": "passed"}),
        # what the check could not tell stays with a person
        ("review", "review", {"R-DOC-4": "skipped", "R-REJ-2": "skipped"}),
    ],
)
def test_a_unit_form_decides_both_rules(doc4: str, rej2: str, expected: dict[str, str]) -> None:
    form = FormView((("R-DOC-4", doc4, "核验单"), ("R-REJ-2", rej2, "印章")))
    assert statuses(enterprise(), form) == expected


def test_without_a_form_both_wait_and_an_individual_needs_no_seal() -> None:
    assert statuses(enterprise(), None) == {"R-DOC-4": "skipped", "R-REJ-2": "skipped"}
    form = FormView((("R-DOC-4", "passed", "已签字"), ("R-REJ-2", "failed", "有印章")))
    # an individual's form carries no seal rule (R-REJ-2 does not apply)
    assert statuses(individual(), form) == {"R-DOC-4": "passed", "R-REJ-2": "passed"}


def test_the_reason_is_the_forms_own() -> None:
    form = FormView((("R-DOC-4", "failed", "日期须留空，核验单上已填写日期"),))
    check = check_filing(parse_filing(enterprise()), [], TODAY, form=form)
    doc4 = check.result("R-DOC-4")
    assert doc4.reason.endswith("日期须留空，核验单上已填写日期") and doc4.inputs["form"] is True
    assert check.result("R-REJ-2").status == "skipped"  # no R-REJ-2 finding given
