"""Thresholds and knobs of the document pipeline."""

from __future__ import annotations

from pydantic import BaseModel


class OcrSettings(BaseModel):
    # Text detection runs on an image whose longer side is at most this (no upscaling).
    det_max_side: int = 960
    det_box_thresh: float = 0.5
    det_unclip_ratio: float = 1.6
    # Recognition
    rec_batch: int = 8
    # Confidence reported >= this must be right >= 99% of the time (see the benchmark).
    confident: float = 0.9
    # Filing-ready JPEG (rule R-DOC-1)
    filing_jpeg_max_bytes: int = 2 * 1024 * 1024
    threads: int = 2
