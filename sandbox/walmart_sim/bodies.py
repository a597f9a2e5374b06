"""Reading Walmart request bodies defensively: one clear 4xx for anything malformed."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request

from .errors import WalmartError, service_error


async def json_body(request: Request, resource: str) -> Any:
    """The request's JSON body, or 415/400 in Walmart's service envelope (§1, §10.3)."""
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.lower():
        raise service_error(
            resource, 415, "UNSUPPORTED_MEDIA_TYPE", f"Content-Type {content_type} is not supported"
        )
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise service_error(
            resource, 400, "MALFORMED_REQUEST_CONTENT", f"Request body is not valid JSON: {exc}"
        ) from exc


def as_list(value: Any) -> list[Any]:
    """Walmart's JSON mirrors XML, so a one-element list may arrive as a bare object."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def require_obj(value: Any, what: str, resource: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise service_error(
            resource,
            400,
            "INVALID_REQUEST_CONTENT",
            f"{what} is missing or not an object",
            field=what,
        )
    return value


def parse_int(value: Any, what: str, resource: str, *, minimum: int = 0) -> int:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _bad(resource, what) from exc
    if number != number.to_integral_value() or number < minimum:
        raise _bad(resource, what)
    return int(number)


def parse_money(value: Any, what: str, resource: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _bad(resource, what)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _bad(resource, what) from exc
    if not amount.is_finite():
        raise _bad(resource, what)
    return amount


def _bad(resource: str, what: str) -> WalmartError:
    return service_error(
        resource, 400, "INVALID_REQUEST_CONTENT", f"Invalid value for {what}", field=what
    )
