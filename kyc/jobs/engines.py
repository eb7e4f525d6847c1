"""Engines schedule ``work.process`` over tasks; they decide nothing about what runs.

- ``LocalEngine``: a process pool (spawn) whose initializer loads the models once per
  worker; a thread pool for tests and the service's test mode.
- ``RayEngine``: one actor per worker, each holding the models; a local Ray started on
  demand, or a running cluster (``address="auto"`` or ``host:port``).

Both keep a bounded number of tasks in flight (so inputs are read from the store only
shortly before they run) and yield outcomes in completion order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, Protocol

from kyc.errors import BadInput, ErrorCode, SystemFault
from kyc.jobs import work
from kyc.jobs.model import ItemOutcome, ItemTask, WorkerConfig

log = logging.getLogger("kyc.jobs")


class Engine(Protocol):
    name: str
    workers: int

    def start(self) -> list[dict[str, Any]]:
        """Start every worker and load its models; returns what each worker reports."""
        ...

    def run(self, tasks: Iterable[ItemTask]) -> Iterator[ItemOutcome]: ...

    def close(self) -> None: ...


class LocalEngine:
    name = "local"

    def __init__(
        self,
        config: WorkerConfig,
        workers: int,
        kind: Literal["process", "thread"] = "process",
        window: int | None = None,
    ) -> None:
        if workers < 1:
            raise BadInput(ErrorCode.INVALID_FIELD, "--workers must be at least 1")
        self.config = config
        self.workers = workers
        self.kind = kind
        self.window = window or 2 * workers
        self._executor: Executor | None = None
        self._infos: list[dict[str, Any]] = []

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.kind == "thread":
                self._executor = ThreadPoolExecutor(
                    self.workers, initializer=work.init, initargs=(self.config,)
                )
            else:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=work.init,
                    initargs=(self.config,),
                )
        return self._executor

    def start(self) -> list[dict[str, Any]]:
        if self._infos:
            return self._infos
        pool = self._pool()
        seen: dict[Any, dict[str, Any]] = {}
        pause = 0.3
        for _ in range(6):  # until every worker has answered (each loads its models once)
            futures = [pool.submit(work.ready, pause) for _ in range(self.workers)]
            for info in (self._result(f) for f in futures):
                seen[info["worker"]] = info
            if len(seen) >= self.workers or self.kind == "thread":
                break
            pause *= 2
        self._infos = list(seen.values())
        return self._infos

    @staticmethod
    def _result(future: Future[Any]) -> Any:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise SystemFault(ErrorCode.INTERNAL, "a re-verification worker died") from exc

    def run(self, tasks: Iterable[ItemTask]) -> Iterator[ItemOutcome]:
        pool = self._pool()
        source = iter(tasks)
        pending: set[Future[ItemOutcome]] = set()

        def fill() -> None:
            while len(pending) < self.window:
                task = next(source, None)
                if task is None:
                    return
                pending.add(pool.submit(work.process, task))

        fill()
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    pending.discard(future)
                    yield self._result(future)
                fill()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._infos = []


# --------------------------------------------------------------------------- Ray

RAY_ENV = {
    # `uv run` would otherwise make Ray build a fresh virtual environment per job.
    "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}


class ReverifyActor:
    """A Ray actor holding the models (made remote by ``RayEngine.start``)."""

    def __init__(self, config: WorkerConfig) -> None:
        import ray

        self.worker = work.Worker(config)
        # which node ran an item is recorded with its result (``worker``)
        self.worker.name += "@" + ray.get_runtime_context().get_node_id()[:12]

    def ready(self) -> dict[str, Any]:
        return self.worker.info()

    def process(self, task: ItemTask) -> ItemOutcome:
        return self.worker.process(task)


def check_address(address: str, timeout_s: float = 5.0) -> None:
    """A ``host:port`` must accept a TCP connection (Ray's own connect retries for a long
    time before failing). ``auto`` and ``ray://`` addresses are left to Ray."""
    if address == "auto" or "://" in address:
        return
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise BadInput(ErrorCode.RAY_UNREACHABLE, f"not a Ray address (host:port): {address!r}")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            return
    except OSError as exc:
        raise BadInput(ErrorCode.RAY_UNREACHABLE, f"{address}: {exc.strerror or exc}") from exc


