"""The journey around the lifecycle: the path switch and failed identity checks, the
state as JSON, next steps, notices, statuses (pure; the clock is in the events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kyc.errors import BadInput, ErrorCode
from kyc.filing import journey as jr
from kyc.filing.lifecycle import (
    AuthorityApproved,
    ClockTick,
    Event,
    IdentityChecked,
    IdentityCheckFailed,
    NotifyApplicant,
    OrderState,
    PathSwitched,
    Rejected,
    ReviewPassed,
    SmsAnswered,
    Stage,
    SubjectSaved,
    SubmittedForReview,
    TypeVerified,
    WebsitesSaved,
    start,
    step,
)

T0 = datetime(2001, 3, 5, 1, 30, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def run(state: OrderState, *events: Event) -> OrderState:
    for e in events:
        state = step(state, e).state
    return state


def facts(**over: object) -> jr.JourneyFacts:
    base: dict[str, object] = {
        "has_documents": True,
        "has_portrait": True,
        "checks_ok": True,
        "video": None,
        "video_locked": False,
        "backdrop": None,
        "now": T0,
    }
    base.update(over)
    return jr.JourneyFacts(**base)  # type: ignore[arg-type]


def materials(path: str = "video_check", pilot: bool = False) -> OrderState:
    return run(
        start(T0),
        TypeVerified(at(0), "first", path, pilot, ("主体负责人",) if pilot else ()),  # type: ignore[arg-type]
        SubjectSaved(at(0)),
        WebsitesSaved(at(0)),
    )


def test_an_edit_verifies_the_type_again_without_moving_the_stage() -> None:
    state = materials()
    again = step(
        state, TypeVerified(at(1), "new_website", "backdrop_photo", True, ("网站1负责人",))
    )
    assert again.state.stage == Stage.MATERIALS and again.actions == ()
    assert again.state.filing_type == "new_website" and again.state.path == "backdrop_photo"
    assert again.state.sms_verifiers == ("网站1负责人",)
    refused = step(state, TypeVerified(at(1), "first", "video_check", False, (), ("R-REJ-4",)))
    assert refused.state.stage == Stage.REFUSED
    assert isinstance(refused.actions[0], NotifyApplicant)


def test_the_switch_to_the_backdrop_path_is_one_way_and_survives_edits() -> None:
    state = step(materials(), PathSwitched(at(1))).state
    assert state.path == "backdrop_photo" and state.backdrop_chosen
    state = step(state, TypeVerified(at(2), "first", "video_check", False)).state
    assert state.path == "backdrop_photo"  # still eligible, but the applicant chose
    review = run(materials(), SubmittedForReview(at(1)))
    with pytest.raises(BadInput) as err:
        step(review, PathSwitched(at(2)))
    assert err.value.code == ErrorCode.INVALID_STATE


def test_a_failed_identity_check_keeps_the_stage_and_a_passed_one_moves_on() -> None:
    state = run(materials(), SubmittedForReview(at(1)), ReviewPassed(at(2)))
    assert state.stage == Stage.IDENTITY_CHECK
    failed = step(state, IdentityCheckFailed(at(3), ("FACE_MISMATCH",)))
    assert failed.state.stage == Stage.IDENTITY_CHECK and failed.actions == ()
    switched = step(failed.state, PathSwitched(at(4))).state
    assert switched.path == "backdrop_photo"
    assert step(switched, IdentityChecked(at(5))).state.stage == Stage.SECOND_REVIEW
    with pytest.raises(BadInput):
        step(materials(), IdentityCheckFailed(at(1)))


def test_the_state_survives_json_at_every_stage() -> None:
    events: list[Event] = [
        SubmittedForReview(at(1)),
        Rejected(at(2), ("R-REJ-1 certificate image unclear",)),
    ]
    state = materials(pilot=True)
    seen = [state]
    for e in events:
        state = step(state, e).state
        seen.append(state)
    from kyc.filing.lifecycle import Resubmitted

    state = run(
        state,
        Resubmitted(at(3)),
        ReviewPassed(at(4)),
        PathSwitched(at(4.5)),
        IdentityChecked(at(5)),
        ReviewPassed(at(6)),
    )
    seen.append(state)
    assert state.stage == Stage.SMS_VERIFICATION and state.sms is not None
    state = run(state, SmsAnswered(at(7), "主体负责人", code_ok=True, certificate_ok=False))
    state = run(state, ClockTick(at(6 + 26)))  # the resend at noon
    seen.append(state)
    assert state.sms is not None and state.sms.resent_at is not None
    state = run(state, SmsAnswered(at(40), "主体负责人", code_ok=True, certificate_ok=True))
    state = run(state, AuthorityApproved(at(50), "琼ICP备01000001号"))
    seen.append(state)
    for s in seen:
        assert jr.state_from_json(jr.state_to_json(s)) == s
    import json

    assert json.loads(json.dumps(jr.state_to_json(state))) == jr.state_to_json(state)


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        (Stage.MATERIALS, "draft"),
        (Stage.INITIAL_REVIEW, "submitted"),
        (Stage.SECOND_REVIEW, "submitted"),
        (Stage.IDENTITY_CHECK, "approved"),
        (Stage.AT_AUTHORITY, "approved"),
        (Stage.DONE, "done"),
        (Stage.RETURNED, "returned"),
    ],
)
def test_every_stage_has_a_coarse_status(stage: Stage, status: str) -> None:
    assert jr.status_of(stage) == status
    assert {jr.status_of(s) for s in Stage} <= {
        "draft",
        "submitted",
        "approved",
        "rejected",
        "returned",
        "refused",
        "done",
    }


def codes(state: OrderState, **over: object) -> list[str]:
    return [n.code for n in jr.next_steps(state, facts(**over))]


def test_next_steps_follow_the_stage_and_the_checks() -> None:
    m = materials()
    assert codes(m, has_documents=False, checks_ok=False) == ["UPLOAD_DOCUMENTS", "FIX_FILING"]
    assert codes(m) == ["SUBMIT"]
    assert codes(m, has_form=False) == ["UPLOAD_FORM", "SUBMIT"]
    review = run(m, SubmittedForReview(at(1)))
    assert codes(review) == ["WAIT_REVIEW"]
    ident = run(review, ReviewPassed(at(2)))
    assert codes(ident) == ["RECORD_VIDEO"]
    assert codes(ident, video="queued") == ["WAIT_VIDEO_CHECK"]
    assert codes(ident, video="reject") == ["RECORD_VIDEO", "UPLOAD_BACKDROP_PHOTO"]
    assert codes(ident, video="reject", video_locked=True) == [
        "WAIT_LOCKOUT",
        "UPLOAD_BACKDROP_PHOTO",
    ]
    photo = step(ident, PathSwitched(at(3))).state
    assert codes(photo) == ["UPLOAD_BACKDROP_PHOTO"]
    assert codes(photo, backdrop="reject") == ["UPLOAD_BACKDROP_PHOTO"]
    rejected = run(review, Rejected(at(2), ("R-REJ-5 typed data differs",)))
    steps = jr.next_steps(rejected, facts())
    assert [n.code for n in steps] == ["FIX_AND_RESUBMIT"] and "R-REJ-5" in steps[0].message
    done = run(ident, IdentityChecked(at(3)), ReviewPassed(at(4)), AuthorityApproved(at(5), "X"))
    assert codes(done) == []


def test_sms_next_steps_name_who_is_still_waiting() -> None:
    state = run(
        materials(pilot=True),
        SubmittedForReview(at(1)),
        ReviewPassed(at(2)),
        IdentityChecked(at(3)),
    )
    state = step(state, ReviewPassed(at(4))).state
    steps = jr.next_steps(state, facts())
    assert [n.code for n in steps] == ["VERIFY_SMS", "REQUEST_SMS_RESEND"]
    assert "主体负责人" in steps[0].message


def test_notices_announce_changes_after_the_applicants_own_steps() -> None:
    before = start(T0)
    quiet = step(before, TypeVerified(at(0), "first", "video_check", False))
    assert jr.notices(before, quiet) == ()
    m = materials()
    moved = step(m, SubmittedForReview(at(1)))
    (notice,) = jr.notices(m, moved)
    assert "初审" in notice.message
    rejected = step(moved.state, Rejected(at(2), ("R-REJ-1 unclear",)))
    (own,) = jr.notices(moved.state, rejected)
    assert "R-REJ-1" in own.message  # the lifecycle's own notice, not a second one
    still = step(moved.state, ClockTick(at(3)))
    assert jr.notices(moved.state, still) == ()


def test_a_legacy_filing_gets_its_stage_from_its_status() -> None:
    assert jr.legacy_state("submitted", T0, "video_check").stage == Stage.INITIAL_REVIEW
    assert jr.legacy_state("draft", T0, None).stage == Stage.MATERIALS
    assert jr.legacy_state("approved", T0, "backdrop_photo").path == "backdrop_photo"
