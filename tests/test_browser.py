"""The web UI in headless Chromium (Debian's, driven by Playwright): a support agent works an item from the login to
resolved, an analyst is refused the queue actions, and a post's <script> stays text. Saves the README's screenshots."""

import os
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from earshot.api.app import create_app
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.engine import session_scope
from storage.imports.customers import import_customers
from tests.factories import add_user, replay_line, replay_settings, write_jsonl
from tests.test_serve import free_port

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parent.parent / "docs"
REFRESH_SCREENSHOTS = os.environ.get("EARSHOT_SCREENSHOTS") == "1"  # read at import: tests run with no EARSHOT_* set
EVIL = "<script>alert('pwned')</script> my aura 12 battery died again, so disappointed"
CUSTOMER = {"id": "C7", "name": "Maja Holm", "city": "Lund", "country": "SE", "handles": {"x": "maja_h"},
            "products": [{"sku": "NV-A12", "purchased_at": "2025-03-01", "channel": "online"}],
            "cases": [{"id": "CASE-1", "sku": "NV-A12", "category": "battery", "opened_at": "2026-10-01",
                       "closed_at": "2026-10-05", "summary": "Battery drains overnight"}]}


@pytest.fixture
def server(tmp_path: Path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [CUSTOMER]))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text=EVIL, author={"id": "m", "handle": "maja_h", "name": "Maja", "followers": 800}),
        replay_line(2, text="is the aura 12 any good for photos?", author={"id": "q", "handle": "curious"}),
        replay_line(3, text="@maja_h same here, mine died too", reply_to="1001", conversation_id="1001",
                    author={"id": "o", "handle": "olle"}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    add_user(engine, "sam", "support", "support-password")
    add_user(engine, "ana", "analyst", "analyst-password")
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield chromium
        chromium.close()


def sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/queue?team=support")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/queue?team=support")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/ when EARSHOT_SCREENSHOTS=1 (to refresh the README's), else the test's folder."""
    return DOCS if REFRESH_SCREENSHOTS else tmp_path


def test_support_works_an_item_from_claim_to_resolved(server: str, browser, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    sign_in(page, server, "sam", "support-password")
    assert page.locator("h1").inner_text().startswith("Support queue")
    page.screenshot(path=str(shots / "queue.png"), full_page=False)
    page.click("a.open-item:has-text('battery died')")
    page.wait_for_url(f"{server}/items/*")
    assert page.locator(".post-text").inner_text().startswith("<script>alert('pwned')</script>")  # text, not code
    panel = page.locator(".customer-panel").inner_text()
    assert "Maja Holm" in panel and "NV-A12" in panel and "CASE-1" in panel
    page.click("button[data-action=claim]")
    assert page.locator("[data-state]").inner_text() == "assigned"
    page.fill(".reply-box textarea", "Sorry to hear that, Maja! DM us your order number and we'll sort it.")
    page.click("button[data-action=send-reply]")
    assert page.locator("[data-state]").inner_text() == "replied"
    assert "not sent (dry-run)" in page.locator("[data-reply-status=dry_run]").inner_text()
    page.click("button[data-action=resolve]")
    assert page.locator("[data-state]").inner_text() == "resolved"
    history = page.locator(".history").inner_text()
    assert "sam claim" in history and "sam reply" in history and "sam resolve" in history
    page.screenshot(path=str(shots / "item.png"), full_page=True)
    assert (shots / "queue.png").stat().st_size > 10_000
    assert alerts == []  # the <script> never ran


def test_an_analyst_is_refused_the_queue_actions(server: str, browser) -> None:
    page = browser.new_page()
    sign_in(page, server, "ana", "analyst-password")
    page.click("a.open-item:has-text('battery died')")
    assert page.locator("button[data-action]").count() == 0 and "Work it" not in page.content()
    item = page.url.rsplit("/", 1)[1]
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")  # a genuine form, the wrong role
    refused = page.request.post(f"{server}/items/{item}/act", form={"action": "claim", "csrf_token": csrf},
                                max_redirects=0)
    assert refused.status == 403 and "may not" in refused.text()
    assert page.request.get(f"{server}/customers").status == 403


def test_keyboard_shortcuts_and_live_counts(server: str, browser) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, server, "sam", "support-password")
    page.goto(f"{server}/queue?team=support&state=new")
    waiting = int(page.locator("[data-live-total]").get_attribute("data-live-total"))
    assert waiting >= 2 and page.locator("[data-count=mine]").inner_text() == "0"
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator("tr.selected").count() == 1
    assert page.locator("tr[data-item]").first.get_attribute("class").endswith("selected")
    page.keyboard.press("o")
    page.wait_for_url(f"{server}/items/*")
    page.keyboard.press("c")  # posts the claim; the page comes back from the server (expect waits for it)
    expect(page.locator("[data-state]")).to_have_text("assigned")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "text"  # the reply box has the focus
    page.keyboard.type("resolve me? no: e typed in a text box is text")
    assert page.locator("[data-state]").inner_text() == "assigned"
    page.locator("h1").click()
    page.keyboard.press("u")
    page.wait_for_url(f"{server}/queue?team=support")
    assert page.locator("[data-count=mine]").inner_text() == "1"
    page.goto(f"{server}/queue?team=support&state=new")
    assert page.locator("#queue-changed").is_hidden()
    other = page.locator("tr[data-item]").first.get_attribute("data-item")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    claimed = page.request.post(f"{server}/api/items/{other}/claim", headers={"X-CSRF-Token": csrf})
    assert claimed.ok, claimed.text()
    page.evaluate("window.earshotRefresh()")  # what the page does every 15 s
    expect(page.locator("[data-count=mine]")).to_have_text("2")
    page.locator("#queue-changed").wait_for(state="visible")
    assert page.locator("[data-changed-total]").inner_text() == str(waiting - 2)
    assert errors == []  # the script ran under the CSP without complaint


def test_the_analyst_page_draws_its_charts_under_the_csp(server: str, browser, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, server, "ana", "analyst-password")
    page.goto(f"{server}/analytics?by=platform")
    for chart in ("trend", "funnel", "channels"):
        page.locator(f"#{chart}-chart[data-drawn]").wait_for(timeout=20_000)
        assert page.locator(f"#{chart}-chart").get_attribute("data-drawn") == "true"
        assert page.locator(f"#{chart}-chart canvas").count() == 1
    page.screenshot(path=str(shots / "analytics.png"), full_page=False)
    with page.expect_download() as download:
        page.click("[data-download=trends-csv]")
    assert download.value.suggested_filename == "trends.csv"
    assert errors == []  # Vega ran without eval and without inline styles
