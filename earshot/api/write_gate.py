"""At most a few requests that change something run at once in one server process; the rest wait their turn on the
event loop, holding no thread and no pooled connection.

A sync endpoint runs in the thread pool (40 threads) and its request session is committed afterwards in another
call to the pool. When 50 clients claimed the same queue item at once, every thread ended up waiting in PostgreSQL
for the row lock of the first claim, whose commit then waited for a free thread: the server stood still (found by
bench/soak). With the writes gated, threads and connections are always left for commits and for reads.
"""

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from earshot.api.deps import SAFE_METHODS

WRITES_AT_ONCE = 8  # of the engine's 15 pooled connections and the 40 threads, per server process


class WriteGate:
    def __init__(self, app: ASGIApp, limit: int = WRITES_AT_ONCE) -> None:
        self.app, self.limit = app, limit
        self._turns: asyncio.Semaphore | None = None  # made on the server's own event loop, at the first write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.limit)
        async with self._turns:
            await self.app(scope, receive, send)
