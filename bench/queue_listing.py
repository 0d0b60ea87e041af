"""The queue listing over HTTP under 50 concurrent clients, against the same server's health endpoint in the same run.

Input: a fresh migrated SQLite store with 100,000 queue items (85% support, 15% PR; mostly new or assigned;
priorities 1-4 with their due times; a few tags), each with its post and enrichment, 5,000 authors, 1,000 CRM
customers and links (linked, proposed and rejected) for about a sixth of the authors, filled with bulk inserts.
The real app runs as `earshot serve --workers 2` runs it (two server processes sharing the port, one per core, each
taking its share of the connections; uvicorn on uvloop and httptools) in a subprocess on 127.0.0.1, with its
default settings (queue views shared for a second, and between the two processes: see
earshot/services/listing_cache.py). 50 clients in this process (aiohttp, one keep-alive connection each, a bearer
token from POST /api/token; closed loop: each sends its next request as soon as its last is answered) run three
phases, each warmed up first: GET /healthz (the baseline), GET /api/queue?team=support (the first page, default
size 50), and a mix of filtered and paged views (support: state new, state assigned on page 3, sentiment negative,
page 11; PR by reach). A phase is 15,000 requests or 30 s, whichever ends first, so it spans many re-reads of the
shared views; a request unanswered after 20 s counts as an error. The clients are aiohttp rather than httpx because
the clients share the 2-core machine with the server: httpx's clients took more than a core for themselves.

Figures per phase: requests, requests/s, p50 and p99 latency in ms as the clients see it (for the mix also per
view), errors by status, the server's CPU ms per request (its processes summed; Linux), and the p50 of one client
alone (the time a request takes with nobody queued beside it); the queue's p99 and requests/s as ratios of health's;
and whether both queue phases meet the target, p99 under 100 ms with no errors. Requests/s are those of the pair
of clients and server (for health, the clients are much of the cost).
"""

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from itertools import chain
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import Engine, insert

from earshot.services.auth import hash_password
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current
from storage.models import Author, Customer, CustomerLink, Enrichment, Post, QueueItem
from storage.repo.staff import save_user
from storage.types import utcnow

TARGET_P99_MS = 100
SERVER_WORKERS = 2  # one per core of the 2-core machine
CLIENTS = 50
REQUEST_TIMEOUT_S = 20  # a request not answered by then counts as an error ("timeout")
USER, PASSWORD = "bench", "bench password"
SKUS = ["NV-A12", "NV-A12P", "NV-PB2", "NV-H3", "NV-B1", "NV-S14", "NV-V65", "NV-N6"]
WORDS = ["aura", "halo", "battery", "love", "broken", "update", "screen", "great", "support", "order", "refund", "fast",
         "slow", "charger", "app"]
RULES = {  # team -> (rule, priority, SLA hours, weight)
    "support": [("support-customer-complaint", 1, 4, 1), ("support-complaint", 2, 8, 4), ("support-question", 3, 24, 4),
                ("support-manual", 4, 72, 1)],
    "pr": [("pr-high-reach-negative", 1, 1, 2), ("pr-press", 2, 4, 1), ("pr-mention", 4, 72, 2)],
}
STATES = (["new"] * 55 + ["assigned"] * 25 + ["replied"] * 7 + ["resolved"] * 8 + ["snoozed"] * 3
          + ["escalated"] * 2)
MIX = [
    "/api/queue?team=support&state=new",
    "/api/queue?team=support&state=assigned&offset=100",
    "/api/queue?team=support&sentiment=negative",
    "/api/queue?team=support&offset=500",
    "/api/queue?team=pr&order=reach",
]


