"""Parsing the filing file and the registry: the offending key's JSON path in every error."""

from __future__ import annotations

from typing import Any

import pytest
from filing_factory import clone, enterprise, individual

from kyc.errors import BadInput, ErrorCode
from kyc.filing.model import parse_filing, parse_registry


def without(path: str) -> dict[str, Any]:
    obj = enterprise()
    node: Any = obj
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    del node[keys[-1]]
    return obj


def with_value(path: str, value: Any) -> dict[str, Any]:
    obj = enterprise()
    node: Any = obj
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if isinstance(node, list):
        node[int(keys[-1])] = value
    else:
        node[keys[-1]] = value
    return obj


MISSING = [
    ("account_id", "account_id: missing"),
    ("region", "region: missing"),
    ("region.province", "region.province: missing"),
    ("account_has_cvm", "account_has_cvm: missing"),
    ("subject.nature", "subject.nature: missing"),
    ("subject.principal", "subject.principal: missing"),
    ("subject.principal.name", "subject.principal.name: missing"),
    ("subject.principal.mobile", "subject.principal.mobile: missing"),
    ("websites", "websites: missing"),
    ("websites.0.domains", "websites[0].domains: missing"),
    ("websites.0.principal", "websites[0].principal: missing"),
    ("websites.0.cloud_services", "websites[0].cloud_services: missing"),
    ("documents.1.fields", "documents[1].fields: missing"),
    ("documents.1.fields.name.confidence", "documents[1].fields.name.confidence: missing"),
]


@pytest.mark.parametrize(("path", "message"), MISSING, ids=[m[0] for m in MISSING])
def test_missing_key_names_its_path(path: str, message: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_filing(without(path))
    assert err.value.code == ErrorCode.MISSING_FIELD
    assert err.value.detail == message


INVALID = [
    ("subject.nature", "company", "subject.nature: must be one of"),
    ("subject.certificate_type", 3, "subject.certificate_type: must be one of"),
    ("account_has_cvm", "yes", "account_has_cvm: not a boolean"),
    ("subject.name", 12, "subject.name: not a string"),
    ("websites", {}, "websites: not an array"),
    ("websites.0.domains", ["example.com", "not a domain"], "websites[0].domains[1]: not a domain"),
    ("websites.0.domains", ["example.com", 7], "websites[0].domains[1]: not a domain"),
    ("websites.0.pre_approvals", ["news", "gambling"], "websites[0].pre_approvals[1]: must be"),
    ("websites.0.principal", "someone", "websites[0].principal: a person or"),
    ("websites.0.cloud_services", [{"type": "vps"}], "websites[0].cloud_services[0].type: must"),
    ("subject.principal", [], "subject.principal: not an object"),
    ("documents.0.document_type", "driving_licence", "documents[0].document_type: must be one of"),
    ("documents.0.fields.name", {"value": 1, "confidence": 1}, "documents[0].fields.name.value"),
    (
        "documents.0.fields.name",
        {"value": "x", "confidence": 1.5},
        "documents[0].fields.name.confidence: out of range",
    ),
]


@pytest.mark.parametrize(("path", "value", "prefix"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_value_names_its_path(path: str, value: Any, prefix: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_filing(with_value(path, value))
    assert err.value.code == ErrorCode.INVALID_FIELD
    assert err.value.detail.startswith(prefix), err.value.detail


def test_second_website_error_cites_index_1() -> None:
    obj = enterprise()
    site = clone(obj["websites"][0])
    site["domains"] = ["fine.com", "bad_domain"]
    obj["websites"].append(site)
    with pytest.raises(BadInput) as err:
        parse_filing(obj)
    assert err.value.detail == "websites[1].domains[1]: not a domain"


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(BadInput) as err:
        parse_filing([1, 2])
    assert err.value.code == ErrorCode.INVALID_FIELD


def test_unknown_keys_are_ignored() -> None:
    plain = parse_filing(enterprise())
    obj = enterprise()
    obj["colour"] = "blue"
    obj["subject"]["shoe_size"] = 42
    obj["websites"][0]["extra"] = {"nested": True}
    assert parse_filing(obj) == plain


def test_optional_keys_default() -> None:
    obj = individual()
    for key in ("investor", "note", "employment_proof", "certificate_address"):
        obj["subject"].pop(key)
    del obj["documents"]
    order = parse_filing(obj)
    assert order.documents == ()
    assert order.subject.note == ""
    assert order.subject.employment_proof is False
    assert order.subject.certificate_address is None


def test_same_as_subject_principal_and_domains_normalised() -> None:
    obj = enterprise()
    obj["websites"][0]["domains"] = ["Example.COM."]
    order = parse_filing(obj)
    assert order.websites[0].principal is None
    assert order.websites[0].domains == ("example.com",)
    assert order.website_principal(order.websites[0]) == order.subject.principal


def test_chinese_domain_accepted() -> None:
    obj = enterprise()
    obj["websites"][0]["domains"] = ["示例.中国", "xn--fiqs8s.cn"]
    assert parse_filing(obj).websites[0].domains == ("示例.中国", "xn--fiqs8s.cn")


def test_registry_parses_and_names_bad_entries() -> None:
    entries = parse_registry(
        [{"certificate_number": "X1", "domains": ["a.com"], "provider": "us", "account_id": "a"}]
    )
    assert entries[0].provider == "us" and entries[0].domains == ("a.com",)
    with pytest.raises(BadInput) as err:
        parse_registry(
            [entries_dict(), {"certificate_number": "X", "domains": [], "provider": "x"}]
        )
    assert err.value.detail.startswith("registry[1].provider: must be one of")
    with pytest.raises(BadInput) as err:
        parse_registry([{"domains": []}])
    assert err.value.detail == "registry[0].certificate_number: missing"
    with pytest.raises(BadInput) as err:
        parse_registry({"certificate_number": "X"})
    assert err.value.detail == "registry: not an array"


def entries_dict() -> dict[str, Any]:
    return {"certificate_number": "X", "domains": ["b.com"], "provider": "other"}


def test_first_offending_key_in_contract_order() -> None:
    with pytest.raises(BadInput) as err:
        parse_filing({"account_id": 1})
    assert err.value.detail == "account_id: not a string"
