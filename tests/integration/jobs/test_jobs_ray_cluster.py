"""``kyc reverify --engine ray --address`` on a real two-node Ray cluster on this machine
(a head and a worker node started by ``ray start`` as separate processes, one CPU each):
the items are spread over both nodes; the worker node is killed whole (SIGKILL of its
raylet, agents and actor) half way; the head's actor finishes the run, with one result
per item and the report a local run gives."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jobs.jobs_support import FACE
from kyc.jobs.raycluster import RayCluster
from kyc.jobs.store import RESULT_PURPOSE
from kyc.store.tables import VerificationResult

KYC = [sys.executable, "-m", "kyc.cli"]
ITEMS = 8
WORKER_PID = re.compile(r":(\d+)@")

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not FACE.exists(), reason="shared test data absent"),
]


@pytest.fixture
def cluster() -> Iterator[RayCluster]:
    c = RayCluster.create()
    try:
        c.start_head()
        c.add_worker()
        yield c
    finally:
        c.shutdown()


def workers_by_item(stored: Any) -> dict[str, int]:
    """filing -> pid of the worker whose result is recorded (the sealed payload says)."""
    out = {}
    with stored.ctx.sessions() as s:
        for row in s.scalars(select(VerificationResult)).all():
            worker = stored.ctx.cipher.decrypt_json(row.result_enc, RESULT_PURPOSE)["worker"]
            m = WORKER_PID.search(worker)
            assert m is not None, worker  # a Ray actor's name carries its node
            out[row.filing_id] = int(m.group(1))
    return out


def stable(report: dict[str, Any]) -> dict[str, Any]:
    drop = ("run_id", "timing", "resumed", "engine")
    return {k: v for k, v in report.items() if k not in drop}


def test_a_run_spread_over_two_nodes_survives_losing_one(
    stored_factory: Any, cluster: RayCluster, tmp_path: Path
) -> None:
    stored = stored_factory(ITEMS, seed_value=5)
    head, node = cluster.nodes
    env = stored.env()
    env.update(cluster.driver_env())
    args = ["--engine", "ray", "--address", cluster.address, "--workers", "2", "--quiet"]
    proc = subprocess.Popen(
        [*KYC, "reverify", *args, "--report", str(tmp_path / "ray.json")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # wait until each node has recorded a result, then kill the worker node whole
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no result from both nodes in time"
            on_head, on_node = head.pids(), node.pids()
            by = workers_by_item(stored)
            if any(p in on_node for p in by.values()) and any(p in on_head for p in by.values()):
                break
            time.sleep(0.1)
        killed = node.kill()
        before_kill = workers_by_item(stored)
        _out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == 0, err
    assert len(before_kill) < ITEMS, "the run ended before the node was killed"
    assert not node.pids() and head.pids()  # the worker node is gone, the head is not
    assert set(before_kill.values()) & killed  # the killed node had run items
    assert "was lost" in err  # the driver said so on stderr

    ran = workers_by_item(stored)
    assert set(ran) == {s.filing_id for s in stored.seeded}  # one result per item
    after_kill = {fid: pid for fid, pid in ran.items() if fid not in before_kill}
    assert after_kill and set(after_kill.values()) <= on_head  # the head finished the run
    a = json.loads((tmp_path / "ray.json").read_text())
    assert (a["items"], a["done"] + a["failed"], a["pending"], a["status"]) == (
        ITEMS,
        ITEMS,
        0,
        "done",
    )
    assert a["engine"] == "ray" and a["timing"]["processed"] == ITEMS

    # the same selection on the local pool (a new run: the first is finished)
    local = subprocess.run(
        [*KYC, "reverify", "--workers", "2", "--quiet", "--report", str(tmp_path / "local.json")],
        env=stored.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert local.returncode == 0, local.stderr
    b = json.loads((tmp_path / "local.json").read_text())
    assert b["run_id"] != a["run_id"] and b["engine"] == "local"
    assert stable(a) == stable(b)
