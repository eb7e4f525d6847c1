"""Thresholds and knobs of the document pipeline."""

from __future__ import annotations

from pydantic import BaseModel


class OcrSettings(BaseModel):
    # Text detection runs on an image whose longer side is at most this (no upscaling).
    det_max_side: int = 736
    # Below this detected line height (px at detection scale) a second pass runs on the
    # text region at a scale giving det_target_line_px.
    det_min_line_px: float = 21.0
    det_target_line_px: float = 28.0
    # ... enlarging it up to this factor when the text is smaller than that in the photo.
    det_max_upscale: float = 2.0
    # Fewer lines than this in the first pass (a card's front has a dozen, a license two
    # dozen): detection runs again at up to det_retry_side, on the whole photo when
    # fewer than det_title_lines came out (only a title or two: the text may be too small
    # to see), else on the region the lines span (an ID card's back has 4-6 lines: two
    # title lines, 签发机关 and 有效期限 with or without their values in the same box), and
    # on the whole photo after all when that region holds det_few_lines or more (a larger
    # document, which the region may cut). The whole photo at 1600 px cost a back 85-116
    # ms, half of its read (2026-12-07).
    det_few_lines: int = 8
    det_title_lines: int = 4
    # ... and on the whole photo, not the region, when the region is under this share of
    # the photo: the photo may hold text too small to be seen at the first scale beside
    # it (a both-sides page: the back's title boxed, the front's small print not at all;
    # its region 0.13-0.24 of the photo on 4 tuned pages of seeds 199/211/223). A card
    # photographed to be read fills more: 35 of 36 tuned backs' regions were 0.31-0.76
    # (one 0.13, read at the whole photo's cost, 100-130 ms at 1600 px against 25-55).
    # Where it sits only trades time: both passes box the same lines in the region.
    det_region_share: float = 0.27
    det_retry_side: int = 1600
    # A line is kept when its mean text probability reaches this: thin-stroke fonts (Kai,
    # FangSong) score 0.45-0.5 on whole lines RapidOCR's 0.5 dropped.
    det_box_thresh: float = 0.4
    det_unclip_ratio: float = 1.6
    # Recognition: small batches of similar widths pad least (measured: batch 2 with a
    # 128 px minimum width recognises ~2x faster than batch 8 padded to 320 px).
    rec_batch: int = 2
    rec_min_width: int = 128
    # Batch widths rounded up to a multiple of this (padded on the right): a few dozen
    # input shapes, each prepared once per process, instead of a new one for nearly
    # every batch (OpenVINO's first run of a new shape costs 1.5-2.3x a later one;
    # docs/runtime.md). 1: each batch at its widest line's own width.
    rec_width_step: int = 32
    # Confidence reported >= this must be right >= 99% of the time (see the benchmark).
    confident: float = 0.9
    # Filing-ready JPEG (rule R-DOC-1)
    filing_jpeg_max_bytes: int = 2 * 1024 * 1024
    threads: int = 2
