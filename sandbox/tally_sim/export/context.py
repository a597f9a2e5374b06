"""What an export can see: the selected company, the whole state (for Company rows), the
settings and the request's static variables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tally_sim.model.company import Company
from tally_sim.model.state import SimState
from tally_sim.model.values import parse_any_date
from tally_sim.settings import SimSettings
from tally_sim.wire.requests import StaticVars

_EDU_DAYS = (1, 2, 31)


@dataclass
class ExportContext:
    state: SimState
    company: Company | None
    static: StaticVars

    @property
    def settings(self) -> SimSettings:
        return self.state.settings

    def today(self) -> date:
        return self.settings.current_date or date.today()

    def period(self) -> tuple[date, date]:
        """SVFROMDATE/SVTODATE, else the company's current period (tally-xml.md §2.6).

        Educational profile: an SVTODATE on a day other than 1, 2 or 31 is silently ignored
        and the period widens to the whole book (§2.7, BRIDGE §5.3)."""
        company = self.company
        default_from = company.period_from if company else self.today()
        default_to = company.period_to if company else self.today()
        start = parse_any_date(self.static.get("SVFROMDATE")) or default_from
        end = parse_any_date(self.static.get("SVTODATE")) or default_to
        if self.settings.profile == "educational" and end.day not in _EDU_DAYS and company:
            last = company.last_voucher_date() or company.period_to
            return company.books_from, max(last, company.period_to)
        return start, end
