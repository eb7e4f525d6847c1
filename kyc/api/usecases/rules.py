"""The filing rules over a stored order: auto-fill from the documents, the registry of
filings known here, the latest verification form; the results stored on the filing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.api.runtime import Runtime
from kyc.api.usecases.shared import DRAFT, domains_of, latest_form
from kyc.filing import lifecycle as lc
from kyc.filing.result import FormView, SmsSessionView
from kyc.store.tables import Filing, FilingDomain


def _registry(rt: Runtime, s: Session, filing_id: str | None, order: dict[str, Any]) -> list[Any]:
    """Filings known here (submitted or decided) sharing the certificate or a domain."""
    cert = str(order.get("subject", {}).get("certificate_number") or "")
    domains = sorted(domains_of(order))
    ids: set[str] = set()
    if cert:
        ids.update(
            s.scalars(select(Filing.id).where(Filing.cert_lookup == rt.cipher.lookup_hash(cert)))
        )
    if domains:
        ids.update(
            s.scalars(select(FilingDomain.filing_id).where(FilingDomain.domain.in_(domains)))
        )
    ids.discard(filing_id or "")
    entries: list[dict[str, Any]] = list(rt.external_registry)
    for f in s.scalars(select(Filing).where(Filing.id.in_(ids), Filing.status != DRAFT)):
        other = rt.cipher.decrypt_json(f.order_enc, "order")
        entries.append(
            {
                "certificate_number": other.get("subject", {}).get("certificate_number", ""),
                "domains": sorted(domains_of(other)),
                "provider": "us",
                "account_id": f.account_id,
            }
        )
    return entries


def run_checks(
    rt: Runtime,
    s: Session,
    filing_id: str | None,
    order: dict[str, Any],
    sms: SmsSessionView | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Parse the order (BadInput names the JSON path), auto-fill the empty subject and
    principal fields from the documents (into ``order``, in place), run every rule.

    Returns the rule results (with inputs, for reviewers) and the auto-filled paths.
    """
    from kyc.filing.autofill import autofill
    from kyc.filing.check import check_filing
    from kyc.filing.model import parse_filing, parse_registry

    parsed = parse_filing(order)
    filled_order, filled = autofill(parsed)
    paths: list[str] = []
    for item in filled:
        value: Any = filled_order
        for part in item.target.split("."):
            value = getattr(value, part, None)
        if isinstance(value, str) and _set_path(order, item.target, value):
            paths.append(item.target)
    registry = parse_registry(_registry(rt, s, filing_id, order))
    today = rt.clock().astimezone(lc.CHINA).date()
    form = form_view(rt, s, filing_id) if filing_id else None
    check = check_filing(parsed, registry, today, sms=sms, form=form).to_json(detail=True)
    return check, paths


def form_view(rt: Runtime, s: Session, filing_id: str) -> FormView | None:
    """The latest verification form's findings, for R-DOC-4 and R-REJ-2."""
    row = latest_form(s, filing_id)
    if row is None:
        return None
    result = rt.cipher.decrypt_json(row.result_enc, "form")
    return FormView(
        tuple(
            (str(f.get("id")), str(f.get("status")), str(f.get("reason")))
            for f in result.get("findings") or []
            if isinstance(f, dict)
        )
    )


def _set_path(tree: dict[str, Any], dotted: str, value: str) -> bool:
    node: Any = tree
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return False
        node = node[part]
    if node.get(parts[-1]):
        return False
    node[parts[-1]] = value
    return True


def apply_checks(filing: Filing, check: dict[str, Any], rt: Runtime) -> None:
    """Store the rule results on the filing (encrypted) with its type, path and ok."""
    filing.check_enc = rt.cipher.encrypt_json(check, "check")
    filing.filing_type = check.get("filing_type")
    filing.path = check.get("path")
    filing.checks_ok = bool(check.get("ok"))


def index(s: Session, rt: Runtime, filing: Filing, order: dict[str, Any]) -> None:
    """The look-ups of the registry: the certificate's keyed hash and the domains."""
    cert = str(order.get("subject", {}).get("certificate_number") or "")
    filing.cert_lookup = rt.cipher.lookup_hash(cert) if cert else None
    s.query(FilingDomain).filter(FilingDomain.filing_id == filing.id).delete()
    for d in sorted(domains_of(order)):
        s.add(FilingDomain(filing_id=filing.id, domain=d[:255]))
