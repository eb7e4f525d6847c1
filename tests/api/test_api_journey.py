"""The whole filing journey over HTTP with an injected clock (issue 20): both identity
paths to ``done``, rejections and resubmission, SMS verification in a pilot province
(R-SMS-1..4: codes, the 48-hour window, the resend at noon, five wrong certificate
tails, who verifies), the authority's answer, notices, the tick, the migration."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import api_fakes as fx
import pytest
from api_support import Env, EnvFactory, make_settings
from sqlalchemy import select, text

from kyc.synth.filing import make_id, person, website

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # Monday 09:30 in China
HAINAN = {"province": "海南省", "city": "海口市", "district": "龙华区"}
WEB_ID = make_id(dt.date(1990, 6, 1), seq="456")
WEB_MOBILE = "13900139000"
CODE_RE = re.compile(r"核验码为 (\d{6})")


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, hours: float) -> None:
        self.now = T0 + dt.timedelta(hours=hours)


@dataclass
class Walk:
    env: Env
    h: dict[str, str]
    rv: dict[str, str]
    admin: dict[str, str]
    clock: Clock

    def create(self, body: dict[str, Any]) -> str:
        r = self.env.client.post("/v1/filings", json=body, headers=self.h)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def get(self, fid: str) -> dict[str, Any]:
        r = self.env.client.get(f"/v1/filings/{fid}", headers=self.h)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def codes(self, fid: str) -> list[str]:
        return [c["code"] for c in self.get(fid)["next_steps"]]

    def upload_documents(self, fid: str) -> None:
        for spec in (fx.license_spec(), fx.id_front_spec()):
            r = self.env.client.post(
                f"/v1/filings/{fid}/documents",
                files={"file": ("doc.jpg", fx.fake_image(spec), "image/jpeg")},
                headers=self.h,
            )
            assert r.status_code == 200, r.text

    def submit(self, fid: str) -> Any:
        return self.env.client.post(f"/v1/filings/{fid}/submit", headers=self.h)

    def decide(self, fid: str, decision: str = "approve", reasons: list[str] | None = None) -> Any:
        body = {"decision": decision, "reasons": reasons or []}
        return self.env.client.post(
            f"/v1/review/filings/{fid}/decision", json=body, headers=self.rv
        )

    def backdrop(self, fid: str, **script: Any) -> Any:
        script = {"faces": 1, "score": 88.0, "same": True, **script}
        return self.env.client.post(
            f"/v1/filings/{fid}/identity/backdrop",
            files={"file": ("b.jpg", fx.fake_backdrop(script), "image/jpeg")},
            headers=self.h,
        )

    def video(self, fid: str, decision: str) -> dict[str, Any]:
        r = self.env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=self.h)
        assert r.status_code == 201, r.text
        r = self.env.client.post(
            f"/v1/filings/{fid}/liveness/video",
            files={"file": ("v.mp4", fx.fake_video({"decision": decision}), "video/mp4")},
            headers=self.h,
        )
        assert r.status_code == 202, r.text
        return self.env.wait_job(self.h, fid, r.json()["job_id"])

    def outbox(self, fid: str) -> list[dict[str, Any]]:
        r = self.env.client.get(f"/v1/admin/outbox?filing_id={fid}", headers=self.admin)
        assert r.status_code == 200, r.text
        return list(r.json()["messages"])

    def sms_codes(self, fid: str) -> dict[str, list[str]]:
        """Mobile → codes sent to it, oldest first (the outbox is newest first)."""
        out: dict[str, list[str]] = {}
        for m in reversed(self.outbox(fid)):
            if m["channel"] == "sms" and m["kind"] == "code":
                found = CODE_RE.search(m["body"])
                assert found, m["body"]
                out.setdefault(m["recipient"], []).append(found.group(1))
        return out

    def verify(self, fid: str, mobile: str, code: str, tail: str) -> Any:
        return self.env.client.post(
            f"/v1/filings/{fid}/sms/verify",
            json={"mobile": mobile, "code": code, "certificate_tail": tail},
            headers=self.h,
        )

    def authority(self, fid: str, **body: Any) -> Any:
        return self.env.client.post(
            f"/v1/review/filings/{fid}/authority", json=body, headers=self.admin
        )

    def tick(self) -> dict[str, int]:
        from kyc.api.usecases.journey import tick

        return tick(self.env.rt)

    def rules(self, fid: str) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.get(fid)["check"]["rules"]}

    def to_sms(self, body: dict[str, Any]) -> str:
        """A filing on the backdrop path through both reviews, its codes sent at ``T0``."""
        self.clock.now = T0 - dt.timedelta(hours=30)
        fid = self.create(body)
        self.upload_documents(fid)
        assert self.submit(fid).status_code == 200
        assert self.decide(fid).status_code == 200
        assert self.backdrop(fid).status_code == 200
        self.clock.now = T0
        r = self.decide(fid)
        assert r.status_code == 200 and r.json()["stage"] == "sms_verification", r.text
        return fid


@pytest.fixture
def walk(make_env: EnvFactory) -> Walk:
    env = make_env(tick_interval_s=0)
    clock = Clock(T0)
    env.rt.clock = clock
    return Walk(env, env.key("acme"), env.reviewer(), env.reviewer("管理员", "admin"), clock)


def pilot_body(**over: Any) -> dict[str, Any]:
    body = fx.filing_body()
    body["region"] = dict(HAINAN)
    body.update(over)
    return body


def two_people_body(domain: str = "example.com") -> dict[str, Any]:
    """A pilot filing whose website principal is another person than the subject's."""
    web = person(
        name="测试乙",
        certificate_number=WEB_ID,
        mobile=WEB_MOBILE,
        email="web@example.com",
        is_legal_representative=False,
    )
    return pilot_body(websites=[website(domain, principal=web)])


