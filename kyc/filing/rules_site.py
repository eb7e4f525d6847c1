"""R-SITE: websites of the order — counts, homepage, content, pre-approvals, principals."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from kyc.filing.model import normalize_number
from kyc.filing.result import Finding, RuleContext, RuleFn, RuleResult, combine, result

MAX_WEBSITES = 10
MAX_DOMAINS = 10
SAME_SITE_NOTE = "域名指向同一网站"
PREFIX_LIMIT_INDIVIDUAL = 5
PREFIX_LIMIT_UNIT = 31

PRE_APPROVAL_TEXT = {
    "news": "新闻",
    "publishing": "出版",
    "education": "教育",
    "medical": "医疗保健",
    "drugs_medical_devices": "药品和医疗器械",
    "bulletin_board": "电子公告服务",
    "culture": "文化",
    "radio_film_tv": "广播电影电视节目",
}


def _site(i: int) -> str:
    return f"网站{i + 1}"


def r_site_1(ctx: RuleContext) -> RuleResult:
    sites = ctx.order.websites
    findings: list[Finding] = []
    if len(sites) > MAX_WEBSITES:
        findings.append(Finding("failed", f"订单含 {len(sites)} 个网站，超过 {MAX_WEBSITES} 个"))
    if not sites:
        findings.append(Finding("failed", "订单没有网站"))
    for i, site in enumerate(sites):
        if len(site.domains) > MAX_DOMAINS:
            findings.append(
                Finding("failed", f"{_site(i)}含 {len(site.domains)} 个域名，超过 {MAX_DOMAINS} 个")
            )
        if not site.domains:
            findings.append(Finding("failed", f"{_site(i)}没有域名"))
    if not findings:
        findings.append(
            Finding("passed", f"{len(sites)} 个网站，每个网站域名不超过 {MAX_DOMAINS} 个")
        )
    return combine(
        "R-SITE-1", findings, websites=len(sites), domains=[len(s.domains) for s in sites]
    )


def homepage_host(url: str) -> str:
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    return (urlsplit(text).hostname or "").lower().rstrip(".")


def r_site_2(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        host = homepage_host(site.homepage_url)
        bare = host.removeprefix("www.")
        if not host.startswith("www."):
            findings.append(
                Finding("failed", f"{_site(i)}首页地址“{site.homepage_url}”须以 www. 开头")
            )
        elif host not in site.domains and bare not in site.domains:
            findings.append(
                Finding("failed", f"{_site(i)}首页地址“{site.homepage_url}”不属于该网站的域名")
            )
        else:
            findings.append(Finding("passed", f"{_site(i)}首页地址 {host} 属于该网站的域名"))
    return combine("R-SITE-2", findings, homepages=[s.homepage_url for s in ctx.order.websites])


def r_site_3(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for i, site in enumerate(ctx.order.websites):
        for d in site.domains:
            if d in seen and seen[d] != i:
                findings.append(
                    Finding("failed", f"域名 {d} 同时出现在{_site(seen[d])}和{_site(i)}")
                )
            seen.setdefault(d, i)
        if len(site.domains) > 1:
            if SAME_SITE_NOTE in site.note:
                findings.append(
                    Finding("passed", f"{_site(i)}多个域名，备注已说明“{SAME_SITE_NOTE}”")
                )
            else:
                findings.append(
                    Finding(
                        "failed",
                        f"{_site(i)}含 {len(site.domains)} 个域名：不同域名视为不同网站，"
                        f"若指向同一网站须备注“{SAME_SITE_NOTE}”",
                    )
                )
    if not findings:
        findings.append(Finding("passed", "每个网站一个域名，域名互不重复"))
    return combine("R-SITE-3", findings, domains=[list(s.domains) for s in ctx.order.websites])


def content_note(note: str) -> str:
    """The note less the fixed phrases other rules ask for."""
    return note.replace(SAME_SITE_NOTE, "").strip(" ，,;；。")


def r_site_4(ctx: RuleContext) -> RuleResult:
    allowed = ("personal", "other") if ctx.is_individual else ("portal", "unit_portal", "other")
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        if site.service_content not in allowed:
            who = "个人" if ctx.is_individual else "单位"
            findings.append(
                Finding("failed", f"{_site(i)}服务内容 {site.service_content} 不适用于{who}主体")
            )
        elif (site.service_content == "other" or ctx.is_individual) and len(
            content_note(site.note)
        ) < 4:
            findings.append(
                Finding("failed", f"{_site(i)}须在备注中具体描述网站内容（“其他”类及个人网站必填）")
            )
        else:
            findings.append(
                Finding("passed", f"{_site(i)}服务内容 {site.service_content} 符合要求")
            )
    return combine(
        "R-SITE-4",
        findings,
        individual=ctx.is_individual,
        service_content=[s.service_content for s in ctx.order.websites],
    )


_PERSONAL_FORBIDDEN = re.compile(r"论坛|社区|BBS|bbs|商城|购物|电商|交易|公司|企业|招聘|代理")


def r_site_5(ctx: RuleContext) -> RuleResult:
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        names = "、".join(PRE_APPROVAL_TEXT[p] for p in site.pre_approvals)
        if ctx.is_individual:
            if site.pre_approvals:
                findings.append(
                    Finding("failed", f"{_site(i)}个人不得开办前置审批类内容（{names}）")
                )
            m = _PERSONAL_FORBIDDEN.search(f"{site.name} {site.note}")
            if m:
                findings.append(
                    Finding(
                        "failed",
                        f"{_site(i)}个人网站不得开办论坛、经营性或单位内容（“{m.group()}”）",
                    )
                )
        elif site.pre_approvals:
            findings.append(
                Finding(
                    "passed", f"{_site(i)}涉及前置审批（{names}），须上传前置审批文件（R-DOC-5）"
                )
            )
    if not findings:
        findings.append(Finding("passed", "不涉及前置审批，内容与主体相符"))
    return combine(
        "R-SITE-5",
        findings,
        individual=ctx.is_individual,
        pre_approvals=[list(s.pre_approvals) for s in ctx.order.websites],
    )


HOSPITAL_NAME = re.compile(r"医院|卫生院|诊所|门诊部|医疗机构")


def license_noted(note: str) -> list[str]:
    """What of the medical practice license the note lacks."""
    missing = []
    if "执业许可证" not in note:
        missing.append("《医疗机构执业许可证》")
    if len(re.findall(r"\d{4}\s*[-./年]\s*\d{1,2}", note)) < 1:
        missing.append("发证日期与有效期")
    if not re.search(r"[0-9A-Za-z]{8,}", note):
        missing.append("证号")
    if not re.search(r"委员会|卫生|局|发证机关", note):
        missing.append("发证机关")
    return missing


def r_site_6(ctx: RuleContext) -> RuleResult:
    name = ctx.order.subject.name
    if ctx.is_individual or not HOSPITAL_NAME.search(name):
        return result("R-SITE-6", "passed", "不适用：主体不是医院", hospital=False)
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        missing = license_noted(site.note)
        if missing:
            findings.append(
                Finding(
                    "failed",
                    f"{_site(i)}医院须在备注中写明执业许可证信息，缺少：{'、'.join(missing)}",
                )
            )
        else:
            findings.append(Finding("passed", f"{_site(i)}备注已写明医疗机构执业许可证信息"))
    return combine("R-SITE-6", findings, hospital=True)


def r_site_7(ctx: RuleContext) -> RuleResult:
    hosts = sorted({d for s in ctx.order.websites for d in s.domains})
    limit = PREFIX_LIMIT_INDIVIDUAL if ctx.is_individual else PREFIX_LIMIT_UNIT
    plan = any(s.plan_document for s in ctx.order.websites)
    inputs = {"distinct_domains": len(hosts), "limit": limit, "plan_document": plan}
    if len(hosts) <= limit:
        return result(
            "R-SITE-7", "passed", f"不同域名 {len(hosts)} 个，未超过 {limit} 个", **inputs
        )
    if plan:
        return result(
            "R-SITE-7",
            "passed",
            f"不同域名 {len(hosts)} 个，超过 {limit} 个，已提供网站建设方案书",
            **inputs,
        )
    return result(
        "R-SITE-7",
        "failed",
        f"不同域名 {len(hosts)} 个，超过 {limit} 个，须提供网站建设方案书",
        **inputs,
    )


def r_site_8(ctx: RuleContext) -> RuleResult:
    subject_p = ctx.order.subject.principal
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        p = site.principal
        if p is None:
            findings.append(Finding("passed", f"{_site(i)}负责人同主体负责人"))
            continue
        same = normalize_number(p.certificate_number) == normalize_number(
            subject_p.certificate_number
        )
        if ctx.is_individual and not same:
            findings.append(
                Finding("failed", f"{_site(i)}：个人主体的网站负责人必须是主体负责人本人")
            )
        else:
            findings.append(Finding("passed", f"{_site(i)}网站负责人已填写"))
    if not findings:
        return result("R-SITE-8", "skipped", "订单没有网站", individual=ctx.is_individual)
    return combine("R-SITE-8", findings, individual=ctx.is_individual)


def r_site_9(ctx: RuleContext) -> RuleResult:
    ftype = ctx.decision.filing_type
    findings: list[Finding] = []
    for i, site in enumerate(ctx.order.websites):
        if site.reachable is None:
            rule = (
                "转入备案初审通过后网站可以开通"
                if ftype == "transfer_in"
                else "取得备案号前网站不得开通访问"
            )
            findings.append(Finding("skipped", f"{_site(i)}未提供网站可访问性探测结果（{rule}）"))
        elif not site.reachable:
            findings.append(Finding("passed", f"{_site(i)}当前不可访问"))
        elif ftype == "transfer_in":
            findings.append(Finding("passed", f"{_site(i)}可访问：转入备案在初审通过后允许开通"))
        else:
            findings.append(Finding("failed", f"{_site(i)}在取得备案号前已可访问，须先关闭"))
    return combine(
        "R-SITE-9",
        findings,
        filing_type=ftype,
        reachable=[s.reachable for s in ctx.order.websites],
    )


RULES: tuple[RuleFn, ...] = (
    r_site_1,
    r_site_2,
    r_site_3,
    r_site_4,
    r_site_5,
    r_site_6,
    r_site_7,
    r_site_8,
    r_site_9,
)
