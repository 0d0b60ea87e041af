"""Fixtures: every test gets its own database under tmp_path and a clean EARSHOT_* environment."""

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.settings import Settings
from storage.engine import make_engine
from storage.migrate import ensure_current
from tests import postgres_server
from tests.factories import make_settings

SHARED_FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def postgres_run():
    """With PYTEST_EARSHOT_DATABASE=postgresql, every test's store is a database on a throwaway PostgreSQL server."""
    if not postgres_server.wanted():
        yield None
        return
    postgres_server.SERVER = postgres_server.PostgresServer().start()
    yield postgres_server.SERVER
    postgres_server.SERVER.stop()
    postgres_server.SERVER = None


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("EARSHOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    ensure_current(engine)
    yield engine
    engine.dispose()


class Sleeps(list):
    """Every time.sleep asked for, recorded instead of slept: a test never waits."""

    def __call__(self, seconds: float) -> None:
        assert seconds < 24 * 3600, f"a sleep of {seconds}s was asked for: a bounded wait is broken"
        self.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    recorder = Sleeps()
    monkeypatch.setattr("time.sleep", recorder)
    return recorder


CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    absent = []
    if not SHARED_FIXTURES.is_dir():
        absent.append(("shared_fixtures", f"needs ../shared/fixtures ({SHARED_FIXTURES} is absent on this machine)"))
    if not CHROMIUM.exists():
        absent.append(("browser", f"needs Debian's chromium at {CHROMIUM} (.ci/run installs it: apt-get install "
                                  f"chromium chromium-driver)"))
    for marker, reason in absent:
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
