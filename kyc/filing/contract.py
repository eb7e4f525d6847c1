"""The filing file's keys, their kinds and limits: what is kept of a filing, and what is refused.

``clean_filing`` runs before ``parse_filing`` wherever a filing comes in (``kyc
check-filing``, ``POST``/``PATCH /v1/filings``). It returns a copy holding only the keys of
the contract (../shared/DESIGN.md): unknown keys are ignored, as the contract says, and so
never stored. Every text of a known key is checked (``BadInput`` naming its JSON path):

- TEXT_TOO_LONG beyond ``text_max_chars`` (``long_text_max_chars`` for notes, addresses and
  document field values);
- INVALID_CHARACTER for a control character (C0, DEL, C1; tab and line breaks are allowed
  in the long texts only), a formatting character (Unicode Cf: bidi overrides, embeddings,
  isolates and marks, zero-width characters, the BOM), a line or paragraph separator, or a
  lone surrogate. A right-to-left override can make a reviewer read a name backwards;
  none of these is ever part of a name or an address;
- TOO_MANY_ITEMS for a list (or a document's field map) beyond ``list_max_items``.

Values of the wrong kind are kept for ``parse_filing``, which names them (INVALID_FIELD).
Pure: no I/O.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode

TEXT: Final = "text"
LONG: Final = "long"
SCALAR: Final = "scalar"  # booleans and numbers: parse_filing checks them

Schema = dict[str, Any]

PERSON: Schema = {
    "name": TEXT,
    "certificate_type": TEXT,
    "certificate_number": TEXT,
    "office_phone": TEXT,
    "mobile": TEXT,
    "email": TEXT,
    "is_legal_representative": SCALAR,
}
SUBJECT: Schema = {
    "nature": TEXT,
    "certificate_type": TEXT,
    "certificate_number": TEXT,
    "name": TEXT,
    "certificate_address": LONG,
    "mailing_address": LONG,
    "investor": TEXT,
    "note": LONG,
    "principal": PERSON,
    "employment_proof": SCALAR,
}
WEBSITE: Schema = {
    "name": TEXT,
    "domains": [TEXT],
    "homepage_url": TEXT,
    "service_content": TEXT,
    "pre_approvals": [TEXT],
    "note": LONG,
    "principal": (PERSON, TEXT),  # a person, or "same_as_subject"
    "cloud_services": [{"type": TEXT, "ip": TEXT, "code": TEXT}],
    "plan_document": SCALAR,
    "reachable": SCALAR,
    "pre_approval_document": SCALAR,
}
FIELD: Schema = {"value": LONG, "confidence": SCALAR, "valid": SCALAR}
DOCUMENT: Schema = {
    "document_type": TEXT,
    "fields": {"*": FIELD},  # any field name (a text key) -> a field reading
    "warnings": [TEXT],
    "quality": SCALAR,
    "elapsed_ms": SCALAR,
    "format": TEXT,
    "size_bytes": SCALAR,
}
FILING: Schema = {
    "account_id": TEXT,
    "region": {"province": TEXT, "city": TEXT, "district": TEXT},
    "account_has_cvm": SCALAR,
    "subject": SUBJECT,
    "websites": [WEBSITE],
    "documents": [DOCUMENT],
}

_ALLOWED_IN_LONG = frozenset("\t\n\r")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def clean_filing(obj: Any, limits: InputLimits) -> Any:
    """The filing with only the contract's keys, every text checked (see the module)."""
    return _clean(obj, FILING, "", limits)


def clean_part(key: str, value: Any, limits: InputLimits) -> Any:
    """One top-level key of a filing (a PATCH): cleaned as ``clean_filing`` would."""
    if key not in FILING:
        return value
    return _clean(value, FILING[key], key, limits)


def check_text(text: str, path: str, max_chars: int, *, long: bool = False) -> None:
    """TEXT_TOO_LONG or INVALID_CHARACTER, naming ``path``."""
    if len(text) > max_chars:
        raise BadInput(
            ErrorCode.TEXT_TOO_LONG,
            f"{path}: {len(text)} characters; the limit is {max_chars}",
        )
    for i, ch in enumerate(text):
        if ch.isprintable() or ch == " ":
            continue  # the common case: no category lookup
        if long and ch in _ALLOWED_IN_LONG:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            name = unicodedata.name(ch, "a control character")
            raise BadInput(
                ErrorCode.INVALID_CHARACTER,
                f"{path}: U+{ord(ch):04X} ({name}) at position {i}: control and "
                "formatting characters are not allowed in text",
            )


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _clean(value: Any, schema: Any, path: str, limits: InputLimits) -> Any:
    where = path or "$"
    if isinstance(schema, tuple):  # alternatives: the first whose kind matches
        for option in schema:
            if isinstance(option, dict) == isinstance(value, dict):
                return _clean(value, option, path, limits)
        return value
    if schema == SCALAR:
        return value
    if schema in (TEXT, LONG):
        if isinstance(value, str):
            long = schema == LONG
            max_chars = limits.long_text_max_chars if long else limits.text_max_chars
            check_text(value, where, max_chars, long=long)
        return value
    if isinstance(schema, list):
        if not isinstance(value, list):
            return value
        if len(value) > limits.list_max_items:
            raise BadInput(
                ErrorCode.TOO_MANY_ITEMS,
                f"{where}: {len(value)} items; the limit is {limits.list_max_items}",
            )
        return [_clean(item, schema[0], f"{path}[{i}]", limits) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if "*" in schema:  # a map with free keys (a document's fields)
        if len(value) > limits.list_max_items:
            raise BadInput(
                ErrorCode.TOO_MANY_ITEMS,
                f"{where}: {len(value)} entries; the limit is {limits.list_max_items}",
            )
        out: dict[str, Any] = {}
        for key, item in value.items():
            check_text(str(key), f"{where} (a key)", 64)
            out[key] = _clean(item, schema["*"], _at(path, key), limits)
        return out
    return {
        key: _clean(item, schema[key], _at(path, key), limits)
        for key, item in value.items()
        if key in schema
    }
