"""A stored set of synthetic submissions, for tests and the benchmark (never real people:
identities come from ``kyc.synth``; faces, where a video is attached, from the shared
public test data).

Each filing is stored the way the service stores it: the upload as a sealed blob, the
reading of an earlier pipeline (here: the generator's ground truth, confidence 0.99), and
optionally a finished video check with its verdict.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kyc.store.blobs import BlobStore
from kyc.store.crypto import FieldCipher
from kyc.store.tables import Account, Document, Filing, VideoCheck, utcnow
from kyc.synth import Kind, Level

# Fields the reader validates (the others are free text: valid is null).
VALIDATED = frozenset(
    {
        "id_number",
        "credit_code",
        "birth_date",
        "established_date",
        "sex",
        "ethnicity",
        "issuing_authority",
        "valid_from",
        "valid_until",
    }
)


@dataclass(frozen=True)
class Seeded:
    filing_id: str
    document_ids: tuple[str, ...]
    video_id: str | None
    truth: dict[str, Any]


def truth_reading(truth: dict[str, Any], confidence: float = 0.99) -> dict[str, Any]:
    """The ``kyc ocr --json`` object a perfect earlier pipeline would have stored."""
    fields = {
        k: {"value": v, "confidence": confidence, "valid": True if k in VALIDATED else None}
        for k, v in truth["fields"].items()
    }
    return {
        "document_type": truth["document_type"],
        "fields": fields,
        "warnings": list(truth.get("warnings") or []),
        "quality": 0.9,
        "elapsed_ms": 0.0,
    }


def passed_verdict() -> dict[str, Any]:
    return {
        "liveness": {"passed": True, "score": 0.9, "actions": []},
        "match": {"score": 85.0, "same_person": True},
        "decision": "pass",
        "reasons": [],
        "elapsed_ms": 0.0,
    }


def jpeg(image: Any, max_side: int | None = None, quality: int = 90) -> bytes:
    import cv2

    if max_side is not None:
        h, w = image.shape[:2]
        scale = max_side / max(h, w)
        if scale < 1.0:
            image = cv2.resize(
                image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
            )
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("cannot encode JPEG")
    return bytes(buf)


def store_submission(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    blobs: BlobStore,
    uploads: Sequence[tuple[bytes, dict[str, Any]]],
    *,
    account: str = "synthetic",
    video: bytes | None = None,
    portrait: bytes | None = None,
    verdict: dict[str, Any] | None = None,
    status: str = "submitted",
    submitted_at: dt.datetime | None = None,
) -> tuple[str, tuple[str, ...], str | None]:
    """One stored filing: documents ``(upload bytes, stored reading)`` and optionally a
    finished video check (video bytes, the stored portrait, the stored verdict)."""
    now = utcnow()
    fid = secrets.token_hex(16)
    with sessions() as s:
        if s.get(Account, account) is None:
            s.add(Account(id=account))
            s.flush()
        s.add(
            Filing(
                id=fid,
                account_id=account,
                status=status,
                order_enc=cipher.encrypt_json({"account_id": account, "synthetic": True}, "order"),
                created_at=now,
                updated_at=now,
                submitted_at=None if status == "draft" else (submitted_at or now),
            )
        )
        s.flush()
        doc_ids = []
        portrait_key = blobs.put(portrait) if portrait is not None else None
        for i, (data, reading) in enumerate(uploads):
            did = secrets.token_hex(16)
            doc_ids.append(did)
            s.add(
                Document(
                    id=did,
                    filing_id=fid,
                    document_type=reading["document_type"],
                    reading_enc=cipher.encrypt_json({"reading": reading, "boxes": {}}, "reading"),
                    warnings="[]",
                    quality=float(reading.get("quality") or 0.0),
                    min_confidence=0.99,
                    raw_key=blobs.put(data),
                    portrait_key=portrait_key if i == 0 else None,
                    created_at=now + dt.timedelta(milliseconds=i),
                )
            )
        vid = None
        if video is not None:
            vid = secrets.token_hex(16)
            s.add(
                VideoCheck(
                    id=vid,
                    filing_id=fid,
                    challenge_id=None,
                    status="done",
                    mirrored=False,
                    decision=(verdict or passed_verdict())["decision"],
                    failed_check=False,
                    video_key=blobs.put(video),
                    result_enc=cipher.encrypt_json(verdict or passed_verdict(), "verdict"),
                    created_at=now + dt.timedelta(seconds=1),
                    finished_at=now + dt.timedelta(seconds=2),
                )
            )
        s.commit()
    return fid, tuple(doc_ids), vid


def seed(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    blobs: BlobStore,
    n: int,
    rng: Random,
    *,
    kinds: Sequence[Kind] = ("id_card_front",),
    level: Level = "clean",
    max_side: int | None = None,
    face: Path | None = None,
    video: Path | None = None,
) -> list[Seeded]:
    """``n`` submitted filings, one synthetic document each (kinds in turn); with
    ``video`` and ``face``, ID-card fronts carry ``face`` as portrait and each filing a
    finished video check of ``video``."""
    from kyc.synth import generate

    out = []
    video_bytes = video.read_bytes() if video is not None else None
    portrait = face.read_bytes() if face is not None and video is not None else None
    for i in range(n):
        kind = kinds[i % len(kinds)]
        extra: dict[str, Any] = {}
        if face is not None and kind in ("id_card_front", "id_card_both"):
            extra["portrait"] = face
        sample = generate(kind, level, rng, **extra)
        data = jpeg(sample.image, max_side)
        with_video = video_bytes is not None and kind == "id_card_front"
        fid, docs, vid = store_submission(
            sessions,
            cipher,
            blobs,
            [(data, truth_reading(sample.truth))],
            video=video_bytes if with_video else None,
            portrait=portrait if with_video else None,
        )
        out.append(Seeded(fid, docs, vid, sample.truth))
    return out
