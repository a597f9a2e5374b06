"""Voucher actions: Create (REMOTEID upsert), Alter, Delete, Cancel (tally-xml.md §4.7).

* Create with a client REMOTEID that matches: the voucher is **replaced** in place (same GUID
  and MASTERID, new ALTERID): amounts, entries, date, even the voucher type; omitted fields
  keep their old value; a cancelled voucher is un-cancelled. Counted ALTERED.
* Create without REMOTEID always creates, so a resend duplicates.
* Alter: licensed — matched by REMOTEID or `TAGNAME`/`TAGVALUE` (MasterId, GUID, or
  VoucherNumber with VCHTYPE and DATE) it replaces, unmatched it creates a new voucher (the
  "duplicate" of §4.7); educational — always creates (BRIDGE §9.7 saw CREATED=1 duplicates).
* Delete by REMOTEID or TAGNAME -> DELETED; the REMOTEID is free again so a resend creates a
  new voucher with a new GUID (§4.7). Nothing to delete -> ERRORS, `Item does not exist!`.
* Cancel: licensed — cancelled in place, entries emptied, ALTERED=1, CANCELLED=0; educational
  (or no match) — a new cancelled voucher, CREATED=1 (§4.7, BRIDGE §9.6, §9.14).
* Automatic numbering discards the sent number (§4.7, §4.9); with `auto_numbering=renumber`
  the type's vouchers are renumbered in date order (§3.6 step 5), their ALTERIDs untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tally_sim.importer.parse import VoucherPayload
from tally_sim.importer.result import ImportResult
from tally_sim.importer.voucher_build import Rejected, VoucherBuilder, is_manual
from tally_sim.model.books import apply_voucher
from tally_sim.model.company import Company
from tally_sim.model.masters import VoucherType
from tally_sim.model.values import name_key, parse_any_date
from tally_sim.model.vouchers import Voucher
from tally_sim.settings import SimSettings


@dataclass
class VoucherImporter:
    company: Company
    settings: SimSettings
    result: ImportResult
    position: int = 0
    builder: VoucherBuilder = field(init=False)
    _renumber_due: dict[str, VoucherType] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.builder = VoucherBuilder(self.company, self.settings)

    def finish(self) -> None:
        """Renumber once per request rather than once per voucher (a 10,000-voucher batch
        would otherwise renumber quadratically)."""
        for voucher_type in self._renumber_due.values():
            renumber_type(self.company, voucher_type)
        self._renumber_due.clear()

    @property
    def educational(self) -> bool:
        return self.settings.profile == "educational"

    def apply(self, payload: VoucherPayload) -> bool:
        """Import one voucher; False when it was rejected."""
        self.position += 1
        try:
            if payload.action == "delete":
                self._delete(payload)
            elif payload.action == "cancel":
                self._cancel(payload)
            elif payload.action == "alter":
                self._alter(payload)
            else:
                self._create(payload)
        except Rejected as rejection:
            if rejection.as_error:
                self.result.error(rejection.line_error or "")
            else:
                self.result.reject(rejection.line_error)
            return False
        return True

    # -- actions ------------------------------------------------------------------------
    def _create(self, payload: VoucherPayload) -> None:
        remote = payload.remote_id
        target = self.company.find_voucher_by_remote_id(remote) if remote else None
        if target is not None:
            self._replace(target, payload)
        else:
            self._new(payload)

    def _alter(self, payload: VoucherPayload) -> None:
        target = None if self.educational else self._find(payload)
        if target is not None:
            self._replace(target, payload)
        else:
            self._new(payload)

    def _delete(self, payload: VoucherPayload) -> None:
        target = self._find(payload)
        if target is None:
            raise Rejected("Item does not exist!", as_error=True)
        apply_voucher(self.company, target, -1)
        del self.company.vouchers[target.master_id]
        if target.remote_id:
            self.company.remote_index.pop(target.remote_id, None)
        if self.settings.delete_bumps_alter_id:
            self.company.ids.next_alter_id("voucher")
        self._renumber(self.company.voucher_types.get(target.voucher_type))
        self.result.deleted += 1

    def _cancel(self, payload: VoucherPayload) -> None:
        target = None if self.educational else self._find(payload)
        if target is None:
            self._new(payload, cancelled=True)
            return
        self._replace(target, payload, cancelled=True)

    # -- lookups ------------------------------------------------------------------------
    def _find(self, payload: VoucherPayload) -> Voucher | None:
        company = self.company
        remote = payload.remote_id
        if remote:
            found = company.find_voucher_by_remote_id(remote)
            if found is not None:
                return found
        tag = "".join((payload.attrs.get("TAGNAME") or "").split()).casefold()
        value = (payload.attrs.get("TAGVALUE") or "").strip()
        if not tag or not value:
            return None
        if tag == "masterid":
            return company.vouchers.get(int(value)) if value.isdigit() else None
        if tag == "guid":
            return next((v for v in company.vouchers.values() if v.guid == value), None)
        if tag == "vouchernumber":
            wanted_type = payload.attrs.get("VCHTYPE") or payload.voucher_type
            wanted_date = parse_any_date(payload.attrs.get("DATE") or payload.date_text)
            for voucher in company.vouchers_in_order():
                if voucher.number.casefold() != value.casefold():
                    continue
                if wanted_type and name_key(voucher.voucher_type) != name_key(wanted_type):
                    continue
                if wanted_date and voucher.date != wanted_date:
                    continue
                return voucher
        return None

    # -- commits ------------------------------------------------------------------------
    def _new(self, payload: VoucherPayload, cancelled: bool = False) -> None:
        voucher, voucher_type = self.builder.build(payload, None, self.position, cancelled)
        ids = self.company.ids
        voucher.master_id, voucher.alter_id, voucher.guid = ids.new_object("voucher")
        voucher.vch_key = ids.new_vch_key(voucher.date)
        voucher.remote_id = payload.remote_id or ""
        self.company.vouchers[voucher.master_id] = voucher
        if voucher.remote_id:
            self.company.remote_index[voucher.remote_id] = voucher.master_id
        self._number(voucher, voucher_type, None)
        apply_voucher(self.company, voucher, +1)
        self.result.created += 1
        self.result.lastvchid = voucher.master_id

    def _replace(self, target: Voucher, payload: VoucherPayload, cancelled: bool = False) -> None:
        voucher, voucher_type = self.builder.build(payload, target, self.position, cancelled)
        voucher.master_id, voucher.guid, voucher.vch_key = (
            target.master_id,
            target.guid,
            target.vch_key,
        )
        voucher.remote_id = target.remote_id or payload.remote_id or ""
        apply_voucher(self.company, target, -1)
        voucher.alter_id = self.company.ids.next_alter_id("voucher")
        self.company.vouchers[voucher.master_id] = voucher
        if voucher.remote_id:
            self.company.remote_index[voucher.remote_id] = voucher.master_id
        self._number(voucher, voucher_type, target)
        if name_key(target.voucher_type) != name_key(voucher.voucher_type):
            self._renumber(self.company.voucher_types.get(target.voucher_type))
        apply_voucher(self.company, voucher, +1)
        self.result.altered += 1

    def _number(
        self, voucher: Voucher, voucher_type: VoucherType, previous: Voucher | None
    ) -> None:
        if is_manual(voucher_type):
            return
        if self.settings.auto_numbering == "renumber":
            self._renumber(voucher_type)
            return
        same_type = previous is not None and name_key(previous.voucher_type) == name_key(
            voucher_type.name
        )
        if previous is not None and same_type and previous.number:
            voucher.number = previous.number
        else:
            voucher.number = str(voucher_type.next_number)
            voucher_type.next_number += 1

    def _renumber(self, voucher_type: VoucherType | None) -> None:
        if (
            voucher_type is None
            or is_manual(voucher_type)
            or self.settings.auto_numbering != "renumber"
        ):
            return
        self._renumber_due[name_key(voucher_type.name)] = voucher_type


def renumber_type(company: Company, voucher_type: VoucherType) -> None:
    """Automatic numbering in date order (§3.6 step 5); ALTERIDs are not touched."""
    key = name_key(voucher_type.name)
    members = [v for v in company.vouchers.values() if name_key(v.voucher_type) == key]
    members.sort(key=lambda v: (v.date, v.master_id))
    for position, voucher in enumerate(members, start=1):
        voucher.number = str(position)
    voucher_type.next_number = len(members) + 1
