"""Reading request XML safely into a small, case-normalised tree.

* The parser never expands entities, loads a DTD or touches the network; a DOCTYPE is
  refused outright (the request then gets `Unknown Request`, tally-xml.md §1.4 E).
* Tally accepts `&#4; Not Applicable` in requests (TMCP's stock-item template writes it,
  §4.8) although XML forbids that reference, so forbidden numeric references are swapped for
  private-use placeholders before parsing and restored afterwards.
* Tag and attribute names are upper-cased (clients write `SVCurrentCompany`, `Action`,
  §4.1) and namespaces dropped (`TALLYMESSAGE xmlns:UDF="TallyUDF"`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_PLACEHOLDER_BASE = 0xF0000  # Supplementary Private Use Area-A: never in real requests
_FORBIDDEN_REF = re.compile(r"&#(x[0-9A-Fa-f]{1,6}|[0-9]{1,7});")
_RESTORE = {chr(_PLACEHOLDER_BASE + cp): chr(cp) for cp in range(32)}
_RESTORE_TABLE = str.maketrans(_RESTORE)


class MalformedRequest(ValueError):
    """The body is not a well-formed, acceptable XML document."""


@dataclass(slots=True)
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def child(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def text_of(self, tag: str) -> str | None:
        found = self.child(tag)
        return found.text if found is not None else None

    def path(self, *tags: str) -> Node | None:
        current: Node | None = self
        for tag in tags:
            if current is None:
                return None
            current = current.child(tag)
        return current

    def attr(self, name: str) -> str | None:
        return self.attrs.get(name)


def _swap_forbidden(match: re.Match[str]) -> str:
    token = match.group(1)
    code = int(token[1:], 16) if token[0] in "xX" else int(token)
    if code < 32 and code not in (9, 10, 13):
        return chr(_PLACEHOLDER_BASE + code)
    return match.group(0)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].upper()


def _restore(text: str | None) -> str:
    return (text or "").translate(_RESTORE_TABLE).strip()


def _convert(element: etree._Element) -> Node:
    children = [_convert(c) for c in element if isinstance(c.tag, str)]
    return Node(
        tag=_local(str(element.tag)),
        attrs={_local(str(k)): _restore(str(v)) for k, v in element.attrib.items()},
        text="" if children else _restore(element.text),
        children=children,
    )


def parse_xml(text: str) -> Node:
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise MalformedRequest("DOCTYPE and entity declarations are refused")
    prepared = _FORBIDDEN_REF.sub(_swap_forbidden, text)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(prepared.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as error:
        raise MalformedRequest(str(error)) from error
    return _convert(root)
