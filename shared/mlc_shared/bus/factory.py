"""Pick the bus from the settings (ARCHITECTURE.md, "Two ways to run, one code path").

``MLC_AMQP_URL`` set: RabbitMQ (distributed mode). Unset: the embedded bus on the SQLite
store of ``MLC_DATABASE_URL`` (standalone mode). The embedded bus exists only on SQLite:
a PostgreSQL deployment is a distributed one and needs a broker, so that combination stops
start-up with a plain message instead of quietly running without one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from mlc_shared.bus.base import Bus
from mlc_shared.bus.topology import Topology, standard_queues
from mlc_shared.config import CommonSettings, ConfigError

EMBEDDED_NEEDS_SQLITE = (
    "MLC_AMQP_URL is not set, so the embedded bus would be used, but it keeps its queues in "
    "the SQLite store and MLC_DATABASE_URL points to PostgreSQL. Set MLC_AMQP_URL to your "
    "RabbitMQ server (amqp:// or amqps://), or use a sqlite:/// database for standalone mode."
)


def create_bus(
    settings: CommonSettings,
    *,
    engine: AsyncEngine | None = None,
    topology: Topology | None = None,
) -> Bus:
    """The bus for ``settings`` (not started). ``engine``: the store's engine, shared by the
    embedded bus (standalone mode uses one SQLite file); without it the bus opens and owns
    its own. ``topology`` defaults to one namespaced by ``MLC_BUS_NAMESPACE``."""
    topology = topology or Topology(namespace=settings.bus_namespace)
    if settings.amqp_url is not None:
        from mlc_shared.bus.amqp import AmqpBus

        return AmqpBus(
            settings.amqp_url.get_secret_value(),
            topology=topology,
            queues=standard_queues(settings.tenant),
            connection_name=f"mlc:{settings.tenant}",
        )

    from mlc_shared.bus.embedded import EmbeddedBus
    from mlc_shared.store.engine import create_engine

    if engine is not None:
        if engine.dialect.name != "sqlite":
            raise ConfigError(EMBEDDED_NEEDS_SQLITE)
        return EmbeddedBus(engine, topology=topology)
    url = settings.database_url.get_secret_value()
    if not url.startswith("sqlite"):
        raise ConfigError(EMBEDDED_NEEDS_SQLITE)
    return EmbeddedBus(create_engine(url), topology=topology, owns_engine=True)
