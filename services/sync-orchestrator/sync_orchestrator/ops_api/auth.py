"""Bearer-token authentication of the operator API.

One shared token (``MLC_OPERATOR_TOKEN``), compared in constant time (``hmac.compare_digest``)
so response timing says nothing about how much of a guess was right. Without a configured
token every call is refused: an operator API must never be open by omission.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="the value of MLC_OPERATOR_TOKEN")


async def require_operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    expected = request.app.state.operator_token
    given = credentials.credentials if credentials is not None else ""
    if expected is None or not hmac.compare_digest(
        given.encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(
            status_code=401,
            detail="a valid operator token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
