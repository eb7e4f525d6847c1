"""The order's life as a pure state machine; the clock is injected through the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from filing_factory import TODAY, enterprise

from kyc.errors import BadInput, ErrorCode
from kyc.filing.check import check_filing
from kyc.filing.lifecycle import (
    AuthorityApproved,
    ClockTick,
    Event,
    IdentityChecked,
    NotifyApplicant,
    OrderState,
    Rejected,
    Resubmitted,
    ReviewPassed,
    SendSmsCode,
    SmsAnswered,
    SmsResendRequested,
    Stage,
    Step,
    SubjectSaved,
    SubmittedForReview,
    SubmitToAuthority,
    TypeVerified,
    WebsitesSaved,
    next_noon,
    start,
    step,
    type_verified,
)
from kyc.filing.model import parse_filing, parse_registry

T0 = datetime(2001, 3, 5, 9, 30)  # far from the wall clock: nothing here reads it


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def run(state: OrderState, *events: Event) -> tuple[OrderState, list[Step]]:
    steps = []
    for e in events:
        s = step(state, e)
        steps.append(s)
        state = s.state
    return state, steps


def to_second_review(pilot: bool, verifiers: tuple[str, ...] = ("主体负责人",)) -> OrderState:
    state, _ = run(
        start(T0),
        TypeVerified(at(0), "first", "video_check", pilot, verifiers if pilot else ()),
        SubjectSaved(at(0.1)),
        WebsitesSaved(at(0.2)),
        SubmittedForReview(at(0.3)),
        ReviewPassed(at(10)),
        IdentityChecked(at(11)),
    )
    assert state.stage == Stage.SECOND_REVIEW
    return state


def test_happy_path_outside_pilot_provinces() -> None:
    state = to_second_review(pilot=False)
    state, steps = run(state, ReviewPassed(at(20)), AuthorityApproved(at(500), "粤ICP备00000001号"))
    assert steps[0].actions == (SubmitToAuthority("video_check"),)
    assert state.stage == Stage.DONE and state.filing_number == "粤ICP备00000001号"
    assert isinstance(steps[1].actions[0], NotifyApplicant)
    assert steps[1].actions[0].channels == ("sms", "email")
    assert [s for s, _ in state.history] == [
        Stage.VERIFY_TYPE,
        Stage.SUBJECT,
        Stage.WEBSITES,
        Stage.MATERIALS,
        Stage.INITIAL_REVIEW,
        Stage.IDENTITY_CHECK,
        Stage.SECOND_REVIEW,
        Stage.AT_AUTHORITY,
        Stage.DONE,
    ]
    assert state.updated_at == at(500) and state.created_at == T0


def test_refused_certificate_ends_the_order() -> None:
    state, _ = run(
        start(T0), TypeVerified(at(0), "new_website", "backdrop_photo", False, (), ("R-REJ-4：x",))
    )
    assert state.stage == Stage.REFUSED and state.last_reasons == ("R-REJ-4：x",)
    with pytest.raises(BadInput) as err:
        step(state, SubjectSaved(at(1)))
    assert err.value.code == ErrorCode.INVALID_STATE


@pytest.mark.parametrize("where", [Stage.INITIAL_REVIEW, Stage.IDENTITY_CHECK, Stage.AT_AUTHORITY])
def test_rejection_with_reasons_and_resubmission(where: Stage) -> None:
    state = to_second_review(pilot=False)
    if where == Stage.AT_AUTHORITY:
        state = step(state, ReviewPassed(at(20))).state
    else:
        state = OrderState(where, T0, T0)
    rejected = step(state, Rejected(at(30), ("R-REJ-1：证件模糊",), by="authority"))
    assert rejected.state.stage == Stage.REJECTED
    assert rejected.state.last_reasons == ("R-REJ-1：证件模糊",)
    assert "R-REJ-1" in rejected.actions[0].message  # type: ignore[union-attr]
    again = step(rejected.state, Resubmitted(at(40))).state
    assert again.stage == Stage.INITIAL_REVIEW
    assert len(again.rejections) == 1


def test_events_out_of_order_are_refused() -> None:
    with pytest.raises(BadInput) as err:
        step(start(T0), ReviewPassed(at(1)))
    assert err.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(BadInput):
        step(to_second_review(False), Resubmitted(at(12)))


def test_pilot_province_sends_a_code_and_waits() -> None:
    state, steps = run(to_second_review(pilot=True), ReviewPassed(at(20)))
    assert state.stage == Stage.SMS_VERIFICATION
    assert SendSmsCode(("主体负责人",), resend=False) in steps[0].actions
    assert state.sms is not None and state.sms.sent_at == at(20)
    state = step(state, SmsAnswered(at(21), "主体负责人", code_ok=True, certificate_ok=True)).state
    assert state.stage == Stage.AT_AUTHORITY


def test_code_expires_after_48_hours() -> None:
    state = step(to_second_review(pilot=True), ReviewPassed(at(20))).state
    still = step(state, ClockTick(at(20 + 47.9))).state
    assert still.stage == Stage.SMS_VERIFICATION
    returned = step(still, ClockTick(at(20 + 48)))
    assert returned.state.stage == Stage.RETURNED
    assert returned.state.last_reasons[0].startswith("R-SMS-2")
    # A late right answer does not rescue it.
    late = step(state, SmsAnswered(at(20 + 49), "主体负责人", True, True))
    assert late.state.stage == Stage.RETURNED
    assert step(returned.state, Resubmitted(at(100))).state.stage == Stage.INITIAL_REVIEW


def test_one_automatic_resend_at_noon_next_day() -> None:
    sent = at(20)  # 2001-03-06 05:30 local
    state = step(to_second_review(pilot=True), ReviewPassed(sent)).state
    noon = datetime(2001, 3, 7, 12, 0)
    assert state.sms is not None and state.sms.auto_resend_at == noon
    before = step(state, ClockTick(noon - timedelta(minutes=1)))
    assert before.actions == ()
    resend = step(before.state, ClockTick(noon))
    assert resend.actions == (SendSmsCode(("主体负责人",), resend=True),)
    later = step(resend.state, ClockTick(noon + timedelta(hours=3)))
    assert later.actions == ()
    with pytest.raises(BadInput):
        step(later.state, SmsResendRequested(noon + timedelta(hours=4)))


def test_resend_on_request_replaces_the_automatic_one() -> None:
    state = step(to_second_review(pilot=True), ReviewPassed(at(20))).state
    requested = step(state, SmsResendRequested(at(21)))
    assert requested.actions == (SendSmsCode(("主体负责人",), resend=True),)
    assert state.sms is not None
    assert step(requested.state, ClockTick(state.sms.auto_resend_at)).actions == ()


def test_five_wrong_certificate_numbers_return_the_application() -> None:
    state = step(to_second_review(pilot=True), ReviewPassed(at(20))).state
    for i in range(4):
        state = step(state, SmsAnswered(at(21 + i), "主体负责人", True, False)).state
        assert state.stage == Stage.SMS_VERIFICATION
    assert state.sms is not None and state.sms.wrong_certificate_attempts == 4
    fifth = step(state, SmsAnswered(at(26), "主体负责人", True, False))
    assert fifth.state.stage == Stage.RETURNED
    assert fifth.state.last_reasons[0].startswith("R-SMS-3")
    # four wrong, then right: verified
    ok = step(state, SmsAnswered(at(26), "主体负责人", True, True))
    assert ok.state.stage == Stage.AT_AUTHORITY


def test_wrong_code_does_not_count_as_a_wrong_certificate() -> None:
    state = step(to_second_review(pilot=True), ReviewPassed(at(20))).state
    for i in range(6):
        state = step(state, SmsAnswered(at(21 + i), "主体负责人", False, True)).state
    assert state.stage == Stage.SMS_VERIFICATION
    assert state.sms is not None and state.sms.wrong_certificate_attempts == 0


def test_every_verifier_must_verify() -> None:
    who = ("主体负责人", "网站1负责人")
    state = step(to_second_review(True, who), ReviewPassed(at(20))).state
    state = step(state, SmsAnswered(at(21), "主体负责人", True, True)).state
    assert state.stage == Stage.SMS_VERIFICATION
    with pytest.raises(BadInput):
        step(state, SmsAnswered(at(21), "网站9负责人", True, True))
    state = step(state, SmsAnswered(at(22), "网站1负责人", True, True)).state
    assert state.stage == Stage.AT_AUTHORITY


def test_next_noon_uses_china_time_for_aware_datetimes() -> None:
    utc_evening = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 04:00 on June 2nd in China
    noon = next_noon(utc_evening)
    assert noon.utcoffset() == timedelta(hours=8)
    assert (noon.year, noon.month, noon.day, noon.hour) == (2026, 6, 3, 12)


def test_type_verified_from_a_check() -> None:
    obj = enterprise()
    obj["region"] = {"province": "天津市", "city": "天津市", "district": "和平区"}
    check = check_filing(parse_filing(obj), (), TODAY)
    event = type_verified(check, at(0))
    assert event.pilot and event.sms_verifiers == ("主体负责人",)
    assert event.path == "backdrop_photo" and not event.refused_reasons
    registry = parse_registry(
        [
            {
                "certificate_number": obj["subject"]["certificate_number"],
                "domains": ["a.com"],
                "provider": "us",
                "account_id": "someone-else",
            }
        ]
    )
    refused = type_verified(check_filing(parse_filing(obj), registry, TODAY), at(0))
    assert refused.refused_reasons and refused.refused_reasons[0].startswith("R-REJ-4")
