"""A server worker that takes its share of the connections, for `earshot serve --workers N`.

Workers sharing one listening socket accept whatever arrives when they are free, and uvicorn accepts every pending
connection at once: 50 clients connecting together ended up 50/0, 41/9 or 33/17 over two workers, and the busier
worker's clients waited twice as long. Here each worker publishes its open connections in memory the workers share
(made before they fork) and lets a connection go to a worker with fewer, unless none takes it within
`MAX_DEFER_SECONDS` (a worker busy with something long must not hold new clients up)."""

import asyncio
import logging
import multiprocessing
import socket

import uvicorn

SLACK = 1  # connections a worker may hold above the least busy one before it leaves new ones to the others
DEFER_STEP_SECONDS = 0.001
MAX_DEFER_SECONDS = 0.05
RECOUNT_SECONDS = 0.1  # an idle worker's count is refreshed this often (connections close without telling it)

log = logging.getLogger(__name__)


class ConnectionCounts:
    """Each worker's open connections, in shared memory: make it before the workers fork."""

    def __init__(self, workers: int) -> None:
        self._counts = multiprocessing.RawArray("i", workers)

    def publish(self, worker: int, count: int) -> None:
        self._counts[worker] = count

    def fewest(self) -> int:
        return min(self._counts)


class BalancedServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, listening: socket.socket, counts: ConnectionCounts,
                 worker: int) -> None:
        super().__init__(config)
        self._listening = listening
        self._counts = counts
        self._worker = worker
        self._accepting: asyncio.Task | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; no listener of uvicorn's own
        self._listening.setblocking(False)
        self._accepting = asyncio.create_task(self._accept())

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
        await super().shutdown()

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        deferred = 0.0
        while True:
            await self._readable(loop)
            mine = self._publish()
            if mine > self._counts.fewest() + SLACK and deferred < MAX_DEFER_SECONDS:
                await asyncio.sleep(DEFER_STEP_SECONDS)  # another worker with fewer takes it
                deferred += DEFER_STEP_SECONDS
                continue
            try:
                connection, _ = self._listening.accept()
            except (BlockingIOError, InterruptedError):  # another worker took it
                continue
            except OSError as exc:  # out of file descriptors, say: the connection waits in the backlog
                log.warning("cannot accept a connection: %s", exc)
                await asyncio.sleep(0.1)
                continue
            deferred = 0.0
            connection.setblocking(False)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.connect_accepted_socket(self._protocol, connection)
            self._publish()

    def _protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(config=self.config, server_state=self.server_state,
                                               app_state=self.lifespan.state)

    def _publish(self) -> int:
        mine = len(self.server_state.connections)
        self._counts.publish(self._worker, mine)
        return mine

    async def _readable(self, loop: asyncio.AbstractEventLoop) -> None:
        """Until a connection waits to be accepted; the count is republished meanwhile."""
        descriptor = self._listening.fileno()
        while True:
            ready = loop.create_future()
            loop.add_reader(descriptor, lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, RECOUNT_SECONDS)
                return
            except TimeoutError:
                self._publish()
            finally:
                loop.remove_reader(descriptor)
