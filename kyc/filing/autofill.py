"""Auto-fill: document readings fill the subject and principal fields left empty.

Only empty fields are filled; typed values are kept and compared with the documents by
R-SUBJ-4 / R-REJ-5 instead. A reading marked invalid (``valid: false``) fills nothing.
"""

from __future__ import annotations

from dataclasses import replace

from kyc.filing.facts import ID_FRONT_TYPES, id_reading_for, license_reading
from kyc.filing.model import Document, FilingOrder, Person
from kyc.filing.result import AutoFilled


def _take(doc: Document | None, field: str) -> tuple[str, float] | None:
    if doc is None:
        return None
    f = doc.reading.fields.get(field)
    if f is None or not f.value or f.valid is False:
        return None
    return f.value.strip(), f.confidence


def _person_reading(person: Person, documents: tuple[Document, ...]) -> Document | None:
    if person.certificate_type != "id_card":
        return None
    found = id_reading_for(person, documents)
    if found is not None:
        return found
    fronts = [d for d in documents if d.reading.document_type in ID_FRONT_TYPES]
    # With neither name nor number to match on, a single ID card is unambiguous.
    if not person.name and not person.certificate_number and len(fronts) == 1:
        return fronts[0]
    return None


def _fill_person(
    person: Person, documents: tuple[Document, ...], prefix: str, filled: list[AutoFilled]
) -> Person:
    doc = _person_reading(person, documents)
    name = _take(doc, "name") if not person.name else None
    number = _take(doc, "id_number") if not person.certificate_number else None
    if name:
        filled.append(AutoFilled(f"{prefix}.name", "id_card.name", name[1]))
    if number:
        filled.append(AutoFilled(f"{prefix}.certificate_number", "id_card.id_number", number[1]))
    if not name and not number:
        return person
    return replace(
        person,
        name=name[0] if name else person.name,
        certificate_number=number[0] if number else person.certificate_number,
    )


def autofill(order: FilingOrder) -> tuple[FilingOrder, tuple[AutoFilled, ...]]:
    filled: list[AutoFilled] = []
    docs = order.documents
    s = order.subject
    changes: dict[str, object] = {}
    fields: tuple[tuple[str, str], ...] = ()
    source, doc = "", None
    if s.certificate_type == "business_license":
        source, doc = "business_license", license_reading(docs)
        fields = (
            ("name", "name"),
            ("certificate_number", "credit_code"),
            ("certificate_address", "address"),
        )
    elif s.certificate_type == "id_card":
        as_person = Person(s.name, "id_card", s.certificate_number, None, "", "", False)
        source, doc = "id_card", _person_reading(as_person, docs)
        fields = (
            ("name", "name"),
            ("certificate_number", "id_number"),
            ("certificate_address", "address"),
        )
    for target, field in fields:
        got = _take(doc, field) if not getattr(s, target) else None
        if got:
            changes[target] = got[0]
            filled.append(AutoFilled(f"subject.{target}", f"{source}.{field}", got[1]))
    principal = _fill_person(s.principal, docs, "subject.principal", filled)
    if principal is not s.principal:
        changes["principal"] = principal
    if not changes:
        return order, tuple(filled)
    return replace(order, subject=replace(s, **changes)), tuple(filled)  # type: ignore[arg-type]
