"""Re-verification throughput: items per minute and items per core-second with 1 and 2
local workers and with Ray actors on a Ray cluster of separate nodes, on one stored set
of synthetic submissions (kyc.synth documents: random, check-digit-valid identities,
never real people's data).

    uv run python scripts/bench_reverify.py [--n 16] [--repeat 3] [--with-video]
        [--engines local1,local1t,local2,ray1,ray2]

Engines: ``localN`` (N pool workers; with N > 1 one thread each, as ``kyc reverify``
does), ``localNt`` (N workers of one thread even when N = 1), ``rayN`` (N actors of one
thread on a cluster of as many nodes as the largest ``rayN`` asks, one CPU each: a head
and worker nodes started by ``ray start`` as separate processes, joined by address, as
``kyc reverify --engine ray --address`` does). Local engines start once; Ray engines
start anew in every round (the nodes' CPUs fit one engine's actors at a time); start-up
is timed apart from the items. Every round re-verifies the whole set as a new run on
each engine in turn, so that a change of machine load hits them all.

Per engine: items per minute (median and best round), items per *allotted* core-second
(items / (wall x cores the engine is given: its workers' threads)), and items per
*consumed* CPU-second (items / CPU time of the driver and the engine's processes during
the round, from /proc: the workers, and for Ray every process of the cluster's nodes).
Medians over the rounds. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time of these processes so far (their threads included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # gone: its time is lost (not expected while a round runs)
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=16, help="stored filings (one document each)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--level", default="moderate", choices=("clean", "moderate", "hard"))
    ap.add_argument("--max-side", type=int, default=None, help="downscale uploads to this")
    ap.add_argument(
        "--with-video", action="store_true", help="ID-card fronts also carry a video check"
    )
    ap.add_argument("--engines", default="local1,local1t,local2,ray1,ray2")
    ap.add_argument("--repeat", type=int, default=3, help="rounds per engine (median kept)")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep the store here")
    args = ap.parse_args(argv)

    from kyc.config import Settings
    from kyc.jobs.engines import LocalEngine, RayEngine
    from kyc.jobs.model import WorkerConfig
    from kyc.jobs.raycluster import RayCluster
    from kyc.jobs.runner import Context, Options, execute, prepare
    from kyc.jobs.synthetic import seed
    from kyc.store.open import open_store

    specs = []
    for name in args.engines.split(","):
        m = re.fullmatch(r"(local|ray)(\d+)(t?)", name.strip())
        if m is None or (m.group(1) == "ray" and m.group(3)):
            ap.error(f"--engines: {name!r} is not localN, localNt or rayN")
        specs.append((name.strip(), m.group(1), int(m.group(2))))

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kyc-bench-reverify-"))
    settings = Settings(environment="development", data_dir=data_dir)
    db, sessions, cipher, blobs = open_store(settings)
    ctx = Context(settings, sessions, cipher, blobs)
    face = SHARED / "faces" / "liveportrait_stills" / "d12.jpg"
    video = SHARED / "videos" / "d12.mp4"
    t0 = time.perf_counter()
    seeded = seed(
        sessions,
        cipher,
        blobs,
        args.n,
        Random(args.seed),
        kinds=("id_card_front", "id_card_back", "business_license"),
        level=args.level,
        max_side=args.max_side,
        face=face if face.exists() else None,
        video=video if args.with_video and video.exists() else None,
    )
    print(
        f"stored set: {len(seeded)} filings ({args.level}), "
        f"{sum(1 for s in seeded if s.video_id)} with a video, "
        f"seeded in {time.perf_counter() - t0:.1f} s, store {data_dir}",
        flush=True,
    )
    cluster = None
    ray_nodes = max((w for _n, kind, w in specs if kind == "ray"), default=0)
    if ray_nodes:
        s0 = time.perf_counter()
        cluster = RayCluster.create()
        cluster.start_head()
        for _ in range(ray_nodes - 1):
            cluster.add_worker()
        os.environ.update(cluster.driver_env())
        import ray

        ray.init(address=cluster.address, log_to_driver=False)  # the engines join it
        print(
            f"ray cluster: {ray_nodes} nodes of 1 CPU in {time.perf_counter() - s0:.1f} s",
            flush=True,
        )
    load_before = os.getloadavg()
    threads = settings.ocr.threads  # what one worker of the configured threads uses

    def cores(name: str, kind: str, workers: int) -> int:
        one_thread = kind == "ray" or workers > 1 or name.endswith("t")
        return workers if one_thread else min(threads, os.cpu_count() or 1)

    def make(name: str, kind: str, workers: int) -> Any:
        if kind == "ray":
            return RayEngine(WorkerConfig(settings.model_dump_json(), single_thread=True), workers)
        one_thread = workers > 1 or name.endswith("t")
        return LocalEngine(
            WorkerConfig(settings.model_dump_json(), single_thread=one_thread), workers
        )

    def engine_pids(kind: str, infos: list[dict[str, Any]]) -> set[int]:
        pids = {os.getpid()}
        if kind == "ray" and cluster is not None:
            for node in cluster.nodes:
                pids |= node.pids()
        else:
            pids |= {int(i["pid"]) for i in infos}
        return pids

    engines: dict[str, Any] = {}
    infos: dict[str, list[dict[str, Any]]] = {}
    startup: dict[str, list[float]] = {name: [] for name, _k, _w in specs}

    def start(name: str, kind: str, workers: int) -> None:
        s0 = time.perf_counter()
        engines[name] = make(name, kind, workers)
        infos[name] = engines[name].start()
        startup[name].append(time.perf_counter() - s0)
        print(f"{name:7} started in {startup[name][-1]:.1f} s", flush=True)

    for name, kind, workers in specs:  # local pools start once (models loaded per worker)
        if kind == "local":
            start(name, kind, workers)
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _k, _w in specs}
    afters: dict[str, Any] = {}
    failed: dict[str, int] = {}
    try:
        for round_ in range(args.repeat):  # interleaved: load changes hit every engine
            for name, kind, workers in specs:
                if kind == "ray":  # the cluster's CPUs hold one Ray engine's actors at a time
                    start(name, kind, workers)
                opts = Options(engine="ray" if kind == "ray" else "local", workers=workers)
                prepared = prepare(ctx, opts)  # a new run of the same items
                pids = engine_pids(kind, infos[name])
                c0, w0 = cpu_seconds(pids), time.perf_counter()
                report = execute(ctx, prepared, engines[name], close_engine=False)
                wall, cpu = time.perf_counter() - w0, cpu_seconds(pids) - c0
                if kind == "ray":
                    engines[name].close()
                done = report.done + report.failed
                n_cores = cores(name, kind, workers)
                rounds[name].append(
                    {
                        "wall_s": wall,
                        "items_per_min": 60.0 * done / wall,
                        "items_per_core_s": done / (wall * n_cores),
                        "items_per_cpu_s": done / cpu if cpu > 0 else 0.0,
                        "cpu_s": cpu,
                        "load1": os.getloadavg()[0],
                    }
                )
                failed[name] = report.failed
                afters[name] = sorted(
                    (r.filing_id, r.after) for r in report.records if r.after is not None
                )
                r = rounds[name][-1]
                print(
                    f"round {round_ + 1}: {name:7} {done} items in {wall:6.1f} s "
                    f"= {r['items_per_min']:6.2f} items/min, "
                    f"{r['items_per_core_s']:.3f} /core-s ({n_cores} cores), "
                    f"{r['items_per_cpu_s']:.3f} /CPU-s ({cpu:.1f} CPU-s)  "
                    f"(load {r['load1']:.1f})",
                    flush=True,
                )
    finally:
        for engine in engines.values():
            engine.close()
        if cluster is not None:
            import ray

            ray.shutdown()
            cluster.shutdown()
    db.dispose()

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    rows: list[dict[str, Any]] = []
    for name, kind, workers in specs:
        rows.append(
            {
                "engine": name,
                "workers": workers,
                "cores": cores(name, kind, workers),
                "items": args.n,
                "failed": failed.get(name, 0),
                "startup_s": round(statistics.median(startup[name]), 2),
                "items_per_min": round(med(name, "items_per_min"), 2),
                "items_per_min_best": round(max(r["items_per_min"] for r in rounds[name]), 2),
                "items_per_core_s": round(med(name, "items_per_core_s"), 4),
                "items_per_cpu_s": round(med(name, "items_per_cpu_s"), 4),
                "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds[name]],
            }
        )
    one = next((r for r in rows if r["engine"] == "local1t"), None)
    for r in rows:
        if one:
            r["speedup_vs_1t"] = round(r["items_per_min"] / one["items_per_min"], 3)
            r["per_core_vs_1t"] = round(r["items_per_core_s"] / one["items_per_core_s"], 3)
    summary: dict[str, Any] = {
        "n": args.n,
        "level": args.level,
        "with_video": args.with_video,
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
        "same_results_on_every_engine": len({repr(v) for v in afters.values()}) == 1,
    }
    print()
    print(
        "| engine | cores | items/min (median) | best | items/core-s | x local1t per core "
        "| items/CPU-s | start-up s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['engine']} | {r['cores']} | {r['items_per_min']:.2f} | "
            f"{r['items_per_min_best']:.2f} | {r['items_per_core_s']:.3f} | "
            f"{r.get('per_core_vs_1t', 0):.2f} | {r['items_per_cpu_s']:.3f} | "
            f"{r['startup_s']:.1f} |"
        )
    print(f"load average before {summary['load_before']}, after {summary['load_after']}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
