"""The Walmart port: one method, ``send(request) -> response`` (STYLE.md, after httpx's
``handle_async_request``), and its real adapter over one shared httpx connection pool.

The adapter adds what every call carries (walmart-api.md §1): ``WM_SVC.NAME``,
``WM_QOS.CORRELATION_ID`` (one per logical operation, kept across its retries, §10.4),
``Accept``, and ``WM_CONSUMER.CHANNEL.TYPE`` when configured. Authentication headers are the
client's business (:mod:`walmart_gateway.client`). Network failures become
:class:`WalmartUnavailable`, saying whether the request can have reached Walmart.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

import httpx
from mlc_shared.logging import get_logger

from walmart_gateway.apis import Api
from walmart_gateway.errors import WalmartUnavailable

log = get_logger(__name__)


def new_correlation_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class JsonBody:
    payload: bytes


@dataclass(frozen=True)
class FormBody:
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FileBody:
    """A feed upload: multipart/form-data with the part ``file`` (§3.1)."""

    filename: str
    content: bytes
    content_type: str = "application/json"


Body = JsonBody | FormBody | FileBody


def _number(value: object) -> object:
    # Walmart reads amounts as JSON numbers (§4 "amount": 19.99). float's repr is the shortest
    # string that round-trips, so a Decimal of a few places is written with the same digits.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_body(document: Any) -> JsonBody:
    return JsonBody(json.dumps(document, separators=(",", ":"), default=_number).encode())


@dataclass(frozen=True)
class WalmartRequest:
    method: str
    path: str
    """Under ``/v3``; path segments already percent-encoded (SKUs, feed ids with ``@``)."""
    api: Api
    params: tuple[tuple[str, str], ...] = ()
    raw_query: str | None = None
    """Sent verbatim (Walmart's ``nextCursor`` query strings must not be re-encoded, §6.1);
    wins over ``params``."""
    body: Body | None = None
    accept: str = "application/json"
    idempotent: bool = True
    """False for calls that change state in a way a second copy would repeat (feed submit,
    refund, ship): the client never repeats them on an ambiguous failure."""
    correlation_id: str = field(default_factory=new_correlation_id)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def with_header(self, name: str, value: str) -> WalmartRequest:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=(*kept, (name, value)))


@dataclass(frozen=True)
class WalmartResponse:
    status: int
    headers: Mapping[str, str]
    """Lower-cased names."""
    body: bytes
    correlation_id: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class WalmartPort(Protocol):
    async def send(self, request: WalmartRequest) -> WalmartResponse: ...


@dataclass(frozen=True)
class TransportConfig:
    base_url: str
    svc_name: str = "Walmart Marketplace"
    channel_type: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_connections: int = 20


class HttpxTransport:
    """The real adapter. One instance (one pool) serves every seller account."""

    def __init__(self, config: TransportConfig, *, client: httpx.AsyncClient | None = None) -> None:
        self._config = config
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        limits = httpx.Limits(
            max_connections=config.max_connections, max_keepalive_connections=config.max_connections
        )
        self._client = client or httpx.AsyncClient(
            timeout=timeout, limits=limits, follow_redirects=False
        )
        # Callers beyond the pool wait here rather than in httpcore's queue, which is
        # rescanned whole on every connection change (quadratic with 1,000 waiters).
        self._slots = asyncio.Semaphore(config.max_connections)
        self.calls = 0
        """HTTP requests sent (the benchmarks report it)."""

    async def send(self, request: WalmartRequest) -> WalmartResponse:
        url = httpx.URL(self._config.base_url + request.path)
        if request.raw_query is not None:
            url = url.copy_with(query=request.raw_query.lstrip("?").encode())
        elif request.params:
            url = url.copy_merge_params(request.params)
        headers = {
            "WM_SVC.NAME": self._config.svc_name,
            "WM_QOS.CORRELATION_ID": request.correlation_id,
            "Accept": request.accept,
        }
        if self._config.channel_type:
            headers["WM_CONSUMER.CHANNEL.TYPE"] = self._config.channel_type
        headers.update(request.headers)
        kwargs: dict[str, Any] = {}
        match request.body:
            case JsonBody(payload):
                kwargs["content"] = payload
                headers["Content-Type"] = "application/json"
            case FormBody(fields):
                kwargs["data"] = dict(fields)
            case FileBody(filename, content, content_type):
                kwargs["files"] = {"file": (filename, content, content_type)}
            case None:
                pass
        started = time.perf_counter()
        self.calls += 1
        try:
            async with self._slots:
                response = await self._client.request(
                    request.method, url, headers=headers, **kwargs
                )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise WalmartUnavailable(
                f"cannot reach Walmart at {self._config.base_url}: {type(exc).__name__}",
                sent=False,
                correlation_id=request.correlation_id,
            ) from exc
        except httpx.TransportError as exc:
            raise WalmartUnavailable(
                f"{request.method} {request.path} failed in flight: {type(exc).__name__}",
                sent=True,
                correlation_id=request.correlation_id,
            ) from exc
        log.debug(
            "walmart.http",
            method=request.method,
            path=request.path,
            api=request.api.value,
            status=response.status_code,
            wm_correlation_id=request.correlation_id,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return WalmartResponse(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=response.content,
            correlation_id=request.correlation_id,
        )

    async def aclose(self) -> None:
        await self._client.aclose()