def fill(engine: Engine, items: int, authors: int, customers: int, seed: int = 11) -> None:
    """The store, with bulk core inserts (executemany) in one transaction."""
    rng = random.Random(seed)
    now = utcnow()
    author_rows = [{
        "id": n, "platform": "x" if n % 3 else "reddit", "external_id": f"a{n}", "handle": f"user{n}",
        "display_name": f"User {n}", "bio": "tech fan", "location": None,
        "followers": min(int(rng.lognormvariate(5, 2)), 5_000_000), "verified": n % 97 == 0, "updated_at": now,
    } for n in range(1, authors + 1)]
    customer_rows = [{
        "id": n, "external_id": f"C-{n:06}", "name": f"Customer {n}", "email": f"c{n}@example.com",
        "consent_marketing": False, "consent_share": False, "status": "active", "updated_at": now, "churn_reasons": [],
    } for n in range(1, customers + 1)]
    link_rows = []
    for author in range(1, authors + 1):
        if rng.random() < 0.17:
            for customer in rng.sample(range(1, customers + 1), 2 if rng.random() < 0.05 else 1):
                link_rows.append({
                    "author_id": author, "customer_id": customer, "method": "exact_handle",
                    "confidence": round(rng.uniform(0.5, 1.0), 2), "evidence": {"exact_handle": {"handle": "x"}},
                    "status": rng.choices(["auto", "confirmed", "proposed", "rejected"], [60, 15, 20, 5])[0],
                    "created_at": now,
                })
    post_rows, enrichment_rows, item_rows = [], [], []
    for n in range(1, items + 1):
        author = rng.randrange(1, authors + 1)
        platform = "x" if author % 3 else "reddit"
        created = now - timedelta(seconds=rng.randrange(14 * 24 * 3600))
        text = " ".join(rng.choices(WORDS, k=rng.randrange(8, 30)))
        sentiment = rng.choices(["negative", "neutral", "positive"], [35, 40, 25])[0]
        score = {"negative": -rng.random(), "neutral": rng.uniform(-0.2, 0.2), "positive": rng.random()}[sentiment]
        products = rng.sample(SKUS, rng.choices([0, 1, 2], [30, 55, 15])[0])
        complaint = sentiment == "negative" and rng.random() < 0.7
        post_rows.append({
            "id": n, "platform": platform, "external_id": f"p{n}", "author_id": author, "kind": "post", "text": text,
            "created_at": created, "url": f"https://x.com/user{author}/status/{n}", "language": "en",
            "conversation_id": f"p{n}", "like_count": rng.randrange(50), "share_count": 0, "reply_count": 0,
            "raw": {"platform": platform, "id": f"p{n}", "created_at": created.isoformat(), "text": text,
                    "author": {"id": f"a{author}", "handle": f"user{author}", "followers": 0},
                    "metrics": {"likes": 1, "reposts": 0, "replies": 0}},
            "target": "bench", "collected_at": created,
        })
        enrichment_rows.append({
            "post_id": n, "language": "en", "sentiment_label": sentiment, "sentiment_score": round(score, 3),
            "sentiment_backend": "linear", "sentiment_version": "1", "products": products, "is_complaint": complaint,
            "complaint_category": rng.choice(["battery", "shipping", "defect", "billing"]) if complaint else None,
            "is_question": rng.random() < 0.2, "is_churn": False, "is_referral": False,
            "details": {"sentiment": {"score": round(score, 3)}, "products": [{"sku": s, "span": [0, 4]} for s in products]},
            "versions": {"language": "1", "sentiment": "1", "products": "1"}, "enriched_at": created,
        })
        team = "support" if rng.random() < 0.85 else "pr"
        rule, priority, sla, _ = rng.choices(RULES[team], [r[3] for r in RULES[team]])[0]
        state = rng.choice(STATES)
        item_rows.append({
            "id": n, "post_id": n, "team": team, "priority": priority, "state": state,
            "assignee": f"agent{rng.randrange(12)}" if state != "new" else None, "rule": rule,
            "reasons": [f"matched {rule}", f"sentiment {sentiment}"],
            "tags": ["sla-breach"] if state == "escalated" else (["reach"] if team == "pr" and priority == 1 else []),
            "due_at": created + timedelta(hours=sla), "conversation_key": f"{platform}:p{n}",
            "created_at": created, "updated_at": created,
        })
    with engine.begin() as connection:
        for model, rows in ((Author, author_rows), (Customer, customer_rows), (CustomerLink, link_rows),
                            (Post, post_rows), (Enrichment, enrichment_rows), (QueueItem, item_rows)):
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(model.__table__), rows[start : start + 20_000])
    with session_scope(engine) as session:
        save_user(session, name=USER, role="support", password_hash=hash_password(PASSWORD))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(config: Path, port: int) -> subprocess.Popen:
    """`earshot serve --workers N` in a subprocess, once it answers /healthz."""
    server = subprocess.Popen(
        [sys.executable, "-m", "earshot", "--config", str(config), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(SERVER_WORKERS)],
        cwd=config.parent, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        stdout=subprocess.DEVNULL,
    )
    wait_until_serving(server, port, seconds=60)
    return server


