"""Sign-in throttling: five wrong passwords for a name from one address, then 429 until the window has passed; other
addresses and other names unaffected; a right password clears the count; the form is throttled alike."""

from datetime import timedelta

from fastapi.testclient import TestClient

import earshot.services.login_throttle as throttle
from earshot.api.app import create_app
from tests.factories import add_user
from tests.test_queue_work import store  # noqa: F401 - the fixture

RIGHT = "correct horse battery"


def sign_in(client: TestClient, name: str, password: str):
    return client.post("/api/token", data={"username": name, "password": password})


def test_wrong_passwords_are_throttled_per_name_and_address(store, engine, monkeypatch) -> None:  # noqa: F811
    app = create_app(store, engine)
    here, elsewhere = TestClient(app, client=("10.0.0.1", 5000)), TestClient(app, client=("10.0.0.2", 5000))
    assert [sign_in(here, "support", "guess").status_code for _ in range(5)] == [401] * 5
    refused = sign_in(here, "support", RIGHT)  # even the right password: the check comes first
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.json()["detail"]
    assert 840 <= int(refused.headers["Retry-After"]) <= 900
    assert sign_in(elsewhere, "support", RIGHT).status_code == 200  # the agent is not locked out from elsewhere
    assert sign_in(here, "pr", RIGHT).status_code == 200  # nor other names from here
    later = throttle.utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert sign_in(here, "support", RIGHT).status_code == 200  # the window has passed


def test_a_right_password_clears_the_count_and_many_names_from_one_address_are_refused(
        store, engine) -> None:  # noqa: F811
    app = create_app(store, engine)
    client = TestClient(app, client=("10.0.0.3", 5000))
    for _ in range(3):
        assert [sign_in(client, "support", "guess").status_code for _ in range(4)] == [401] * 4
        assert sign_in(client, "support", RIGHT).status_code == 200  # forgets the four
    sprayer = TestClient(app, client=("10.0.0.4", 5000))
    codes = [sign_in(sprayer, f"user{n}", "guess").status_code for n in range(throttle.PER_ADDRESS + 1)]
    assert codes == [401] * throttle.PER_ADDRESS + [429]
    add_user(engine, "user99", "support")
    assert sign_in(sprayer, "user99", RIGHT).status_code == 429


def test_the_login_form_is_throttled_too(store, engine) -> None:  # noqa: F811
    browser = TestClient(create_app(store, engine), client=("10.0.0.5", 5000))
    for _ in range(5):
        failed = browser.post("/login", data={"username": "support", "password": "guess"}, follow_redirects=False)
        assert failed.status_code == 303 and "failed=1" in failed.headers["location"]
    refused = browser.post("/login", data={"username": "support", "password": RIGHT}, follow_redirects=False)
    assert refused.status_code == 429 and "Too many failed sign-ins from here: try again in 15 minutes." in refused.text
    assert "earshot_session" not in refused.cookies
