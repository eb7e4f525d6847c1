"""The service with the real pieces wired in: document reader (OCR) and video check.

One synthetic ID-card front (fake identity; its portrait a frame of the clip, so the
same person) and one real face clip go through the API with the real models. (The shared
still d12.jpg is not the person in d12.mp4: their match score is 37.)
"""

from __future__ import annotations

import time
from pathlib import Path
from random import Random

import api_fakes as fx
import cv2
import numpy as np
import pytest
from api_support import make_settings
from fastapi.testclient import TestClient

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.store import repo

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
VIDEO = SHARED / "videos" / "d12.mp4"

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not VIDEO.exists(), reason="shared test data absent"),
]


def _frame(at_s: float, path: Path) -> Path:
    cap = cv2.VideoCapture(str(VIDEO))
    cap.set(cv2.CAP_PROP_POS_MSEC, at_s * 1000)
    ok, frame = cap.read()
    cap.release()
    assert ok
    cv2.imwrite(str(path), frame)
    return path


def test_real_reader_and_video_check_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyc.synth import generate

    cfg = make_settings(tmp_path, f"sqlite:///{tmp_path / 'kyc.sqlite3'}", workers=1)
    rt = build_runtime(cfg, pool_kind="thread")  # the default, real pieces
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
        reviewer = {"Authorization": "Bearer " + repo.create_reviewer(s, "r", "reviewer")}
    portrait = _frame(2.0, tmp_path / "portrait.jpg")
    # the card's provenance names its portrait relative to the shared folder: here, its own
    monkeypatch.setattr("kyc.synth.render.shared_dir", lambda: portrait.parent)
    front = generate("id_card_front", "clean", Random(11), portrait=portrait)
    _ok, jpeg = cv2.imencode(".jpg", front.image)
    with TestClient(create_app(runtime=rt)) as client:
        fid = client.post("/v1/filings", json=fx.filing_body(), headers=auth).json()["id"]
        r = client.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("front.jpg", bytes(jpeg), "image/jpeg")},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        doc = r.json()["document"]
        assert doc["document_type"] in ("id_card_front", "id_card_both")
        number = front.truth["fields"]["id_number"]
        assert doc["fields"]["id_number"]["value"] == number[:4] + "*" * 10 + number[-4:]

        # Its 16-bit greyscale twin reads the same (issue 15: it was read as `unknown`).
        grey16 = cv2.cvtColor(front.image, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257
        _ok, png = cv2.imencode(".png", grey16)
        r = client.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("front16.png", bytes(png), "image/png")},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        twin = r.json()["document"]
        assert twin["document_type"] == doc["document_type"]
        assert twin["fields"]["id_number"]["value"] == doc["fields"]["id_number"]["value"]

        client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=auth)
        assert client.post(f"/v1/filings/{fid}/liveness/challenge", headers=auth).status_code == 201
        r = client.post(
            f"/v1/filings/{fid}/liveness/video",
            files={"file": ("clip.mp4", VIDEO.read_bytes(), "video/mp4")},
            headers=auth,
        )
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        deadline = time.monotonic() + 120
        job = {}
        while time.monotonic() < deadline:
            job = client.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=auth).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job["status"] == "done", job
        assert job["decision"] in ("pass", "review", "reject")

        detail = client.get(f"/v1/review/filings/{fid}", headers=reviewer).json()
        verdict = detail["video_checks"][0]["verdict"]
        assert len(verdict["signals"]["t"]) > 10
        assert 0.0 <= verdict["match"]["score"] <= 100.0
        # the card's portrait is this clip's person: whatever the random challenge made of
        # the clip, the face matches
        assert verdict["match"]["same_person"] is True, verdict["match"]
        assert "FACE_MISMATCH" not in (job.get("reasons") or []), job
        assert verdict["match_threshold_score"] > 0
        assert detail["video_checks"][0]["has_best_frame"] is True
        page = client.get(f"/review/filings/{fid}", headers=reviewer)
        assert page.status_code == 200 and "<polyline" in page.text
    rt.close()


