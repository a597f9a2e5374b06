"""Company selection rules of tally-xml.md §1.7 and the optional password profile (§6)."""

from __future__ import annotations

import httpx
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import (
    collection,
    company,
    counters,
    ledger,
    legacy_import,
    parse,
    post,
    rows,
    v1_import,
)

NOT_SET = "Could not set 'SVCurrentCompany' to '{}'"


def _day_book(company: str | None) -> str:
    company_tag = f"<SVCURRENTCOMPANY>{company}</SVCURRENTCOMPANY>" if company else ""
    return (
        "<ENVELOPE><HEADER><TALLYREQUEST>Export Data</TALLYREQUEST></HEADER><BODY><EXPORTDATA><REQUESTDESC>"
        f"<REPORTNAME>Day Book</REPORTNAME><STATICVARIABLES>{company_tag}</STATICVARIABLES>"
        "</REQUESTDESC></EXPORTDATA></BODY></ENVELOPE>"
    )


async def _ledgers(client: httpx.AsyncClient, url: str, company: str | None) -> list[str]:
    text = await post(client, url, collection("Ledger", "Name", company=company))
    assert parse(text).findtext("HEADER/STATUS") == "1"
    return sorted(str(r.get("NAME")) for r in rows(text, "LEDGER"))


async def test_omitted_company_reads_and_writes_the_active_company(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(companies=["First Co", "Second Co"])
    created = counters(
        await post(
            client, sim.url, v1_import(ledger("Written Here", "Sundry Debtors"), id_="All Masters")
        )
    )
    assert created["created"] == 1
    assert company(sim, "First Co").ledgers.get("Written Here") is not None
    assert company(sim, "Second Co").ledgers.get("Written Here") is None
    await client.post(f"{sim.admin_url}/companies/Second Co/activate")
    assert "Written Here" not in await _ledgers(client, sim.url, None)
    assert "Written Here" in await _ledgers(client, sim.url, "First Co")


async def test_names_match_case_insensitively_and_trimmed(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    assert "Cash" in await _ledgers(client, sim.url, "  acme   TRADERS ")


async def test_unknown_company_fails_writes_and_reports(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    write = counters(
        await post(
            client, sim.url, legacy_import(ledger("X", "Sundry Debtors"), "Ghost Co", "All Masters")
        )
    )
    assert write["created"] == 0
    assert write["lineerror"] == NOT_SET.format("Ghost Co")
    report = parse(await post(client, sim.url, _day_book("Ghost Co")))
    assert report.findtext("LINEERROR") == NOT_SET.format("Ghost Co")


async def test_unknown_company_collection_read_is_empty_with_status_one(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    assert await _ledgers(client, sim.url, "Ghost Co") == []
    sim.settings.unknown_company_reads = "error"
    text = await post(client, sim.url, collection("Ledger", "Name", company="Ghost Co"))
    assert parse(text).findtext("LINEERROR") == NOT_SET.format("Ghost Co")


async def test_company_collection_ignores_svcurrentcompany(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(companies=["First Co", "Second Co", "Closed Co"])
    await client.post(f"{sim.admin_url}/companies/Closed Co/unload")
    text = await post(client, sim.url, collection("Company", "Name,GUID", company="First Co"))
    assert [r.get("NAME") for r in rows(text, "COMPANY")] == ["First Co", "Second Co"]
    builtin = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Collection</TYPE>"
        "<ID>List of Companies</ID></HEADER><BODY><DESC><STATICVARIABLES><SVCURRENTCOMPANY>Ghost</SVCURRENTCOMPANY>"
        "</STATICVARIABLES></DESC></BODY></ENVELOPE>"
    )
    assert [r.get("NAME") for r in rows(await post(client, sim.url, builtin), "COMPANY")] == [
        "First Co",
        "Second Co",
    ]


async def test_unloaded_company_is_not_selectable(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.post(f"{sim.admin_url}/companies/Acme Traders/unload")
    report = parse(await post(client, sim.url, _day_book("Acme Traders")))
    assert report.findtext("LINEERROR") == NOT_SET.format("Acme Traders")
    # Nothing loaded and no name: the short form of the error (§1.4 F).
    short = parse(await post(client, sim.url, _day_book(None)))
    assert short.findtext("LINEERROR") == "Could not set 'SVCurrentCompany'"
    await client.post(f"{sim.admin_url}/companies/Acme Traders/load")
    assert parse(await post(client, sim.url, _day_book("Acme Traders"))).find("LINEERROR") is None


async def test_password_profile_requires_svusername_and_svpassword(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    answer = await client.put(
        f"{sim.admin_url}/companies/Acme Traders/password",
        json={"username": "owner", "password": "s3cret"},
    )
    assert answer.json()["password_protected"] is True
    refused = counters(
        await post(
            client,
            sim.url,
            legacy_import(ledger("Locked", "Sundry Debtors"), "Acme Traders", "All Masters"),
        )
    )
    assert refused["created"] == 0
    assert refused["lineerror"] == NOT_SET.format("Acme Traders")
    wrong = counters(
        await post(
            client,
            sim.url,
            legacy_import(
                ledger("Locked", "Sundry Debtors"),
                "Acme Traders",
                "All Masters",
                svusername="owner",
                svpassword="nope",
            ),
        )
    )
    assert wrong["created"] == 0
    right = counters(
        await post(
            client,
            sim.url,
            legacy_import(
                ledger("Locked", "Sundry Debtors"),
                "Acme Traders",
                "All Masters",
                svusername="OWNER",
                svpassword="s3cret",
            ),
        )
    )
    assert right["created"] == 1
    logged = (await client.get(f"{sim.admin_url}/requests")).json()[-1]["body"]
    assert "<SVPASSWORD>***</SVPASSWORD>" in logged
    assert "s3cret" not in logged
    await client.delete(f"{sim.admin_url}/companies/Acme Traders/password")
    assert "Locked" in await _ledgers(client, sim.url, "Acme Traders")


async def test_company_guid_prefixes_every_master_guid(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(client, sim.url, collection("Group", "GUID,MasterId", company="Acme Traders"))
    acme = company(sim)
    groups = rows(text, "GROUP")
    assert len(groups) == 28
    assert all(str(g.findtext("GUID")).startswith(acme.guid + "-") for g in groups)