def test_video_path_reaches_done_with_the_right_next_steps_at_each_stage(walk: Walk) -> None:
    fid = walk.create(fx.filing_body())
    f = walk.get(fid)
    assert f["stage"] == "materials" and f["status"] == "draft"
    assert f["path"] == "video_check" and f["identity"]["path"] == "video_check"
    assert walk.codes(fid)[0] == "UPLOAD_DOCUMENTS" and "SUBMIT" not in walk.codes(fid)
    walk.upload_documents(fid)
    assert "SUBMIT" in walk.codes(fid)
    r = walk.submit(fid)
    assert r.status_code == 200 and r.json()["stage"] == "initial_review"
    assert walk.codes(fid) == ["WAIT_REVIEW"]
    r = walk.decide(fid)
    assert r.json()["stage"] == "identity_check", r.text
    assert walk.codes(fid) == ["RECORD_VIDEO"]
    r = walk.env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=walk.h)
    assert r.status_code == 200
    job = walk.video(fid, "pass")
    assert job["decision"] == "pass"
    f = walk.get(fid)
    assert f["stage"] == "second_review" and walk.codes(fid) == ["WAIT_REVIEW"]
    r = walk.decide(fid)
    assert r.json()["stage"] == "at_authority", r.text  # Guangdong: no SMS verification
    assert walk.codes(fid) == ["WAIT_AUTHORITY"]
    sent = [m for m in walk.outbox(fid) if m["channel"] == "authority"]
    assert len(sent) == 1 and sent[0]["body"]["path"] == "video_check"
    assert "certificate_number" not in json.dumps(sent[0]["body"])
    # the applicant may not record the authority's answer; an approval needs the number
    r = walk.env.client.post(
        f"/v1/review/filings/{fid}/authority", json={"decision": "approved"}, headers=walk.rv
    )
    assert r.status_code == 403
    r = walk.authority(fid, decision="approved")
    assert r.status_code == 422 and r.json()["error"] == "MISSING_FIELD"
    r = walk.authority(fid, decision="approved", filing_number="粤ICP备26000001号")
    assert r.status_code == 200 and r.json()["stage"] == "done" and r.json()["status"] == "done"
    f = walk.get(fid)
    assert f["next_steps"] == [] and f["journey"]["filing_number"] == "粤ICP备26000001号"
    assert [h["stage"] for h in f["journey"]["history"]][-5:] == [
        "initial_review",
        "identity_check",
        "second_review",
        "at_authority",
        "done",
    ]
    # notices: one per stage change after submission, on both channels, no personal data
    notices = [m for m in walk.outbox(fid) if m["kind"] == "notice"]
    assert {m["channel"] for m in notices} == {"sms", "email"}
    assert {m["recipient"] for m in notices} == {"13800138000", "ops@example.com"}
    texts = {m["body"] for m in notices}
    assert any("备案号 粤ICP备26000001号" in t for t in texts)
    assert len(notices) == 2 * 5  # initial review, identity, second review, authority, done
    for t in texts:
        assert fx.PRINCIPAL not in t and fx.PRINCIPAL_ID not in t and fx.COMPANY not in t
    # done is final: no more answers
    r = walk.authority(fid, decision="rejected", reasons=["材料不符"])
    assert r.status_code == 409


