"""Describing and rendering exported objects.

An `ObjectSpec` lists an object type's fields in output order, each with its TDL `TYPE`
(`String`, `Amount`, `Quantity`, `Rate`, `Date`, `Logical`, `Number`; tally-xml.md §3.2) and
a getter. The same getters answer `$Method` in TDL expressions.

`FETCH` picks fields (tally-xml.md §2.2, §3.2): names are matched case-insensitively against
tags, `*` fetches everything, `LIST.FIELD` fetches one field of a sub-list, `LIST.*` the whole
sub-list, and deeper paths return nothing (§3.2: "two levels return nothing"). Fields marked
`default` are written whatever the FETCH, as Tally adds metadata fields regardless of it (§3.2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from tally_sim.model.values import Quantity, Rate
from tally_sim.wire.xmlout import (
    CRLF,
    attr,
    escape,
    fmt_amount,
    fmt_date,
    fmt_logical,
    fmt_number,
    fmt_number_text,
    fmt_quantity,
    fmt_rate,
    indent,
)

TdlType = Literal["String", "Amount", "Quantity", "Rate", "Date", "Logical", "Number"]
Getter = Callable[[Any, Any], object]


@dataclass(frozen=True)
class Scalar:
    tag: str
    kind: TdlType
    get: Getter
    default: bool = False
    render: bool = True  # False: answers `$Method` only


@dataclass(frozen=True)
class ListField:
    tag: str  # written as `<TAG.LIST>`
    get: Callable[[Any, Any], Sequence[Any]]
    spec: ObjectSpec | None = None  # None: a simple-value list, `<TAG.LIST TYPE="String">`
    item_tag: str = ""
    kind: TdlType = "String"
    default: bool = False


@dataclass
class ObjectSpec:
    element: str
    fields: list[Scalar | ListField]
    attrs: Callable[[Any, Any, bool], list[tuple[str, str]]] | None = None
    extras: Callable[[Any], dict[str, str]] | None = None
    by_tag: dict[str, Scalar | ListField] = field(init=False)

    def __post_init__(self) -> None:
        self.by_tag = {f.tag: f for f in self.fields}

    def method(self, obj: Any, name: str, ctx: Any) -> object:
        found = self.by_tag.get(name.upper().replace(" ", ""))
        if isinstance(found, Scalar):
            return found.get(obj, ctx)
        if isinstance(found, ListField):
            items = found.get(obj, ctx)
            return items[0] if found.spec is None and items else None
        if self.extras is not None:
            return self.extras(obj).get(name.upper())
        return None


@dataclass
class Selection:
    everything: bool = False
    names: set[str] = field(default_factory=set)
    nested: dict[str, Selection] = field(default_factory=dict)

    def includes(self, tag: str) -> bool:
        return self.everything or tag in self.names

    def sub(self, tag: str) -> Selection | None:
        if self.everything or tag in self.names:
            return Selection(everything=True)
        return self.nested.get(tag)


def parse_fetch(names: Sequence[str]) -> Selection:
    selection = Selection()
    for raw in names:
        name = raw.strip().upper().replace(" ", "")
        if not name:
            continue
        if name == "*":
            selection.everything = True
            continue
        parts = name.split(".")
        if len(parts) == 1:
            selection.names.add(parts[0])
        elif len(parts) == 2:
            nested = selection.nested.setdefault(parts[0], Selection())
            if parts[1] == "*":
                nested.everything = True
            else:
                nested.names.add(parts[1])
    return selection


def format_raw(kind: TdlType, value: object) -> str:
    """A value in Tally's text form, not yet XML-escaped."""
    if kind == "Amount":
        return fmt_amount(value if isinstance(value, Decimal) else None)
    if kind == "Quantity":
        return fmt_quantity(value if isinstance(value, Quantity) else None)
    if kind == "Rate":
        return fmt_rate(value if isinstance(value, Rate) else None)
    if kind == "Date":
        return fmt_date(value if isinstance(value, date) else None)
    if kind == "Logical":
        return fmt_logical(value if isinstance(value, bool) else None)
    if kind == "Number":
        if isinstance(value, Decimal):
            return " " + fmt_number_text(value)
        return fmt_number(value if isinstance(value, int) else None)
    return "" if value is None else str(value)


