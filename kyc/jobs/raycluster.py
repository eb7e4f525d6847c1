"""A real Ray cluster of several nodes on one machine, for the tests and the benchmark: a head
and worker nodes started by ``ray start`` as separate processes, each with its own temp
dir and its own ports, each in its own session so that a node can be killed whole
(SIGKILL of its raylet, its agents and its workers) without touching any other Ray on
the machine (``ray stop`` would stop every Ray of the user: never used here).

``ray start`` (without ``--block``) returns once its node has registered with the head;
the node's processes keep the session id of that ``ray start`` process, which is how
they are found again (Ray starts none of them in a new session).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kyc.jobs.engines import RAY_ENV

RAY = [sys.executable, "-m", "ray.scripts.scripts"]

# The head notices a dead node after about period x threshold (Ray's defaults: 3 s x 5,
# after a 5 s initial delay): shorter here so that a killed node is declared dead in
# about 2 seconds rather than 15-30.
HEALTH_ENV = {
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "500",
    "RAY_health_check_failure_threshold": "4",
}


def free_ports(n: int) -> list[int]:
    """n distinct ports free now (the OS's choice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class RayNode:
    name: str
    session: int  # the session id of its processes (the pid of its ``ray start``)
    temp_dir: Path
    head: bool

    def pids(self) -> set[int]:
        """Every live process of this node (raylet, agents, workers; GCS on the head)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getsid(int(entry.name)) == self.session:
                    found.add(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
        return found

    def kill(self) -> set[int]:
        """SIGKILL every process of the node; returns the pids killed."""
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids


@dataclass
class RayCluster:
    root: Path
    address: str = ""
    # Token authentication, as a production cluster runs: one token for every node and
    # driver of this cluster (its own, not the user's ~/.ray/auth_token).
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    nodes: list[RayNode] = field(default_factory=list)

    @classmethod
    def create(cls) -> RayCluster:
        # A short root: Ray's Unix sockets live under it (at most 107 bytes a path).
        return cls(Path(tempfile.mkdtemp(prefix="kray", dir="/tmp")))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env.update(RAY_ENV)
        env.update(HEALTH_ENV)
        env.update({"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token})
        return env

    def driver_env(self) -> dict[str, str]:
        """What a driver (``kyc reverify --address``) adds to its environment to join."""
        return {**RAY_ENV, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token}

    def _start(self, name: str, args: list[str], timeout: float) -> RayNode:
        temp_dir = self.root / name
        agent, agent_grpc, runtime_env, metrics, node_mgr, obj_mgr = free_ports(6)
        cmd = [
            *RAY,
            "start",
            *args,
            f"--temp-dir={temp_dir}",
            "--num-cpus=1",
            f"--object-store-memory={100 * 1024 * 1024}",
            f"--node-manager-port={node_mgr}",
            f"--object-manager-port={obj_mgr}",
            f"--dashboard-agent-listen-port={agent}",
            f"--dashboard-agent-grpc-port={agent_grpc}",
            f"--runtime-env-agent-port={runtime_env}",
            f"--metrics-export-port={metrics}",
            "--min-worker-port=0",
            "--max-worker-port=0",
            "--disable-usage-stats",
            "--log-style=record",
        ]
        log = (self.root / f"{name}.log").open("w")
        proc = subprocess.Popen(
            cmd,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its processes share this session: found and killed by it
        )
        node = RayNode(name, proc.pid, temp_dir, head="--head" in args)
        self.nodes.append(node)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 0:
            raise RuntimeError(
                f"ray start ({name}) failed ({rc}): "
                + (self.root / f"{name}.log").read_text()[-3000:]
            )
        return node

    def start_head(self, timeout: float = 120) -> RayNode:
        (port,) = free_ports(1)
        node = self._start(
            "head",
            [
                "--head",
                "--node-ip-address=127.0.0.1",
                f"--port={port}",
                "--include-dashboard=false",
            ],
            timeout,
        )
        self.address = f"127.0.0.1:{port}"
        return node

    def add_worker(self, timeout: float = 120) -> RayNode:
        name = f"worker{sum(1 for n in self.nodes if not n.head)}"
        return self._start(
            name, [f"--address={self.address}", "--node-ip-address=127.0.0.1"], timeout
        )

    def shutdown(self) -> None:
        """Kill every node's processes (twice: one may have spawned while the first went),
        then remove the temp dirs."""
        for _ in range(2):
            for node in self.nodes:
                node.kill()
            time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)
