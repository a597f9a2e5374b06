"""100,000 stock items: generated through the admin API and exported as one streamed
collection response (tally-xml.md §7.7: no size cap, clients must stream)."""

from __future__ import annotations

import codecs

import httpx
from lxml import etree
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import UTF16, collection

COUNT = 100_000


async def test_hundred_thousand_stock_items_stream_out(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    generated = await client.post(
        f"{sim.admin_url}/companies/Acme Traders/stock-items/generate", json={"count": COUNT}
    )
    assert generated.json() == {"created": COUNT}
    request = collection("StockItem", "GUID,ClosingBalance", company="Acme Traders").encode(
        "utf-16-le"
    )
    decoder = codecs.getincrementaldecoder("utf-16-le")()
    parser = etree.XMLPullParser(events=("end",), tag="STOCKITEM")
    rows = 0
    cmpinfo = None
    async with client.stream("POST", sim.url, content=request, headers=UTF16) as response:
        assert response.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in response.headers
        async for chunk in response.aiter_raw():
            parser.feed(decoder.decode(chunk))
            for _, element in parser.read_events():
                assert isinstance(element, etree._Element)
                if element.get("NAME") is None:
                    cmpinfo = element.text  # the CMPINFO counter shares the row tag (§3.2)
                else:
                    rows += 1
                    assert element.findtext("GUID")
                element.clear()
    parser.close()
    assert rows == COUNT
    assert cmpinfo == str(COUNT)
