"""Reconciliation reports and the payment statement (walmart-api.md §8.1).

``reconFile`` serves a zip (``Accept: application/octet-stream``; ``text/csv`` → 406) and
answers errors with Walmart's XML ``<errors>`` body, or with HTTP 200 and a JSON body under
the ``recon_errors_as_200`` switch (seen live, C-62636022886). ``reconFileJson`` needs all of
``reportDate``, ``offset`` and ``noOfRecords`` (≤ 1000).
"""

from __future__ import annotations

from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..context import SimContext
from ..errors import WalmartError, not_found, service_error
from ..guard import guard
from ..models import Settlement
from ..recon_files import json_page, line_count_text, zip_file
from ..statement import statement
from ..wire import json_response

router = APIRouter()
MAX_RECORDS = 1000


def _version(request: Request) -> None:
    version = request.query_params.get("reportVersion")
    if version not in (None, "v1"):
        # S3 (live): reportVersion=v2 → 404 INVALID_REPORT_VERSION.
        raise WalmartError(
            404, "INVALID_REPORT_VERSION", f"Invalid report version {version}", suffix=None
        )


def _dates(ctx: SimContext) -> list[str]:
    return [
        s.report_date for s in sorted(ctx.state.settlements.values(), key=lambda s: s.period_end_ms)
    ]


@router.get("/v3/report/reconreport/availableReconFiles")
async def available(
    request: Request, ctx: Annotated[SimContext, Depends(guard("reports.recon", "reports"))]
) -> Response:
    _version(request)
    return json_response({"availableApReportDates": _dates(ctx)})


def _xml_error(code: str, description: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><errors><error>'
        f"<code>{escape(code)}</code><description>{escape(description)}</description>"
        "<severity>ERROR</severity><category>DATA</category><errorIdentifiers/>"
        "</error></errors>"
    ).encode()


def _file_error(ctx: SimContext, code: str, description: str) -> Response:
    if ctx.config.recon_errors_as_200:
        error = WalmartError(400, code, description, suffix=None)
        return json_response(error.body(), 200)
    return Response(_xml_error(code, description), status_code=400, media_type="application/xml")


@router.get("/v3/report/reconreport/reconFile")
async def recon_file(
    request: Request,
    ctx: Annotated[
        SimContext,
        Depends(guard("reports.recon", "reports", produces=("application/octet-stream",))),
    ],
) -> Response:
    _version(request)
    report_date = request.query_params.get("reportDate")
    if not report_date:
        return _file_error(ctx, "MISSING_REQUEST_PARAM", "reportDate is required")
    settlement = ctx.state.settlements.get(report_date)
    if settlement is None:
        return _file_error(ctx, "CONTENT_NOT_FOUND", f"No report for reportDate {report_date}")
    data, name = zip_file(
        settlement, ctx.config.partner_id, line_count_row=ctx.config.recon_line_count_row
    )
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _required_int(request: Request, name: str) -> int:
    text = request.query_params.get(name)
    if text is None:
        raise service_error(
            "reports", 400, "MISSING_REQUEST_PARAM", f"{name} is required", field=name
        )
    try:
        return int(text)
    except ValueError as exc:
        raise service_error(
            "reports", 400, "INVALID_REQUEST_PARAM", f"Invalid {name} {text}", field=name
        ) from exc


def _settlement(ctx: SimContext, report_date: str | None) -> Settlement:
    if not report_date:
        raise service_error(
            "reports", 400, "MISSING_REQUEST_PARAM", "reportDate is required", field="reportDate"
        )
    settlement = ctx.state.settlements.get(report_date)
    if settlement is None:
        raise not_found("reports", f"No report for reportDate {report_date}")
    return settlement


@router.get("/v3/report/reconreport/reconFileJson")
async def recon_json(
    request: Request, ctx: Annotated[SimContext, Depends(guard("reports.recon", "reports"))]
) -> Response:
    _version(request)
    report_date = request.query_params.get("reportDate")
    offset = _required_int(request, "offset")
    count = _required_int(request, "noOfRecords")
    settlement = _settlement(ctx, report_date)
    if not 1 <= count <= MAX_RECORDS:
        raise service_error(
            "reports",
            400,
            "INVALID_REQUEST_PARAM",
            "noOfRecords must be 1..1000",
            field="noOfRecords",
        )
    invalid_offset = WalmartError(
        400, "INVALID_OFFSET", f"Invalid offset {offset}", suffix=None, field="offset"
    )
    if ctx.config.recon_json_row_cap and offset != 0:
        raise invalid_offset
    page = json_page(
        settlement,
        offset=offset,
        count=count,
        line_count_row=ctx.config.recon_line_count_row,
        row_cap=ctx.config.recon_json_row_cap,
    )
    if page is None:
        raise invalid_offset
    return json_response(
        {
            "reportData": page.rows,
            "nextOffset": page.next_offset,
            "totalRecords": len(page.rows),
            "description": line_count_text(settlement),
        }
    )


@router.get("/v3/report/payment/statement")
async def payment_statement(
    ctx: Annotated[SimContext, Depends(guard("reports.statement", "reports"))],
) -> Response:
    return json_response(statement(ctx))