class RayEngine:
    name = "ray"

    def __init__(
        self,
        config: WorkerConfig,
        workers: int | None = None,
        address: str | None = None,
        object_store_mb: int = 200,
        per_actor: int = 2,
        max_tries: int = 3,
    ) -> None:
        if workers is not None and workers < 1:
            raise BadInput(ErrorCode.INVALID_FIELD, "--workers must be at least 1")
        self.config = config
        self.requested = workers
        self.workers = workers or 0
        self.address = address
        self.object_store_mb = object_store_mb
        self.per_actor = per_actor
        self.max_tries = max_tries  # runs again of one item whose worker was lost
        self._owns_ray = False
        self._actors: list[Any] = []
        self._infos: list[dict[str, Any]] = []

    def _init_ray(self) -> Any:
        for key, value in RAY_ENV.items():
            os.environ.setdefault(key, value)
        import ray

        if ray.is_initialized():
            return ray
        if self.address:
            check_address(self.address)
            try:
                ray.init(address=self.address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BadInput(ErrorCode.RAY_UNREACHABLE, f"{self.address}: {exc}") from exc
        else:
            ray.init(
                num_cpus=self.requested or os.cpu_count() or 1,
                object_store_memory=self.object_store_mb * 1024 * 1024,
                include_dashboard=False,
                log_to_driver=False,
            )
        self._owns_ray = True
        return ray

    def start(self) -> list[dict[str, Any]]:
        if self._actors:  # started already: the same actors
            return self._infos
        ray = self._init_ray()
        if not self.workers:
            self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        config = self.config
        if self.workers > 1 and not config.single_thread:
            config = WorkerConfig(config.settings_json, config.pipeline, single_thread=True)
        env = work.single_thread_env() if config.single_thread else {}
        actor_cls = ray.remote(num_cpus=1, runtime_env={"env_vars": env} if env else None)(
            ReverifyActor
        )
        self._actors = [actor_cls.remote(config) for _ in range(self.workers)]
        self._infos = list(ray.get([a.ready.remote() for a in self._actors]))
        return self._infos

    def run(self, tasks: Iterable[ItemTask]) -> Iterator[ItemOutcome]:
        """Outcomes in completion order. An actor that is lost (its process or its node
        died: ``RayActorError``), or whose result was lost with its node, costs only
        time: its items in flight run again on the actors left, and the run ends with
        one outcome per task. Only when every actor is lost does the run fail."""
        import ray
        from ray.exceptions import ObjectLostError, RayActorError, RayError

        if not self._actors:
            self.start()
        source = iter(tasks)
        retry: deque[ItemTask] = deque()  # items of a lost actor, run again first
        tries: dict[str, int] = {}  # filing -> times its run was lost
        inflight: dict[Any, tuple[Any, ItemTask]] = {}

        def top_up() -> None:  # up to per_actor tasks queued on every live actor
            for actor in self._actors:
                queued = sum(1 for a, _t in inflight.values() if a is actor)
                while queued < self.per_actor:
                    task = retry.popleft() if retry else next(source, None)
                    if task is None:
                        return
                    inflight[actor.process.remote(task)] = (actor, task)
                    queued += 1

        top_up()
        try:
            while inflight:
                ready, _ = ray.wait(list(inflight), num_returns=1)
                actor, task = inflight.pop(ready[0])
                try:
                    outcome: ItemOutcome = ray.get(ready[0])
                except (RayActorError, ObjectLostError) as exc:
                    self._lose(actor, exc)
                    tries[task.filing_id] = tries.get(task.filing_id, 0) + 1
                    if tries[task.filing_id] > self.max_tries:  # it kills what runs it?
                        raise SystemFault(
                            ErrorCode.INTERNAL,
                            f"filing {task.filing_id[:8]} was lost {self.max_tries + 1} times",
                        ) from exc
                    retry.append(task)
                    log.warning(
                        "reverify: a Ray worker was lost (%s); filing %s runs again on "
                        "one of the %d left",
                        type(exc).__name__,
                        task.filing_id[:8],
                        len(self._actors),
                    )
                    if not self._actors:
                        raise SystemFault(ErrorCode.INTERNAL, "every Ray worker was lost") from exc
                    top_up()
                    continue
                except RayError as exc:
                    raise SystemFault(
                        ErrorCode.INTERNAL, f"a Ray worker failed: {type(exc).__name__}"
                    ) from exc
                yield outcome
                top_up()
        finally:
            for ref in inflight:
                ray.cancel(ref)

    def _lose(self, actor: Any, exc: Exception) -> None:
        """Stop using an actor whose process or node died (a lost result alone leaves
        the actor in use: its next task tells whether it is alive)."""
        import ray
        from ray.exceptions import RayActorError

        if not isinstance(exc, RayActorError) or actor not in self._actors:
            return
        self._actors.remove(actor)
        try:
            ray.kill(actor)  # no restart: its node may be back, its items are not
        except Exception:  # already gone
            log.debug("reverify: killing a lost actor failed", exc_info=True)

    def close(self) -> None:
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors, self._infos = [], []
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
        self._owns_ray = False
