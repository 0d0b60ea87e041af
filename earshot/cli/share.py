"""`earshot share export|match`: consented segments exchanged with a partner as keyed hashes (see crm/sharing.py)."""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from config.errors import EarshotError
from crm.sharing import match, share_rows
from earshot.cli.app import share_app
from earshot.cli.state import console, err_console, state
from storage.engine import session_scope
from storage.repo.sharing import shareable_customers

PartnerOption = Annotated[str, typer.Option("--partner", help="A partner in [share.partners].")]


@share_app.command("export")
def share_export(
    ctx: typer.Context,
    partner: PartnerOption,
    stage: Annotated[Optional[list[str]], typer.Option("--stage", help="Only these lifecycle stages.")] = None,
    product: Annotated[Optional[list[str]], typer.Option("--product", help="Only owners of these SKUs.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: standard output).")] = None,
) -> None:
    """Customers who consented to sharing, as keyed hashes of e-mail and phone with coarse attributes (JSON Lines)."""
    cli = state(ctx)
    secret = cli.settings.share.partner(partner).secret(partner)
    with session_scope(cli.engine) as session:
        rows = share_rows(secret, shareable_customers(session, stages=tuple(stage or ()),
                                                      products=tuple(product or ())))
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    if out:
        out.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    err_console.print(f"share: {len(rows)} consented customers for {partner}{f' written to {out}' if out else ''}")


@share_app.command("match")
def share_match(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The partner's export (JSON Lines, same scheme and secret).")],
    partner: PartnerOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Which of our consenting customers are in the partner's file; everyone else in it is only counted."""
    cli = state(ctx)
    secret = cli.settings.share.partner(partner).secret(partner)
    if not path.is_file():
        raise EarshotError(f"{path} not found")
    try:
        theirs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise EarshotError(f"{path}: not JSON Lines ({exc}); expected a partner's `earshot share export`") from exc
    with session_scope(cli.engine) as session:
        report = match(secret, shareable_customers(session), theirs)
    summary = {"partner": partner, "partner_rows": report.partner_rows, "unusable_rows": report.unusable_rows,
               "overlap": len(report.matches), "matches": report.matches}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    console.print(f"{partner}: {report.partner_rows} rows, {len(report.matches)} of them our consenting customers"
                  f"{f', {report.unusable_rows} unusable' if report.unusable_rows else ''}")
    table = Table(title="overlap")
    for column in ("customer", "matched on", "partner's country", "partner's stage", "partner's products"):
        table.add_column(column)
    for m in report.matches:
        p = m["partner"]
        table.add_row(m["customer"], ", ".join(m["matched_on"]), escape(str(p.get("country") or "-")),
                      escape(str(p.get("lifecycle_stage") or "-")), escape(", ".join(p.get("products") or [])))
    console.print(table)
