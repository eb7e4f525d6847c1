"""The life of a filing order as a pure state machine.

``step(state, event) -> Step(state, actions)``: no clock is read here — every event
carries ``now`` — and nothing is sent: the caller performs the returned actions (send an
SMS code, submit to the authority, notify the applicant).

Stages (RULES.md): verify type → subject → websites → materials → initial review →
identity check (backdrop photo or video) → second review → [SMS verification in the pilot
provinces] → at the authority → done. A review or the authority may reject with reasons;
the applicant fixes and resubmits (back to initial review). SMS verification (R-SMS-2/3):
the code is valid 48 hours from the first sending; it is re-sent once, automatically at
noon (China time) the next day or earlier on request; the window is not extended by the
resend. Not verified in time, or 5 wrong certificate numbers, returns the application.
Naive datetimes are taken as China time (UTC+8).

The identity check (docs/service.md): a failed video check keeps the order in the identity
check (``IdentityCheckFailed``: the applicant records again, within the service's
lock-out), and the applicant may at any time before second review switch to the
backdrop-photo path (``PathSwitched``), which every filing may take; the switch is one way.
The order's type is verified again after every edit before review (``TypeVerified`` in
an editable stage keeps the stage and updates the type, the path and the verifiers).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum

from kyc.errors import BadInput, ErrorCode
from kyc.filing.check import FilingCheck, Path
from kyc.filing.filing_type import FilingType
from kyc.filing.result import SmsSessionView
from kyc.filing.rules_sms import CODE_VALIDITY, MAX_WRONG_CERTIFICATE

CHINA = timezone(timedelta(hours=8))


class Stage(StrEnum):
    VERIFY_TYPE = "verify_type"
    SUBJECT = "subject"
    WEBSITES = "websites"
    MATERIALS = "materials"
    INITIAL_REVIEW = "initial_review"
    IDENTITY_CHECK = "identity_check"  # backdrop photo or video check, per ``path``
    SECOND_REVIEW = "second_review"
    SMS_VERIFICATION = "sms_verification"
    AT_AUTHORITY = "at_authority"
    DONE = "done"
    REJECTED = "rejected"  # by a reviewer or the authority; resubmission possible
    RETURNED = "returned"  # SMS verification failed or timed out; resubmission possible
    REFUSED = "refused"  # certificate filed under another account (R-SUBJ-10, R-REJ-4)


# --------------------------------------------------------------------------- values


def next_noon(moment: datetime) -> datetime:
    """Noon of the day after ``moment``, China time (same awareness as ``moment``)."""
    local = moment.astimezone(CHINA) if moment.tzinfo is not None else moment
    return datetime.combine(local.date() + timedelta(days=1), time(12), tzinfo=local.tzinfo)


@dataclass(frozen=True)
class SmsSession:
    sent_at: datetime
    verifiers: tuple[str, ...]  # who must verify (labels, R-SMS-4)
    verified: frozenset[str] = frozenset()
    wrong_certificate_attempts: int = 0
    resent_at: datetime | None = None

    @property
    def expires_at(self) -> datetime:
        return self.sent_at + CODE_VALIDITY

    @property
    def auto_resend_at(self) -> datetime:
        return next_noon(self.sent_at)

    @property
    def complete(self) -> bool:
        return set(self.verifiers) <= self.verified

    def view(self, now: datetime) -> SmsSessionView:
        return SmsSessionView(
            sent_at=self.sent_at,
            now=now,
            verified=self.complete,
            wrong_certificate_attempts=self.wrong_certificate_attempts,
        )


@dataclass(frozen=True)
class Rejection:
    at: datetime
    by: str  # "reviewer" | "authority" | "sms"
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OrderState:
    stage: Stage
    created_at: datetime
    updated_at: datetime
    filing_type: FilingType | None = None
    path: Path | None = None
    pilot: bool = False
    sms_verifiers: tuple[str, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    sms: SmsSession | None = None
    filing_number: str | None = None
    history: tuple[tuple[Stage, datetime], ...] = ()
    backdrop_chosen: bool = False  # the applicant switched to the backdrop-photo path

    @property
    def last_reasons(self) -> tuple[str, ...]:
        return self.rejections[-1].reasons if self.rejections else ()


def start(now: datetime) -> OrderState:
    return OrderState(
        stage=Stage.VERIFY_TYPE,
        created_at=now,
        updated_at=now,
        history=((Stage.VERIFY_TYPE, now),),
    )


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class TypeVerified:
    now: datetime
    filing_type: FilingType
    path: Path
    pilot: bool
    sms_verifiers: tuple[str, ...] = ()
    refused_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubjectSaved:
    now: datetime


@dataclass(frozen=True)
class WebsitesSaved:
    now: datetime


@dataclass(frozen=True)
class SubmittedForReview:
    now: datetime


@dataclass(frozen=True)
class ReviewPassed:
    now: datetime


@dataclass(frozen=True)
class IdentityChecked:
    now: datetime


@dataclass(frozen=True)
class IdentityCheckFailed:
    """A video or backdrop check rejected: the order stays in the identity check."""

    now: datetime
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathSwitched:
    """The applicant takes the backdrop-photo path instead of the video check."""

    now: datetime


@dataclass(frozen=True)
class Rejected:
    now: datetime
    reasons: tuple[str, ...]
    by: str = "reviewer"


@dataclass(frozen=True)
class Resubmitted:
    now: datetime


@dataclass(frozen=True)
class SmsAnswered:
    now: datetime
    verifier: str
    code_ok: bool
    certificate_ok: bool  # last six characters of the certificate number


@dataclass(frozen=True)
class SmsResendRequested:
    now: datetime


@dataclass(frozen=True)
class ClockTick:
    now: datetime


@dataclass(frozen=True)
class AuthorityApproved:
    now: datetime
    filing_number: str


Event = (
    TypeVerified
    | SubjectSaved
    | WebsitesSaved
    | SubmittedForReview
    | ReviewPassed
    | IdentityChecked
    | IdentityCheckFailed
    | PathSwitched
    | Rejected
    | Resubmitted
    | SmsAnswered
    | SmsResendRequested
    | ClockTick
    | AuthorityApproved
)


# -------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class SendSmsCode:
    verifiers: tuple[str, ...]
    resend: bool


@dataclass(frozen=True)
class SubmitToAuthority:
    path: Path | None


@dataclass(frozen=True)
class NotifyApplicant:
    message: str
    channels: tuple[str, ...] = ("sms", "email")


Action = SendSmsCode | SubmitToAuthority | NotifyApplicant


@dataclass(frozen=True)
class Step:
    state: OrderState
    actions: tuple[Action, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------ the machine

_LINEAR: dict[type, tuple[Stage, Stage]] = {
    SubjectSaved: (Stage.SUBJECT, Stage.WEBSITES),
    WebsitesSaved: (Stage.WEBSITES, Stage.MATERIALS),
    IdentityChecked: (Stage.IDENTITY_CHECK, Stage.SECOND_REVIEW),
}
EDITABLE = (Stage.SUBJECT, Stage.WEBSITES, Stage.MATERIALS, Stage.REJECTED, Stage.RETURNED)
_SWITCHABLE = (*EDITABLE, Stage.IDENTITY_CHECK)
_REJECTABLE = (
    Stage.INITIAL_REVIEW,
    Stage.IDENTITY_CHECK,
    Stage.SECOND_REVIEW,
    Stage.AT_AUTHORITY,
)


def _move(state: OrderState, stage: Stage, now: datetime, **changes: object) -> OrderState:
    return replace(
        state,
        stage=stage,
        updated_at=now,
        history=(*state.history, (stage, now)),
        **changes,  # type: ignore[arg-type]
    )


def _refuse(state: OrderState, event: Event) -> BadInput:
    return BadInput(
        ErrorCode.INVALID_STATE,
        f"{type(event).__name__} is not accepted in stage {state.stage.value}",
    )


def _returned(state: OrderState, now: datetime, reason: str) -> Step:
    rejection = Rejection(at=now, by="sms", reasons=(reason,))
    moved = _move(state, Stage.RETURNED, now, rejections=(*state.rejections, rejection))
    return Step(moved, (NotifyApplicant(f"备案申请已退回：{reason}"),))


def _sms_step(state: OrderState, event: Event) -> Step:
    sms = state.sms
    assert sms is not None
    now = event.now
    if now >= sms.expires_at:
        return _returned(state, now, "R-SMS-2：超过 48 小时未完成短信核验，申请退回服务商")
    if isinstance(event, ClockTick):
        if sms.resent_at is None and now >= sms.auto_resend_at:
            resent = replace(state, sms=replace(sms, resent_at=now), updated_at=now)
            return Step(resent, (SendSmsCode(_pending(sms), resend=True),))
        return Step(state)
    if isinstance(event, SmsResendRequested):
        if sms.resent_at is not None:
            raise BadInput(ErrorCode.INVALID_STATE, "the SMS code was already re-sent once")
        resent = replace(state, sms=replace(sms, resent_at=now), updated_at=now)
        return Step(resent, (SendSmsCode(_pending(sms), resend=True),))
    if isinstance(event, SmsAnswered):
        if event.verifier not in sms.verifiers:
            raise BadInput(ErrorCode.INVALID_FIELD, f"verifier: not expected: {event.verifier}")
        if not event.certificate_ok:
            wrong = sms.wrong_certificate_attempts + 1
            updated = replace(state, sms=replace(sms, wrong_certificate_attempts=wrong))
            if wrong >= MAX_WRONG_CERTIFICATE:
                return _returned(
                    updated, now, f"R-SMS-3：证件号码后六位输错 {wrong} 次，核验失败，申请退回"
                )
            return Step(replace(updated, updated_at=now))
        if not event.code_ok:
            return Step(replace(state, updated_at=now))
        done = replace(sms, verified=sms.verified | {event.verifier})
        updated = replace(state, sms=done)
        if done.complete:
            return Step(_move(updated, Stage.AT_AUTHORITY, now))
        return Step(replace(updated, updated_at=now))
    raise _refuse(state, event)


def _pending(sms: SmsSession) -> tuple[str, ...]:
    return tuple(v for v in sms.verifiers if v not in sms.verified)


def step(state: OrderState, event: Event) -> Step:
    """Apply one event; raises BadInput(INVALID_STATE) for an event the stage refuses."""
    now = event.now
    stage = state.stage
    if isinstance(event, ClockTick) and stage != Stage.SMS_VERIFICATION:
        return Step(state)
    if isinstance(event, TypeVerified) and stage == Stage.VERIFY_TYPE:
        if event.refused_reasons:
            rejection = Rejection(at=now, by="reviewer", reasons=event.refused_reasons)
            return Step(
                _move(
                    state,
                    Stage.REFUSED,
                    now,
                    filing_type=event.filing_type,
                    rejections=(rejection,),
                ),
                (NotifyApplicant("备案申请被拒绝：" + "；".join(event.refused_reasons)),),
            )
        return Step(
            _move(
                state,
                Stage.SUBJECT,
                now,
                filing_type=event.filing_type,
                path=event.path,
                pilot=event.pilot,
                sms_verifiers=event.sms_verifiers,
            )
        )
    if isinstance(event, TypeVerified) and stage in EDITABLE:
        if event.refused_reasons:
            rejection = Rejection(at=now, by="reviewer", reasons=event.refused_reasons)
            return Step(
                _move(
                    state,
                    Stage.REFUSED,
                    now,
                    filing_type=event.filing_type,
                    rejections=(*state.rejections, rejection),
                ),
                (NotifyApplicant("备案申请被拒绝：" + "；".join(event.refused_reasons)),),
            )
        path: Path = "backdrop_photo" if state.backdrop_chosen else event.path
        return Step(
            replace(
                state,
                updated_at=now,
                filing_type=event.filing_type,
                path=path,
                pilot=event.pilot,
                sms_verifiers=event.sms_verifiers,
            )
        )
    if isinstance(event, PathSwitched) and stage in _SWITCHABLE:
        return Step(replace(state, path="backdrop_photo", backdrop_chosen=True, updated_at=now))
    if isinstance(event, IdentityCheckFailed) and stage == Stage.IDENTITY_CHECK:
        return Step(replace(state, updated_at=now))
    linear = _LINEAR.get(type(event))
    if linear is not None and stage == linear[0]:
        return Step(_move(state, linear[1], now))
    if isinstance(event, SubmittedForReview) and stage == Stage.MATERIALS:
        return Step(_move(state, Stage.INITIAL_REVIEW, now))
    if isinstance(event, ReviewPassed) and stage == Stage.INITIAL_REVIEW:
        return Step(_move(state, Stage.IDENTITY_CHECK, now))
    if isinstance(event, ReviewPassed) and stage == Stage.SECOND_REVIEW:
        submit = SubmitToAuthority(state.path)
        if state.pilot and state.sms_verifiers:
            sms = SmsSession(sent_at=now, verifiers=state.sms_verifiers)
            return Step(
                _move(state, Stage.SMS_VERIFICATION, now, sms=sms),
                (submit, SendSmsCode(state.sms_verifiers, resend=False)),
            )
        return Step(_move(state, Stage.AT_AUTHORITY, now), (submit,))
    if isinstance(event, Rejected) and stage in _REJECTABLE:
        rejection = Rejection(at=now, by=event.by, reasons=event.reasons)
        return Step(
            _move(state, Stage.REJECTED, now, rejections=(*state.rejections, rejection)),
            (NotifyApplicant("备案申请被驳回：" + "；".join(event.reasons)),),
        )
    if isinstance(event, Resubmitted) and stage in (Stage.REJECTED, Stage.RETURNED):
        return Step(_move(state, Stage.INITIAL_REVIEW, now, sms=None))
    if stage == Stage.SMS_VERIFICATION and isinstance(
        event, SmsAnswered | SmsResendRequested | ClockTick
    ):
        return _sms_step(state, event)
    if isinstance(event, AuthorityApproved) and stage == Stage.AT_AUTHORITY:
        return Step(
            _move(state, Stage.DONE, now, filing_number=event.filing_number),
            (NotifyApplicant(f"备案已完成，备案号 {event.filing_number}"),),
        )
    raise _refuse(state, event)


def type_verified(check: FilingCheck, now: datetime) -> TypeVerified:
    """The ``TypeVerified`` event from a rules check of the order."""
    pilot = check.result("R-SMS-1").inputs.get("pilot") is True
    verifiers = tuple(check.result("R-SMS-4").inputs.get("verifiers", ())) if pilot else ()
    refused = (check.result("R-REJ-4").reason,) if check.decision.refused else ()
    return TypeVerified(
        now=now,
        filing_type=check.filing_type,
        path=check.path,
        pilot=pilot,
        sms_verifiers=verifiers,
        refused_reasons=refused,
    )
