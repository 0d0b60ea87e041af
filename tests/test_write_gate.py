"""The write gate: at most a few requests that change something run at once per server process; reads pass."""

import asyncio

from earshot.api.write_gate import WriteGate


def run_requests(methods: list[str], limit: int) -> int:
    """The most requests the app behind the gate saw at once."""
    running, most = 0, 0

    async def app(scope, receive, send) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    gate = WriteGate(app, limit=limit)

    async def all_at_once() -> None:
        await asyncio.gather(*(gate({"type": "http", "method": method}, None, None) for method in methods))

    asyncio.run(all_at_once())
    return most


def test_writes_take_turns_and_reads_do_not_wait() -> None:
    assert run_requests(["POST"] * 20, limit=3) == 3
    assert run_requests(["GET"] * 20, limit=3) == 20
    assert run_requests(["POST"] * 10 + ["GET"] * 10, limit=2) == 12
