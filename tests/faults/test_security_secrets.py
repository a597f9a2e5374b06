"""Security: secrets never appear in logs, audit rows, stored state or parked messages
(issue 8).

A full flow runs with a distinctive value for every secret the connector holds: the Walmart
client secret, the Tally company password, the webhook password, the RabbitMQ and
PostgreSQL passwords and the operator token. It is made to go wrong in the ways that put
error texts in logs and parked messages: a broker connection cut, revoked Walmart tokens,
a 500 burst, Tally refusing the company for wrong credentials, a webhook with a wrong
password and orders that cannot be mapped. The services log at DEBUG. Then every service
log, every row of every table of the orchestrator's database and every parked message
(body, headers and reason) is searched for each secret, for the Basic credentials built from
it, and for the Walmart access tokens issued during the run.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import asyncpg
import httpx
import pytest
from yarl import URL

from tests.faults.brokerusers import service_user
from tests.faults.outbox import parked_everywhere
from tests.faults.proxy import FaultProxy
from tests.faults.stack import running_stack
from tests.faults.waits import wait_until
from tests.faults.webhooks import listening, subscribe
from tests.faults.world import World, free_port, purchase_orders, world

TALLY_USER, HOOK_USER = "mlc-agent", "walmart"
UNMAPPED_SKU = "SHK-HD-015"  # Scented Candle Jar: in Tally, not in the mapping


def distinctive(label: str) -> str:
    return f"{label}-{secrets.token_hex(10)}"


SECRETS = {
    "Walmart client secret": distinctive("wmsecret"),
    "Tally password": distinctive("tallypw"),
    "webhook password": distinctive("hookpw"),
    "RabbitMQ password": distinctive("amqppw"),
    "PostgreSQL password": distinctive("pgpw"),
    "operator token": distinctive("optoken"),
}


@pytest.fixture
async def database_url(postgres_admin_url: str, fresh_postgres_url: str) -> AsyncIterator[str]:
    """The fresh database, reached as a role of its own whose password is a secret."""
    role = f"mlc_faults_{secrets.token_hex(4)}"
    password = SECRETS["PostgreSQL password"]
    name = urlsplit(fresh_postgres_url).path.lstrip("/")
    admin = await asyncpg.connect(postgres_admin_url)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await admin.execute(f'GRANT ALL ON DATABASE "{name}" TO {role}')
        db = await asyncpg.connect(fresh_postgres_url)
        try:
            await db.execute(f"GRANT ALL ON SCHEMA public TO {role}")
        finally:
            await db.close()
        parts = urlsplit(fresh_postgres_url)
        yield parts._replace(
            netloc=f"{role}:{quote(password)}@{parts.hostname}:{parts.port or 5432}"
        ).geturl()
    finally:
        db = await asyncpg.connect(fresh_postgres_url)
        try:
            await db.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            await db.execute(f"DROP OWNED BY {role}")
        finally:
            await db.close()
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


async def database_text(url: str) -> str:
    """Every row of every table, as JSON text."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        rows: list[str] = []
        for table in tables:
            name = table["tablename"]
            query = f'SELECT row_to_json(t)::text FROM "{name}" t'  # noqa: S608 - pg_tables names
            rows += [r[0] for r in await conn.fetch(query)]
    finally:
        await conn.close()
    return "\n".join(rows)


def read_logs(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in directory.glob("*.log"))


def needles(tokens: list[str]) -> dict[str, str]:
    """What must not appear anywhere: each secret, the Basic credentials made from the
    webhook and Walmart secrets, the URL-encoded passwords and the access tokens."""
    found = dict(SECRETS)
    pairs = {
        "webhook Basic credentials": f"{HOOK_USER}:{SECRETS['webhook password']}",
    }
    for label, pair in pairs.items():
        found[label] = base64.b64encode(pair.encode()).decode()
    for n, token in enumerate(tokens):
        found[f"Walmart access token {n + 1}"] = token
    return found


