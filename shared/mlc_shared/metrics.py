"""Every Prometheus metric of ml-connector, defined in one place (ARCHITECTURE.md: shared
holds "the store, configuration, logging and metrics").

Two kinds:

* **Instruments** (counters, histograms) that the code updates as things happen: Tally
  requests, Walmart throttle waits and tokens, webhook deliveries. Each service process
  exports those it updates on ``/metrics`` (:mod:`mlc_shared.ops_http`).
* **State read at scrape time**: flow lag, queue and parking depths, agent status. They are
  not counted by the flows: a :class:`StateSource` reads the store and the bus when
  ``/metrics`` is asked (:func:`refresh_sources`, awaited by the ops endpoint before it
  renders), so a gauge can never drift from the state it reports. The orchestrator's source
  is ``sync_orchestrator.metrics``.

Labels stay bounded: tenants, flows, queues, API names and outcome words, never an id.
``deploy/grafana`` and ``deploy/prometheus/alerts.yml`` use exactly the names below; a test
checks every expression there against :data:`METRIC_NAMES`.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# -- instruments: Tally ---------------------------------------------------------------------

TALLY_REQUEST_SECONDS = Histogram(
    "mlc_tally_request_seconds",
    "Time from sending a request to TallyPrime to the end of its answer, by kind "
    "(post, stream, liveness) and outcome (ok or the TallyError class)",
    ["kind", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 180.0, 600.0),
)
TALLY_BUSY_SECONDS = Counter(
    "mlc_tally_busy_seconds",
    "Seconds TallyPrime was held by the agent (one request at a time, tally-xml.md §1.5); "
    "its rate is the share of time Tally is busy with us",
)

# -- instruments: Walmart -------------------------------------------------------------------

WALMART_THROTTLE_WAIT_SECONDS = Counter(
    "mlc_walmart_throttle_wait_seconds",
    "Seconds callers waited for a Walmart API budget (walmart-api.md §10)",
    ["api"],
)
WALMART_THROTTLED = Counter(
    "mlc_walmart_throttled",
    "429 answers from Walmart and waits refused for being longer than the cap, by API",
    ["api"],
)
WALMART_TOKEN_REFRESHES = Counter(
    "mlc_walmart_token_refreshes",
    "Access-token requests (walmart-api.md §2) by outcome: issued, refused (bad "
    "credentials or setup), failed (Walmart or the network)",
    ["outcome"],
)
WALMART_TOKEN_REJECTIONS = Counter(
    "mlc_walmart_token_rejections",
    "Tokens Walmart refused on a data call (401 / INVALID_TOKEN) before they expired",
)

# -- instruments: webhook receiver ----------------------------------------------------------

WEBHOOK_DELIVERIES = Counter(
    "mlc_webhook_deliveries",
    "Walmart deliveries by answer: accepted, duplicate, unauthorized, malformed, "
    "too_large, unavailable",
    ["outcome"],
)
WEBHOOK_EVENTS = Counter("mlc_webhook_events", "Accepted events by event type", ["event_type"])
WEBHOOK_SECONDS = Histogram(
    "mlc_webhook_seconds",
    "Time from the request to the answer, for accepted and duplicate deliveries",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# -- instruments: alerts --------------------------------------------------------------------

ALERT_NOTIFICATIONS = Counter(
    "mlc_alert_notifications",
    "Alert notifications by channel (log, webhook, smtp) and outcome (sent, failed)",
    ["channel", "outcome"],
)

# -- state read at scrape time --------------------------------------------------------------

FLOW_LAG = "mlc_flow_lag_seconds"
FLOW_LAST_SUCCESS = "mlc_flow_last_success_timestamp_seconds"
FLOW_LAST_RUN = "mlc_flow_last_run_timestamp_seconds"
FLOW_PAUSED = "mlc_flow_paused"
FLOW_FAILING = "mlc_flow_failing"
QUEUE_READY = "mlc_queue_ready_messages"
QUEUE_PARKED = "mlc_queue_parked_messages"
AGENT_UP = "mlc_agent_up"
TALLY_COMPANY_OPEN = "mlc_tally_company_open"
AGENT_LAST_STATUS = "mlc_agent_last_status_timestamp_seconds"
ALERTS_FIRING = "mlc_alerts_firing"
SOURCE_UP = "mlc_metrics_source_up"

STATE_HELP: dict[str, str] = {
    FLOW_LAG: "Seconds since the flow last succeeded (since its last start when it never has)",
    FLOW_LAST_SUCCESS: "When the flow last succeeded (Unix time)",
    FLOW_LAST_RUN: "When the flow was last started (Unix time)",
    FLOW_PAUSED: "1 while an operator has paused the flow",
    FLOW_FAILING: "1 while the flow's last step failed (its error is in the operator API)",
    QUEUE_READY: "Messages waiting on a work queue (logical name)",
    QUEUE_PARKED: "Messages parked for an operator on a work queue's parking queue",
    AGENT_UP: "1 while the tenant's tally-agent reports and reaches TallyPrime",
    TALLY_COMPANY_OPEN: "1 while the agent reports the configured company open in TallyPrime",
    AGENT_LAST_STATUS: "When the orchestrator last heard the agent's status (Unix time)",
    ALERTS_FIRING: "1 while an alert condition holds (ml_connector.alerts)",
    SOURCE_UP: "1 when the last scrape-time read of this source succeeded",
}

INSTRUMENT_NAMES: dict[str, str] = {
    # exported sample names -> kind
    "mlc_tally_request_seconds": "histogram",
    "mlc_tally_busy_seconds_total": "counter",
    "mlc_walmart_throttle_wait_seconds_total": "counter",
    "mlc_walmart_throttled_total": "counter",
    "mlc_walmart_token_refreshes_total": "counter",
    "mlc_walmart_token_rejections_total": "counter",
    "mlc_webhook_deliveries_total": "counter",
    "mlc_webhook_events_total": "counter",
    "mlc_webhook_seconds": "histogram",
    "mlc_alert_notifications_total": "counter",
}
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
METRIC_NAMES: frozenset[str] = frozenset(
    {*INSTRUMENT_NAMES, *STATE_HELP}
    | {
        name + suffix
        for name, kind in INSTRUMENT_NAMES.items()
        if kind == "histogram"
        for suffix in _HISTOGRAM_SUFFIXES
    }
)
"""Every series name a dashboard or an alerting rule may use."""


def gauge(name: str, labels: Sequence[str]) -> GaugeMetricFamily:
    """An empty family for one of the state metrics above."""
    return GaugeMetricFamily(name, STATE_HELP[name], labels=list(labels))


def sample_value(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of an instrument in this process (0 when never touched)."""
    value = REGISTRY.get_sample_value(name, labels or {})
    return float(value) if value is not None else 0.0


