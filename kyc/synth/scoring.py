"""Scoring a reading against a generated document's ground truth (pure).

Used by the document benchmark (scripts/bench_ocr.py). The rules are the ones that can
see failure:

- a field printed and visible must be read exactly;
- a field that is hidden (under a finger, a highlight, outside the frame) must not be
  "read" confidently: a value there is an error unless its confidence says "look at it"
  (below ``CONFIDENT``), or it happens to be right;
- a field the document's format does not print must come back empty: a value there is
  an error;
- a number printed with a wrong check character must come back exactly as printed and
  not valid; any other value of it is "altered", and a valid one is a fabricated number;
- a code (ID number, credit code, registration number) reported valid and wrong is an
  error at any confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONFIDENT = 0.9
# Numbers a check character validates (a passport's number by its MRZ check digit):
# reported valid and wrong, they are fabricated. (An MRZ's ``valid`` is its composite
# check, which does not cover line 1: not one of these.)
CODE_FIELDS = ("id_number", "credit_code", "registration_number", "passport_number")


@dataclass(frozen=True)
class FieldOutcome:
    name: str
    status: str  # exact | wrong | missing | hidden_ok | hidden_confident | extra | extra_low
    value: str | None
    expected: str | None
    confidence: float
    valid: bool | None

    @property
    def ok(self) -> bool:
        return self.status in ("exact", "hidden_ok", "extra_low")

    @property
    def counted(self) -> bool:
        """Whether the outcome counts in "fields exact" (printed fields, visible or not,
        and values invented where nothing is printed)."""
        return self.status != "extra_low"


@dataclass(frozen=True)
class SampleScore:
    document_type: str
    expected_type: str
    fields: tuple[FieldOutcome, ...]
    warnings_expected: frozenset[str]
    warnings_got: frozenset[str]
    # numbers printed with a wrong check character: name -> "as_printed" | "altered" |
    # "fabricated" (altered and reported valid) | "missing"
    bad_checks: dict[str, str] = field(default_factory=dict)

    @property
    def type_ok(self) -> bool:
        return self.document_type == self.expected_type

    def codes_valid_and_wrong(self) -> list[FieldOutcome]:
        return [
            f
            for f in self.fields
            if f.name in CODE_FIELDS and f.valid and f.value is not None and f.value != f.expected
        ]


def _field(reading: Mapping[str, Any] | None) -> tuple[str | None, float, bool | None]:
    if not reading:
        return None, 0.0, None
    value = reading.get("value")
    return (
        value if isinstance(value, str) else None,
        float(reading.get("confidence") or 0.0),
        reading.get("valid"),
    )


def score(truth: Mapping[str, Any], result: Mapping[str, Any]) -> SampleScore:
    """Score one ``kyc ocr --json`` object against its truth (kyc.synth)."""
    expected: Mapping[str, str] = truth.get("fields", {})
    hidden = set(truth.get("hidden_fields", {}))
    got: Mapping[str, Any] = result.get("fields", {})
    outcomes: list[FieldOutcome] = []
    for name, want in expected.items():
        value, conf, valid = _field(got.get(name))
        if value == want:
            status = "exact" if name not in hidden else "hidden_ok"
        elif name in hidden:
            status = "hidden_ok" if value is None or conf < CONFIDENT else "hidden_confident"
        elif value is None:
            status = "missing"
        else:
            status = "wrong"
        outcomes.append(FieldOutcome(name, status, value, want, conf, valid))
    same_type = result.get("document_type") == truth.get("document_type")
    for name, reading in got.items():
        if name in expected or not same_type:
            continue
        value, conf, valid = _field(reading)
        if value is None:
            continue
        status = "extra" if conf >= CONFIDENT else "extra_low"
        outcomes.append(FieldOutcome(name, status, value, None, conf, valid))
    bad: dict[str, str] = {}
    for name, ok in truth.get("check_valid", {}).items():
        if ok or name not in expected:
            continue
        value, _conf, valid = _field(got.get(name))
        if value is None:
            bad[name] = "missing"
        elif value == expected[name] and valid is False:
            bad[name] = "as_printed"
        elif valid:
            bad[name] = "fabricated"
        else:
            bad[name] = "altered"
    expected_warnings = set(truth.get("warnings", []))
    if any(not ok and name not in hidden for name, ok in truth.get("check_valid", {}).items()):
        expected_warnings.add("CHECKSUM_MISMATCH")
    return SampleScore(
        document_type=str(result.get("document_type")),
        expected_type=str(truth.get("document_type")),
        fields=tuple(outcomes),
        warnings_expected=frozenset(expected_warnings),
        warnings_got=frozenset(result.get("warnings", [])),
        bad_checks=bad,
    )
