"""One seller account's view of Walmart: token, throttle, error table and retry policy around
the shared transport. Every resource API (``walmart_gateway.api``) calls :meth:`send`.

Retry policy, one place (walmart-api.md §10.4):

* 401 / 400 INVALID_TOKEN: drop the token, fetch one (single-flight) and try once more; a
  second refusal is a revoked or wrong credential -> :class:`WalmartUnauthorized` + alert.
* 429: wait as Walmart's headers say (capped) and try again, a bounded number of times. A
  429 is answered before the request is processed, so this holds for non-idempotent calls too.
* 5xx, 423 and network errors: idempotent calls are retried with exponential backoff and
  jitter; a non-idempotent call is never repeated here -- it fails with
  :class:`WalmartOutcomeUnknown` and its caller checks whether it took effect (unless the
  request certainly never left, e.g. connection refused).
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from mlc_shared.logging import get_logger
from pydantic import BaseModel, ValidationError

from walmart_gateway.apis import Api, Budget
from walmart_gateway.credentials import WalmartCredentials
from walmart_gateway.errors import (
    Action,
    WalmartConfigurationError,
    WalmartError,
    WalmartOutcomeUnknown,
    WalmartResponseInvalid,
    WalmartThrottled,
    WalmartTransient,
    WalmartUnavailable,
    classify,
    parse_error_body,
)
from walmart_gateway.throttle import Throttle
from walmart_gateway.token_cache import IssuedToken, TokenCache
from walmart_gateway.transport import FormBody, WalmartPort, WalmartRequest, WalmartResponse

log = get_logger(__name__)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ClientPolicy:
    refresh_margin: float = 60.0
    max_throttle_wait: float = 300.0
    max_429_retries: int = 20
    retry_attempts: int = 4
    retry_base_delay: float = 1.0
    retry_max_delay: float = 10.0


class _TokenResponse(BaseModel):
    """``POST /v3/token`` 200 body (§2)."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a token kind)
    expires_in: float = 900.0


def alert(error: WalmartError, *, account: str) -> None:
    """The line an operator's alerting keys on: configuration a human must fix."""
    log.error(
        "walmart.alert",
        alert=True,
        kind=type(error).__name__,
        account=account,
        reason=error.reason,
        wm_correlation_id=error.correlation_id,
    )