def wait_until_serving(server: subprocess.Popen, port: int, *, seconds: float) -> None:
    """Until `earshot serve` on `port` answers /healthz; killed, with an error, if it exits or takes longer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"earshot serve exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"earshot serve did not answer /healthz within {seconds:g} s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def load(clients: list[aiohttp.ClientSession], paths: list[str], total: int, seconds: float) -> dict:
    """Up to `total` requests cycling through `paths` (fewer if `seconds` run out first), each client sending its
    next as soon as its last is answered."""
    numbers = iter(range(total))  # shared: each client takes the next request number
    latencies: dict[str, list[float]] = {path: [] for path in paths}
    errors: dict[str, int] = {}  # by status code, or "timeout"; their latencies count too
    began = time.perf_counter()

    async def client_loop(client: aiohttp.ClientSession) -> None:
        for n in numbers:
            path = paths[n % len(paths)]
            sent = time.perf_counter()
            if sent - began > seconds:
                break
            status = await get(client, path)
            latencies[path].append(time.perf_counter() - sent)
            if status != 200:
                errors[str(status)] = errors.get(str(status), 0) + 1

    await asyncio.gather(*(client_loop(client) for client in clients))
    elapsed = time.perf_counter() - began
    done = sum(len(values) for values in latencies.values())
    figures = {"requests": done, "requests_per_s": round(done / elapsed), **summary([*chain(*latencies.values())])}
    if errors:
        figures["errors"] = errors
    if len(paths) > 1:
        figures["by_view"] = {path: summary(values) for path, values in latencies.items()}
    return figures


async def get(client: aiohttp.ClientSession, path: str) -> int | str:
    """The status code (the body read), or the kind of failure."""
    for attempt in (1, 2):
        try:
            async with client.get(path) as response:
                await response.read()
                return response.status
        except aiohttp.ServerDisconnectedError:  # the server closed the idle kept-alive connection as we sent
            if attempt == 2:
                return "ServerDisconnectedError"
        except TimeoutError:
            return "timeout"
        except aiohttp.ClientError as exc:
            return type(exc).__name__
    return "unreachable"


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    if not ordered:
        return {"p50_ms": None, "p99_ms": None}
    return {"p50_ms": round(percentile(ordered, 50) * 1000, 1), "p99_ms": round(percentile(ordered, 99) * 1000, 1)}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank."""
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time a process and its children (the server's workers) have used (Linux; None
    elsewhere)."""
    try:
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
                total += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


async def drive(base_url: str, server_pid: int, requests: int, seconds: float, items: int) -> dict:
    async with httpx.AsyncClient(base_url=base_url) as signer:
        response = await signer.post("/api/token", data={"username": USER, "password": PASSWORD})
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        for _ in range(50):  # the token is committed just after its response is sent (SessionDep's exit): wait for it
            response = await signer.get("/api/queue?team=support", headers=headers)
            if response.status_code != 401:
                break
            await asyncio.sleep(0.1)
        response.raise_for_status()
        first = response.json()
        assert len(first["items"]) == 50 and first["total"] > items // 2, (len(first["items"]), first["total"])
    clients = [aiohttp.ClientSession(base_url=base_url, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
                                     connector=aiohttp.TCPConnector(limit=1)) for _ in range(CLIENTS)]
    phases = {"health": ["/healthz"], "queue_first_page": ["/api/queue?team=support"], "queue_mix": MIX}
    figures = {}
    try:
        for name, paths in phases.items():
            await load(clients, paths, CLIENTS * 4, seconds / 3)  # warm-up
            cpu_before = cpu_seconds(server_pid)
            figures[name] = phase = await load(clients, paths, requests, seconds)
            if cpu_before is not None:
                phase["server_cpu_ms"] = round((cpu_seconds(server_pid) - cpu_before) * 1000 / phase["requests"], 2)
            alone = await load(clients[:1], paths, 40 * len(paths), seconds / 3)  # no one else waiting beside it
            phase["one_client_p50_ms"] = alone["p50_ms"]
            for path, view in alone.get("by_view", {}).items():
                phase["by_view"][path]["one_client_p50_ms"] = view["p50_ms"]
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    return figures


def serve_and_drive(config: Path, requests: int, seconds: float, items: int) -> dict:
    server = start_server(config, port := free_port())
    try:
        return asyncio.run(drive(f"http://127.0.0.1:{port}", server.pid, requests, seconds, items))
    finally:
        stop_server(server)


def run(quick: bool = False) -> dict:
    items, requests, seconds = (10_000, 500, 10) if quick else (100_000, 15_000, 30)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database_url = f"sqlite:///{root / 'bench.db'}"
        config = root / "earshot.toml"
        config.write_text(f'database_url = "{database_url}"\n', encoding="utf-8")
        engine = make_engine(database_url)
        ensure_current(engine)
        began = time.perf_counter()
        fill(engine, items, authors=1_000 if quick else 5_000, customers=300 if quick else 1_000)
        fill_seconds = time.perf_counter() - began
        engine.dispose()
        phases = serve_and_drive(config, requests, seconds, items)
    health, first_page, mix = phases["health"], phases["queue_first_page"], phases["queue_mix"]
    return {
        "queue_items": items,
        "clients": CLIENTS,
        "server": f"earshot serve --workers {SERVER_WORKERS}, SQLite",
        "fill_s": round(fill_seconds, 1),
        **phases,
        "first_page_p99_to_health": round(first_page["p99_ms"] / health["p99_ms"], 1),
        "first_page_rps_to_health": round(first_page["requests_per_s"] / health["requests_per_s"], 3),
        "mix_p99_to_health": round(mix["p99_ms"] / health["p99_ms"], 1),
        "mix_rps_to_health": round(mix["requests_per_s"] / health["requests_per_s"], 3),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": max(first_page["p99_ms"], mix["p99_ms"]) < TARGET_P99_MS
                        and not any(phase.get("errors") for phase in (first_page, mix)),
    }
