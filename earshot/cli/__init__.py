"""The `earshot` command line (typer); each module registers its commands on the root app."""

from earshot.cli import data, db, demo, eval_sentiment, queue, schedule, serve, stages, stats  # noqa: F401  (registers commands)
from earshot.cli import customers, eval_crm, eval_extract, eval_linking, links, privacy, rules, segments, share, users  # noqa: F401  (registers `earshot eval …`, `link`, `links …`)
from earshot.cli import alerts, trends  # noqa: F401  (registers `earshot alerts …`, `earshot trends`)
from earshot.cli import export  # noqa: F401  (registers `earshot export …`)
from earshot.cli import workers  # noqa: F401  (registers `earshot worker …`)
from earshot.cli.app import app

__all__ = ["app"]
