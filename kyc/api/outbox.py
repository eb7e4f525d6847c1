"""Adapters of the journey's actions: outgoing SMS and e-mail, and the submission to the
authority.

Every message is written to the ``outbox`` table in the same transaction as the change of
the filing that caused it (nothing is announced that did not happen, nothing that happened
goes unannounced); admins read it at ``GET /v1/admin/outbox``. With a gateway configured
(``NOTIFY_GATEWAY_URL``) the tick relays undelivered SMS and e-mail to it (``deliver``:
at least once, retried). Recipients and bodies are sealed like every other personal value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kyc.store.crypto import FieldCipher
from kyc.store.tables import OutboxMessage, utcnow

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
                "sent_at": m.sent_at.isoformat() + "Z" if m.sent_at else None,
                "attempts": m.attempts,
                "last_error": m.last_error,
            }
        )
    return out


@dataclass(frozen=True)
class Gateway:
    url: str
    token: str | None = None
    max_attempts: int = 10
    timeout_s: float = 5.0


def deliver(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    gateway: Gateway,
    client: httpx.Client | None = None,
    limit: int = 200,
) -> dict[str, int]:
    """Relay undelivered SMS and e-mail to the gateway, oldest first. Each try is claimed
    first (``attempts`` compare-and-set), so two relays never send one message at once;
    a message the gateway took is marked ``sent_at``; a refusal or a network error is
    recorded (status or error name) and retried by a later tick."""
    counts = {"sent": 0, "failed": 0}
    with sessions() as s:
        rows = list(
            s.execute(
                select(OutboxMessage.id, OutboxMessage.attempts)
                .where(
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.channel.in_(("sms", "email")),
                    OutboxMessage.attempts < gateway.max_attempts,
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    headers = {"Authorization": f"Bearer {gateway.token}"} if gateway.token else {}
    own = client is None
    http = client or httpx.Client(timeout=gateway.timeout_s)
    try:
        for row_id, attempts in rows:
            with sessions() as s:
                claimed = s.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == row_id,
                        OutboxMessage.attempts == attempts,
                        OutboxMessage.sent_at.is_(None),
                    )
                    .values(attempts=attempts + 1)
                )
                s.commit()
                if getattr(claimed, "rowcount", 0) != 1:
                    continue  # another relay has it
                m = s.get(OutboxMessage, row_id)
                assert m is not None
                payload = {
                    "id": m.id,
                    "channel": m.channel,
                    "kind": m.kind,
                    "to": cipher.decrypt_text(m.recipient_enc, "recipient")
                    if m.recipient_enc
                    else None,
                    "body": cipher.decrypt_text(m.body_enc, "body"),
                    "filing_id": m.filing_id,
                }
                error: str | None
                try:
                    answer = http.post(gateway.url, json=payload, headers=headers)
                    error = (
                        None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
                    )
                except httpx.HTTPError as exc:
                    error = type(exc).__name__[:64]
                if error is None:
                    m.sent_at = utcnow()
                    m.last_error = None
                    counts["sent"] += 1
                else:
                    m.last_error = error
                    counts["failed"] += 1
                s.commit()
    finally:
        if own:
            http.close()
    return counts