def test_backdrop_path_in_a_pilot_province_reaches_done_with_every_sms_rule_evaluated(
    walk: Walk,
) -> None:
    walk.clock.now = T0 - dt.timedelta(hours=30)
    fid = walk.create(pilot_body())
    assert walk.get(fid)["path"] == "backdrop_photo"  # R-MINI-1: not Guangdong
    walk.upload_documents(fid)
    assert walk.submit(fid).status_code == 200
    assert walk.decide(fid).json()["stage"] == "identity_check"
    assert walk.codes(fid) == ["UPLOAD_BACKDROP_PHOTO"]
    # the video check is not this path's
    r = walk.env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=walk.h)
    r = walk.env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=walk.h)
    assert r.status_code == 409 and r.json()["error"] == "NOT_ELIGIBLE"
    # two people in the photo: rejected, the filing waits for another photo
    r = walk.backdrop(fid, faces=2)
    assert r.status_code == 200, r.text
    assert r.json()["backdrop"]["decision"] == "reject"
    assert "MULTIPLE_FACES" in r.json()["backdrop"]["reasons"]
    assert r.json()["filing"]["stage"] == "identity_check"
    assert "score" not in json.dumps(r.json()["backdrop"])
    # an uncertain match is not a pass either (the backdrop path needs a passed check)
    r = walk.backdrop(fid, score=62.0, same=False)
    assert r.json()["backdrop"]["decision"] == "review"
    assert r.json()["filing"]["stage"] == "identity_check"
    r = walk.backdrop(fid)
    assert r.json()["backdrop"]["decision"] == "pass"
    assert r.json()["filing"]["stage"] == "second_review"
    detail = walk.env.client.get(f"/v1/review/filings/{fid}", headers=walk.rv).json()
    assert detail["backdrop_checks"][0]["result"]["match"]["score"] == 88.0
    assert [b["decision"] for b in detail["backdrop_checks"]] == ["pass", "review", "reject"]
    page = walk.env.client.get(f"/review/filings/{fid}", headers=walk.rv)
    assert page.status_code == 200 and "second_review" in page.text
    assert f"/review/media/backdrop/{detail['backdrop_checks'][0]['id']}.jpg" in page.text
    photo = walk.env.client.get(
        f"/review/media/backdrop/{detail['backdrop_checks'][0]['id']}.jpg", headers=walk.rv
    )
    assert photo.status_code == 200 and photo.content.startswith(b"\xff\xd8")
    walk.clock.now = T0
    r = walk.decide(fid)
    assert r.json()["stage"] == "sms_verification", r.text
    f = walk.get(fid)
    assert [c["code"] for c in f["next_steps"]] == ["VERIFY_SMS", "REQUEST_SMS_RESEND"]
    assert f["journey"]["sms"]["expires_at"] == (T0 + dt.timedelta(hours=48)).isoformat()
    rules = walk.rules(fid)
    assert rules["R-SMS-1"] == "passed" and rules["R-SMS-4"] == "passed"
    codes = walk.sms_codes(fid)
    assert list(codes) == ["13800138000"] and len(codes["13800138000"]) == 1
    code = codes["13800138000"][0]
    # the code is stored hashed only
    with walk.env.rt.engine.connect() as c:
        stored = [row[0] for row in c.execute(text("SELECT code_hash FROM sms_codes"))]
    assert stored and code not in stored
    tail = fx.PRINCIPAL_ID[-6:]
    wrong = "000000" if code != "000000" else "111111"
    r = walk.verify(fid, "13800138000", wrong, tail)
    assert r.status_code == 200 and r.json()["result"] == "code_wrong"
    r = walk.verify(fid, "13700137000", code, tail)  # not a verifier's mobile
    assert r.status_code == 422 and r.json()["error"] == "INVALID_FIELD"
    walk.clock.now = T0 + dt.timedelta(hours=5)
    r = walk.verify(fid, "138-0013-8000", code, tail.lower())
    assert r.status_code == 200 and r.json()["result"] == "verified", r.text
    assert r.json()["filing"]["stage"] == "at_authority"
    rules = walk.rules(fid)
    assert [rules[f"R-SMS-{i}"] for i in range(1, 5)] == ["passed"] * 4
    r = walk.authority(fid, decision="approved", filing_number="琼ICP备26000002号")
    assert r.json()["stage"] == "done"
    assert walk.get(fid)["next_steps"] == []


