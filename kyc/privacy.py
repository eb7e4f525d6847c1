"""Masking of personal data in responses (pure). Reviewers' filing page shows values whole.

ID numbers keep the first four and last four characters (4403**********123X); names keep
their first character; addresses their first six; phones their first three and last four;
e-mail addresses their first character and domain.
"""

from __future__ import annotations

from typing import Any

# Keys whose values are personal data wherever they appear in a filing or a reading.
ID_KEYS = frozenset({"certificate_number", "id_number", "passport_number", "permit_number", "mrz"})
NAME_KEYS = frozenset({"name", "name_latin", "legal_representative", "investor", "operator"})
ADDRESS_KEYS = frozenset({"address", "certificate_address", "mailing_address"})
PHONE_KEYS = frozenset({"mobile", "office_phone"})
EMAIL_KEYS = frozenset({"email"})
DATE_KEYS = frozenset({"birth_date"})
# Objects whose "name" is not a person's (a website, a company is still masked: the
# subject may be an individual, so subject names are always masked).
NOT_PERSONAL_NAME_PARENTS = frozenset({"websites"})


def mask_id(value: str) -> str:
    v = value.strip()
    if len(v) >= 12:
        return v[:4] + "*" * (len(v) - 8) + v[-4:]
    if len(v) >= 4:
        return v[:1] + "*" * (len(v) - 2) + v[-1:]
    return "*" * len(v)


def mask_name(value: str) -> str:
    v = value.strip()
    if len(v) <= 1:
        return "*" * len(v)
    return v[:1] + "*" * min(len(v) - 1, 8)


def mask_address(value: str) -> str:
    v = value.strip()
    keep = min(6, len(v) // 2)
    return v[:keep] + "*" * min(len(v) - keep, 8)


def mask_phone(value: str) -> str:
    v = value.strip()
    if len(v) >= 8:
        return v[:3] + "*" * (len(v) - 7) + v[-4:]
    return "*" * len(v)


def mask_email(value: str) -> str:
    local, at, domain = value.strip().partition("@")
    if not at:
        return mask_name(value)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def mask_date(value: str) -> str:
    return value[:4] + "-**-**" if len(value) >= 4 else "*" * len(value)


def mask_value(key: str, value: str) -> str:
    if key in ID_KEYS:
        return mask_id(value)
    if key in NAME_KEYS:
        return mask_name(value)
    if key in ADDRESS_KEYS:
        return mask_address(value)
    if key in PHONE_KEYS:
        return mask_phone(value)
    if key in EMAIL_KEYS:
        return mask_email(value)
    if key in DATE_KEYS:
        return mask_date(value)
    return value


def is_personal(key: str) -> bool:
    return key in ID_KEYS | NAME_KEYS | ADDRESS_KEYS | PHONE_KEYS | EMAIL_KEYS | DATE_KEYS


def mask_tree(obj: Any, parent: str = "") -> Any:
    """A copy of a JSON tree with every personal string value masked.

    Document readings (``{"fields": {"name": {"value": ...}}}``) are masked too: a field
    object's ``value`` is masked by the field's own key.
    """
    if isinstance(obj, list):
        return [mask_tree(item, parent) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, str) and is_personal(key):
            personal_name = key == "name" and parent in NOT_PERSONAL_NAME_PARENTS
            out[key] = value if personal_name else mask_value(key, value)
        elif isinstance(value, dict) and "value" in value and is_personal(key):
            field = dict(value)
            if isinstance(field["value"], str):
                field["value"] = mask_value(key, field["value"])
            out[key] = field
        else:
            out[key] = mask_tree(value, key)
    return out
