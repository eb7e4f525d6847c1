"""Helpers several use cases share: ids, timestamps, the filing look-up and stage guards,
masking of personal values inside free text, the latest checks of a filing."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.api.errors import ApiCode, ApiError
from kyc.filing import journey as jr
from kyc.filing import lifecycle as lc
from kyc.privacy import is_personal, mask_value
from kyc.store.tables import BackdropCheck, Document, Filing, FormCheck, VideoCheck

ID_RE = re.compile(r"[0-9a-f]{32}")
DRAFT = "draft"
SUBMITTED = "submitted"
EDITABLE = lc.EDITABLE
IDENTITY_STAGES = (*lc.EDITABLE, lc.Stage.IDENTITY_CHECK)
REVIEW_STAGES = (lc.Stage.INITIAL_REVIEW, lc.Stage.SECOND_REVIEW)


def new_id() -> str:
    return secrets.token_hex(16)


def iso(t: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with ``Z``."""
    return None if t is None else t.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def is_id(value: str | None) -> bool:
    """Our ids are 32 lowercase hex characters; anything else is unknown without a lookup."""
    return value is not None and ID_RE.fullmatch(value) is not None


def find_filing(s: Session, filing_id: str, account_id: str | None) -> Filing:
    """The filing (of ``account_id`` when given), or 404 NOT_FOUND."""
    filing = s.get(Filing, filing_id) if is_id(filing_id) else None
    # Another account's filing is indistinguishable from a missing one.
    if filing is None or (account_id is not None and filing.account_id != account_id):
        raise ApiError(404, ApiCode.NOT_FOUND, "no such filing")
    return filing


def load_state(filing: Filing) -> lc.OrderState:
    """The filing's lifecycle state (built from its status for a filing stored before)."""
    if filing.journey:
        return jr.state_from_json(json.loads(filing.journey))
    return jr.legacy_state(
        filing.status,
        filing.created_at.replace(tzinfo=dt.UTC),
        "video_check" if filing.path == "video_check" else "backdrop_photo",
    )


def require_stage(filing: Filing, stages: tuple[lc.Stage, ...], what: str) -> lc.OrderState:
    state = load_state(filing)
    if state.stage not in stages:
        raise ApiError(
            409, ApiCode.CONFLICT, f"the filing is at stage {state.stage.value}: cannot {what}"
        )
    return state


def require_draft(filing: Filing) -> None:
    """Editable: before the first submission, or rejected / returned (to fix and resubmit)."""
    state = load_state(filing)
    if state.stage not in EDITABLE:
        raise ApiError(
            409,
            ApiCode.CONFLICT,
            f"the filing is at stage {state.stage.value}, not editable",
        )


def personal_values(tree: Any, key: str = "") -> Iterable[tuple[str, str]]:
    """Every (key, value) pair of personal data in a JSON tree (readings included)."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if isinstance(v, str) and is_personal(k) and key != "websites":
                yield k, v
            elif isinstance(v, dict) and is_personal(k) and isinstance(v.get("value"), str):
                yield k, v["value"]
            else:
                yield from personal_values(v, k)
    elif isinstance(tree, list):
        for item in tree:
            yield from personal_values(item, key)


def redact(text: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Mask every occurrence of known personal values inside free text (rule reasons)."""
    for k, v in sorted(set(pairs), key=lambda kv: -len(kv[1])):
        if len(v.strip()) >= 2 and v in text:
            text = text.replace(v, mask_value(k, v))
    return text


def domains_of(order: dict[str, Any]) -> set[str]:
    """The websites' domains of an order, lower case, without the final dot."""
    out: set[str] = set()
    for site in order.get("websites") or []:
        if isinstance(site, dict):
            for d in site.get("domains") or []:
                if isinstance(d, str) and d.strip():
                    out.add(d.strip().lower().rstrip("."))
    return out


def codes(joined: str | None) -> tuple[str, ...]:
    """Reason codes stored as one comma-joined string (no code holds a comma)."""
    return tuple(c for c in (joined or "").split(",") if c)


# --------------------------------------------------------------------------- latest checks


def latest_video(s: Session, filing_id: str, *, done: bool = False) -> VideoCheck | None:
    q = select(VideoCheck).where(VideoCheck.filing_id == filing_id)
    if done:
        q = q.where(VideoCheck.status == "done").order_by(
            VideoCheck.finished_at.desc(), VideoCheck.created_at.desc()
        )
    else:
        q = q.order_by(VideoCheck.created_at.desc())
    return s.scalars(q.limit(1)).first()


def latest_backdrop(s: Session, filing_id: str) -> BackdropCheck | None:
    return s.scalars(
        select(BackdropCheck)
        .where(BackdropCheck.filing_id == filing_id)
        .order_by(BackdropCheck.created_at.desc(), BackdropCheck.id.desc())
        .limit(1)
    ).first()


def latest_form(s: Session, filing_id: str) -> FormCheck | None:
    return s.scalars(
        select(FormCheck)
        .where(FormCheck.filing_id == filing_id)
        .order_by(FormCheck.created_at.desc(), FormCheck.id.desc())
        .limit(1)
    ).first()


def portrait_document(s: Session, filing_id: str) -> tuple[Document, str]:
    """The latest document with an ID portrait and the portrait's blob key, or 409
    NO_PORTRAIT (the video check and the backdrop photo compare faces with it)."""
    doc = s.scalars(
        select(Document)
        .where(Document.filing_id == filing_id, Document.portrait_key.is_not(None))
        .order_by(Document.created_at.desc())
        .limit(1)
    ).first()
    if doc is None or doc.portrait_key is None:
        raise ApiError(
            409, ApiCode.NO_PORTRAIT, "upload the ID card front first (its portrait is needed)"
        )
    return doc, doc.portrait_key


def check_decision(result: dict[str, Any]) -> str:
    """A photo check's decision: pass, review or reject (anything else is review)."""
    decision = str(result.get("decision") or "review")
    return decision if decision in ("pass", "review", "reject") else "review"
