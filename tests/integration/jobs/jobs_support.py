"""Helpers of the re-verification tests with the real models: a stored set of synthetic
submissions (SQLite + local blobs, as ``kyc serve`` keeps them in development)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

from kyc.config import Settings
from kyc.jobs.runner import Context
from kyc.jobs.synthetic import Seeded, seed

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
FACE = SHARED / "faces" / "liveportrait_stills" / "d12.jpg"
VIDEO = SHARED / "videos" / "d12.mp4"
MAX_SIDE = 1000  # smaller photos: a read takes about a second


@dataclass
class Stored:
    data_dir: Path
    settings: Settings
    ctx: Context
    seeded: list[Seeded]
    dispose: Any

    def env(self) -> dict[str, str]:
        """The environment a ``kyc`` subprocess needs to open this store."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KYC_")}
        env.update({"KYC_DATA_DIR": str(self.data_dir), "KYC_ENVIRONMENT": "development"})
        return env


def make_store(
    data_dir: Path, n: int, seed_value: int = 7, with_video: bool = False, **kw: Any
) -> Stored:
    from kyc.store.open import open_store

    settings = Settings(environment="development", data_dir=data_dir)
    engine, sessions, cipher, blobs = open_store(settings)
    seeded = seed(
        sessions,
        cipher,
        blobs,
        n,
        Random(seed_value),
        max_side=MAX_SIDE,
        face=FACE if FACE.exists() else None,
        video=VIDEO if with_video and VIDEO.exists() else None,
        **kw,
    )
    return Stored(
        data_dir, settings, Context(settings, sessions, cipher, blobs), seeded, engine.dispose
    )
