"""The filing order and the registry of known filings, parsed from plain JSON.

The shapes follow the ``kyc check-filing`` contract of ../shared/DESIGN.md. Parsing is
strict about what the rules need and lenient about the rest: unknown keys are ignored, a
missing required key raises ``BadInput(MISSING_FIELD, "<json path>: missing")`` and a value
of the wrong kind raises ``BadInput(INVALID_FIELD, "<json path>: <what is wrong>")``.

Optional keys beyond the contract (all ignored by tools that do not know them):
``website.reachable`` (bool, from a probe; R-SITE-9), ``website.pre_approval_document``
(bool; R-DOC-5), ``document.format`` / ``document.size_bytes`` (the uploaded file; R-DOC-1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, cast, get_args

from kyc.errors import BadInput, ErrorCode
from kyc.ocr.types import DocumentReading, DocumentType, FieldReading

Nature = Literal["individual", "enterprise", "institution", "social_group", "government"]
CertificateType = Literal[
    "id_card",
    "passport",
    "taiwan_permit",
    "hk_macao_permit",
    "officer_card",
    "business_license",
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
    "other",
]
ServiceContent = Literal["portal", "unit_portal", "personal", "other"]
PreApproval = Literal[
    "news",
    "publishing",
    "education",
    "medical",
    "drugs_medical_devices",
    "bulletin_board",
    "culture",
    "radio_film_tv",
]
CloudServiceType = Literal["cvm", "site_host", "authorization_code"]
Provider = Literal["us", "other"]

SAME_AS_SUBJECT: Final = "same_as_subject"

# A host name: labels of letters, digits and hyphens (IDN in punycode or in Chinese).
_LABEL = r"(?!-)[a-z0-9\u4e00-\u9fff-]{1,63}(?<!-)"
_DOMAIN_RE = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z\u4e00-\u9fff]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")


@dataclass(frozen=True)
class Region:
    province: str
    city: str
    district: str


@dataclass(frozen=True)
class Person:
    name: str
    certificate_type: CertificateType
    certificate_number: str
    office_phone: str | None
    mobile: str
    email: str
    is_legal_representative: bool


@dataclass(frozen=True)
class Subject:
    nature: Nature
    certificate_type: CertificateType
    certificate_number: str
    name: str
    certificate_address: str | None
    mailing_address: str | None
    investor: str | None
    note: str
    principal: Person
    employment_proof: bool


@dataclass(frozen=True)
class CloudService:
    type: CloudServiceType
    ip: str | None
    code: str | None

    @property
    def key(self) -> str:
        return f"{self.type}:{self.ip or self.code or ''}"


@dataclass(frozen=True)
class Website:
    name: str
    domains: tuple[str, ...]
    homepage_url: str
    service_content: ServiceContent
    pre_approvals: tuple[PreApproval, ...]
    note: str
    principal: Person | None  # None: "same_as_subject"
    cloud_services: tuple[CloudService, ...]
    plan_document: bool
    reachable: bool | None = None  # extension: a probe's answer (R-SITE-9)
    pre_approval_document: bool | None = None  # extension: uploaded? (R-DOC-5)


@dataclass(frozen=True)
class Document:
    """A ``kyc ocr`` reading as uploaded with the order, plus what is known of the file."""

    reading: DocumentReading
    format: str | None = None  # extension: "jpeg", "png", ... (R-DOC-1)
    size_bytes: int | None = None  # extension (R-DOC-1)


@dataclass(frozen=True)
class FilingOrder:
    account_id: str
    region: Region
    account_has_cvm: bool
    subject: Subject
    websites: tuple[Website, ...]
    documents: tuple[Document, ...]

    def website_principal(self, site: Website) -> Person:
        return site.principal if site.principal is not None else self.subject.principal


@dataclass(frozen=True)
class RegistryEntry:
    certificate_number: str
    domains: tuple[str, ...]
    provider: Provider
    account_id: str | None


def normalize_number(number: str) -> str:
    """Certificate numbers compare without spaces/hyphens and case-insensitively."""
    return re.sub(r"[\s-]", "", number).upper()


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def is_domain(text: str) -> bool:
    return bool(_DOMAIN_RE.match(normalize_domain(text)))


# --------------------------------------------------------------------------- parsing


class _Obj:
    """A JSON object and its path, with typed accessors that raise BadInput."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{path or '$'}: not an object")
        self.data = cast(Mapping[str, Any], value)
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str, *, required: bool) -> object:
        if key not in self.data:
            if required:
                raise BadInput(ErrorCode.MISSING_FIELD, f"{self.at(key)}: missing")
            return None
        return self.data[key]

    def string(self, key: str) -> str:
        value = self.raw(key, required=True)
        if value is None:
            raise BadInput(ErrorCode.MISSING_FIELD, f"{self.at(key)}: missing")
        if not isinstance(value, str):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{self.at(key)}: not a string")
        return value.strip()

    def opt_string(self, key: str) -> str | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        if not isinstance(value, str):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{self.at(key)}: not a string")
        return value.strip() or None

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self.raw(key, required=default is None)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{self.at(key)}: not a boolean")
        return value

    def opt_boolean(self, key: str) -> bool | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{self.at(key)}: not a boolean")
        return value

    def array(self, key: str, *, required: bool = True) -> list[tuple[str, object]]:
        value = self.raw(key, required=required)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{self.at(key)}: not an array")
        return [(f"{self.at(key)}[{i}]", item) for i, item in enumerate(value)]

    def obj(self, key: str) -> _Obj:
        return _Obj(self.raw(key, required=True), self.at(key))


