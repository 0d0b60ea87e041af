"""Small builders shared by the tests: replay lines, files, settings and a migrated store."""

import atexit
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from config.settings import Settings, load_settings, replay_target
from enrich.base import PostView

ROOT = Path(__file__).resolve().parent.parent

BASE_TIME = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def replay_line(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid replay record; `n` makes ids and times unique."""
    author = {"id": f"u{n % 7}", "handle": f"user{n % 7}", "name": f"User {n % 7}", "bio": "", "followers": 10 * n}
    author.update(overrides.pop("author", {}))
    line = {
        "platform": "x",
        "id": str(1000 + n),
        "created_at": (BASE_TIME + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "text": f"post number {n} about the Aura 12",
        "lang": "en",
        "author": author,
    }
    line.update(overrides)
    return line


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Write dicts as JSON lines; strings are written as they are (to make malformed lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n")
    return path


def test_database_url(tmp_path: Path) -> str:
    """The test's own migrated store: a PostgreSQL database made from a migrated template, or a SQLite file copied
    from one migrated once per session (tests of migrating itself make their own files)."""
    from tests import postgres_server

    if postgres_server.SERVER is not None:
        return postgres_server.SERVER.database_for(str(tmp_path))
    database = tmp_path / "earshot.db"
    if not database.exists():
        shutil.copyfile(_migrated_sqlite_template(), database)
    return f"sqlite:///{database}"


@functools.cache
def _migrated_sqlite_template() -> Path:
    from storage.engine import make_engine
    from storage.migrate import ensure_current

    folder = Path(tempfile.mkdtemp(prefix="earshot-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    template = folder / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    ensure_current(engine)
    engine.dispose()  # closes the file, folding its write-ahead log in: the one file is the whole store
    return template


def training_script(name: str) -> ModuleType:
    """scripts/<name>.py as a module, loaded once under its own name (the scripts import one another by it)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings on a fresh SQLite file under tmp_path (or, in the PostgreSQL run, the test's own PostgreSQL
    database), ignoring any earshot.toml in the working directory."""
    overrides.setdefault("database_url", test_database_url(tmp_path))
    config = tmp_path / "earshot.toml"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    return load_settings(config, **overrides)


def replay_settings(tmp_path: Path, files: list[Path], **overrides: Any) -> Settings:
    return make_settings(tmp_path, listen=[replay_target("test-replay", [str(f) for f in files])], **overrides)


def post_view(text: str, *, id: int = 1, language: str | None = "en", **kwargs: Any) -> PostView:
    return PostView(id=id, platform=kwargs.pop("platform", "x"), author_id=kwargs.pop("author_id", 1), text=text,
                    language=language, **kwargs)


def add_user(engine: Any, name: str, role: str, password: str = "correct horse battery") -> None:
    from earshot.services.auth import hash_password
    from storage.engine import session_scope
    from storage.repo.staff import save_user

    with session_scope(engine) as session:
        save_user(session, name=name, role=role, password_hash=hash_password(password))


def api_sign_in(client: Any, engine: Any, role: str = "admin") -> Any:
    """A user with `role` (named after it), signed in with a bearer token on `client`."""
    add_user(engine, role, role)
    response = client.post("/api/token", data={"username": role, "password": "correct horse battery"})
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def web_sign_in(client: Any, engine: Any, role: str = "admin") -> str:
    """A browser session for a user with `role` on `client`; returns the CSRF token its forms carry."""
    import re

    add_user(engine, role, role)
    client.post("/login", data={"username": role, "password": "correct horse battery"}, follow_redirects=False)
    page = client.get("/queue").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def spawn_worker(settings: Settings, stage: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`earshot worker STAGE ARGS` on the test's store and config (make_settings's earshot.toml in the working
    folder), in a process group of its own, its output on a text pipe."""
    environment = {**os.environ, "EARSHOT_DATABASE_URL": settings.database_url,
                   "EARSHOT_CONFIG": str(Path.cwd() / "earshot.toml"), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "earshot", "worker", stage, *args], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
