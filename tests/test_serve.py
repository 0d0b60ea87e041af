"""`earshot demo` without --no-serve ends serving the queue page: a real process on a loopback port."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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
