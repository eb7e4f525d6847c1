"""Peak memory of one pool worker (the budget of docs/limits.md).

    uv run python scripts/bench_memory.py [--sizes 12,16,24,49,60] [--seed 3] [--video]

A fresh process is started as the service starts a pool worker (``init_worker``: the OCR
models and the face models), reads one photo or checks one video through the worker's own
functions (``read_document``, ``check_video``), and reports its resident memory before
(``idle``: models loaded) and its peak during the work (the kernel's high-water mark,
reset through ``/proc/self/clear_refs`` after loading). Photo modes: ``bounded`` (the
default settings: photos above ``images.decode_max_pixels`` decoded reduced) and ``full``
(the limit set above every allowed photo: the behaviour before). The photo is a synthetic
ID-card front (``kyc.synth``, level clean) scaled up to the size, JPEG quality 92; the
reading's document type and ID number are printed to show the reduced decode reads the
same. ``--video``: the largest clip the limits allow in resolution and duration, made from
../shared/data/videos/d0.mp4 (scaled to 1920x1080, looped to 30 s) and checked against a
face photo of ../shared/data/faces. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(mode: str, path: Path) -> None:
    from kyc.api import workers
    from kyc.config import Settings

    settings = Settings()
    if mode == "full":
        settings.images.decode_max_pixels = 10**12
    workers.init_worker(settings.model_dump_json(), workers.DEFAULT_READER, workers.DEFAULT_VIDEO)
    if mode == "video":
        from datetime import UTC, datetime

        from kyc.liveness.challenge import new_challenge

        face = sorted((DATA / "faces" / "obama").glob("*"))[0].read_bytes()
        challenge = new_challenge(3, Random(1), datetime.now(UTC), 300).to_json()

        def work() -> dict[str, Any]:
            return workers.check_video(
                str(path), face, challenge, False, datetime.now(UTC).isoformat()
            )
    else:
        data = path.read_bytes()

        def work() -> dict[str, Any]:
            return workers.read_document(data, path.name, "auto")

    idle = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # peak := current
    t0 = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - t0
    peak = _status_kib("VmHWM")
    out: dict[str, Any] = {"idle_mib": idle / 1024, "peak_mib": peak / 1024, "seconds": seconds}
    if mode == "video":
        verdict = result.get("verdict") or {}
        out["decision"] = verdict.get("decision") or result.get("error")
    else:
        reading = result["reading"]
        out["document_type"] = reading["document_type"]
        fields = reading["fields"]
        number = fields.get("id_number") or fields.get("credit_code") or {}
        out["id_number"] = number.get("value")
    print(json.dumps(out))


def make_video(out: Path) -> str:
    """d0.mp4 scaled to 1920x1080 and looped to 30 s (the limits' largest clip)."""
    import av
    import numpy as np

    frames = []
    with av.open(str(DATA / "videos" / "d0.mp4")) as src:
        stream = src.streams.video[0]
        rate = stream.average_rate or 30
        for vf in src.decode(stream):
            frames.append(vf.to_ndarray(format="rgb24"))
    with av.open(str(out), "w") as dst:
        vs: Any = dst.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = 1920, 1080, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "23"}
        import cv2

        n = int(30 * float(rate))
        for i in range(n):
            k = i % (2 * len(frames) - 2)  # forwards, then backwards: no jump
            img = frames[k if k < len(frames) else 2 * len(frames) - 2 - k]
            big = cv2.resize(img, (1920, 1080), interpolation=cv2.INTER_LINEAR)
            frame = av.VideoFrame.from_ndarray(np.asarray(big, dtype=np.uint8), format="rgb24")
            for pkt in vs.encode(frame):
                dst.mux(pkt)
        for pkt in vs.encode():
            dst.mux(pkt)
    return f"{n} frames at {float(rate):.0f} fps"


def make_photo(megapixels: float, seed: int, out: Path, kind: str) -> tuple[int, int, str]:
    import cv2

    from kyc.synth import generate

    sample = generate(kind, "clean", Random(seed))  # type: ignore[arg-type]
    h, w = sample.image.shape[:2]
    scale = (megapixels * 1e6 / (w * h)) ** 0.5
    size = (round(w * scale), round(h * scale))
    big = cv2.resize(sample.image, size, interpolation=cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    out.write_bytes(buf.tobytes())
    fields = sample.truth["fields"]
    return size[0], size[1], str(fields.get("id_number") or fields.get("credit_code"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="12,16,24,49,60", help="megapixels, comma-separated")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--kinds", default="id_card_front,business_license")
    ap.add_argument("--video", action="store_true", help="also the largest allowed clip")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0

    def run(mode: str, path: Path) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    print("| input | mode | idle MiB | peak MiB | peak - idle | s | result | id right |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, mp in [
            (k, float(x)) for k in args.kinds.split(",") for x in args.sizes.split(",") if x
        ]:
            photo = Path(tmp) / f"{kind}_{mp:g}mp.jpg"
            w, h, truth = make_photo(mp, args.seed, photo, kind)
            for mode in ("full", "bounded"):
                r = run(mode, photo)
                print(
                    f"| {kind} {w}x{h} ({w * h / 1e6:.1f} MP) | {mode} | {r['idle_mib']:.0f} | "
                    f"{r['peak_mib']:.0f} | {float(r['peak_mib']) - float(r['idle_mib']):.0f} | "
                    f"{r['seconds']:.1f} | {r['document_type']} | {r['id_number'] == truth} |",
                    flush=True,
                )
        if args.video:
            clip = Path(tmp) / "largest.mp4"
            what = make_video(clip)
            r = run("video", clip)
            print(
                f"| 1920x1080, 30 s ({what}) | video | {r['idle_mib']:.0f} | "
                f"{r['peak_mib']:.0f} | {float(r['peak_mib']) - float(r['idle_mib']):.0f} | "
                f"{r['seconds']:.1f} | {r['decision']} | - |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