def sample_sum(name: str, **match: str) -> float:
    """Sum of an instrument's samples whose labels include ``match``."""
    total = 0.0
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in match.items()):
                total += sample.value
    return total


# -- scrape-time sources --------------------------------------------------------------------


class StateSource(abc.ABC):
    """State read when ``/metrics`` is scraped. :meth:`refresh` does the (async) reading;
    :meth:`families` renders what it read, synchronously, as prometheus_client asks."""

    name: str = "state"

    @abc.abstractmethod
    async def refresh(self) -> None: ...

    @abc.abstractmethod
    def families(self) -> Iterable[Metric]: ...


class _Hub(Collector):
    """The one collector registered with the default registry; sources come and go with the
    services of the process (tests start several runtimes one after another)."""

    def __init__(self) -> None:
        self.sources: list[StateSource] = []
        self.up: dict[str, bool] = {}

    def collect(self) -> Iterator[Metric]:
        merged: dict[str, Metric] = {}
        for source in list(self.sources):
            for family in source.families():
                held = merged.get(family.name)
                if held is None:
                    merged[family.name] = family
                else:
                    held.samples.extend(family.samples)
        up = gauge(SOURCE_UP, ["source"])
        for name, ok in sorted(self.up.items()):
            up.add_metric([name], 1.0 if ok else 0.0)
        yield up
        yield from merged.values()

    def describe(self) -> Iterator[Metric]:
        # Names depend on which sources are present: nothing to declare up front.
        return iter(())


_HUB = _Hub()
REGISTRY.register(_HUB)


def add_source(source: StateSource) -> None:
    if source not in _HUB.sources:
        _HUB.sources.append(source)


def remove_source(source: StateSource) -> None:
    if source in _HUB.sources:
        _HUB.sources.remove(source)
    if not any(s.name == source.name for s in _HUB.sources):
        _HUB.up.pop(source.name, None)


async def refresh_sources(within: float = 3.0) -> None:
    """Read every source now (the ops endpoint awaits this before rendering). A source that
    fails or is slower than ``within`` seconds keeps what it last read and reports up=0."""
    for source in list(_HUB.sources):
        try:
            await asyncio.wait_for(source.refresh(), within)
            _HUB.up[source.name] = True
        except Exception:  # a scrape must answer even while the database is away
            _HUB.up[source.name] = False


__all__ = [
    "ALERT_NOTIFICATIONS",
    "METRIC_NAMES",
    "TALLY_BUSY_SECONDS",
    "TALLY_REQUEST_SECONDS",
    "WALMART_THROTTLED",
    "WALMART_THROTTLE_WAIT_SECONDS",
    "WALMART_TOKEN_REFRESHES",
    "WALMART_TOKEN_REJECTIONS",
    "WEBHOOK_DELIVERIES",
    "WEBHOOK_EVENTS",
    "WEBHOOK_SECONDS",
    "StateSource",
    "add_source",
    "gauge",
    "refresh_sources",
    "remove_source",
    "sample_sum",
    "sample_value",
]
