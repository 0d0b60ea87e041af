"""The enrich stage on every core: forked workers give the same results as one process, and a worker that dies
loses nothing that was written; a rerun goes on."""

import multiprocessing
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import EnrichSettings
from enrich.base import Enricher, EnrichItem, enrichers
from enrich.pipeline import EnrichWorkerError, enrich_pending
from enrich.workers import cores, worker_count
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current
from storage.models import Enrichment
from tests.factories import replay_line, replay_settings, write_jsonl

TEXTS = [
    "My Aura 12 battery drains overnight, so disappointed",
    "Just bought the Aura 12 Pro at Elgiganten, love it",
    "Does the Aura 12 support eSIM?",
    "Jag skickade tillbaka min Aura 12, skärmen flimrade",
    "Baterai Aura 12 cepat habis, kecewa banget",
    "Lovely weather today",
    "Switching to Pixelon after this, sent the Aura 12 back",
    "I'm a nurse, 34, heard about the Aura 12 on a podcast",
]


@enrichers.register
class WhichProcess(Enricher):
    """Notes the process that ran it; in a worker, dies (like an out-of-memory kill) on a post saying DIE."""

    name = "test-which-process"
    version = "1"

    def open(self, context) -> None:
        self.stage = os.getpid()

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            if os.getpid() != self.stage and "DIE" in item.post.text:
                os._exit(9)
            item.details["process"] = os.getpid()


def _stage(tmp_path: Path, name: str, posts: list[dict], *, workers: int, enrichers: list[str] | None = None):
    folder = tmp_path / name
    folder.mkdir()
    enrich = EnrichSettings(batch_size=2, workers=workers,
                            **({"enrichers": enrichers} if enrichers else {}))
    settings = replay_settings(folder, [write_jsonl(folder / "posts.jsonl", posts)], enrich=enrich)
    engine = make_engine(settings.database_url)
    ensure_current(engine)
    collect(engine, settings)
    return engine, settings


def _enrichments(engine) -> dict[str, dict]:
    with session_scope(engine) as session:
        rows = session.execute(select(Enrichment.__table__)).mappings().all()
    return {row["post_id"]: {k: v for k, v in row.items() if k != "enriched_at"} for row in rows}


@pytest.fixture
def no_threads() -> None:
    if threading.active_count() > 1:  # an earlier test left a thread: forking would be refused, and rightly
        pytest.fail(f"threads still running: {[t.name for t in threading.enumerate()]}")
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("enrich workers are forked; this platform cannot fork")


def test_workers_give_what_one_process_gives(tmp_path: Path, no_threads) -> None:
    posts = [replay_line(n, text=TEXTS[n % len(TEXTS)] + f" #{n}") for n in range(24)]
    names = [*EnrichSettings().enrichers, "test-which-process"]
    parallel, parallel_settings = _stage(tmp_path, "parallel", posts, workers=2, enrichers=names)
    single, single_settings = _stage(tmp_path, "single", posts, workers=1, enrichers=names)

    in_workers, in_process = enrich_pending(parallel, parallel_settings), enrich_pending(single, single_settings)
    assert (in_workers.counts["enriched"], in_workers.workers) == (24, 2)
    assert (in_process.counts["enriched"], in_process.workers) == (24, 0)

    by_parallel, by_single = _enrichments(parallel), _enrichments(single)
    processes = {row["details"].pop("process") for row in by_parallel.values()}
    assert os.getpid() not in processes and len(processes) == 2  # both workers did some of it, the stage none
    assert {row["details"].pop("process") for row in by_single.values()} == {os.getpid()}
    assert by_parallel == by_single
    assert any(row["is_complaint"] for row in by_parallel.values())


def test_a_worker_that_dies_loses_no_written_batch_and_a_rerun_goes_on(tmp_path: Path, no_threads) -> None:
    posts = [replay_line(n, text="DIE" if n == 9 else f"post {n}") for n in range(16)]
    engine, settings = _stage(tmp_path, "dies", posts, workers=2, enrichers=["language", "test-which-process"])

    with pytest.raises(EnrichWorkerError, match=r"died .* run `earshot enrich` again"):
        enrich_pending(engine, settings)
    kept = _enrichments(engine)
    assert 0 < len(kept) < 16  # the batches before the fatal one (ids 1-8) were written
    assert all(row["details"]["process"] != os.getpid() for row in kept.values())

    in_process = settings.model_copy(update={"enrich": settings.enrich.model_copy(update={"workers": 1})})
    run = enrich_pending(engine, in_process)
    assert run.counts["enriched"] == 16 - len(kept)  # only what was missing
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Enrichment)) == 16


class Threaded(Enricher):
    name = "test-threaded"
    version = "1"
    worker_safe = False

    def enrich(self, items: list[EnrichItem]) -> None:
        pass


def test_worker_count_forks_only_where_safe(no_threads) -> None:
    assert worker_count(1, []) == 0  # one process: no pool at all
    assert worker_count(3, []) == 3
    assert worker_count(0, []) == (cores() if cores() > 1 else 0)
    assert worker_count(2, [Threaded()]) == 0  # a torch model uses every core itself
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert worker_count(2, []) == 0  # forking beside another thread could deadlock the workers
    finally:
        stop.set()
        other.join()


def test_earshot_enrich_on_the_command_line_runs_in_workers(tmp_path: Path, no_threads) -> None:
    """The CLI's progress bar must not start a thread of its own, or the stage would refuse to fork."""
    from tests.test_cli import configure, run

    config = configure(tmp_path, [replay_line(n, text=TEXTS[n % len(TEXTS)]) for n in range(8)])
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[enrich]\nenrichers = ["language", "test-which-process"]\nbatch_size = 2\nworkers = 2\n')
    assert run(config, "collect", "--once").exit_code == 0
    enriched = run(config, "enrich")
    assert enriched.exit_code == 0, enriched.output
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    processes = {row["details"]["process"] for row in _enrichments(engine).values()}
    engine.dispose()
    assert len(processes) >= 1 and os.getpid() not in processes
