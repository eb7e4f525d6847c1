"""HTTP errors of the service and the mapping of the package's errors to statuses."""

from __future__ import annotations

from enum import StrEnum

from kyc.errors import BadInput, ErrorCode, KycError


class ApiCode(StrEnum):
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_REQUEST = "INVALID_REQUEST"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_MISMATCH = "IDEMPOTENCY_MISMATCH"
    IN_PROGRESS = "IN_PROGRESS"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    NO_PORTRAIT = "NO_PORTRAIT"
    NO_CHALLENGE = "NO_CHALLENGE"
    LOCKED_OUT = "LOCKED_OUT"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"  # failed authentications: 429 + Retry-After
    VIDEO_CHECK_REJECTED = "VIDEO_CHECK_REJECTED"  # submit after a rejected video check
    SMS_CODE_SPENT = "SMS_CODE_SPENT"  # too many wrong codes: only the resend helps
    BACKDROP_CHECK_REJECTED = "BACKDROP_CHECK_REJECTED"  # submit after a rejected photo
    SATURATED = "SATURATED"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    INTERNAL = "INTERNAL"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


_BAD_INPUT_STATUS = {
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.VIDEO_TOO_LARGE: 413,
    ErrorCode.IMAGE_TOO_LARGE: 413,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_FORMAT: 415,
    ErrorCode.CHALLENGE_EXPIRED: 409,
    ErrorCode.INVALID_STATE: 409,  # an event the filing's stage does not accept
    ErrorCode.INVALID_MULTIPART: 400,
}


def status_for(exc: KycError) -> int:
    if isinstance(exc, BadInput):
        return _BAD_INPUT_STATUS.get(exc.code, 422)
    if exc.code in (ErrorCode.MODEL_MISSING, ErrorCode.MODEL_CORRUPT):
        return 503
    return 500
