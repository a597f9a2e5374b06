"""Commands to the tally-agent (queue ``tally.<tenant>.commands``) and its events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from mlc_shared.domain.tally import Company, StockItem, Voucher
from mlc_shared.messages.envelope import Payload


class ExportStockItems(Payload, message_type="tally.export_stock_items"):
    since_alter_id: int = 0


class StockItemsExported(Payload, message_type="tally.stock_items_exported"):
    company: Company
    since_alter_id: int
    items: tuple[StockItem, ...]
    unchanged: bool = False


class ImportVouchers(Payload, message_type="tally.import_vouchers"):
    vouchers: tuple[Voucher, ...]


class VoucherOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    remote_id: str
    number: str
    outcome: Literal["created", "altered", "exists", "rejected"]
    master_id: int | None = None
    reason: str | None = None


class VouchersImported(Payload, message_type="tally.vouchers_imported"):
    results: tuple[VoucherOutcome, ...]


class AgentStatus(Payload, message_type="tally.agent_status"):
    reachable: bool
    company_open: bool
    company: str | None = None
    version: str | None = None
    last_success_at: datetime | None = None
    detail: str | None = None