def test_rejections_carry_reasons_and_lead_back_to_resubmission(walk: Walk) -> None:
    fid = walk.create(fx.filing_body())
    walk.upload_documents(fid)
    walk.submit(fid)
    r = walk.decide(fid, "reject", ["R-REJ-1"])
    assert r.json()["stage"] == "rejected" and r.json()["status"] == "rejected"
    f = walk.get(fid)
    assert [c["code"] for c in f["next_steps"]] == ["FIX_AND_RESUBMIT"]
    assert "R-REJ-1" in f["next_steps"][0]["message"]
    assert f["journey"]["rejections"][0]["by"] == "reviewer"
    notices = [m["body"] for m in walk.outbox(fid) if m["kind"] == "notice"]
    assert any("驳回" in n and "R-REJ-1" in n for n in notices)
    # the applicant fixes (edits and new documents are allowed again) and resubmits
    r = walk.env.client.patch(f"/v1/filings/{fid}", json={"account_has_cvm": True}, headers=walk.h)
    assert r.status_code == 200, r.text
    r = walk.submit(fid)
    assert r.status_code == 200 and r.json()["stage"] == "initial_review"
    # a reviewer may not decide twice, nor at a stage that is not a review
    assert walk.decide(fid).json()["stage"] == "identity_check"
    r = walk.decide(fid)
    assert r.status_code == 409
    walk.env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=walk.h)
    walk.video(fid, "pass")
    walk.decide(fid)
    assert walk.get(fid)["stage"] == "at_authority"
    # the authority rejects: back to the applicant with its reasons
    r = walk.authority(fid, decision="rejected", reasons=["网站名称不符合规范"])
    assert r.status_code == 200 and r.json()["stage"] == "rejected"
    f = walk.get(fid)
    assert f["journey"]["rejections"][-1] == {
        "by": "authority",
        "at": walk.clock.now.isoformat(),
        "reasons": ["网站名称不符合规范"],
    }
    assert walk.submit(fid).json()["stage"] == "initial_review"


def test_a_rejected_video_check_retries_or_falls_back_to_the_backdrop_photo(walk: Walk) -> None:
    fid = walk.create(fx.filing_body())
    walk.upload_documents(fid)
    walk.submit(fid)
    walk.decide(fid)
    walk.env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=walk.h)
    job = walk.video(fid, "reject")
    assert job["decision"] == "reject"
    f = walk.get(fid)
    assert f["stage"] == "identity_check"
    assert [c["code"] for c in f["next_steps"]] == ["RECORD_VIDEO", "UPLOAD_BACKDROP_PHOTO"]
    # second review only ever sees a passed identity check
    assert walk.decide(fid).status_code == 409
    # the fall-back: a backdrop photo switches the filing to that path, one way
    r = walk.backdrop(fid)
    assert r.status_code == 200 and r.json()["filing"]["stage"] == "second_review"
    f = r.json()["filing"]
    assert f["identity"]["path"] == "backdrop_photo" and f["video_check_eligible"] is True
    r = walk.env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=walk.h)
    assert r.status_code == 409


def test_a_backdrop_photo_before_submission_counts_after_initial_review(walk: Walk) -> None:
    fid = walk.create(pilot_body())
    walk.upload_documents(fid)
    r = walk.backdrop(fid, faces=0)
    assert r.json()["backdrop"]["decision"] == "reject"
    r = walk.submit(fid)
    assert r.status_code == 409 and r.json()["error"] == "BACKDROP_CHECK_REJECTED"
    walk.backdrop(fid)
    assert walk.submit(fid).status_code == 200
    assert walk.decide(fid).json()["stage"] == "second_review"


GOOD_FORM = {
    "form_detected": True,
    "matches_filing": True,
    "principal_ok": True,
    "url_ok": True,
    "sign_zone_found": True,
    "signature_present": True,
    "seal_count": 1,
    "seals_beside": [True],
    "date_blank": True,
}
SEAL_BOXES = {
    "signature": [[[300, 600], [520, 600], [520, 680], [300, 680]]],
    "seals": [[[80, 90], [200, 90], [200, 210], [80, 210]]],
}


