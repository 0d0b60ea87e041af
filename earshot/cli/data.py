"""`earshot customers import` and `earshot catalog import`: load business data files into the store."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from earshot.cli.app import catalog_app, customers_app
from earshot.cli.progress import progress_bar
from earshot.cli.reporting import print_problems
from earshot.cli.state import CliState, console, state
from storage.engine import session_scope
from storage.imports.catalog import import_catalog, read_catalog
from storage.imports.customers import ImportReport, import_customers


def run_catalog_import(cli: CliState, path: Path) -> int:
    entries = read_catalog(path)
    with session_scope(cli.engine) as session:
        count = import_catalog(session, entries=entries)
    console.print(f"catalog: {count} products from {path}")
    return count


def run_customers_import(cli: CliState, path: Path, kind: str | None = None) -> ImportReport:
    lines = _count_lines(path)
    with progress_bar() as progress:
        task = progress.add_task("importing customers", total=lines)
        report = import_customers(cli.engine, path, kind=kind,
                                  on_progress=lambda line: progress.update(task, completed=line))
        progress.update(task, completed=lines)
    print_problems(report.problems, verbose=cli.verbose)
    what = kind or "customers"
    console.print(f"{what}: {report.imported} imported from {path}, {len(report.problems)} lines skipped")
    return report


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return None


@catalog_app.command("import")
def catalog_import(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="catalog JSON file")]) -> None:
    """Import or update products (by SKU) from a catalog JSON file."""
    run_catalog_import(state(ctx), path)


@customers_app.command("import")
def customers_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="customers JSON Lines, or a CSV of customers, purchases or cases")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="CSV only: customers, purchases or cases "
                                                               "(default: told by the header).")] = None,
) -> None:
    """Import or update CRM data: customers (by their id), their purchases, or support cases (by case id)."""
    run_customers_import(state(ctx), path, kind)
