"""Import CRM customers from JSON Lines (one customer per line, with handles, products and cases).

Upserts by the customer's own id; a customer's handles and purchases are replaced by the file's.
Bad lines are reported with file, line and reason; the rest are imported, one transaction per batch.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, delete, select
from sqlmodel import Session

from config.errors import EarshotError
from enrich.linking.records import email_key, handle_key, name_tokens, website_key
from storage.engine import session_scope
from storage.imports.problems import first_error
from storage.models import Customer, CustomerHandle, Purchase, SupportCase
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

BATCH = 500


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marketing: bool = False
    share: bool = False


class OwnedProduct(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    purchased_at: date | None = None
    channel: str | None = Field(default=None, max_length=32)


class CaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    sku: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=32)
    opened_at: date | None = None
    closed_at: date | None = None
    summary: str | None = None


class CustomerLine(BaseModel):
    """One line of a customers file (schema documented in the README)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    city: str | None = None
    country: str | None = Field(default=None, max_length=8)
    segment: str | None = Field(default=None, max_length=64)
    consent: Consent = Field(default_factory=Consent)
    lifetime_value: float | None = None
    first_purchase: date | None = None
    status: str = Field(default="active", pattern="^(active|churned)$")
    handles: dict[str, str] | None = None  # given: replaces the stored handles; absent: keeps them
    products: list[OwnedProduct] | None = None  # given: replaces the stored purchases; absent: keeps them
    cases: list[CaseRecord] = Field(default_factory=list)  # upserted by their id


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[str] = field(default_factory=list)


def import_customers(
    engine: Engine, path: Path, *, on_progress: Callable[[int], None] | None = None, kind: str | None = None
) -> ImportReport:
    """A JSON Lines file of customers, or a CSV file of customers, purchases or support cases (by its header,
    or `kind`)."""
    if path.suffix.lower() == ".csv":
        from storage.imports.crm_csv import import_crm_csv

        return import_crm_csv(engine, path, kind=kind, on_progress=on_progress)
    return store_customer_lines(engine, _read_lines(path), path=path, on_progress=on_progress)


def store_customer_lines(engine: Engine, lines, *, path: Path,
                         on_progress: Callable[[int], None] | None = None) -> ImportReport:
    """Parsed lines ((line number, CustomerLine or a problem)) stored in batches; problems reported by line."""
    report = ImportReport()
    batch: list[CustomerLine] = []
    for line_number, parsed in lines:
        if isinstance(parsed, str):
            report.problems.append(f"{path}:{line_number}: {parsed}")
            continue
        batch.append(parsed)
        if len(batch) >= BATCH:
            report.imported += _store_batch(engine, batch)
            batch = []
        if on_progress:
            on_progress(line_number)
    report.imported += _store_batch(engine, batch)
    return report


def _read_lines(path: Path) -> Iterator[tuple[int, CustomerLine | str]]:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise EarshotError(f"customers file {path} not found") from None
    with handle:
        for line_number, line in enumerate(handle, start=1):
            if line.strip():
                yield line_number, _parse(line)


def _parse(line: bytes) -> CustomerLine | str:
    try:
        raw = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return f"not valid JSON ({exc})"
    try:
        return CustomerLine.model_validate(raw)
    except ValidationError as exc:
        return first_error(exc)


def _store_batch(engine: Engine, batch: list[CustomerLine]) -> int:
    if not batch:
        return 0
    latest = {line.id: line for line in batch}
    with session_scope(engine) as session:
        ids = _upsert_customers(session, list(latest.values()))
        _replace_children(session, latest, ids)
    return len(latest)


def _upsert_customers(session: Session, lines: list[CustomerLine]) -> dict[str, int]:
    """New customers get every column; known ones only the columns their line gives (a CSV with `id,segment`
    changes segments and nothing else)."""
    now = utcnow()
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for line in lines:
        groups.setdefault(_given_columns(line), []).append(_customer_row(line, now))
    for columns, rows in groups.items():
        statement = upsert_insert(session, Customer.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["external_id"], set_={column: statement.excluded[column] for column in columns}
        )
        session.execute(statement, rows)
    found = session.execute(
        select(Customer.external_id, Customer.id).where(Customer.external_id.in_([line.id for line in lines]))
    )
    return {external_id: row_id for external_id, row_id in found}


_COLUMNS_OF_FIELD = {
    "name": ("name", "first_name_key", "last_name_key"), "email": ("email", "email_key"),
    "website": ("website", "website_key"), "phone": ("phone",), "city": ("city",), "country": ("country",),
    "segment": ("segment",), "lifetime_value": ("lifetime_value",), "first_purchase": ("first_purchase",),
    "status": ("status",),
}


def _given_columns(line: CustomerLine) -> tuple[str, ...]:
    columns = ["updated_at"]
    for name in sorted(line.model_fields_set):
        columns += _COLUMNS_OF_FIELD.get(name, ())
    if "consent" in line.model_fields_set:
        columns += [f"consent_{kind}" for kind in sorted(line.consent.model_fields_set)]
    return tuple(columns)


def _customer_row(line: CustomerLine, now: Any) -> dict[str, Any]:
    return {
        "external_id": line.id,
        "name": line.name,
        "email": line.email,
        "phone": line.phone,
        "website": line.website,
        "city": line.city,
        "country": line.country,
        "segment": line.segment,
        "consent_marketing": line.consent.marketing,
        "consent_share": line.consent.share,
        "lifetime_value": line.lifetime_value,
        "first_purchase": line.first_purchase,
        "status": line.status,
        "updated_at": now,
        **customer_keys(name=line.name, email=line.email, website=line.website),
    }


def customer_keys(*, name: str, email: str | None, website: str | None) -> dict[str, str | None]:
    """The normalised keys identity linking looks a customer up by."""
    tokens = name_tokens(name)
    return {
        "email_key": email_key(email) if email else None,
        "website_key": website_key(website) if website else None,
        "first_name_key": tokens[0] if tokens else None,
        "last_name_key": tokens[-1] if len(tokens) > 1 else None,
    }


def _replace_children(session: Session, lines: dict[str, CustomerLine], ids: dict[str, int]) -> None:
    with_handles = [ids[key] for key, line in lines.items() if line.handles is not None]
    with_products = [ids[key] for key, line in lines.items() if line.products is not None]
    session.execute(delete(CustomerHandle).where(CustomerHandle.customer_id.in_(with_handles)))
    session.execute(delete(Purchase).where(Purchase.customer_id.in_(with_products)))
    handles, purchases, cases = [], [], []
    for external_id, line in lines.items():
        customer_id = ids[external_id]
        handles += [
            {"customer_id": customer_id, "platform": platform, "handle": handle_key(handle)}
            for platform, handle in (line.handles or {}).items()
            if handle.strip()
        ]
        purchases += [{"customer_id": customer_id, **product.model_dump()} for product in line.products or []]
        cases += [
            {"customer_id": customer_id, "external_id": case.id, **case.model_dump(exclude={"id"})}
            for case in line.cases
        ]
    if handles:
        session.execute(CustomerHandle.__table__.insert(), handles)
    if purchases:
        session.execute(Purchase.__table__.insert(), purchases)
    if cases:
        statement = upsert_insert(session, SupportCase.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["external_id"],
            set_={c: statement.excluded[c] for c in ("customer_id", "sku", "category", "opened_at", "closed_at", "summary")},
        )
        session.execute(statement, cases)