_E = TypeVar("_E", bound=str)


def _choice(value: object, path: str, options: tuple[_E, ...]) -> _E:
    if value is None:
        raise BadInput(ErrorCode.MISSING_FIELD, f"{path}: missing")
    if not isinstance(value, str) or value not in options:
        raise BadInput(ErrorCode.INVALID_FIELD, f"{path}: must be one of {', '.join(options)}")
    return value


def _enum(o: _Obj, key: str, literal: Any) -> Any:
    return _choice(o.raw(key, required=True), o.at(key), get_args(literal))


def _domains(o: _Obj, key: str) -> tuple[str, ...]:
    out: list[str] = []
    for path, item in o.array(key):
        if not isinstance(item, str) or not is_domain(item):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{path}: not a domain")
        out.append(normalize_domain(item))
    return tuple(out)


def _person(o: _Obj) -> Person:
    return Person(
        name=o.string("name"),
        certificate_type=_enum(o, "certificate_type", CertificateType),
        certificate_number=o.string("certificate_number"),
        office_phone=o.opt_string("office_phone"),
        mobile=o.string("mobile"),
        email=o.string("email"),
        is_legal_representative=o.boolean("is_legal_representative", default=False),
    )


def _subject(o: _Obj) -> Subject:
    return Subject(
        nature=_enum(o, "nature", Nature),
        certificate_type=_enum(o, "certificate_type", CertificateType),
        certificate_number=o.string("certificate_number"),
        name=o.string("name"),
        certificate_address=o.opt_string("certificate_address"),
        mailing_address=o.opt_string("mailing_address"),
        investor=o.opt_string("investor"),
        note=o.opt_string("note") or "",
        principal=_person(o.obj("principal")),
        employment_proof=o.boolean("employment_proof", default=False),
    )


def _cloud_service(o: _Obj) -> CloudService:
    return CloudService(
        type=_enum(o, "type", CloudServiceType), ip=o.opt_string("ip"), code=o.opt_string("code")
    )


def _website(o: _Obj) -> Website:
    principal_raw = o.raw("principal", required=True)
    principal: Person | None
    if principal_raw == SAME_AS_SUBJECT:
        principal = None
    elif isinstance(principal_raw, Mapping):
        principal = _person(o.obj("principal"))
    else:
        raise BadInput(
            ErrorCode.INVALID_FIELD, f"{o.at('principal')}: a person or {SAME_AS_SUBJECT!r}"
        )
    options = get_args(PreApproval)
    return Website(
        name=o.string("name"),
        domains=_domains(o, "domains"),
        homepage_url=o.string("homepage_url"),
        service_content=_enum(o, "service_content", ServiceContent),
        pre_approvals=tuple(
            _choice(item, path, options) for path, item in o.array("pre_approvals", required=False)
        ),
        note=o.opt_string("note") or "",
        principal=principal,
        cloud_services=tuple(_cloud_service(_Obj(v, p)) for p, v in o.array("cloud_services")),
        plan_document=o.boolean("plan_document", default=False),
        reachable=o.opt_boolean("reachable"),
        pre_approval_document=o.opt_boolean("pre_approval_document"),
    )


