"""Typed access to the fields of one exported row (tally-xml.md §3.2).

A row's children are indexed in one C-level pass (tag -> element) and texts are read only
when asked for: a 100,000-item export reads each field once, with no tree search per field
(bench/tally_export.py measures the cost). Errors name the row and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from lxml import etree

from tally_agent.errors import TallyProtocolError
from tally_agent.protocol import values
from tally_agent.protocol.decode import SYSTEM_MARK

T = TypeVar("T")
TOP_LEVEL = f"{SYSTEM_MARK}Primary"


def user_text(value: str | None) -> str | None:
    """Text where a system value means "none" (``&#4; Not Applicable``, §3.2)."""
    if not value or value.lstrip().startswith(SYSTEM_MARK):
        return None
    return value.strip() or None


class Row:
    __slots__ = ("_name", "children", "element", "kind", "repeats")

    def __init__(self, element: etree._Element, kind: str, name: str | None = None) -> None:
        self.element = element
        self.kind = kind
        self._name = name
        # One C-level pass, texts read only when asked for. A tag that occurs more than
        # once (several *.LIST entries) keeps its last child here; :meth:`elements` then
        # asks lxml for all of them. Tags are strings: comments and processing instructions
        # are dropped by the parser, and with no DTD allowed no entity can be defined.
        self.children: dict[str, etree._Element] = {c.tag: c for c in element}
        self.repeats = len(self.children) != len(element)

    @property
    def name(self) -> str:
        """The ``NAME`` attribute (escaped by Tally, §1.1), else the inner NAME; vouchers,
        which have none, are named by number or GUID."""
        if self._name is None:
            found = (
                self.element.get("NAME")
                or self.raw("NAME")
                or self.element.findtext("LANGUAGENAME.LIST/NAME.LIST/NAME")
                or self.raw("VOUCHERNUMBER")
                or self.raw("GUID")
                or ""
            )
            self._name = found.replace(SYSTEM_MARK, "").strip()
        return self._name

    def elements(self, tag: str) -> list[etree._Element]:
        """Every child called ``tag`` (e.g. each ``BATCHALLOCATIONS.LIST``), in order."""
        if self.repeats:
            return list(self.element.iterchildren(tag))
        child = self.children.get(tag)
        return [] if child is None else [child]

    def sub_rows(self, tag: str, kind: str) -> list[Row]:
        return [Row(child, f"{self.kind} {kind}", self.name) for child in self.elements(tag)]

    def sub_fields(self, tag: str) -> list[dict[str, str | None]]:
        """The fields of each ``tag`` child as plain dicts (the hot path of big exports;
        read them with :meth:`parse` so errors still name the row)."""
        return [{c.tag: c.text for c in child} for child in self.elements(tag)]

    def parse(self, where: str, text: str | None, reader: Callable[[str | None], T]) -> T:
        try:
            return reader(text)
        except (ValueError, ArithmeticError) as exc:  # decimal's signals too
            raise TallyProtocolError(f"{self.kind} {self.name!r}, {where}: {exc}") from None

    def raw(self, tag: str) -> str | None:
        child = self.children.get(tag)
        return None if child is None else child.text

    def read(self, tag: str, reader: Callable[[str | None], T]) -> T:
        try:
            return reader(self.raw(tag))
        except (ValueError, ArithmeticError) as exc:  # decimal's signals too
            raise TallyProtocolError(f"{self.kind} {self.name!r}, field {tag}: {exc}") from None

    def text(self, tag: str) -> str | None:
        """A string field; a system value keeps its words (``&#4; Applicable`` -> Applicable)."""
        value = self.raw(tag)
        if not value:
            return None
        if SYSTEM_MARK in value:
            value = value.replace(SYSTEM_MARK, "")
        return value.strip() or None

    def user_text(self, tag: str) -> str | None:
        """A string field where a system value means "none" (``&#4; Not Applicable``)."""
        return user_text(self.raw(tag))

    def parent(self) -> str | None:
        """None at top level: Tally's ``&#4; Primary`` (§3.2) or an empty parent."""
        value = self.raw("PARENT")
        if value is None or value.strip() in ("", TOP_LEVEL):
            return None
        return self.text("PARENT")

    def required_text(self, tag: str) -> str:
        value = self.text(tag)
        if value is None:
            raise TallyProtocolError(f"{self.kind} {self.name!r} has no {tag}")
        return value

    def number(self, tag: str) -> int:
        value = self.read(tag, values.parse_number)
        if value is None:
            raise TallyProtocolError(f"{self.kind} {self.name!r} has no {tag}")
        return value

    def optional_number(self, tag: str) -> int | None:
        return self.read(tag, values.parse_number)

    def amount(self, tag: str) -> Decimal | None:
        return self.read(tag, values.parse_amount)

    def day(self, tag: str) -> date | None:
        return self.read(tag, values.parse_date)

    def logical(self, tag: str) -> bool | None:
        return self.read(tag, values.parse_logical)

    def aliases(self) -> tuple[str, ...]:
        """``LANGUAGENAME.LIST > NAME.LIST > NAME``: the first is the name, the rest aliases."""
        names: list[str] = []
        for language in self.elements("LANGUAGENAME.LIST"):
            for name_list in language:
                if name_list.tag != "NAME.LIST":
                    continue
                for name in name_list:
                    text = (name.text or "").strip()
                    if name.tag == "NAME" and text:
                        names.append(text)
        if len(names) < 2:
            return ()
        return tuple(n for n in names[1:] if n != self.name)
