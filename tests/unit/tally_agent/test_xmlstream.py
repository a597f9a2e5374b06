"""The hardened streaming reader (tally-xml.md §3.2; XML bombs and external entities)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tally_agent.client import RowIterator
from tally_agent.errors import TallyProtocolError, UnsafeXml
from tally_agent.protocol.decode import ResponseDecoder
from tally_agent.protocol.xmlstream import RowStream, parse_document

from tests.unit.tally_agent.fixtures import envelope, stock_item, utf16


def rows_of(data: bytes, tags: tuple[str, ...], size: int = 4096) -> list[str]:
    decoder, stream = ResponseDecoder(), RowStream(tags)
    names: list[str] = []
    for i in range(0, len(data), size):
        names += [row.get("NAME") or "" for row in stream.feed(decoder.feed(data[i : i + size]))]
    names += [row.get("NAME") or "" for row in stream.feed(decoder.close())]
    _root, rest = stream.close()
    return names + [row.get("NAME") or "" for row in rest]


def test_cmpinfo_counters_named_like_rows_are_not_rows() -> None:
    # CMPINFO carries <STOCKITEM>0</STOCKITEM> in DESC (§3.2, BRIDGE §12.7).
    data = utf16(
        envelope(stock_item("A", 1, 2) + stock_item("B", 3, 4), cmpinfo="<STOCKITEM>2</STOCKITEM>")
    )
    assert rows_of(data, ("STOCKITEM",)) == ["A", "B"]


def test_rows_leave_the_tree_once_read() -> None:
    data = utf16(envelope("".join(stock_item(f"I{n}", n, n) for n in range(1, 50))))
    decoder, stream = ResponseDecoder(), RowStream(("STOCKITEM",))
    seen = 0
    for start in range(0, len(data), 600):  # rows arrive a few at a time, as from a socket
        for row in stream.feed(decoder.feed(data[start : start + 600])):
            seen += 1
            parent = row.getparent()
            assert parent is not None
            assert len(parent) <= 2  # earlier rows are gone: memory stays flat
    seen += len(list(stream.feed(decoder.close())))
    root, rest = stream.close()
    seen += len(rest)
    assert seen == 49
    collection = root.find("BODY/DATA/COLLECTION")
    assert collection is not None
    assert len(collection) == 0


def test_entities_are_never_expanded_even_past_the_decoder() -> None:
    # The decoder refuses DTDs; the parser itself is configured not to expand either.
    bomb = (
        '<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]><a><b>&y;</b></a>'
    )
    root = parse_document(bomb)
    assert "xxxxxxxxxx" not in "".join(str(t) for t in root.itertext())


def test_external_entity_is_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = f'<!DOCTYPE a [<!ENTITY e SYSTEM "{secret.as_uri()}">]><a>&e;</a>'
    root = parse_document(xxe)
    assert "TOP-SECRET" not in "".join(str(t) for t in root.itertext())


def test_not_xml_is_a_protocol_error() -> None:
    with pytest.raises(TallyProtocolError, match="not well-formed"):
        list(RowStream(("STOCKITEM",)).feed("<ENVELOPE><BODY></ENVELOPE>"))
    with pytest.raises(TallyProtocolError):
        parse_document("<RESPONSE>")


async def test_a_bomb_arriving_in_chunks_is_refused_before_parsing() -> None:
    """The client's streaming path (RowIterator over byte chunks) refuses a DTD early."""
    bomb = (
        '<!DOCTYPE ENVELOPE [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<ENVELOPE><BODY><DATA><COLLECTION><STOCKITEM NAME="&b;"/></COLLECTION></DATA>'
        "</BODY></ENVELOPE>"
    ).encode("utf-16-le")
    decoder = ResponseDecoder("utf-16")

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(bomb), 7):
            yield decoder.feed(bomb[start : start + 7])
        yield decoder.close()

    rows = RowIterator(chunks(), RowStream(("STOCKITEM",)), lambda row: row.get("NAME"))
    with pytest.raises(UnsafeXml):
        _ = [name async for name in rows]
