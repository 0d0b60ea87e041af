"""The JSON API fuzzed from its own OpenAPI schema (schemathesis): whatever a signed-in admin sends that the schema
allows, and much that it does not, the answer is never a server error."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from earshot.api.app import create_app
from tests.test_exports import shop  # noqa: F401 - the fixture: a routed store, a customer, every role

LEFT_OUT = "/api/logout"  # it would end the fuzzing's own sign-in (tested in test_auth.py)


@pytest.fixture(scope="module")
def signed_in_app(shop):  # noqa: F811
    """The shop served in-process, and an admin's token."""
    store, engine, _ = shop
    app = create_app(store, engine)
    answer = TestClient(app).post("/api/token", data={"username": "admin", "password": "correct horse battery"})
    return app, answer.json()["access_token"]


def test_no_request_gets_a_server_error(signed_in_app) -> None:
    app, token = signed_in_app
    # the cases come from the schema; they are sent by a test client of our own, closed at the end (schemathesis's
    # own ASGI transport keeps an event-loop thread for the rest of the process, and a later test that forks
    # enrich workers or export shares rightly refuses to fork beside a thread)
    schema = schemathesis.openapi.from_dict(app.openapi()).exclude(path=LEFT_OUT)
    with TestClient(app, raise_server_exceptions=True) as client:
        failures, answers = _fuzz(schema, client, token)
    assert len(answers) >= 25 and LEFT_OUT not in {name.split()[1] for name in answers}
    assert not failures, "\n".join(failures)
    signed_out = [name for name, codes in answers.items() if codes <= {401} and name != "POST /api/token"]
    assert not signed_out, f"the sign-in was lost, so these were never really tried: {signed_out}"
    assert any(code == 200 for codes in answers.values() for code in codes)


def _fuzz(schema, client: TestClient, token: str) -> tuple[list[str], dict[str, set[int]]]:
    """Every operation tried: what failed (a 500, or the app's own exception, which the test client raises), and
    the status codes each answered."""
    failures, answers = [], {}
    for found in schema.get_all_operations():
        operation = found.ok()
        name = f"{operation.method.upper()} {operation.path}"
        seen = answers.setdefault(name, set())

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def never_a_server_error(case) -> None:
            sent = case.as_transport_kwargs(base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
            response = client.request(sent.pop("method"), sent.pop("url"), **_as_httpx(sent))
            seen.add(response.status_code)
            assert response.status_code < 500, (f"{case.method} {case.formatted_path} query={case.query} "
                                                f"body={case.body!r:.200} -> {response.status_code} "
                                                f"{response.text[:300]}")

        try:
            never_a_server_error()
        except Exception as failure:  # noqa: BLE001 - listed, and the other operations still tried
            failures.append(f"{name}: {type(failure).__name__}: {str(failure).splitlines()[0]}")
    return failures, answers


def _as_httpx(sent: dict) -> dict:
    """requests' keyword arguments (what schemathesis builds) as httpx's (the test client's)."""
    sent = {key: value for key, value in sent.items() if value is not None and value != {}}
    if isinstance(sent.get("data"), (str, bytes)):
        sent["content"] = sent.pop("data")
    return sent
