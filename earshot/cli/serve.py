"""`earshot serve`: the web UI and JSON API."""

from typing import Annotated

import typer
import uvicorn

from earshot.api.app import create_app
from earshot.cli.app import app
from earshot.cli.state import CliState, console, state

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve(cli: CliState, host: str, port: int) -> None:
    application = create_app(cli.settings, cli.engine)
    console.print(f"serving the queue on [bold]http://{host}:{port}/[/bold] (API docs at /api/docs); Ctrl-C stops")
    uvicorn.run(application, host=host, port=port, log_level="info" if cli.verbose else "warning")


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
) -> None:
    """Serve the web UI and the HTTP API."""
    serve(state(ctx), host, port)