class WalmartClient:
    def __init__(
        self,
        transport: WalmartPort,
        credentials: WalmartCredentials,
        *,
        budgets: dict[Api, Budget | None],
        policy: ClientPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport
        self._credentials = credentials
        self._policy = policy or ClientPolicy()
        self._sleep = sleep
        self.throttle = Throttle(budgets, max_wait=self._policy.max_throttle_wait, sleep=sleep)
        self.tokens = TokenCache(self._fetch_token, refresh_margin=self._policy.refresh_margin)
        self.throttled_responses = 0
        """429s received (the benchmarks report that none was left unhandled)."""
        self.alerts = 0
        """Configuration problems reported to an operator (see :func:`alert`)."""

    @property
    def account(self) -> str:
        return self._credentials.account

    async def send(self, request: WalmartRequest) -> WalmartResponse:
        """A 2xx response, or the classified :class:`WalmartError`."""
        return await self._exchange(request, token_call=False)

    async def fetch(self, request: WalmartRequest, model: type[M]) -> M:
        return parse_body(await self.send(request), model)

    async def _fetch_token(self) -> IssuedToken:
        pair = f"{self._credentials.client_id}:{self._credentials.client_secret.get_secret_value()}"
        request = WalmartRequest(
            "POST",
            "/v3/token",
            Api.TOKEN,
            body=FormBody((("grant_type", "client_credentials"),)),
            headers=(("Authorization", "Basic " + base64.b64encode(pair.encode()).decode()),),
        )  # §2: Basic auth, form body, client_credentials
        token = parse_body(await self._exchange(request, token_call=True), _TokenResponse)
        return IssuedToken(token.access_token, float(token.expires_in))

    async def _exchange(self, request: WalmartRequest, *, token_call: bool) -> WalmartResponse:
        policy = self._policy
        refreshed = False
        failures = 0
        throttled = 0
        started = time.monotonic()
        while True:
            try:
                response, token, wait = await self._attempt(request, token_call=token_call)
            except WalmartUnavailable as exc:
                failures += 1
                if (request.idempotent or not exc.sent) and failures < policy.retry_attempts:
                    await self._sleep(self._backoff(failures))
                    continue
                if not request.idempotent and exc.sent:
                    raise WalmartOutcomeUnknown(
                        exc.message, correlation_id=exc.correlation_id, sent=True
                    ) from exc
                raise
            if response.ok:
                return response
            details = parse_error_body(response.body)
            rule = classify(response.status, details, token_call=token_call)
            error = _error(rule.error, request, response, details)
            if rule.action is Action.REFRESH_TOKEN_THEN_RETRY and not refreshed and token:
                refreshed = True
                self.tokens.invalidate(token)
                log.info("walmart.token_refused", status=response.status, codes=error.codes)
                continue
            if rule.action is Action.RATE_LIMITED:
                self.throttled_responses += 1
                throttled += 1
                within = time.monotonic() - started + (wait or 0.0) <= policy.max_throttle_wait
                if throttled <= policy.max_429_retries and within:
                    continue  # acquire() now waits as the headers said, or raises past the cap
                raise WalmartThrottled(
                    error.message,
                    retry_after=wait,
                    api=request.api.value,
                    status=429,
                    details=details,
                    correlation_id=response.correlation_id,
                )
            if rule.action is Action.RETRY:
                failures += 1
                if request.idempotent and failures < policy.retry_attempts:
                    await self._sleep(max(self._backoff(failures), _retry_after(error)))
                    continue
                if not request.idempotent and response.status >= 500:
                    raise WalmartOutcomeUnknown(
                        error.message,
                        status=response.status,
                        details=details,
                        correlation_id=response.correlation_id,
                    )
            if isinstance(error, WalmartConfigurationError):
                self.alerts += 1
                alert(error, account=self.account)
            raise error

    async def _attempt(
        self, request: WalmartRequest, *, token_call: bool
    ) -> tuple[WalmartResponse, str | None, float | None]:
        """One call: budget, token, send, and what Walmart said about the budget."""
        probe = await self.throttle.acquire(request.api)
        try:
            token: str | None = None
            sent = request
            if not token_call:
                token = await self.tokens.get()
                sent = request.with_header("WM_SEC.ACCESS_TOKEN", token)  # §1: not "Bearer"
            response = await self._transport.send(sent)
            wait = self.throttle.observe(request.api, response.status, response.headers)
            return response, token, wait
        finally:
            self.throttle.finished(request.api, probe)

    def _backoff(self, failures: int) -> float:
        policy = self._policy
        delay = min(policy.retry_max_delay, policy.retry_base_delay * 2.0 ** (failures - 1))
        return delay * (0.5 + random.random() / 2)  # jitter: §10.4 "backoff + jitter"


def _retry_after(error: WalmartError) -> float:
    return (error.retry_after or 0.0) if isinstance(error, WalmartTransient) else 0.0


def _error(
    cls: type[WalmartError],
    request: WalmartRequest,
    response: WalmartResponse,
    details: tuple[Any, ...],
) -> WalmartError:
    message = f"{request.method} {request.path} answered {response.status}"
    return cls(
        message, status=response.status, details=details, correlation_id=response.correlation_id
    )


def load_json(body: bytes) -> Any:
    """Walmart JSON with every number that has a fraction as ``Decimal`` (amounts stay exact)."""
    return json.loads(body, parse_float=Decimal)


def parse_body(response: WalmartResponse, model: type[M]) -> M:
    """Walmart JSON -> typed model at the edge; a body of another shape is a clear error."""
    try:
        return model.model_validate(load_json(response.body))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WalmartResponseInvalid(
            f"Walmart answered {response.status} with a body that is not JSON: {exc}",
            status=response.status,
            correlation_id=response.correlation_id,
        ) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in exc.errors()[:3]
        )
        raise WalmartResponseInvalid(
            f"Walmart's answer does not have the expected {model.__name__} shape: {problems}",
            status=response.status,
            correlation_id=response.correlation_id,
        ) from None
