"""Document types: one module each. To add a type, write a module with a ``KIND`` object
that satisfies ``base.DocumentKind`` and list it here."""

from __future__ import annotations

from kyc.ocr.documents import business_license, id_card_back, id_card_front
from kyc.ocr.documents.base import DocumentKind

KINDS: tuple[DocumentKind, ...] = (id_card_front.KIND, id_card_back.KIND, business_license.KIND)
BY_NAME: dict[str, DocumentKind] = {k.name: k for k in KINDS}

__all__ = ["BY_NAME", "KINDS", "DocumentKind"]
