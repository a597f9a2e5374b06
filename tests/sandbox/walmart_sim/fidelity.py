"""The fidelity check: every simulator answer the suite receives is validated against the
matching schema in Walmart's OpenAPI files (reference/walmart-openapi/ in this repository).

The check is stricter than the schemas themselves: an object may only carry the properties
its schema declares, so a misspelt field name fails. Departures the fact sheet justifies are
listed, each once, in ``schema_exceptions.SCHEMA_EXCEPTIONS``; anything else fails the test
that received the answer.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from .schema_exceptions import SCHEMA_EXCEPTIONS, SchemaException


def spec_dir() -> Path:
    configured = os.environ.get("MLC_WALMART_OPENAPI_DIR")
    path = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[3] / "reference" / "walmart-openapi"
    )
    if not (path / "orders.json").is_file():
        raise RuntimeError(
            f"Walmart's OpenAPI files are not at {path}; set MLC_WALMART_OPENAPI_DIR to the "
            "directory holding Walmart's OpenAPI files (reference/walmart-openapi in the repository)"
        )
    return path


@functools.cache
def load_spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((spec_dir() / name).read_text())
    return loaded


@dataclass(frozen=True)
class Operation:
    key: str
    """``"METHOD /spec/path"``, the name exceptions refer to."""
    file: str
    path: str
    method: str


FEED_SPEC = {
    "MP_ITEM": "items.json", "MP_MAINTENANCE": "items.json", "RETIRE_ITEM": "items.json",
    "price": "prices.json", "promo": "prices.json", "inventory": "inventory.json",
    "MP_INVENTORY": "inventory.json", "lagtime": "lag-time.json",
}  # fmt: skip

# (method, path regex, spec file, spec path)
ROUTES: list[tuple[str, str, str, str]] = [
    ("POST", r"/v3/token", "authentication.json", "/v3/token"),
    ("GET", r"/v3/token/detail", "authentication.json", "/v3/token/detail"),
    ("GET", r"/v3/items", "items.json", "/v3/items"),
    ("GET", r"/v3/items/count", "items.json", "/v3/items/count"),
    ("GET", r"/v3/items/.+", "items.json", "/v3/items/{id}"),
    ("DELETE", r"/v3/items/.+", "items.json", "/v3/items/{SKU}"),
    ("GET", r"/v3/feeds", "feeds.json", "/v3/feeds"),
    ("GET", r"/v3/feeds/.+", "feeds.json", "/v3/feeds/{feedId}"),
    ("PUT", r"/v3/price", "prices.json", "/v3/price"),
    ("GET", r"/v3/promo/sku/.+", "local", "/v3/promo/sku/{sku}"),
    ("GET", r"/v3/inventory", "inventory.json", "/v3/inventory"),
    ("PUT", r"/v3/inventory", "inventory.json", "/v3/inventory"),
    ("GET", r"/v3/inventories", "inventory.json", "/v3/inventories"),
    ("GET", r"/v3/inventories/.+", "inventory.json", "/v3/inventories/{sku}"),
    ("PUT", r"/v3/inventories/.+", "inventory.json", "/v3/inventories/{sku}"),
    ("GET", r"/v3/settings/shipping/shipnodes", "settings.json", "/v3/settings/shipping/shipnodes"),
    ("GET", r"/v3/lagtime", "lag-time.json", "/v3/lagtime"),
    ("GET", r"/v3/orders", "orders.json", "/v3/orders"),
    ("GET", r"/v3/orders/released", "orders.json", "/v3/orders/released"),
    ("GET", r"/v3/orders/[^/]+", "orders.json", "/v3/orders/{purchaseOrderId}"),
    (
        "POST",
        r"/v3/orders/[^/]+/acknowledge",
        "orders.json",
        "/v3/orders/{purchaseOrderId}/acknowledge",
    ),
    ("POST", r"/v3/orders/[^/]+/cancel", "orders.json", "/v3/orders/{purchaseOrderId}/cancel"),
    ("POST", r"/v3/orders/[^/]+/shipping", "orders.json", "/v3/orders/{purchaseOrderId}/shipping"),
    ("POST", r"/v3/orders/[^/]+/refund", "orders.json", "/v3/orders/{purchaseOrderId}/refund"),
    ("GET", r"/v3/returns", "returns.json", "/v3/returns"),
    ("POST", r"/v3/returns/[^/]+/refund", "returns.json", "/v3/returns/{returnOrderId}/refund"),
    (
        "GET",
        r"/v3/report/reconreport/reconFileJson",
        "reports.json",
        "/v3/report/reconreport/reconFileJson",
    ),
    (
        "GET",
        r"/v3/report/reconreport/reconFile",
        "reports.json",
        "/v3/report/reconreport/reconFile?reportVersion=v1",
    ),
    ("GET", r"/v3/report/payment/statement", "reports.json", "/v3/report/payment/statement"),
    ("GET", r"/v3/webhooks/eventTypes", "notifications.json", "/v3/webhooks/eventTypes"),
    ("GET", r"/v3/webhooks/subscriptions", "notifications.json", "/v3/webhooks/subscriptions"),
    ("POST", r"/v3/webhooks/subscriptions", "notifications.json", "/v3/webhooks/subscriptions"),
    (
        "PATCH",
        r"/v3/webhooks/subscriptions/[^/]+",
        "notifications.json",
        "/v3/webhooks/subscriptions/{subscriptionId}",
    ),
    (
        "DELETE",
        r"/v3/webhooks/subscriptions/[^/]+",
        "notifications.json",
        "/v3/webhooks/subscriptions/{subscriptionId}",
    ),
    ("POST", r"/v3/webhooks/test", "notifications.json", "/v3/webhooks/test"),
]


def operation_for(method: str, path: str, query: dict[str, str]) -> Operation:
    if method == "POST" and path == "/v3/feeds":
        spec_file = FEED_SPEC.get(query.get("feedType", ""), "items.json")
        return Operation("POST /v3/feeds", spec_file, "/v3/feeds", "post")
    if method == "GET" and path == "/v3/report/reconreport/availableReconFiles":
        spec_path = path + ("?reportVersion=v1" if query.get("reportVersion") == "v1" else "")
        return Operation(f"GET {path}", "reports.json", spec_path, "get")
    for route_method, pattern, spec_file, spec_path in ROUTES:
        if route_method == method and re.fullmatch(pattern, path):
            return Operation(
                f"{method} {spec_path.split('?')[0]}", spec_file, spec_path, method.lower()
            )
    raise AssertionError(
        f"no Walmart schema is mapped for {method} {path}; add it to fidelity.ROUTES"
    )


def _strict(schema: Any) -> Any:
    """A copy where every object schema with declared properties forbids undeclared ones."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def _resolve(schema: Any, spec: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return _resolve(spec["components"]["schemas"][name], spec)
        return {k: _resolve(v, spec) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v, spec) for v in schema]
    return schema


