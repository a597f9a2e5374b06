"""OAuth tokens, the WM_* headers and the gateway error envelope (walmart-api.md §1, §2, §10.3)."""

from __future__ import annotations

import httpx
import pytest

from .client import Admin, WalmartClient, basic, wm_headers
from .conftest import CLIENT_ID, CLIENT_SECRET


def gateway_code(response: httpx.Response) -> str:
    code: str = response.json()["error"][0]["code"]
    return code


async def test_token_is_issued_for_basic_credentials_and_a_form_body(wm: WalmartClient) -> None:
    response = await wm.fetch_token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["access_token"].startswith("eyJ")


async def test_bad_credentials_answer_400_by_default(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v3/token",
        data={"grant_type": "client_credentials"},
        headers=wm_headers(Authorization=basic(CLIENT_ID, "wrong")),
    )
    assert response.status_code == 400


async def test_bad_credentials_answer_401_under_the_switch(
    http: httpx.AsyncClient, admin: Admin
) -> None:
    await admin.patch("/config", {"bad_credentials_status": 401})
    response = await http.post(
        "/v3/token",
        data={"grant_type": "client_credentials"},
        headers=wm_headers(Authorization=basic("someone", CLIENT_SECRET)),
    )
    assert response.status_code == 401
    assert gateway_code(response) == "UNAUTHORIZED.GMP_GATEWAY_API"


async def test_token_needs_form_body_and_client_credentials_grant(http: httpx.AsyncClient) -> None:
    auth = basic(CLIENT_ID, CLIENT_SECRET)
    as_json = await http.post(
        "/v3/token",
        json={"grant_type": "client_credentials"},
        headers=wm_headers(Authorization=auth),
    )
    assert as_json.status_code == 415
    wrong_grant = await http.post(
        "/v3/token", data={"grant_type": "password"}, headers=wm_headers(Authorization=auth)
    )
    assert wrong_grant.status_code == 400
    no_basic = await http.post(
        "/v3/token", data={"grant_type": "client_credentials"}, headers=wm_headers()
    )
    assert no_basic.status_code == 400


async def test_token_detail_lists_scopes_with_epoch_ms_strings(
    wm: WalmartClient, admin: Admin
) -> None:
    await admin.patch("/config", {"scopes": {"price": "no_access", "reports": "view_only"}})
    response = await wm.get("/v3/token/detail")
    assert response.status_code == 200
    body = response.json()
    assert int(body["expire_at"]) - int(body["issued_at"]) == 900_000
    assert body["is_valid"] is True
    assert body["scopes"]["price"] == "no_access"
    assert body["scopes"]["reports"] == "view_only"
    assert body["scopes"]["orders"] == "full_access"


async def test_data_calls_are_authenticated_only_by_wm_sec_access_token(
    http: httpx.AsyncClient, wm: WalmartClient
) -> None:
    token = await wm.token()
    bearer = await http.get("/v3/orders", headers=wm_headers(Authorization=f"Bearer {token}"))
    assert bearer.status_code == 401
    assert bearer.json()["error"][0]["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"
    # An Authorization header next to the token is accepted and ignored (§1).
    ignored = await http.get(
        "/v3/items/count", headers=wm_headers(token, Authorization=basic("x", "y"))
    )
    assert ignored.status_code == 200


@pytest.mark.parametrize("missing", ["WM_QOS.CORRELATION_ID", "WM_SVC.NAME"])
async def test_calls_without_required_headers_are_refused(
    http: httpx.AsyncClient, wm: WalmartClient, missing: str
) -> None:
    headers = wm_headers(await wm.token())
    del headers[missing]
    response = await http.get("/v3/items/count", headers=headers)
    assert response.status_code == 400
    error = response.json()["error"][0]
    assert error["code"] == "MISSING_REQUEST_HEADER.GMP_GATEWAY_API"
    assert error["field"] == missing


async def test_expired_token_answers_401_by_default_and_400_invalid_token_by_switch(
    wm: WalmartClient, admin: Admin
) -> None:
    await wm.token()
    await admin.post("/clock/advance", {"seconds": 901})
    expired = await wm.get("/v3/items/count")
    assert expired.status_code == 401
    assert gateway_code(expired) == "UNAUTHORIZED.GMP_GATEWAY_API"
    await admin.patch("/config", {"invalid_token_status": 400})
    legacy = await wm.get("/v3/items/count")
    assert legacy.status_code == 400
    assert gateway_code(legacy) == "INVALID_TOKEN.GMP_GATEWAY_API"
    wm.forget_token()
    assert (await wm.get("/v3/items/count")).status_code == 200


async def test_revoked_tokens_stop_working(wm: WalmartClient, admin: Admin) -> None:
    assert (await wm.get("/v3/items/count")).status_code == 200
    await admin.post("/tokens/revoke")
    assert (await wm.get("/v3/items/count")).status_code == 401


async def test_scopes_are_enforced(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    await admin.patch("/config", {"scopes": {"price": "no_access", "inventory": "view_only"}})
    price = await wm.put(
        "/v3/price",
        json={
            "sku": "SKU-1",
            "pricing": [
                {"currentPriceType": "BASE", "currentPrice": {"currency": "USD", "amount": 9}}
            ],
        },
    )
    assert price.status_code == 403
    assert gateway_code(price) == "FORBIDDEN.GMP_GATEWAY_API"
    read = await wm.get("/v3/inventory", params={"sku": "SKU-1"})
    assert read.status_code == 200
    write = await wm.put(
        "/v3/inventory",
        params={"sku": "SKU-1"},
        json={"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 1}},
    )
    assert write.status_code == 403


async def test_unacceptable_accept_type_and_unknown_paths(wm: WalmartClient) -> None:
    csv = await wm.get("/v3/items/count", headers={"Accept": "text/csv"})
    assert csv.status_code == 406
    assert gateway_code(csv) == "INVALID_ACCEPT_TYPE.GMP_GATEWAY_API"
    unknown = await wm.get("/v3/nothing/here")
    assert unknown.status_code == 404
    assert gateway_code(unknown) == "URI_NOT_FOUND.GMP_GATEWAY_API"


async def test_service_errors_can_arrive_as_a_single_object(
    wm: WalmartClient, admin: Admin
) -> None:
    listed = await wm.get("/v3/orders/0000000000000")
    assert listed.status_code == 404
    assert listed.json()["errors"]["error"][0]["code"] == "CONTENT_NOT_FOUND.GMP_ORDER_API"
    await admin.patch("/config", {"service_error_as_object": True})
    single = await wm.get("/v3/orders/0000000000000")
    assert single.json()["errors"]["error"]["code"] == "CONTENT_NOT_FOUND.GMP_ORDER_API"
