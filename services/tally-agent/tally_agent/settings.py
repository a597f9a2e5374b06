"""The tally-agent's settings: ``MLC_TALLY_*`` environment variables (or the config file).

Limits are refused at start-up with one sentence rather than discovered as a stuck Tally.
Every behaviour the fact sheet marks UNCERTAIN that the agent depends on is a switch here
(listed in docs/tally-agent.md).
"""

from __future__ import annotations

from typing import Literal

from mlc_shared.config import CommonSettings
from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator

MAX_IMPORT_BATCH = 250
"""The largest batch a public source pushed through successfully: 10,000 vouchers in
batches of 250 (tally-xml.md §5.2, BRIDGE §9.9); bigger requests were seen failing with
"... retry Split" (QUIRKS #11)."""

MAX_EXPORT_WINDOW = 5000
"""Vouchers per collection request: more than 10,000 "might get stuck from tally
indefinitely", LOADER's default is 5,000 (§1.6, §3.5)."""


class TallyAgentSettings(CommonSettings):
    tally_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:9000"), description="TallyPrime's XML port (§1.2)"
    )
    tally_company: str | None = Field(
        default=None,
        description="company name (case- and space-insensitive, §1.7); unset = the one "
        "company loaded in Tally (refused when several are loaded)",
    )
    tally_username: str | None = None
    tally_password: SecretStr | None = None
    tally_send_credentials: bool = Field(
        default=True,
        description="UNCERTAIN (§2.6, §6): send SVUSERNAME/SVPASSWORD when a user name is set",
    )

    tally_connect_timeout: float = Field(default=5.0, gt=0, le=60)
    tally_read_timeout: float = Field(
        default=180.0,
        gt=0,
        le=3600,
        description="seconds to wait for an answer; TallyConnector's default is 3 minutes (§1.6)",
    )
    tally_liveness_wait: float = Field(
        default=900.0,
        gt=0,
        description="after a timeout, how long to wait for GET / to answer before giving up "
        "(Tally kept working ~523 s after a client gave up, §1.5)",
    )
    tally_liveness_interval: float = Field(default=2.0, gt=0, le=60)

    tally_encoding: Literal["utf-16", "utf-8"] = Field(
        default="utf-16",
        description="request charset; the answer's charset follows it and UTF-8 turns every "
        "non-ASCII character into '?' (§1.2)",
    )
    tally_request_bom: bool = Field(
        default=True,
        description="UNCERTAIN: start UTF-16 requests with a BOM (the verified form, §1.2)",
    )

    tally_import_batch_size: int = Field(default=100, ge=1)
    tally_export_window: int = Field(default=MAX_EXPORT_WINDOW, ge=1)
    tally_export_page_size: int = Field(
        default=2000,
        ge=1,
        le=20000,
        description="records per published result message (keeps messages small)",
    )
    tally_import_envelope: Literal["v1", "legacy"] = Field(
        default="v1", description="Import (§2.4) or legacy 'Import Data' (§2.3) envelopes"
    )
    tally_voucher_import_id: Literal["Vouchers", "All Masters"] = Field(
        default="Vouchers", description="ID of voucher imports; both are accepted (§2.4)"
    )
    tally_forex_form: Literal["full", "no_base", "base"] = Field(
        default="full",
        description="UNCERTAIN (§7.3 documents only the export form): how a voucher in a "
        "foreign currency writes its amounts: full '-$448.44 @ 82.99/$ = -37216.04', "
        "no_base '-$448.44 @ 82.99/$' (Tally converts), base '-37216.04' (no forex kept)",
    )
    tally_forex_base_symbol: str = Field(
        default="",
        max_length=8,
        description="UNCERTAIN: the base currency's symbol in forex amounts ('₹' gives "
        "'@ ₹ 82.99/$ = -₹ 37216.04', the export form of §7.3); empty: none (the probed form)",
    )
    tally_forex_allocations: Literal["forex", "base"] = Field(
        default="forex",
        description="UNCERTAIN: bill, batch, accounting and cost-centre allocations of a "
        "forex voucher in the forex form too, or as base amounts",
    )
    tally_voucher_count: Literal["aggregate", "scan"] = Field(
        default="aggregate",
        description="how voucher exports size their date windows: a per-date count "
        "(BY/AGGRCOMPUTE, LOADER, §3.5) or a scan of voucher dates",
    )

    tally_allow_master_create: bool = Field(
        default=False, description="let commands create ledgers, groups, cost centres, items"
    )
    tally_duplicate_match_type: bool = Field(
        default=True,
        description="the duplicate check also matches the voucher type (numbers are per type "
        "in Tally); off = number and date alone",
    )
    tally_duplicate_match_narration: bool = Field(
        default=True,
        description="a voucher of the same type and date with an identical narration also "
        "counts as existing: Automatic numbering replaces our number (§4.7)",
    )
    tally_readback_after_import: bool = Field(
        default=True, description="read imported vouchers back for their MASTERID and GUID"
    )
    tally_check_guid_prefix: bool = Field(
        default=True,
        description="UNCERTAIN (§1.7, §9.11a): refuse rows whose GUID does not start with the "
        "company GUID (a read that silently hit another company)",
    )
    tally_shared_alter_ids: bool = Field(
        default=True,
        description="UNCERTAIN (§3.6): one ALTERID counter per company shared by masters and "
        "vouchers, so one cursor covers both; off = separate counters, two cursors",
    )
    tally_probe_version: bool = Field(
        default=True,
        description="UNCERTAIN (§3.1): ask for @@VersionReleaseString in the status probe",
    )
    tally_status_interval: float = Field(
        default=60.0, gt=0, description="seconds between AgentStatus events"
    )

    @field_validator("tally_import_batch_size")
    @classmethod
    def _batch_survivable(cls, value: int) -> int:
        if value > MAX_IMPORT_BATCH:
            raise ValueError(
                f"{value} vouchers per request is above what Tally is known to survive "
                f"({MAX_IMPORT_BATCH}, tally-xml.md §5.2); use {MAX_IMPORT_BATCH} or fewer"
            )
        return value

    @field_validator("tally_export_window")
    @classmethod
    def _window_survivable(cls, value: int) -> int:
        if value > MAX_EXPORT_WINDOW:
            raise ValueError(
                f"{value} vouchers per export request can leave Tally stuck (tally-xml.md "
                f"§1.6); use {MAX_EXPORT_WINDOW} or fewer"
            )
        return value

    @field_validator("tally_url")
    @classmethod
    def _plain_http(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.scheme != "http":
            raise ValueError("TallyPrime's port speaks plain http:// (§1.2)")
        return value

    @model_validator(mode="after")
    def _password_needs_user(self) -> TallyAgentSettings:
        if self.tally_password is not None and not self.tally_username:
            raise ValueError("MLC_TALLY_PASSWORD is set but MLC_TALLY_USERNAME is not")
        return self

    @property
    def tally_base_url(self) -> str:
        return str(self.tally_url).rstrip("/")
