"""`earshot serve` and `earshot demo` serving the queue: real processes on loopback ports, one or several workers."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_queue_work import store  # noqa: F401 - the fixture: a store with routed items and staff


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_the_queue_page(tmp_path: Path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "served.db"}"\n', encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "earshot", "--config", str(config), "demo", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 60
        browser = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2, follow_redirects=True)
        while time.monotonic() < deadline and process.poll() is None:
            try:
                first = browser.get("/queue?team=support")
                assert first.status_code == 200 and "Sign in" in first.text  # redirected to the login form
                browser.post("/login", data={"username": "support", "password": "demo"})  # the README's account
                page = browser.get("/queue?team=support")
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert page is not None, f"the demo never served: {process.stdout.read() if process.poll() is not None else ''}"
        assert page.status_code == 200
        assert "Support queue" in page.text and "P1" in page.text
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "Earshot store" in output and f"http://127.0.0.1:{port}/" in output
    said = " ".join(output.split())
    assert 'demo accounts (password "demo"): admin (admin), pr (pr), support (support), analyst (analyst)' in said


def _start_workers(tmp_path: Path, settings, port: int) -> subprocess.Popen:
    config = tmp_path / "served.toml"
    config.write_text(f'database_url = "{settings.database_url}"\n', encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "earshot", "--config", str(config), "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _workers_of(server: subprocess.Popen) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(server.pid):
            children.append(int(stat.parent.name))
    return children


def _fresh_connection(port: int, token: str) -> httpx.Client:
    """A new TCP connection for every request, so the kernel hands them to both workers."""
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5, headers={"Authorization": f"Bearer {token}"},
                        limits=httpx.Limits(max_keepalive_connections=0))


def test_several_workers_serve_one_port_and_see_each_others_changes(store, engine, tmp_path: Path) -> None:  # noqa: F811
    port = free_port()
    server = _start_workers(tmp_path, store, port)
    try:
        deadline = time.monotonic() + 60
        token = None
        while token is None:
            assert server.poll() is None and time.monotonic() < deadline, server.stdout.read() if server.poll() else ""
            try:
                token = httpx.post(f"http://127.0.0.1:{port}/api/token", timeout=2,
                                   data={"username": "support", "password": "correct horse battery"}
                                   ).json()["access_token"]
            except httpx.TransportError:
                time.sleep(0.3)
        assert len(_workers_of(server)) == 2
        client = _fresh_connection(port, token)
        listed = [client.get("/api/queue", params={"team": "support"}).json() for _ in range(12)]  # both keep it
        item = next(i["id"] for i in listed[0]["items"] if "battery died" in i["text"])
        assert client.post(f"/api/items/{item}/claim").status_code == 200
        for _ in range(12):  # whichever worker answers, the claim shows at once
            items = client.get("/api/queue", params={"team": "support"}).json()["items"]
            assert next(i["state"] for i in items if i["id"] == item) == "assigned"
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        assert _workers_of(server) == []
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.communicate(timeout=20)


def test_a_worker_that_dies_stops_the_server_with_one_line(store, engine, tmp_path: Path) -> None:  # noqa: F811
    port = free_port()
    server = _start_workers(tmp_path, store, port)
    try:
        deadline = time.monotonic() + 60
        while len(_workers_of(server)) < 2 or not _answers(port):
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
        os.kill(_workers_of(server)[0], signal.SIGKILL)
        output, _ = server.communicate(timeout=30)
        assert server.returncode == 1
        assert "a server worker stopped (exit code -9); the others were stopped too" in output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate(timeout=20)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _connections_held(pid: int, port: int) -> int:
    """Established TCP connections to `port` that process `pid` holds (Linux's /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # local port; ESTABLISHED
                inodes.add(fields[9])
    held = 0
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_workers_share_kept_alive_connections_evenly(store, engine, tmp_path: Path) -> None:  # noqa: F811
    port = free_port()
    server = _start_workers(tmp_path, store, port)
    clients = []
    try:
        deadline = time.monotonic() + 60
        while len(_workers_of(server)) < 2 or not _answers(port):
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
        for _ in range(20):  # twenty agents' browsers, each keeping its connection open
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)
            assert client.get("/healthz").status_code == 200
            clients.append(client)
        held = sorted(_connections_held(pid, port) for pid in _workers_of(server))
        assert sum(held) == 20 and held[0] >= 8, held  # within a connection or two of even
    finally:
        for client in clients:
            client.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=20)
