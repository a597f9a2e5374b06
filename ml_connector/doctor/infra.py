"""The broker (reachable, topology declared) and the database (reachable, schema at the
newest migration this version ships)."""

from __future__ import annotations

import asyncio

from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import Topology, standard_queues
from mlc_shared.config import CommonSettings
from mlc_shared.store.engine import create_engine
from mlc_shared.store.migrate import current_revision, head_revision
from sqlalchemy.exc import SQLAlchemyError

from ml_connector.doctor.report import Result, fail, ok, warn, where


async def check_broker(common: CommonSettings, within: float) -> Result:
    if common.amqp_url is None:
        return ok("broker", "embedded bus in the SQLite store (standalone mode)")
    import aio_pika
    from aiormq.exceptions import AMQPError, ChannelNotFoundEntity

    url = common.amqp_url.get_secret_value()
    topology = Topology(namespace=common.bus_namespace)
    names = [
        d.name
        for queue in standard_queues(common.tenant)
        for d in declarations(topology, queue).all
    ]
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url, timeout=within), within)
    except (OSError, AMQPError, TimeoutError) as exc:
        return fail(
            "broker",
            f"cannot connect to RabbitMQ at {where(url)} ({_plain(exc)})",
            "check MLC_AMQP_URL (host, port, user, password, vhost) and that RabbitMQ runs",
        )
    missing: list[str] = []
    try:
        async with connection:
            for name in names:
                channel = await connection.channel(publisher_confirms=False)
                try:
                    await channel.declare_queue(name, passive=True)
                except ChannelNotFoundEntity:
                    missing.append(name)
                finally:
                    if not channel.is_closed:
                        await channel.close()
    except (OSError, AMQPError) as exc:
        return fail(
            "broker",
            f"RabbitMQ at {where(url)} answered but refused a check ({_plain(exc)})",
            "give this user configure/read rights on the mlc queues (deploy/rabbitmq)",
        )
    if missing:
        return fail(
            "broker",
            f"{len(missing)} of {len(names)} queues are missing, e.g. {missing[0]}",
            "load deploy/rabbitmq/definitions.json, or start the services once (they "
            "declare the topology)",
        )
    return ok("broker", f"RabbitMQ at {where(url)}: all {len(names)} queues declared")


async def check_database(common: CommonSettings, within: float) -> Result:
    url = common.database_url.get_secret_value()
    engine = create_engine(url)
    try:
        current = await asyncio.wait_for(current_revision(engine), within)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        return fail(
            "database",
            f"cannot read the database at {where(url)} ({_plain(exc)})",
            "check MLC_DATABASE_URL and that PostgreSQL runs (or the SQLite file is writable)",
        )
    finally:
        await engine.dispose()
    head = head_revision()
    if current == head:
        return ok("database", f"{where(url)} at schema {head} (newest)")
    if current is None:
        return warn(
            "database",
            f"{where(url)} has no schema yet",
            "start any service once: each creates or upgrades the schema at start-up",
        )
    from ml_connector.doctor.revisions import known_revisions

    if current in known_revisions():
        return warn(
            "database",
            f"{where(url)} at schema {current}, this version needs {head}",
            "it is upgraded when a service of this version starts",
        )
    return fail(
        "database",
        f"{where(url)} at schema {current}, which this version does not know",
        "a newer ml-connector migrated it: upgrade this installation to that version",
    )


def _plain(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
