"""Random challenges: 2-3 distinct actions bound to a nonce and an expiry.

Left/right convention (DESIGN.md): ``turn_left`` means the subject turns the head to their
own left. In a stored, un-mirrored recording the nose then moves toward the *right* edge
of the image; ``turn_right`` the opposite. A client whose recording is mirrored (a selfie
preview saved as shown) must say so with ``mirrored=True``; the meaning is never flipped
silently.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from kyc.errors import BadInput, ErrorCode


class Action(StrEnum):
    BLINK = "blink"
    MOUTH_OPEN = "mouth_open"
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    NOD = "nod"


# A flat photo can be turned or tilted; it cannot blink or open its mouth. Every challenge
# therefore contains at least one of these (non-rigid) actions.
NONRIGID_ACTIONS = (Action.BLINK, Action.MOUTH_OPEN)
MIN_ACTIONS = 2
MAX_ACTIONS = 3
# What new challenges draw from. ``nod`` is understood in a challenge (the contract lists
# it, and the evaluator detects a 3-D head dip of >= 15 degrees and back), but it is not
# issued: no genuine clip of the benchmark performs a nod, so its false-rejection rate is
# unmeasured, while spontaneous head motion of people talking reaches 10-15 degrees
# (docs/liveness.md).
ISSUED_ACTIONS = (Action.BLINK, Action.MOUTH_OPEN, Action.TURN_LEFT, Action.TURN_RIGHT)


@dataclass(frozen=True)
class Challenge:
    nonce: str
    actions: tuple[Action, ...]
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "nonce": self.nonce,
            "actions": [a.value for a in self.actions],
            "expires_at": self.expires_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Challenge:
        """Parse a challenge object; malformed input raises BadInput."""
        if not isinstance(obj, dict):
            raise BadInput(ErrorCode.INVALID_JSON, "a challenge must be a JSON object")
        for key in ("nonce", "actions", "expires_at"):
            if key not in obj:
                raise BadInput(ErrorCode.MISSING_FIELD, f"challenge has no {key!r}")
        nonce, actions, expires = obj["nonce"], obj["actions"], obj["expires_at"]
        if not isinstance(nonce, str) or not nonce:
            raise BadInput(ErrorCode.INVALID_FIELD, "challenge nonce must be a non-empty string")
        if not isinstance(actions, list) or not actions:
            raise BadInput(ErrorCode.INVALID_FIELD, "challenge actions must be a non-empty list")
        try:
            parsed = tuple(Action(a) for a in actions)
        except ValueError as exc:
            raise BadInput(ErrorCode.INVALID_FIELD, f"unknown challenge action: {exc}") from exc
        if not isinstance(expires, str):
            raise BadInput(ErrorCode.INVALID_FIELD, "challenge expires_at must be ISO-8601")
        try:
            when = datetime.fromisoformat(expires.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadInput(
                ErrorCode.INVALID_FIELD, f"challenge expires_at is not ISO-8601: {expires!r}"
            ) from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return cls(nonce, parsed, when)

    @classmethod
    def loads(cls, text: str) -> Challenge:
        try:
            return cls.from_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise BadInput(ErrorCode.INVALID_JSON, f"challenge is not JSON: {exc}") from exc

    def check_not_expired(self, now: datetime) -> None:
        if now > self.expires_at:
            raise BadInput(
                ErrorCode.CHALLENGE_EXPIRED,
                f"challenge {self.nonce[:8]}... expired at {self.to_json()['expires_at']}",
            )


def new_challenge(
    n_actions: int,
    rng: random.Random,
    now: datetime,
    ttl_s: int,
    pool: tuple[Action, ...] = ISSUED_ACTIONS,
) -> Challenge:
    """Draw ``n_actions`` (2 or 3) distinct actions of ``pool`` in random order, at least
    one of them non-rigid (blink or mouth_open), with a 128-bit nonce and an expiry
    ``ttl_s`` ahead."""
    if not MIN_ACTIONS <= n_actions <= MAX_ACTIONS:
        raise BadInput(
            ErrorCode.INVALID_FIELD,
            f"a challenge has {MIN_ACTIONS} to {MAX_ACTIONS} actions, not {n_actions}",
        )
    nonrigid = [a for a in NONRIGID_ACTIONS if a in pool]
    if not nonrigid or len(set(pool)) < n_actions:
        raise BadInput(
            ErrorCode.INVALID_FIELD,
            f"cannot draw {n_actions} distinct actions with a blink or mouth_open from {pool}",
        )
    first = rng.choice(nonrigid)
    rest = rng.sample([a for a in dict.fromkeys(pool) if a is not first], n_actions - 1)
    actions = [first, *rest]
    rng.shuffle(actions)
    nonce = f"{rng.getrandbits(128):032x}"
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return Challenge(nonce, tuple(actions), now + timedelta(seconds=ttl_s))
