"""Inline TDL definitions carried in `DESC > TDL > TDLMESSAGE` (tally-xml.md §2.2).

Collections: `TYPE`, `FETCH` / `NATIVEMETHOD` (comma lists), `COMPUTE` (`Name : expr`),
`FILTER` / `FILTERS` (names of `SYSTEM TYPE="Formulae"`), `CHILDOF`, `BELONGSTO`, `BY`,
`AGGRCOMPUTE`. Reports: `REPORT(FORMS) > FORM(PARTS) > PART(LINES, REPEAT, SCROLLED) >
LINE(FIELDS, XMLTAG) > FIELD(SET, XMLTAG)`. Other attributes (`SOURCECOLLECTION`, `WALK`,
`ISMODIFY`, ...) are accepted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tally_sim.wire.xmlin import Node


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def split_pair(text: str) -> tuple[str, str]:
    """`Name : expression` -> (name, expression)."""
    name, _, expr = text.partition(":")
    return name.strip(), expr.strip()


@dataclass
class CollectionDef:
    name: str
    type: str | None = None
    fetch: list[str] = field(default_factory=list)
    computes: list[tuple[str, str]] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    child_of: str | None = None
    belongs_to: bool = False
    by: list[tuple[str, str]] = field(default_factory=list)
    aggregates: list[tuple[str, str, str]] = field(default_factory=list)  # name, op, expr


@dataclass
class FieldDef:
    name: str
    set_expr: str = ""
    xml_tag: str | None = None


@dataclass
class LineDef:
    name: str
    fields: list[str] = field(default_factory=list)
    xml_tag: str | None = None


@dataclass
class PartDef:
    name: str
    lines: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    repeat: tuple[str, str] | None = None  # (line, collection)
    scrolled: bool = False
    xml_tag: str | None = None


@dataclass
class FormDef:
    name: str
    parts: list[str] = field(default_factory=list)
    xml_tag: str | None = None


@dataclass
class ReportDef:
    name: str
    forms: list[str] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)
    sets: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TdlMessage:
    collections: dict[str, CollectionDef] = field(default_factory=dict)
    formulae: dict[str, str] = field(default_factory=dict)
    reports: dict[str, ReportDef] = field(default_factory=dict)
    forms: dict[str, FormDef] = field(default_factory=dict)
    parts: dict[str, PartDef] = field(default_factory=dict)
    lines: dict[str, LineDef] = field(default_factory=dict)
    fields: dict[str, FieldDef] = field(default_factory=dict)

    def collection(self, name: str) -> CollectionDef | None:
        return self.collections.get(name.casefold())

    def formula(self, name: str) -> str | None:
        return self.formulae.get(name.casefold())


def _flat(texts: list[str]) -> list[str]:
    return [item for text in texts for item in split_list(text)]


def _texts(node: Node, tag: str) -> list[str]:
    return [c.text for c in node.all(tag)]


def _collection(node: Node, name: str) -> CollectionDef:
    definition = CollectionDef(name=name, type=node.text_of("TYPE"))
    for text in _texts(node, "FETCH") + _texts(node, "NATIVEMETHOD"):
        definition.fetch.extend(split_list(text))
    for text in _texts(node, "COMPUTE"):
        definition.computes.append(split_pair(text))
    for text in _texts(node, "FILTER") + _texts(node, "FILTERS"):
        definition.filters.extend(split_list(text))
    definition.child_of = node.text_of("CHILDOF")
    definition.belongs_to = (node.text_of("BELONGSTO") or "").strip().casefold() == "yes"
    for text in _texts(node, "BY"):
        definition.by.append(split_pair(text))
    for text in _texts(node, "AGGRCOMPUTE"):
        label, _, rest = text.partition(":")
        op, _, expr = rest.partition(":")
        definition.aggregates.append((label.strip(), op.strip().upper(), expr.strip()))
    return definition


def parse_tdl(tdl: Node | None) -> TdlMessage:
    message = TdlMessage()
    if tdl is None:
        return message
    containers = tdl.all("TDLMESSAGE") or [tdl]
    for container in containers:
        for node in container.children:
            name = node.attrs.get("NAME", "")
            key = name.casefold()
            if node.tag == "COLLECTION":
                message.collections[key] = _collection(node, name)
            elif node.tag == "SYSTEM":
                message.formulae[key] = node.text
            elif node.tag == "REPORT":
                message.reports[key] = ReportDef(
                    name=name,
                    forms=_flat(_texts(node, "FORMS")),
                    uses=_texts(node, "USE"),
                    sets=[split_pair(t) for t in _texts(node, "SET")],
                )
            elif node.tag == "FORM":
                parts = _texts(node, "PARTS") + _texts(node, "TOPPARTS")
                message.forms[key] = FormDef(
                    name=name,
                    parts=_flat(parts),
                    xml_tag=node.text_of("XMLTAG"),
                )
            elif node.tag == "PART":
                message.parts[key] = _part(node, name)
            elif node.tag == "LINE":
                fields = _texts(node, "FIELDS") + _texts(node, "LEFTFIELDS")
                fields += _texts(node, "RIGHTFIELDS")
                message.lines[key] = LineDef(
                    name=name,
                    fields=_flat(fields),
                    xml_tag=node.text_of("XMLTAG"),
                )
            elif node.tag == "FIELD":
                message.fields[key] = FieldDef(
                    name=name, set_expr=node.text_of("SET") or "", xml_tag=node.text_of("XMLTAG")
                )
    return message


def _part(node: Node, name: str) -> PartDef:
    lines = _texts(node, "LINES") + _texts(node, "TOPLINES")
    parts = _texts(node, "PARTS") + _texts(node, "TOPPARTS")
    repeat_text = node.text_of("REPEAT")
    repeat = split_pair(repeat_text) if repeat_text else None
    return PartDef(
        name=name,
        lines=_flat(lines),
        parts=_flat(parts),
        repeat=repeat,
        scrolled=(node.text_of("SCROLLED") or "").strip().casefold() == "vertical",
        xml_tag=node.text_of("XMLTAG"),
    )
