"""The three commands through ``kyc.cli.main`` on the shared data: contract shape and
exit statuses. Uses the real face models (few, short runs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest

from kyc.cli import main

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
FACES = DATA / "faces"
CLIP = DATA / "videos" / "d18.mp4"

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not CLIP.is_file(), reason="shared test data not present"),
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_challenge(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "challenge", "--actions", "2", "--seed", "5", "--json")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) == {"nonce", "actions", "expires_at"}
    assert len(obj["actions"]) == 2
    assert datetime.fromisoformat(obj["expires_at"].replace("Z", "+00:00")) > datetime.now(UTC)
    code, _, err = _run(capsys, "challenge", "--actions", "7", "--json")
    assert code == 2 and err.startswith("kyc: INVALID_FIELD")


def test_compare_faces(capsys: pytest.CaptureFixture[str]) -> None:
    same = [str(FACES / "obama" / "obama1.jpg"), str(FACES / "obama" / "obama2.jpg")]
    code, out, _ = _run(capsys, "compare-faces", *same, "--json")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) == {"score", "same_person", "elapsed_ms"}
    assert obj["same_person"] is True and 70 <= obj["score"] <= 100
    other = [str(FACES / "obama" / "obama1.jpg"), str(FACES / "biden" / "biden1.jpg")]
    code, out, _ = _run(capsys, "compare-faces", *other, "--json")
    obj = json.loads(out)
    assert code == 0 and obj["same_person"] is False and obj["score"] < 70


def test_compare_faces_without_a_face(capsys: pytest.CaptureFixture[str]) -> None:
    card = DATA / "documents" / "templates" / "fan_new.jpg"
    code, _, err = _run(capsys, "compare-faces", str(card), str(FACES / "obama" / "obama1.jpg"))
    assert code == 2 and err.startswith("kyc: NO_FACE")


def test_verify_video_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # the portrait: a late frame of the clip, shrunk to ID-card size (about 100x125)
    cap = cv2.VideoCapture(str(CLIP))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 200)
    ok, frame = cap.read()
    assert ok
    h, w = frame.shape[:2]
    face = frame[int(h * 0.1) : int(h * 0.8), int(w * 0.2) : int(w * 0.8)]
    portrait = tmp_path / "portrait.jpg"
    cv2.imwrite(str(portrait), cv2.resize(face, (100, 125), interpolation=cv2.INTER_AREA))
    challenge = tmp_path / "challenge.json"
    expires = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    challenge.write_text(
        json.dumps({"nonce": "t", "actions": ["mouth_open", "blink"], "expires_at": expires})
    )
    code, out, _ = _run(
        capsys,
        "verify-video",
        str(CLIP),
        "--portrait",
        str(portrait),
        "--challenge",
        str(challenge),
        "--json",
    )
    assert code == 0
    obj = json.loads(out)
    assert set(obj) == {"liveness", "match", "decision", "reasons", "elapsed_ms"}
    assert set(obj["liveness"]) == {"passed", "score", "actions"}
    assert set(obj["match"]) == {"score", "same_person"}
    assert [a["action"] for a in obj["liveness"]["actions"]] == ["mouth_open", "blink"]
    for a in obj["liveness"]["actions"]:
        assert set(a) == {"action", "passed", "start_s", "end_s"}
    assert obj["decision"] in {"pass", "review", "reject"}
    assert 0.0 <= obj["liveness"]["score"] <= 1.0
    assert 0.0 <= obj["match"]["score"] <= 100.0
    # the clip opens its mouth (~2-3 s) and then blinks (~3.2 s): the challenge is met
    assert obj["liveness"]["passed"] is True
    assert obj["match"]["same_person"] is True
    assert obj["decision"] == "pass"


def test_verify_video_bad_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    portrait = str(FACES / "obama" / "obama1.jpg")
    text = tmp_path / "clip.mp4"
    text.write_text("not a video")
    code, _, err = _run(capsys, "verify-video", str(text), "--portrait", portrait, "--json")
    assert code == 2 and err.startswith("kyc: UNSUPPORTED_FORMAT")

    expired = tmp_path / "old.json"
    expired.write_text(
        json.dumps(
            {"nonce": "x", "actions": ["blink", "nod"], "expires_at": "2020-01-01T00:00:00Z"}
        )
    )
    code, _, err = _run(
        capsys, "verify-video", str(CLIP), "--portrait", portrait, "--challenge", str(expired)
    )
    assert code == 2 and err.startswith("kyc: CHALLENGE_EXPIRED")

    card = DATA / "documents" / "templates" / "fan_new.jpg"
    code, _, err = _run(capsys, "verify-video", str(CLIP), "--portrait", str(card))
    assert code == 2 and err.startswith("kyc: NO_FACE")
