"""Filing type from certificate number + domains against the registry (RULES.md stage 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kyc.filing.model import FilingOrder, RegistryEntry, normalize_number

FilingType = Literal["first", "transfer_in", "new_website"]


@dataclass(frozen=True)
class FilingTypeDecision:
    filing_type: FilingType
    certificate_known: bool  # the certificate has a filing (any provider)
    subject_filed_here: bool  # ... with us
    domains_known: tuple[str, ...]  # order domains already in the registry
    other_accounts: tuple[str, ...]  # our accounts that already filed this certificate
    own_other_subjects: int  # other certificates this account already filed with us
    domain_conflicts: tuple[str, ...]  # domains filed under another certificate
    domains_filed_here: tuple[str, ...]  # domains already filed with us for this certificate

    @property
    def refused(self) -> bool:
        """R-SUBJ-10 / R-REJ-4: the certificate is filed under another account of ours."""
        return bool(self.other_accounts)


def decide_filing_type(order: FilingOrder, registry: Sequence[RegistryEntry]) -> FilingTypeDecision:
    cert = normalize_number(order.subject.certificate_number)
    domains = {d for site in order.websites for d in site.domains}
    same_cert = [e for e in registry if normalize_number(e.certificate_number) == cert]
    ours = [e for e in same_cert if e.provider == "us"]
    other_accounts = sorted({e.account_id or "?" for e in ours if e.account_id != order.account_id})
    own_other_subjects = len(
        {
            normalize_number(e.certificate_number)
            for e in registry
            if e.provider == "us"
            and e.account_id == order.account_id
            and normalize_number(e.certificate_number) != cert
        }
    )
    known = sorted(domains & {d for e in registry for d in e.domains})
    conflicts = sorted(domains & {d for e in registry if e not in same_cert for d in e.domains})
    filed_here = sorted(domains & {d for e in ours for d in e.domains})
    transferring = domains & {d for e in same_cert if e.provider == "other" for d in e.domains}

    filing_type: FilingType
    if not same_cert:
        filing_type = "first"
    elif transferring:
        filing_type = "transfer_in"
    else:
        filing_type = "new_website"
    return FilingTypeDecision(
        filing_type=filing_type,
        certificate_known=bool(same_cert),
        subject_filed_here=bool(ours),
        domains_known=tuple(known),
        other_accounts=tuple(other_accounts),
        own_other_subjects=own_other_subjects,
        domain_conflicts=tuple(conflicts),
        domains_filed_here=tuple(filed_here),
    )
