"""`earshot serve`: the web UI and JSON API, in one process or several (`--workers N`).

With several, this process binds the port and forks the workers, which share the listening socket, each taking its
share of the connections (balanced_server.py), and each serve the app with its own connections to the store. The socket is
made here rather than by uvicorn's own `workers` mode, whose socket (protocol 0) keeps asyncio from setting
TCP_NODELAY on the connections: every response then waited ~40 ms for a delayed ACK. Ctrl-C or SIGTERM stops every
worker; a worker that dies stops the others, and the command exits with an error (for systemd to restart it)."""

from __future__ import annotations

import os
import signal
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from earshot.cli.app import app
from earshot.cli.state import CliState, console, state
from earshot.runtime import prepare_server_process
from config.errors import EarshotError
from config.settings import Settings

if TYPE_CHECKING:
    from earshot.api.balanced_server import ConnectionCounts

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve(cli: CliState, host: str, port: int, workers: int = 1) -> None:
    import uvicorn  # the server and the app are imported when serving, not when the command line starts

    from earshot.api.app import create_app
    from earshot.api.balanced_server import ConnectionCounts

    log_level = "info" if cli.verbose else "warning"
    settings = cli.settings
    cli.engine.dispose()  # the store is migrated once, here; the app opens its own connections (create_app)
    if workers == 1:
        console.print(f"serving the queue on [bold]http://{host}:{port}/[/bold] (API docs at /api/docs); Ctrl-C stops")
        served = create_app(settings)
        prepare_server_process()
        uvicorn.run(served, host=host, port=port, log_level=log_level)
        return
    listening = listening_socket(host, port)
    console.print(f"serving the queue on [bold]http://{host}:{port}/[/bold] with {workers} workers "
                  "(API docs at /api/docs); Ctrl-C stops")
    counts = ConnectionCounts(workers)
    children = [_fork_worker(settings, listening, counts, worker, log_level) for worker in range(workers)]
    listening.close()
    _supervise(children)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise EarshotError(f"cannot listen on {host}:{port}: {error.strerror}; is another server running there?")
    listening.listen(2048)
    return listening


def _fork_worker(settings: Settings, listening: socket.socket, counts: ConnectionCounts, worker: int,
                 log_level: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        import uvicorn

        from earshot.api.app import create_app
        from earshot.api.balanced_server import BalancedServer

        signal.signal(signal.SIGINT, signal.SIG_DFL)  # uvicorn installs its own handlers in run()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        served = create_app(settings)  # in the worker: its own connections to the store
        prepare_server_process()
        BalancedServer(uvicorn.Config(served, log_level=log_level), listening, counts, worker).run()
    except BaseException:  # noqa: BLE001 - a worker never returns into the CLI's code
        status = 1
    finally:
        os._exit(status)


def _supervise(children: list[int]) -> None:
    """Wait for the workers; pass SIGTERM on; if one dies on its own, stop the rest and fail."""
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    failed = None
    while children:
        try:
            pid, status = os.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the workers too: they are finishing
            stop()
            continue
        except ChildProcessError:
            break
        children.remove(pid)
        if not stopping:
            failed = os.waitstatus_to_exitcode(status)
            stop()
    if failed is not None:
        raise EarshotError(f"a server worker stopped (exit code {failed}); the others were stopped too; "
                           "see the log above, then start `earshot serve` again")


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Server processes sharing the port (one per core suits a busy team).")] = 1,
) -> None:
    """Serve the web UI and the HTTP API."""
    serve(state(ctx), host, port, workers)
