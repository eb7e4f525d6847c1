"""Typed settings: one object, built once at the edge (CLI, app, worker) and passed in.

Environment variables use the ``KYC_`` prefix; nested groups use ``__``
(``KYC_OCR__DET_MAX_SIDE=960``). Thresholds live here so that the results they produce
can record the settings' hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kyc.api.settings import ServiceSettings
from kyc.forms.settings import BackdropSettings, FormSettings
from kyc.liveness.settings import LivenessSettings
from kyc.ocr.settings import OcrSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ImageLimits(BaseSettings):
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 60_000_000  # 60 MP: above any phone camera, below a bomb
    max_side: int = 16_384
    min_side: int = 64


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYC_", env_nested_delimiter="__", extra="ignore")

    environment: str = "development"
    data_dir: Path = Path("./var")
    models_dir: Path = PROJECT_ROOT / "models"
    images: ImageLimits = Field(default_factory=ImageLimits)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    liveness: LivenessSettings = Field(default_factory=LivenessSettings)
    forms: FormSettings = Field(default_factory=FormSettings)
    backdrop: BackdropSettings = Field(default_factory=BackdropSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    def fingerprint(self) -> str:
        """A short hash of every threshold, recorded next to the results it produced."""
        payload = self.model_dump_json(exclude={"data_dir", "models_dir", "environment", "service"})
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
