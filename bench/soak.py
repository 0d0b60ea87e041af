"""Soak: the whole flow on PostgreSQL under API load, then a check that nothing was lost or done twice.

Input: a replay file of posts (the demo's X and Reddit posts cycled with new ids, as bench/enrich.py; 1,000,000 by
default, `--quick` 20,000, or `SOAK_POSTS=N`) and a throwaway PostgreSQL server (Debian's binaries, as the tests
use). Processes, as in production (docs/deployment.md): `earshot serve --workers 2` (one per core), `earshot worker
collect`, two `earshot worker enrich --concurrency 1`, `earshot worker route`. While they run, 50 API clients in this
process (aiohttp, a bearer token each) list and work the queue: the support queue's first page, the PR queue by
reach, the new support items, and every tenth turn claiming then resolving a new item of the page (each client picks
by its number; 409 when another client got it first counts as a normal answer).

`SOAK_PACE` sets how the clients send. `SOAK_PACE=1` (the default): each client starts a turn every second, like a
person's screen refreshing its list every second while they work, which is busier than any person; a turn's
latency is counted from when it was due, so a server that falls behind is charged for the wait (no coordinated
omission). `SOAK_PACE=0`: a closed loop, each client sending its next request the moment the last is answered, which
measures the server at saturation (its requests/s), where latency is the 50 clients' queue: 50 / requests per second.
The load runs at least `SOAK_MINUTES` (10) and until every post is routed (at most `MAX_MINUTES`).

Figures: posts/s end to end (routed posts over the time from the start to the last one routed), the API's requests/s,
p50 and p99 (by kind), its errors, each worker's RSS sampled every 10 s (first, at half time, last, the peak, and
the growth over the last half), and the final check: every input post stored once, enriched once (the enrich
workers' run counts add up to the posts, one enrichment row each) and routed once (the same for routing).
Targets: no loss, no duplicates, RSS flat over the last half (growth under 5%), API p99 under 200 ms.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import func, select

from bench.enrich import write_posts
from bench.queue_listing import free_port, percentile, stop_server, wait_until_serving
from earshot.services.auth import hash_password
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current
from storage.models import Enrichment, Post, RouteDecision, RunStat
from storage.repo.staff import save_user

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
SERVE_WORKERS = 2  # as deployed (docs/deployment.md): one server process per core
SOAK_MINUTES, MAX_MINUTES = 10, 150
SAMPLE_EVERY_S = 10
PACE_S = float(os.environ.get("SOAK_PACE", "1"))
TARGET_P99_MS = 200
USER, PASSWORD = "soak", "soak password"  # clients sign in as soak-0 ... soak-49: fifty agents, as in a team
WORKERS = (("collect", ()), ("enrich-1", ("--concurrency", "1")), ("enrich-2", ("--concurrency", "1")), ("route", ()))


def run(quick: bool = False) -> dict:
    posts = int(os.environ.get("SOAK_POSTS", 20_000 if quick else 1_000_000))
    minutes = 1 if quick else SOAK_MINUTES
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import PostgresServer

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = PostgresServer().start()
        try:
            return _soak(root, server.database_for("soak"), posts, minutes)
        finally:
            server.stop()


def _soak(root: Path, url: str, count: int, minutes: float) -> dict:
    write_posts(root / "posts.jsonl", count)
    config = root / "earshot.toml"
    config.write_text(f'database_url = "{url}"\n[[listen]]\nname = "soak"\nplatform = "replay"\n'
                      f'path = "{root / "posts.jsonl"}"\nevery = "1h"\n', encoding="utf-8")
    engine = make_engine(url)
    ensure_current(engine)
    password_hash = hash_password(PASSWORD)
    with session_scope(engine) as session:
        for n in range(CLIENTS):
            save_user(session, name=f"{USER}-{n}", role="admin", password_hash=password_hash)
    env = {**os.environ, "EARSHOT_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    port = free_port()
    began = time.perf_counter()
    serve = subprocess.Popen([sys.executable, "-m", "earshot", "serve", "--host", "127.0.0.1", "--port", str(port),
                              "--workers", str(SERVE_WORKERS)],
                             cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = {name: subprocess.Popen([sys.executable, "-m", "earshot", "worker", name.split("-")[0], *args],
                                      cwd=root, env=env, stdout=open(root / f"{name}.log", "w"),
                                      stderr=subprocess.STDOUT)
               for name, args in WORKERS}
    samples: list[dict] = []
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(engine, workers, count, began, samples, done), daemon=True)
    sampler.start()
    try:
        wait_until_serving(serve, port, seconds=120)
        api = asyncio.run(_drive(f"http://127.0.0.1:{port}", minutes * 60, done, began))
        done.wait(timeout=max(0.0, MAX_MINUTES * 60 - (time.perf_counter() - began)))
    finally:
        done.set()
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=180)
            except subprocess.TimeoutExpired:
                process.kill()
        stop_server(serve)
    sampler.join(timeout=30)
    check = _check(engine, count)
    engine.dispose()
    routed_at = next((s["t"] for s in samples if s["routed"] >= count), None)
    rss = {name: _rss_figures([s["rss_mb"].get(name) for s in samples]) for name in workers}
    logs = {name: (root / f"{name}.log").read_text()[-2000:] for name in workers}
    return {
        "posts": count, "database": "postgresql", "clients": CLIENTS, "api_minutes_at_least": minutes,
        "client_pace_s": PACE_S or "closed loop",
        "processes": f"earshot serve --workers {SERVE_WORKERS}; earshot worker collect; 2 x earshot worker enrich --concurrency 1; "
                     "earshot worker route",
        "end_to_end_posts_per_s": round(count / routed_at) if routed_at else None,
        "all_routed_after_s": round(routed_at) if routed_at else None,
        "api": api, "rss_mb": rss, "check": check,
        "progress": [{k: s[k] for k in ("t", "posts", "enriched", "routed")}
                     for s in samples[:: max(1, len(samples) // 12)]],
        "meets_targets": bool(check["ok"] and not api.get("errors")
                              and max(api["p99_ms"], api["while_workers_busy"]["p99_ms"] or 0) < TARGET_P99_MS
                              and all(r["last_half_growth_pct"] < 5 for r in rss.values() if r)),
        **({"worker_logs_tail": logs} if not check["ok"] else {}),
    }


def _sample(engine, workers: dict, count: int, began: float, samples: list[dict], done: threading.Event) -> None:
    while not done.is_set():
        try:
            with session_scope(engine) as session:
                counts = {name: session.scalar(select(func.count()).select_from(model))
                          for name, model in (("posts", Post), ("enriched", Enrichment), ("routed", RouteDecision))}
        except Exception:  # noqa: BLE001 - a sample missed is not a failure of the soak
            counts = {"posts": None, "enriched": None, "routed": None}
        samples.append({"t": round(time.perf_counter() - began, 1), **counts,
                        "rss_mb": {name: _rss_mb(process.pid) for name, process in workers.items()}})
        if len(samples) % max(1, round(60 / SAMPLE_EVERY_S)) == 1:  # a line a minute: a long soak shows its progress
            print(f"soak {samples[-1]['t'] / 60:5.1f} min: {counts['posts']} stored, {counts['enriched']} enriched, "
                  f"{counts['routed']} routed of {count}", file=sys.stderr, flush=True)
        if counts["routed"] == count:
            done.set()
        done.wait(SAMPLE_EVERY_S)


def _rss_mb(pid: int) -> float | None:
    try:
        line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None
    return round(int(line.split()[1]) / 1024, 1)


def _rss_figures(series: list[float | None]) -> dict | None:
    values = [v for v in series if v is not None]
    if len(values) < 4:
        return None
    half = values[len(values) // 2]
    last_half = values[len(values) // 2:]
    return {"first": values[0], "half_time": half, "last": values[-1], "peak": max(values),
            "last_half_growth_pct": round((max(last_half) - half) / half * 100, 1)}


async def _drive(base_url: str, seconds: float, done: threading.Event, began: float) -> dict:
    """50 clients listing and working the queue for at least `seconds`, and on until every post is routed."""
    async with httpx.AsyncClient(base_url=base_url) as signer:
        tokens = []
        for n in range(CLIENTS):
            response = await signer.post("/api/token", data={"username": f"{USER}-{n}", "password": PASSWORD})
            response.raise_for_status()
            tokens.append(response.json()["access_token"])
    latencies: dict[str, list[float]] = {"list": [], "claim": [], "resolve": []}
    while_working: list[float] = []  # every request sent before the last post was routed
    errors: dict[str, int] = {}
    started = time.perf_counter()

    def note(kind: str, sent: float, status: int | str, fine: tuple = (200,)) -> None:
        latencies[kind].append(time.perf_counter() - sent)
        if not done.is_set():
            while_working.append(latencies[kind][-1])
        if status not in fine:
            errors[f"{kind} {status}"] = errors.get(f"{kind} {status}", 0) + 1

    async def client_loop(n: int, client: aiohttp.ClientSession) -> None:
        views = ["/api/queue?team=support", "/api/queue?team=pr&order=reach", "/api/queue?team=support&state=new"]
        turn = n
        due = started + PACE_S * n / CLIENTS  # paced clients spread over the second
        while time.perf_counter() - started < seconds or not done.is_set():
            if time.perf_counter() - began > MAX_MINUTES * 60:
                break
            turn += 1
            if PACE_S:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                sent, due = due, due + PACE_S  # counted from when the turn was due
            else:
                sent = time.perf_counter()
            path = views[turn % len(views)]
            try:
                async with client.get(path) as response:
                    page = await response.json() if response.status == 200 else {}
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                page, status = {}, type(exc).__name__
            note("list", sent, status)
            items = [i for i in page.get("items", []) if i.get("state") == "new"]
            if turn % 10 == 0 and items:  # every tenth turn, take a new item (each client its own pick) and resolve it
                item = items[n % len(items)]["id"]
                sent = time.perf_counter()
                note("claim", sent, await _post(client, f"/api/items/{item}/claim", {}), (200, 409))
                sent = time.perf_counter()
                note("resolve", sent, await _post(client, f"/api/items/{item}/transition", {"action": "resolve"}),
                     (200, 409))

    clients = [aiohttp.ClientSession(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                     timeout=aiohttp.ClientTimeout(total=20), connector=aiohttp.TCPConnector(limit=1))
               for token in tokens]
    try:
        await asyncio.gather(*(client_loop(n, client) for n, client in enumerate(clients)))
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    elapsed = time.perf_counter() - started
    every = sorted(value for values in latencies.values() for value in values)
    while_working.sort()
    figures = {"requests": len(every), "requests_per_s": round(len(every) / elapsed), "seconds": round(elapsed),
               "p50_ms": round(percentile(every, 50) * 1000, 1), "p99_ms": round(percentile(every, 99) * 1000, 1),
               "while_workers_busy": {"requests": len(while_working), **{
                   f"p{n}_ms": round(percentile(while_working, n) * 1000, 1) if while_working else None
                   for n in (50, 99)}},
               "by_kind": {kind: {"requests": len(values),
                                  "p50_ms": round(percentile(sorted(values), 50) * 1000, 1) if values else None,
                                  "p99_ms": round(percentile(sorted(values), 99) * 1000, 1) if values else None}
                           for kind, values in latencies.items()}}
    if errors:
        figures["errors"] = errors
    return figures


async def _post(client: aiohttp.ClientSession, path: str, body: dict) -> int | str:
    try:
        async with client.post(path, json=body) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__


def _check(engine, count: int) -> dict:
    with session_scope(engine) as session:
        posts = session.scalar(select(func.count()).select_from(Post))
        distinct = session.scalar(select(func.count(func.distinct(Post.external_id))))
        enriched = session.scalar(select(func.count()).select_from(Enrichment))
        routed = session.scalar(select(func.count()).select_from(RouteDecision))
        runs = {stage: [r.counts for r in session.scalars(select(RunStat).where(RunStat.stage == stage))]
                for stage in ("enrich", "route")}
    enrich_work = sum(r.get("enriched", 0) for r in runs["enrich"])
    route_work = sum(r.get("routed", 0) for r in runs["route"])
    figures = {"posts_stored": posts, "distinct_posts": distinct, "enrichment_rows": enriched,
               "enrich_work_done": enrich_work, "decisions": routed, "route_work_done": route_work,
               "leases_lost": sum(r.get("lease_lost", 0) for rs in runs.values() for r in rs)}
    figures["ok"] = posts == distinct == enriched == enrich_work == routed == route_work == count
    return figures


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=1))
