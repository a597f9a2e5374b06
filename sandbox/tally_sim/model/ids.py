"""Identity allocation for one company: MASTERID, ALTERID, GUID, VCHKEY and the company-level
high-water marks ALTMSTID / ALTVCHID (tally-xml.md §3.1, §3.6).

* GUID = `<company GUID>-<MASTERID as 8 hex digits>` (§3.6, TC fixtures, BRIDGE §9.11a).
* Every create or alter takes the next ALTERID; deletions and rejected imports take none
  (§5.2: "rejected voucher consumes no MasterID/AlterID").
* Whether masters and vouchers share one counter is UNCERTAIN (§3.6): `shared` (the sheet's
  reading) or `separate` (a live capture shows a first voucher with MASTERID 1 in a company
  that already held masters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Kind = Literal["master", "voucher"]

_VCHKEY_EPOCH = date(1899, 12, 31)


@dataclass
class _Sequence:
    next_master_id: int = 1
    last_alter_id: int = 0


class IdAllocator:
    def __init__(self, company_guid: str, namespace: Literal["shared", "separate"]) -> None:
        self.company_guid = company_guid
        self.namespace = namespace
        self._sequences: dict[Kind, _Sequence] = {"master": _Sequence()}
        self._sequences["voucher"] = (
            self._sequences["master"] if namespace == "shared" else _Sequence()
        )
        self.alt_mst_id = 0
        self.alt_vch_id = 0
        self._vch_key_seq = 0

    def guid_for(self, master_id: int) -> str:
        return f"{self.company_guid}-{master_id:08x}"

    def new_object(self, kind: Kind) -> tuple[int, int, str]:
        """MASTERID, ALTERID and GUID for a newly created object."""
        sequence = self._sequences[kind]
        master_id = sequence.next_master_id
        sequence.next_master_id += 1
        return master_id, self.next_alter_id(kind), self.guid_for(master_id)

    def next_alter_id(self, kind: Kind) -> int:
        sequence = self._sequences[kind]
        sequence.last_alter_id += 1
        if kind == "master":
            self.alt_mst_id = sequence.last_alter_id
        else:
            self.alt_vch_id = sequence.last_alter_id
        return sequence.last_alter_id

    def new_vch_key(self, voucher_date: date) -> str:
        """VCHKEY looks like `<company GUID>-<hex>:<8 hex>`; its meaning is UNCERTAIN (§3.6).
        A live capture (`…-0000b49a:00000008` for a voucher dated 2026-08-01) fits days since
        1899-12-31 and a step of 8, which is what we emit."""
        self._vch_key_seq += 8
        days = (voucher_date - _VCHKEY_EPOCH).days
        return f"{self.company_guid}-{days:08x}:{self._vch_key_seq:08x}"
