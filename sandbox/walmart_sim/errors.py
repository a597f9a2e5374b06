"""Walmart's two error envelopes and the one exception every handler raises to produce them.

walmart-api.md §10.3: gateway-level failures (auth, headers, throttling) answer
``{"error":[{…}]}``; service-level failures (orders, items, feeds…) answer
``{"errors":{"error":[{…}]}}`` with ``errorIdentifiers: {"entry": []}``. Codes are
``NAME.SERVICE`` (§1). The service suffix is documented for the gateway, orders and item
queries only; the others below reuse the nearest documented one (UNCERTAIN, see docs).
"""

from __future__ import annotations

from typing import Any, Literal

Envelope = Literal["gateway", "service", "bare"]

GATEWAY = "GMP_GATEWAY_API"
ORDERS = "GMP_ORDER_API"
ITEMS = "GMP_ITEM_QUERY_API"

# Which suffix a resource's service errors carry (walmart-api.md §1 lists GMP_GATEWAY_API,
# GMP_ORDER_API and GMP_ITEM_QUERY_API; returns/feeds/others are not documented).
SERVICE_SUFFIX: dict[str, str] = {
    "orders": ORDERS,
    "returns": ORDERS,
    "items": ITEMS,
    "feeds": ITEMS,
    "price": GATEWAY,
    "inventory": GATEWAY,
    "lagtime": GATEWAY,
    "reports": GATEWAY,
    "webhooks": GATEWAY,
    "settings": GATEWAY,
}

# Category and severity of each standard code (walmart-api.md §10.3 table).
_CLASS: dict[str, tuple[str, str]] = {
    "INVALID_REQUEST": ("DATA", "ERROR"),
    "INVALID_REQUEST_HEADER": ("DATA", "ERROR"),
    "INVALID_REQUEST_PARAM": ("DATA", "ERROR"),
    "INVALID_REQUEST_CONTENT": ("DATA", "ERROR"),
    "MISSING_REQUEST_HEADER": ("DATA", "ERROR"),
    "MISSING_REQUEST_PARAM": ("DATA", "ERROR"),
    "MALFORMED_REQUEST_CONTENT": ("DATA", "ERROR"),
    "INVALID_TOKEN": ("DATA", "ERROR"),
    "UNAUTHORIZED": ("DATA", "ERROR"),
    "FORBIDDEN": ("DATA", "ERROR"),
    "CONTENT_NOT_FOUND": ("APPLICATION", "INFO"),
    "URI_NOT_FOUND": ("DATA", "ERROR"),
    "METHOD_NOT_ALLOWED": ("DATA", "ERROR"),
    "INVALID_ACCEPT_TYPE": ("APPLICATION", "ERROR"),
    "UNSUPPORTED_MEDIA_TYPE": ("DATA", "ERROR"),
    "REQUEST_THRESHOLD_VIOLATED": ("REQUEST", "ERROR"),
    "SYSTEM_ERROR": ("SYSTEM", "ERROR"),
    "DOWNSTREAM_SYSTEM_TIME_OUT": ("SYSTEM", "ERROR"),
}

_INFO: dict[str, str] = {
    "CONTENT_NOT_FOUND": "Requested content could not be found.",
    "INVALID_REQUEST_CONTENT": "Request content is invalid.",
    "UNAUTHORIZED": (
        "Unauthorized token or incorrect authorization header. Please verify correct format: "
        '"Authorization: Basic Base64Encode(clientId:clientSecret)" or check the WM_SEC.ACCESS_TOKEN'
    ),
}


class WalmartError(Exception):
    """A refusal rendered in one of Walmart's envelopes."""

    def __init__(
        self,
        status: int,
        name: str,
        description: str,
        *,
        suffix: str | None = GATEWAY,
        envelope: Envelope = "service",
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {name}: {description}")
        self.status = status
        self.name = name
        self.code = f"{name}.{suffix}" if suffix else name
        self.description = description
        self.envelope = envelope
        self.field = field if field is not None else name
        self.headers = headers or {}

    def entry(self, *, service: bool) -> dict[str, Any]:
        category, severity = _CLASS.get(self.name, ("DATA", "ERROR"))
        return {
            "code": self.code,
            "field": self.field,
            "description": self.description,
            "info": _INFO.get(self.name, self.description),
            "severity": severity,
            "category": category,
            "causes": [],
            "errorIdentifiers": {"entry": []} if service else {},
        }

    def body(self, *, error_as_object: bool = False) -> dict[str, Any] | None:
        if self.envelope == "bare":
            return None
        if self.envelope == "gateway":
            return {"error": [self.entry(service=False)]}
        entry = self.entry(service=True)
        return {"errors": {"error": entry if error_as_object else [entry]}}


def gateway_error(status: int, name: str, description: str, **kw: Any) -> WalmartError:
    return WalmartError(status, name, description, suffix=GATEWAY, envelope="gateway", **kw)


def service_error(
    resource: str, status: int, name: str, description: str, **kw: Any
) -> WalmartError:
    return WalmartError(
        status, name, description, suffix=SERVICE_SUFFIX[resource], envelope="service", **kw
    )


def not_found(resource: str, description: str) -> WalmartError:
    return service_error(resource, 404, "CONTENT_NOT_FOUND", description)


def bad_param(resource: str, description: str, field: str | None = None) -> WalmartError:
    return service_error(resource, 400, "INVALID_REQUEST_PARAM", description, field=field)


def bad_content(resource: str, description: str, field: str | None = None) -> WalmartError:
    return service_error(resource, 400, "INVALID_REQUEST_CONTENT", description, field=field)


class AdminError(Exception):
    """A refusal from the admin API (plain ``{"detail": …}``, not a Walmart envelope)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
