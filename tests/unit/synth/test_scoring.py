"""The benchmark's scoring rules see failure: hidden fields, fields a format does not
print, numbers printed with wrong check characters, valid-and-wrong codes."""

from __future__ import annotations

from typing import Any

from kyc.synth.scoring import SampleScore, score


def reading(value: str | None, conf: float = 0.99, valid: bool | None = None) -> dict[str, Any]:
    return {"value": value, "confidence": conf, "valid": valid}


TRUTH: dict[str, Any] = {
    "document_type": "id_card_front",
    "fields": {"name": "张三", "id_number": "440305199001011234", "address": "某地"},
    "hidden_fields": {"address": "occlusion"},
    "warnings": ["OCCLUSION"],
}


def result(**fields: dict[str, Any]) -> dict[str, Any]:
    return {"document_type": "id_card_front", "fields": fields, "warnings": ["OCCLUSION"]}


def status(sc: SampleScore, name: str) -> str:
    return next(f.status for f in sc.fields if f.name == name)


def test_a_hidden_field_read_confidently_is_an_error_and_a_doubtful_one_is_not() -> None:
    base = {"name": reading("张三"), "id_number": reading("440305199001011234", valid=True)}
    confident = score(TRUTH, result(**base, address=reading("别处", 0.95)))
    doubtful = score(TRUTH, result(**base, address=reading("别处", 0.6)))
    empty = score(TRUTH, result(**base, address=reading(None, 0.0)))
    assert status(confident, "address") == "hidden_confident"
    assert status(doubtful, "address") == "hidden_ok"
    assert status(empty, "address") == "hidden_ok"


def test_a_value_where_the_format_prints_nothing_is_an_error() -> None:
    base = {"name": reading("张三"), "id_number": reading("440305199001011234", valid=True)}
    sc = score(TRUTH, result(**base, legal_representative=reading("李四", 0.95)))
    extra = [f for f in sc.fields if f.name == "legal_representative"]
    assert extra and not extra[0].ok and extra[0].counted


def test_valid_and_wrong_codes_count_at_any_confidence() -> None:
    sc = score(
        TRUTH,
        result(name=reading("张三"), id_number=reading("440305199001011243", 0.5, valid=True)),
    )
    assert [f.name for f in sc.codes_valid_and_wrong()] == ["id_number"]


def test_a_number_printed_wrong_must_come_back_as_printed_and_not_valid() -> None:
    truth = {**TRUTH, "check_valid": {"id_number": False}}
    printed = TRUTH["fields"]["id_number"]
    as_printed = score(truth, result(id_number=reading(printed, 0.4, valid=False)))
    fabricated = score(truth, result(id_number=reading(printed[:-1] + "9", 0.8, valid=True)))
    altered = score(truth, result(id_number=reading(printed[:-1] + "9", 0.4, valid=False)))
    assert as_printed.bad_checks == {"id_number": "as_printed"}
    assert fabricated.bad_checks == {"id_number": "fabricated"}
    assert altered.bad_checks == {"id_number": "altered"}
