"""One request at a time and the fault knobs of the admin API (tally-xml.md §1.5, §1.6, §10).

No timing assertions: serialisation is read from the request log, whose start and finish
events share one counter.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import UTF16, collection, company, legacy_import, post, receipt


async def _log(client: httpx.AsyncClient, sim: TallySimulator) -> list[dict[str, Any]]:
    return list((await client.get(f"{sim.admin_url}/requests")).json())


async def _wait_for(
    client: httpx.AsyncClient, sim: TallySimulator, predicate: Any
) -> list[dict[str, Any]]:
    for _ in range(500):
        entries = await _log(client, sim)
        if predicate(entries):
            return entries
        await asyncio.sleep(0.01)
    raise AssertionError(f"the request log never matched: {await _log(client, sim)}")


def _assert_serial(entries: list[dict[str, Any]]) -> None:
    done = sorted(
        (e for e in entries if e["finished_order"] is not None), key=lambda e: e["started_order"]
    )
    for entry in done:
        # With one worker nothing else starts or finishes between a request's start and end.
        assert entry["finished_order"] == entry["started_order"] + 1, entries


async def test_concurrent_requests_are_served_one_at_a_time(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.delete(f"{books.admin_url}/requests")
    await client.put(f"{books.admin_url}/faults/latency", json={"ms": 150})
    slow = [
        post(client, books.url, legacy_import(receipt("20250415", f"{n}.00"), "Acme Traders"))
        for n in range(1, 4)
    ]
    answers, liveness = await asyncio.gather(asyncio.gather(*slow), client.get(books.url))
    assert all("<CREATED>1</CREATED>" in a for a in answers)
    assert liveness.status_code == 200  # the liveness GET waited its turn too (§1.5)
    entries = await _log(client, books)
    assert len(entries) == 4
    assert all(e["outcome"] == "served" for e in entries)
    _assert_serial(entries)
    starts = sorted(e["started_order"] for e in entries)
    assert starts == list(range(starts[0], starts[0] + 8, 2))  # start, finish, start, finish...


async def test_busy_holds_the_worker(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    await client.delete(f"{sim.admin_url}/requests")
    busy = await client.post(f"{sim.admin_url}/faults/busy", json={"seconds": 0.3})
    assert busy.json()["busy_for_s"] > 0
    assert (await client.get(sim.url)).status_code == 200
    entries = await _log(client, sim)
    [hold] = [e for e in entries if e["method"] == "BUSY"]
    [get] = [e for e in entries if e["method"] == "GET"]
    assert get["started_order"] > hold["finished_order"]
    _assert_serial(entries)


async def test_hang_accepts_but_answers_nothing_until_cleared(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.delete(f"{sim.admin_url}/requests")
    await client.post(f"{sim.admin_url}/faults/hang")
    first = asyncio.create_task(client.get(sim.url))
    second = asyncio.create_task(
        client.post(
            sim.url, content=collection("Company", "Name").encode("utf-16-le"), headers=UTF16
        )
    )
    entries = await _wait_for(client, sim, lambda log: len(log) == 2)
    assert sorted(e["outcome"] for e in entries) == ["queued", "running"]
    assert not first.done()
    assert not second.done()
    await client.delete(f"{sim.admin_url}/faults/hang")
    assert (await first).status_code == 200
    assert (await second).content.decode("utf-16-le").startswith("<ENVELOPE>")
    _assert_serial(await _log(client, sim))


async def test_crash_mid_response_drops_the_connection_after_doing_the_work(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.post(f"{books.admin_url}/faults/crash", json={"count": 1, "fraction": 0.5})
    body = legacy_import(receipt("20250415", "77.00", remote_id="crash-1"), "Acme Traders").encode(
        "utf-16-le"
    )
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await client.post(books.url, content=body, headers=UTF16)
    vouchers = (await client.get(f"{books.admin_url}/companies/Acme Traders/vouchers")).json()
    assert [v["remote_id"] for v in vouchers] == ["crash-1"]  # Tally did the work anyway
    log = await _log(client, books)
    assert log[-1]["outcome"] == "crashed"
    assert log[-1]["bytes_sent"] > 0
    # The next request is answered normally; the REMOTEID resend upserts.
    again = (await client.post(books.url, content=body, headers=UTF16)).content.decode("utf-16-le")
    assert "<ALTERED>1</ALTERED>" in again


async def test_crash_then_stop_closes_the_port_until_restarted(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.post(f"{sim.admin_url}/faults/crash", json={"count": 1, "then_stop": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await client.post(
            sim.url, content=collection("Company", "Name").encode("utf-16-le"), headers=UTF16
        )
    await _wait_for_state(client, sim, running=False)
    with pytest.raises(httpx.ConnectError):
        await client.get(sim.url)
    await client.post(f"{sim.admin_url}/faults/start")
    assert (await client.get(sim.url)).status_code == 200


async def _wait_for_state(client: httpx.AsyncClient, sim: TallySimulator, running: bool) -> None:
    for _ in range(500):
        if (await client.get(f"{sim.admin_url}/faults")).json()["running"] is running:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the port never changed state")


async def test_not_running_refuses_connections_and_reopens_on_the_same_port(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    url = books.url
    assert (await client.post(f"{books.admin_url}/faults/stop")).json()["running"] is False
    with pytest.raises(httpx.ConnectError):
        await client.get(url)
    with pytest.raises(httpx.ConnectError):
        await client.post(url, content=b"<ENVELOPE/>", headers=UTF16)
    await client.post(f"{books.admin_url}/faults/start")
    assert books.url == url
    text = await post(client, url, collection("Ledger", "Name", company="Acme Traders"))
    assert "Ram &amp; Sons" in text  # the books survived the "restart"


async def test_stop_while_hung_drops_the_waiting_client(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.post(f"{sim.admin_url}/faults/hang")
    waiting = asyncio.create_task(client.get(sim.url))
    await _wait_for(client, sim, lambda log: any(e["outcome"] == "running" for e in log))
    await client.post(f"{sim.admin_url}/faults/stop")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await waiting
    await client.post(f"{sim.admin_url}/faults/start")
    assert (await client.get(sim.url)).status_code == 200  # a restarted Tally has no dialog


async def test_client_timeout_does_not_cancel_the_work(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.put(f"{books.admin_url}/faults/latency", json={"ms": 400})
    body = legacy_import(receipt("20250415", "5.00", remote_id="late-1"), "Acme Traders").encode(
        "utf-16-le"
    )
    with pytest.raises(httpx.TimeoutException):
        await client.post(books.url, content=body, headers=UTF16, timeout=0.05)
    await _wait_for(client, books, lambda log: log and log[-1]["finished_order"] is not None)
    assert company(books, "Acme Traders").find_voucher_by_remote_id("late-1") is not None


async def test_company_closed_and_reopened(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.post(f"{books.admin_url}/companies/Acme Traders/unload")
    closed = await post(
        client, books.url, legacy_import(receipt("20250415", "5.00"), "Acme Traders")
    )
    assert "Could not set &apos;SVCurrentCompany&apos; to &apos;Acme Traders&apos;" in closed
    await client.post(f"{books.admin_url}/companies/Acme Traders/load")
    assert "<CREATED>1</CREATED>" in await post(
        client, books.url, legacy_import(receipt("20250415", "5.00"), "Acme Traders")
    )


async def test_request_log_keeps_what_was_sent(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.delete(f"{books.admin_url}/requests")
    xml = legacy_import(receipt("20250415", "5.00", party="श्री गणेश"), "Acme Traders")
    await post(client, books.url, xml)
    [entry] = await _log(client, books)
    assert entry["body"] == xml
    assert entry["content_type"] == "text/xml;charset=utf-16"
    assert entry["summary"]["kind"] == "import"
    assert entry["summary"]["result"]["exceptions"] == 1
    assert entry["summary"]["line_error"] == "Ledger 'श्री गणेश' does not exist!"
    since = (await client.get(f"{books.admin_url}/requests", params={"since": entry["seq"]})).json()
    assert since == []


async def test_clearing_all_faults(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    await client.put(f"{sim.admin_url}/faults/latency", json={"ms": 5})
    await client.post(f"{sim.admin_url}/faults/crash", json={"count": 3})
    await client.post(f"{sim.admin_url}/faults/stop")
    cleared = (await client.delete(f"{sim.admin_url}/faults")).json()
    assert cleared["latency_ms"] == 0
    assert cleared["crash"]["remaining"] == 0
    assert cleared["running"] is True
    assert (await client.get(sim.url)).status_code == 200
