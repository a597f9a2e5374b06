"""Reconciliation (settlement) reports (walmart-api.md §8.1).

The zip (``reconFile``, ``Accept: application/octet-stream`` -- ``text/csv`` gets a 406, §1)
is preferred: it is the whole period, while the JSON pages may be capped at 1,000 rows
(§8.1, UNCERTAIN). When the zip cannot be had or read (an error body with HTTP 200, a
refused media type), the JSON pages are read instead, following ``nextOffset`` until -1.
"""

from __future__ import annotations

from mlc_shared.domain.walmart import ReconReport, ReconRow
from mlc_shared.logging import get_logger
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartMisconfigured, WalmartRejected, WalmartResponseInvalid
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest
from walmart_gateway.wire.recon import (
    AvailableReconFiles,
    NotAReconFile,
    ReconJsonPage,
    ReconParseError,
    csv_from_zip,
    declared_lines,
    parse_csv,
    report_day,
    rows_from_json,
)

log = get_logger(__name__)
_RECON = "/v3/report/reconreport"


class ReconApi:
    def __init__(self, client: WalmartClient, settings: WalmartSettings) -> None:
        self._client = client
        self._settings = settings

    async def dates(self) -> list[str]:
        """Available report dates, MMDDYYYY as Walmart lists them, oldest first."""
        answer = await self._client.fetch(
            WalmartRequest(
                "GET",
                f"{_RECON}/availableReconFiles",
                Api.RECON,
                params=(("reportVersion", self._settings.walmart_recon_report_version),),
            ),
            AvailableReconFiles,
        )
        dates = list(dict.fromkeys(answer.availableApReportDates))
        try:
            return sorted(dates, key=report_day)
        except ValueError:
            return dates  # an unexpected format: keep Walmart's order rather than fail

    async def report(self, report_date: str) -> ReconReport:
        if self._settings.walmart_recon_source == "json":
            return await self._from_json(report_date)
        try:
            return await self._from_zip(report_date)
        except NotAReconFile as exc:
            reason = str(exc)
        except (WalmartRejected, WalmartMisconfigured) as exc:
            reason = exc.reason
        except ReconParseError as exc:
            raise WalmartResponseInvalid(str(exc)) from None  # a report, with a row we cannot read
        log.warning("walmart.recon_zip_failed", report_date=report_date, reason=reason)
        return await self._from_json(report_date)

    async def _from_zip(self, report_date: str) -> ReconReport:
        response = await self._client.send(
            WalmartRequest(
                "GET",
                f"{_RECON}/reconFile",
                Api.RECON,
                accept="application/octet-stream",
                params=(
                    ("reportDate", report_date),
                    ("reportVersion", self._settings.walmart_recon_report_version),
                ),
            )
        )
        rows, declared = parse_csv(csv_from_zip(response.body))
        return ReconReport(
            report_date=report_date, rows=tuple(rows), source="zip", declared_row_count=declared
        )

    async def _from_json(self, report_date: str) -> ReconReport:
        rows: list[ReconRow] = []
        declared: int | None = None
        offset = 0
        seen: set[int] = set()
        while True:
            page = await self._client.fetch(
                WalmartRequest(
                    "GET",
                    f"{_RECON}/reconFileJson",
                    Api.RECON,
                    params=(
                        ("reportDate", report_date),
                        ("offset", str(offset)),
                        ("noOfRecords", str(self._settings.walmart_recon_json_page_size)),
                    ),
                ),
                ReconJsonPage,
            )
            try:
                rows.extend(rows_from_json(page, len(rows)))
                if declared is None:
                    declared = declared_lines(page.description)
            except ReconParseError as exc:
                raise WalmartResponseInvalid(str(exc)) from None
            # S3: keep going until nextOffset == -1 (S2: it is a byte offset -- opaque to us).
            if page.nextOffset is None or page.nextOffset < 0 or not page.reportData:
                break
            if page.nextOffset in seen:
                raise WalmartResponseInvalid(f"reconFileJson repeated offset {page.nextOffset}")
            seen.add(page.nextOffset)
            offset = page.nextOffset
        return ReconReport(
            report_date=report_date, rows=tuple(rows), source="json", declared_row_count=declared
        )
