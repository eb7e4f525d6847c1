"""The package's one error hierarchy.

Failed checks are values (warnings, reason codes, rule results); exceptions are for
broken input or a broken system. Every error carries a stable machine-readable code.
Only the edges map errors: the CLI to exit statuses (2 bad input, 1 internal), the API to
HTTP statuses.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # --- bad input: files -------------------------------------------------------------
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    CORRUPT_IMAGE = "CORRUPT_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"  # pixel count / decompression bomb
    IMAGE_TOO_SMALL = "IMAGE_TOO_SMALL"
    NOT_A_DOCUMENT = "NOT_A_DOCUMENT"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_UNREADABLE = "FILE_UNREADABLE"  # a directory, no permission, a name too long...
    INVALID_MULTIPART = "INVALID_MULTIPART"  # a multipart upload that cannot be parsed
    # --- bad input: video -------------------------------------------------------------
    CORRUPT_VIDEO = "CORRUPT_VIDEO"  # truncated or undecodable
    NO_VIDEO_STREAM = "NO_VIDEO_STREAM"  # e.g. audio-only
    VIDEO_TOO_SHORT = "VIDEO_TOO_SHORT"  # 0-second or below the minimum
    VIDEO_TOO_LONG = "VIDEO_TOO_LONG"
    VIDEO_TOO_LARGE = "VIDEO_TOO_LARGE"  # bytes or resolution
    NO_FACE = "NO_FACE"  # a portrait or a video without any face
    VIDEO_ROTATION_INVALID = "VIDEO_ROTATION_INVALID"  # display matrix not a quarter turn
    # --- bad input: structured data ---------------------------------------------------
    INVALID_JSON = "INVALID_JSON"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"  # a request body or JSON file over its limit
    JSON_TOO_DEEP = "JSON_TOO_DEEP"  # arrays/objects nested deeper than the limit
    NUMBER_TOO_LARGE = "NUMBER_TOO_LARGE"  # a number literal longer than the limit
    TEXT_TOO_LONG = "TEXT_TOO_LONG"  # a text field longer than its limit
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"  # a list longer than its limit
    INVALID_CHARACTER = "INVALID_CHARACTER"  # control / bidi-override / lone surrogate
    INVALID_ARGUMENT = "INVALID_ARGUMENT"  # the command line itself (unknown option...)
    INVALID_FIELD = "INVALID_FIELD"
    MISSING_FIELD = "MISSING_FIELD"
    CHALLENGE_EXPIRED = "CHALLENGE_EXPIRED"
    INVALID_STATE = "INVALID_STATE"  # an event the current stage does not accept
    # --- batch re-verification (kyc reverify) -----------------------------------------
    UNKNOWN_FILING = "UNKNOWN_FILING"  # --filing names no stored filing
    INVALID_DATE = "INVALID_DATE"  # --since is not YYYY-MM-DD
    UNKNOWN_RUN = "UNKNOWN_RUN"
    RAY_UNREACHABLE = "RAY_UNREACHABLE"  # --address names no reachable Ray cluster
    # per-item outcomes of a re-verification (reported, never raised past the run):
    BLOB_MISSING = "BLOB_MISSING"  # a stored input is gone from the blob store
    BLOB_UNREADABLE = "BLOB_UNREADABLE"  # present but cannot be read or decrypted
    INPUT_PURGED = "INPUT_PURGED"  # removed by the retention purge
    NO_PORTRAIT = "NO_PORTRAIT"  # a video check without a portrait to match against
    # --- broken system ----------------------------------------------------------------
    MODEL_MISSING = "MODEL_MISSING"
    MODEL_CORRUPT = "MODEL_CORRUPT"
    CONFIG_ERROR = "CONFIG_ERROR"
    JOB_ATTEMPTS_EXHAUSTED = "JOB_ATTEMPTS_EXHAUSTED"  # a durable job's workers kept dying
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"  # unreachable a moment: 503 + Retry-After
    # an idempotent request's result was stored, its answer lost (its server died between
    # the two): 409; the stored result is in the filing
    ANSWER_LOST = "ANSWER_LOST"
    INTERNAL = "INTERNAL"


class KycError(Exception):
    """Base of every error the package raises on purpose."""

    exit_status = 1

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class BadInput(KycError):
    """The caller's input cannot be processed (the caller can fix it)."""

    exit_status = 2


class SystemFault(KycError):
    """The system itself is broken (missing model, bad configuration)."""

    exit_status = 1
