"""The reviewer pages in a real browser: Debian's Chromium driven by Playwright.

A real server (uvicorn, in a thread) holds a filing made through the mini-program API;
a reviewer signs in, opens the queue, opens the filing, approves it and sees the audit
entry. The filing page's screenshot is saved under the test's tmp dir and ``out/``.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from random import Random
from typing import Any

import cv2
import httpx
import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import api_fakes as fx

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.config import Settings
from kyc.service_settings import ServiceSettings
from kyc.store import repo

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "var",
        service=ServiceSettings(encryption_key=key, workers=1),
    )
    rt = build_runtime(
        settings,
        pool_kind="thread",
        reader_spec=fx.READER,
        video_spec=fx.VIDEO,
        backdrop_spec=fx.BACKDROP,
        form_spec=fx.FORM,
    )
    app = create_app(runtime=rt)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}", rt
    finally:
        srv.should_exit = True
        thread.join(10)
        rt.close()


def _documents() -> tuple[bytes, bytes, Path | None]:
    """A synthetic license and ID-card front (fake identities), with their readings."""
    from kyc.synth import generate

    still = SHARED / "faces" / "liveportrait_stills" / "d12.jpg"
    over: dict[str, Any] = {"portrait": still} if still.exists() else {}
    front = generate("id_card_front", "clean", Random(7), **over)
    lic = generate("business_license", "clean", Random(7), orientation="horizontal")

    def spec(sample: Any, conf: dict[str, float]) -> dict[str, Any]:
        truth = sample.truth
        return {
            "document_type": truth["document_type"],
            "fields": {k: [v, conf.get(k, 0.97)] for k, v in truth["fields"].items()},
            "boxes": truth["field_boxes"],
            "warnings": [],
        }

    s_front = spec(front, {"address": 0.82})
    s_front["portrait"] = True
    s_front["portrait_box"] = [560, 70, 800, 380]
    s_lic = spec(lic, {"business_scope": 0.55, "registered_capital": 0.88})
    s_lic["warnings"] = ["GLARE"]
    img_lic = fx.fake_image(s_lic, picture=lic.document)
    img_front = fx.fake_image(s_front, picture=front.document)
    return img_lic, img_front, still if still.exists() else None


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium absent (scripts/system-deps.sh)")
def test_reviewer_approves_in_a_browser(server: tuple[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, rt = server
    with rt.sessions() as s:
        api = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
        token = repo.create_reviewer(s, "审核员王", "reviewer")
    img_lic, img_front, still = _documents()
    with httpx.Client(base_url=base, headers=api, timeout=30) as c:
        f = c.post(
            "/v1/filings",
            json=fx.filing_body(certificate_number="", name="", certificate_address=""),
        )
        assert f.status_code == 201, f.text
        fid = f.json()["id"]
        for img in (img_lic, img_front):
            r = c.post(f"/v1/filings/{fid}/documents", files={"file": ("d.jpg", img, "image/jpeg")})
            assert r.status_code == 200, r.text
        assert c.post(f"/v1/filings/{fid}/consent", json={"biometric": True}).status_code == 200
        assert c.post(f"/v1/filings/{fid}/liveness/challenge").status_code == 201
        script: dict[str, Any] = {"decision": "pass"}
        if still is not None:
            script["best_frame_path"] = str(still)
        r = c.post(
            f"/v1/filings/{fid}/liveness/video",
            files={"file": ("v.mp4", fx.fake_video(script), "video/mp4")},
        )
        assert r.status_code == 202, r.text
        job = r.json()["job_id"]
        for _ in range(200):
            if c.get(f"/v1/filings/{fid}/liveness/jobs/{job}").json()["status"] == "done":
                break
            time.sleep(0.05)
        r = c.post(f"/v1/filings/{fid}/submit")
        assert r.status_code == 200, r.text

    shot = tmp_path / "filing-page.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response",
            lambda resp: errors.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
        )
        page.goto(base + "/review")
        expect(page).to_have_url(base + "/review/login")
        page.fill("#token", token)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Review queue")
        row = page.locator("table.queue tbody tr")
        expect(row).to_have_count(1)
        row.locator("a.open").click()
        expect(page).to_have_url(f"{base}/review/filings/{fid}")
        # Unmasked on the reviewer's page; evidence present and loaded.
        expect(page.locator("section.card").first).to_contain_text(fx.PRINCIPAL_ID)
        expect(page.locator("svg.doc")).to_have_count(2)
        expect(page.locator("svg.signals polyline").first).to_be_visible()
        expect(page.locator("table.rules tbody tr").first).to_be_visible()
        for picture in page.locator("img").all():
            assert picture.evaluate("el => el.complete && el.naturalWidth > 0")
        page.screenshot(path=str(shot), full_page=True)
        page.click("button[value=approve]")
        # initial review passed; the video check done before submission counts at once
        expect(page.locator(".badge.stage")).to_have_text("second_review")
        page.click("button[value=approve]")
        expect(page.locator(".status")).to_have_text("approved")
        expect(page.locator(".badge.stage")).to_have_text("at_authority")
        audit = page.locator("table.audit")
        expect(audit).to_contain_text("filing.approve")
        expect(audit).to_contain_text("reviewer:")
        assert not errors, errors
        browser.close()
    assert shot.stat().st_size > 20_000
    out = REPO / "out"
    out.mkdir(exist_ok=True)
    shutil.copy(shot, out / "review-filing-page.png")
    assert cv2.imread(str(shot)) is not None
