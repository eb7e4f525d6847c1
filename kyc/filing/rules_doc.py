"""R-DOC: uploaded materials — file format, unit certificate, ID documents, forms, approvals."""

from __future__ import annotations

from kyc.filing.facts import (
    CERTIFICATES,
    ID_BACK_TYPES,
    UNIT_CERTIFICATES,
    certificate_reading,
    expired,
    id_reading_for,
    validity_of,
    warning_text,
)
from kyc.filing.model import Person
from kyc.filing.result import Finding, RuleContext, RuleFn, RuleResult, combine, result
from kyc.filing.rules_site import PRE_APPROVAL_TEXT

MAX_DOC_BYTES = 2 * 1024 * 1024
JPEG_FORMATS = ("jpg", "jpeg")
DOC_TEXT = {
    "id_card_front": "身份证人像面",
    "id_card_back": "身份证国徽面",
    "id_card_both": "身份证正反面",
    "business_license": "营业执照",
    "passport": "护照资料页",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "institution_certificate": "事业单位法人证书",
    "social_group_certificate": "社会团体法人登记证书",
    "private_non_enterprise_certificate": "民办非企业单位登记证书",
    "unknown": "未识别材料",
}


def r_doc_1(ctx: RuleContext) -> RuleResult:
    docs = ctx.order.documents
    findings: list[Finding] = []
    for i, d in enumerate(docs, start=1):
        label = f"材料{i}（{DOC_TEXT[d.reading.document_type]}）"
        if d.format is None or d.size_bytes is None:
            findings.append(Finding("skipped", f"{label}缺少文件格式或大小信息"))
        elif d.format not in JPEG_FORMATS:
            findings.append(Finding("failed", f"{label}为 {d.format} 格式，须为 jpg"))
        elif d.size_bytes > MAX_DOC_BYTES:
            findings.append(
                Finding("failed", f"{label}大小 {d.size_bytes / 1048576:.1f} MB，超过 2 MB")
            )
        else:
            findings.append(Finding("passed", f"{label}为 jpg，不超过 2 MB"))
    if not docs:
        return result("R-DOC-1", "skipped", "未上传材料，无法检查文件格式与大小", documents=0)
    return combine(
        "R-DOC-1",
        findings,
        documents=[{"format": d.format, "size_bytes": d.size_bytes} for d in docs],
    )