def test_the_verification_form_decides_r_doc_4_and_r_rej_2(walk: Walk) -> None:
    fid = walk.create(fx.filing_body())
    rules = walk.rules(fid)
    assert rules["R-DOC-4"] == "skipped" and rules["R-REJ-2"] == "skipped"  # no form yet

    def upload(facts: dict[str, Any], boxes: dict[str, Any] | None = None) -> Any:
        return walk.env.client.post(
            f"/v1/filings/{fid}/forms",
            files={"file": ("form.jpg", fx.fake_form(facts, boxes), "image/jpeg")},
            headers=walk.h,
        )

    # the seal at the top of the page, not beside the signature (R-REJ-2)
    r = upload({**GOOD_FORM, "seals_beside": [False]}, SEAL_BOXES)
    assert r.status_code == 200, r.text
    assert r.json()["form"]["decision"] == "reject"
    found = {x["id"]: x for x in r.json()["filing"]["check"]["rules"]}
    assert found["R-REJ-2"]["status"] == "failed" and "盖章位置" in found["R-REJ-2"]["reason"]
    assert found["R-DOC-4"]["status"] == "passed"
    # the page draws what the check found on the photo
    detail = walk.env.client.get(f"/v1/review/filings/{fid}", headers=walk.rv).json()
    form_id = detail["form_checks"][0]["id"]
    page = walk.env.client.get(f"/review/filings/{fid}", headers=walk.rv)
    assert f"/review/media/form/{form_id}.jpg" in page.text
    assert page.text.count('<polygon class="seals"') == 1
    assert '<polygon class="signature"' in page.text
    # a date written in: R-DOC-4 fails
    r = upload({**GOOD_FORM, "date_blank": False})
    rules = {x["id"]: x["status"] for x in r.json()["filing"]["check"]["rules"]}
    assert rules["R-DOC-4"] == "failed"
    # the check could not find the signature zone: a person looks (skipped, not passed)
    r = upload({**GOOD_FORM, "sign_zone_found": False})
    rules = {x["id"]: x["status"] for x in r.json()["filing"]["check"]["rules"]}
    assert rules["R-DOC-4"] == "skipped"
    r = upload(GOOD_FORM)
    assert r.json()["form"]["decision"] == "pass"
    rules = {x["id"]: x["status"] for x in r.json()["filing"]["check"]["rules"]}
    assert rules["R-DOC-4"] == "passed" and rules["R-REJ-2"] == "passed"
    # the form is a material: not taken once the filing is in review
    walk.upload_documents(fid)
    walk.submit(fid)
    assert upload(GOOD_FORM).status_code == 409


def test_backdrop_needs_the_portrait_and_a_stage_that_takes_it(walk: Walk) -> None:
    fid = walk.create(pilot_body())
    r = walk.backdrop(fid)
    assert r.status_code == 409 and r.json()["error"] == "NO_PORTRAIT"
    walk.upload_documents(fid)
    walk.submit(fid)
    r = walk.backdrop(fid)  # in initial review
    assert r.status_code == 409 and r.json()["error"] == "CONFLICT"
    with walk.env.rt.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM backdrop_checks")).scalar() == 0


def test_sms_not_verified_within_48_hours_returns_the_application(walk: Walk) -> None:
    fid = walk.to_sms(pilot_body())
    walk.clock.at(47.99)
    walk.tick()
    assert walk.get(fid)["stage"] == "sms_verification"
    walk.clock.at(48)
    counts = walk.tick()
    assert counts["returned"] == 1
    f = walk.get(fid)
    assert f["stage"] == "returned" and f["status"] == "returned"
    assert "R-SMS-2" in f["journey"]["rejections"][-1]["reasons"][0]
    assert [c["code"] for c in f["next_steps"]] == ["FIX_AND_RESUBMIT"]
    assert walk.rules(fid)["R-SMS-2"] == "failed"
    # idempotent: another tick changes and sends nothing
    before = len(walk.outbox(fid))
    assert walk.tick()["filings"] == 0
    assert len(walk.outbox(fid)) == before
    # a code entered late is refused; the applicant resubmits
    code = walk.sms_codes(fid)["13800138000"][-1]
    r = walk.verify(fid, "13800138000", code, fx.PRINCIPAL_ID[-6:])
    assert r.status_code == 409
    assert walk.submit(fid).json()["stage"] == "initial_review"
    assert walk.rules(fid)["R-SMS-2"] == "skipped"  # a new session will be judged


