"""The simulator's whole state: companies (loaded or not), the active company, the settings,
and the company-selection rules of tally-xml.md §1.7."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from tally_sim.model.company import Company
from tally_sim.model.defaults import new_company
from tally_sim.model.values import company_key
from tally_sim.settings import SimSettings


class Selection(Enum):
    OK = "ok"
    NO_COMPANY_LOADED = "no company loaded"
    NOT_LOADED = "company not loaded or unknown"
    CREDENTIALS_REFUSED = "credentials refused"


@dataclass(frozen=True)
class CompanyChoice:
    outcome: Selection
    company: Company | None
    requested_name: str | None


class SimState:
    def __init__(self, settings: SimSettings | None = None) -> None:
        self.settings = settings or SimSettings()
        self.companies: list[Company] = []
        self._active_key: str | None = None
        self._next_company_number = 10000

    def clear(self) -> None:
        """Forget every company (used by the admin reset)."""
        self.companies.clear()
        self._active_key = None
        self._next_company_number = 10000

    # -- registry ---------------------------------------------------------------------
    def find(self, name: str) -> Company | None:
        key = company_key(name)
        return next((c for c in self.companies if company_key(c.name) == key), None)

    def create_company(
        self,
        name: str,
        *,
        books_from: date,
        state_name: str = "",
        gstin: str = "",
        loaded: bool = True,
    ) -> Company:
        if self.find(name) is not None:
            raise ValueError(f"company {name!r} already exists")
        company = new_company(
            name,
            books_from=books_from,
            namespace=self.settings.id_namespace,
            company_number=self._next_company_number,
            state_name=state_name,
            gstin=gstin,
        )
        self._next_company_number += 1
        company.loaded = loaded
        self.companies.append(company)
        return company

    def remove_company(self, company: Company) -> None:
        self.companies.remove(company)
        if self._active_key == company_key(company.name):
            self._active_key = None

    def loaded(self) -> list[Company]:
        return [c for c in self.companies if c.loaded]

    def set_active(self, company: Company) -> None:
        self._active_key = company_key(company.name)

    def active(self) -> Company | None:
        """The company Tally uses when SVCURRENTCOMPANY is omitted (§1.7): the one made
        active, else the first loaded."""
        if self._active_key is not None:
            chosen = self.find(self._active_key)
            if chosen is not None and chosen.loaded:
                return chosen
        loaded = self.loaded()
        return loaded[0] if loaded else None

    # -- §1.7 selection -----------------------------------------------------------------
    def choose(
        self,
        requested: str | None,
        username: str | None = None,
        password: str | None = None,
    ) -> CompanyChoice:
        """Resolve SVCURRENTCOMPANY. Omitted -> the active company; a name that is not
        loaded -> NOT_LOADED (callers turn that into the right response shape)."""
        if requested is None or not requested.strip():
            company = self.active()
            if company is None:
                return CompanyChoice(Selection.NO_COMPANY_LOADED, None, None)
        else:
            company = self.find(requested)
            if company is None or not company.loaded:
                return CompanyChoice(Selection.NOT_LOADED, None, requested)
        if company.credentials is not None and (
            username is None
            or password is None
            or username.strip().casefold() != company.credentials.username.casefold()
            or password != company.credentials.password
        ):
            return CompanyChoice(Selection.CREDENTIALS_REFUSED, company, requested)
        return CompanyChoice(Selection.OK, company, requested)