def r_doc_2(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    units = [d for d in ctx.order.documents if d.reading.document_type in UNIT_CERTIFICATES]
    if s.nature == "individual":
        if units:
            text = DOC_TEXT[units[0].reading.document_type]
            return result(
                "R-DOC-2", "failed", f"个人备案不应上传单位证件（{text}）", individual=True
            )
        return result("R-DOC-2", "passed", "个人备案无需单位证件", individual=True)
    cert = s.certificate_type
    read = cert in UNIT_CERTIFICATES
    lic = certificate_reading(cert, ctx.order.documents) if read else (units[0] if units else None)
    if lic is None:
        if read:
            return result("R-DOC-2", "failed", f"未上传{CERTIFICATES[cert].text}", individual=False)
        return result(
            "R-DOC-2",
            "skipped",
            f"单位证件（{cert}）不在自动识别范围，需人工核对清晰、完整、有效",
            individual=False,
        )
    text = DOC_TEXT[lic.reading.document_type]
    findings: list[Finding] = []
    if lic.reading.warnings:
        findings.append(
            Finding("failed", f"{text}图片存在问题：{warning_text(lic.reading.warnings)}")
        )
    exp = expired(lic, ctx.today)
    validity = validity_of(lic)
    term = "营业期限" if lic.reading.document_type == "business_license" else "有效期"
    if exp is True:
        findings.append(Finding("failed", f"{text}已超过{term}"))
    elif exp is None:
        findings.append(Finding("skipped", f"未识别出{term}，无法判断是否有效"))
    else:
        until = "长期" if validity is None or validity.until is None else str(validity.until)
        findings.append(Finding("passed", f"{text}在有效期内（至{until}）"))
    if not lic.reading.warnings:
        findings.append(Finding("passed", f"{text}图片清晰完整"))
    return combine(
        "R-DOC-2",
        findings,
        individual=False,
        warnings=list(lic.reading.warnings),
        quality=lic.reading.quality,
    )


def r_doc_3(ctx: RuleContext) -> RuleResult:
    docs = ctx.order.documents
    backs = [d for d in docs if d.reading.document_type in ID_BACK_TYPES]
    findings: list[Finding] = []
    needs_back = 0
    judged: list[str] = []
    for label, person in ctx.persons():
        if person.certificate_type != "id_card":
            findings.extend(_other_certificate(ctx, label, person))
            continue
        front = id_reading_for(person, docs)
        if front is None:
            findings.append(Finding("failed", f"缺少{label}的身份证人像面"))
            continue
        judged.append(label)
        if front.reading.document_type != "id_card_both":
            needs_back += 1
        if front.reading.warnings:
            findings.append(
                Finding(
                    "failed", f"{label}身份证图片存在问题：{warning_text(front.reading.warnings)}"
                )
            )
    back_only = [d for d in backs if d.reading.document_type == "id_card_back"]
    if needs_back > len(back_only):
        findings.append(
            Finding(
                "failed", f"缺少身份证国徽面（需要 {needs_back} 张，已上传 {len(back_only)} 张）"
            )
        )
    for d in backs:
        if d.reading.document_type == "id_card_back" and d.reading.warnings:
            findings.append(
                Finding("failed", f"身份证国徽面图片存在问题：{warning_text(d.reading.warnings)}")
            )
        exp = expired(d, ctx.today)
        if exp is True:
            findings.append(Finding("failed", "身份证已过有效期"))
        elif exp is None and judged:
            findings.append(Finding("skipped", "未识别出身份证有效期"))
    if judged and not any(f.status == "failed" for f in findings):
        findings.append(Finding("passed", f"{'、'.join(judged)}身份证正反面齐全、清晰且在有效期内"))
    return combine(
        "R-DOC-3",
        findings,
        fronts=len(judged),
        backs=len(backs),
        warnings=sorted({w for d in docs for w in d.reading.warnings}),
    )


def _other_certificate(ctx: RuleContext, label: str, person: Person) -> list[Finding]:
    """A principal's passport data page or permit card: uploaded, legible, valid."""
    cert = person.certificate_type
    if cert not in CERTIFICATES:
        return [Finding("skipped", f"{label}证件为 {cert}，不在自动识别范围")]
    text = CERTIFICATES[cert].text
    doc = certificate_reading(cert, ctx.order.documents, person.certificate_number, person.name)
    if doc is None:
        return [Finding("failed", f"缺少{label}的{text}")]
    out: list[Finding] = []
    if doc.reading.warnings:
        out.append(
            Finding("failed", f"{label}{text}图片存在问题：{warning_text(doc.reading.warnings)}")
        )
    exp = expired(doc, ctx.today)
    if exp is True:
        out.append(Finding("failed", f"{label}{text}已过有效期"))
    elif exp is None:
        out.append(Finding("skipped", f"未识别出{label}{text}的有效期"))
    elif not out:
        out.append(Finding("passed", f"{label}{text}清晰且在有效期内"))
    return out


def r_doc_4(ctx: RuleContext) -> RuleResult:
    if ctx.is_individual:
        need = "个人打印一份，本人签字"
    else:
        need = "单位打印两份，签字并在签字旁加盖公章，日期留空，其他不填"
    return result(
        "R-DOC-4",
        "skipped",
        f"《网站备案信息真实性核验单》需人工核对（{need}）：未提供核验单图像的识别结果",
        individual=ctx.is_individual,
    )


def r_doc_5(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        if not site.pre_approvals:
            continue
        names = "、".join(PRE_APPROVAL_TEXT[p] for p in site.pre_approvals)
        if site.pre_approval_document is None:
            findings.append(
                Finding("skipped", f"网站{i + 1}涉及{names}，未提供前置审批文件上传信息")
            )
        elif site.pre_approval_document:
            findings.append(Finding("passed", f"网站{i + 1}已上传前置审批文件（{names}）"))
        else:
            findings.append(Finding("failed", f"网站{i + 1}涉及{names}，须上传前置审批文件"))
    if not findings:
        return result("R-DOC-5", "passed", "不适用：网站不涉及前置审批", pre_approvals=False)
    return combine("R-DOC-5", findings, pre_approvals=True)


RULES: tuple[RuleFn, ...] = (r_doc_1, r_doc_2, r_doc_3, r_doc_4, r_doc_5)