def format_value(kind: TdlType, value: object) -> str:
    return escape(format_raw(kind, value))


@dataclass
class Plan:
    spec: ObjectSpec
    steps: list[Scalar | tuple[ListField, Plan | None]]
    include_extras: bool


def compile_plan(spec: ObjectSpec, selection: Selection) -> Plan:
    """Decide once per request which fields are written, in the spec's order."""
    steps: list[Scalar | tuple[ListField, Plan | None]] = []
    for f in spec.fields:
        if isinstance(f, Scalar):
            if f.render and (f.default or selection.includes(f.tag)):
                steps.append(f)
            continue
        sub = selection.sub(f.tag)
        if sub is None and f.default:
            sub = Selection(everything=True)
        if sub is not None:
            steps.append((f, compile_plan(f.spec, sub) if f.spec is not None else None))
    return Plan(spec, steps, include_extras=selection.everything)


def render(
    plan: Plan,
    obj: Any,
    ctx: Any,
    depth: int,
    *,
    typed: bool = True,
    interchange: bool = False,
    element: str | None = None,
    computed: Sequence[tuple[str, str, str]] = (),
) -> str:
    """One object as XML. `typed=False` writes plain tags without TYPE attributes, the
    data-interchange form of built-in report exports (tally-xml.md §2.1, QUIRKS #7).
    `computed` holds (tag, TYPE, already-formatted text) for COMPUTE results."""
    spec = plan.spec
    tag_name = element or spec.element
    pad = indent(depth)
    inner = indent(depth + 1)
    pairs = spec.attrs(obj, ctx, interchange) if spec.attrs else []
    out = [f"{pad}<{tag_name}{''.join(attr(k, v) for k, v in pairs)}>{CRLF}"]
    for step in plan.steps:
        if isinstance(step, Scalar):
            text = format_value(step.kind, step.get(obj, ctx))
            type_attr = f' TYPE="{step.kind}"' if typed else ""
            out.append(f"{inner}<{step.tag}{type_attr}>{text}</{step.tag}>{CRLF}")
            continue
        list_field, sub_plan = step
        items = list_field.get(obj, ctx)
        if items:
            out.append(
                _render_list(list_field, sub_plan, items, ctx, depth + 1, typed, interchange)
            )
    if plan.include_extras and spec.extras is not None:
        for tag, value in spec.extras(obj).items():
            type_attr = ' TYPE="String"' if typed else ""
            out.append(f"{inner}<{tag}{type_attr}>{escape(value)}</{tag}>{CRLF}")
    for tag, kind, text in computed:
        type_attr = f' TYPE="{kind}"' if typed and kind else ""
        out.append(f"{inner}<{tag}{type_attr}>{text}</{tag}>{CRLF}")
    out.append(f"{pad}</{tag_name}>{CRLF}")
    return "".join(out)


def _render_list(
    list_field: ListField,
    sub_plan: Plan | None,
    items: Sequence[Any],
    ctx: Any,
    depth: int,
    typed: bool,
    interchange: bool,
) -> str:
    pad = indent(depth)
    tag = f"{list_field.tag}.LIST"
    if sub_plan is None:
        type_attr = f' TYPE="{list_field.kind}"' if typed else ""
        inner = indent(depth + 1)
        item_tag = list_field.item_tag
        body = "".join(
            f"{inner}<{item_tag}>{format_value(list_field.kind, item)}</{item_tag}>{CRLF}"
            for item in items
        )
        return f"{pad}<{tag}{type_attr}>{CRLF}{body}{pad}</{tag}>{CRLF}"
    return "".join(
        render(sub_plan, item, ctx, depth, typed=typed, interchange=interchange, element=tag)
        for item in items
    )
