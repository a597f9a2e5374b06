"""Master actions (tally-xml.md §4.8).

* Masters are keyed by name. `ACTION="Create"` on an existing name alters it: CREATED=0,
  ALTERED=1 (BRIDGE §9.4). A rename keeps the old name in the NAME attribute and the new one
  first in `LANGUAGENAME.LIST` (the rest are aliases); renaming onto another master's name is
  refused (QUIRKS #19, `<Type> '<name>' already exists!`).
* An inner `<NAME>` (or a LANGUAGENAME list) is required (QUIRKS #14 "or it throws"): refused
  with EXCEPTIONS and no LINEERROR.
* Delete of a missing master: ERRORS=1, `Item does not exist!` (BRIDGE §9.7). Delete of a
  predefined master or one still in use: EXCEPTIONS, no LINEERROR (simulator choice; the sheet
  has no text for it). Alter of a missing master: treated like delete of one.
* IMPORTDUPS (UNCERTAIN, §2.4/§5.2): `@@DUPIGNORECOMBINE` leaves an existing master alone and
  counts IGNORED; `@@DUPCOMBINE` merges and counts COMBINED; anything else counts ALTERED.
* `COMPANY ACTION="Create"` renames the loaded company (ALTERED=1, BRIDGE §9.10d).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tally_sim.importer import master_fields, master_rules
from tally_sim.importer.parse import MasterPayload
from tally_sim.importer.references import in_use, rename_references
from tally_sim.importer.result import ImportResult
from tally_sim.model.company import Company
from tally_sim.model.defaults import add_master
from tally_sim.model.state import SimState
from tally_sim.model.values import name_key


@dataclass
class MasterImporter:
    state: SimState
    company: Company
    result: ImportResult
    import_dups: str = ""

    def apply(self, payload: MasterPayload) -> bool:
        """Import one master; False when it was rejected or failed."""
        if payload.kind == "COMPANY":
            return self._company(payload)
        kind = master_rules.KINDS.get(payload.kind)
        if kind is None:
            return True  # not a master we model: ignored without counting
        attribute, cls, label = kind
        table: Any = getattr(self.company, attribute)
        unnamed = payload.inner_name is None and not payload.language_names
        if unnamed and (payload.action != "delete" or payload.name_attr is None):
            self.result.reject(None)
            return False
        existing = table.get(payload.lookup_name)
        if payload.action == "delete":
            return self._delete(payload.kind, table, existing)
        if existing is None and payload.action == "alter":
            self.result.error("Item does not exist!")
            return False
        error = master_rules.validate(
            payload.kind, payload.fields, payload.node, self.company, existing is None
        )
        if error is not None:
            self.result.reject(error)
            return False
        new_name = payload.new_name or payload.lookup_name or ""
        aliases = payload.language_names[1:]
        if existing is None:
            master = cls(name=new_name)
            master_fields.apply(payload.kind, master, payload.fields, payload.node, self.company)
            master.aliases = aliases
            add_master(self.company, table, master)
            self.result.created += 1
            return True
        return self._alter(payload, table, existing, new_name, aliases, label)

    def _alter(
        self,
        payload: MasterPayload,
        table: Any,
        existing: Any,
        new_name: str,
        aliases: list[str],
        label: str,
    ) -> bool:
        dups = self.import_dups.strip().casefold()
        if dups == "@@dupignorecombine":
            self.result.ignored += 1
            return True
        renaming = name_key(new_name) != name_key(existing.name)
        if renaming and table.get(new_name) not in (None, existing):
            self.result.reject(f"{label} '{new_name}' already exists!")
            return False
        old_name = existing.name
        master_fields.apply(payload.kind, existing, payload.fields, payload.node, self.company)
        if renaming or new_name != existing.name:
            table.rename(
                existing, new_name, aliases if payload.language_names else existing.aliases
            )
            rename_references(self.company, payload.kind, old_name, new_name)
        elif payload.language_names:
            table.set_aliases(existing, aliases)
        existing.alter_id = self.company.ids.next_alter_id("master")
        if dups == "@@dupcombine":
            self.result.combined += 1
        else:
            self.result.altered += 1
        return True

    def _delete(self, kind: str, table: Any, existing: Any) -> bool:
        if existing is None:
            self.result.error("Item does not exist!")
            return False
        if in_use(self.company, kind, existing):
            self.result.reject(None)
            return False
        table.remove(existing)
        if self.state.settings.delete_bumps_alter_id:
            self.company.ids.next_alter_id("master")
        self.result.deleted += 1
        return True

    def _company(self, payload: MasterPayload) -> bool:
        new_name = payload.inner_name or payload.name_attr
        if not new_name or payload.action == "delete":
            self.result.reject(None)
            return False
        other = self.state.find(new_name)
        if other is not None and other is not self.company:
            self.result.reject(f"Company '{new_name}' already exists!")
            return False
        self.company.name = new_name
        self.company.formal_name = new_name
        self.result.altered += 1
        return True