def test_five_wrong_certificate_tails_return_the_application(walk: Walk) -> None:
    fid = walk.to_sms(pilot_body())
    code = walk.sms_codes(fid)["13800138000"][0]
    for i in range(1, 5):
        r = walk.verify(fid, "13800138000", code, "99999X")
        assert r.json()["result"] == "certificate_wrong", r.text
        assert r.json()["filing"]["journey"]["sms"]["wrong_certificate_attempts"] == i
        assert r.json()["filing"]["stage"] == "sms_verification"
    assert walk.rules(fid)["R-SMS-3"] == "skipped"  # waiting, 4 wrong
    r = walk.verify(fid, "13800138000", code, "99999X")
    assert r.json()["result"] == "returned"
    f = r.json()["filing"]
    assert f["stage"] == "returned" and "R-SMS-3" in f["journey"]["rejections"][-1]["reasons"][0]
    rules = walk.rules(fid)
    assert rules["R-SMS-3"] == "failed" and rules["R-SMS-1"] == "passed"
    notices = [m["body"] for m in walk.outbox(fid) if m["kind"] == "notice"]
    assert any("退回" in n for n in notices)


def test_the_code_is_resent_once_at_noon_next_day_china_time(walk: Walk) -> None:
    fid = walk.to_sms(pilot_body())  # sent Monday 09:30 China time
    first = walk.sms_codes(fid)["13800138000"]
    walk.clock.now = dt.datetime(2026, 3, 3, 3, 59, tzinfo=dt.UTC)  # Tuesday 11:59 China
    assert walk.tick()["resent"] == 0
    walk.clock.now = dt.datetime(2026, 3, 3, 4, 0, tzinfo=dt.UTC)  # Tuesday 12:00 China
    assert walk.tick()["resent"] == 1
    assert walk.tick()["resent"] == 0  # once
    codes = walk.sms_codes(fid)["13800138000"]
    assert len(codes) == 2 and codes[0] == first[0]
    f = walk.get(fid)
    assert f["journey"]["sms"]["resent_at"] == walk.clock.now.isoformat()
    assert [c["code"] for c in f["next_steps"]] == ["VERIFY_SMS"]
    # the resend does not extend the window: still 48 hours from the first sending
    assert f["journey"]["sms"]["expires_at"] == (T0 + dt.timedelta(hours=48)).isoformat()
    r = walk.env.client.post(f"/v1/filings/{fid}/sms/resend", headers=walk.h)
    assert r.status_code == 409 and r.json()["error"] == "INVALID_STATE"
    tail = fx.PRINCIPAL_ID[-6:]
    if codes[0] != codes[1]:  # the earlier code no longer verifies
        assert walk.verify(fid, "13800138000", codes[0], tail).json()["result"] == "code_wrong"
    assert walk.verify(fid, "13800138000", codes[1], tail).json()["result"] == "verified"


def test_wrong_codes_spend_the_code_so_that_it_cannot_be_guessed(walk: Walk) -> None:
    fid = walk.to_sms(pilot_body())
    code = walk.sms_codes(fid)["13800138000"][0]
    tail = fx.PRINCIPAL_ID[-6:]
    guesses = [f"{n:06d}" for n in range(20) if f"{n:06d}" != code][:5]
    for guess in guesses:
        assert walk.verify(fid, "13800138000", guess, tail).json()["result"] == "code_wrong"
    r = walk.verify(fid, "13800138000", code, tail)  # even the right one now
    assert r.status_code == 409 and r.json()["error"] == "SMS_CODE_SPENT"
    assert walk.get(fid)["stage"] == "sms_verification"
    assert walk.env.client.post(f"/v1/filings/{fid}/sms/resend", headers=walk.h).status_code == 200
    fresh = walk.sms_codes(fid)["13800138000"][-1]
    assert walk.verify(fid, "13800138000", fresh, tail).json()["result"] == "verified"


def test_a_resend_on_request_replaces_the_noon_one(walk: Walk) -> None:
    fid = walk.to_sms(pilot_body())
    walk.clock.at(2)
    r = walk.env.client.post(f"/v1/filings/{fid}/sms/resend", headers=walk.h)
    assert r.status_code == 200, r.text
    assert len(walk.sms_codes(fid)["13800138000"]) == 2
    walk.clock.at(27)  # past noon next day
    assert walk.tick()["resent"] == 0
    assert len(walk.sms_codes(fid)["13800138000"]) == 2


def test_first_filing_verifiers_are_both_principals(walk: Walk) -> None:
    fid = walk.to_sms(two_people_body())
    f = walk.get(fid)
    assert f["journey"]["sms_verifiers"] == ["主体负责人", "网站1负责人"]
    codes = walk.sms_codes(fid)
    assert sorted(codes) == ["13800138000", WEB_MOBILE]
    r = walk.verify(fid, "13800138000", codes["13800138000"][0], fx.PRINCIPAL_ID[-6:])
    assert r.json()["result"] == "verified" and r.json()["verifier"] == "主体负责人"
    assert r.json()["filing"]["stage"] == "sms_verification"  # the other one still waits
    assert "网站1负责人" in r.json()["filing"]["next_steps"][0]["message"]
    # the subject principal's tail does not verify the website principal
    r = walk.verify(fid, WEB_MOBILE, codes[WEB_MOBILE][0], fx.PRINCIPAL_ID[-6:])
    assert r.json()["result"] == "certificate_wrong"
    r = walk.verify(fid, WEB_MOBILE, codes[WEB_MOBILE][0], WEB_ID[-6:])
    assert r.json()["result"] == "verified" and r.json()["filing"]["stage"] == "at_authority"


