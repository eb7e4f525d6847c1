"""Invariants of the rules engine over generated orders (hypothesis)."""

from __future__ import annotations

from typing import Any, get_args

from filing_factory import (
    CREDIT_CODE,
    TODAY,
    enterprise,
    id_back,
    id_front,
    individual,
    license_doc,
    website,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kyc.errors import BadInput
from kyc.filing.check import RULE_IDS, check_filing
from kyc.filing.lifecycle import (
    AuthorityApproved,
    ClockTick,
    Event,
    IdentityChecked,
    Rejected,
    Resubmitted,
    ReviewPassed,
    SmsAnswered,
    SmsResendRequested,
    Stage,
    SubjectSaved,
    SubmittedForReview,
    TypeVerified,
    WebsitesSaved,
    start,
    step,
)
from kyc.filing.model import CertificateType, Nature, parse_filing, parse_registry

REGIONS = [
    ("广东省", "深圳市"),
    ("广东省", "广州市"),
    ("广东", "东莞市"),
    ("天津市", "天津市"),
    ("浙江省", "杭州市"),
    ("北京市", "北京市"),
    ("海南省", "海口市"),
    ("新疆维吾尔自治区", "乌鲁木齐市"),
    ("广西壮族自治区", "南宁市"),
    ("香港特别行政区", "香港"),
]
NATURES = list(get_args(Nature))
CERTS = list(get_args(CertificateType))
PHONES = [
    None,
    "086-0755-86013388",
    "086-020-12345678",
    "086-022-23456789",
    "0755-1",
    "086-010-62345678",
]
WARNINGS = ["BLUR", "GLARE", "EXPIRED", "PHOTOCOPY", "RECAPTURE", "OCCLUSION"]
CONTENT = ["portal", "unit_portal", "personal", "other"]
PRE = ["news", "education", "bulletin_board", "culture"]

FILING = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sites(draw: st.DrawFn, n_min: int = 0, n_max: int = 12) -> list[dict[str, Any]]:
    n = draw(st.integers(n_min, n_max))
    out = []
    for i in range(n):
        k = draw(st.integers(0, 12))
        domains = [f"s{i}d{j}.example.com" for j in range(k)]
        out.append(
            website(
                domains=domains,
                homepage_url=f"www.{domains[0]}" if domains else "www.none.com",
                service_content=draw(st.sampled_from(CONTENT)),
                pre_approvals=draw(st.lists(st.sampled_from(PRE), max_size=2, unique=True)),
                note=draw(st.sampled_from(["", "域名指向同一网站", "公司产品介绍与新闻动态"])),
                cloud_services=draw(
                    st.sampled_from(
                        [
                            [{"type": "cvm", "ip": "10.0.0.1"}],
                            [{"type": "cvm", "ip": f"10.0.1.{i}"}],
                            [{"type": "site_host", "ip": "10.0.0.2"}],
                            [{"type": "authorization_code", "code": "AC1"}],
                        ]
                    )
                ),
                reachable=draw(st.sampled_from([None, True, False])),
            )
        )
    return out


@st.composite
def orders(
    draw: st.DrawFn, websites: st.SearchStrategy[list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = draw(st.sampled_from([enterprise, individual]))()
    province, city = draw(st.sampled_from(REGIONS))
    obj["region"] = {"province": province, "city": city, "district": ""}
    obj["account_has_cvm"] = draw(st.booleans())
    s = obj["subject"]
    s["nature"] = draw(st.sampled_from(NATURES))
    s["certificate_type"] = draw(st.sampled_from(CERTS))
    s["principal"]["office_phone"] = draw(st.sampled_from(PHONES))
    s["principal"]["is_legal_representative"] = draw(st.booleans())
    if draw(st.booleans()):
        s.pop("mailing_address")
    obj["websites"] = draw(websites if websites is not None else sites())
    docs = [license_doc(), id_front(), id_back(draw(st.sampled_from(["2030-01-01", "2020-01-01"])))]
    chosen = draw(st.lists(st.sampled_from(docs), max_size=3))
    for d in chosen:
        d["warnings"] = draw(st.lists(st.sampled_from(WARNINGS), max_size=2, unique=True))
    obj["documents"] = chosen
    return obj


registries = st.lists(
    st.fixed_dictionaries(
        {
            "certificate_number": st.sampled_from([CREDIT_CODE, "91440300MA5BTHER2X"]),
            "domains": st.lists(
                st.sampled_from(["example.com", "s0d0.example.com", "z.com"]), max_size=2
            ),
            "provider": st.sampled_from(["us", "other"]),
            "account_id": st.sampled_from(["acct-1", "acct-2", None]),
        }
    ),
    max_size=3,
)


@FILING
@given(orders(), registries)
def test_a_result_for_every_rule_and_ok_iff_none_failed(
    obj: dict[str, Any], reg: list[Any]
) -> None:
    check = check_filing(parse_filing(obj), parse_registry(reg), TODAY)
    assert tuple(r.id for r in check.rules) == RULE_IDS
    for r in check.rules:
        assert r.status in ("passed", "failed", "skipped")
        assert r.reason.startswith(r.id + "：") and len(r.reason) > len(r.id) + 1
    failed = any(r.status == "failed" for r in check.rules)
    assert check.ok is (not failed)
    out = check.to_json()
    assert set(out) == {"filing_type", "path", "rules", "ok"}
    assert out["ok"] is check.ok


@FILING
@given(orders(), registries)
def test_video_check_iff_every_mini_rule_passed(obj: dict[str, Any], reg: list[Any]) -> None:
    check = check_filing(parse_filing(obj), parse_registry(reg), TODAY)
    mini = [r for r in check.rules if r.id.startswith("R-MINI-")]
    assert len(mini) == 5
    assert (check.path == "video_check") is all(r.status == "passed" for r in mini)
    if check.path == "backdrop_photo":
        assert check.path_reasons and all(r.startswith("R-MINI-") for r in check.path_reasons)


@FILING
@given(orders(), registries)
def test_nothing_outside_guangdong_goes_to_video_check(obj: dict[str, Any], reg: list[Any]) -> None:
    check = check_filing(parse_filing(obj), parse_registry(reg), TODAY)
    if not obj["region"]["province"].startswith("广东"):
        assert check.path == "backdrop_photo"
        assert check.result("R-MINI-1").status == "failed"


@FILING
@given(orders(websites=sites(n_min=11, n_max=14)))
def test_an_eleventh_website_always_fails_site_1(obj: dict[str, Any]) -> None:
    check = check_filing(parse_filing(obj), (), TODAY)
    assert check.result("R-SITE-1").status == "failed"
    assert not check.ok


@FILING
@given(orders(websites=sites(n_min=1, n_max=3)), st.integers(11, 20), st.data())
def test_an_eleventh_domain_always_fails_site_1(
    obj: dict[str, Any], k: int, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(obj["websites"]) - 1))
    obj["websites"][i]["domains"] = [f"many{j}.example.org" for j in range(k)]
    check = check_filing(parse_filing(obj), (), TODAY)
    assert check.result("R-SITE-1").status == "failed"


@FILING
@given(orders(), registries)
def test_refusal_when_certificate_is_under_another_account(
    obj: dict[str, Any], reg: list[Any]
) -> None:
    number = obj["subject"]["certificate_number"]
    reg = [
        *reg,
        {"certificate_number": number, "domains": ["q.com"], "provider": "us", "account_id": "zz"},
    ]
    check = check_filing(parse_filing(obj), parse_registry(reg), TODAY)
    assert check.result("R-REJ-4").status == "failed"
    assert check.result("R-SUBJ-10").status == "failed"
    assert not check.ok and check.path == "backdrop_photo"


EVENTS = st.sampled_from(
    [
        "type",
        "subject",
        "sites",
        "submit",
        "pass",
        "identity",
        "reject",
        "resubmit",
        "answer_ok",
        "answer_bad",
        "resend",
        "tick",
        "approve",
    ]
)


@FILING
@given(st.lists(st.tuples(EVENTS, st.floats(0, 10)), max_size=30), st.booleans())
def test_lifecycle_only_moves_forward_in_time_and_never_crashes(
    script: list[tuple[str, float]], pilot: bool
) -> None:
    from datetime import datetime, timedelta

    now = datetime(2026, 6, 1, 9)
    state = start(now)
    for name, hours in script:
        now += timedelta(hours=hours)
        events: dict[str, Event] = {
            "type": TypeVerified(
                now, "first", "video_check", pilot, ("主体负责人",) if pilot else ()
            ),
            "subject": SubjectSaved(now),
            "sites": WebsitesSaved(now),
            "submit": SubmittedForReview(now),
            "pass": ReviewPassed(now),
            "identity": IdentityChecked(now),
            "reject": Rejected(now, ("R-REJ-1：x",)),
            "resubmit": Resubmitted(now),
            "answer_ok": SmsAnswered(now, "主体负责人", True, True),
            "answer_bad": SmsAnswered(now, "主体负责人", True, False),
            "resend": SmsResendRequested(now),
            "tick": ClockTick(now),
            "approve": AuthorityApproved(now, "X"),
        }
        event = events[name]
        try:
            nxt = step(state, event).state
        except BadInput:
            continue
        assert nxt.updated_at >= state.updated_at
        if state.stage in (Stage.DONE, Stage.REFUSED):
            assert nxt.stage == state.stage  # terminal: only ticks are accepted, and change nothing
        if nxt.stage == Stage.SMS_VERIFICATION:
            assert pilot
        state = nxt
