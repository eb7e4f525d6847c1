"""The Ray engine's scheduling when actors are lost (pure logic: Ray's calls replaced by
fakes whose actors die on command; the real thing on two real nodes is
tests/integration/jobs/test_jobs_ray_cluster.py): a lost actor's items run again on the
actors left, one outcome per task; the run stops only when every actor is lost or one
item has been lost more than ``max_tries`` times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import ray
from ray.exceptions import ActorDiedError

from kyc.errors import SystemFault
from kyc.jobs.engines import RayEngine
from kyc.jobs.model import ItemOutcome, ItemTask, WorkerConfig


class Ref:
    def __init__(self, actor: FakeActor, task: ItemTask) -> None:
        self.actor, self.task = actor, task
        self.dead = actor.dies(task)  # decided when submitted, as a crash mid-task would


class FakeActor:
    def __init__(self, name: str, dies: Callable[[ItemTask], bool]) -> None:
        self.name, self.dies = name, dies
        self.ran: list[str] = []
        self.process = self  # ``actor.process.remote(task)``

    def remote(self, task: ItemTask) -> Ref:
        return Ref(self, task)


def outcome_of(ref: Ref) -> ItemOutcome:
    if ref.dead:
        raise ActorDiedError()
    ref.actor.ran.append(ref.task.filing_id)
    return ItemOutcome(ref.task.filing_id, (), None, 1.0, worker=ref.actor.name)


@pytest.fixture
def fake_ray(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    killed: list[Any] = []
    monkeypatch.setattr(ray, "wait", lambda refs, num_returns=1: (refs[:num_returns], refs[1:]))
    monkeypatch.setattr(ray, "get", outcome_of)
    monkeypatch.setattr(ray, "cancel", lambda ref: None)
    monkeypatch.setattr(ray, "kill", killed.append)
    return killed


def engine_with(actors: list[FakeActor], max_tries: int = 3) -> RayEngine:
    engine = RayEngine(WorkerConfig("{}"), workers=len(actors), max_tries=max_tries)
    engine._actors = list(actors)
    return engine


def tasks(n: int) -> list[ItemTask]:
    return [ItemTask(f"f{i:02d}", (), None) for i in range(n)]


def test_a_lost_actors_items_run_again_on_the_others(fake_ray: list[Any]) -> None:
    a = FakeActor("a", lambda t: False)
    b = FakeActor("b", lambda t: t.filing_id >= "f03")  # b dies from its item f03 on
    engine = engine_with([a, b])
    out = [o.filing_id for o in engine.run(tasks(10))]
    assert sorted(out) == [t.filing_id for t in tasks(10)]  # one outcome per task
    assert b.ran and all(fid < "f03" for fid in b.ran)  # b ran items before it died
    assert set(a.ran) == set(out) - set(b.ran)  # a ran everything else
    assert fake_ray == [b] and engine._actors == [a]  # b killed for good, no longer used


def test_the_run_stops_when_every_actor_is_lost(fake_ray: list[Any]) -> None:
    a = FakeActor("a", lambda t: t.filing_id >= "f04")
    b = FakeActor("b", lambda t: t.filing_id >= "f02")
    engine = engine_with([a, b])
    seen: list[str] = []
    with pytest.raises(SystemFault, match="every Ray worker was lost"):
        seen.extend(o.filing_id for o in engine.run(tasks(10)))
    assert len(seen) == len(set(seen)) < 10  # what came back came back once


def test_an_item_that_kills_what_runs_it_stops_the_run(fake_ray: list[Any]) -> None:
    actors = [FakeActor(n, lambda t: t.filing_id == "f01") for n in "abcd"]
    engine = engine_with(actors, max_tries=1)
    with pytest.raises(SystemFault, match="f01 was lost 2 times"):
        list(engine.run(tasks(6)))
    assert len(engine._actors) == 2  # two actors died of it; the others were spared
