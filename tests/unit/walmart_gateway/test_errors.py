"""The error table (walmart_gateway.errors.RULES), row by row, and both error envelopes."""

from __future__ import annotations

import pytest
from walmart_gateway.errors import (
    RULES,
    Action,
    ErrorDetail,
    WalmartBadCredentials,
    WalmartError,
    WalmartForbidden,
    WalmartMisconfigured,
    WalmartNotFound,
    WalmartPayloadTooLarge,
    WalmartRejected,
    WalmartResourceLocked,
    WalmartThrottled,
    WalmartUnauthorized,
    WalmartUnavailable,
    classify,
    parse_error_body,
)

from tests.unit.walmart_gateway import sheet_examples as ex


def _d(code: str) -> tuple[ErrorDetail, ...]:
    return (ErrorDetail(code=code),)


# (status, codes, token call?, expected action, expected error) -- one case per RULES row,
# in the table's order, so a new row without a case fails test_every_row_has_a_case.
CASES: list[tuple[int, tuple[ErrorDetail, ...], bool, Action, type[WalmartError]]] = [
    (400, (), True, Action.ALERT, WalmartBadCredentials),
    (401, (), True, Action.ALERT, WalmartBadCredentials),
    (
        400,
        _d("INVALID_TOKEN.GMP_GATEWAY_API"),
        False,
        Action.REFRESH_TOKEN_THEN_RETRY,
        WalmartUnauthorized,
    ),
    (
        401,
        _d("UNAUTHORIZED.GMP_GATEWAY_API"),
        False,
        Action.REFRESH_TOKEN_THEN_RETRY,
        WalmartUnauthorized,
    ),
    (403, _d("FORBIDDEN.GMP_GATEWAY_API"), False, Action.ALERT, WalmartForbidden),
    (400, _d("MISSING_REQUEST_HEADER.GMP_GATEWAY_API"), False, Action.ALERT, WalmartMisconfigured),
    (400, _d("INVALID_REQUEST_HEADER.GMP_GATEWAY_API"), False, Action.ALERT, WalmartMisconfigured),
    (400, _d("INVALID_REQUEST_CONTENT.GMP_ORDER_API"), False, Action.PARK, WalmartRejected),
    (404, _d("CONTENT_NOT_FOUND.GMP_ORDER_API"), False, Action.NOT_FOUND, WalmartNotFound),
    (404, _d("URI_NOT_FOUND"), False, Action.ALERT, WalmartMisconfigured),
    (405, _d("METHOD_NOT_ALLOWED"), False, Action.ALERT, WalmartMisconfigured),
    (406, _d("INVALID_ACCEPT_TYPE"), False, Action.ALERT, WalmartMisconfigured),
    (413, (), False, Action.PARK, WalmartPayloadTooLarge),
    (
        415,
        _d("UNSUPPORTED_MEDIA_TYPE.GMP_ITEM_QUERY_API"),
        False,
        Action.ALERT,
        WalmartMisconfigured,
    ),
    (423, _d("RESOURCE_IS_LOCKED.GMP_RECEIVER_API"), False, Action.RETRY, WalmartResourceLocked),
    (
        429,
        _d("REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"),
        False,
        Action.RATE_LIMITED,
        WalmartThrottled,
    ),
    (504, _d("DOWNSTREAM_SYSTEM_TIME_OUT"), False, Action.RETRY, WalmartUnavailable),
    (409, (), False, Action.PARK, WalmartRejected),
]


def test_every_row_has_a_case() -> None:
    assert len(CASES) == len(RULES)


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)))
def test_row(
    index: int, case: tuple[int, tuple[ErrorDetail, ...], bool, Action, type[WalmartError]]
) -> None:
    status, details, token_call, action, error = case
    rule = classify(status, details, token_call=token_call)
    assert rule is RULES[index]
    assert (rule.action, rule.error) == (action, error)
    assert rule.source.startswith("§")


@pytest.mark.parametrize("status", [500, 502, 503, 599])
def test_every_5xx_is_retried_even_without_a_body(status: int) -> None:
    rule = classify(status, ())
    assert (rule.action, rule.error) == (Action.RETRY, WalmartUnavailable)


def test_token_call_5xx_and_429_follow_the_data_rows() -> None:
    assert classify(503, (), token_call=True).error is WalmartUnavailable
    assert classify(429, (), token_call=True).action is Action.RATE_LIMITED


def test_gateway_envelope() -> None:
    (detail,) = parse_error_body(ex.UNAUTHORIZED)
    assert (detail.code, detail.name, detail.severity) == (
        "UNAUTHORIZED.GMP_GATEWAY_API",
        "UNAUTHORIZED",
        "ERROR",
    )


def test_service_envelope_list_and_object() -> None:
    (detail,) = parse_error_body(ex.SHIP_REJECTED)
    assert detail.field == "methodCode"
    assert "line number 1" in (detail.description or "")
    as_object = b'{"errors":{"error":{"code":"CONTENT_NOT_FOUND.GMP_ORDER_API"}}}'
    assert [d.code for d in parse_error_body(as_object)] == ["CONTENT_NOT_FOUND.GMP_ORDER_API"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"Service Unavailable",
        b"<errors><error/></errors>",
        b"[]",
        b'{"error": "nope"}',
        b'{"errors": {"error": [1, 2]}}',
    ],
)
def test_bodies_without_walmart_errors_yield_none(body: bytes) -> None:
    assert parse_error_body(body) == ()


def test_reason_reads_in_one_line() -> None:
    error = WalmartRejected(
        "POST /v3/orders/1/shipping answered 400",
        status=400,
        details=parse_error_body(ex.SHIP_REJECTED),
    )
    assert (
        str(error)
        == error.reason
        == (
            "POST /v3/orders/1/shipping answered 400: INVALID_REQUEST_CONTENT.GMP_ORDER_API "
            "[methodCode]: Method code is not supported in line number 1"
        )
    )
    assert error.codes == ("INVALID_REQUEST_CONTENT.GMP_ORDER_API",)
