"""Commands to the tally-agent (queue ``tally.<tenant>.commands``) and its events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlc_shared.domain.tally import (
    Company,
    Ledger,
    MasterSpec,
    PostedVoucher,
    StockItem,
    Voucher,
    VoucherKey,
)
from mlc_shared.messages.envelope import Payload


class ExportStockItems(Payload, message_type="tally.export_stock_items"):
    since_alter_id: int = Field(
        default=0, ge=0, description="the cursor: next_alter_id of the last complete export"
    )
    census: bool = Field(
        default=False, description="also list every GUID, so deletions can be found (§3.6)"
    )
    since_voucher_alter_id: int | None = Field(
        default=None,
        ge=0,
        description="only where Tally keeps separate ALTERID counters for masters and "
        "vouchers (the agent's MLC_TALLY_SHARED_ALTER_IDS=false): next_voucher_alter_id of "
        "the last complete export",
    )


class StockItemsExported(Payload, message_type="tally.stock_items_exported"):
    """One page of an export. Pages of one export share ``since_alter_id``; only the page
    with ``last_page`` carries ``next_alter_id`` and ``census``: move the cursor on that
    one only. A big export arrives as many pages so no message holds 100,000 items."""

    company: Company
    since_alter_id: int
    items: tuple[StockItem, ...]
    unchanged: bool = False
    page: int = 1
    last_page: bool = True
    next_alter_id: int | None = Field(
        default=None, description="store as the cursor once last_page arrives"
    )
    full_resync: bool = Field(
        default=False,
        description="Tally's counter fell below the cursor (a restored backup): this is a full "
        "export from 0 and the receiver should rebuild its view (§3.6)",
    )
    census: tuple[str, ...] | None = Field(
        default=None, description="every stock item GUID present now (when asked for)"
    )
    next_voucher_alter_id: int | None = Field(
        default=None,
        description="the company's ALTVCHID when probed; store it as since_voucher_alter_id "
        "only with separate ALTERID counters",
    )


class ExportLedgers(Payload, message_type="tally.export_ledgers"):
    """Cursors exactly like :class:`ExportStockItems` (balances move with vouchers too)."""

    since_alter_id: int = Field(default=0, ge=0)
    census: bool = False
    since_voucher_alter_id: int | None = Field(default=None, ge=0)


class LedgersExported(Payload, message_type="tally.ledgers_exported"):
    """Paged exactly like :class:`StockItemsExported`."""

    company: Company
    since_alter_id: int
    ledgers: tuple[Ledger, ...]
    unchanged: bool = False
    page: int = 1
    last_page: bool = True
    next_alter_id: int | None = None
    full_resync: bool = False
    census: tuple[str, ...] | None = None
    next_voucher_alter_id: int | None = None


class ExportVouchers(Payload, message_type="tally.export_vouchers"):
    from_date: date
    to_date: date
    voucher_type: str | None = None
    include_cancelled: bool = False


class VouchersExported(Payload, message_type="tally.vouchers_exported"):
    """One date window (at most the agent's window size in vouchers, §3.5) per page."""

    company: Company
    from_date: date
    to_date: date
    vouchers: tuple[PostedVoucher, ...]
    page: int = 1
    last_page: bool = True


class FindVouchers(Payload, message_type="tally.find_vouchers"):
    """Does a voucher with this number and date exist? (the duplicate check, standalone)"""

    keys: tuple[VoucherKey, ...]


class VouchersFound(Payload, message_type="tally.vouchers_found"):
    found: tuple[PostedVoucher, ...]
    missing: tuple[VoucherKey, ...]


class CreateMasters(Payload, message_type="tally.create_masters"):
    """Refused (parked) unless the agent allows it: MLC_TALLY_ALLOW_MASTER_CREATE."""

    masters: tuple[MasterSpec, ...]


class MasterOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    outcome: Literal["created", "altered", "rejected"]
    reason: str | None = None


class MastersCreated(Payload, message_type="tally.masters_created"):
    results: tuple[MasterOutcome, ...]


class ImportVouchers(Payload, message_type="tally.import_vouchers"):
    vouchers: tuple[Voucher, ...]
    masters: tuple[MasterSpec, ...] = Field(
        default=(),
        description="created first when MLC_TALLY_ALLOW_MASTER_CREATE is on; refused otherwise",
    )
    park_rejected: bool = Field(
        default=False,
        description="when Tally refuses a voucher of this command, park the command with "
        "Tally's words instead of answering 'rejected', so an operator can fix Tally and "
        "replay it (the orchestrator re-sends a refused voucher alone this way)",
    )


class VoucherOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    remote_id: str
    number: str
    outcome: Literal["created", "altered", "exists", "rejected"]
    master_id: int | None = None
    reason: str | None = None
    guid: str | None = None


class VouchersImported(Payload, message_type="tally.vouchers_imported"):
    results: tuple[VoucherOutcome, ...]
    masters: tuple[MasterOutcome, ...] = ()


class AgentStatus(Payload, message_type="tally.agent_status"):
    reachable: bool
    company_open: bool
    company: str | None = None
    version: str | None = None
    last_success_at: datetime | None = None
    detail: str | None = None
    alt_mst_id: int | None = None
    alt_vch_id: int | None = None
