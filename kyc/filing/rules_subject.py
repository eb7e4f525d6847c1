"""R-SUBJ: subject nature, certificates, principal, addresses, phones, one subject per account."""

from __future__ import annotations

import re

from kyc.filing.facts import (
    CERTIFICATES,
    CREDIT_PREFIXES,
    MOST_DETAILED_NOTE,
    UNIT_CERTIFICATES,
    age_on,
    birth_date,
    certificate_reading,
    credit_code_valid,
    field_value,
    has_house_number,
    id_number_valid,
    is_email,
    is_mobile,
    license_reading,
    parse_dates,
    parse_office_phone,
    place_matches,
    read_value,
    short_province,
)
from kyc.filing.model import Document, normalize_number
from kyc.filing.result import (
    Finding,
    RuleContext,
    RuleFn,
    RuleResult,
    combine,
    mask_name,
    mask_number,
    result,
)

PERSONAL_CERTIFICATES = ("id_card", "passport", "taiwan_permit", "hk_macao_permit", "officer_card")
NATURE_TEXT = {
    "individual": "个人",
    "enterprise": "企业",
    "institution": "事业单位",
    "social_group": "社会团体",
    "government": "政府机关",
}

_ENTERPRISE_NAME = re.compile(r"公司|有限责任|股份有限|集团|合伙企业")
_SOCIAL_NAME = re.compile(r"协会|学会|商会|基金会|研究会|促进会|联合会")
_UNIT_NAME = re.compile(
    r"公司|集团|协会|学会|商会|基金会|医院|学校|大学|学院|委员会|人民政府|研究所|研究院"
)


# ------------------------------------------------------------------------ R-SUBJ-1


