"""Document types: one module each. To add a type, write a module with a ``KIND`` object
that satisfies ``base.DocumentKind`` and list it here."""

from __future__ import annotations

from kyc.ocr.documents import (
    business_license,
    hk_macao_permit,
    id_card_back,
    id_card_front,
    institution_certificate,
    passport,
    private_non_enterprise_certificate,
    social_group_certificate,
    taiwan_permit,
)
from kyc.ocr.documents.base import DocumentKind

KINDS: tuple[DocumentKind, ...] = (
    id_card_front.KIND,
    id_card_back.KIND,
    business_license.KIND,
    # the other certificates the filing rules accept (R-SUBJ-1, R-SUBJ-3)
    passport.KIND,
    hk_macao_permit.KIND,
    taiwan_permit.KIND,
    institution_certificate.KIND,
    social_group_certificate.KIND,
    private_non_enterprise_certificate.KIND,
)
BY_NAME: dict[str, DocumentKind] = {k.name: k for k in KINDS}

__all__ = ["BY_NAME", "KINDS", "DocumentKind"]