def test_real_backdrop_check_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated backdrop photo (a real face photo in front of a synthetic backdrop)
    against the portrait the real reader cut from a synthetic ID card of that face."""
    from kyc.synth import generate
    from kyc.synth.backdrop import generate_backdrop

    sample = None
    for seed in range(20):  # a bare-face portrait (not a whole card) to print on the card
        candidate = generate_backdrop(Random(f"api:{seed}"), "tuned", None)
        h, w = candidate.portrait.shape[:2]
        if h >= w:
            sample = candidate
            break
    assert sample is not None
    face = tmp_path / "face.jpg"
    cv2.imwrite(str(face), sample.portrait)
    ref_path = None
    if sample.reference is not None:
        ref_path = tmp_path / "backdrop-ref.jpg"
        cv2.imwrite(str(ref_path), sample.reference)
    cfg = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'kyc.sqlite3'}",
        workers=1,
        tick_interval_s=0,
        backdrop_reference_path=str(ref_path) if ref_path else None,
    )
    rt = build_runtime(cfg, pool_kind="thread")  # the default, real pieces
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
        reviewer = {"Authorization": "Bearer " + repo.create_reviewer(s, "r", "reviewer")}
    # the card's provenance names its portrait relative to the shared folder: here, tmp
    monkeypatch.setattr("kyc.synth.render.shared_dir", lambda: tmp_path)
    front = generate("id_card_front", "clean", Random(7), portrait=face)
    _ok, jpeg = cv2.imencode(".jpg", front.image)
    body = fx.filing_body()
    body["region"] = {"province": "海南省", "city": "海口市", "district": "龙华区"}
    with TestClient(create_app(runtime=rt)) as client:
        fid = client.post("/v1/filings", json=body, headers=auth).json()["id"]
        r = client.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("front.jpg", bytes(jpeg), "image/jpeg")},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        r = client.post(
            f"/v1/filings/{fid}/identity/backdrop",
            files={"file": ("photo.jpg", sample.data, "image/jpeg")},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        summary = r.json()["backdrop"]
        assert summary["decision"] in ("pass", "review", "reject")
        detail = client.get(f"/v1/review/filings/{fid}", headers=reviewer).json()
        result = detail["backdrop_checks"][0]["result"]
        assert result["faces"] == sample.truth["faces"] == 1
        assert result["backdrop"]["detected"] is sample.truth["backdrop"]["detected"]
        assert 0.0 <= result["match"]["score"] <= 100.0
        assert result["decision"] == summary["decision"]
        # the decision follows the measures (the check's own rule, not a second one)
        assert (summary["decision"] == "pass") == (result["reasons"] == [])
        page = client.get(f"/review/filings/{fid}", headers=reviewer)
        assert page.status_code == 200
        assert f"/review/media/backdrop/{summary['id']}.jpg" in page.text
    rt.close()


def test_real_form_check_through_the_api(tmp_path: Path) -> None:
    """Generated verification forms (scans) through the API with the reader's real OCR
    engine: a right one passes R-DOC-4 and R-REJ-2, a misplaced seal fails R-REJ-2."""
    from kyc.synth.forms import generate_form

    cfg = make_settings(
        tmp_path, f"sqlite:///{tmp_path / 'kyc.sqlite3'}", workers=1, tick_interval_s=0
    )
    rt = build_runtime(cfg, pool_kind="thread")  # the default, real pieces
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
    with TestClient(create_app(runtime=rt)) as client:
        for fault, expected in ((None, "passed"), ("seal_wrong_place", "failed")):
            sample = generate_form(Random(f"it:{fault}:unit"), "tuned", fault, "unit", "scan")
            r = client.post("/v1/filings", json=sample.filing, headers=auth)
            assert r.status_code == 201, r.text
            fid = r.json()["id"]
            _ok, jpeg = cv2.imencode(".jpg", sample.image)
            r = client.post(
                f"/v1/filings/{fid}/forms",
                files={"file": ("form.jpg", bytes(jpeg), "image/jpeg")},
                headers=auth,
            )
            assert r.status_code == 200, r.text
            assert r.json()["form"]["decision"] == sample.truth["decision"]
            rules = {x["id"]: x["status"] for x in r.json()["filing"]["check"]["rules"]}
            assert rules["R-REJ-2"] == expected
            if fault is None:
                assert rules["R-DOC-4"] == "passed"
    rt.close()
