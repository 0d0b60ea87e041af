"""CRM data from CSV: customers, purchases (products owned) or support cases, one kind per file, told apart by the
header (or `--kind`). Bad rows are reported as `file:line: field: reason`; the rest are imported in batches.

- customers: `id, name` and any of `email, phone, website, city, country, segment, consent_marketing, consent_share,
  lifetime_value, first_purchase, status`, plus `handle_<platform>` columns (`handle_x`, `handle_reddit`); upserted
  by id (purchases and cases are kept; given handle columns replace the stored handles).
- purchases: `customer, sku` and optional `purchased_at, channel`; each customer in the file gets exactly the file's
  purchases (the file is read whole first, so a customer's rows may be anywhere in it).
- cases: `id, customer` and optional `sku, category, opened_at, closed_at, summary`; upserted by the case id.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, delete, select

from config.errors import EarshotError
from storage.engine import session_scope
from storage.imports.customers import BATCH, CaseRecord, CustomerLine, ImportReport, store_customer_lines
from storage.imports.problems import first_error
from storage.models import Customer, Purchase, SupportCase
from storage.repo.dialect import upsert_insert

KINDS = ("customers", "purchases", "cases")


class PurchaseRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    purchased_at: date | None = None
    channel: str | None = Field(default=None, max_length=32)


class CaseRow(CaseRecord):
    customer: str = Field(min_length=1, max_length=64)


def import_crm_csv(engine: Engine, path: Path, *, kind: str | None = None,
                   on_progress: Callable[[int], None] | None = None) -> ImportReport:
    rows = _rows(path)
    header = next(rows)
    kind = kind or _kind_of(header, path)
    if kind not in KINDS:
        raise EarshotError(f"{path}: unknown kind {kind!r}; use customers, purchases or cases")
    if kind == "customers":
        return store_customer_lines(engine, (_customer(n, row) for n, row in rows), path=path, on_progress=on_progress)
    report = ImportReport()
    parsed = []
    for number, row in rows:
        if isinstance(row, str):
            report.problems.append(f"{path}:{number}: {row}")
            continue
        try:
            parsed.append((number, (PurchaseRow if kind == "purchases" else CaseRow).model_validate(row)))
        except ValidationError as exc:
            report.problems.append(f"{path}:{number}: {first_error(exc)}")
        if on_progress:
            on_progress(number)
    if kind == "purchases":  # a customer's rows stay in one batch: they replace what is stored together
        groups: dict[str, list] = defaultdict(list)
        for number, row in parsed:
            groups[row.customer].append((number, row))
        customers = list(groups.values())
        for start in range(0, len(customers), BATCH):
            _store_purchases(engine, [r for group in customers[start:start + BATCH] for r in group], path, report)
    else:
        for start in range(0, len(parsed), BATCH):
            _store_cases(engine, parsed[start:start + BATCH], path, report)
    report.problems.sort(key=lambda problem: int(problem.removeprefix(f"{path}:").split(":", 1)[0]))
    return report


def _rows(path: Path) -> Iterator[Any]:
    """The header, then (line number, {column: value or None}) per row, or (line number, the problem) for a row
    that is not UTF-8 (its bytes kept undecoded, as surrogates, only to be found here)."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")
    except FileNotFoundError:
        raise EarshotError(f"customers file {path} not found") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        if any(_undecoded(name) for name in header):
            raise EarshotError(f"{path}: the header is not UTF-8; save the file as UTF-8 and import it again")
        yield header
        for row in reader:
            if any(_undecoded(part) for value in row.values() if value
                   for part in (value if isinstance(value, list) else [value])):  # a list: the extra values
                yield reader.line_num, "not UTF-8 text; save the file as UTF-8 and import it again"
                continue
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                cleaned = {(k or "").strip(): (v.strip() or None) if isinstance(v, str) else v for k, v in row.items()}
                yield reader.line_num, cleaned


def _kind_of(header: list[str], path: Path) -> str:
    columns = set(header)
    if {"customer", "sku"} <= columns and "id" not in columns:
        return "purchases"
    if {"id", "customer"} <= columns:
        return "cases"
    if {"id", "name"} <= columns:
        return "customers"
    raise EarshotError(f"{path}: cannot tell the kind of CSV from its header ({', '.join(header)}); customers need "
                       f"id,name; purchases customer,sku; cases id,customer (or give --kind)")


_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


def _undecoded(text: str) -> bool:
    return _UNDECODED.search(text) is not None


def _customer(number: int, row: dict | str) -> tuple[int, CustomerLine | str]:
    if isinstance(row, str):
        return number, row
    if None in row:
        return number, "more values than columns"
    handles = {key.removeprefix("handle_"): value for key, value in row.items()
               if key.startswith("handle_") and value}
    fields = {key: value for key, value in row.items() if not key.startswith("handle_") and value is not None}
    consent = {kind: fields.pop(f"consent_{kind}") for kind in ("marketing", "share") if f"consent_{kind}" in fields}
    try:
        return number, CustomerLine.model_validate({
            **fields, "consent": consent,
            "handles": handles if any(key.startswith("handle_") for key in row) else None})
    except ValidationError as exc:
        return number, first_error(exc)


def _customer_ids(session, external_ids: set[str]) -> dict[str, int]:
    rows = session.execute(select(Customer.external_id, Customer.id)
                           .where(Customer.external_id.in_(sorted(external_ids))))
    return dict(rows.all())


def _store_purchases(engine: Engine, parsed: list[tuple[int, PurchaseRow]], path: Path, report: ImportReport) -> None:
    with session_scope(engine) as session:
        ids = _customer_ids(session, {row.customer for _, row in parsed})
        by_customer: dict[int, list[dict]] = defaultdict(list)
        for number, row in parsed:
            if row.customer not in ids:
                report.problems.append(f"{path}:{number}: customer: {row.customer!r} is not imported yet "
                                       f"(import the customers file first)")
                continue
            by_customer[ids[row.customer]].append({"customer_id": ids[row.customer],
                                                   **row.model_dump(exclude={"customer"})})
        session.execute(delete(Purchase).where(Purchase.customer_id.in_(list(by_customer))))
        rows = [purchase for purchases in by_customer.values() for purchase in purchases]
        if rows:
            session.execute(Purchase.__table__.insert(), rows)
        report.imported += len(rows)


def _store_cases(engine: Engine, parsed: list[tuple[int, CaseRow]], path: Path, report: ImportReport) -> None:
    with session_scope(engine) as session:
        ids = _customer_ids(session, {row.customer for _, row in parsed})
        rows = []
        for number, row in parsed:
            if row.customer not in ids:
                report.problems.append(f"{path}:{number}: customer: {row.customer!r} is not imported yet "
                                       f"(import the customers file first)")
                continue
            rows.append({"customer_id": ids[row.customer], "external_id": row.id,
                         **row.model_dump(exclude={"id", "customer"})})
        if rows:
            statement = upsert_insert(session, SupportCase.__table__)
            session.execute(statement.on_conflict_do_update(
                index_elements=["external_id"],
                set_={c: statement.excluded[c] for c in ("customer_id", "sku", "category", "opened_at", "closed_at",
                                                         "summary")}), rows)
        report.imported += len(rows)
