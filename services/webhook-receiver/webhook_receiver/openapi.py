"""The receiver's own OpenAPI document (served at ``/openapi.json``).

The handlers read the raw body themselves (HMAC needs the exact bytes; the size limit must
apply before parsing), so FastAPI cannot infer the request bodies; they are described here
from the same models the receiver validates with, so the document and the code agree.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from mlc_shared.messages.webhooks import EVENT_MODELS

_REF = "#/components/schemas/{model}"


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
            }
        },
    }


def _source(event_type: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["eventType", "eventId"],
        "properties": {
            "eventType": event_type,
            "eventTime": {"type": "string", "format": "date-time"},
            "eventId": {"type": "string", "pattern": r"^[\x21-\x7e]{1,128}$"},
        },
    }


def _event_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The delivery envelope, and the component schemas it refers to.

    One variant per known event type (its ``source.eventType`` and its payload model), and
    one for any other event type with any payload: accepted and kept for an operator.
    """
    components: dict[str, Any] = {}
    variants = []
    for event_type, model in sorted(EVENT_MODELS.items()):
        schema = model.model_json_schema(by_alias=True, ref_template=_REF, mode="validation")
        components.update(schema.pop("$defs", {}))
        schema.get("properties", {}).pop("event_type", None)  # ours; Walmart's is in source
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r != "event_type"]
        components[model.__name__] = schema
        variants.append(
            {
                "type": "object",
                "required": ["source", "payload"],
                "properties": {
                    "source": _source({"type": "string", "enum": [event_type]}),
                    "payload": {"$ref": _REF.format(model=model.__name__)},
                },
            }
        )
    variants.append(
        {
            "type": "object",
            "required": ["source"],
            "properties": {
                "source": _source(
                    {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"}
                ),
                "payload": {"type": "object"},
            },
        }
    )
    components["WalmartDelivery"] = {
        "description": "walmart-api.md §9.3: {source: {eventType, eventTime, eventId}, payload}. "
        "A known event type with an invalid payload is accepted too, and kept for an operator.",
        "anyOf": variants,
    }
    return {"$ref": _REF.format(model="WalmartDelivery")}, components


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        envelope_ref, components = _event_schemas()
        document.setdefault("components", {}).setdefault("schemas", {}).update(components)
        paths = document["paths"]
        receive = paths["/webhooks/walmart/{tenant}"]["post"]
        receive["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": envelope_ref}},
        }
        receive["responses"] = {
            "200": {
                "description": "stored and published (or a duplicate of one that was)",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["status", "eventId"],
                            "properties": {
                                "status": {"enum": ["accepted", "duplicate"]},
                                "eventId": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "400": _error("not a Walmart event envelope"),
            "401": _error("not authenticated (no reason given)"),
            "413": _error("body larger than the configured limit"),
            "503": _error("store or broker unavailable: retry later"),
        }
        token = paths["/webhooks/walmart/{tenant}/oauth/token"]["post"]
        token["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]}
                        },
                    }
                }
            },
        }
        token["responses"] = {
            "200": {
                "description": "a bearer token",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["access_token", "token_type", "expires_in"],
                            "properties": {
                                "access_token": {"type": "string"},
                                "token_type": {"type": "string"},
                                "expires_in": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "400": {
                "description": "grant_type is not client_credentials",
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"error": {"type": "string"}}}
                    }
                },
            },
            "401": _error("client credentials do not match (no reason given)"),
            "413": _error("body larger than a token request can be"),
        }
        for path in ("/webhooks/walmart/{tenant}", "/webhooks/walmart/{tenant}/oauth/token"):
            paths[path]["post"]["responses"].pop("422", None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
