"""What the agent reads from Tally, kind by kind: the TDL object type, the row tag, the
``FETCH`` list (tally-xml.md §3.1-§3.5), the converter, and where vouchers name a master."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from lxml import etree
from mlc_shared.domain.tally import CostCentre, Godown, Group, Ledger, StockItem

from tally_agent.protocol import records
from tally_agent.protocol.stock_items import stock_item


class MasterRecord(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def guid(self) -> str: ...

    @property
    def alter_id(self) -> int: ...


M = TypeVar("M", bound=MasterRecord)


@dataclass(frozen=True)
class MasterKind(Generic[M]):
    """One kind of master: its TDL object type, the row tag, what to fetch, how to read, and
    where vouchers name it (``(list tag, field)``): posting a voucher moves the balances of
    the masters it names without changing their ALTERID."""

    name: str
    object_type: str
    tag: str
    fetch: tuple[str, ...]
    convert: Callable[[etree._Element], M]
    named_in_vouchers: tuple[tuple[str, str], ...] = ()


IDENTITY = ("Name", "GUID", "MasterId", "AlterId", "Parent")

STOCK_ITEMS = MasterKind[StockItem](
    "stock item",
    "StockItem",
    "STOCKITEM",
    # §3.3 (LOADER's stock item fields) plus godown-wise balances. Sub-lists name just the
    # fields read (one level of sub-path is what Tally honours, §3.2): answers stay small
    # (1.2 KB a row minimal vs 21.7 KB wildcard, §7.7) and quicker to parse.
    (
        *IDENTITY,
        "LanguageName",
        "BaseUnits",
        "PartNo",
        "ClosingBalance",
        "ClosingRate",
        "ClosingValue",
        "StandardPriceList.Date",
        "StandardPriceList.Rate",
        "HSNDetails.ApplicableFrom",
        "HSNDetails.HSNCode",
        "GSTDetails.HSNCode",
        "BatchAllocations.GodownName",
        "BatchAllocations.ClosingBalance",
    ),
    stock_item,
    (("ALLINVENTORYENTRIES.LIST", "STOCKITEMNAME"),),
)
LEDGERS = MasterKind[Ledger](
    "ledger",
    "Ledger",
    "LEDGER",
    (*IDENTITY, "OpeningBalance", "ClosingBalance", "PartyGSTIN", "LedStateName"),  # §3.4
    records.ledger,
    (("ALLLEDGERENTRIES.LIST", "LEDGERNAME"), ("LEDGERENTRIES.LIST", "LEDGERNAME")),
)
GROUPS = MasterKind[Group](
    "group", "Group", "GROUP", (*IDENTITY, "IsRevenue", "IsDeemedPositive"), records.group
)
COST_CENTRES = MasterKind[CostCentre](
    "cost centre", "CostCentre", "COSTCENTRE", (*IDENTITY, "Category"), records.cost_centre
)
GODOWNS = MasterKind[Godown]("godown", "Godown", "GODOWN", IDENTITY, records.godown)

NAMES_PER_REQUEST = 200
"""Names per OR-filter: keeps each formula a few kilobytes."""

COMPANY_FETCH = (
    "Name",
    "GUID",
    "StartingFrom",
    "BooksFrom",
    "EndingAt",
    "LastVoucherDate",
    "AltMstId",
    "AltVchId",
    "CompanyNumber",
)  # §3.1
VOUCHER_FETCH = (
    "GUID",
    "MasterId",
    "AlterId",
    "Date",
    "VoucherTypeName",
    "VoucherNumber",
    "PartyLedgerName",
    "Reference",
    "Narration",
    "IsCancelled",
    "IsOptional",
    "Amount",
    "RemoteId",
)  # §3.5
VOUCHER_KEY_FETCH = (
    "GUID",
    "MasterId",
    "AlterId",
    "Date",
    "VoucherTypeName",
    "VoucherNumber",
    "Narration",
    "IsCancelled",
)
