"""create_bus picks the adapter from the settings (bus/factory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlc_shared.bus import Topology, create_bus
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.embedded import EmbeddedBus
from mlc_shared.config import CommonSettings, ConfigError
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine


def _settings(**values: object) -> CommonSettings:
    # Explicit amqp_url (None unless given) so an MLC_AMQP_URL in the environment cannot
    # change which adapter these tests expect.
    return CommonSettings.model_validate({"amqp_url": None, **values})


def test_amqp_url_means_rabbitmq() -> None:
    bus = create_bus(_settings(amqp_url="amqp://u:p@127.0.0.1:5672/", bus_namespace="ns"))
    assert isinstance(bus, AmqpBus)
    assert bus.topology.namespace == "ns"


async def test_no_amqp_url_means_the_embedded_bus_on_the_sqlite_store(tmp_path: Path) -> None:
    bus = create_bus(_settings(database_url=f"sqlite:///{tmp_path / 'mlc.db'}"))
    assert isinstance(bus, EmbeddedBus)
    await bus.close()  # disposes the engine it opened


async def test_a_given_topology_wins(tmp_path: Path) -> None:
    topology = Topology(namespace="given")
    bus = create_bus(_settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"), topology=topology)
    assert isinstance(bus, EmbeddedBus)
    assert bus.topology is topology
    await bus.close()


def test_embedded_bus_on_postgresql_is_refused_plainly() -> None:
    settings = _settings(database_url=SecretStr("postgresql://mlc:pw@127.0.0.1/mlc"))
    with pytest.raises(ConfigError, match="MLC_AMQP_URL is not set") as info:
        create_bus(settings)
    assert "pw" not in str(info.value)


async def test_embedded_bus_on_a_postgresql_engine_is_refused() -> None:
    engine = create_async_engine("postgresql+asyncpg://mlc@127.0.0.1/mlc")  # never connects
    try:
        with pytest.raises(ConfigError, match="sqlite:///"):
            create_bus(_settings(database_url="sqlite:///unused.db"), engine=engine)
    finally:
        await engine.dispose()
