"""Ship nodes (walmart-api.md §5, a bare JSON array) and lag time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..context import SimContext
from ..errors import not_found, service_error
from ..guard import guard
from ..models import ShipNode
from ..wire import json_response

router = APIRouter()


def node_json(node: ShipNode, calendar: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shipNode": node.ship_node,
        "nodeType": node.node_type,
        "shipNodeName": node.name,
        "status": node.status,
        "timeZone": node.time_zone,
        "distributorSupportedServices": ["TWO_DAY_DELIVERY"],
        "customNodeId": node.custom_node_id,
        "postalAddress": dict(node.address),
        "shippingDetails": [
            {"twoDayShipping": [{"carrierMethodName": "FEDEX", "carrierMethodType": "GROUND"}]}
        ],
    }
    if calendar:
        working = {"isWorkingDay": True, "cutOffTime": "14:00"}
        body["calendarDayConfiguration"] = {
            "standardProcessingSchedule": {
                day: working
                if day not in ("saturday", "sunday")
                else {"isWorkingDay": False, "cutOffTime": "14:00"}
                for day in (
                    "sunday",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                )
            },
            "additionalDaysOff": [],
        }
    return body


@router.get("/v3/settings/shipping/shipnodes")
async def ship_nodes(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "shipping"))]
) -> Response:
    calendar = (
        request.query_params.get("includeCalendarDayConfiguration", "false").lower() == "true"
    )
    return json_response([node_json(n, calendar) for n in ctx.state.ship_nodes])


@router.get("/v3/lagtime")
async def lag_time(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "lagtime"))]
) -> Response:
    sku = request.query_params.get("sku")
    if not sku:
        raise service_error("lagtime", 400, "MISSING_REQUEST_PARAM", "sku is required", field="sku")
    item = ctx.state.items.get(sku)
    if item is None:
        raise not_found("lagtime", f"SKU {sku} is not set up in the catalog")
    return json_response({"sku": item.sku, "fulfillmentLagTime": item.lag_time_days})
