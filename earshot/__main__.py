"""`python -m earshot` is the `earshot` command."""

from earshot.cli import app

app(prog_name="earshot")
