"""TallyPrime 7 JSON exchange keyed off headers (tally-xml.md §8)."""

from __future__ import annotations

import json

import httpx
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import company

JSON = {"Content-Type": "application/json", "version": "1"}


async def test_json_ledger_create_answers_import_result(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    body = {
        "static_variables": [
            {"name": "svMstImportFormat", "value": "jsonex"},
            {"name": "svCurrentCompany", "value": "Acme Traders"},
        ],
        "tallymessage": [
            {
                "metadata": {"type": "Ledger", "action": "create", "name": "Bank Of Baroda"},
                "name": "Bank Of Baroda",
                "parent": "Bank Accounts",
                "ledgermobile": "9999900000",
                "address": ["1 MG Road", "Pune"],
            }
        ],
    }
    headers = {**JSON, "tallyrequest": "Import", "type": "Data", "id": "All Masters"}
    response = await client.post(sim.url, content=json.dumps(body), headers=headers)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "status": "1",
        "data": {
            "import_result": {
                "created": 1, "altered": 0, "deleted": 0, "lastvchid": 0, "lastmid": 0,
                "combined": 0, "ignored": 0, "errors": 0, "cancelled": 0, "exceptions": 0,
            }
        },
    }  # fmt: skip
    ledger = company(sim, "Acme Traders").ledgers.get("Bank Of Baroda")
    assert ledger is not None
    assert ledger.mobile == "9999900000"
    assert ledger.address == ["1 MG Road", "Pune"]


async def test_json_collection_export_with_tdl_definitions(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    body = {
        "static_variables": [
            {"name": "svExportFormat", "value": "jsonex"},
            {"name": "svCurrentCompany", "value": "Acme Traders"},
        ],
        "tdlmessage": [
            {
                "definitions": [
                    {
                        "metadata": {"name": "TSPLLedgers", "type": "Collection"},
                        "attributes": [
                            {"Type": "Ledger"},
                            {"Native Method": "Name, Parent, GUID"},
                            {"Filter": "OnlyCash"},
                        ],
                    },
                    {
                        "metadata": {"name": "OnlyCash", "type": "System: Formula"},
                        "attributes": [{"formula": '$Name = "Cash"'}],
                    },
                ]
            }
        ],
    }
    headers = {**JSON, "TallyRequest": "Export", "Type": "Collection", "Id": "TSPLLedgers"}
    answer = (await client.post(sim.url, content=json.dumps(body), headers=headers)).json()
    assert answer["status"] == "1"
    [cash] = answer["data"]["collection"]
    assert cash["metadata"] == {"type": "Ledger", "name": "Cash", "reservedname": "Cash"}
    assert cash["parent"] == "Cash-in-Hand"
    assert cash["guid"].startswith(company(sim, "Acme Traders").guid)


async def test_json_builtin_collection_with_fetch_list_and_utf16(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    body = {
        "static_variables": [{"name": "svCurrentCompany", "value": "Acme Traders"}],
        "fetch_list": ["Name", "AlterId"],
    }
    headers = {
        "Content-Type": "application/json; charset=utf-16",
        "tallyrequest": "Export",
        "type": "Collection",
        "id": "Group",
    }
    response = await client.post(
        sim.url, content=json.dumps(body).encode("utf-16-le"), headers=headers
    )
    assert response.headers["content-type"] == "application/json; charset=utf-16"
    groups = json.loads(response.content.decode("utf-16-le"))["data"]["collection"]
    assert len(groups) == 28
    assert all(g["alterid"].isdigit() for g in groups)


async def test_json_object_export(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    headers = {
        **JSON,
        "tallyrequest": "Export",
        "type": "Object",
        "subtype": "Ledger",
        "id": "Profit & Loss A/c",
    }
    body = {"static_variables": [{"name": "svCurrentCompany", "value": "Acme Traders"}]}
    [pl] = (await client.post(sim.url, content=json.dumps(body), headers=headers)).json()["data"][
        "collection"
    ]
    assert pl["parent"] == "\x04 Primary"


async def test_json_errors(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    bad = await client.post(
        sim.url,
        content="{not json",
        headers={**JSON, "tallyrequest": "Export", "type": "Collection", "id": "Ledger"},
    )
    assert bad.json() == {
        "status": "0",
        "data": {"lineerror": "Unknown Request, cannot be processed"},
    }
    body = {
        "static_variables": [{"name": "svCurrentCompany", "value": "Ghost"}],
        "tallymessage": [
            {"metadata": {"type": "Ledger", "name": "X"}, "name": "X", "parent": "Sundry Debtors"}
        ],
    }
    ghost = (
        await client.post(
            sim.url,
            content=json.dumps(body),
            headers={**JSON, "tallyrequest": "Import", "type": "Data", "id": "All Masters"},
        )
    ).json()
    assert ghost["status"] == "0"
    assert ghost["data"]["lineerror"] == "Could not set 'SVCurrentCompany' to 'Ghost'"
    assert ghost["data"]["import_result"]["created"] == 0


async def test_json_voucher_import(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    body = {
        "static_variables": [{"name": "svCurrentCompany", "value": "Acme Traders"}],
        "tallymessage": [
            {
                "metadata": {"type": "Ledger", "name": "Ram & Sons", "action": "create"},
                "name": "Ram & Sons",
                "parent": "Sundry Debtors",
            },
            {
                "metadata": {
                    "type": "Voucher",
                    "action": "Create",
                    "remoteid": "json-1",
                    "vchtype": "Receipt",
                },
                "date": "20250415",
                "vouchertypename": "Receipt",
                "allledgerentries": [
                    {"ledgername": "Cash", "isdeemedpositive": True, "amount": "-100.00"},
                    {"ledgername": "Ram & Sons", "isdeemedpositive": False, "amount": "100.00"},
                ],
            },
        ],
    }
    headers = {**JSON, "tallyrequest": "Import", "type": "Data", "id": "Vouchers"}
    result = (await client.post(sim.url, content=json.dumps(body), headers=headers)).json()["data"][
        "import_result"
    ]
    assert result["created"] == 2
    assert result["lastvchid"] > 0
    assert company(sim, "Acme Traders").find_voucher_by_remote_id("json-1") is not None
