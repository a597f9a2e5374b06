"""Posting vouchers (and, when allowed, masters) without ever posting one twice.

For each command, inside one exclusive turn at Tally (no other request interleaves):

1. Vouchers Tally would refuse anyway (unbalanced) or XML cannot carry are "rejected" here.
2. The duplicate check (:mod:`.lookup`): a voucher whose number and date already exist is
   skipped with outcome "exists". A redelivered command therefore creates nothing new, even
   when the first delivery's import went through and only its acknowledgement was lost.
3. The rest go in batches of MLC_TALLY_IMPORT_BATCH_SIZE per request (Tally's cost is per
   request, §5.2), each voucher with its deterministic REMOTEID (§4.7).
4. Tally reports only the last LINEERROR of a batch (§5.2), so a batch with exceptions is
   split: vouchers that did post are found by the duplicate check, the others are halved
   and re-sent until each failing voucher stands alone with its own reason.

A created/altered split inside a clean batch comes from the read-back: created vouchers get
new MasterIDs, the last being LASTVCHID; rejected ones consume none (§5.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from mlc_shared.domain.tally import Company, MasterSpec, PostedVoucher, Voucher, VoucherKey
from mlc_shared.messages.tally import MasterOutcome, VoucherOutcome

from tally_agent.lookup import KeyTuple, find_existing, key_of
from tally_agent.protocol.envelopes import ImportStyle, import_data
from tally_agent.protocol.forex import DEFAULT_STYLE, ForexStyle
from tally_agent.protocol.masters import UnrenderableMaster, render_master
from tally_agent.protocol.responses import ImportResult, read_import_result
from tally_agent.protocol.vouchers import UnrenderableVoucher, check, render_voucher
from tally_agent.reads import TallyReader


@dataclass(frozen=True)
class ImportOptions:
    batch_size: int = 100
    style: ImportStyle = "v1"
    voucher_import_id: str = "Vouchers"
    match_type: bool = True
    match_narration: bool = True
    readback: bool = True
    forex: ForexStyle = DEFAULT_STYLE


def voucher_key(voucher: Voucher) -> VoucherKey:
    return VoucherKey(
        voucher_type=voucher.tally_voucher_type,
        number=voucher.number,
        date=voucher.date,
        narration=voucher.narration,
    )


def describe(result: ImportResult) -> str:
    """Tally's words for a refused voucher; EXCEPTIONS without a LINEERROR happens (a
    duplicate number under manual numbering, §4.7), and is said so."""
    if result.last_line_error:
        return result.last_line_error
    return (
        f"Tally refused the voucher without a reason (ERRORS={result.errors}, "
        f"EXCEPTIONS={result.exceptions}); under manual numbering this is a duplicate "
        "voucher number (tally-xml.md §4.7)"
    )


class Importer:
    def __init__(self, reader: TallyReader, company: Company, options: ImportOptions) -> None:
        self.reader = reader
        self.company = company
        self.options = options

    async def _post(self, objects: Sequence[etree._Element], import_id: str) -> ImportResult:
        request = import_data(self.reader.ctx, import_id, objects, self.options.style)
        return read_import_result(await self.reader.client.post(request))

    async def _existing(self, vouchers: Sequence[Voucher]) -> dict[KeyTuple, PostedVoucher]:
        return await find_existing(
            self.reader,
            self.company,
            [voucher_key(v) for v in vouchers],
            match_type=self.options.match_type,
            match_narration=self.options.match_narration,
        )

    def _key(self, voucher: Voucher) -> KeyTuple:
        return key_of(voucher_key(voucher), self.options.match_type)

    # -- vouchers -------------------------------------------------------------------------

    async def import_vouchers(self, vouchers: Sequence[Voucher]) -> list[VoucherOutcome]:
        outcomes: dict[int, VoucherOutcome] = {}
        candidates: list[tuple[int, Voucher]] = []
        first_of: dict[KeyTuple, int] = {}
        repeats: list[tuple[int, int]] = []
        for index, voucher in enumerate(vouchers):
            try:
                check(voucher)
            except UnrenderableVoucher as exc:
                outcomes[index] = _rejected(voucher, str(exc))
                continue
            key = self._key(voucher)
            if key in first_of:
                repeats.append((index, first_of[key]))  # same number/date twice in one command
                continue
            first_of[key] = index
            candidates.append((index, voucher))
        existing = await self._existing([v for _, v in candidates]) if candidates else {}
        pending: list[tuple[int, Voucher]] = []
        for index, voucher in candidates:
            found = existing.get(self._key(voucher))
            if found is not None:
                outcomes[index] = _exists(voucher, found)
            else:
                pending.append((index, voucher))
        # Batches of one date and type cost one look-up each (read-back, split); outcomes
        # keep the command's order through the index.
        pending.sort(key=lambda pair: (pair[1].date, pair[1].tally_voucher_type))
        size = self.options.batch_size
        for start in range(0, len(pending), size):
            await self._import_batch(pending[start : start + size], outcomes)
        for index, first in repeats:
            outcomes[index] = _repeat(vouchers[index], vouchers[first], outcomes[first])
        return [outcomes[i] for i in range(len(vouchers))]

    async def _import_batch(
        self, batch: list[tuple[int, Voucher]], outcomes: dict[int, VoucherOutcome]
    ) -> None:
        objects = [render_voucher(voucher, self.options.forex) for _, voucher in batch]
        result = await self._post(objects, self.options.voucher_import_id)
        if result.clean:
            await self._record_posted(batch, result, outcomes)
            return
        if len(batch) == 1:
            index, voucher = batch[0]
            if result.created + result.altered > 0 and not result.line_errors:
                await self._record_posted(batch, result, outcomes)
            else:
                outcomes[index] = _rejected(voucher, describe(result))
            return
        rest = batch
        if result.created + result.altered > 0:
            # Some went in: find them (by number and date) so they are not sent again.
            existing = await self._existing([v for _, v in batch])
            rest = []
            for index, voucher in batch:
                found = existing.get(self._key(voucher))
                if found is None:
                    rest.append((index, voucher))
                else:
                    outcomes[index] = _posted(voucher, found, result)
        if len(rest) == 1:
            index, voucher = rest[0]
            outcomes[index] = _rejected(voucher, describe(result))
            return
        half = len(rest) // 2
        for part in (rest[:half], rest[half:]):
            if part:
                await self._import_batch(part, outcomes)

    async def _record_posted(
        self,
        batch: list[tuple[int, Voucher]],
        result: ImportResult,
        outcomes: dict[int, VoucherOutcome],
    ) -> None:
        existing = await self._existing([v for _, v in batch]) if self.options.readback else {}
        for index, voucher in batch:
            found = existing.get(self._key(voucher))
            if found is not None:
                outcomes[index] = _posted(voucher, found, result)
            else:
                # Not found by number (automatic numbering replaces it, §4.7): counters only.
                outcome = "altered" if result.created == 0 and result.altered > 0 else "created"
                outcomes[index] = VoucherOutcome(
                    remote_id=voucher.remote_id, number=voucher.number, outcome=outcome
                )

    # -- masters --------------------------------------------------------------------------

    async def create_masters(self, specs: Sequence[MasterSpec]) -> list[MasterOutcome]:
        outcomes: dict[int, MasterOutcome] = {}
        batch: list[tuple[int, MasterSpec]] = []
        for index, spec in enumerate(specs):
            try:
                render_master(spec)
            except UnrenderableMaster as exc:
                outcomes[index] = MasterOutcome(
                    kind=spec.kind, name=spec.name, outcome="rejected", reason=str(exc)
                )
                continue
            batch.append((index, spec))
        size = self.options.batch_size
        for start in range(0, len(batch), size):
            await self._masters_batch(batch[start : start + size], outcomes)
        return [outcomes[i] for i in range(len(specs))]

    async def _masters_batch(
        self,
        batch: list[tuple[int, MasterSpec]],
        outcomes: dict[int, MasterOutcome],
        first: ImportResult | None = None,
    ) -> None:
        """Masters are keyed by name and a re-sent create overwrites (ALTERED, §4.8), so a
        failing batch is simply split down to single masters. ``first`` is the answer to the
        first request that carried these masters: when it altered nothing, a master that
        reads "altered" on a re-send was in fact created by that first request."""
        result = await self._post([render_master(spec) for _, spec in batch], "All Masters")
        first = first or result
        unambiguous = result.created == 0 or result.altered == 0
        if (result.clean and unambiguous) or len(batch) == 1:
            for index, spec in batch:
                outcomes[index] = _master_outcome(spec, result, first)
            return
        half = len(batch) // 2
        await self._masters_batch(batch[:half], outcomes, first)
        await self._masters_batch(batch[half:], outcomes, first)


def _master_outcome(spec: MasterSpec, result: ImportResult, first: ImportResult) -> MasterOutcome:
    if not result.clean:
        return MasterOutcome(
            kind=spec.kind, name=spec.name, outcome="rejected", reason=describe(result)
        )
    altered = result.created == 0 and result.altered > 0
    if altered and first is not result and first.altered == 0 and first.created > 0:
        altered = False  # created by the first request, overwritten by this re-send
    return MasterOutcome(
        kind=spec.kind, name=spec.name, outcome="altered" if altered else "created"
    )


def _rejected(voucher: Voucher, reason: str) -> VoucherOutcome:
    return VoucherOutcome(
        remote_id=voucher.remote_id, number=voucher.number, outcome="rejected", reason=reason
    )


def _exists(voucher: Voucher, found: PostedVoucher) -> VoucherOutcome:
    detail = " (cancelled)" if found.is_cancelled else ""
    return VoucherOutcome(
        remote_id=voucher.remote_id,
        number=voucher.number,
        outcome="exists",
        master_id=found.master_id,
        guid=found.guid,
        reason=f"{found.voucher_type} {found.number} of {found.date:%Y-%m-%d} is already in "
        f"Tally{detail}",
    )


def _posted(voucher: Voucher, found: PostedVoucher, result: ImportResult) -> VoucherOutcome:
    """Created vouchers take the newest MasterIDs, ending at LASTVCHID (§5.2); an altered
    one keeps its old, lower MasterID."""
    created = result.created > 0 and found.master_id > result.last_vch_id - result.created
    if result.altered == 0:
        created = True
    elif result.created == 0:
        created = False
    return VoucherOutcome(
        remote_id=voucher.remote_id,
        number=voucher.number,
        outcome="created" if created else "altered",
        master_id=found.master_id,
        guid=found.guid,
    )


def _repeat(voucher: Voucher, first: Voucher, first_outcome: VoucherOutcome) -> VoucherOutcome:
    if first_outcome.outcome == "rejected":
        return _rejected(
            voucher,
            f"same number and date as {first.remote_id}, which Tally "
            f"refused: {first_outcome.reason}",
        )
    return VoucherOutcome(
        remote_id=voucher.remote_id,
        number=voucher.number,
        outcome="exists",
        master_id=first_outcome.master_id,
        guid=first_outcome.guid,
        reason=f"same number and date as {first.remote_id} in this command",
    )
