"""Documents: store a reading with auto-fill, whether an upload is allowed now, the
applicant's consent to biometric processing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kyc.api.errors import ApiCode, ApiError
from kyc.api.runtime import Runtime
from kyc.api.usecases.results import Consent, Upload
from kyc.api.usecases.rules import apply_checks, index, run_checks
from kyc.api.usecases.shared import find_filing, iso, new_id, require_draft
from kyc.api.usecases.stages import advance, type_event
from kyc.api.usecases.views import filing_view
from kyc.store import repo
from kyc.store.tables import Document, utcnow


@dataclass(frozen=True)
class StoredBlobs:
    raw: tuple[str, int]
    evidence: tuple[str, int] | None
    portrait: tuple[str, int] | None


# Two uploads to one filing at once (a front and a back, on two instances) both append to
# the filing's order; the second to commit finds it changed (compare-and-set on the
# journey's revision) and is applied again on the fresh filing: the reading is its own.
CONFLICT_TRIES = 3


def store_document(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    result: dict[str, Any],
    blobs: StoredBlobs,
    file_format: str | None,
    size: int,
) -> Upload:
    args = (rt, account_id, filing_id, result, blobs, file_format, size)
    for _ in range(CONFLICT_TRIES - 1):
        try:
            return _store_document(*args)
        except ApiError as exc:
            if exc.code != ApiCode.CONFLICT:
                raise
    return _store_document(*args)


def _store_document(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    result: dict[str, Any],
    blobs: StoredBlobs,
    file_format: str | None,
    size: int,
) -> Upload:
    reading = result["reading"]
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_draft(filing)
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        entry = dict(reading)
        entry["format"] = file_format
        entry["size_bytes"] = size
        order.setdefault("documents", []).append(entry)
        check, filled = run_checks(rt, s, filing.id, order)
        confidences = [
            float(f.get("confidence", 0.0)) for f in (reading.get("fields") or {}).values()
        ]
        doc = Document(
            id=new_id(),
            filing_id=filing.id,
            document_type=reading.get("document_type", "unknown"),
            reading_enc=rt.cipher.encrypt_json(
                {
                    "reading": reading,
                    "boxes": result.get("boxes") or {},
                    "evidence_size": result.get("evidence_size"),
                },
                "reading",
            ),
            warnings=json.dumps(list(reading.get("warnings") or [])),
            quality=float(reading.get("quality") or 0.0),
            min_confidence=min(confidences) if confidences else 0.0,
            raw_key=blobs.raw[0],
            evidence_key=blobs.evidence[0] if blobs.evidence else None,
            portrait_key=blobs.portrait[0] if blobs.portrait else None,
        )
        s.add(doc)
        filing.order_enc = rt.cipher.encrypt_json(order, "order")
        apply_checks(filing, check, rt)
        index(s, rt, filing, order)
        filing.updated_at = utcnow()
        advance(rt, s, filing, type_event(check, rt.clock()), f"account:{account_id}")
        repo.settle_intents(
            s, [b[1] for b in (blobs.raw, blobs.evidence, blobs.portrait) if b is not None]
        )
        repo.audit(
            s,
            f"account:{account_id}",
            "document.upload",
            filing.id,
            {"document_id": doc.id, "document_type": doc.document_type, "autofilled": filled},
        )
        s.commit()
        view = filing_view(rt, s, filing, masked=True)
        document = next(d for d in view.documents if d.id == doc.id)
        return Upload(document, tuple(filled), view)


def check_document_allowed(rt: Runtime, account_id: str, filing_id: str) -> None:
    with rt.sessions() as s:
        require_draft(find_filing(s, filing_id, account_id))


def record_consent(rt: Runtime, account_id: str, filing_id: str, version: str | None) -> Consent:
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        filing.consent_at = utcnow()
        filing.consent_version = (version or rt.settings.service.consent_version)[:32]
        repo.audit(
            s,
            f"account:{account_id}",
            "consent.biometric",
            filing.id,
            {"version": filing.consent_version},
        )
        s.commit()
        return Consent(biometric=True, at=iso(filing.consent_at), version=filing.consent_version)