def _number(value: object, path: str, *, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(ErrorCode.INVALID_FIELD, f"{path}: not a number")
    if not lo <= float(value) <= hi:
        raise BadInput(ErrorCode.INVALID_FIELD, f"{path}: out of range {lo}..{hi}")
    return float(value)


def parse_document(value: object, path: str) -> Document:
    """One ``kyc ocr --json`` object (plus the optional file facts)."""
    o = _Obj(value, path)
    doc_type: DocumentType = _enum(o, "document_type", DocumentType)
    fields_obj = o.obj("fields")
    fields: dict[str, FieldReading] = {}
    for name, raw in fields_obj.data.items():
        f = _Obj(raw, fields_obj.at(name))
        text = f.raw("value", required=True)
        if text is not None and not isinstance(text, str):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{f.at('value')}: not a string or null")
        valid = f.raw("valid", required=False)
        if valid is not None and not isinstance(valid, bool):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{f.at('valid')}: not a boolean or null")
        confidence = _number(f.raw("confidence", required=True), f.at("confidence"), lo=0, hi=1)
        fields[name] = FieldReading(value=text, confidence=confidence, valid=valid)
    warnings: list[str] = []
    for wpath, w in o.array("warnings", required=False):
        if not isinstance(w, str):
            raise BadInput(ErrorCode.INVALID_FIELD, f"{wpath}: not a string")
        warnings.append(w)
    quality_raw = o.raw("quality", required=False)
    quality = 1.0 if quality_raw is None else _number(quality_raw, o.at("quality"), lo=0, hi=1)
    elapsed_raw = o.raw("elapsed_ms", required=False)
    elapsed = (
        0.0 if elapsed_raw is None else _number(elapsed_raw, o.at("elapsed_ms"), lo=0, hi=1e12)
    )
    size_raw = o.raw("size_bytes", required=False)
    size = None if size_raw is None else int(_number(size_raw, o.at("size_bytes"), lo=0, hi=1e12))
    reading = DocumentReading(
        document_type=doc_type,
        fields=fields,
        warnings=tuple(warnings),
        quality=quality,
        elapsed_ms=elapsed,
    )
    fmt = o.opt_string("format")
    return Document(reading=reading, format=fmt.lower() if fmt else None, size_bytes=size)


def parse_filing(obj: object) -> FilingOrder:
    """The filing file of ``kyc check-filing``; raises BadInput naming the offending key."""
    o = _Obj(obj, "")
    account_id = o.string("account_id")  # keys are checked in the contract's order
    region = o.obj("region")
    return FilingOrder(
        account_id=account_id,
        region=Region(
            province=region.string("province"),
            city=region.string("city"),
            district=region.opt_string("district") or "",
        ),
        account_has_cvm=o.boolean("account_has_cvm"),
        subject=_subject(o.obj("subject")),
        websites=tuple(_website(_Obj(v, p)) for p, v in o.array("websites")),
        documents=tuple(parse_document(v, p) for p, v in o.array("documents", required=False)),
    )


def parse_registry(obj: object, path: str = "registry") -> tuple[RegistryEntry, ...]:
    """The registry file: ``[{certificate_number, domains, provider, account_id}]``."""
    if not isinstance(obj, Sequence) or isinstance(obj, str | bytes):
        raise BadInput(ErrorCode.INVALID_FIELD, f"{path}: not an array")
    entries: list[RegistryEntry] = []
    for i, item in enumerate(obj):
        o = _Obj(item, f"{path}[{i}]")
        entries.append(
            RegistryEntry(
                certificate_number=o.string("certificate_number"),
                domains=_domains(o, "domains"),
                provider=_enum(o, "provider", Provider),
                account_id=o.opt_string("account_id"),
            )
        )
    return tuple(entries)
