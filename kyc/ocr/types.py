"""Plain values of the document pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

DocumentType = Literal[
    "id_card_front",
    "id_card_back",
    "id_card_both",
    "business_license",
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
    "unknown",
]
TypeHint = Literal["auto", "id_card", "business_license", "passport", "permit", "unit_certificate"]
# The document types each ``--type`` hint allows (``auto``: every one).
HINT_TYPES: dict[str, tuple[str, ...]] = {
    "id_card": ("id_card_front", "id_card_back"),
    "business_license": ("business_license",),
    "passport": ("passport",),
    "permit": ("hk_macao_permit", "taiwan_permit"),
    "unit_certificate": (
        "institution_certificate",
        "social_group_certificate",
        "private_non_enterprise_certificate",
    ),
}

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the upright frame of the document (photo px)


@dataclass(frozen=True)
class FieldReading:
    value: str | None
    confidence: float  # 0..1, calibrated: >= 0.9 means right >= 99% of the time
    valid: bool | None  # None when there is no rule to validate against
    box: Box | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": round(self.confidence, 3), "valid": self.valid}


@dataclass(frozen=True)
class DocumentReading:
    document_type: DocumentType
    fields: dict[str, FieldReading]
    warnings: tuple[str, ...]
    quality: float
    elapsed_ms: float
    # Evidence for reviewers and the video check (not part of the CLI JSON):
    portrait: npt.NDArray[np.uint8] | None = None
    rectified: npt.NDArray[np.uint8] | None = None
    filing_jpeg: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``kyc ocr --json`` object of ../shared/DESIGN.md."""
        return {
            "document_type": self.document_type,
            "fields": {name: f.to_json() for name, f in self.fields.items()},
            "warnings": list(self.warnings),
            "quality": round(self.quality, 3),
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
