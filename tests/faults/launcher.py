"""Run one service exactly as `mlc serve <service>` does, with the fault suite's retry tiers.

`mlc serve` declares the production retry tiers (1 s, 10 s, 60 s; Tally 5 s, 30 s, 120 s),
so a scenario that waits through them would take hours. This launcher is the same command
(``ml_connector.cli.run.serve``, the same composition root, settings, logging and signal
handling) with one difference: the bus topology's retry delays are multiplied by
``FAULTS_RETRY_SCALE`` and, when ``FAULTS_DELIVERY_LIMIT`` is set, every queue's delivery
limit is that number. Every process of a scenario, and the test itself, uses the same
topology (:func:`fault_topology`), so the queues are declared with identical arguments.

Usage: ``python -m tests.faults.launcher <service>`` with the usual ``MLC_*`` environment.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Any

from mlc_shared.bus.topology import TALLY_POLICY, QueuePolicy, Topology

SCALE_VARIABLE = "FAULTS_RETRY_SCALE"
LIMIT_VARIABLE = "FAULTS_DELIVERY_LIMIT"


def _scaled(policy: QueuePolicy, scale: float, limit: int | None) -> QueuePolicy:
    return replace(
        policy,
        retry_delays=tuple(round(d * scale, 3) for d in policy.retry_delays),
        delivery_limit=limit if limit is not None else policy.delivery_limit,
    )


def fault_topology(namespace: str, scale: float, delivery_limit: int | None = None) -> Topology:
    """The production topology with retry delays times ``scale`` (and the delivery limit)."""
    return Topology(
        namespace=namespace,
        default_policy=_scaled(QueuePolicy(), scale, delivery_limit),
        tally_policy=_scaled(TALLY_POLICY, scale, delivery_limit),
    )


def _topology_from_environment(namespace: str) -> Topology:
    scale = float(os.environ.get(SCALE_VARIABLE, "1"))
    limit = os.environ.get(LIMIT_VARIABLE)
    return fault_topology(namespace, scale, int(limit) if limit else None)


def main(service: str) -> None:
    from mlc_shared.bus.factory import create_bus

    import ml_connector.runtime as runtime
    from ml_connector.cli.run import serve

    # The composition root builds its bus with ``create_bus(settings, engine=...)``; give it
    # the scaled topology and change nothing else.
    assert runtime.create_bus is create_bus, "ml_connector.runtime no longer uses create_bus"

    def scaled_bus(settings: Any, *, engine: Any = None, topology: Topology | None = None) -> Any:
        return create_bus(
            settings,
            engine=engine,
            topology=topology or _topology_from_environment(settings.bus_namespace),
        )

    runtime.create_bus = scaled_bus  # type: ignore[assignment]
    serve(service)


if __name__ == "__main__":
    main(sys.argv[1])
