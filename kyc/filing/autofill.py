"""Auto-fill: document readings fill the subject and principal fields left empty.

Only empty fields are filled; typed values are kept and compared with the documents by
R-SUBJ-4 / R-REJ-5 instead. A reading marked invalid (``valid: false``) fills nothing.
Every certificate ``kyc ocr`` reads fills in (facts.CERTIFICATES): the holder's or the
unit's name, the certificate number, and the address where the certificate prints one.
"""

from __future__ import annotations

from dataclasses import replace

from kyc.filing.facts import CERTIFICATES, certificate_reading, field_value
from kyc.filing.model import Document, FilingOrder, Person
from kyc.filing.result import AutoFilled


def _take(doc: Document | None, fields: tuple[str, ...]) -> tuple[str, str, float] | None:
    """The first of ``fields`` read with a value that is not invalid: (field, value,
    confidence)."""
    if doc is None:
        return None
    for name in fields:
        f = field_value(doc, name)
        if f is not None and f.value and f.valid is not False:
            return name, f.value.strip(), f.confidence
    return None


def _source(cert: str) -> str:
    return "id_card" if cert == "id_card" else cert


def _reading(cert: str, documents: tuple[Document, ...], number: str, name: str) -> Document | None:
    spec = CERTIFICATES.get(cert)
    if spec is None:
        return None
    found = certificate_reading(cert, documents, number, name)
    if found is not None:
        return found
    docs = [d for d in documents if d.reading.document_type in spec.document_types]
    # With neither name nor number to match on, a single certificate is unambiguous.
    if not name and not number and len(docs) == 1:
        return docs[0]
    return None


def _fill_person(
    person: Person, documents: tuple[Document, ...], prefix: str, filled: list[AutoFilled]
) -> Person:
    cert = person.certificate_type
    doc = _reading(cert, documents, person.certificate_number, person.name)
    if doc is None:
        return person
    spec = CERTIFICATES[cert]
    name = _take(doc, spec.names) if not person.name else None
    number = _take(doc, spec.numbers) if not person.certificate_number else None
    if name:
        filled.append(AutoFilled(f"{prefix}.name", f"{_source(cert)}.{name[0]}", name[2]))
    if number:
        filled.append(
            AutoFilled(f"{prefix}.certificate_number", f"{_source(cert)}.{number[0]}", number[2])
        )
    if not name and not number:
        return person
    return replace(
        person,
        name=name[1] if name else person.name,
        certificate_number=number[1] if number else person.certificate_number,
    )


def autofill(order: FilingOrder) -> tuple[FilingOrder, tuple[AutoFilled, ...]]:
    filled: list[AutoFilled] = []
    docs = order.documents
    s = order.subject
    changes: dict[str, object] = {}
    cert = s.certificate_type
    spec = CERTIFICATES.get(cert)
    if spec is not None:
        doc = _reading(cert, docs, s.certificate_number, s.name)
        targets: list[tuple[str, tuple[str, ...]]] = [
            ("name", spec.names),
            ("certificate_number", spec.numbers),
        ]
        if spec.address is not None:
            targets.append(("certificate_address", (spec.address,)))
        for target, fields in targets:
            got = _take(doc, fields) if not getattr(s, target) else None
            if got:
                changes[target] = got[1]
                filled.append(AutoFilled(f"subject.{target}", f"{_source(cert)}.{got[0]}", got[2]))
    principal = _fill_person(s.principal, docs, "subject.principal", filled)
    if principal is not s.principal:
        changes["principal"] = principal
    if not changes:
        return order, tuple(filled)
    return replace(order, subject=replace(s, **changes)), tuple(filled)  # type: ignore[arg-type]