@pytest.mark.parametrize(
    ("registered", "filing_type", "r_sms_4"),
    [
        # transfer-in: the website principal's number must equal the filed one, which the
        # registry does not hold: that part stays open (said so), not passed
        (["example.com"], "transfer_in", "skipped"),
        (["old-example.com"], "new_website", "passed"),
    ],
)
def test_transfer_in_and_new_website_verify_the_website_principal_only(
    walk: Walk, registered: list[str], filing_type: str, r_sms_4: str
) -> None:
    walk.env.rt.external_registry.append(
        {"certificate_number": fx.CREDIT_CODE, "domains": registered, "provider": "other"}
    )
    fid = walk.to_sms(two_people_body())
    f = walk.get(fid)
    assert f["filing_type"] == filing_type
    assert f["journey"]["sms_verifiers"] == ["网站1负责人"]
    codes = walk.sms_codes(fid)
    assert list(codes) == [WEB_MOBILE]
    r = walk.verify(fid, "13800138000", codes[WEB_MOBILE][0], fx.PRINCIPAL_ID[-6:])
    assert r.status_code == 422  # the subject principal does not verify here
    r = walk.verify(fid, WEB_MOBILE, codes[WEB_MOBILE][0], WEB_ID[-6:])
    assert r.json()["filing"]["stage"] == "at_authority"
    rules = walk.rules(fid)
    assert [rules[f"R-SMS-{i}"] for i in range(1, 5)] == ["passed"] * 3 + [r_sms_4]


def test_the_service_ticks_by_itself(make_env: EnvFactory) -> None:
    env = make_env(tick_interval_s=0.05)
    clock = Clock(T0)
    env.rt.clock = clock
    w = Walk(env, env.key(), env.reviewer(), env.reviewer("管理员", "admin"), clock)
    fid = w.to_sms(pilot_body())
    clock.at(49)
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and w.get(fid)["stage"] != "returned":
        time.sleep(0.05)
    assert w.get(fid)["stage"] == "returned"


def test_a_stale_state_is_never_applied(walk: Walk) -> None:
    """Compare-and-set: an event computed on an old state is refused, not applied twice."""
    from kyc.api.errors import ApiError
    from kyc.api.usecases import stages as service
    from kyc.filing import lifecycle as lc
    from kyc.store.tables import Filing

    fid = walk.to_sms(pilot_body())
    walk.clock.at(30)
    rt = walk.env.rt
    with rt.sessions() as a, rt.sessions() as b:
        fa, fb = a.get(Filing, fid), b.get(Filing, fid)
        assert fa is not None and fb is not None
        service.advance(rt, a, fa, lc.ClockTick(rt.clock()))
        a.commit()
        with pytest.raises(ApiError) as err:
            service.advance(rt, b, fb, lc.ClockTick(rt.clock()))
        assert err.value.status == 409
    assert len(walk.sms_codes(fid)["13800138000"]) == 2  # resent once


def test_kyc_tick_from_cron(walk: Walk, monkeypatch: pytest.MonkeyPatch) -> None:
    from kyc.cli import main

    # a filing whose codes went out three days ago (by the wall clock)
    fid = walk.to_sms(pilot_body())
    settings = walk.env.settings
    monkeypatch.setenv("KYC_DATABASE_URL", str(settings.service.database_url))
    monkeypatch.setenv("KYC_SERVICE__ENCRYPTION_KEY", str(settings.service.encryption_key))
    monkeypatch.setenv("KYC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KYC_ENVIRONMENT", "test")
    import io
    from contextlib import redirect_stdout

    from kyc.config import get_settings

    get_settings.cache_clear()
    try:
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["tick"]) == 0
        assert json.loads(out.getvalue())["returned"] == 1
        assert walk.get(fid)["stage"] == "returned"
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["tick"]) == 0
        assert json.loads(out.getvalue()) == {
            "filings": 0,
            "resent": 0,
            "returned": 0,
            "conflicts": 0,
            "delivered": 0,
            "undelivered": 0,
        }
    finally:
        get_settings.cache_clear()


