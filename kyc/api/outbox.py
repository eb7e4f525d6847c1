"""Adapters of the journey's actions: outgoing SMS and e-mail, and the submission to the
authority.

The embedded default writes every message to the ``outbox`` table, in the same
transaction as the change of the filing that caused it (nothing is announced that did
not happen, nothing that happened goes unannounced); admins read it at
``GET /v1/admin/outbox``. A real gateway is another ``Sender`` (``Runtime.sender``) that
reads the same rows. Recipients and bodies are sealed like every other personal value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.store.crypto import FieldCipher
from kyc.store.tables import OutboxMessage

Channel = Literal["sms", "email", "authority"]
Kind = Literal["code", "notice", "submission"]


@dataclass(frozen=True)
class Outgoing:
    channel: Channel
    kind: Kind
    filing_id: str | None
    recipient: str | None  # a mobile number or an e-mail address; None for the authority
    body: str


class Sender(Protocol):
    def send(self, s: Session, message: Outgoing) -> None: ...


@dataclass(frozen=True)
class OutboxSender:
    """The embedded default: a row of ``outbox`` per message (sealed)."""

    cipher: FieldCipher

    def send(self, s: Session, message: Outgoing) -> None:
        s.add(
            OutboxMessage(
                filing_id=message.filing_id,
                channel=message.channel,
                kind=message.kind,
                recipient_enc=self.cipher.encrypt_text(message.recipient, "recipient")
                if message.recipient
                else None,
                body_enc=self.cipher.encrypt_text(message.body, "body"),
            )
        )


def read_outbox(
    s: Session, cipher: FieldCipher, filing_id: str | None, limit: int = 200
) -> list[dict[str, Any]]:
    """The newest messages first (for admins: recipients and bodies in clear)."""
    q = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if filing_id is not None:
        q = q.where(OutboxMessage.filing_id == filing_id)
    out = []
    for m in s.scalars(q):
        body = cipher.decrypt_text(m.body_enc, "body")
        out.append(
            {
                "id": m.id,
                "filing_id": m.filing_id,
                "channel": m.channel,
                "kind": m.kind,
                "recipient": cipher.decrypt_text(m.recipient_enc, "recipient")
                if m.recipient_enc
                else None,
                "body": json.loads(body) if m.channel == "authority" else body,
                "created_at": m.created_at.isoformat() + "Z",
            }
        )
    return out
