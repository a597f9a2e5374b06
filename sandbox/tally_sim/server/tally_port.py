"""The Tally port: a small asyncio HTTP/1.1 server (h11 parses the protocol) with one worker.

A hand-held server rather than an ASGI one because the faults of tally-xml.md §1.5/§1.6 live
below HTTP: a hang that accepts the socket and never answers, a crash that drops the
connection in the middle of a body, and a port that closes (connection refused) and reopens
later on the same number.

One request at a time (§1.5, §10 item 1): every request, the liveness GET included, waits
for an asyncio.Lock, which hands itself over in arrival order. A client that gives up does
not cancel the work it queued (§1.5). Small answers carry a Content-Length; answers over
1 MiB are streamed with chunked encoding as they are rendered (§7.7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator

import h11

from tally_sim.server.dispatcher import Dispatcher
from tally_sim.server.faults import CrashPlan, Faults
from tally_sim.server.replies import Reply
from tally_sim.server.request_log import RequestLog
from tally_sim.wire.charset import decode_request, encode_response, response_content_type

logger = logging.getLogger("tally_sim.port")

_BUFFER_LIMIT = 1 << 20
_READ_SIZE = 1 << 16


class TallyPort:
    def __init__(self, dispatcher: Dispatcher, faults: Faults, log: RequestLog) -> None:
        self.dispatcher = dispatcher
        self.faults = faults
        self.log = log
        self.host = "127.0.0.1"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._worker = asyncio.Lock()
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self, host: str, port: int) -> int:
        self.host = host
        self._server = await asyncio.start_server(self._connection, host, port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop_listening(self) -> None:
        """Tally not running (§1.6): the port refuses connections and every open connection
        and queued request is dropped, as when the process dies."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in [*self._connections, *self._busy]:
            task.cancel()
        for task in [*self._connections, *self._busy]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # A restarted Tally shows no modal dialog; cleared only now, after the queued work
        # was cancelled, so nothing that waited behind the dialog runs on a dead port.
        self.faults.clear_hang()
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=2)

    async def resume(self) -> None:
        if self._server is None:
            await self.start(self.host, self.port)

    def occupy(self, seconds: float) -> None:
        """Busy for N seconds (§1.5): the worker is held as by someone else's long request."""
        loop = asyncio.get_running_loop()
        self.faults.busy_until = max(self.faults.busy_until, loop.time()) + seconds

        entry = self.log.record("BUSY", "-", {}, f"busy for {seconds} s")

        async def hold() -> None:
            async with self._worker:
                self.log.started(entry)
                await asyncio.sleep(seconds)
                self.log.finished(entry, "busy", 0)

        task = asyncio.create_task(hold())
        self._busy.add(task)
        task.add_done_callback(self._busy.discard)

    # -- connections --------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                received = await self._read_request(conn, reader, writer)
                if received is None:
                    break
                if not await self._serve(conn, writer, *received):
                    break
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except (ConnectionError, h11.ProtocolError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only stop_listening cancels connections (Tally died). Ending quietly keeps
            # asyncio's stream callback from reporting the cancellation as an error.
            pass
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._connections.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[h11.Request, bytes] | None:
        request: h11.Request | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(_READ_SIZE))
            elif isinstance(event, h11.Request):
                request = event
                if conn.they_are_waiting_for_100_continue:
                    # curl asks for 100-continue on large bodies; answering saves its 1 s wait.
                    writer.write(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
                    await writer.drain()
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return (request, bytes(body)) if request is not None else None
            elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return None

    async def _serve(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, request: h11.Request, body: bytes
    ) -> bool:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
        method = request.method.decode("ascii", "replace").upper()
        text = decode_request(body, headers.get("content-type")).text
        entry = self.log.record(
            method,
            request.target.decode("latin-1"),
            headers,
            text if text is not None else repr(body[:2000]),
        )
        async with self._worker:
            self.log.started(entry)
            await self.faults.wait_while_hung()
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            try:
                reply = self.dispatcher.handle(method, headers, body)
            except Exception as error:  # a simulator bug must be loud, not a fake Tally answer
                logger.exception("tally simulator failed on request %s", entry.seq)
                entry.summary = {"kind": "simulator error", "error": repr(error)}
                sent = await self._send(
                    conn, writer, 500, "text/plain", [repr(error).encode()], True
                )
                self.log.finished(entry, "simulator error", sent)
                return False
            entry.summary = reply.summary
            crash = self.faults.take_crash()
            if crash is not None:
                sent = await self._crash(conn, writer, reply, crash)
                self.log.finished(entry, "crashed", sent)
                return False
            try:
                sent = await self._reply(conn, writer, reply)
            except (ConnectionError, RuntimeError):
                self.log.finished(entry, "dropped", 0)
                return False
            self.log.finished(entry, "served", sent)
        return True

    # -- writing ------------------------------------------------------------------------
    def _encoded(self, reply: Reply) -> Iterator[bytes]:
        for chunk in reply.body:
            if chunk:
                yield encode_response(chunk, reply.utf16)

    async def _reply(self, conn: h11.Connection, writer: asyncio.StreamWriter, reply: Reply) -> int:
        content_type = response_content_type(reply.utf16, reply.media_type)
        chunks = self._encoded(reply)
        buffered: list[bytes] = []
        size = 0
        complete = True
        for data in chunks:
            buffered.append(data)
            size += len(data)
            if size >= _BUFFER_LIMIT:
                complete = False
                break
        if complete:
            return await self._send(conn, writer, 200, content_type, buffered, True)
        sent = await self._send(conn, writer, 200, content_type, buffered, False)
        for data in chunks:
            writer.write(conn.send(h11.Data(data=data)))
            sent += len(data)
            await writer.drain()
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        return sent

    async def _send(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        status: int,
        content_type: str,
        parts: Iterable[bytes],
        final: bool,
    ) -> int:
        body = b"".join(parts)
        headers = [("Content-Type", content_type)]
        if final:
            headers.append(("Content-Length", str(len(body))))
        writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
        if body:
            writer.write(conn.send(h11.Data(data=body)))
        if final:
            writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        return len(body)

    async def _crash(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, reply: Reply, crash: CrashPlan
    ) -> int:
        body = b"".join(self._encoded(reply))
        cut = int(len(body) * crash.fraction)
        headers = [
            ("Content-Type", response_content_type(reply.utf16, reply.media_type)),
            ("Content-Length", str(len(body))),
        ]
        writer.write(conn.send(h11.Response(status_code=200, headers=headers)))
        writer.write(body[:cut])
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.transport.abort()
        if crash.then_stop:
            task = asyncio.create_task(self.stop_listening())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return cut
