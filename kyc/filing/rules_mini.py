"""R-MINI: eligibility for the mini-program video check (instead of the backdrop photo)."""

from __future__ import annotations

from kyc.filing.facts import short_province
from kyc.filing.result import RuleContext, RuleFn, RuleResult, result


def r_mini_1(ctx: RuleContext) -> RuleResult:
    province = ctx.province
    if short_province(province) == "广东":
        return result("R-MINI-1", "passed", "备案地区为广东省", province=province)
    return result(
        "R-MINI-1",
        "failed",
        f"备案地区为{province}，视频核验仅限广东省，需走幕布拍照流程",
        province=province,
    )


def r_mini_2(ctx: RuleContext) -> RuleResult:
    d = ctx.decision
    inputs = {
        "filing_type": d.filing_type,
        "certificate_known": d.certificate_known,
        "domains_known": list(d.domains_known),
    }
    problems = []
    if d.certificate_known:
        problems.append("证件已有备案记录")
    if d.domains_known:
        problems.append(f"域名已有备案记录（{'、'.join(d.domains_known)}）")
    if problems:
        return result(
            "R-MINI-2",
            "failed",
            "视频核验仅限证件与域名均为首次备案：" + "；".join(problems),
            **inputs,
        )
    return result("R-MINI-2", "passed", "证件与域名均为首次备案", **inputs)


def r_mini_3(ctx: RuleContext) -> RuleResult:
    if ctx.order.account_has_cvm:
        return result("R-MINI-3", "passed", "账号下有云服务器资源", account_has_cvm=True)
    return result(
        "R-MINI-3", "failed", "账号下没有云服务器（CVM）资源，不能视频核验", account_has_cvm=False
    )


def r_mini_4(ctx: RuleContext) -> RuleResult:
    s = ctx.order.subject
    inputs = {"nature": s.nature, "certificate_type": s.certificate_type}
    if (s.nature, s.certificate_type) in (
        ("enterprise", "business_license"),
        ("individual", "id_card"),
    ):
        return result(
            "R-MINI-4", "passed", "企业营业执照或个人身份证，符合视频核验证件要求", **inputs
        )
    return result(
        "R-MINI-4",
        "failed",
        "视频核验仅支持企业（营业执照）或个人（居民身份证），"
        f"当前为主体性质 {s.nature}、证件类型 {s.certificate_type}",
        **inputs,
    )


def r_mini_5(ctx: RuleContext) -> RuleResult:
    servers = sorted(
        {c.key for site in ctx.order.websites for c in site.cloud_services if c.type == "cvm"}
    )
    others = sorted(
        {c.key for site in ctx.order.websites for c in site.cloud_services if c.type != "cvm"}
    )
    inputs = {"websites": len(ctx.order.websites), "cloud_servers": len(servers), "other": others}
    problems = []
    if len(ctx.order.websites) != 1:
        problems.append(f"订单含 {len(ctx.order.websites)} 个网站")
    if len(servers) != 1:
        problems.append(f"订单含 {len(servers)} 台云服务器")
    if others:
        problems.append("网站接入了云服务器以外的资源")
    if problems:
        return result(
            "R-MINI-5",
            "failed",
            "视频核验要求订单恰好一台云服务器、一个网站：" + "；".join(problems),
            **inputs,
        )
    return result("R-MINI-5", "passed", "订单恰好一台云服务器、一个网站", **inputs)


RULES: tuple[RuleFn, ...] = (r_mini_1, r_mini_2, r_mini_3, r_mini_4, r_mini_5)
