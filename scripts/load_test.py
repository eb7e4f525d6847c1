"""Load test: N concurrent document uploads against local ``kyc serve`` instances.

Starts ``--instances`` servers in subprocesses (a temporary data folder, a fresh key;
SQLite, or with ``--database postgresql`` a throwaway PostgreSQL server as the API tests
start one, tests/support/pgserver.py), each with ``--workers`` reader processes, creates an
API key and a filing, then fires N uploads of synthetic ID-card fronts at once, spread
over the instances in turn as a load balancer would, and prints p50 / p99 latency, status
counts (503s are the pool refusing work when saturated), the peak resident memory of each
instance (server and its worker processes) and the CPU seconds the instances used per
accepted upload.

    uv run python scripts/load_test.py --n 50 --workers 2 --max-queue 64
    uv run python scripts/load_test.py --n 50 --instances 2 --workers 1 --database postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from random import Random
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procs import free_port, tree_cpu_s, tree_rss_kib, wait_healthy  # noqa: E402


def _documents(n: int) -> list[bytes]:
    import cv2

    from kyc.synth import generate

    distinct = min(n, 8)
    out: list[bytes] = []
    for i in range(distinct):
        sample = generate("id_card_front", "moderate", Random(100 + i))
        _ok, buf = cv2.imencode(".jpg", sample.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        out.append(bytes(buf))
    return [out[i % distinct] for i in range(n)]


def _filing() -> dict[str, Any]:
    """An enterprise first filing in Guangdong with a synthetic (check-digit-valid) identity."""
    from kyc.synth.filing import enterprise_filing

    return enterprise_filing(account_id="load")


async def _fire(
    bases: list[str], token: str, fid: str, docs: list[bytes]
) -> list[tuple[int, float]]:
    limits = httpx.Limits(max_connections=len(docs), max_keepalive_connections=len(docs))
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:

        async def one(i: int, data: bytes) -> tuple[int, float]:
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    f"{bases[i % len(bases)]}/v1/filings/{fid}/documents",
                    files={"file": (f"doc{i}.jpg", data, "image/jpeg")},
                    headers={"Authorization": f"Bearer {token}"},
                )
                status = r.status_code
                if status not in (200, 503):
                    print(f"upload {i}: {status} {r.text[:300]}", file=sys.stderr)
            except httpx.HTTPError:
                status = 0
            return status, time.perf_counter() - t0

        return list(await asyncio.gather(*(one(i, d) for i, d in enumerate(docs))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-queue", type=int, default=64)
    ap.add_argument("--instances", type=int, default=1, help="kyc serve processes")
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="kyc-load-"))
    env = dict(os.environ)
    env.update(
        {
            "KYC_DATA_DIR": str(data_dir),
            "KYC_ENVIRONMENT": "loadtest",
            "KYC_SERVICE__ENCRYPTION_KEY": base64.urlsafe_b64encode(
                secrets.token_bytes(32)
            ).decode(),
            "KYC_SERVICE__WORKERS": str(args.workers),
            "KYC_SERVICE__MAX_QUEUE": str(args.max_queue),
        }
    )
    env.pop("KYC_DATABASE_URL", None)
    pg = None
    if args.database == "postgresql":
        sys.path.insert(0, str(REPO / "tests" / "support"))
        from pgserver import create_db, start_pg_server

        pg = start_pg_server()
        env["KYC_DATABASE_URL"] = create_db(pg)
    kyc = [sys.executable, "-m", "kyc.cli"]
    token = subprocess.run(
        [*kyc, "keys", "create", "--account", "load"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ports = [free_port() for _ in range(args.instances)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    base = bases[0]
    started = time.perf_counter()
    servers = [
        subprocess.Popen(
            [*kyc, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    peak = [0] * len(servers)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for k, server in enumerate(servers):
                peak[k] = max(peak[k], tree_rss_kib(server.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        if not all(wait_healthy(b, 600) for b in bases):
            print("server did not start", file=sys.stderr)
            return 1
        ready_s = time.perf_counter() - started
        docs = _documents(args.n)
        r = httpx.post(
            base + "/v1/filings",
            json=_filing(),
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        r.raise_for_status()
        fid = r.json()["id"]
        idle_rss = [tree_rss_kib(server.pid) for server in servers]
        cpu0 = sum(tree_cpu_s(server.pid) for server in servers)
        t0 = time.perf_counter()
        results = asyncio.run(_fire(bases, token, fid, docs))
        wall = time.perf_counter() - t0
        cpu = sum(tree_cpu_s(server.pid) for server in servers) - cpu0
        ok = sorted(lat for status, lat in results if status == 200)
        all_lat = sorted(lat for _s, lat in results)
        counts: dict[str, int] = {}
        for status, _lat in results:
            counts[str(status)] = counts.get(str(status), 0) + 1

        def pct(xs: list[float], q: float) -> float | None:
            if not xs:
                return None
            return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3)

        report = {
            "uploads": args.n,
            "instances": args.instances,
            "database": args.database,
            "workers": args.workers,
            "max_queue": args.max_queue,
            "cpus": os.cpu_count(),
            "server_ready_s": round(ready_s, 1),
            "wall_s": round(wall, 2),
            "status_counts": counts,
            "errors": sum(v for k, v in counts.items() if k != "200"),
            "p50_s_ok": pct(ok, 0.5),
            "p99_s_ok": pct(ok, 0.99),
            "p50_s_all": pct(all_lat, 0.5),
            "p99_s_all": pct(all_lat, 0.99),
            "mean_s_ok": round(statistics.fmean(ok), 3) if ok else None,
            "throughput_per_s": round(len(ok) / wall, 2) if wall else None,
            "cpu_s_per_ok": round(cpu / len(ok), 2) if ok else None,
            "rss_idle_mib": [round(v / 1024, 1) for v in idle_rss],
            "rss_peak_mib": [round(v / 1024, 1) for v in peak],
        }
        print(json.dumps(report))
        return 0
    finally:
        stop.set()
        for server in servers:
            server.send_signal(signal.SIGINT)
        for server in servers:
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg is not None:
            from pgserver import remove_pg_server

            remove_pg_server(pg)


if __name__ == "__main__":
    sys.exit(main())
