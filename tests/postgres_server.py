"""A throwaway PostgreSQL server for the suite's PostgreSQL run (`PYTEST_EARSHOT_DATABASE=postgresql`): Debian's
server binaries, a cluster in a temporary folder, on a free loopback port, fsync off; each test gets a database of
its own, copied from one migrated template."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

from storage.engine import make_engine
from storage.migrate import ensure_current

ENV = "PYTEST_EARSHOT_DATABASE"
TEMPLATE = "earshot_template"
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def wanted() -> bool:
    return os.environ.get(ENV, "sqlite") == "postgresql"


def _binary(name: str) -> str:
    for folder in _BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{ENV}=postgresql needs PostgreSQL's server ({name}); .ci/run installs Debian's")
    return found


def _as_server_user() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PostgresServer:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="earshot-pg-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"postgresql+psycopg://earshot@127.0.0.1:{self.port}"
        self._databases: dict[str, str] = {}

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        run = _as_server_user()
        subprocess.run([*run, _binary("initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "earshot",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        self.resume()
        self._execute(f"CREATE DATABASE {TEMPLATE}")
        engine = make_engine(f"{self.base}/{TEMPLATE}")
        ensure_current(engine)
        engine.dispose()
        return self

    def resume(self) -> None:
        """Start the server (again, after `halt`), waiting until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -h 127.0.0.1 -c fsync=off -c full_page_writes=off " \
                  "-c synchronous_commit=off -c max_connections=300"
        subprocess.run([*_as_server_user(), _binary("pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                        "-l", str(self.folder / "log"), "-w", "start"], check=True, capture_output=True)

    def halt(self) -> None:
        """Stop the server but keep its data (a database outage); `resume` starts it again."""
        subprocess.run([*_as_server_user(), _binary("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w",
                        "stop"], check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run([*_as_server_user(), _binary("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def database_for(self, key: str) -> str:
        """The URL of the test's own migrated database (the same for the same key)."""
        if key not in self._databases:
            name = f"t{len(self._databases) + 1}"
            self._execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
            self._databases[key] = f"{self.base}/{name}"
        return self._databases[key]

    def _execute(self, statement: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=earshot dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(statement)


SERVER: PostgresServer | None = None
