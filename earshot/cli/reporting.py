"""Printing what a stage did: counts as a table, and skipped input as file:line: reason lines."""

from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.markup import escape
from rich.table import Table

stderr = Console(stderr=True)
SHOWN_PROBLEMS = 10


def print_problems(problems: list[str], *, verbose: bool) -> None:
    if not problems:
        return
    shown = problems if verbose else problems[:SHOWN_PROBLEMS]
    for problem in shown:
        stderr.print(f"[yellow]skipped[/yellow] {escape(problem)}", highlight=False, soft_wrap=True)
    if len(problems) > len(shown):
        stderr.print(f"... and {len(problems) - len(shown)} more (all with --verbose); the rest was stored")


def counts_table(title: str, rows: Iterable[tuple[str, Mapping[str, int]]], columns: list[str]) -> Table:
    table = Table(title=title)
    table.add_column("")
    for column in columns:
        table.add_column(column, justify="right")
    for name, counts in rows:
        table.add_row(escape(name), *(f"{counts.get(c, 0):,}" for c in columns))
    return table
