"""Typed reads from TallyPrime: companies, masters, vouchers (tally-xml.md §3).

Every read is a version-1 ``Export`` of an inline TDL collection (§2.2) with an explicit
``FETCH`` list and server-side ``FILTER`` formulas, answered in shape A (§1.4) and parsed
row by row. Rows are checked against the company GUID (every master/voucher GUID of a
company starts with it, §1.7): a read that silently hit another company (or none: a Ledger
read of an unloaded company answers 0 rows with STATUS 1, §1.7) is refused, not trusted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import TypeVar

from mlc_shared.domain.tally import Company, PostedVoucher

from tally_agent.client import RowIterator, TallyClient
from tally_agent.errors import CompanyNotOpen, TallyProtocolError
from tally_agent.kinds import (
    COMPANY_FETCH,
    NAMES_PER_REQUEST,
    VOUCHER_FETCH,
    M,
    MasterKind,
)
from tally_agent.protocol import filters, records
from tally_agent.protocol.envelopes import Collection, RequestContext, export_collection

T = TypeVar("T")


def same_name(left: str, right: str) -> bool:
    """Tally matches company names case-insensitively, whitespace-trimmed (§1.7)."""
    return left.strip().casefold() == right.strip().casefold()


class TallyReader:
    def __init__(
        self, client: TallyClient, ctx: RequestContext, *, check_guid_prefix: bool = True
    ) -> None:
        self.client = client
        self.ctx = ctx
        self.check_guid_prefix = check_guid_prefix

    def for_company(self, company: Company) -> TallyReader:
        """The same reader aimed at ``company`` by its exact name."""
        ctx = RequestContext(
            company=company.name, username=self.ctx.username, password=self.ctx.password
        )
        return TallyReader(self.client, ctx, check_guid_prefix=self.check_guid_prefix)

    # -- companies ------------------------------------------------------------------------

    async def companies(self) -> list[Company]:
        """Every loaded company: the Company collection ignores SVCURRENTCOMPANY (§1.7)."""
        request = export_collection(self.ctx, Collection("MlcCompanies", "Company", COMPANY_FETCH))
        async with self.client.stream(request, ("COMPANY",), records.company) as rows:
            return [company async for company in rows]

    async def version(self) -> str | None:
        """TallyPrime's release (e.g. ``7.1``) from ``@@VersionReleaseString`` computed on the
        Company collection (§3.1, BRIDGE ENV §3.1); None when the answer does not carry it."""
        request = export_collection(
            self.ctx,
            Collection(
                "MlcRelease", "Company", ("Name",), compute=("MlcVersion : @@VersionReleaseString",)
            ),
        )
        async with self.client.stream(
            request, ("COMPANY",), lambda row: row.findtext("MLCVERSION")
        ) as rows:
            found = [value.strip() async for value in rows if value and value.strip()]
        return found[0] if found else None

    async def open_company(self) -> Company:
        """The configured company if it is loaded, else :class:`CompanyNotOpen`. Without a
        configured name: the one loaded company (several loaded is refused: which one would
        be a guess)."""
        loaded = await self.companies()
        wanted = self.ctx.company
        if wanted:
            for company in loaded:
                if same_name(company.name, wanted):
                    return company
            names = ", ".join(repr(c.name) for c in loaded) or "none"
            raise CompanyNotOpen(f"company {wanted!r} is not open in Tally (open: {names})")
        if not loaded:
            raise CompanyNotOpen("no company is open in Tally")
        if len(loaded) > 1:
            names = ", ".join(repr(c.name) for c in loaded)
            raise CompanyNotOpen(
                f"several companies are open ({names}); set MLC_TALLY_COMPANY",
                hint="Set MLC_TALLY_COMPANY to the company to work with.",
            )
        return loaded[0]

    # -- masters --------------------------------------------------------------------------

    @asynccontextmanager
    async def masters(
        self, kind: MasterKind[M], company: Company, *, since_alter_id: int = 0
    ) -> AsyncIterator[AsyncIterator[M]]:
        """Masters of ``kind`` with ALTERID above ``since_alter_id`` (server-side filter,
        §3.6), as they arrive."""
        conditions = [filters.alter_id_above(since_alter_id)] if since_alter_id > 0 else []
        request = export_collection(
            self.ctx,
            Collection(f"Mlc{kind.object_type}s", kind.object_type, kind.fetch, conditions),
        )
        async with self.client.stream(request, (kind.tag,), kind.convert) as rows:
            yield self._checked(rows, company, kind.name)

    @asynccontextmanager
    async def masters_named(
        self, kind: MasterKind[M], company: Company, names: Sequence[str]
    ) -> AsyncIterator[AsyncIterator[M]]:
        """Masters of ``kind`` called one of ``names``, a bounded OR-filter per request."""

        async def all_rows() -> AsyncIterator[M]:
            ordered = sorted(names)
            for start in range(0, len(ordered), NAMES_PER_REQUEST):
                chunk = ordered[start : start + NAMES_PER_REQUEST]
                request = export_collection(
                    self.ctx,
                    Collection(
                        f"Mlc{kind.object_type}sNamed",
                        kind.object_type,
                        kind.fetch,
                        (filters.name_in(chunk),),
                    ),
                )
                async with self.client.stream(request, (kind.tag,), kind.convert) as rows:
                    async for row in self._checked(rows, company, kind.name):
                        yield row

        yield all_rows()

    async def named_in_vouchers(
        self, kind: MasterKind[M], company: Company, since_alter_id: int
    ) -> set[str]:
        """Names of the ``kind`` masters that vouchers altered after ``since_alter_id`` name
        (their balances moved, their ALTERID did not). One light collection read: only the
        one-level sub-paths holding the names are fetched (§3.2)."""
        paths = tuple(f"{tag[: -len('.LIST')]}.{field}" for tag, field in kind.named_in_vouchers)
        request = export_collection(
            self.ctx,
            Collection(
                "MlcVouchersTouching",
                "Voucher",
                ("GUID", *paths),
                (filters.alter_id_above(since_alter_id),),
            ),
        )
        names: set[str] = set()
        pairs = kind.named_in_vouchers
        async with self.client.stream(
            request, ("VOUCHER",), lambda row: records.names_in(row, pairs)
        ) as rows:
            async for found in rows:
                names.update(found)
        return names

    async def census(self, kind: MasterKind[M], company: Company) -> list[str]:
        """Every GUID of ``kind`` present now: deletions are invisible to ALTERID filters,
        so they are found by comparing censuses (§3.6)."""
        request = export_collection(
            self.ctx,
            Collection(f"Mlc{kind.object_type}Census", kind.object_type, ("GUID", "AlterId")),
        )
        async with self.client.stream(request, (kind.tag,), records.stamp) as rows:
            guids = [guid async for guid, _alter in rows]
        self._check_guids(guids, company, kind.name)
        return guids

    # -- vouchers -------------------------------------------------------------------------

    @asynccontextmanager
    async def vouchers(
        self,
        company: Company,
        conditions: Sequence[str],
        *,
        fetch: Sequence[str] = VOUCHER_FETCH,
    ) -> AsyncIterator[AsyncIterator[PostedVoucher]]:
        request = export_collection(
            self.ctx, Collection("MlcVouchers", "Voucher", tuple(fetch), tuple(conditions))
        )
        async with self.client.stream(request, ("VOUCHER",), records.voucher) as rows:
            yield self._checked(rows, company, "voucher")

    async def voucher_day_counts(
        self,
        company: Company,
        start: date,
        end: date,
        voucher_type: str | None,
        *,
        method: str = "aggregate",
    ) -> dict[date, int]:
        """Vouchers per date in [start, end], to size export windows (§3.5).

        ``aggregate``: LOADER's per-date count, one small row per date (``BY`` +
        ``AGGRCOMPUTE``). ``scan``: the DATE of every voucher (bigger, but needs no
        aggregation support). An aggregate answer whose counts cannot be read falls back to
        the scan rather than guessing window sizes."""
        conditions = [filters.date_between(start, end)]
        if voucher_type:
            conditions.append(filters.voucher_type_is(voucher_type))
        if method == "aggregate":
            request = export_collection(
                self.ctx,
                Collection(
                    "MlcVoucherDays",
                    "Voucher",
                    (),
                    tuple(conditions),
                    by=("MlcDay : $Date",),
                    aggr_compute=("MlcCount : SUM : $$Number:1",),
                ),
            )
            async with self.client.stream(request, ("VOUCHER",), records.day_count) as rows:
                counted = [pair async for pair in rows]
            if all(pair is not None for pair in counted):
                totals: dict[date, int] = {}
                for pair in counted:
                    if pair is not None:
                        totals[pair[0]] = totals.get(pair[0], 0) + pair[1]
                return totals
        request = export_collection(
            self.ctx, Collection("MlcVoucherDates", "Voucher", ("Date",), tuple(conditions))
        )
        counts: dict[date, int] = {}
        async with self.client.stream(request, ("VOUCHER",), records.voucher_date) as days:
            async for day in days:
                if day is not None:
                    counts[day] = counts.get(day, 0) + 1
        return counts

    # -- checks ---------------------------------------------------------------------------

    async def _checked(self, rows: RowIterator[T], company: Company, kind: str) -> AsyncIterator[T]:
        async for row in rows:
            guid = getattr(row, "guid", None)
            if isinstance(guid, str):
                self._check_guids([guid], company, kind)
            yield row

    def _check_guids(self, guids: Sequence[str], company: Company, kind: str) -> None:
        if not self.check_guid_prefix or not company.guid:
            return
        for guid in guids:
            if not guid.startswith(company.guid):
                raise TallyProtocolError(
                    f"{kind} {guid} does not belong to company {company.name!r} "
                    f"(GUID {company.guid}); the read reached another company (§1.7)"
                )
