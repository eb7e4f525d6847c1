"""Test doubles for the heavy pieces and synthetic data for the API tests (no real people).

``FakeReader`` stands in for kyc.ocr.pipeline.DocumentReader: it really decodes the image
(bad images raise the real BadInput) and returns the reading a test wrote into the image's
trailing bytes. ``fake_verify_video`` stands in for kyc.liveness.verify.verify_video: the
"video" file is a real (tiny) MP4, which the service's upload probe decodes, carrying the
JSON script of the verdict in its trailing bytes (``fake_video``). Both are loaded by the
service's real worker pool by import path, exactly as the real pieces are.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kyc.config import Settings
from kyc.errors import BadInput, ErrorCode
from kyc.imageio import decode_image
from kyc.liveness.challenge import Challenge
from kyc.liveness.settings import LivenessSettings
from kyc.ocr.types import DocumentReading, FieldReading
from kyc.synth.filing import (
    COMPANY,
    COMPANY_ADDRESS,
    CREDIT_CODE,
    PRINCIPAL,
    PRINCIPAL_ID,
    enterprise_filing,
)

# The sample identity, re-exported: the API tests use it through this module.
__all__ = ["COMPANY", "COMPANY_ADDRESS", "CREDIT_CODE", "PRINCIPAL", "PRINCIPAL_ID"]

MARK = b"KYCFAKE"
READER = "api_fakes:FakeReader"
VIDEO = "api_fakes:fake_verify_video"
BACKDROP = "api_fakes:fake_check_backdrop"
FORM = "api_fakes:fake_check_form"


def filing_body(domain: str = "example.com", **subject_over: Any) -> dict[str, Any]:
    """An enterprise first filing in Guangdong, one CVM, one website: video-check eligible."""
    return enterprise_filing("ignored", domain, **subject_over)


def fake_image(
    spec: dict[str, Any],
    size: tuple[int, int] = (428, 270),
    picture: np.ndarray[Any, Any] | None = None,
) -> bytes:
    """A real JPEG (a card-coloured rectangle, or ``picture``) carrying the reading the
    fake will return."""
    w, h = size
    img = np.full((h, w, 3), (235, 225, 210), np.uint8)
    cv2.rectangle(img, (20, 20), (w - 20, h - 20), (120, 90, 60), 2)
    cv2.circle(img, (w - 90, h // 2), 40, (90, 110, 140), -1)
    if picture is not None:
        img = picture
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf) + MARK + json.dumps(spec, ensure_ascii=False).encode()


@functools.cache
def _tiny_clip() -> bytes:
    """A real 64x64 H.264 MP4 of 1.2 s (12 frames): what the upload probe accepts."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream: Any = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(12):
            img = np.full((64, 64, 3), (i * 20) % 255, np.uint8)
            for pkt in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(pkt)
        for pkt in stream.encode():
            container.mux(pkt)
    return buf.getvalue()


def fake_video(script: dict[str, Any]) -> bytes:
    """A decodable clip carrying the verdict ``fake_verify_video`` will return."""
    return _tiny_clip() + MARK + json.dumps(script).encode()


def id_front_spec(name: str = PRINCIPAL, number: str = PRINCIPAL_ID) -> dict[str, Any]:
    return {
        "document_type": "id_card_front",
        "fields": {
            "name": [name, 0.97],
            "sex": ["男", 0.99],
            "ethnicity": ["汉", 0.99],
            "birth_date": ["1985-03-14", 0.98],
            "address": ["广东省深圳市南山区科技园路1号", 0.85],
            "id_number": [number, 0.99],
        },
        "warnings": [],
        "portrait": True,
    }


def license_spec(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "credit_code": [CREDIT_CODE, 0.99],
        "name": [COMPANY, 0.96],
        "company_type": ["有限责任公司", 0.95],
        "legal_representative": [PRINCIPAL, 0.93],
        "address": [COMPANY_ADDRESS, 0.55],
        "business_term": ["2018年01月01日至长期", 0.9],
        "established_date": ["2018-01-01", 0.97],
    }
    fields.update(over)
    return {"document_type": "business_license", "fields": fields, "warnings": ["GLARE"]}


class FakeReader:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def read_bytes(
        self, data: bytes, name: str, type_hint: str = "auto", today: dt.date | None = None
    ) -> DocumentReading:
        head, mark, tail = data.partition(MARK)
        image = decode_image(head, self.settings.images, name)  # real decoding, real errors
        if not mark:
            raise BadInput(ErrorCode.NOT_A_DOCUMENT, f"{name}: no document found")
        spec = json.loads(tail)
        if spec.get("sleep_s"):
            time.sleep(float(spec["sleep_s"]))
        fields = {}
        boxes = spec.get("boxes") or {}
        for i, (key, (value, conf)) in enumerate(spec["fields"].items()):
            box = tuple(boxes.get(key) or (20, 30 + 25 * i, 220, 50 + 25 * i))
            fields[key] = FieldReading(value, conf, True if conf >= 0.6 else None, box)
        portrait = None
        if spec.get("portrait"):
            x0, y0, x1, y1 = spec.get("portrait_box") or (300, 40, 400, 200)
            portrait = image[y0:y1, x0:x1].copy()
        return DocumentReading(
            document_type=spec["document_type"],
            fields=fields,
            warnings=tuple(spec.get("warnings", ())),
            quality=0.8,
            elapsed_ms=1.0,
            portrait=portrait,
            rectified=image,
        )


