"""Fixtures of the re-verification tests with the real models: stored synthetic
submissions, and a local Ray started by the test (2 CPUs, a 200 MB object store), shut
down afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobs.jobs_support import Stored, make_store
from kyc.jobs.engines import RAY_ENV


@pytest.fixture
def stored_factory(tmp_path: Path) -> Iterator[Any]:
    made: list[Stored] = []

    def factory(n: int, **kw: Any) -> Stored:
        s = make_store(tmp_path / f"var{len(made)}", n, **kw)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.dispose()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    """A local Ray with 2 CPUs and a 200 MB object store, for this module's tests."""
    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    import ray

    if ray.is_initialized():
        ray.shutdown()
    ray.init(
        num_cpus=2,
        object_store_memory=200 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        yield ray
    finally:
        ray.shutdown()
