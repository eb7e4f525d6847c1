"""The shared JSON loader: what it accepts is exactly JSON, what it refuses gets a code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode
from kyc.jsonload import check_tree, load_file, loads

LIMITS = InputLimits()
CODES = {
    ErrorCode.INVALID_JSON,
    ErrorCode.JSON_TOO_DEEP,
    ErrorCode.NUMBER_TOO_LARGE,
    ErrorCode.REQUEST_TOO_LARGE,
    ErrorCode.INVALID_CHARACTER,
}


def code_of(data: bytes, limits: InputLimits = LIMITS) -> ErrorCode:
    with pytest.raises(BadInput) as err:
        loads(data, limits)
    return err.value.code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"[" * 10_000 + b"]" * 10_000, ErrorCode.JSON_TOO_DEEP),
        (b"[" * 33 + b"]" * 33, ErrorCode.JSON_TOO_DEEP),
        (b"1" * 5000, ErrorCode.NUMBER_TOO_LARGE),
        (b"-" + b"9" * 40, ErrorCode.NUMBER_TOO_LARGE),
        (b"1e400", ErrorCode.NUMBER_TOO_LARGE),
        (b"0." + b"1" * 40, ErrorCode.NUMBER_TOO_LARGE),
        (b"NaN", ErrorCode.INVALID_JSON),
        (b"-Infinity", ErrorCode.INVALID_JSON),
        (b'{"a":1,"a":1}', ErrorCode.INVALID_JSON),
        (b'["\\udc00"]', ErrorCode.INVALID_CHARACTER),
        (b'{"\\ud800": 1}', ErrorCode.INVALID_CHARACTER),
        (b"\xff\xfe{\x00}\x00", ErrorCode.INVALID_JSON),
        (b"\xfe\xff\x00{\x00}", ErrorCode.INVALID_JSON),
        (b'"\xc3\x28"', ErrorCode.INVALID_JSON),
        (b"", ErrorCode.INVALID_JSON),
        (b"{", ErrorCode.INVALID_JSON),
        (b"[1,]", ErrorCode.INVALID_JSON),
    ],
)
def test_refusals(text: bytes, code: ErrorCode) -> None:
    assert code_of(text) is code


def test_the_size_limit_counts_bytes() -> None:
    limits = InputLimits(json_body_bytes=10)
    assert loads(b'"12345678"', limits) == "12345678"
    assert code_of(b'"123456789"', limits) is ErrorCode.REQUEST_TOO_LARGE


def test_limits_are_inclusive() -> None:
    depth = LIMITS.json_max_depth
    assert loads(b"[" * depth + b"]" * depth, LIMITS) is not None
    digits = LIMITS.json_max_number_chars
    assert loads(b"9" * digits, LIMITS) == int("9" * digits)


def test_a_utf8_byte_order_mark_is_skipped() -> None:
    assert loads(b'\xef\xbb\xbf{"a": "\xe5\x90\x8d"}', LIMITS) == {"a": "名"}


def test_check_tree_needs_no_recursion() -> None:
    node: Any = []
    for _ in range(50_000):
        node = [node]
    with pytest.raises(BadInput) as err:
        check_tree(node, 32)
    assert err.value.code is ErrorCode.JSON_TOO_DEEP


def test_load_file_reads_at_most_the_limit(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as err:
        load_file(Path("/dev/zero"), LIMITS, "filing")
    assert err.value.code is ErrorCode.FILE_TOO_LARGE
    p = tmp_path / "f.json"
    p.write_bytes(b"\xef\xbb\xbf[1, 2]")
    assert load_file(p, LIMITS, "filing") == [1, 2]


# --------------------------------------------------------------------------- properties

texts = st.text() | st.text(
    st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=3
)  # some with lone surrogates
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return SURROGATE.search(value) is not None
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


@settings(max_examples=300, deadline=None, database=None)
@given(json_values)
def test_every_json_value_round_trips_or_is_refused_with_a_code(value: Any) -> None:
    """Whatever Python writes as JSON is read back equal, unless it is one of the things
    the loader refuses on purpose; either way, never another exception."""
    data = json.dumps(value).encode()
    expected = json.loads(data)  # the standard reading (a surrogate pair is one character)
    try:
        out = loads(data, LIMITS)
    except BadInput as exc:
        assert exc.code in CODES
        if exc.code is ErrorCode.INVALID_CHARACTER:
            assert _has_surrogate(expected)
        elif exc.code is ErrorCode.NUMBER_TOO_LARGE:
            assert any(len(t) > LIMITS.json_max_number_chars for t in _numbers(data))
        return
    assert not _has_surrogate(expected)
    assert out == expected


def _numbers(data: bytes) -> list[str]:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', data.decode())
    return re.findall(r"-?\d[\d.eE+-]*", text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_a_coded_refusal(data: bytes) -> None:
    try:
        loads(data, LIMITS)
    except BadInput as exc:
        assert exc.code in CODES
