"""``kyc reverify`` as an operator runs it: killed with SIGKILL half way and started again
it records exactly one result per item and reports what an uninterrupted run reports;
bad input exits 2 with one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kyc.store.tables import VerificationResult, VerificationRun

KYC = [sys.executable, "-m", "kyc.cli"]


def kyc(stored: Any, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KYC, *args],
        env=stored.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def results(stored: Any) -> dict[str, int]:
    with stored.ctx.sessions() as s:
        return dict(
            s.execute(
                select(VerificationResult.filing_id, func.count()).group_by(
                    VerificationResult.filing_id
                )
            ).all()
        )


def stable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("run_id", "timing", "resumed")}


@pytest.mark.models
def test_killed_run_resumes_to_the_report_of_an_uninterrupted_run(
    stored_factory: Any, tmp_path: Path
) -> None:
    stored = stored_factory(5, seed_value=3)
    ids = {s.filing_id for s in stored.seeded}
    proc = subprocess.Popen(
        [*KYC, "reverify", "--workers", "1", "--report", str(tmp_path / "never.json")],
        env=stored.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its pool workers die with it
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and len(results(stored)) < 2:
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    recorded = results(stored)
    assert 2 <= len(recorded) < 5, recorded  # killed half way
    assert not (tmp_path / "never.json").exists()
    with stored.ctx.sessions() as s:
        (run,) = s.scalars(select(VerificationRun)).all()
        assert run.status == "running"

    resumed = kyc(stored, "reverify", "--workers", "1", "--report", str(tmp_path / "a.json"))
    assert resumed.returncode == 0, resumed.stderr
    a = json.loads((tmp_path / "a.json").read_text())
    assert a["run_id"] == run.id and a["resumed"] is True
    assert (a["items"], a["done"] + a["failed"], a["pending"], a["status"]) == (5, 5, 0, "done")
    assert a["timing"]["processed"] == 5 - len(recorded)  # finished items were skipped
    assert results(stored) == dict.fromkeys(ids, 1)  # exactly one result per item
    assert f"run {run.id} [done]" in resumed.stdout

    again = kyc(
        stored, "reverify", "--workers", "1", "--quiet", "--report", str(tmp_path / "b.json")
    )
    assert again.returncode == 0, again.stderr
    b = json.loads((tmp_path / "b.json").read_text())
    assert b["run_id"] != a["run_id"] and b["resumed"] is False
    assert stable(a) == stable(b)


def test_bad_input_exits_2_with_one_line(stored_factory: Any) -> None:
    stored = stored_factory(1)
    cases = {
        ("--since", "2024-02-30"): "INVALID_DATE",
        ("--filing", "0" * 32): "UNKNOWN_FILING",
        ("--engine", "ray", "--address", "127.0.0.1:1"): "RAY_UNREACHABLE",
        ("--address", "auto"): "INVALID_FIELD",
        ("--workers", "0"): "INVALID_FIELD",
        ("--run", "nope"): "UNKNOWN_RUN",
    }
    for args, code in cases.items():
        r = kyc(stored, "reverify", *args, timeout=120)
        assert r.returncode == 2, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"kyc: {code}: "), (args, r.stderr)


def test_dry_run_plans_and_records_nothing(stored_factory: Any) -> None:
    stored = stored_factory(2)
    r = kyc(stored, "reverify", "--dry-run", "--json", "--engine", "ray")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["dry_run"] is True and out["run_id"] is None
    assert out["items"] == 2 and out["planned"]["to_run"] == 2
    assert out["planned"]["documents"] == 2
    with stored.ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(VerificationRun)) == 0
