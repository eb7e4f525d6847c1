"""Hostile input against the service (issue 15): every row of the issue and its neighbours.

Each case asserts the status *and* the code, and, where something could have been
stored, that nothing was. On SQLite and on PostgreSQL (the ``env`` fixture).
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

import api_fakes as fx
import av
import numpy as np
import pytest
from api_support import Env, EnvFactory
from sqlalchemy import func, select

from kyc.api.throttle import AuthThrottle
from kyc.store.tables import AuditEvent, Challenge, Filing, VideoCheck


def _create(env: Env, headers: dict[str, str], body: Any = None) -> Any:
    return env.client.post("/v1/filings", json=body or fx.filing_body(), headers=headers)


def _count(env: Env, table: Any) -> int:
    with env.rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _stored_order(env: Env, fid: str) -> dict[str, Any]:
    with env.rt.sessions() as s:
        filing = s.get(Filing, fid)
        assert filing is not None
        return dict(env.rt.cipher.decrypt_json(filing.order_enc, "order"))


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    root = node
    for _ in range(depth - 1):
        node["x"] = {}
        node = node["x"]
    return root


def _raw_json(env: Env, method: str, url: str, text: str | bytes, h: dict[str, str]) -> Any:
    data = text.encode() if isinstance(text, str) else text
    headers = {**h, "Content-Type": "application/json"}
    return env.client.request(method, url, content=data, headers=headers)


# --------------------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize("depth", [40, 600, 10_000])
def test_deeply_nested_unknown_key_is_refused_with_a_code(env: Env, depth: int) -> None:
    h = env.key()
    junk = '{"x":' * (depth - 1) + "{}" + "}" * (depth - 1)  # json.dumps would recurse
    body = json.dumps(fx.filing_body())[:-1] + ', "junk": ' + junk + "}"
    r = _raw_json(env, "POST", "/v1/filings", body, h)
    assert r.status_code == 422 and r.json()["error"] == "JSON_TOO_DEEP", r.text[:200]
    assert _count(env, Filing) == 0


def test_nesting_within_the_limit_is_accepted_and_the_unknown_key_dropped(env: Env) -> None:
    h = env.key()
    r = _create(env, h, {**fx.filing_body(), "junk": _nested(20)})
    assert r.status_code == 201, r.text
    assert "junk" not in r.json()["order"]
    assert "junk" not in _stored_order(env, r.json()["id"])


def test_unknown_keys_are_ignored_at_every_level_and_not_stored(env: Env) -> None:
    h = env.key()
    body = fx.filing_body()
    body["extra"] = "x" * 1000
    body["subject"]["extra"] = {"a": [1, 2, 3]}
    body["subject"]["principal"]["extra"] = "y"
    body["websites"][0]["extra"] = True
    body["websites"][0]["cloud_services"][0]["extra"] = None
    r = _create(env, h, body)
    assert r.status_code == 201, r.text
    stored = _stored_order(env, r.json()["id"])
    text = json.dumps(stored)
    assert '"extra"' not in text
    assert stored["subject"]["name"] == fx.COMPANY  # known keys are kept whole


def test_a_huge_unknown_string_is_refused_as_a_body_before_it_is_read(env: Env) -> None:
    h = env.key()
    body = json.dumps({**fx.filing_body(), "junk": "x" * (30 * 1024 * 1024)})
    r = _raw_json(env, "POST", "/v1/filings", body, h)
    assert r.status_code == 413 and r.json()["error"] == "REQUEST_TOO_LARGE"
    assert _count(env, Filing) == 0


def test_a_body_without_content_length_is_cut_at_the_limit(make_env: EnvFactory) -> None:
    env = make_env()
    h = env.key()
    limit = env.settings.limits.json_body_bytes

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    for ctype in ("application/json", "text/plain", "application/octet-stream"):
        r = env.client.post("/v1/filings", content=chunks(), headers={**h, "Content-Type": ctype})
        assert r.status_code == 413 and r.json()["error"] == "REQUEST_TOO_LARGE", ctype
    assert _count(env, Filing) == 0


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_one_megabyte_name_is_refused_with_its_path(env: Env, method: str) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    big = "名" * 300_000 + "x" * 100_000  # ~1 MB of UTF-8 in one text field
    if method == "POST":
        body = fx.filing_body(name=big)
        r = env.client.post("/v1/filings", json=body, headers=h)
    else:
        r = env.client.patch(f"/v1/filings/{fid}", json={"subject": {"name": big}}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "TEXT_TOO_LONG", r.text[:200]
    assert r.json()["detail"].startswith("subject.name:")
    assert _count(env, Filing) == 1
    assert _stored_order(env, fid)["subject"]["name"] == fx.COMPANY


@pytest.mark.parametrize(
    ("path", "limit_name"),
    [
        (("subject", "name"), "text_max_chars"),
        (("subject", "principal", "email"), "text_max_chars"),
        (("websites", 0, "name"), "text_max_chars"),
        (("websites", 0, "note"), "long_text_max_chars"),
        (("subject", "certificate_address"), "long_text_max_chars"),
    ],
)
def test_every_text_field_has_a_limit_and_one_more_character_is_refused(
    make_env: EnvFactory, path: tuple[Any, ...], limit_name: str
) -> None:
    env = make_env()
    h = env.key()
    limit = getattr(env.settings.limits, limit_name)
    for size, status in ((limit, 201), (limit + 1, 422)):
        body = fx.filing_body(domain=f"site{size}.example.com")
        node: Any = body
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "a" * size
        r = _create(env, h, body)
        assert r.status_code == status, (size, r.text[:200])
        if status == 422:
            dotted = ".".join(f"[{p}]" if isinstance(p, int) else p for p in path)
            assert r.json()["error"] == "TEXT_TOO_LONG"
            assert r.json()["detail"].startswith(dotted.replace(".[", "[") + ":")


@pytest.mark.parametrize(
    "bad", ["\x07", "\x1b[31m", "\u202e", "\x00", "\u200b", "\u2066", "\x7f", "\u2028"]
)
def test_control_and_bidi_characters_in_names_are_refused(env: Env, bad: str) -> None:
    h = env.key()
    r = _create(env, h, fx.filing_body(name="深圳" + bad + "科技"))
    assert r.status_code == 422 and r.json()["error"] == "INVALID_CHARACTER"
    assert r.json()["detail"].startswith("subject.name: U+")
    body = fx.filing_body()
    body["subject"]["principal"]["name"] = "测" + bad + "试"
    r = _create(env, h, body)
    assert r.status_code == 422 and r.json()["detail"].startswith("subject.principal.name:")
    assert _count(env, Filing) == 0
    fid = _create(env, h).json()["id"]
    r = env.client.patch(f"/v1/filings/{fid}", json={"websites": [{"name": "a" + bad}]}, headers=h)
    assert r.status_code == 422 and r.json()["detail"].startswith("websites[0].name:")


def test_line_breaks_are_allowed_in_notes_only(env: Env) -> None:
    h = env.key()
    body = fx.filing_body(note="第一行\n第二行\t完")
    assert _create(env, h, body).status_code == 201
    r = _create(env, h, fx.filing_body(domain="b.example.com", name="A\nB"))
    assert r.status_code == 422 and r.json()["error"] == "INVALID_CHARACTER"


def test_long_lists_are_refused_with_their_path(env: Env) -> None:
    h = env.key()
    body = fx.filing_body()
    n = env.settings.limits.list_max_items + 1
    body["websites"][0]["domains"] = [f"d{i}.example.com" for i in range(n)]
    r = _create(env, h, body)
    assert r.status_code == 422 and r.json()["error"] == "TOO_MANY_ITEMS"
    assert r.json()["detail"].startswith("websites[0].domains:")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a": 1' + "0" * 5000 + "}", "NUMBER_TOO_LARGE"),
        ('{"a": 1e999}', "NUMBER_TOO_LARGE"),
        ('{"a": NaN}', "INVALID_JSON"),
        ('{"a": Infinity}', "INVALID_JSON"),
        ('{"a": 1, "a": 2}', "INVALID_JSON"),
        ('{"a": "\\ud800"}', "INVALID_CHARACTER"),
        ("[" * 100_000, "JSON_TOO_DEEP"),
        ('{"a": ', "INVALID_JSON"),
    ],
)
def test_poisoned_json_is_refused_the_same_way_on_every_route(
    env: Env, text: str, code: str
) -> None:
    h, rv = env.key(), env.reviewer()
    fid = _create(env, h).json()["id"]
    for method, url, auth in (
        ("POST", "/v1/filings", h),
        ("PATCH", f"/v1/filings/{fid}", h),
        ("POST", f"/v1/filings/{fid}/consent", h),
        ("POST", f"/v1/review/filings/{fid}/decision", rv),
    ):
        r = _raw_json(env, method, url, text, auth)
        assert r.status_code == 422 and r.json()["error"] == code, (url, r.text[:200])
    assert _count(env, Filing) == 1


def test_a_byte_order_mark_is_accepted_and_utf16_refused(env: Env) -> None:
    h = env.key()
    body = json.dumps(fx.filing_body(), ensure_ascii=False)
    r = _raw_json(env, "POST", "/v1/filings", b"\xef\xbb\xbf" + body.encode(), h)
    assert r.status_code == 201, r.text
    r = _raw_json(env, "POST", "/v1/filings", body.encode("utf-16"), h)
    assert r.status_code == 422 and r.json()["error"] == "INVALID_JSON"


# --------------------------------------------------------------------------- uploads


def _upload(env: Env, h: dict[str, str], fid: str, name: str, data: bytes) -> Any:
    return env.client.post(
        f"/v1/filings/{fid}/documents", files={"file": (name, data, "image/jpeg")}, headers=h
    )


@pytest.mark.parametrize("name", ["a" * 10_000 + ".jpg", "a\r\nb.jpg", "证件\n照片.jpg", ""])
def test_odd_file_names_do_not_matter(env: Env, name: str) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    r = _upload(env, h, fid, name, fx.fake_image(fx.license_spec()))
    assert r.status_code == 200, r.text[:200]


def _multipart(parts: list[bytes], boundary: bytes = b"XyZ") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
    return body + b"--" + boundary + b"--\r\n"


def test_a_raw_line_break_in_a_part_header_is_a_coded_400(env: Env) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    image = fx.fake_image(fx.license_spec())
    part = b'Content-Disposition: form-data; name="file"; filename="a\r\nb.jpg"\r\n\r\n' + image
    r = env.client.post(
        f"/v1/filings/{fid}/documents",
        content=_multipart([part]),
        headers={**h, "Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert r.status_code == 400 and r.json()["error"] == "INVALID_MULTIPART"


@pytest.mark.parametrize(
    ("body", "ctype", "status", "code"),
    [
        (b"", "multipart/form-data; boundary=XyZ", 400, "INVALID_MULTIPART"),
        (b"--XyZ\r\nContent-Disp", "multipart/form-data; boundary=XyZ", 400, "INVALID_MULTIPART"),
        (b"{}", "application/octet-stream", 400, "INVALID_MULTIPART"),
        (b"x", "multipart/form-data", 400, "INVALID_MULTIPART"),
        (
            _multipart([b'Content-Disposition: form-data; name="type_hint"\r\n\r\nauto']),
            "multipart/form-data; boundary=XyZ",
            422,
            "MISSING_FIELD",
        ),
        (
            _multipart([b'Content-Disposition: form-data; name="file"\r\n\r\n']),
            "multipart/form-data; boundary=XyZ",
            422,
            "EMPTY_FILE",
        ),
        (
            _multipart(
                [b'Content-Disposition: form-data; name="file"; filename="a"\r\n\r\nxx'] * 2
            ),
            "multipart/form-data; boundary=XyZ",
            400,
            "INVALID_MULTIPART",
        ),
    ],
    ids=["empty", "cut", "not-multipart", "no-boundary", "no-file", "empty-file", "two-files"],
)
def test_broken_multipart_bodies_get_codes(
    env: Env, body: bytes, ctype: str, status: int, code: str
) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    r = env.client.post(
        f"/v1/filings/{fid}/documents", content=body, headers={**h, "Content-Type": ctype}
    )
    assert r.status_code == status and r.json()["error"] == code, r.text


def test_an_oversized_upload_is_refused_with_the_file_code(make_env: EnvFactory) -> None:
    env = make_env(max_upload_bytes=50_000)
    h = env.key()
    fid = _create(env, h).json()["id"]
    image = fx.fake_image(fx.license_spec())
    # Over the file limit: refused while the part arrives; far over it (beyond the body
    # cap of file limit + multipart framing): refused from Content-Length, unread.
    for extra in (60_000, 1_000_000):
        r = _upload(env, h, fid, "x.jpg", image + b"\x00" * extra)
        assert r.status_code == 413 and r.json()["error"] == "FILE_TOO_LARGE", extra
    view = env.client.get(f"/v1/filings/{fid}", headers=h).json()
    assert view["documents"] == []


def test_bad_type_hint_is_refused(env: Env) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    r = env.client.post(
        f"/v1/filings/{fid}/documents",
        files={"file": ("a.jpg", fx.fake_image(fx.license_spec()), "image/jpeg")},
        data={"type_hint": "passport\x00"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["error"] == "INVALID_FIELD"


def _grey16_png(h: int = 270, w: int = 428) -> bytes:
    from PIL import Image

    ramp = (np.arange(h * w).reshape(h, w) % 256).astype(np.uint16) * 257
    buf = io.BytesIO()
    Image.fromarray(ramp).save(buf, "PNG")
    return buf.getvalue()


def test_a_16_bit_greyscale_png_is_decoded(env: Env) -> None:
    h = env.key()
    fid = _create(env, h).json()["id"]
    data = _grey16_png() + fx.MARK + json.dumps(fx.license_spec()).encode()
    r = env.client.post(
        f"/v1/filings/{fid}/documents", files={"file": ("g.png", data, "image/png")}, headers=h
    )
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------- videos


def _clip(matrix: list[int] | None = None, frames: int = 12, rate: int = 10) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as c:
        s: Any = c.add_stream("libx264", rate=rate)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        if matrix is not None:
            s.set_display_matrix(matrix)
        for i in range(frames):
            img = np.full((48, 64, 3), (i * 20) % 255, np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return buf.getvalue()


def _ready_for_video(env: Env, h: dict[str, str]) -> str:
    fid = str(_create(env, h).json()["id"])
    assert _upload(env, h, fid, "id.jpg", fx.fake_image(fx.id_front_spec())).status_code == 200
    env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h)
    assert env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
    return fid


def _video(env: Env, h: dict[str, str], fid: str, data: bytes) -> Any:
    return env.client.post(
        f"/v1/filings/{fid}/liveness/video",
        files={"file": ("v.mp4", data, "video/mp4")},
        headers=h,
    )


ROT_45 = [46340, -46340, 0, 46340, 46340, 0, 0, 0, 1 << 30]
ROT_90 = [0, -65536, 0, 65536, 0, 0, 0, 0, 1 << 30]
MIRROR = [-65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30]


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: fx.fake_image(fx.license_spec()), 415, "UNSUPPORTED_FORMAT"),
        (lambda: b"just some text, not a video", 415, "UNSUPPORTED_FORMAT"),
        (lambda: b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8, 422, "CORRUPT_VIDEO"),
        (lambda: _clip()[:600], 422, "CORRUPT_VIDEO"),
        (lambda: _clip(frames=3), 422, "VIDEO_TOO_SHORT"),
        (lambda: _clip([0] * 9), 422, "VIDEO_ROTATION_INVALID"),
        (lambda: _clip(ROT_45), 422, "VIDEO_ROTATION_INVALID"),
        (lambda: _clip(MIRROR), 422, "VIDEO_ROTATION_INVALID"),
    ],
    ids=[
        "jpeg",
        "text",
        "garbage-mp4",
        "truncated",
        "too-short",
        "zero-matrix",
        "45-deg",
        "mirror",
    ],
)
def test_bad_videos_are_refused_at_upload_and_never_count(
    make_env: EnvFactory, make: Any, status: int, code: str
) -> None:
    env = make_env(lockout_failures=1)
    h = env.key()
    fid = _ready_for_video(env, h)
    for _ in range(3):
        r = _video(env, h, fid, make())
        assert r.status_code == status and r.json()["error"] == code, r.text[:300]
    assert _count(env, VideoCheck) == 0
    with env.rt.sessions() as s:
        assert s.scalar(select(func.count()).where(Challenge.used_at.is_not(None))) == 0
    assert list((env.settings.data_dir / "tmp").iterdir()) == []
    # Not locked out: a good clip is accepted at once.
    r = _video(env, h, fid, fx.fake_video({"decision": "pass"}))
    assert r.status_code == 202, r.text


def test_a_quarter_turn_matrix_is_accepted(env: Env) -> None:
    h = env.key()
    fid = _ready_for_video(env, h)
    data = _clip(ROT_90) + fx.MARK + json.dumps({"decision": "pass"}).encode()
    assert _video(env, h, fid, data).status_code == 202


def test_a_video_declaring_too_many_frames_is_refused(make_env: EnvFactory) -> None:
    env = make_env()
    env.settings.limits.video_max_fps = 5.0  # 30 s x 5 = 150 frames at most
    h = env.key()
    fid = _ready_for_video(env, h)
    r = _video(env, h, fid, _clip(frames=200, rate=100))
    assert r.status_code == 422 and r.json()["error"] == "VIDEO_TOO_LONG"


def test_job_reasons_are_a_list_of_codes(env: Env) -> None:
    h = env.key()
    fid = _ready_for_video(env, h)
    script = {"decision": "reject", "reasons": ["CHALLENGE_FAILED", "FACE_MISMATCH"]}
    r = _video(env, h, fid, fx.fake_video(script))
    job = env.wait_job(h, fid, r.json()["job_id"])
    assert job["reasons"] == ["CHALLENGE_FAILED", "FACE_MISMATCH"]
    view = env.client.get(f"/v1/filings/{fid}", headers=h).json()
    assert view["liveness"]["latest_job"]["reasons"] == ["CHALLENGE_FAILED", "FACE_MISMATCH"]


def test_only_real_liveness_failures_count_toward_the_lock_out(make_env: EnvFactory) -> None:
    env = make_env(lockout_failures=2)
    h = env.key()
    fid = _ready_for_video(env, h)
    # Decodable at upload, undecodable in the worker (the fake's CORRUPT_VIDEO): no count.
    for _ in range(3):
        r = _video(env, h, fid, fx._tiny_clip() + fx.MARK + b"{not json")
        assert r.status_code == 202, r.text
        job = env.wait_job(h, fid, r.json()["job_id"])
        assert job["status"] == "failed" and job["reasons"] == ["CORRUPT_VIDEO"]
        assert (
            env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
        )
    for _ in range(2):  # two rejections lock
        r = _video(env, h, fid, fx.fake_video({"decision": "reject", "reasons": ["NO_FACE"]}))
        env.wait_job(h, fid, r.json()["job_id"])
        env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    r = env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    assert r.status_code == 429 and r.json()["error"] == "LOCKED_OUT"


def test_a_rejected_video_check_cannot_be_submitted(env: Env) -> None:
    h = env.key()
    fid = _ready_for_video(env, h)
    r = _video(env, h, fid, fx.fake_video({"decision": "reject", "reasons": ["STATIC_PHOTO"]}))
    env.wait_job(h, fid, r.json()["job_id"])
    r = env.client.post(f"/v1/filings/{fid}/submit", headers=h)
    assert r.status_code == 409 and r.json()["error"] == "VIDEO_CHECK_REJECTED"
    assert env.client.get(f"/v1/filings/{fid}", headers=h).json()["status"] == "draft"
    # The mini-program's way on: a new challenge and a new recording.
    assert env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
    r = _video(env, h, fid, fx.fake_video({"decision": "pass"}))
    env.wait_job(h, fid, r.json()["job_id"])
    r = env.client.post(f"/v1/filings/{fid}/submit", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "submitted"


# --------------------------------------------------------------------------- credentials


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(env: Env, clock: FakeClock, **over: Any) -> AuthThrottle:
    cfg = env.settings.service
    args: dict[str, Any] = {
        "ip_limit": cfg.auth_failures_per_ip,
        "key_limit": cfg.auth_failures_per_key,
        "window_s": cfg.auth_window_s,
        "lock_s": cfg.auth_lock_s,
        "clock": clock,
        **over,
    }
    throttle = AuthThrottle(**args)
    env.client.app.state.throttle = throttle  # type: ignore[attr-defined]
    return throttle


def _lockouts(env: Env) -> list[dict[str, Any]]:
    with env.rt.sessions() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "auth.lockout"))
        return [json.loads(e.detail) for e in rows]


def test_wrong_api_keys_from_one_address_are_throttled(env: Env) -> None:
    clock = FakeClock()
    _throttle(env, clock)
    good = env.key()
    fid = _create(env, good).json()["id"]
    limit = env.settings.service.auth_failures_per_ip
    statuses = []
    for i in range(30):
        r = env.client.get(f"/v1/filings/{fid}", headers={"Authorization": f"Bearer wrong-{i}"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.json()["error"] == "TOO_MANY_ATTEMPTS"
            assert 0 < int(r.headers["Retry-After"]) <= env.settings.service.auth_lock_s
    assert statuses == [401] * limit + [429] * (30 - limit)
    # While locked even a good key is not looked up from that address.
    assert env.client.get(f"/v1/filings/{fid}", headers=good).status_code == 429
    locks = _lockouts(env)
    assert [lk["scope"] for lk in locks] == ["ip"] and locks[0]["failures"] == limit
    assert all("wrong" not in json.dumps(lk) for lk in locks)  # tokens are never stored
    clock.now += env.settings.service.auth_lock_s + 1
    assert env.client.get(f"/v1/filings/{fid}", headers=good).status_code == 200


def test_one_wrong_key_repeated_locks_that_key(env: Env) -> None:
    clock = FakeClock()
    _throttle(env, clock, ip_limit=1000)
    limit = env.settings.service.auth_failures_per_key
    bad = {"Authorization": "Bearer kyc_ak_revoked"}
    codes = [env.client.get("/v1/review/queue", headers=bad).status_code for _ in range(limit + 2)]
    assert codes == [401] * limit + [429, 429]
    other = {"Authorization": "Bearer kyc_ak_other"}
    assert env.client.get("/v1/review/queue", headers=other).status_code == 401
    assert [lk["scope"] for lk in _lockouts(env)] == ["key"]


def test_reviewer_login_is_delayed_throttled_and_audited(make_env: EnvFactory) -> None:
    env = make_env(login_failure_delay_s=0.2, auth_failures_per_ip=5)
    clock = FakeClock()
    _throttle(env, clock)
    started = time.monotonic()
    r = env.client.post("/review/login", data={"token": "kyc_rv_guess"}, follow_redirects=False)
    assert r.status_code == 401 and time.monotonic() - started >= 0.2
    codes = [
        env.client.post(
            "/review/login", data={"token": f"kyc_rv_guess{i}"}, follow_redirects=False
        ).status_code
        for i in range(6)
    ]
    assert codes == [401] * 4 + [429, 429]
    r = env.client.post("/review/login", data={"token": "x"}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    with env.rt.sessions() as s:
        failed = s.scalar(select(func.count()).where(AuditEvent.action == "reviewer.login_failed"))
    assert failed == 5
    assert [lk["scope"] for lk in _lockouts(env)] == ["ip"]


def test_the_throttle_remembers_a_bounded_number_of_clients() -> None:
    clock = FakeClock()
    throttle = AuthThrottle(
        ip_limit=3, key_limit=3, window_s=60, lock_s=60, max_tracked=100, clock=clock
    )
    for i in range(1000):
        throttle.failed(f"10.0.{i // 256}.{i % 256}", f"token-{i}")
    assert throttle.tracked() == 100
