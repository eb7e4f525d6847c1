"""A battery of hostile requests against a real ``kyc serve`` (real models and workers).

Starts the server in a subprocess (temporary data folder, SQLite, a fresh key), then sends
every case of issue 15's table and its neighbours, ``--rounds`` times each, ``--concurrency``
at a time, and prints per case the statuses and codes it got against the ones expected,
then the resident memory of the server process and of each worker: idle (models loaded,
before the battery) and peak (sampled every 0.1 s), and whether the server still answers.

    uv run python scripts/hostile_battery.py [--rounds 3] [--concurrency 8] [--workers 2]

Exit status 1 when a case got an answer it should not have (a 5xx, an unexpected status or
code) or the server died.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from procs import children, free_port, rss_kib, wait_healthy  # noqa: E402


@dataclass
class Case:
    name: str
    send: Callable[[httpx.Client, str], httpx.Response]
    expect: set[tuple[int, str]]  # (status, code) pairs that are right


def _photo(megapixels: float) -> bytes:
    import cv2

    from kyc.synth import generate

    sample = generate("id_card_front", "clean", Random(5))
    h, w = sample.image.shape[:2]
    scale = (megapixels * 1e6 / (w * h)) ** 0.5
    big = cv2.resize(sample.image, (round(w * scale), round(h * scale)))
    ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return bytes(buf.tobytes())


def _grey16(photo: bytes) -> bytes:
    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(photo)).convert("L"), dtype=np.uint16) * 257
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, "PNG")
    return buf.getvalue()


def _clip(matrix: list[int] | None) -> bytes:
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as c:
        s: Any = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        if matrix is not None:
            s.set_display_matrix(matrix)
        for i in range(12):
            img = np.full((48, 64, 3), i * 20, np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return buf.getvalue()


def cases(token: str, filing: dict[str, Any]) -> list[Case]:
    auth = {"Authorization": f"Bearer {token}"}
    js = {**auth, "Content-Type": "application/json"}
    body = json.dumps(filing, ensure_ascii=False)

    def post(data: bytes | str, headers: dict[str, str] = js) -> Any:
        return lambda c, fid: c.post("/v1/filings", content=data, headers=headers)

    def patch(obj: Any) -> Any:
        return lambda c, fid: c.patch(f"/v1/filings/{fid}", json=obj, headers=auth)

    def upload(name: str, data: bytes) -> Any:
        return lambda c, fid: c.post(
            f"/v1/filings/{fid}/documents", files={"file": (name, data)}, headers=auth
        )

    def video(data: bytes) -> Any:
        return lambda c, fid: c.post(
            f"/v1/filings/{fid}/liveness/video", files={"file": ("v.mp4", data)}, headers=auth
        )

    deep = '{"x":' * 599 + "{}" + "}" * 599
    photo = _photo(4)
    big_photo = _photo(49)
    read = {(200, "id_card_front"), (503, "SATURATED")}
    zero = [0] * 9
    r45 = [46340, -46340, 0, 46340, 46340, 0, 0, 0, 1 << 30]
    ok = {(201, "")}
    return [
        Case(
            "unknown key 600 deep",
            post(body[:-1] + f', "junk": {deep}}}'),
            {(422, "JSON_TOO_DEEP")},
        ),
        Case("JSON 10,000 deep", post("[" * 10_000 + "]" * 10_000), {(422, "JSON_TOO_DEEP")}),
        Case(
            "1 MB subject.name (POST)",
            post(json.dumps({**filing, "subject": {**filing["subject"], "name": "x" * 2**20}})),
            {(422, "TEXT_TOO_LONG")},
        ),
        Case(
            "1 MB subject.name (PATCH)",
            patch({"subject": {"name": "x" * 2**20}}),
            {(422, "TEXT_TOO_LONG")},
        ),
        Case(
            "30 MB unknown string",
            post(body[:-1] + ', "junk": "' + "x" * 30 * 2**20 + '"}'),
            {(413, "REQUEST_TOO_LARGE")},
        ),
        Case("1.9 MB unknown string", post(body[:-1] + ', "junk": "' + "x" * 1_900_000 + '"}'), ok),
        *[
            Case(
                f"name with {label}",
                post(json.dumps({**filing, "subject": {**filing["subject"], "name": "甲" + ch}})),
                {(422, "INVALID_CHARACTER")},
            )
            for label, ch in (
                ("BEL", "\x07"),
                ("ESC[31m", "\x1b[31m"),
                ("U+202E", "\u202e"),
                ("NUL", "\x00"),
            )
        ],
        Case(
            "5000-digit integer",
            post(body[:-1] + ', "n": ' + "9" * 5000 + "}"),
            {(422, "NUMBER_TOO_LARGE")},
        ),
        Case("byte-order mark", post(b"\xef\xbb\xbf" + body.encode()), ok),
        Case("NaN", post(body.replace("true", "NaN", 1)), {(422, "INVALID_JSON")}),
        Case("10,000-char file name", upload("a" * 10_000 + ".jpg", photo), read),
        Case("CR/LF file name", upload("a\r\nb.jpg", photo), read),
        Case("16-bit greyscale PNG", upload("g.png", _grey16(photo)), read),
        Case("49 MP photo", upload("big.jpg", big_photo), read),
        Case("JPEG as video", video(photo), {(415, "UNSUPPORTED_FORMAT")}),
        Case("text as video", video(b"hello " * 1000), {(415, "UNSUPPORTED_FORMAT")}),
        Case(
            "garbage MP4",
            video(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000)),
            {(422, "CORRUPT_VIDEO")},
        ),
        Case("all-zero display matrix", video(_clip(zero)), {(422, "VIDEO_ROTATION_INVALID")}),
        Case("45-degree display matrix", video(_clip(r45)), {(422, "VIDEO_ROTATION_INVALID")}),
        Case(
            "60 MB video",
            video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 60 * 2**20),
            {(413, "VIDEO_TOO_LARGE")},
        ),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    from kyc.synth.filing import enterprise_filing

    data_dir = Path(tempfile.mkdtemp(prefix="kyc-hostile-"))
    env = dict(os.environ)
    env.update(
        {
            "KYC_DATA_DIR": str(data_dir),
            "KYC_ENVIRONMENT": "battery",
            "KYC_SERVICE__ENCRYPTION_KEY": base64.urlsafe_b64encode(
                secrets.token_bytes(32)
            ).decode(),
            "KYC_SERVICE__WORKERS": str(args.workers),
            "KYC_SERVICE__MAX_QUEUE": "4",
        }
    )
    env.pop("KYC_DATABASE_URL", None)
    kyc = [sys.executable, "-m", "kyc.cli"]
    token = subprocess.run(
        [*kyc, "keys", "create", "--account", "battery"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*kyc, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peaks: dict[int, int] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in [server.pid, *children(server.pid)]:
                peaks[pid] = max(peaks.get(pid, 0), rss_kib(pid))
            time.sleep(0.1)

    failures = 0
    try:
        if not wait_healthy(base, 900):
            print("server did not start", file=sys.stderr)
            return 1
        filing = enterprise_filing("battery", "battery.example.com")
        with httpx.Client(base_url=base, timeout=300) as c:
            r = c.post("/v1/filings", json=filing, headers={"Authorization": f"Bearer {token}"})
            r.raise_for_status()
            fid = r.json()["id"]
            r = c.post(
                f"/v1/filings/{fid}/consent",
                json={"biometric": True},
                headers={"Authorization": f"Bearer {token}"},
            )
            r.raise_for_status()
        idle = {pid: rss_kib(pid) for pid in [server.pid, *children(server.pid)]}
        threading.Thread(target=sample, daemon=True).start()
        battery = cases(token, filing)
        got: dict[str, list[tuple[int, str]]] = {c.name: [] for c in battery}
        lock = threading.Lock()

        def one(case: Case) -> None:
            with httpx.Client(base_url=base, timeout=300) as c:
                try:
                    r = case.send(c, fid)
                    out = r.json()
                    code = out.get("error", "") if r.status_code >= 400 else ""
                    if r.status_code == 200 and "document" in out:  # what was read
                        code = out["document"]["document_type"]
                    answer = (r.status_code, str(code))
                except (httpx.HTTPError, ValueError) as exc:
                    answer = (0, type(exc).__name__)
            with lock:
                got[case.name].append(answer)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, [c for _ in range(args.rounds) for c in battery]))
        wall = time.perf_counter() - t0
        # Credentials last (they lock this address): 30 wrong keys in a row.
        with httpx.Client(base_url=base, timeout=30) as c:
            wrong = [
                c.get(f"/v1/filings/{fid}", headers={"Authorization": f"Bearer x{i}"}).status_code
                for i in range(30)
            ]
        alive = httpx.get(base + "/healthz", timeout=10).status_code == 200
        stop.set()
        print(f"| case | expected | got ({args.rounds} rounds, {args.concurrency} at a time) | |")
        print("|---|---|---|---|")
        for case in battery:
            answers = got[case.name]
            bad = [a for a in answers if a not in case.expect]
            failures += bool(bad)
            shown = ", ".join(f"{s} {c}".strip() for s, c in sorted(set(answers)))
            want = " / ".join(f"{s} {c}".strip() for s, c in sorted(case.expect))
            print(f"| {case.name} | {want} | {shown} | {'ok' if not bad else 'WRONG'} |")
        first_429 = wrong.index(429) if 429 in wrong else None
        print(
            f"| 30 wrong API keys | 401 then 429 | 401 x{first_429}, then 429 |"
            f" {'ok' if first_429 and set(wrong[first_429:]) == {429} else 'WRONG'} |"
        )
        failures += not (first_429 and set(wrong[first_429:]) == {429})
        print(f"\nbattery wall {wall:.1f} s; server alive after it: {alive}")
        print("| process | idle MiB | peak MiB |")
        print("|---|---|---|")
        for pid, kib in sorted(peaks.items(), key=lambda kv: kv[0] != server.pid):
            name = "server" if pid == server.pid else f"worker {pid}"
            print(f"| {name} | {idle.get(pid, 0) / 1024:.0f} | {kib / 1024:.0f} |")
        failures += not alive
    finally:
        stop.set()
        server.send_signal(signal.SIGINT)
        try:
            _out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _out, err = server.communicate()
        tracebacks = err.count("Traceback")
        print(f"tracebacks in the server log: {tracebacks}")
        failures += tracebacks > 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