@dataclass(frozen=True)
class FakeVerdict:
    script: dict[str, Any]
    challenge: Challenge | None

    @property
    def best_frame_jpeg(self) -> bytes:
        if self.script.get("best_frame_path"):
            return Path(self.script["best_frame_path"]).read_bytes()
        img = np.full((120, 96, 3), 180, np.uint8)
        _ok, buf = cv2.imencode(".jpg", img)
        return bytes(buf)

    def to_json(self) -> dict[str, Any]:
        actions = [a.value for a in self.challenge.actions] if self.challenge else []
        passed = self.script.get("decision", "pass") == "pass"
        return {
            "liveness": {
                "passed": passed,
                "score": 0.93 if passed else 0.2,
                "actions": [
                    {"action": a, "passed": passed, "start_s": 0.5 + i, "end_s": 1.2 + i}
                    for i, a in enumerate(actions)
                ],
            },
            "match": {"score": 86.0 if passed else 40.0, "same_person": passed},
            "decision": self.script.get("decision", "pass"),
            "reasons": self.script.get("reasons", []),
            "elapsed_ms": 3.0,
        }

    def evidence_json(self) -> dict[str, Any]:
        ts = [i / 10 for i in range(40)]
        return {
            "signals": {
                "t": ts,
                "eye": [0.3 - (0.2 if 0.6 < t < 0.9 else 0.0) for t in ts],
                "mouth": [0.1 + (0.3 if 1.6 < t < 2.0 else 0.0) for t in ts],
                "yaw": [0.4 if 2.6 < t < 3.0 else 0.0 for t in ts],
                "pitch": [0.5 + (0.08 if 0.5 < t < 1.2 else 0.0) for t in ts],
            },
            "challenge_windows": self.to_json()["liveness"]["actions"],
            "match_threshold_score": 70.0,
        }


def fake_verify_video(
    video_path: Path,
    portrait: np.ndarray[Any, Any],
    challenge: Challenge | None,
    settings: LivenessSettings,
    now: dt.datetime,
    mirrored: bool = False,
) -> FakeVerdict:
    if challenge is not None:
        challenge.check_not_expired(now)
    if portrait.size == 0:
        raise BadInput(ErrorCode.NO_FACE, "empty portrait")
    data = Path(video_path).read_bytes()
    _clip, mark, tail = data.partition(MARK)
    try:
        script = json.loads(tail if mark else data)
    except ValueError as exc:
        raise BadInput(ErrorCode.CORRUPT_VIDEO, "undecodable video") from exc
    if script.get("sleep_s"):
        time.sleep(float(script["sleep_s"]))
    return FakeVerdict(script, challenge)


def fake_backdrop(script: dict[str, Any]) -> bytes:
    """A real JPEG carrying the measures ``fake_check_backdrop`` will report."""
    img = np.full((480, 360, 3), (200, 120, 40), np.uint8)
    cv2.circle(img, (180, 180), 70, (150, 170, 210), -1)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf) + MARK + json.dumps(script).encode()


def fake_check_backdrop(
    data: bytes,
    portrait: Any,
    reference: Any,
    engine: Any,
    settings: Any,
    liveness: Any,
    limits: Any,
) -> Any:
    """Stands in for kyc.forms.backdrop.check_backdrop: decodes the photo for real, takes
    the measures from the script and decides with the real ``decide``."""
    from kyc.forms.backdrop import BackdropCheck, decide, file_facts

    head, mark, tail = data.partition(MARK)
    decode_image(head, limits, "backdrop photo")
    script = json.loads(tail) if mark else {"faces": 0}
    faces = int(script.get("faces", 1))
    score = script.get("score")
    same = bool(script.get("same", False))
    detected = bool(script.get("detected", True))
    file = file_facts(data, settings.max_bytes)
    reasons, decision = decide(
        faces,
        score,
        same,
        detected,
        file,
        bool(script.get("screen", False)),
        bool(script.get("blurred", False)),
    )
    return BackdropCheck(
        faces=faces,
        match_score=score,
        same_person=same,
        detected=detected,
        coverage=0.9 if detected else 0.1,
        file=file,
        reasons=reasons,
        decision=decision,
    )


def fake_form(facts: dict[str, Any], boxes: dict[str, Any] | None = None) -> bytes:
    """A real JPEG carrying what ``fake_check_form`` will have seen on the form."""
    img = np.full((800, 600, 3), 245, np.uint8)
    cv2.rectangle(img, (40, 40), (560, 760), (30, 30, 30), 2)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    script = {"facts": facts, "boxes": boxes or {}}
    return bytes(buf) + MARK + json.dumps(script).encode()


def fake_check_form(data: bytes, order: dict[str, Any], engine: Any, settings: Settings) -> Any:
    """Stands in for the form check: decodes the upload for real, takes the facts from the
    script and judges them with the real ``findings_of`` / ``decide``."""
    from kyc.forms.decide import FormCheck, FormFacts, decide, findings_of

    head, mark, tail = data.partition(MARK)
    image = decode_image(head, settings.images, "verification form")
    script = json.loads(tail) if mark else {"facts": {"form_detected": False}}
    facts = dict(script["facts"])
    facts.setdefault("individual", order["subject"]["nature"] == "individual")
    facts.setdefault("matches_filing", None)
    for key in ("seals_beside", "extra_marks"):
        facts[key] = tuple(facts.get(key, ()))
    f = FormFacts(**facts)
    findings = findings_of(f)
    out: dict[str, Any] = FormCheck(f, findings, decide(findings)).to_json()
    out["evidence"] = {"boxes": script.get("boxes") or {}}
    out["size"] = [int(image.shape[1]), int(image.shape[0])]
    return out
