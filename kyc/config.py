"""Typed settings: one object, built once at the edge (CLI, app, worker) and passed in.

Environment variables use the ``KYC_`` prefix; nested groups use ``__``
(``KYC_OCR__DET_MAX_SIDE=960``). Thresholds live here so that the results they produce
can record the settings' hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kyc.forms.settings import BackdropSettings, FormSettings
from kyc.inference import RuntimeSettings
from kyc.liveness.settings import LivenessSettings
from kyc.ocr.settings import OcrSettings
from kyc.service_settings import ServiceSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ImageLimits(BaseSettings):
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 60_000_000  # 60 MP: above any phone camera, below a bomb
    max_side: int = 16_384
    min_side: int = 64
    # Larger photos are decoded reduced (JPEG: by the decoder's 1/2, 1/4, 1/8 scaling,
    # others resized after decoding) to at most this many pixels: a worker's memory stays
    # bounded whatever the camera (docs/limits.md: the measured budget).
    decode_max_pixels: int = 16_000_000


class InputLimits(BaseModel):
    """Limits on structured input, shared by the CLI and the API (docs/limits.md).

    Every violation raises ``BadInput`` with its own code (in parentheses)."""

    # Bytes of one JSON request body (413 REQUEST_TOO_LARGE) and of a JSON file given to
    # the CLI (FILE_TOO_LARGE): the filing file; the registry of known filings may be larger.
    # 2 MiB is ~1000 sample filings (2 KB): far above a real one, and large enough that a
    # text over its limit is named by its path (422 TEXT_TOO_LONG), not refused as a body.
    json_body_bytes: int = 2 * 1024 * 1024
    json_file_bytes: int = 2 * 1024 * 1024
    registry_file_bytes: int = 64 * 1024 * 1024
    # Nesting of arrays and objects (JSON_TOO_DEEP); the filing contract needs 5.
    json_max_depth: int = 32
    # Characters of one number literal (NUMBER_TOO_LARGE): a 64-bit integer has 20.
    json_max_number_chars: int = 32
    # Text fields of a filing (TEXT_TOO_LONG): names, numbers, phones, e-mail addresses,
    # domains, URLs...; notes, addresses and a license's business scope may be longer.
    text_max_chars: int = 256
    long_text_max_chars: int = 2000
    # Items of a list of the filing (TOO_MANY_ITEMS): websites, domains per website,
    # cloud services per website, documents; a document's fields and warnings.
    list_max_items: int = 50
    # Bytes of one header line of a multipart part (file names longer than this are cut
    # from what we keep, never refused: a file name is not used), and of a multipart
    # request's non-file fields together.
    multipart_header_bytes: int = 64 * 1024
    multipart_fields_bytes: int = 64 * 1024
    # A video may declare at most ``liveness.max_duration_s`` x this many frames
    # (VIDEO_TOO_LONG): phones record selfies at 30 or 60 frames a second.
    video_max_fps: float = 120.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYC_", env_nested_delimiter="__", extra="ignore")

    environment: str = "development"
    data_dir: Path = Path("./var")
    models_dir: Path = PROJECT_ROOT / "models"
    images: ImageLimits = Field(default_factory=ImageLimits)
    limits: InputLimits = Field(default_factory=InputLimits)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    liveness: LivenessSettings = Field(default_factory=LivenessSettings)
    forms: FormSettings = Field(default_factory=FormSettings)
    backdrop: BackdropSettings = Field(default_factory=BackdropSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)

    def fingerprint(self) -> str:
        """A short hash of every threshold, recorded next to the results it produced."""
        payload = self.model_dump_json(
            exclude={"data_dir", "models_dir", "environment", "service", "limits", "runtime"}
        )
        # The back end gives the same fields (docs/runtime.md); bf16 changes the numbers.
        if self.runtime.precision != "f32":
            payload += f"|precision={self.runtime.precision}"
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
