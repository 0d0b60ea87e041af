"""Collaborative data between two businesses: consented customers with their identifiers replaced by keyed hashes.

Both sides hash normalised e-mail addresses and phone numbers with HMAC-SHA256 under a secret only they share, so
a file reveals nothing to anyone without the secret, and two files can be matched only on people both hold. A
match reports only the overlap; rows that match nobody are counted, never shown.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SCHEME = "hmac-sha256/v1"


def normalise_email(email: str | None) -> str | None:
    value = (email or "").strip().lower()
    return value if "@" in value else None


def normalise_phone(phone: str | None) -> str | None:
    """Digits only, with the country code as written ("+46 70-123 45 67" -> "46701234567"); too short: none."""
    digits = re.sub(r"\D", "", phone or "")
    return digits if len(digits) >= 8 else None


def keyed_hash(secret: bytes, value: str | None) -> str | None:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest() if value else None


@dataclass(frozen=True)
class ShareableCustomer:
    id: str
    email: str | None
    phone: str | None
    country: str | None
    lifecycle_stage: str | None
    products: tuple[str, ...] = ()


def share_rows(secret: bytes, customers: Iterable[ShareableCustomer]) -> list[dict[str, Any]]:
    """What leaves the business: hashes and coarse attributes, no names, no ids, nothing in clear that identifies."""
    rows = []
    for customer in customers:
        email = keyed_hash(secret, normalise_email(customer.email))
        phone = keyed_hash(secret, normalise_phone(customer.phone))
        if email or phone:
            rows.append({"scheme": SCHEME, "email_hash": email, "phone_hash": phone, "country": customer.country,
                         "lifecycle_stage": customer.lifecycle_stage, "products": list(customer.products)})
    return rows


@dataclass
class MatchReport:
    partner_rows: int = 0
    unusable_rows: int = 0
    matches: list[dict[str, Any]] = field(default_factory=list)


def match(secret: bytes, ours: Iterable[ShareableCustomer], theirs: Iterable[dict[str, Any]]) -> MatchReport:
    """Our customers who are also in the partner's file, with what the partner's row says about them."""
    report = MatchReport()
    by_hash: dict[tuple[str, str], dict] = {}
    for row in theirs:
        report.partner_rows += 1
        if row.get("scheme") != SCHEME or not (row.get("email_hash") or row.get("phone_hash")):
            report.unusable_rows += 1
            continue
        for kind in ("email", "phone"):
            if row.get(f"{kind}_hash"):
                by_hash[(kind, row[f"{kind}_hash"])] = row
    for customer in ours:
        keys = [("email", keyed_hash(secret, normalise_email(customer.email))),
                ("phone", keyed_hash(secret, normalise_phone(customer.phone)))]
        found = [(kind, by_hash[(kind, value)]) for kind, value in keys if value and (kind, value) in by_hash]
        if found:
            partner = found[0][1]
            report.matches.append({"customer": customer.id, "matched_on": [kind for kind, _ in found],
                                   "partner": {k: partner.get(k) for k in ("country", "lifecycle_stage", "products")}})
    return report