def _money_value() -> dict[str, Any]:
    amount = {
        "type": "object",
        "properties": {
            "value": {"type": "string"},
            "currency": {"type": "string"},
            "amount": {"type": "number"},
        },
    }
    return {
        "type": "object",
        "properties": {
            k: amount
            for k in (
                "value",
                "minValue",
                "maxValue",
                "perUnitValue",
                "minUnitValue",
                "maxUnitValue",
            )
        }
        | {"uomType": {"type": "string"}},
    }


# Transcribed from the S1 promotion spec (highsidelabs/walmart-api-php
# resources/schemas/us/mp/promotion.json, GetPromotionalPrices200Response and its models).
LOCAL_SCHEMAS: dict[str, Any] = {
    "promo": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "header": {
                "type": "object",
                "properties": {
                    "headerAttributes": {"type": "object", "additionalProperties": True}
                },
            },
            "payload": {
                "type": "object",
                "required": ["itemIdentifier", "pricingList"],
                "properties": {
                    "itemIdentifier": {
                        "type": "object",
                        "required": ["sku"],
                        "properties": {"sku": {"type": "string"}},
                    },
                    "pricingList": {
                        "type": "object",
                        "required": ["pricing"],
                        "properties": {
                            "replaceAll": {"type": "boolean"},
                            "pricing": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["currentPrice", "currentPriceType"],
                                    "properties": {
                                        "currentPrice": _money_value(),
                                        "currentPriceType": {
                                            "type": "string",
                                            "enum": [
                                                "BASE",
                                                "REDUCED",
                                                "CLEARANCE",
                                                "SAVINGS_AMT",
                                                "SAVINGS_PCT",
                                                "ROLLBACK",
                                                "LIST_PRICE",
                                            ],
                                        },
                                        "comparisonPrice": _money_value(),
                                        "comparisonPriceType": {"type": "string"},
                                        "savingsAmount": {"type": "number"},
                                        "savingsPercent": {"type": "number"},
                                        "priceDisplayCodes": {"type": "object"},
                                        "pickupDiscount": {"type": "object"},
                                        "effectiveDate": {"type": "integer"},
                                        "expirationDate": {"type": "integer"},
                                        "processMode": {"type": "string"},
                                        "pid": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                    "maxSalesRetailPrice": {"type": "object"},
                    "minAdvtPrice": {"type": "object"},
                    "rebate": {"type": "object"},
                    "additionalAttributes": {"type": "object"},
                },
            },
        },
    }
}


@functools.cache
def _response_schema(file: str, path: str, method: str, status: int, media: str) -> Any:
    if file == "local":
        return LOCAL_SCHEMAS[path]
    spec = load_spec(file)
    responses = spec["paths"][path][method]["responses"]
    response = responses.get(str(status))
    if response is None:
        raise AssertionError(f"{method.upper()} {path} has no {status} response in {file}")
    content = response["content"]
    chosen = content.get(media) or next(iter(content.values()))
    return _resolve(chosen["schema"], spec)


@functools.cache
def _gateway_error_schema() -> Any:
    return _resolve(
        load_spec("orders.json")["components"]["schemas"]["GatewayError"], load_spec("orders.json")
    )


@functools.cache
def _envelope_schema(service: bool) -> Any:
    """§10.3: gateway {"error":[GatewayError]}, service {"errors":{"error":[GatewayError]}}."""
    errors = {"type": "array", "items": _gateway_error_schema()}
    if service:
        return {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "required": ["error"], "properties": {"error": errors}}
            },
        }
    return {"type": "object", "required": ["error"], "properties": {"error": errors}}


