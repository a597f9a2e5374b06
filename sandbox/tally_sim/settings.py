"""The simulator's switches. Each one is a behaviour the fact sheet marks UNCERTAIN or that
differs between TallyPrime editions; docs/tally-simulator.md lists them with their sections.

Changed at run time through the admin API (`PATCH /settings`). `id_namespace` applies to
companies created after the change.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Profile = Literal["licensed", "educational"]


class SimSettings(BaseModel):
    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    profile: Profile = Field(
        "licensed",
        description="licensed TallyPrime 7.1 vs Edit Log 7.0 Educational behaviour "
        "(§2.7 dates 1/2/31, §4.7 Alter and Cancel semantics)",
    )
    id_namespace: Literal["shared", "separate"] = Field(
        "shared",
        description="§3.6: one ALTERID/MASTERID counter per company shared by masters and "
        "vouchers, or separate counters for each kind",
    )
    import_response_shape: Literal["response", "envelope"] = Field(
        "response", description="§1.4 shape D (<RESPONSE>) or D' (ENVELOPE/IMPORTRESULT)"
    )
    lineerror_position: Literal["last", "first"] = Field(
        "last", description="§5.1: LINEERROR after the counters or before them"
    )
    unknown_company_reads: Literal["empty", "error"] = Field(
        "empty",
        description="§1.7: a collection read naming an unknown company returns 0 rows with "
        "STATUS=1 (observed on EDU) or the SVCurrentCompany error",
    )
    report_wrapper: Literal["importdata", "data"] = Field(
        "importdata",
        description="§2.1: built-in data-interchange reports wrapped as ENVELOPE>BODY>"
        "IMPORTDATA>REQUESTDATA>TALLYMESSAGE or ENVELOPE>BODY>DATA>TALLYMESSAGE",
    )
    report_date_range: Literal["honour", "quirky"] = Field(
        "honour",
        description="§2.1/QUIRKS #6: quirky = Day Book answers only the last voucher date and "
        "Voucher Register ignores the range and answers the whole period",
    )
    auto_numbering: Literal["renumber", "append"] = Field(
        "renumber",
        description="§3.6 step 5: Automatic numbering renumbers later vouchers when one is "
        "inserted in between (their ALTERIDs unchanged), or only appends",
    )
    jd_epoch: Literal["ole", "1900"] = Field(
        "ole",
        description="§2.7: JD of Function date results, OLE serial (LOADER, +25569 to Unix) or "
        "JD 1 = 1900-01-01",
    )
    blank_closing_balances: bool = Field(
        False,
        description="§3.2/QUIRKS #5: collections render ClosingBalance/ClosingValue/ClosingQty "
        "empty",
    )
    delete_bumps_alter_id: bool = Field(
        False,
        description="§3.6: whether a delete consumes an ALTERID (moving ALTMSTID/ALTVCHID); "
        "deletions stay invisible to $AlterID filters either way",
    )
    current_date: date | None = Field(None, description="$$CurrentDate; None means today's date")
    request_log_limit: int = Field(2000, ge=1, description="requests kept by the request log")
    request_log_body_limit: int = Field(
        1_000_000, ge=0, description="characters of each request body kept in the log"
    )