async def test_no_secret_in_logs_state_or_parked_messages(
    tmp_path: Path, amqp_url: str, database_url: str, bus_namespace: str, postgres_admin_url: str
) -> None:
    async with world(tmp_path, walmart_secret=SECRETS["Walmart client secret"]) as sims:
        tokens = await run_flow(sims, tmp_path, amqp_url, database_url, bus_namespace)
        # What Walmart issued during the run (the simulator's own record).
        tokens += list(sims.walmart.state.tokens)
    logs = await asyncio.to_thread(read_logs, tmp_path)
    parts = urlsplit(database_url)
    admin_view = parts._replace(netloc=urlsplit(postgres_admin_url).netloc).geturl()
    stored = await database_text(admin_view)
    parked_text = (tmp_path / "parked.txt").read_text()
    assert len(logs) > 10_000, "the services logged almost nothing: nothing was checked"
    assert "DEBUG" in logs or '"level": "debug"' in logs
    leaks = {
        f"{label} in {where}"
        for label, needle in needles(tokens).items()
        for where, text in (("logs", logs), ("database", stored), ("parked", parked_text))
        if needle in text
    }
    assert leaks == set()


async def run_flow(
    sims: World, tmp_path: Path, amqp_url: str, database_url: str, namespace: str
) -> list[str]:
    await sims.admin_tally(
        "PUT",
        f"{sims.company_path}/password",
        json={"username": TALLY_USER, "password": SECRETS["Tally password"]},
    )
    hook = await subscribe(sims, HOOK_USER, SECRETS["webhook password"])
    await sims.admin_walmart(
        "POST",
        "/admin/items",
        json={"sku": UNMAPPED_SKU, "product_name": "Scented Candle Jar", "price": "9.00"},
    )
    pos = purchase_orders(12)
    async with service_user(amqp_url, namespace, SECRETS["RabbitMQ password"]) as user:
        target = URL(user.amqp_url)
        proxy = FaultProxy(target.host or "127.0.0.1", target.port or 5672)
        await proxy.start()
        proxied = str(target.with_port(proxy.port))
        try:
            async with running_stack(
                sims,
                tmp_path,
                amqp_url=proxied,
                database_url=database_url,
                namespace=namespace,
                MLC_LOG_LEVEL="DEBUG",
                MLC_TALLY_USERNAME=TALLY_USER,
                MLC_TALLY_PASSWORD=SECRETS["Tally password"],
                MLC_WEBHOOK_AUTH_METHOD="basic",
                MLC_WEBHOOK_USERNAME=HOOK_USER,
                MLC_WEBHOOK_PASSWORD=SECRETS["webhook password"],
                MLC_OPERATOR_TOKEN=SECRETS["operator token"],
                MLC_OPERATOR_PORT=str(free_port()),
            ) as stack:
                await wait_until(lambda: listening(hook), within=120, what="receiver up")
                await sims.place_orders(10)
                await sims.place_orders(2, first=10, skus=[UNMAPPED_SKU])
                await misbehave(sims, proxy, hook)
                await stack.wait_settled(pos[:10])
                async with stack.bus(user.amqp_url) as bus:
                    parked = await wait_until(
                        lambda: _parked(bus), within=120, what="the unmapped orders parked"
                    )
                    (tmp_path / "parked.txt").write_text(
                        "\n".join(
                            f"{p.reason}\n{p.body!r}\n{p.headers!r}\n{p.history!r}" for p in parked
                        )
                    )
        finally:
            await proxy.close()
    return []


async def misbehave(sims: World, proxy: FaultProxy, hook: str) -> None:
    company = sims.company_path
    async with httpx.AsyncClient(timeout=30) as http:
        wrong = await http.post(
            hook, content=b'{"source": {}}', auth=(HOOK_USER, "not-the-password")
        )
        assert wrong.status_code == 401
    await sims.admin_walmart("POST", "/admin/tokens/revoke")
    await sims.admin_walmart(
        "POST", "/admin/faults/next", json={"status": 500, "count": 3, "path_prefix": "/v3/"}
    )
    await proxy.cut()
    await asyncio.sleep(1.0)
    await proxy.resume()
    # Tally refuses the company for a while: the agent's credentials are wrong.
    await sims.admin_tally(
        "PUT", f"{company}/password", json={"username": TALLY_USER, "password": "changed-pw"}
    )
    await asyncio.sleep(3.0)
    await sims.admin_tally(
        "PUT",
        f"{company}/password",
        json={"username": TALLY_USER, "password": SECRETS["Tally password"]},
    )


async def _parked(bus: object) -> list[object] | None:
    found = await parked_everywhere(bus)  # type: ignore[arg-type]
    return list(found) if len(found) >= 2 else None
