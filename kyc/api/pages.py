"""Server-rendered reviewer pages (Jinja2, inline SVG; no front-end build)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kyc.api.errors import ApiError
from kyc.api.plot import boxes_svg, confidence_class, extract, polygons_svg, signal_svg
from kyc.api.runtime import Runtime
from kyc.api.throttle import AuthThrottle, client_address, record_failure
from kyc.api.usecases import review
from kyc.errors import KycError
from kyc.store import repo

HERE = Path(__file__).resolve().parent
COOKIE = "kyc_review"
FIELD_LABELS = {
    "name": "姓名 / 名称",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生",
    "address": "住址",
    "id_number": "公民身份号码",
    "issuing_authority": "签发机关",
    "valid_from": "有效期起",
    "valid_until": "有效期止",
    "credit_code": "统一社会信用代码",
    "company_type": "类型",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "established_date": "成立日期",
    "business_term": "营业期限",
    "business_scope": "经营范围",
    # passports, permits, unit certificates (issue 17)
    "passport_number": "护照号",
    "permit_number": "证件号码",
    "name_latin": "姓名（拼音/外文）",
    "nationality": "国籍",
    "issuing_country": "签发国",
    "expiry_date": "有效期至",
    "mrz": "机读区",
    "purpose_and_scope": "宗旨和业务范围",
    "funding_source": "经费来源",
    "capital": "开办资金 / 注册资金",
    "sponsor": "举办单位",
    "supervisor": "业务主管单位",
    "activity_area": "活动地域",
    "registration_authority": "登记管理机关",
}


def _who(rt: Runtime, request: Request) -> repo.ReviewerIdentity | None:
    """The signed-in reviewer, or None (the page sends the browser to the login form). A
    token that matches no one counts as a failed authentication; a locked address or
    token is not looked up."""
    token = request.cookies.get(COOKIE)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    if not token:
        return None
    throttle: AuthThrottle = request.app.state.throttle
    ip = client_address(request)
    if throttle.locked(ip, token) is not None:
        return None
    with rt.sessions() as s:
        who = repo.reviewer_for_token(s, token)
    if who is None:
        record_failure(rt, throttle, ip, token, "reviewer_token")
    return who


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/review/login", status_code=303)


def _same_origin(request: Request) -> bool:
    """Forms post from our own pages (the cookie is SameSite=Strict as well)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def install_pages(app: FastAPI, rt: Runtime) -> None:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["confidence_class"] = confidence_class
    templates.env.globals["field_labels"] = FIELD_LABELS
    app.mount("/review/static", StaticFiles(directory=str(HERE / "static")), name="review-static")

    def page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        resp = templates.TemplateResponse(request, name, ctx, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "form-action 'self'; frame-ancestors 'none'"
        )
        return resp

    @app.get("/review/login", include_in_schema=False)
    def login_form(request: Request) -> HTMLResponse:
        return page(request, "login.html", {"who": None, "error": None})

    @app.post("/review/login", include_in_schema=False)
    async def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
        token = token.strip()
        throttle: AuthThrottle = request.app.state.throttle
        ip = client_address(request)
        lock = throttle.locked(ip, token)
        if lock is not None:
            refused = page(
                request,
                "login.html",
                {
                    "who": None,
                    "error": f"too many failed sign-ins; try again in {lock.retry_after_s} s",
                },
                429,
            )
            refused.headers["Retry-After"] = str(lock.retry_after_s)
            return refused

        def check() -> repo.ReviewerIdentity | None:
            with rt.sessions() as s:
                who = repo.reviewer_for_token(s, token)
                if who is not None:
                    repo.audit(s, who.actor, "reviewer.login", None, {"reviewer": who.name})
                else:
                    repo.audit(s, "anonymous", "reviewer.login_failed", None, {"address": ip})
                s.commit()
            if who is None and token:
                record_failure(rt, throttle, ip, token, "reviewer_login")
            return who

        who = await run_in_threadpool(check)
        if who is None:
            # A failed sign-in answers late: guessing tokens through the form is slow.
            await asyncio.sleep(rt.settings.service.login_failure_delay_s)
            return page(request, "login.html", {"who": None, "error": "unknown token"}, 401)
        resp = RedirectResponse("/review", status_code=303)
        resp.set_cookie(
            COOKIE,
            token.strip(),
            httponly=True,
            samesite="strict",
            secure=rt.settings.service.secure_cookies,
            max_age=12 * 3600,
            path="/",
        )
        return resp

    @app.post("/review/logout", include_in_schema=False)
    def logout() -> Response:
        resp = _login_redirect()
        resp.delete_cookie(COOKIE, path="/")
        return resp

    @app.get("/review", include_in_schema=False)
    def queue_page(request: Request) -> Response:
        who = _who(rt, request)
        if who is None:
            return _login_redirect()
        return page(
            request, "queue.html", {"who": who, "items": [i.to_json() for i in review.queue(rt)]}
        )

    @app.get("/review/filings/{filing_id}", include_in_schema=False)
    def filing_page(request: Request, filing_id: str) -> Response:
        who = _who(rt, request)
        if who is None:
            return _login_redirect()
        try:
            view = review.review_detail(rt, who, filing_id).to_json()
        except ApiError as exc:
            return page(request, "error.html", {"who": who, "message": exc.detail}, exc.status)
        return page(request, "filing.html", {"who": who, "f": view, **_evidence(view)})

    @app.post("/review/filings/{filing_id}/decision", include_in_schema=False)
    async def decision_form(
        request: Request,
        filing_id: str,
        decision: Annotated[str, Form(max_length=16)],
        comment: Annotated[str, Form(max_length=2000)] = "",
        reasons: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        who = await run_in_threadpool(_who, rt, request)
        if who is None:
            return _login_redirect()
        if not _same_origin(request):
            return page(request, "error.html", {"who": who, "message": "cross-site form"}, 403)
        try:
            await run_in_threadpool(
                review.decide, rt, who, filing_id, decision, reasons or [], comment
            )
        except (ApiError, KycError) as exc:
            status = exc.status if isinstance(exc, ApiError) else 422
            return page(request, "error.html", {"who": who, "message": exc.detail}, status)
        return RedirectResponse(f"/review/filings/{filing_id}#decision", status_code=303)

    @app.post("/review/filings/{filing_id}/authority", include_in_schema=False)
    async def authority_form(
        request: Request,
        filing_id: str,
        decision: Annotated[str, Form(max_length=16)],
        filing_number: Annotated[str, Form(max_length=64)] = "",
        reasons_text: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        from kyc.api.usecases import journey

        who = await run_in_threadpool(_who, rt, request)
        if who is None:
            return _login_redirect()
        if not _same_origin(request):
            return page(request, "error.html", {"who": who, "message": "cross-site form"}, 403)
        if who.role != "admin":
            return page(request, "error.html", {"who": who, "message": "admins only"}, 403)
        reasons = [line.strip() for line in reasons_text.splitlines() if line.strip()]
        try:
            await run_in_threadpool(
                journey.record_authority,
                rt,
                who,
                filing_id,
                decision,
                reasons if decision == "rejected" else [],
                filing_number if decision == "approved" else None,
            )
        except (ApiError, KycError) as exc:
            status = exc.status if isinstance(exc, ApiError) else 422
            return page(request, "error.html", {"who": who, "message": exc.detail}, status)
        return RedirectResponse(f"/review/filings/{filing_id}#journey", status_code=303)

    @app.get("/review/audit", include_in_schema=False)
    def audit_page(request: Request) -> Response:
        who = _who(rt, request)
        if who is None:
            return _login_redirect()
        if who.role != "admin":
            return page(request, "error.html", {"who": who, "message": "admins only"}, 403)
        with rt.sessions() as s:
            events = [e.to_json() for e in review.audit_trail(s, None, limit=500)]
        return page(request, "audit.html", {"who": who, "events": events})

    @app.get("/review/media/{kind}/{object_id}.jpg", include_in_schema=False)
    def media(request: Request, kind: str, object_id: str) -> Response:
        who = _who(rt, request)
        if who is None:
            return Response(status_code=401)
        if kind not in ("evidence", "portrait", "best_frame", "backdrop", "form"):
            return Response(status_code=404)
        found = review.blob_for(rt, kind, object_id)
        if found is None:
            return Response(status_code=404)
        data, _filing = found
        return Response(
            data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"}
        )


def _evidence(view: dict[str, Any]) -> dict[str, Any]:
    """Pre-rendered SVGs and the face-match numbers for the filing page."""
    doc_svgs: dict[str, str] = {}
    portrait_doc: str | None = None
    for d in view["documents"]:
        if d.get("has_portrait"):
            portrait_doc = d["id"]
        size = d.get("evidence_size")
        if d.get("has_evidence") and isinstance(size, list | tuple) and len(size) == 2:
            fields = {
                k: {**v, "box": (d.get("boxes") or {}).get(k)}
                for k, v in (d.get("fields") or {}).items()
            }
            doc_svgs[d["id"]] = boxes_svg(
                f"/review/media/evidence/{d['id']}.jpg", (int(size[0]), int(size[1])), fields
            )
    video: dict[str, Any] | None = None
    for job in view.get("video_checks") or []:
        verdict = job.get("verdict")
        if not verdict:
            continue
        frames, windows = extract(verdict)
        match = verdict.get("match") or {}
        threshold = verdict.get("match_threshold_score", match.get("threshold"))
        live = verdict.get("liveness") or {}
        video = {
            "job": job,
            "plot": signal_svg(frames, windows),
            "score": match.get("score"),
            "threshold": threshold,
            "same_person": match.get("same_person"),
            "liveness_score": live.get("score"),
            "liveness_passed": live.get("passed"),
            "actions": live.get("actions") or [],
            "decision": verdict.get("decision"),
            "reasons": verdict.get("reasons") or [],
        }
        break
    form_svg: str | None = None
    forms = view.get("form_checks") or []
    if forms and forms[0].get("has_photo"):
        result = forms[0].get("result") or {}
        size = result.get("size")
        if isinstance(size, list) and len(size) == 2:
            boxes = (result.get("evidence") or {}).get("boxes") or {}
            form_svg = polygons_svg(
                f"/review/media/form/{forms[0]['id']}.jpg", (int(size[0]), int(size[1])), boxes
            )
    return {
        "form_svg": form_svg,
        "doc_svgs": doc_svgs,
        "portrait_doc": portrait_doc,
        "video": video,
        "reasons": review.REJECTION_REASONS,
    }
