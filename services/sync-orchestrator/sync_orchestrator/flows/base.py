"""What a flow is: a name, how a run starts, and which events it handles.

Each flow module defines one :class:`Flow`; ``dispatch.FLOWS`` lists them. Several flows may
handle the same event type (``VouchersImported`` answers orders, returns and settlements
alike): each takes the results that belong to it, by the remote id it gave the voucher.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlc_shared.messages.envelope import Payload

from sync_orchestrator.flows.context import FlowContext

Handler = Callable[[FlowContext, Any], Awaitable[None]]
Start = Callable[[FlowContext, datetime | None], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    handle: Handler
    ends_run: bool = False
    """This event answers the command that started the run (for a paged answer: its
    ``last_page``), so a coalesced re-run may start."""


@dataclass(frozen=True)
class Flow:
    name: str
    start: Start
    steps: Mapping[type[Payload], Step] = field(default_factory=dict)
    interval_setting: str = ""
    """The OrchestratorSettings field holding this flow's period in seconds (0: on demand)."""
