"""State read at scrape time: sources are read when /metrics is asked, merged into one
family per name, and a source that cannot be read reports up=0 instead of breaking the
scrape."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpx
from mlc_shared.metrics import (
    QUEUE_PARKED,
    StateSource,
    add_source,
    gauge,
    refresh_sources,
    remove_source,
)
from mlc_shared.ops_http import OpsServer
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families


class Depths(StateSource):
    def __init__(self, name: str, queue: str) -> None:
        self.name = name
        self.queue = queue
        self.reads = 0
        self.broken = False

    async def refresh(self) -> None:
        if self.broken:
            raise ConnectionError("database away")
        self.reads += 1

    def families(self) -> Iterable[Metric]:
        family = gauge(QUEUE_PARKED, ["queue"])
        family.add_metric([self.queue], float(self.reads))
        return [family]


async def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    server = OpsServer("127.0.0.1", 0, {})
    await server.start()
    try:
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://127.0.0.1:{server.port}/metrics")).text
    finally:
        await server.stop()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_sources_are_read_at_scrape_time_and_merged() -> None:
    first, second = Depths("one", "a.queue"), Depths("two", "b.queue")
    add_source(first)
    add_source(second)
    try:
        await scrape()
        samples = await scrape()
        assert samples[(QUEUE_PARKED, (("queue", "a.queue"),))] == 2
        assert samples[(QUEUE_PARKED, (("queue", "b.queue"),))] == 2
        assert samples[("mlc_metrics_source_up", (("source", "one"),))] == 1
        second.broken = True
        samples = await scrape()
        assert samples[("mlc_metrics_source_up", (("source", "two"),))] == 0
        assert samples[(QUEUE_PARKED, (("queue", "b.queue"),))] == 2  # what it last read
    finally:
        remove_source(first)
        remove_source(second)
    assert (QUEUE_PARKED, (("queue", "a.queue"),)) not in await scrape()


async def test_refresh_gives_up_on_a_slow_source() -> None:
    class Slow(Depths):
        async def refresh(self) -> None:
            await asyncio.sleep(60)

    slow = Slow("slow", "c.queue")
    add_source(slow)
    try:
        await refresh_sources(within=0.05)
        text = generate_latest(REGISTRY).decode()
    finally:
        remove_source(slow)
    assert 'mlc_metrics_source_up{source="slow"} 0.0' in text
