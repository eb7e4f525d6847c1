"""R-SMS: SMS verification at submission in the pilot provinces.

The window and the attempts (R-SMS-2, R-SMS-3) are judged on a running session
(``RuleContext.sms``, from the lifecycle); before submission they are skipped.
"""

from __future__ import annotations

from datetime import timedelta

from kyc.filing.facts import is_mobile, short_province
from kyc.filing.filing_type import FilingType
from kyc.filing.model import FilingOrder, Person, normalize_number
from kyc.filing.result import Finding, RuleContext, RuleFn, RuleResult, combine, result

PILOT_PROVINCES = ("天津", "甘肃", "青海", "西藏", "宁夏", "新疆", "海南")
CODE_VALIDITY = timedelta(hours=48)
MAX_WRONG_CERTIFICATE = 5
NOT_PILOT = "不适用：备案地区不在短信核验试点省份"


def is_pilot(province: str) -> bool:
    return short_province(province) in PILOT_PROVINCES


def sms_verifiers(order: FilingOrder, filing_type: FilingType) -> list[tuple[str, Person]]:
    """Who verifies (R-SMS-4): one entry per person (by certificate number)."""
    people: list[tuple[str, Person]] = []
    if filing_type == "first":
        people.append(("主体负责人", order.subject.principal))
    for i, site in enumerate(order.websites, start=1):
        people.append((f"网站{i}负责人", order.website_principal(site)))
    seen: set[str] = set()
    out = []
    for label, p in people:
        key = normalize_number(p.certificate_number)
        if key not in seen:
            seen.add(key)
            out.append((label, p))
    return out


def r_sms_1(ctx: RuleContext) -> RuleResult:
    province = ctx.province
    if not is_pilot(province):
        return result("R-SMS-1", "passed", NOT_PILOT, province=province, pilot=False)
    p = ctx.order.subject.principal
    if is_mobile(p.mobile):
        return result(
            "R-SMS-1",
            "passed",
            f"{province}为短信核验试点省份，提交管局时将向负责人手机发送核验码",
            province=province,
            pilot=True,
        )
    return result(
        "R-SMS-1",
        "failed",
        f"{province}为短信核验试点省份，主体负责人手机号无效，无法接收核验码",
        province=province,
        pilot=True,
    )


def r_sms_2(ctx: RuleContext) -> RuleResult:
    if not is_pilot(ctx.province):
        return result("R-SMS-2", "passed", NOT_PILOT, pilot=False)
    sms = ctx.sms
    if sms is None:
        return result(
            "R-SMS-2", "skipped", "尚未提交管局，短信核验未开始（核验码 48 小时有效）", pilot=True
        )
    deadline = sms.sent_at + CODE_VALIDITY
    inputs = {"pilot": True, "sent_at": sms.sent_at.isoformat(), "now": sms.now.isoformat()}
    if sms.verified:
        return result("R-SMS-2", "passed", "已在 48 小时内完成短信核验", **inputs)
    if sms.now >= deadline:
        return result("R-SMS-2", "failed", "超过 48 小时未完成短信核验，申请退回服务商", **inputs)
    hours = (deadline - sms.now).total_seconds() / 3600
    return result("R-SMS-2", "skipped", f"等待短信核验，剩余 {hours:.0f} 小时", **inputs)


def r_sms_3(ctx: RuleContext) -> RuleResult:
    if not is_pilot(ctx.province):
        return result("R-SMS-3", "passed", NOT_PILOT, pilot=False)
    sms = ctx.sms
    if sms is None:
        return result(
            "R-SMS-3",
            "skipped",
            "尚未提交管局：核验需核验码、手机号与证件号码后六位，证件号码错 5 次即退回",
            pilot=True,
        )
    wrong = sms.wrong_certificate_attempts
    inputs = {"pilot": True, "wrong_certificate_attempts": wrong}
    if wrong >= MAX_WRONG_CERTIFICATE:
        return result(
            "R-SMS-3", "failed", f"证件号码后六位输错 {wrong} 次，核验失败，申请退回", **inputs
        )
    if sms.verified:
        return result("R-SMS-3", "passed", f"核验通过（证件号码输错 {wrong} 次）", **inputs)
    return result(
        "R-SMS-3",
        "skipped",
        f"等待核验（证件号码已错 {wrong} 次，{MAX_WRONG_CERTIFICATE} 次即退回）",
        **inputs,
    )


def r_sms_4(ctx: RuleContext) -> RuleResult:
    if not is_pilot(ctx.province):
        return result("R-SMS-4", "passed", NOT_PILOT, pilot=False)
    verifiers = sms_verifiers(ctx.order, ctx.decision.filing_type)
    findings: list[Finding] = []
    mobiles: dict[str, set[str]] = {}
    people = [("主体负责人", ctx.order.subject.principal), *ctx.persons()]
    for _, p in people:
        mobiles.setdefault(normalize_number(p.certificate_number), set()).add(p.mobile.strip())
    for label, p in verifiers:
        if not is_mobile(p.mobile):
            findings.append(Finding("failed", f"核验人{label}手机号无效，无法接收核验码"))
        elif len(mobiles.get(normalize_number(p.certificate_number), set())) > 1:
            findings.append(
                Finding(
                    "failed",
                    f"核验人{label}在订单中以同一证件号码填写了不同手机号（同一人只用一个核验码）",
                )
            )
    if ctx.decision.filing_type == "transfer_in":
        findings.append(
            Finding("skipped", "转入备案：网站负责人手机号须与已备案一致（登记库无手机号，未核对）")
        )
    if not any(f.status == "failed" for f in findings):
        names = "、".join(label for label, _ in verifiers) or "无"
        findings.append(Finding("passed", f"短信核验人：{names}"))
    return combine(
        "R-SMS-4",
        findings,
        pilot=True,
        filing_type=ctx.decision.filing_type,
        verifiers=[label for label, _ in verifiers],
    )


RULES: tuple[RuleFn, ...] = (r_sms_1, r_sms_2, r_sms_3, r_sms_4)
