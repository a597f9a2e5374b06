"""The port to one TallyPrime: exactly one request in flight, and nothing sent to a Tally
that may still be busy with a request somebody gave up on.

* One at a time: Tally serves requests one by one and overlapping requests corrupt it
  (tally-xml.md §1.5, §7.9). Every request, the liveness probe included, waits its turn on
  one FIFO lock (asyncio's lock wakes waiters in arrival order: the queue in front of Tally).
* After a timeout or a cut-off answer Tally keeps working (~523 s more in BRIDGE §11b.2), so
  the next request first waits until ``GET /`` answers again (§1.3); until then it fails
  with :class:`TallyBusy` rather than piling onto a busy Tally.
* Requests go out as UTF-16LE with ``charset=utf-16`` by default: the answer's charset
  follows the request's, and UTF-8 turns every non-ASCII letter into ``?`` (§1.2).
* Answers are decoded, cleaned and parsed as they arrive (:mod:`.protocol.decode`,
  :mod:`.protocol.xmlstream`): a 100,000-row export is never held whole.
* Fresh connection per request (no keep-alive), like the Node clients (LOADER, TMCP): no
  stale pooled socket can meet a Tally that was restarted in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx
from lxml import etree
from mlc_shared.metrics import TALLY_BUSY_SECONDS, TALLY_REQUEST_SECONDS

from tally_agent.errors import (
    TallyBusy,
    TallyDropped,
    TallyError,
    TallyPortClosed,
    TallyProtocolError,
)
from tally_agent.protocol.decode import ResponseDecoder, charset_of, decode_all
from tally_agent.protocol.responses import raise_for_failure
from tally_agent.protocol.xmlstream import RowStream, parse_document
from tally_agent.settings import TallyAgentSettings

T = TypeVar("T")
LIVENESS_TEXT = "Running"  # "TallyPrime Server is Running" (§1.3, shape H)


@dataclass(frozen=True)
class ClientOptions:
    url: str = "http://127.0.0.1:9000"
    encoding: str = "utf-16"
    request_bom: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 180.0
    liveness_wait: float = 900.0
    liveness_interval: float = 2.0
    liveness_timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: TallyAgentSettings) -> ClientOptions:
        return cls(
            url=settings.tally_base_url,
            encoding=settings.tally_encoding,
            request_bom=settings.tally_request_bom,
            connect_timeout=settings.tally_connect_timeout,
            read_timeout=settings.tally_read_timeout,
            liveness_wait=settings.tally_liveness_wait,
            liveness_interval=settings.tally_liveness_interval,
        )


class RowIterator(Generic[T]):
    """The rows of one streamed answer, typed by ``convert`` as they complete."""

    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        stream: RowStream,
        convert: Callable[[etree._Element], T],
    ) -> None:
        self._chunks = chunks
        self._stream = stream
        self._convert = convert
        self.root: etree._Element | None = None

    def __aiter__(self) -> AsyncIterator[T]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[T]:
        async for data in self._chunks:
            for element in self._stream.feed(data):
                yield self._convert(element)
        root, rest = self._stream.close()
        for element in rest:
            yield self._convert(element)
        raise_for_failure(root)
        self.root = root


class TallyClient:
    def __init__(
        self, options: ClientOptions, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.options = options
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._suspect = False
        self._http = httpx.AsyncClient(
            base_url=options.url,
            transport=transport,
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
            trust_env=False,  # a LAN/loopback address: never via an HTTP proxy
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TallyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- requests ---------------------------------------------------------------------

    def _encode(self, request: str) -> tuple[bytes, dict[str, str]]:
        if self.options.encoding == "utf-16":
            body = request.encode("utf-16-le")
            if self.options.request_bom:
                body = b"\xff\xfe" + body
            return body, {"Content-Type": "text/xml;charset=utf-16"}
        return request.encode("utf-8"), {"Content-Type": "text/xml;charset=utf-8"}

    @property
    def busy(self) -> bool:
        """A request (or an exclusive step) holds Tally right now."""
        return self._lock.locked()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold Tally for several requests in a row, e.g. the duplicate check and the import
        it guards: nothing else is sent to Tally in between."""
        async with self._lock, _held():
            self._owner = asyncio.current_task()
            try:
                yield
            finally:
                self._owner = None

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self._owner is not None and self._owner is asyncio.current_task():
            yield
            return
        async with self._lock, _held():
            yield

    async def liveness(self) -> str:
        """``GET /`` in turn with everything else; the answer text (shape H)."""
        async with self._turn():
            return await self._get_liveness(self.options.read_timeout)

    async def post(self, request: str) -> etree._Element:
        """Send ``request``; the whole (small) answer, parsed and checked for a request-level
        failure. For import results, function results and probes."""
        async with self._exchange(request) as (response, decoder):
            data = b"".join([decoder.feed(chunk) async for chunk in response.aiter_bytes()])
            data += decoder.close()
        root = parse_document(data)
        if root is None:
            raise TallyProtocolError("Tally's answer is empty")
        raise_for_failure(root)
        return root

    @asynccontextmanager
    async def stream(
        self, request: str, row_tags: tuple[str, ...], convert: Callable[[etree._Element], T]
    ) -> AsyncIterator[RowIterator[T]]:
        """Send ``request`` and iterate its rows while they arrive; Tally stays reserved for
        this request until the block ends."""
        async with self._exchange(request, kind="stream") as (response, decoder):
            yield RowIterator(decoder.stream(response.aiter_bytes()), RowStream(row_tags), convert)

    # -- the queue and the error mapping --------------------------------------------------

    @asynccontextmanager
    async def _exchange(
        self, request: str, *, kind: str = "post"
    ) -> AsyncIterator[tuple[httpx.Response, ResponseDecoder]]:
        body, headers = self._encode(request)
        async with self._turn():
            await self._wait_until_alive()
            consumed = False
            started = time.perf_counter()
            outcome = "ok"
            try:
                async with self._http.stream(
                    "POST", "/", content=body, headers=headers
                ) as response:
                    try:
                        if response.status_code != 200:
                            await response.aread()
                            # Tally answers 200 even for application errors (§1.2); other
                            # statuses are unexplained by the sources: retried, counted.
                            raise TallyError(f"Tally answered HTTP {response.status_code}")
                        charset = charset_of(response.headers.get("content-type"))
                        yield response, ResponseDecoder(charset)
                    finally:
                        consumed = response.is_stream_consumed
            except httpx.HTTPError as exc:
                error = self._classify(exc)
                outcome = type(error).__name__
                raise error from exc
            except BaseException as exc:
                outcome = type(exc).__name__ if isinstance(exc, TallyError) else "error"
                raise
            finally:
                TALLY_REQUEST_SECONDS.labels(kind, outcome).observe(time.perf_counter() - started)
                if not consumed:
                    # Tally may still be working on what we abandoned (§1.5).
                    self._suspect = True

    def _classify(self, exc: httpx.HTTPError) -> TallyError:
        url = self.options.url
        if isinstance(exc, httpx.ConnectTimeout):
            return TallyPortClosed(
                f"could not connect to {url} within {self.options.connect_timeout:g} s"
            )
        if isinstance(exc, httpx.ConnectError):
            return TallyPortClosed(f"nothing answers at {url} (connection refused)")
        if isinstance(exc, httpx.TimeoutException):
            self._suspect = True
            return TallyBusy(f"no answer from {url} within {self.options.read_timeout:g} s")
        self._suspect = True
        return TallyDropped(f"the connection to {url} broke off: {exc!r}")

    async def _wait_until_alive(self) -> None:
        """After an abandoned request, wait (bounded) for ``GET /`` to answer again."""
        if not self._suspect:
            return
        deadline = time.monotonic() + self.options.liveness_wait
        last: TallyError | None = None
        while True:
            try:
                await self._get_liveness(self.options.liveness_timeout)
                self._suspect = False
                return
            except TallyPortClosed:
                # Nothing listens any more: nothing can still be running either.
                self._suspect = False
                raise
            except TallyError as exc:
                last = exc
            if time.monotonic() >= deadline:
                raise TallyBusy(
                    f"Tally has not answered GET / for {self.options.liveness_wait:g} s after a "
                    f"request was abandoned ({last.message if last else 'no answer'})"
                )
            await asyncio.sleep(self.options.liveness_interval)

    async def _get_liveness(self, wait: float) -> str:
        started = time.perf_counter()
        try:
            response = await self._http.get(
                "/", timeout=httpx.Timeout(wait, connect=self.options.connect_timeout)
            )
        except httpx.HTTPError as exc:
            error = self._classify_liveness(exc)
            TALLY_REQUEST_SECONDS.labels("liveness", type(error).__name__).observe(
                time.perf_counter() - started
            )
            raise error from exc
        text = decode_all(response.content, charset_of(response.headers.get("content-type")))
        alive = response.status_code == 200 and LIVENESS_TEXT in text
        TALLY_REQUEST_SECONDS.labels("liveness", "ok" if alive else "TallyBusy").observe(
            time.perf_counter() - started
        )
        if not alive:
            raise TallyBusy(f"GET / answered HTTP {response.status_code}: {text[:100]!r}")
        return text.strip()

    def _classify_liveness(self, exc: httpx.HTTPError) -> TallyError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return TallyPortClosed(f"nothing answers at {self.options.url}")
        return TallyBusy(f"GET / did not answer: {exc!r}")


@asynccontextmanager
async def _held() -> AsyncIterator[None]:
    """Counts the time Tally is held by us (``mlc_tally_busy_seconds``)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        TALLY_BUSY_SECONDS.inc(time.perf_counter() - started)
