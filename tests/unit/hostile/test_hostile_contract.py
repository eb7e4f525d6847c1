"""The filing contract: unknown keys dropped, texts checked, lists bounded (pure)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode
from kyc.filing.contract import FILING, check_text, clean_filing, clean_part
from kyc.filing.model import parse_filing
from kyc.synth.filing import enterprise_filing

LIMITS = InputLimits()


def sample() -> dict[str, Any]:
    return enterprise_filing("acct", "example.com")


def test_a_clean_filing_is_unchanged_and_parses() -> None:
    body = sample()
    assert clean_filing(body, LIMITS) == body
    parse_filing(clean_filing(body, LIMITS))


def test_unknown_keys_go_at_every_level() -> None:
    body = sample()
    dirty = copy.deepcopy(body)
    dirty["x"] = 1
    dirty["region"]["x"] = {"deep": ["a"]}
    dirty["subject"]["principal"]["x"] = "b"
    dirty["websites"][0]["cloud_services"][0]["x"] = []
    assert clean_filing(dirty, LIMITS) == body


def test_document_fields_keep_their_names_and_lose_unknown_keys() -> None:
    body = sample()
    body["documents"] = [
        {
            "document_type": "id_card_front",
            "fields": {"name": {"value": "测试", "confidence": 0.9, "valid": None, "x": 1}},
            "warnings": [],
            "quality": 0.8,
            "elapsed_ms": 1.0,
            "x": "y",
        }
    ]
    out = clean_filing(body, LIMITS)
    assert out["documents"][0]["fields"] == {
        "name": {"value": "测试", "confidence": 0.9, "valid": None}
    }
    assert "x" not in out["documents"][0]


def test_values_of_the_wrong_kind_are_left_for_the_parser() -> None:
    body = sample()
    body["subject"]["name"] = 5
    body["websites"] = "not a list"
    out = clean_filing(body, LIMITS)
    assert out["subject"]["name"] == 5 and out["websites"] == "not a list"
    with pytest.raises(BadInput) as err:
        parse_filing(out)
    assert err.value.code is ErrorCode.INVALID_FIELD


@pytest.mark.parametrize(
    "ch",
    [
        "\x00",
        "\x07",
        "\x1b",
        "\x7f",
        "\x85",
        "\u200e",
        "\u202a",
        "\u202e",
        "\u2067",
        "\ufeff",
        "\u2029",
        "\ud800",
    ],
)
def test_refused_characters(ch: str) -> None:
    with pytest.raises(BadInput) as err:
        check_text("名" + ch, "subject.name", 100)
    assert err.value.code is ErrorCode.INVALID_CHARACTER
    assert err.value.detail.startswith("subject.name: U+")
    assert "position 1" in err.value.detail


@pytest.mark.parametrize("text", ["王小明", "O'Brien-Smith", "Ærø 3000", "张\u3000三", "\ue000"])
def test_names_people_have_are_accepted(text: str) -> None:
    check_text(text, "name", 100)  # ideographic space; private use (rare characters)


def test_line_breaks_only_in_long_text() -> None:
    check_text("a\nb\tc\r\n", "note", 100, long=True)
    with pytest.raises(BadInput):
        check_text("a\nb", "name", 100)


def test_patch_parts_are_cleaned_like_the_whole() -> None:
    sub = clean_part("subject", {"name": "甲", "x": 1}, LIMITS)
    assert sub == {"name": "甲"}
    with pytest.raises(BadInput) as err:
        clean_part("websites", [{"name": "a\u202e"}], LIMITS)
    assert err.value.detail.startswith("websites[0].name:")


def _text_paths(schema: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(schema, tuple):
        schema = schema[0]
    if isinstance(schema, str):
        return [prefix] if schema in ("text", "long") else []
    if isinstance(schema, list):
        return _text_paths(schema[0], (*prefix, 0))
    for key, sub in schema.items():
        if key != "*":
            out += _text_paths(sub, (*prefix, key))
    return out


PATHS = [p for p in _text_paths(FILING) if p[0] != "documents"]


def _put(body: dict[str, Any], path: tuple[Any, ...], value: str) -> None:
    node: Any = body
    for part, nxt in itertools.pairwise(path):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(empty)
            if not isinstance(node[part], type(empty)):
                node[part] = empty
        elif not isinstance(node.get(part), type(empty)):
            node[part] = empty  # e.g. a website principal given as a person
        node = node[part]
    if isinstance(path[-1], int):
        while len(node) <= path[-1]:
            node.append("")
    node[path[-1]] = value


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from(PATHS),
    st.text(st.characters(exclude_categories=("C", "Zl", "Zp")), max_size=20),
    st.sampled_from(["", "\x00", "\x1b", "\u202e", "\u2066", "\u200b", "\x85"]),
)
def test_any_text_field_with_a_refused_character_is_named(
    path: tuple[Any, ...], text: str, bad: str
) -> None:
    body = sample()
    _put(body, path, text + bad)
    if not bad:
        assert clean_filing(body, LIMITS) is not None
        return
    with pytest.raises(BadInput) as err:
        clean_filing(body, LIMITS)
    assert err.value.code is ErrorCode.INVALID_CHARACTER
    assert err.value.detail.startswith(_dotted(path) + ":")
