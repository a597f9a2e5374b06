"""The order of the checks, and what each needs from the ones before it."""

from __future__ import annotations

import importlib.util
from contextlib import AsyncExitStack
from typing import Any

from ml_connector.doctor.config import Loaded, load_all
from ml_connector.doctor.infra import check_broker, check_database
from ml_connector.doctor.report import Result, fail, warn


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


async def diagnose(**overrides: Any) -> list[Result]:
    loaded, results = load_all(overrides)
    if loaded.common is None or loaded.doctor is None:
        return results
    within = loaded.doctor.doctor_timeout_s
    results.append(await check_broker(loaded.common, within))
    database = await check_database(loaded.common, within)
    results.append(database)
    async with AsyncExitStack() as stack:
        reader = await _tally(loaded, within, results, stack)
        seller = await _walmart(loaded, within, results, stack)
        results.extend(await _mapping(loaded, database, reader, seller, stack))
    return results


async def _tally(
    loaded: Loaded, within: float, results: list[Result], stack: AsyncExitStack
) -> Any | None:
    settings = loaded.services.get("tally-agent")
    if settings is None:
        return None
    from tally_agent.factory import client_for, reader_for

    from ml_connector.doctor.tally import check_tally, doctor_settings

    found = await check_tally(settings, within)
    results.extend(found)
    if not all(r.status == "OK" for r in found if r.check in ("tally.port", "tally.company")):
        return None
    quick = doctor_settings(settings, within)
    client = await stack.enter_async_context(client_for(quick))
    return reader_for(quick, client)


async def _walmart(
    loaded: Loaded, within: float, results: list[Result], stack: AsyncExitStack
) -> Any | None:
    settings = loaded.services.get("walmart-gateway")
    if settings is None:
        return None
    if not settings.has_default_credentials:
        results.append(
            fail(
                "walmart.token",
                "MLC_WALMART_CLIENT_ID and MLC_WALMART_CLIENT_SECRET are not both set",
                "set them to the seller's API key from Seller Center (docs/walmart-setup.md)",
            )
        )
        return None
    from walmart_gateway.gateway import WalmartGateway

    from ml_connector.doctor.walmart import check_token, check_webhooks, doctor_settings

    quick = doctor_settings(settings, within)
    gateway = WalmartGateway(quick)
    stack.push_async_callback(gateway.aclose)
    seller = await gateway.seller(quick.tenant)
    found = await check_token(seller, quick)
    results.extend(found)
    if found[0].status != "OK":
        return None
    assert loaded.doctor is not None
    results.append(await check_webhooks(seller, quick, loaded.doctor.webhook_public_url))
    return seller


async def _mapping(
    loaded: Loaded, database: Result, reader: Any, seller: Any, stack: AsyncExitStack
) -> list[Result]:
    if not _installed("sync_orchestrator"):
        return [warn("mapping", "not checked here", "run `mlc doctor` where the orchestrator runs")]
    needs = [
        what
        for what, there in (
            ("the database", database.status == "OK"),
            ("Tally", reader is not None),
            ("Walmart", seller is not None),
        )
        if not there
    ]
    if needs:
        return [
            warn(
                "mapping",
                f"not checked: {' and '.join(needs)} not ready (see above)",
                "fix those first",
            )
        ]
    from mlc_shared.store import open_store

    from ml_connector.doctor.mapping import check_mapping_gaps

    assert loaded.common is not None
    store = open_store(loaded.common.database_url.get_secret_value())
    stack.push_async_callback(store.close)
    return await check_mapping_gaps(store, loaded.common.tenant, reader, seller)
