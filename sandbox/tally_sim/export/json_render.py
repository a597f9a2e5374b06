"""Collections as JSON for the TallyPrime 7 JSON mode (tally-xml.md §8): the answer is
`{"status":"1","data":{"collection":[...]}}` (clients read `data.collection`, §8).

Each object is `{"metadata": {"type": ..., <attributes lower-cased>}, <tag>: <text>, ...}`:
keys are lower-case tag names, sub-lists are arrays under the tag name without `.list`
(the import key style of §8), values are the XML texts without surrounding spaces (system
values keep their U+0004 mark). The exact JSONEX export layout is UNCERTAIN (§8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tally_sim.export.collections import select_rows
from tally_sim.export.context import ExportContext
from tally_sim.export.registry import ObjectType
from tally_sim.export.scope import make_evaluator
from tally_sim.export.spec import Plan, Scalar, TdlType, compile_plan, format_raw, parse_fetch
from tally_sim.tdl.evaluate import as_text
from tally_sim.wire.tdl import CollectionDef, TdlMessage


def _plain(kind: TdlType, value: object) -> str:
    return format_raw(kind, value).strip()


def object_json(plan: Plan, obj: Any, ctx: ExportContext, type_name: str | None) -> dict[str, Any]:
    spec = plan.spec
    result: dict[str, Any] = {}
    attributes = spec.attrs(obj, ctx, False) if spec.attrs else []
    if type_name is not None or attributes:
        metadata: dict[str, Any] = {"type": type_name} if type_name else {}
        metadata.update({k.lower(): v for k, v in attributes})
        result["metadata"] = metadata
    for step in plan.steps:
        if isinstance(step, Scalar):
            result[step.tag.lower()] = _plain(step.kind, step.get(obj, ctx))
            continue
        list_field, sub_plan = step
        items = list_field.get(obj, ctx)
        if not items:
            continue
        if sub_plan is None:
            result[list_field.tag.lower()] = [_plain(list_field.kind, i) for i in items]
        else:
            result[list_field.tag.lower()] = [object_json(sub_plan, i, ctx, None) for i in items]
    if plan.include_extras and spec.extras is not None:
        result.update({k.lower(): v for k, v in spec.extras(obj).items()})
    return result


def collection_json(
    ctx: ExportContext,
    object_type: ObjectType,
    definition: CollectionDef | None,
    tdl: TdlMessage,
    fetch: Sequence[str] = (),
) -> dict[str, Any]:
    evaluator = make_evaluator(ctx, tdl)
    rows = select_rows(ctx, object_type, definition, tdl, evaluator)
    plan = compile_plan(
        object_type.spec, parse_fetch([*(definition.fetch if definition else []), *fetch])
    )
    type_name = object_type.spec.element.title()
    collection = []
    for row in rows:
        item = object_json(plan, row, ctx, type_name)
        for name, expr in definition.computes if definition else []:
            item["".join(name.split()).lower()] = as_text(evaluator.evaluate(expr, row))
        collection.append(item)
    return {"status": "1", "data": {"collection": collection}}


def object_json_response(
    ctx: ExportContext, object_type: ObjectType, found: Any, fetch: Sequence[str]
) -> dict[str, Any]:
    if found is None:
        return {"status": "1", "data": {"collection": []}}
    plan = compile_plan(object_type.spec, parse_fetch(fetch or ["*"]))
    return {
        "status": "1",
        "data": {"collection": [object_json(plan, found, ctx, object_type.spec.element.title())]},
    }
