"""Thresholds of the video identity check (filled in by the liveness package)."""

from __future__ import annotations

from pydantic import BaseModel


class LivenessSettings(BaseModel):
    max_video_bytes: int = 50 * 1024 * 1024
    max_duration_s: float = 30.0
    min_duration_s: float = 1.0
    challenge_ttl_s: int = 300
