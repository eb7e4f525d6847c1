"""The served journey around the lifecycle: its state as JSON, what the applicant must do
next, the notices of each stage change, the coarse status of each stage.

Pure functions on plain values; the service (``kyc.api.usecases.journey``) stores the state and
performs the actions. Nothing here holds personal data: the state carries stages, times,
reason texts of reviewers and the rules, verifier labels ("主体负责人") and the filing
number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from kyc.filing.check import Path
from kyc.filing.filing_type import FilingType
from kyc.filing.lifecycle import (
    NotifyApplicant,
    OrderState,
    Rejection,
    SmsSession,
    Stage,
    Step,
    start,
)

STAGE_TEXT: dict[Stage, str] = {
    Stage.VERIFY_TYPE: "验证备案类型",
    Stage.SUBJECT: "填写主体信息",
    Stage.WEBSITES: "填写网站信息",
    Stage.MATERIALS: "上传资料",
    Stage.INITIAL_REVIEW: "初审",
    Stage.IDENTITY_CHECK: "身份核验（幕布拍照或视频核验）",
    Stage.SECOND_REVIEW: "复审",
    Stage.SMS_VERIFICATION: "短信核验",
    Stage.AT_AUTHORITY: "管局审核",
    Stage.DONE: "备案完成",
    Stage.REJECTED: "已驳回",
    Stage.RETURNED: "已退回",
    Stage.REFUSED: "已拒绝",
}

Status = Literal["draft", "submitted", "approved", "rejected", "returned", "refused", "done"]

_STATUS: dict[Stage, Status] = {
    Stage.VERIFY_TYPE: "draft",
    Stage.SUBJECT: "draft",
    Stage.WEBSITES: "draft",
    Stage.MATERIALS: "draft",
    Stage.INITIAL_REVIEW: "submitted",
    Stage.SECOND_REVIEW: "submitted",
    Stage.IDENTITY_CHECK: "approved",
    Stage.SMS_VERIFICATION: "approved",
    Stage.AT_AUTHORITY: "approved",
    Stage.DONE: "done",
    Stage.REJECTED: "rejected",
    Stage.RETURNED: "returned",
    Stage.REFUSED: "refused",
}


def status_of(stage: Stage) -> Status:
    """The coarse status kept beside the stage: ``draft`` before the first submission,
    ``submitted`` while a reviewer must act (the queue), ``approved`` once a review passed
    and the order goes on without a reviewer, then the end states."""
    return _STATUS[stage]


# --------------------------------------------------------------------------- JSON


def _t(value: datetime) -> str:
    return value.isoformat()


def _p(text: str) -> datetime:
    return datetime.fromisoformat(text)


def state_to_json(state: OrderState) -> dict[str, Any]:
    sms = state.sms
    return {
        "stage": state.stage.value,
        "created_at": _t(state.created_at),
        "updated_at": _t(state.updated_at),
        "filing_type": state.filing_type,
        "path": state.path,
        "pilot": state.pilot,
        "sms_verifiers": list(state.sms_verifiers),
        "rejections": [
            {"at": _t(r.at), "by": r.by, "reasons": list(r.reasons)} for r in state.rejections
        ],
        "sms": None
        if sms is None
        else {
            "sent_at": _t(sms.sent_at),
            "verifiers": list(sms.verifiers),
            "verified": sorted(sms.verified),
            "wrong_certificate_attempts": sms.wrong_certificate_attempts,
            "resent_at": _t(sms.resent_at) if sms.resent_at else None,
        },
        "filing_number": state.filing_number,
        "history": [[stage.value, _t(at)] for stage, at in state.history],
        "backdrop_chosen": state.backdrop_chosen,
    }


def state_from_json(obj: dict[str, Any]) -> OrderState:
    sms = obj.get("sms")
    return OrderState(
        stage=Stage(obj["stage"]),
        created_at=_p(obj["created_at"]),
        updated_at=_p(obj["updated_at"]),
        filing_type=cast("FilingType | None", obj.get("filing_type")),
        path=cast("Path | None", obj.get("path")),
        pilot=bool(obj.get("pilot")),
        sms_verifiers=tuple(obj.get("sms_verifiers") or ()),
        rejections=tuple(
            Rejection(at=_p(r["at"]), by=r["by"], reasons=tuple(r["reasons"]))
            for r in obj.get("rejections") or ()
        ),
        sms=None
        if not sms
        else SmsSession(
            sent_at=_p(sms["sent_at"]),
            verifiers=tuple(sms["verifiers"]),
            verified=frozenset(sms.get("verified") or ()),
            wrong_certificate_attempts=int(sms.get("wrong_certificate_attempts") or 0),
            resent_at=_p(sms["resent_at"]) if sms.get("resent_at") else None,
        ),
        filing_number=obj.get("filing_number"),
        history=tuple((Stage(s), _p(at)) for s, at in obj.get("history") or ()),
        backdrop_chosen=bool(obj.get("backdrop_chosen")),
    )


# The stage of a filing stored before the journey existed (status only): a draft is at
# its materials, a submitted one in initial review, an approved one past initial review
# (its identity check, which the service completes at once where one already passed).
LEGACY_STAGE: dict[str, Stage] = {
    "draft": Stage.MATERIALS,
    "submitted": Stage.INITIAL_REVIEW,
    "approved": Stage.IDENTITY_CHECK,
    "rejected": Stage.REJECTED,
}


def legacy_state(status: str, created_at: datetime, path: Path | None) -> OrderState:
    stage = LEGACY_STAGE.get(status, Stage.MATERIALS)
    base = start(created_at)
    return OrderState(
        stage=stage,
        created_at=created_at,
        updated_at=created_at,
        path=path,
        history=(*base.history, (stage, created_at)),
    )


# --------------------------------------------------------------------------- next steps

CheckOutcome = Literal["queued", "pass", "review", "reject"]


@dataclass(frozen=True)
class JourneyFacts:
    """What the stored filing says beyond its state (the service gathers it)."""

    has_documents: bool
    has_portrait: bool
    checks_ok: bool
    video: CheckOutcome | None  # the latest video check
    video_locked: bool
    backdrop: CheckOutcome | None  # the latest backdrop check
    now: datetime
    has_form: bool = True  # a verification form was uploaded (R-DOC-4)


@dataclass(frozen=True)
class NextStep:
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _identity_steps(state: OrderState, facts: JourneyFacts) -> list[NextStep]:
    if state.path == "video_check":
        if facts.video == "queued":
            return [NextStep("WAIT_VIDEO_CHECK", "视频核验进行中，请稍候")]
        steps = []
        if facts.video_locked:
            steps.append(NextStep("WAIT_LOCKOUT", "视频核验失败次数过多，请稍后再录"))
        else:
            text = "视频核验未通过，请重新录制视频" if facts.video == "reject" else "请录制视频"
            steps.append(NextStep("RECORD_VIDEO", text + "（POST liveness/challenge、video）"))
        if facts.video == "reject" or facts.video_locked:
            steps.append(
                NextStep("UPLOAD_BACKDROP_PHOTO", "或改走幕布拍照：上传负责人在幕布前的照片")
            )
        return steps
    if facts.backdrop == "queued":
        return [NextStep("WAIT_BACKDROP_CHECK", "幕布照片核验中，请稍候")]
    if facts.backdrop in ("reject", "review"):
        return [NextStep("UPLOAD_BACKDROP_PHOTO", "幕布照片未通过核验，请重新拍摄上传")]
    return [NextStep("UPLOAD_BACKDROP_PHOTO", "请上传网站负责人在幕布前的照片（jpg，≤2 MB）")]


def next_steps(state: OrderState, facts: JourneyFacts) -> tuple[NextStep, ...]:
    """What the applicant must do now (codes with a message); empty when nothing."""
    stage = state.stage
    out: list[NextStep] = []
    if stage in (Stage.VERIFY_TYPE, Stage.SUBJECT, Stage.WEBSITES, Stage.MATERIALS):
        if not facts.has_documents:
            out.append(NextStep("UPLOAD_DOCUMENTS", "请上传证件照片（POST documents）"))
        if not facts.has_form:
            out.append(
                NextStep(
                    "UPLOAD_FORM",
                    "请上传签字（单位加盖公章）的《网站备案信息真实性核验单》（POST forms）",
                )
            )
        if not facts.checks_ok:
            out.append(NextStep("FIX_FILING", "请按规则检查结果修改备案信息（PATCH）"))
        if facts.has_documents:
            out.append(NextStep("SUBMIT", "提交初审（POST submit）"))
    elif stage in (Stage.INITIAL_REVIEW, Stage.SECOND_REVIEW):
        out.append(NextStep("WAIT_REVIEW", f"等待{STAGE_TEXT[stage]}（1 个工作日，最长 3 天）"))
    elif stage == Stage.IDENTITY_CHECK:
        out.extend(_identity_steps(state, facts))
    elif stage == Stage.SMS_VERIFICATION:
        sms = state.sms
        pending = [v for v in (sms.verifiers if sms else ()) if sms and v not in sms.verified]
        until = f"，{sms.expires_at.isoformat()} 前有效" if sms else ""
        out.append(
            NextStep(
                "VERIFY_SMS",
                f"请{'、'.join(pending)}提交短信核验码、手机号与证件号码后六位{until}",
            )
        )
        if sms is not None and sms.resent_at is None:
            out.append(NextStep("REQUEST_SMS_RESEND", "未收到核验码可申请重发一次"))
    elif stage == Stage.AT_AUTHORITY:
        out.append(NextStep("WAIT_AUTHORITY", "等待管局审核（平均约 20 个工作日）"))
    elif stage in (Stage.REJECTED, Stage.RETURNED):
        reasons = "；".join(state.last_reasons)
        out.append(
            NextStep("FIX_AND_RESUBMIT", f"请按原因修改后重新提交（POST submit）：{reasons}")
        )
    elif stage == Stage.REFUSED:
        out.append(NextStep("CONTACT_SUPPORT", "；".join(state.last_reasons)))
    return tuple(out)


# --------------------------------------------------------------------------- notices


_QUIET = (Stage.VERIFY_TYPE, Stage.SUBJECT, Stage.WEBSITES, Stage.MATERIALS)


def notices(before: OrderState, stepped: Step) -> tuple[NotifyApplicant, ...]:
    """The lifecycle's notices, and a plain one for every other change of stage after the
    applicant's own steps (filling in the order is not announced to them)."""
    own = tuple(a for a in stepped.actions if isinstance(a, NotifyApplicant))
    if own or stepped.state.stage in (before.stage, *_QUIET):
        return own
    return (NotifyApplicant(f"备案申请进度更新：{STAGE_TEXT[stepped.state.stage]}"),)
