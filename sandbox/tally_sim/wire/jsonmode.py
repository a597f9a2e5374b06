"""TallyPrime 7 JSON exchange (tally-xml.md §8).

Request metadata travels in HTTP headers (`tallyrequest`, `type`, `id`, `subtype`, case
ignored as HTTP does); the body carries `static_variables` ([{name, value}]) and either
`tdlmessage` (inline definitions, official voucher-collection sample) or `tallymessage`
(objects to import, official ledger sample). A JSON request is translated into the same typed
requests as XML, so one engine answers both.

Simulator choices where the sheet is silent: formulae are definitions whose metadata type
mentions System or Formula, with attributes `{"<name>": "<expr>"}` (or `{"formula": expr}`
named by the metadata); failures answer `{"status":"0","data":{"lineerror": "..."}}`.
"""

from __future__ import annotations

import json
from typing import Any

from tally_sim.wire.requests import (
    ExportRequest,
    ImportRequest,
    StaticVars,
    TallyRequest,
    UnknownRequest,
)
from tally_sim.wire.tdl import CollectionDef, TdlMessage, split_list, split_pair
from tally_sim.wire.xmlin import Node


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def _static(body: dict[str, Any]) -> StaticVars:
    values: dict[str, str] = {}
    for entry in body.get("static_variables") or []:
        if isinstance(entry, dict) and "name" in entry:
            values[str(entry["name"]).upper()] = str(entry.get("value", ""))
    return StaticVars(values)


def _definitions(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for message in body.get("tdlmessage") or []:
        if not isinstance(message, dict):
            continue
        if isinstance(message.get("definitions"), list):
            found.extend(d for d in message["definitions"] if isinstance(d, dict))
        elif "metadata" in message:
            found.append(message)
    return found


def _attributes(definition: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for attribute in definition.get("attributes") or []:
        if isinstance(attribute, dict):
            pairs.extend((str(k), str(v)) for k, v in attribute.items())
    return pairs


def _tdl(body: dict[str, Any]) -> TdlMessage:
    message = TdlMessage()
    for definition in _definitions(body):
        metadata = definition.get("metadata") or {}
        name = str(metadata.get("name", ""))
        kind = _key(str(metadata.get("type", "")))
        attributes = _attributes(definition)
        if kind == "collection":
            collection = CollectionDef(name=name)
            for key, value in attributes:
                k = _key(key)
                if k == "type":
                    collection.type = value
                elif k in ("fetch", "nativemethod"):
                    collection.fetch.extend(split_list(value))
                elif k in ("filter", "filters"):
                    collection.filters.extend(split_list(value))
                elif k == "childof":
                    collection.child_of = value
                elif k == "belongsto":
                    collection.belongs_to = value.strip().casefold() == "yes"
                elif k == "compute":
                    collection.computes.append(split_pair(value))
            message.collections[name.casefold()] = collection
        elif "system" in kind or "formula" in kind:
            for key, value in attributes:
                label = name if _key(key) in ("formula", "value", "expression", "set") else key
                message.formulae[label.casefold()] = value
    return message


def to_node(tag: str, obj: dict[str, Any]) -> Node:
    """A JSON object as an import element: keys are lower-case tag names, lists are the
    `.LIST` children (`contactdetails` -> CONTACTDETAILS.LIST, §8)."""
    node = Node(tag.upper())
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else None
    if metadata:
        for key, value in metadata.items():
            if _key(str(key)) != "type":
                node.attrs[str(key).upper()] = str(value)
    for key, value in obj.items():
        if key == "metadata":
            continue
        upper = "".join(str(key).split()).upper()
        if isinstance(value, dict):
            node.children.append(to_node(f"{upper}.LIST", value))
        elif isinstance(value, list):
            if all(isinstance(v, dict) for v in value):
                node.children.extend(to_node(f"{upper}.LIST", v) for v in value)
            else:
                holder = Node(f"{upper}.LIST")
                holder.children = [Node(upper, text=_scalar(v)) for v in value]
                node.children.append(holder)
        else:
            node.children.append(Node(upper, text=_scalar(value)))
    return node


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def classify_json(headers: dict[str, str], raw: str) -> TallyRequest:
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return UnknownRequest("malformed JSON")
    if not isinstance(body, dict):
        return UnknownRequest("JSON body is not an object")
    verb = _key(headers.get("tallyrequest", ""))
    kind = _key(headers.get("type", ""))
    request_id = headers.get("id", "").strip()
    static = _static(body)
    if verb == "import":
        objects = []
        for obj in body.get("tallymessage") or []:
            if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
                tag = "".join(str(obj["metadata"].get("type", "")).split())
                objects.append(to_node(tag, obj))
        return ImportRequest(id=request_id, static=static, objects=objects)
    if verb == "export" and kind in ("collection", "object", "data", "function"):
        tdl = _tdl(body)
        fetch = [str(f) for f in body.get("fetch_list") or []]
        collection = tdl.collection(request_id)
        if collection is not None:
            collection.fetch.extend(split_list(",".join(fetch)))
            fetch = []
        return ExportRequest(
            kind=kind,
            id=request_id,
            static=static,
            tdl=tdl,
            subtype=headers.get("subtype") or None,
            fetch=fetch,
        )
    return UnknownRequest("JSON request needs tallyrequest Import|Export and a type")
