"""The flows the orchestrator runs, and which of their steps handle each event type."""

from __future__ import annotations

from mlc_shared.messages.envelope import Payload

from sync_orchestrator.flows import catalog, orders, returns, settlements
from sync_orchestrator.flows.base import Flow, Step

FLOWS: dict[str, Flow] = {
    flow.name: flow for flow in (catalog.FLOW, orders.FLOW, returns.FLOW, settlements.FLOW)
}

STEPS: dict[type[Payload], list[tuple[Flow, Step]]] = {}
for _flow in FLOWS.values():
    for _event, _step in _flow.steps.items():
        STEPS.setdefault(_event, []).append((_flow, _step))