def test_backdrop_photos_are_purged_with_the_documents(walk: Walk) -> None:
    from kyc.store import repo
    from kyc.store.tables import BackdropCheck, utcnow

    fid = walk.create(pilot_body())
    walk.upload_documents(fid)
    assert walk.backdrop(fid).status_code == 200
    rt = walk.env.rt
    with rt.sessions() as s:
        key = s.scalars(select(BackdropCheck.raw_key)).one()
    assert key and rt.blobs.exists(key)
    later = utcnow() + dt.timedelta(days=31)
    report = repo.purge(rt.sessions, rt.blobs, dt.timedelta(days=30), now=lambda: later)
    assert report.documents == 3  # two documents and the photo
    assert not rt.blobs.exists(key)
    detail = walk.env.client.get(f"/v1/review/filings/{fid}", headers=walk.rv).json()
    assert detail["backdrop_checks"][0]["has_photo"] is False
    assert detail["backdrop_checks"][0]["decision"] == "pass"  # the result stays


def test_an_existing_database_is_upgraded(tmp_path: Path) -> None:
    """Migration 0003 on a database of revision 0002: stages from statuses."""
    from alembic import command

    from kyc.api.runtime import build_runtime
    from kyc.store.db import alembic_config

    db = f"sqlite:///{tmp_path / 'kyc.sqlite3'}"
    settings = make_settings(tmp_path, db)
    rt = build_runtime(settings, pool_kind="thread", reader_spec=fx.READER, video_spec=fx.VIDEO)
    from kyc.api.usecases import filings as service
    from kyc.store import repo

    with rt.sessions() as s:
        repo.create_api_key(s, "acme")
    ids = [service.create_filing(rt, "acme", fx.filing_body(f"d{i}.com")).id for i in range(3)]
    command.downgrade(alembic_config(rt.engine), "0002")
    with rt.engine.begin() as c:
        c.execute(text("UPDATE filings SET status='submitted' WHERE id=:i"), {"i": ids[1]})
        c.execute(text("UPDATE filings SET status='rejected' WHERE id=:i"), {"i": ids[2]})
    rt.close()
    rt = build_runtime(settings, pool_kind="thread", reader_spec=fx.READER, video_spec=fx.VIDEO)
    try:
        stages = [service.get_filing(rt, "acme", i).stage for i in ids]
        assert stages == ["materials", "initial_review", "rejected"]
        with rt.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
    finally:
        rt.close()


class _Gateway:
    """A real HTTP server on a free local port standing in for an SMS / e-mail gateway."""

    def __init__(self, status: int = 200) -> None:
        import http.server
        import threading

        self.status = status
        self.received: list[tuple[dict[str, Any], str | None]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                outer.received.append((body, self.headers.get("Authorization")))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_gateway_gets_each_message_once_and_failures_are_retried(
    make_env: EnvFactory,
) -> None:
    gateway = _Gateway(status=503)
    try:
        env = make_env(
            tick_interval_s=0, notify_gateway_url=gateway.url, notify_gateway_token="gw-secret"
        )
        clock = Clock(T0)
        env.rt.clock = clock
        w = Walk(env, env.key(), env.reviewer(), env.reviewer("管理员", "admin"), clock)
        fid = w.to_sms(pilot_body())
        pending = [m for m in w.outbox(fid) if m["channel"] in ("sms", "email")]
        assert pending and all(m["sent_at"] is None for m in pending)
        counts = w.tick()  # the gateway refuses: recorded, kept for the next tick
        assert counts["delivered"] == 0 and counts["undelivered"] == len(pending)
        assert {m["last_error"] for m in w.outbox(fid) if m["channel"] == "sms"} == {"HTTP 503"}
        gateway.status = 200
        gateway.received.clear()
        counts = w.tick()
        assert counts["delivered"] == len(pending)
        assert all(m["sent_at"] for m in w.outbox(fid) if m["channel"] in ("sms", "email"))
        assert w.tick()["delivered"] == 0  # once
        bodies = [b for b, _ in gateway.received]
        assert {auth for _, auth in gateway.received} == {"Bearer gw-secret"}
        codes = [b for b in bodies if b["kind"] == "code"]
        assert len(codes) == 1 and codes[0]["to"] == "13800138000"
        assert CODE_RE.search(codes[0]["body"])
        assert not any(b["channel"] == "authority" for b in bodies)  # not an SMS / e-mail
    finally:
        gateway.close()
