"""Reading a Tally answer the way the agent does, from raw bytes, for the bad-input tests.

:func:`read_rows` is the streamed path of ``TallyClient.stream``: byte chunks through
:class:`ResponseDecoder`, the clean chunks into :class:`RowIterator` (the agent's own class),
each completed row through a record converter, then the request-level check on what is left.
:func:`read_import` is the path of ``TallyClient.post`` followed by ``read_import_result``.
Only the socket is left out: the subject is what the parser makes of the bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from tally_agent.client import RowIterator
from tally_agent.errors import (
    CompanyNotOpen,
    TallyError,
    TallyProtocolError,
    TallyRejectedRequest,
)
from tally_agent.protocol.decode import ResponseDecoder
from tally_agent.protocol.records import PARSERS
from tally_agent.protocol.responses import ImportResult, read_import_result
from tally_agent.protocol.xmlstream import RowStream, parse_document

from tests.unit.tally_agent.fixtures import (
    COMPANY_GUID,
    IMPORT_PARTIAL,
    STOCK_EXTRAS,
    envelope,
    ledger,
    stock_item,
)

# What reading an answer may end in besides records: the answer is unreadable or unsafe
# (TallyProtocolError, UnsafeXml), or it is Tally's own refusal, read from its words.
READING_ERRORS: tuple[type[TallyError], ...] = (
    TallyProtocolError,
    TallyRejectedRequest,
    CompanyNotOpen,
)


def voucher_row(number: str = "S-101", master_id: int = 57) -> str:
    """An invoice voucher row (tally-xml.md §3.5), as tests/unit/tally_agent reads it."""
    return (
        f'<VOUCHER REMOTEID="{COMPANY_GUID}-{master_id:08x}" VCHTYPE="Sales">'
        f"<GUID>{COMPANY_GUID}-{master_id:08x}</GUID><MASTERID> {master_id}</MASTERID>"
        '<ALTERID> 442</ALTERID><DATE TYPE="Date">20250415</DATE>'
        f"<VOUCHERTYPENAME>Sales</VOUCHERTYPENAME><VOUCHERNUMBER>{number}</VOUCHERNUMBER>"
        "<PARTYLEDGERNAME>Ram &amp; Sons</PARTYLEDGERNAME><ISCANCELLED>No</ISCANCELLED>"
        "<NARRATION>PO 1 [mlc:1]</NARRATION>"
        "<LEDGERENTRIES.LIST><LEDGERNAME>Ram &amp; Sons</LEDGERNAME>"
        "<ISPARTYLEDGER>Yes</ISPARTYLEDGER><AMOUNT>-1180.00</AMOUNT></LEDGERENTRIES.LIST>"
        "<LEDGERENTRIES.LIST><LEDGERNAME>Output IGST 18%</LEDGERNAME>"
        "<AMOUNT>180.00</AMOUNT></LEDGERENTRIES.LIST></VOUCHER>"
    )


def sample_answers() -> dict[str, tuple[str, str]]:
    """Row tag -> (answer text, what its rows are), one realistic export per kind."""
    items = "".join(
        [
            stock_item("Widget &amp; Co", 300, 301, extra=STOCK_EXTRAS),
            stock_item("राम Lamp", 302, 303, closing="(-)3 Nos", value="450.00"),
            stock_item("ร้าน Box", 304, 305, closing=" 2 Box 5 Nos", base_unit="Box of 10 Nos"),
        ]
    )
    ledgers = ledger("Ram &amp; Sons", "Sundry Debtors", "-1,180.00 Dr") + ledger(
        "Cash", "&#4; Primary", "", master_id=46
    )
    vouchers = voucher_row("S-101", 57) + voucher_row("S-102", 58)
    return {
        "STOCKITEM": (envelope(items), "stock items"),
        "LEDGER": (envelope(ledgers), "ledgers"),
        "VOUCHER": (envelope(vouchers, cmpinfo="<VOUCHER>0</VOUCHER>"), "vouchers"),
    }


SAMPLE_IMPORT = IMPORT_PARTIAL


@dataclass
class Reading:
    """What one read produced: the records converted before it ended, and how it ended."""

    records: list[object] = field(default_factory=list)
    error: TallyError | None = None


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def run_sync(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never waits on anything (our chunk source is in memory), without
    an event loop: the suite's own loop belongs to pytest-asyncio."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    coroutine.close()
    raise AssertionError("the reader waited on something: it was meant to run in memory")


def read_rows(
    data: bytes,
    tag: str,
    *,
    chunk: int = 4096,
    charset: str | None = None,
    convert: Callable[[etree._Element], object] | None = None,
) -> Reading:
    """The streamed path (``TallyClient.stream``) over ``data`` cut into ``chunk``-byte pieces.
    A :class:`TallyError` ends the reading; any other exception escapes to the test."""
    decoder = ResponseDecoder(charset)
    reading = Reading()

    async def pieces() -> AsyncIterator[bytes]:
        for raw in chunked(data, chunk):
            yield raw

    async def read() -> None:  # as TallyClient.stream feeds RowIterator
        rows = RowIterator(decoder.stream(pieces()), RowStream((tag,)), convert or PARSERS[tag])
        try:
            async for record in rows:
                reading.records.append(record)
        except TallyError as exc:
            reading.error = exc

    run_sync(read())
    return reading


def read_import(data: bytes, *, chunk: int = 4096, charset: str | None = None) -> ImportResult:
    """The path of ``TallyClient.post`` and ``read_import_result`` over ``data``."""
    decoder = ResponseDecoder(charset)
    clean = b"".join(decoder.feed(raw) for raw in chunked(data, chunk)) + decoder.close()
    root = parse_document(clean)
    if root is None:
        raise TallyProtocolError("Tally's answer is empty")  # as TallyClient.post says it
    return read_import_result(root)


def assert_explained(error: BaseException) -> None:
    """A refusal of the project's own kind, with words an operator can act on."""
    assert isinstance(error, READING_ERRORS), f"{type(error).__name__}: {error}"
    assert isinstance(error, TallyError)
    message = error.message.strip()
    assert len(message) >= 10, f"{type(error).__name__} says too little: {message!r}"
    assert error.hint.strip()
