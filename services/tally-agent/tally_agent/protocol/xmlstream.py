"""A hardened, streaming XML reader for Tally answers.

lxml's pull parser is configured so that nothing in an answer can make it fetch or expand
anything: ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``,
``huge_tree=False`` (libxml2's size and depth limits stay on). DOCTYPE/ENTITY declarations
never reach it (:mod:`.decode` refuses them), so XML bombs and external entities are refused
twice over. It reads the UTF-8 bytes :mod:`.decode` produces (``encoding="UTF-8"`` also
overrides any encoding an XML declaration claims: the bytes were re-encoded).

Rows are handed out one at a time as they complete and then removed from the tree, so a
100,000-item export never exists whole in memory. A row is an element with one of the
requested tags whose parent is a row container: ``COLLECTION`` (shape A), ``TALLYMESSAGE``
or ``DATA``. The ``CMPINFO`` counters in ``DESC`` use the same tag names as the rows
(``<STOCKITEM>0</STOCKITEM>``, §3.2, BRIDGE §12.7) and are therefore never mistaken for rows.
"""

from __future__ import annotations

from typing import cast

from lxml import etree

from tally_agent.errors import TallyProtocolError

ROW_CONTAINERS = frozenset({"COLLECTION", "TALLYMESSAGE", "DATA"})


def hardened_pull_parser(tags: tuple[str, ...] | None) -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("end",),
        tag=tags,
        encoding="UTF-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,  # indentation between tags: nodes nobody reads
        remove_comments=True,
        remove_pis=True,
    )


def _utf8(data: bytes | str) -> bytes:
    """Clean UTF-8 from :class:`.decode.ResponseDecoder`; text (requests we build, tests) is
    encoded the same way, so the parser always reads one encoding."""
    return data.encode("utf-8") if isinstance(data, str) else data


class RowStream:
    """Feed clean UTF-8 (or text), get back the rows it completed; ``close()`` returns what is left of
    the document (envelope, header, status, line errors) for the caller to judge.

    Rows handed out stay valid until the next ``feed``/``close``, which first drops them
    from the tree (one slice deletion for the whole batch)."""

    def __init__(self, row_tags: tuple[str, ...]) -> None:
        self._parser = hardened_pull_parser(row_tags)
        self._container: etree._Element | None = None
        self._read: etree._Element | None = None  # the last row handed out

    def feed(self, data: bytes | str) -> list[etree._Element]:
        self._prune()
        if not data:
            return []
        try:
            self._parser.feed(_utf8(data))
        except etree.XMLSyntaxError as exc:
            raise TallyProtocolError(f"Tally's answer is not well-formed XML: {exc}") from None
        return self._rows()

    def close(self) -> tuple[etree._Element, list[etree._Element]]:
        """The remaining document root, and any rows completed by the final chunk."""
        self._prune()
        try:
            root = self._parser.close()
        except etree.XMLSyntaxError as exc:
            raise TallyProtocolError(f"Tally's answer is not well-formed XML: {exc}") from None
        return root, self._rows()

    def _rows(self) -> list[etree._Element]:
        rows: list[etree._Element] = []
        container = self._container
        for _event, item in self._parser.read_events():
            element = cast(etree._Element, item)  # "end" events carry elements
            parent = element.getparent()
            if parent is None:
                continue
            if parent is not container:  # lxml hands back the same proxy for the same node
                if parent.tag not in ROW_CONTAINERS:
                    continue
                container = self._container = parent
            rows.append(element)
        if rows:
            self._read = rows[-1]
        return rows

    def _prune(self) -> None:
        """Drop every completed row up to the last one handed out (only completed elements
        are touched: the parser may be inside the next row), so memory stays flat."""
        last, self._read = self._read, None
        if last is not None:
            parent = last.getparent()
            if parent is not None:
                del parent[: parent.index(last) + 1]


def parse_document(data: bytes | str) -> etree._Element:
    """A whole small answer (import results, function results) with the same hardening."""
    parser = hardened_pull_parser(None)
    try:
        parser.feed(_utf8(data))
        return parser.close()
    except etree.XMLSyntaxError as exc:
        raise TallyProtocolError(f"Tally's answer is not well-formed XML: {exc}") from None
