"""Does a voucher with this number and date already exist in Tally? (the duplicate check)

The seller's rule: a voucher is "the same" when its number and date match (and, by default,
its type: Tally numbers each voucher type separately; MLC_TALLY_DUPLICATE_MATCH_TYPE).
Keys are grouped by (date, type) and each group is one collection read filtered by date
(and type, and number when the group has only one), so a batch of orders from one day costs
one request.

Under Automatic numbering Tally discards the number we send and assigns its own (§4.7), so
number and date can never find our voucher again. With MLC_TALLY_DUPLICATE_MATCH_NARRATION a
voucher of the same type and date whose narration is identical to ours (the orchestrator's
narrations carry a unique marker, the durable key §4.7 recommends) also counts as the same. Numbers are compared trimmed and case-insensitively: a false "exists" is
reported with the voucher found, a false "new" would post twice. Cancelled vouchers count
as existing: re-importing would un-cancel them (an upsert onto a cancelled voucher
un-cancels it, §4.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mlc_shared.domain.tally import Company, PostedVoucher, VoucherKey

from tally_agent.kinds import VOUCHER_KEY_FETCH
from tally_agent.protocol import filters
from tally_agent.reads import TallyReader

KeyTuple = tuple[str, date, str]


def normalise_number(number: str) -> str:
    return number.strip().casefold()


def key_of(key: VoucherKey, match_type: bool) -> KeyTuple:
    return (
        key.voucher_type.strip().casefold() if match_type else "",
        key.date,
        normalise_number(key.number),
    )


def posted_key(voucher: PostedVoucher, match_type: bool) -> KeyTuple:
    return (
        voucher.voucher_type.strip().casefold() if match_type else "",
        voucher.date,
        normalise_number(voucher.number),
    )


def narration_key(voucher_type: str, day: date, narration: str, match_type: bool) -> KeyTuple:
    return (voucher_type.strip().casefold() if match_type else "", day, narration.strip())


async def find_existing(
    reader: TallyReader,
    company: Company,
    keys: Iterable[VoucherKey],
    *,
    match_type: bool = True,
    match_narration: bool = True,
) -> dict[KeyTuple, PostedVoucher]:
    """The vouchers in Tally matching ``keys``, by :func:`key_of` of the key."""
    groups: dict[tuple[date, str | None], list[VoucherKey]] = {}
    for key in keys:
        groups.setdefault((key.date, key.voucher_type if match_type else None), []).append(key)
    wanted = {key_of(k, match_type) for members in groups.values() for k in members}
    by_narration = {
        narration_key(k.voucher_type, k.date, k.narration, match_type): key_of(k, match_type)
        for members in groups.values()
        for k in members
        if match_narration and k.narration
    }
    found: dict[KeyTuple, PostedVoucher] = {}
    for (day, voucher_type), members in groups.items():
        conditions = [filters.date_is(day)]
        if voucher_type is not None:
            conditions.append(filters.voucher_type_is(voucher_type))
        if len(members) == 1 and not by_narration:
            conditions.append(filters.voucher_number_is(members[0].number))
        async with reader.vouchers(company, conditions, fetch=VOUCHER_KEY_FETCH) as rows:
            async for voucher in rows:
                # Re-checked here: Tally may ignore a filter (QUIRKS #6) or match loosely.
                matched: KeyTuple | None = posted_key(voucher, match_type)
                if matched not in wanted and voucher.narration:
                    matched = by_narration.get(
                        narration_key(
                            voucher.voucher_type, voucher.date, voucher.narration, match_type
                        )
                    )
                if matched is not None and matched in wanted and matched not in found:
                    found[matched] = voucher
    return found
