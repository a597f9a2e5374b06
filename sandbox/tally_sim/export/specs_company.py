"""Export spec of companies (tally-xml.md §3.1): name, GUID, period and book dates, the
ALTMSTID/ALTVCHID high-water marks and master counts."""

from __future__ import annotations

from typing import Any

from tally_sim.export.spec import ObjectSpec, Scalar
from tally_sim.model.company import Company


def _attrs(company: Company, _ctx: Any, _interchange: bool) -> list[tuple[str, str]]:
    return [("NAME", company.name), ("RESERVEDNAME", "")]


COMPANY = ObjectSpec(
    "COMPANY",
    [
        Scalar("NAME", "String", lambda c, _x: c.name, render=False),
        Scalar("GUID", "String", lambda c, _x: c.guid),
        Scalar("BASICCOMPANYFORMALNAME", "String", lambda c, _x: c.formal_name),
        Scalar("STATENAME", "String", lambda c, _x: c.state_name),
        Scalar("COUNTRYNAME", "String", lambda c, _x: c.country_name),
        Scalar("STARTINGFROM", "Date", lambda c, _x: c.period_from),
        Scalar("ENDINGAT", "Date", lambda c, _x: c.period_to),
        Scalar("BOOKSFROM", "Date", lambda c, _x: c.books_from),
        Scalar("LASTVOUCHERDATE", "Date", lambda c, _x: c.last_voucher_date()),
        Scalar("COMPANYNUMBER", "String", lambda c, _x: str(c.company_number)),
        Scalar("ALTMSTID", "Number", lambda c, _x: c.ids.alt_mst_id),
        Scalar("ALTVCHID", "Number", lambda c, _x: c.ids.alt_vch_id),
        Scalar("NUMGROUPS", "Number", lambda c, _x: len(c.groups)),
        Scalar("NUMLEDGERS", "Number", lambda c, _x: len(c.ledgers)),
        Scalar("NUMCOSTCENTRES", "Number", lambda c, _x: len(c.cost_centres)),
        Scalar("NUMGODOWNS", "Number", lambda c, _x: len(c.godowns)),
        Scalar("NUMUNITS", "Number", lambda c, _x: len(c.units)),
        Scalar("NUMSTOCKGROUPS", "Number", lambda c, _x: len(c.stock_groups)),
        Scalar("NUMSTOCKITEMS", "Number", lambda c, _x: len(c.stock_items)),
        Scalar("NUMVOUCHERTYPES", "Number", lambda c, _x: len(c.voucher_types)),
        Scalar("NUMVOUCHERS", "Number", lambda c, _x: len(c.vouchers)),
    ],
    attrs=_attrs,
)