def _where(error: Any) -> str:
    return ".".join("*" if isinstance(p, int) else str(p) for p in error.absolute_path)


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _departures(error: Any) -> Iterator[tuple[str, str]]:
    """(kind, where) for each departure one validation error stands for."""
    where = _where(error)
    if error.validator == "type":
        yield ("null" if error.instance is None else "type"), where
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        declared = set(error.schema.get("properties", {}))
        for name in error.instance:
            if name not in declared:
                yield "extra", _join(where, str(name))
    elif error.validator == "required" and isinstance(error.instance, dict):
        for name in error.validator_value:
            if name not in error.instance:
                yield "required", _join(where, str(name))
    elif error.validator == "enum":
        # A null outside an enum is the same explicit-null departure as a type mismatch.
        yield ("null" if error.instance is None else "enum"), where
    else:
        yield f"{error.validator}: {error.message}", where


def _exceptions(operation: str, kind: str) -> list[SchemaException]:
    return [
        e
        for e in SCHEMA_EXCEPTIONS
        if e.kind == kind and fnmatch.fnmatchcase(operation, e.operation)
    ]


_VALIDATORS: dict[int, tuple[Any, OAS30Validator]] = {}


def _validator(schema: Any) -> OAS30Validator:
    """Compiled once per schema object (schemas come from cached loaders)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, OAS30Validator(_strict(schema), format_checker=oas30_format_checker))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


def validate(operation: str, schema: Any, body: Any) -> None:
    for exc in _exceptions(operation, "reshape"):
        body = exc.reshape(body) if exc.reshape else body
    validator = _validator(schema)
    problems = []
    for error in validator.iter_errors(body):
        for kind, where in _departures(error):
            if not any(fnmatch.fnmatchcase(where, e.where) for e in _exceptions(operation, kind)):
                problems.append(f"{kind} at {where or '<root>'}: {error.message[:200]}")
    if problems:
        raise AssertionError(
            f"{operation} departs from Walmart's schema:\n  " + "\n  ".join(problems)
        )


def _xml_to_dict(data: bytes) -> Any:
    root = ElementTree.fromstring(data)  # noqa: S314 - the simulator's own answer, in a test
    return {
        "error": [
            {child.tag: child.text or "" for child in error} for error in root.findall("error")
        ]
    }


def check_response(response: httpx.Response) -> None:
    """Validate one simulator answer; /admin answers are the simulator's own, not Walmart's."""
    request = response.request
    path = request.url.path
    if not path.startswith("/v3/"):
        return
    media = response.headers.get("content-type", "").split(";")[0].strip()
    query = dict(request.url.params)
    if response.status_code >= 400:
        _check_error(request.method, path, query, response, media)
        return
    operation = operation_for(request.method, path, query)
    if media == "application/octet-stream":
        assert response.content[:2] == b"PK", f"{operation.key}: binary answer is not a zip"
        assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 1
        return
    body = response.json()
    if operation.path.startswith("/v3/report/reconreport/reconFile?") and (
        "errors" in body or "error" in body
    ):
        # recon_errors_as_200: an error body with HTTP 200 (§8.1, C-62636022886).
        validate("ERROR", _envelope_schema(service="errors" in body), body)
        return
    schema_exc = _exceptions(operation.key, "schema")
    if schema_exc and schema_exc[0].schema_ref:
        file, spec_path, method = schema_exc[0].schema_ref
        schema = _response_schema(file, spec_path, method, response.status_code, media)
    else:
        schema = _response_schema(
            operation.file, operation.path, operation.method, response.status_code, media
        )
    validate(operation.key, schema, body)


def _check_error(
    method: str, path: str, query: dict[str, str], response: httpx.Response, media: str
) -> None:
    if response.status_code in (413, 503) and media != "application/json":
        # Bare statuses without a Walmart error object (§10.2 D-throttling; §10.3).
        return
    if media == "application/xml":
        operation = operation_for(method, path, query)
        schema = _response_schema(
            operation.file, operation.path, operation.method, response.status_code, media
        )
        validate(operation.key, schema, _xml_to_dict(response.content))
        return
    body = response.json()
    if "errors" in body:
        validate("ERROR", _envelope_schema(service=True), body)
    elif "error" in body:
        validate("ERROR", _envelope_schema(service=False), body)
    else:
        raise AssertionError(
            f"{method} {path} {response.status_code}: no Walmart error envelope: {body}"
        )


@functools.cache
def _delivery_schema() -> Any:
    spec = load_spec("notifications-asyncapi.json")
    return _resolve(copy.deepcopy(spec["components"]["schemas"]["SellerPerformanceEnvelope"]), spec)


def check_delivery(body: Any) -> None:
    """Validate a webhook delivery body (§9.3) against the AsyncAPI delivery envelope."""
    performance = body.get("source", {}).get("eventType") == "SELLER_PERFORMANCE_NOTIFICATIONS"
    validate("DELIVERY performance" if performance else "DELIVERY event", _delivery_schema(), body)
