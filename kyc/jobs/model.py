"""Plain values of a re-verification run (no I/O, picklable: they cross process and Ray
boundaries)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

EngineName = Literal["local", "ray"]


@dataclass(frozen=True)
class Selection:
    """Which stored submissions a run covers: filings submitted on or after ``since``
    (all when None), or exactly ``filing_ids`` when given."""

    since: dt.date | None = None
    filing_ids: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "filing_ids": sorted(set(self.filing_ids)),
        }

    def key(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- stored inputs


@dataclass(frozen=True)
class StoredDocument:
    id: str
    created_at: dt.datetime
    raw_key: str | None  # the upload; None once purged
    portrait_key: str | None  # the portrait cut out at upload time
    purged: bool


@dataclass(frozen=True)
class StoredVideo:
    """A finished video check (the latest one of a filing is re-run)."""

    id: str
    created_at: dt.datetime  # when it was uploaded: the challenge is judged as of then
    video_key: str | None
    challenge: dict[str, Any] | None
    mirrored: bool
    purged: bool


@dataclass(frozen=True)
class StoredFiling:
    id: str
    status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    documents: tuple[StoredDocument, ...] = ()  # oldest first
    videos: tuple[StoredVideo, ...] = ()  # finished checks, oldest first


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class DocumentStep:
    document_id: str
    blob_key: str | None
    missing: str | None = None  # an ErrorCode when there is nothing to read


@dataclass(frozen=True)
class VideoStep:
    video_id: str
    blob_key: str | None
    at: dt.datetime  # the upload time (naive UTC)
    challenge: dict[str, Any] | None
    mirrored: bool
    portrait_document_id: str | None  # its re-read portrait is matched against the video
    portrait_key: str | None  # the stored portrait, if the re-read finds none
    missing: str | None = None


@dataclass(frozen=True)
class PlannedItem:
    """One filing: every stored document, and its latest finished video check."""

    filing_id: str
    documents: tuple[DocumentStep, ...]
    video: VideoStep | None


@dataclass(frozen=True)
class Plan:
    items: tuple[PlannedItem, ...]  # still to run, in run order
    finished: tuple[str, ...]  # already recorded in this run: skipped
    total: int


# --------------------------------------------------------------------------- worker I/O


@dataclass(frozen=True)
class PartError:
    code: str
    detail: str


@dataclass(frozen=True)
class DocumentInput:
    document_id: str
    data: bytes | None
    error: PartError | None = None


@dataclass(frozen=True)
class VideoInput:
    video_id: str
    data: bytes | None
    at_iso: str
    challenge: dict[str, Any] | None
    mirrored: bool
    portrait_document_id: str | None
    stored_portrait: bytes | None
    error: PartError | None = None


@dataclass(frozen=True)
class ItemTask:
    """What a worker needs for one filing: the inputs' bytes travel with the task, so a
    worker needs no access to the database or the blob store (any Ray node can run it)."""

    filing_id: str
    documents: tuple[DocumentInput, ...]
    video: VideoInput | None


@dataclass(frozen=True)
class DocumentAfter:
    document_id: str
    reading: dict[str, Any] | None  # the ``kyc ocr --json`` object
    error: PartError | None = None


@dataclass(frozen=True)
class VideoAfter:
    video_id: str
    verdict: dict[str, Any] | None  # the ``kyc verify-video --json`` object
    error: PartError | None = None


@dataclass(frozen=True)
class ItemOutcome:
    filing_id: str
    documents: tuple[DocumentAfter, ...]
    video: VideoAfter | None
    elapsed_ms: float
    worker: str = ""

    @property
    def errors(self) -> tuple[PartError, ...]:
        errs = [d.error for d in self.documents if d.error is not None]
        if self.video is not None and self.video.error is not None:
            errs.append(self.video.error)
        return tuple(errs)


@dataclass(frozen=True)
class PipelineSpec:
    """Import paths of the document reader (a class built with the settings) and the video
    check (a function): the real pieces by default; tests plug in doubles."""

    reader: str = "kyc.ocr.pipeline:DocumentReader"
    video: str = "kyc.liveness.verify:verify_video"


@dataclass(frozen=True)
class WorkerConfig:
    settings_json: str
    pipeline: PipelineSpec = field(default_factory=PipelineSpec)
    single_thread: bool = False  # one BLAS/onnxruntime/OpenCV thread per worker
