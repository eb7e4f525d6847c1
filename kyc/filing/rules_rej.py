"""R-REJ: the common rejection reasons, caught before a human reviewer sees the order."""

from __future__ import annotations

import re

from kyc.filing.facts import (
    CERTIFICATES,
    UNCLEAR_WARNINGS,
    certificate_reading,
    expired,
    warning_text,
)
from kyc.filing.result import Finding, RuleContext, RuleFn, RuleResult, combine, result
from kyc.filing.rules_doc import DOC_TEXT
from kyc.filing.rules_site import PRE_APPROVAL_TEXT
from kyc.filing.rules_subject import (
    age_finding,
    certificate_findings,
    phone_findings,
    subject_certificate,
)

# Words in a site's name or note that suggest content needing a pre-approval.
PRE_APPROVAL_WORDS: dict[str, re.Pattern[str]] = {
    # A company's own news section ("新闻中心", "公司新闻") is not news publishing.
    "news": re.compile(r"(?<!公司)(?<!企业)新闻(?!动态|中心)|时事|新闻资讯"),
    "publishing": re.compile(r"出版|电子书|期刊"),
    "education": re.compile(r"教育|培训|学校|网校|课程"),
    "medical": re.compile(r"医疗|医院|诊所|健康咨询|问诊"),
    "drugs_medical_devices": re.compile(r"药品|药店|医疗器械"),
    "bulletin_board": re.compile(r"论坛|BBS|bbs|留言板|社区"),
    "culture": re.compile(r"游戏|动漫|演出|音乐|网络文化"),
    "radio_film_tv": re.compile(r"影视|视频|电影|电视|广播|直播"),
}


def r_rej_1(ctx: RuleContext) -> RuleResult:
    docs = ctx.order.documents
    if not docs:
        return result("R-REJ-1", "skipped", "未上传证件图片", documents=0)
    findings: list[Finding] = []
    for i, d in enumerate(docs, start=1):
        label = f"材料{i}（{DOC_TEXT[d.reading.document_type]}）"
        unclear = [w for w in d.reading.warnings if w in UNCLEAR_WARNINGS]
        if unclear:
            findings.append(Finding("failed", f"{label}不清晰：{warning_text(unclear)}"))
        else:
            findings.append(Finding("passed", f"{label}清晰（质量 {d.reading.quality:.2f}）"))
    return combine(
        "R-REJ-1",
        findings,
        warnings=[list(d.reading.warnings) for d in docs],
        quality=[d.reading.quality for d in docs],
    )


def r_rej_2(ctx: RuleContext) -> RuleResult:
    if ctx.is_individual:
        return result("R-REJ-2", "passed", "不适用：个人核验单只需签字，不盖章", individual=True)
    return result(
        "R-REJ-2",
        "skipped",
        "公章位置（仅在底部网站负责人签字旁）需核验单图像判断，未提供核验单识别结果",
        individual=False,
    )


def r_rej_3(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites, start=1):
        if ctx.is_individual and site.service_content in ("portal", "unit_portal"):
            findings.append(Finding("failed", f"网站{i}：个人主体不能开办门户类网站"))
        if not ctx.is_individual and site.service_content == "personal":
            findings.append(Finding("failed", f"网站{i}：单位主体的网站不能是个人网站"))
        text = f"{site.name} {site.note}"
        for category, pattern in PRE_APPROVAL_WORDS.items():
            m = pattern.search(text)
            if m and category not in site.pre_approvals:
                findings.append(
                    Finding(
                        "failed",
                        f"网站{i}名称或备注含“{m.group()}”，疑似涉及{PRE_APPROVAL_TEXT[category]}"
                        "，但未选择相应前置审批",
                    )
                )
    if not findings:
        findings.append(Finding("passed", "网站内容与主体性质相符，未发现缺少的前置审批"))
    return combine(
        "R-REJ-3",
        findings,
        individual=ctx.is_individual,
        sites=[
            {"name": s.name, "pre_approvals": list(s.pre_approvals)} for s in ctx.order.websites
        ],
    )


def r_rej_4(ctx: RuleContext) -> RuleResult:
    d = ctx.decision
    if d.refused:
        return result(
            "R-REJ-4",
            "failed",
            "该证件已在其他账号下有备案记录（already has a filing record under another account）",
            other_accounts=len(d.other_accounts),
        )
    return result("R-REJ-4", "passed", "证件未在其他账号下备案", other_accounts=0)


def r_rej_5(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    findings: list[Finding] = []
    doc = subject_certificate(ctx)
    if doc is not None:
        findings.extend(
            certificate_findings(
                s.certificate_type,
                doc,
                name_label="主体名称",
                name=s.name,
                number_label="主体证件号码",
                number=s.certificate_number,
                address=s.certificate_address,
                address_label="主体证件地址",
                person=ctx.is_individual,
            )
        )
    else:
        findings.append(Finding("skipped", "缺少主体证件识别结果"))
    for label, person in ctx.persons():
        if ctx.is_individual and label == "主体负责人":
            continue  # the subject's own certificate, compared above
        if person.certificate_type not in CERTIFICATES:
            findings.append(Finding("skipped", f"{label}证件不在自动识别范围"))
            continue
        found = certificate_reading(
            person.certificate_type, ctx.order.documents, person.certificate_number, person.name
        )
        if found is None:
            text = "身份证" if person.certificate_type == "id_card" else "证件"
            findings.append(Finding("skipped", f"缺少{label}{text}识别结果"))
            continue
        findings.extend(
            certificate_findings(
                person.certificate_type,
                found,
                name_label=f"{label}姓名",
                name=person.name,
                number_label=f"{label}证件号码",
                number=person.certificate_number,
                person=True,
            )
        )
    return combine("R-REJ-5", findings, documents=len(ctx.order.documents))


def r_rej_6(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for i, d in enumerate(ctx.order.documents, start=1):
        if d.reading.document_type == "unknown":
            continue
        label = f"材料{i}（{DOC_TEXT[d.reading.document_type]}）"
        exp = expired(d, ctx.today)
        if exp is True:
            findings.append(Finding("failed", f"{label}已过有效期"))
        elif exp is False:
            findings.append(Finding("passed", f"{label}在有效期内"))
    if not any(d.reading.document_type != "unknown" for d in ctx.order.documents):
        findings.append(Finding("skipped", "缺少证件识别结果，无法判断证件是否过期"))
    findings.append(age_finding(ctx))
    findings.extend(phone_findings(ctx, area_only=True))
    return combine("R-REJ-6", findings, today=ctx.today.isoformat())


RULES: tuple[RuleFn, ...] = (r_rej_1, r_rej_2, r_rej_3, r_rej_4, r_rej_5, r_rej_6)
