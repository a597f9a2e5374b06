"""Client behaviour for the error-table rows the simulator cannot produce on demand.

The simulator answers everything it can (401, 400 INVALID_TOKEN, 403, 404, 413, 429, 500,
503, 504: tests/contract/test_walmart_port.py). Walmart also sends 405, 406, 415 and 423, and
a missing-header 400 that this gateway's own transport never provokes; for those rows alone
an ``httpx.MockTransport`` plays Walmart here, answering with the sheet's envelopes (§10.3).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr
from walmart_gateway.apis import PUBLISHED_BUDGETS, Api
from walmart_gateway.client import ClientPolicy, WalmartClient
from walmart_gateway.credentials import WalmartCredentials
from walmart_gateway.errors import (
    WalmartError,
    WalmartMisconfigured,
    WalmartOutcomeUnknown,
    WalmartResourceLocked,
    WalmartUnavailable,
)
from walmart_gateway.transport import HttpxTransport, TransportConfig, WalmartRequest, json_body

TOKEN = {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 900}


def _service_error(status: int, code: str) -> httpx.Response:
    body = {
        "errors": {
            "error": [
                {
                    "code": code,
                    "description": code.split(".")[0].lower(),
                    "severity": "ERROR",
                    "category": "DATA",
                }
            ]
        }
    }
    return httpx.Response(status, json=body)


def _client(answers: list[httpx.Response], seen: list[httpx.Request]) -> WalmartClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/token":
            return httpx.Response(200, json=TOKEN)
        seen.append(request)
        return answers.pop(0)

    async def no_sleep(_: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    transport = HttpxTransport(TransportConfig(base_url="https://walmart.invalid"), client=http)
    return WalmartClient(
        transport,
        WalmartCredentials("id", SecretStr("secret")),
        budgets=dict(PUBLISHED_BUDGETS),
        policy=ClientPolicy(retry_attempts=3),
        sleep=no_sleep,
    )


def _read() -> WalmartRequest:
    return WalmartRequest("GET", "/v3/items", Api.ITEMS_LIST)


def _write() -> WalmartRequest:
    return WalmartRequest(
        "POST",
        "/v3/orders/1/shipping",
        Api.ORDERS_ACKNOWLEDGE,
        body=json_body({"orderShipment": {}}),
        idempotent=False,
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (405, "METHOD_NOT_ALLOWED"),
        (406, "INVALID_ACCEPT_TYPE"),
        (415, "UNSUPPORTED_MEDIA_TYPE.GMP_ITEM_QUERY_API"),
        (400, "MISSING_REQUEST_HEADER.GMP_GATEWAY_API"),
        (404, "URI_NOT_FOUND"),
    ],
)
async def test_configuration_rows_alert_once_and_are_not_retried(status: int, code: str) -> None:
    seen: list[httpx.Request] = []
    client = _client([_service_error(status, code)], seen)
    with pytest.raises(WalmartMisconfigured) as caught:
        await client.send(_read())
    assert caught.value.codes == (code,)
    assert (len(seen), client.alerts) == (1, 1)


async def test_423_is_retried_then_succeeds() -> None:
    seen: list[httpx.Request] = []
    client = _client(
        [
            _service_error(423, "RESOURCE_IS_LOCKED.GMP_RECEIVER_API"),
            httpx.Response(200, json={"ItemResponse": []}),
        ],
        seen,
    )
    assert (await client.send(_read())).status == 200
    assert len(seen) == 2


async def test_423_on_a_write_is_not_repeated() -> None:
    seen: list[httpx.Request] = []
    client = _client([_service_error(423, "RESOURCE_IS_LOCKED.GMP_RECEIVER_API")], seen)
    with pytest.raises(WalmartResourceLocked):
        await client.send(_write())
    assert len(seen) == 1


def _raising(
    exc: Callable[[httpx.Request], Exception],
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/token":
            return httpx.Response(200, json=TOKEN)
        raise exc(request)

    return handler


@pytest.mark.parametrize(
    ("failure", "expected", "tries"),
    [
        (lambda r: httpx.ConnectError("refused", request=r), WalmartUnavailable, 3),
        (lambda r: httpx.ReadTimeout("slow", request=r), WalmartOutcomeUnknown, 1),
    ],
)
async def test_a_write_is_repeated_only_when_it_never_left(
    failure: Callable[[httpx.Request], Exception], expected: type[WalmartError], tries: int
) -> None:
    calls: list[httpx.Request] = []
    inner = _raising(failure)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v3/token":
            calls.append(request)
        return inner(request)

    async def no_sleep(_: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = WalmartClient(
        HttpxTransport(TransportConfig(base_url="https://walmart.invalid"), client=http),
        WalmartCredentials("id", SecretStr("secret")),
        budgets=dict(PUBLISHED_BUDGETS),
        policy=ClientPolicy(retry_attempts=3),
        sleep=no_sleep,
    )
    with pytest.raises(expected) as caught:
        await client.send(_write())
    assert type(caught.value) is expected
    assert len(calls) == tries
    assert json.loads(calls[0].content) == {"orderShipment": {}}