def r_subj_1(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    inputs = {"nature": s.nature, "certificate_type": s.certificate_type, "name": s.name}
    nature = NATURE_TEXT[s.nature]
    personal_cert = s.certificate_type in PERSONAL_CERTIFICATES
    findings: list[Finding] = []
    if s.nature == "individual":
        if not personal_cert:
            findings.append(Finding("failed", "个人主体须使用个人证件，不能使用单位证件"))
        if _UNIT_NAME.search(s.name):
            findings.append(Finding("failed", f"主体名称“{s.name}”是单位名称，主体性质不应为个人"))
        inputs["name"] = mask_name(s.name)
    else:
        if personal_cert:
            findings.append(Finding("failed", f"{nature}主体须使用单位证件，不能使用个人证件"))
        if s.nature != "enterprise" and _ENTERPRISE_NAME.search(s.name):
            findings.append(
                Finding("failed", f"主体名称“{s.name}”为企业法人，主体性质应为企业而不是{nature}")
            )
        if (
            s.nature == "enterprise"
            and _SOCIAL_NAME.search(s.name)
            and not _ENTERPRISE_NAME.search(s.name)
        ):
            findings.append(
                Finding("failed", f"主体名称“{s.name}”为社会组织，主体性质应为社会团体")
            )
        expected = NATURE_CERTIFICATES[s.nature]
        if not personal_cert and s.certificate_type not in (*expected, "other"):
            want = "或".join(CERTIFICATES[c].text for c in expected) or "“其他”"
            findings.append(Finding("failed", f"{nature}主体的证件应为{want}"))
        findings.extend(_unit_documents_agree(ctx))
    if not findings:
        findings.append(Finding("passed", f"主体性质（{nature}）与证件类型、主体名称相符"))
    return combine("R-SUBJ-1", findings, **inputs)


# The unit certificates each subject nature files with (R-SUBJ-1: other bodies, such
# as private non-enterprise units, file as social groups); "other" is always allowed.
NATURE_CERTIFICATES: dict[str, tuple[str, ...]] = {
    "individual": (),
    "enterprise": ("business_license",),
    "institution": ("institution_certificate",),
    "social_group": ("social_group_certificate", "private_non_enterprise_certificate"),
    "government": (),
}
# The nature a unified social credit code's registration authority and class say
# (GB 32100: 1-1 government bodies, 1-2 institutions, 5-1/5-2/5-3 social groups, private
# non-enterprise units and foundations, 9-x enterprises).
_CODE_NATURE = {"11": "government", "12": "institution", "51": "social_group",
                "52": "social_group", "53": "social_group", "91": "enterprise",
                "92": "enterprise", "93": "enterprise"}  # fmt: skip


def _unit_documents_agree(ctx: RuleContext) -> list[Finding]:
    """The unit certificates read from the uploads against the typed certificate type
    and nature: the type read, and the nature its credit code's prefix says."""
    s = ctx.order.subject
    findings: list[Finding] = []
    for d in ctx.order.documents:
        kind = d.reading.document_type
        if kind not in UNIT_CERTIFICATES:
            continue
        if s.certificate_type in UNIT_CERTIFICATES and kind != s.certificate_type:
            findings.append(
                Finding(
                    "failed",
                    f"上传的证件为{CERTIFICATES[kind].text}，"
                    f"与所选证件类型{CERTIFICATES[s.certificate_type].text}不符",
                )
            )
        code = field_value(d, "credit_code")
        value = code.value if code is not None and code.valid and code.value else ""
        said = _CODE_NATURE.get(value[:2])
        if said is not None and said != s.nature:
            findings.append(
                Finding(
                    "failed",
                    f"证件上的统一社会信用代码（{mask_number(value)}）"
                    f"属于{NATURE_TEXT[said]}，主体性质为{NATURE_TEXT[s.nature]}",
                )
            )
    return findings


# ------------------------------------------------------------------------ R-SUBJ-2


def _no_trade_name(name: str | None) -> bool:
    return name is None or not re.sub(r"[\s/\\*＊无-]", "", name)


def r_subj_2(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    lic = license_reading(ctx.order.documents)
    company_type = field_value(lic, "company_type") if lic else None
    is_ind_business = bool(
        (company_type and company_type.value and "个体" in company_type.value)
        or "个体工商户" in s.note
    )
    inputs = {
        "nature": s.nature,
        "company_type": company_type.value if company_type else None,
        "note": s.note,
    }
    if not is_ind_business:
        if s.nature == "enterprise" and s.certificate_type == "business_license" and lic is None:
            return result(
                "R-SUBJ-2",
                "skipped",
                "缺少营业执照识别结果，无法判断是否为个体工商户",
                **inputs,
            )
        return result("R-SUBJ-2", "passed", "不适用：主体不是个体工商户", **inputs)
    trade_name = field_value(lic, "name") if lic else None
    has_trade_name = not _no_trade_name(trade_name.value if trade_name else None) or (
        lic is None and s.nature == "enterprise"
    )
    inputs["trade_name"] = trade_name.value if trade_name else None
    if has_trade_name:
        if s.nature != "enterprise":
            return result("R-SUBJ-2", "failed", "有工商字号的个体工商户应按企业备案", **inputs)
        seal = "已备注无公章" if "无公章" in s.note else "如无公章须备注“个体工商户无公章”"
        return result("R-SUBJ-2", "passed", f"有字号的个体工商户按企业备案；{seal}", **inputs)
    problems = []
    if s.nature != "individual":
        problems.append("无工商字号的个体工商户应按个人备案")
    if "个体工商户无工商字号" not in s.note:
        problems.append("备注须写明“个体工商户无工商字号”")
    if not re.search(r"[0-9A-Z]{15,18}", s.note.upper()):
        problems.append("备注须写明营业执照注册号")
    if problems:
        return result("R-SUBJ-2", "failed", "；".join(problems), **inputs)
    return result(
        "R-SUBJ-2", "passed", "无字号的个体工商户按个人备案，备注已说明并给出注册号", **inputs
    )


# ------------------------------------------------------------------------ R-SUBJ-3


def r_subj_3(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    bad = []
    if s.nature == "individual" and s.certificate_type not in PERSONAL_CERTIFICATES:
        bad.append(f"个人主体证件类型 {s.certificate_type}")
    for label, person in ctx.persons():
        if person.certificate_type not in PERSONAL_CERTIFICATES:
            bad.append(f"{label}证件类型 {person.certificate_type}")
    for label, person in ctx.persons():
        read_as = _read_type(person.certificate_number, ctx.order.documents)
        if read_as is not None and read_as != person.certificate_type:
            bad.append(
                f"{label}证件类型 {person.certificate_type}，上传的同号证件为"
                f"{CERTIFICATES[read_as].text}"
            )
    inputs = {
        "subject": s.certificate_type,
        "persons": [p.certificate_type for _, p in ctx.persons()],
    }
    if bad:
        return result(
            "R-SUBJ-3",
            "failed",
            "个人证件只能是居民身份证、护照、台胞证、港澳居民来往内地通行证或军官证："
            + "；".join(bad),
            **inputs,
        )
    return result("R-SUBJ-3", "passed", "个人证件类型符合要求", **inputs)


def _read_type(number: str, documents: tuple[Document, ...]) -> str | None:
    """The personal certificate type of the uploaded document that shows ``number``."""
    wanted = normalize_number(number)
    if not wanted:
        return None
    for cert in PERSONAL_CERTIFICATES:
        spec = CERTIFICATES.get(cert)
        if spec is None:
            continue
        for d in documents:
            if d.reading.document_type not in spec.document_types:
                continue
            f = read_value(d, spec.numbers)
            if f and f.value and normalize_number(f.value) == wanted:
                return cert
    return None


# ------------------------------------------------------------------------ R-SUBJ-4


def compare_field(
    label: str,
    typed: str | None,
    doc: Document,
    field: str,
    *,
    number: bool,
    person_name: bool = False,
) -> Finding:
    """Typed value vs the document's reading, character for character, with the confidence.

    Certificate numbers compare without spaces and case and are shown masked; a person's
    name is shown masked too (reasons may end up in logs).
    """
    reading = doc.reading.fields.get(field)
    if typed is None or not typed.strip():
        return Finding("failed", f"未填写{label}")
    if reading is None or not reading.value:
        return Finding("skipped", f"证件上未识别出{label}")
    conf = f"识别置信度 {reading.confidence:.2f}"
    if number:
        same = normalize_number(typed) == normalize_number(reading.value)
        shown_typed, shown_read = mask_number(typed), mask_number(reading.value)
    else:
        same = typed.strip() == reading.value.strip()
        show = mask_name if person_name else str.strip
        shown_typed, shown_read = show(typed), show(reading.value)
    if same:
        return Finding("passed", f"{label}与证件一致（{conf}）")
    return Finding(
        "failed", f"{label}与证件不一致：填写“{shown_typed}”，证件为“{shown_read}”（{conf}）"
    )


def subject_certificate(ctx: RuleContext) -> Document | None:
    s = ctx.order.subject
    return certificate_reading(
        s.certificate_type, ctx.order.documents, s.certificate_number, s.name
    )


def certificate_findings(
    cert_type: str,
    doc: Document,
    *,
    name_label: str,
    name: str | None,
    number_label: str,
    number: str,
    address: str | None = None,
    address_label: str | None = None,
    person: bool,
) -> list[Finding]:
    """Typed name, number (and address, where the certificate prints one) against the
    certificate's reading, character for character (R-SUBJ-4, R-REJ-5)."""
    spec = CERTIFICATES[cert_type]
    name_field = next((f for f in spec.names if field_value(doc, f)), spec.names[0])
    number_field = next((f for f in spec.numbers if field_value(doc, f)), spec.numbers[0])
    out = [
        compare_field(name_label, name, doc, name_field, number=False, person_name=person),
        compare_field(number_label, number, doc, number_field, number=True),
    ]
    if address_label is not None and spec.address is not None:
        out.append(compare_field(address_label, address, doc, spec.address, number=False))
    return out


def r_subj_4(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    findings: list[Finding] = []
    number = normalize_number(s.certificate_number)
    prefixes = CREDIT_PREFIXES.get(s.certificate_type)
    if prefixes is not None and len(number) == 18:
        if not credit_code_valid(s.certificate_number):
            findings.append(Finding("failed", "统一社会信用代码校验位错误，不可能与证件一致"))
        elif not number.startswith(prefixes):
            findings.append(
                Finding(
                    "failed",
                    f"统一社会信用代码以 {number[:2]} 开头，不是"
                    f"{CERTIFICATES[s.certificate_type].text}的代码（{'、'.join(prefixes)}）",
                )
            )
    if s.certificate_type == "id_card" and not id_number_valid(s.certificate_number):
        findings.append(Finding("failed", "身份证号码校验不通过，不可能与证件一致"))
    doc = subject_certificate(ctx)
    if doc is None:
        findings.append(Finding("skipped", "缺少主体证件的识别结果，无法逐字核对名称、地址、号码"))
    else:
        findings.extend(
            certificate_findings(
                s.certificate_type,
                doc,
                name_label="单位名称" if s.nature != "individual" else "姓名",
                name=s.name,
                number_label="证件号码",
                number=s.certificate_number,
                address=s.certificate_address,
                address_label="证件地址",
                person=s.nature == "individual",
            )
        )
    filled = [f"{a.target}←{a.source}" for a in ctx.autofilled if a.target.startswith("subject.")]
    if filled:
        findings.append(Finding("passed", "已由证件自动填写：" + "、".join(filled)))
    return combine(
        "R-SUBJ-4",
        findings,
        certificate_type=s.certificate_type,
        certificate_number=mask_number(s.certificate_number),
        document=doc.reading.document_type if doc else None,
    )


# ------------------------------------------------------------------------ R-SUBJ-5

MAX_SUBJECTS_PER_SERVER = 6
RISKY_WORDS = ("投资管理", "担保", "典当", "贷款", "理财")


def r_subj_5(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    p = s.principal
    inputs = {"name": s.name, "is_legal_representative": p.is_legal_representative}
    if s.nature == "individual":
        inputs["name"] = mask_name(s.name)
        return result("R-SUBJ-5", "passed", "不适用：个人主体", **inputs)
    lic = license_reading(ctx.order.documents)
    legal = field_value(lic, "legal_representative") if lic else None
    findings: list[Finding] = []
    if legal and legal.value:
        matches = legal.value.strip() == p.name.strip()
        inputs["license_legal_representative_matches"] = matches
        if p.is_legal_representative and not matches:
            findings.append(
                Finding(
                    "failed",
                    "主体负责人声明为法定代表人，但营业执照上的法定代表人不是"
                    f"“{mask_name(p.name)}”（识别置信度 {legal.confidence:.2f}）",
                )
            )
    words = [w for w in RISKY_WORDS if w in s.name]
    if words:
        if p.is_legal_representative:
            findings.append(Finding("passed", f"名称含“{'、'.join(words)}”，负责人为法定代表人"))
        else:
            findings.append(
                Finding("failed", f"单位名称含“{'、'.join(words)}”，主体负责人必须是法定代表人")
            )
    elif not p.is_legal_representative:
        findings.append(
            Finding("passed", "负责人不是法定代表人：部分省份要求法定代表人或授权书，请留意")
        )
    elif not findings:
        findings.append(Finding("passed", "主体负责人为法定代表人"))
    return combine("R-SUBJ-5", findings, **inputs)


# ------------------------------------------------------------------------ R-SUBJ-6


def principal_age(ctx: RuleContext) -> tuple[int | None, str]:
    """Age of the subject principal at ``today`` and where it came from."""
    p = ctx.order.subject.principal
    if p.certificate_type == "id_card":
        born = birth_date(p.certificate_number)
        if born is not None:
            return age_on(born, ctx.today), "身份证号码"
    doc = certificate_reading(p.certificate_type, ctx.order.documents, p.certificate_number, p.name)
    f = field_value(doc, "birth_date") if doc else None
    dates = parse_dates(f.value) if f and f.value else []
    if dates and doc is not None:
        text = (
            "身份证" if p.certificate_type == "id_card" else CERTIFICATES[p.certificate_type].text
        )
        return age_on(dates[0], ctx.today), f"{text}识别的出生日期"
    if p.certificate_type == "id_card":
        return None, "身份证号码无效（校验不通过），无法计算年龄"
    return None, f"证件类型 {p.certificate_type} 无法从号码得出年龄，且无证件识别结果"


def age_finding(ctx: RuleContext) -> Finding:
    age, source = principal_age(ctx)
    if age is None:
        return Finding("skipped", source)
    if ctx.is_individual:
        if age < 18 and not ctx.order.subject.employment_proof:
            return Finding(
                "failed", f"个人负责人未满 18 周岁（{age} 岁，据{source}），须提供在职证明"
            )
        extra = "，已提供在职证明" if age < 18 else ""
        return Finding("passed", f"负责人 {age} 岁（据{source}）{extra}")
    if age < 16:
        return Finding("failed", f"单位负责人未满 16 周岁（{age} 岁，据{source}）")
    return Finding("passed", f"单位负责人 {age} 岁（据{source}），已满 16 周岁")


def r_subj_6(ctx: RuleContext) -> RuleResult:
    f = age_finding(ctx)
    age, _ = principal_age(ctx)
    return result(
        "R-SUBJ-6",
        f.status,
        f.text,
        age=age,
        individual=ctx.is_individual,
        employment_proof=ctx.order.subject.employment_proof,
    )


# ------------------------------------------------------------------------ R-SUBJ-7


def r_subj_7(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    address = s.mailing_address
    inputs = {"mailing_address": address, "note": s.note}
    if not address:
        return result("R-SUBJ-7", "failed", "未填写通讯地址", **inputs)
    if has_house_number(address):
        return result("R-SUBJ-7", "passed", "通讯地址详细到门牌号", **inputs)
    if any(n in s.note for n in MOST_DETAILED_NOTE):
        return result("R-SUBJ-7", "passed", "通讯地址无门牌号，备注已说明为最详细地址", **inputs)
    return result(
        "R-SUBJ-7",
        "failed",
        f"通讯地址“{address}”未详细到门牌号，且备注未说明已是最详细地址",
        **inputs,
    )


# ------------------------------------------------------------------------ R-SUBJ-8


def phone_required(ctx: RuleContext) -> bool:
    return not ctx.is_individual or short_province(ctx.province) == "天津"


def phone_findings(ctx: RuleContext, *, area_only: bool = False) -> list[Finding]:
    """Office phones of every principal: format, landline, area code vs the region."""
    region = ctx.order.region
    where = f"{region.province}{region.city}"
    findings: list[Finding] = []
    for label, person in ctx.persons():
        phone = person.office_phone
        if not phone:
            if phone_required(ctx) and not area_only:
                findings.append(Finding("failed", f"{label}未填写办公电话（单位及天津个人必填）"))
            continue
        parsed = parse_office_phone(phone)
        if parsed is None:
            if not area_only:
                findings.append(
                    Finding("failed", f"{label}办公电话“{phone}”格式应为 086-区号-号码")
                )
            continue
        if not parsed.landline:
            if not area_only:
                findings.append(
                    Finding("failed", f"{label}办公电话 {phone} 不是有效的固定电话号码")
                )
            continue
        if place_matches(parsed.place, region):
            findings.append(
                Finding("passed", f"{label}电话区号 {parsed.area_code}（{parsed.place}）与地区一致")
            )
        else:
            findings.append(
                Finding(
                    "failed",
                    f"{label}电话区号 {parsed.area_code} 属于{parsed.place or '未知地区'}，"
                    f"与通讯地址所在地区{where}不符",
                )
            )
    return findings


def r_subj_8(ctx: RuleContext) -> RuleResult:
    findings = phone_findings(ctx)
    inputs = {
        "phones": [p.office_phone for _, p in ctx.persons()],
        "region": f"{ctx.order.region.province}{ctx.order.region.city}",
        "required": phone_required(ctx),
        "mailing_address": ctx.order.subject.mailing_address,
    }
    if not findings:
        return result("R-SUBJ-8", "passed", "个人（天津以外）可不填办公电话", **inputs)
    return combine("R-SUBJ-8", findings, **inputs)


# ------------------------------------------------------------------------ R-SUBJ-9


def r_subj_9(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for label, person in ctx.persons():
        if not is_mobile(person.mobile):
            findings.append(Finding("failed", f"{label}手机号码“{person.mobile}”不是有效的手机号"))
        if not is_email(person.email):
            findings.append(Finding("failed", f"{label}电子邮箱“{person.email}”格式无效"))
    if not findings:
        findings.append(
            Finding("passed", "手机号码与电子邮箱格式有效（是否可达以短信、邮件验证为准）")
        )
    return combine("R-SUBJ-9", findings, persons=len(ctx.persons()))


# ----------------------------------------------------------------------- R-SUBJ-10


def r_subj_10(ctx: RuleContext) -> RuleResult:
    d = ctx.decision
    findings: list[Finding] = []
    if d.other_accounts:
        findings.append(Finding("failed", "该证件已在其他账号下有备案记录，不能在本账号备案"))
    if d.own_other_subjects:
        findings.append(
            Finding(
                "failed",
                f"本账号已备案其他主体（{d.own_other_subjects} 个），一个账号只能备案一个主体",
            )
        )
    if d.domain_conflicts:
        findings.append(Finding("failed", f"域名已由其他主体备案：{'、'.join(d.domain_conflicts)}"))
    if d.domains_filed_here:
        findings.append(
            Finding(
                "failed", f"域名已在本服务商备案，无需再次备案：{'、'.join(d.domains_filed_here)}"
            )
        )
    unchecked = []
    if ctx.open_orders is None:
        unchecked.append("进行中订单数")
    elif ctx.open_orders > 0:
        findings.append(Finding("failed", f"账号已有 {ctx.open_orders} 个进行中的备案订单"))
    servers = sorted(
        {
            c.ip
            for site in ctx.order.websites
            for c in site.cloud_services
            if c.type == "cvm" and c.ip
        }
    )
    if ctx.server_subjects is None:
        unchecked.append("单台服务器主体数")
    else:
        for ip in servers:
            carried = ctx.server_subjects.get(ip, 0)
            if carried >= MAX_SUBJECTS_PER_SERVER:
                findings.append(
                    Finding(
                        "failed",
                        f"云服务器 {ip} 已承载 {carried} 个主体，最多 {MAX_SUBJECTS_PER_SERVER} 个",
                    )
                )
    if not findings:
        note = f"（{'、'.join(unchecked)}未提供，由订单库核对）" if unchecked else ""
        findings.append(Finding("passed", f"证件未在其他账号备案，账号无其他主体{note}"))
    return combine(
        "R-SUBJ-10",
        findings,
        other_accounts=len(d.other_accounts),
        own_other_subjects=d.own_other_subjects,
        domain_conflicts=list(d.domain_conflicts),
        open_orders=ctx.open_orders,
        servers=servers,
    )


RULES: tuple[RuleFn, ...] = (
    r_subj_1,
    r_subj_2,
    r_subj_3,
    r_subj_4,
    r_subj_5,
    r_subj_6,
    r_subj_7,
    r_subj_8,
    r_subj_9,
    r_subj_10,
)
