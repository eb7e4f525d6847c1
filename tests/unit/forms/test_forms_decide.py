"""The verdict on a verification form from its facts, and the provider part's (pure)."""

from __future__ import annotations

from dataclasses import replace

from kyc.forms.check import provider_filled
from kyc.forms.decide import FormCheck, FormFacts, decide, findings_of
from kyc.forms.settings import FormSettings

GOOD_UNIT = FormFacts(
    form_detected=True,
    individual=False,
    matches_filing=True,
    principal_ok=True,
    url_ok=True,
    sign_zone_found=True,
    signature_present=True,
    seal_count=1,
    seals_beside=(True,),
    date_blank=True,
)
GOOD_PERSON = replace(GOOD_UNIT, individual=True, seal_count=0, seals_beside=())


def _verdict(f: FormFacts) -> tuple[dict[str, str], str]:
    findings = findings_of(f)
    return {x.id: x.status for x in findings}, decide(findings)


def test_correct_unit_and_individual_forms_pass() -> None:
    assert _verdict(GOOD_UNIT) == ({"R-DOC-4": "passed", "R-REJ-2": "passed"}, "pass")
    assert _verdict(GOOD_PERSON) == ({"R-DOC-4": "passed", "R-REJ-2": "passed"}, "pass")


def test_each_fault_rejects_with_the_rule_it_breaks() -> None:
    cases = {
        "not a form": (FormFacts(False, False, None), "R-DOC-4"),
        "other principal": (
            replace(GOOD_UNIT, matches_filing=False, principal_ok=False),
            "R-DOC-4",
        ),
        "unsigned": (replace(GOOD_UNIT, signature_present=False), "R-DOC-4"),
        "unit without seal": (replace(GOOD_UNIT, seal_count=0, seals_beside=()), "R-DOC-4"),
        "date written": (replace(GOOD_UNIT, date_blank=False), "R-DOC-4"),
        "ticked": (replace(GOOD_UNIT, extra_marks=("勾选了 1 个核验方框",)), "R-DOC-4"),
        "seal elsewhere": (replace(GOOD_UNIT, seals_beside=(False,)), "R-REJ-2"),
        "second seal elsewhere": (
            replace(GOOD_UNIT, seal_count=2, seals_beside=(True, False)),
            "R-REJ-2",
        ),
    }
    for name, (facts, rule) in cases.items():
        statuses, decision = _verdict(facts)
        assert decision == "reject", name
        assert statuses[rule] == "failed", name


def test_what_the_check_could_not_tell_goes_to_review() -> None:
    for facts in (
        replace(GOOD_UNIT, matches_filing=None),
        replace(GOOD_UNIT, date_blank=None),
        replace(GOOD_UNIT, sign_zone_found=False, signature_present=False),
        replace(GOOD_PERSON, seal_count=1, seals_beside=(True,)),  # an individual's seal
        replace(GOOD_UNIT, seal_count=2, seals_beside=(True, True)),
    ):
        assert _verdict(facts)[1] == "review", facts


def test_json_follows_the_contract() -> None:
    findings = findings_of(GOOD_UNIT)
    out = FormCheck(GOOD_UNIT, findings, decide(findings), 12.345).to_json()
    assert set(out) == {
        "form_detected", "matches_filing", "signature", "seal", "date_blank", "extra_marks",
        "findings", "decision", "elapsed_ms",
    }  # fmt: skip
    assert out["seal"] == {"present": True, "count": 1, "next_to_signature": True}
    assert out["signature"] == {"present": True}
    assert out["elapsed_ms"] == 12.3
    assert {f["id"] for f in out["findings"]} == {"R-DOC-4", "R-REJ-2"}
    none = FormCheck(GOOD_PERSON, findings_of(GOOD_PERSON), "pass").to_json()
    assert none["seal"]["next_to_signature"] is None


def test_the_providers_signature_blank_is_judged_as_a_signature_blank() -> None:
    s = FormSettings()
    # a light scribble (0.2 u2): under the date blank's 0.35, over a signature's 0.15
    assert s.signature_min_ink < 0.2 < s.blank_min_ink
    assert provider_filled([0.0, 0.2], False, False, "", s)
    assert not provider_filled([0.0, 0.1], False, False, "", s)
    assert provider_filled([], True, False, "", s)  # its date written
    assert provider_filled([], False, False, "2026", s)  # figures read there
