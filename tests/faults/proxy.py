"""A fault-injecting loopback TCP proxy between services and RabbitMQ (or any server).

What nameko's Toxiproxy tests do, in a few lines of asyncio, so the suite needs nothing
installed: every byte between a client and its server passes through here, and a test can

* ``cut()``: abort every open connection, both sides, and refuse new ones until ``resume()``
  (a broker that went away, a NAT table flushed, a cable pulled). The proxy keeps its
  listening socket and resets each new connection at once, which a client sees as a refused
  connection: closing the socket would let the port be taken as the ephemeral port of some
  outgoing connection meanwhile, and the proxy could not listen on it again;
* ``latency``: hold each chunk this long before forwarding it, in both directions;
* ``bandwidth``: forward at most this many bytes per second per direction and connection,
  so that a large backlog takes long enough to be cut in the middle of.

``tests/contract/tcp_proxy.py`` is the plain version the bus contract uses; this one adds
the toxics and keeps counts a scenario reports.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass


@dataclass
class Toxics:
    latency: float = 0.0
    bandwidth: int | None = None


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.toxics = Toxics()
        self.port = 0
        self.cuts = 0
        self.connections = 0
        self.refused = 0
        self._refusing = False

    @property
    def url_host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def resume(self) -> None:
        """Accept connections again after :meth:`cut`."""
        self._refusing = False

    async def cut(self) -> None:
        """Abort every open connection, both sides, and refuse new ones until resumed."""
        self.cuts += 1
        self._refusing = True
        await self.drop_connections()

    async def drop_connections(self) -> None:
        """Abort every open connection but keep listening (clients reconnect at once)."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        self._refusing = True
        await self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._writers.update((writer, up_writer))
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while True:
                limit = self.toxics.bandwidth
                data = await source.read(min(65536, limit) if limit else 65536)
                if not data:
                    break
                if self.toxics.latency:
                    await asyncio.sleep(self.toxics.latency)
                if limit:
                    await asyncio.sleep(len(data) / limit)
                sink.write(data)
                await sink.drain()
        sink.transport.abort()
