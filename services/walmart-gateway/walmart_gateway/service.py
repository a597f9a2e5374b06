"""The walmart-gateway service: consumes ``walmart.commands``, answers on ``orchestrator.events``.

How each branch of the error tree (``walmart_gateway.errors``) leaves a handler:

==============================  ============================================================
WalmartTransient (5xx, 429...)  ``RetryLater`` (``delay`` = Walmart's wait when it gave one;
                                not counted toward the delivery limit unless the failure can
                                be the message's fault, i.e. a 500 or an ambiguous write)
WalmartConfigurationError       alert line (logged by the client) + ``RetryLater`` not counted:
                                an operator fixes credentials/scope, then work resumes
WalmartRejected / NotFound      ``WalmartRequestRejected`` event with Walmart's reason; acked
WalmartResponseInvalid          ``Reject``: parked with the reason (resending cannot help)
no credentials for the tenant   ``Reject`` (replay after registering the account)
==============================  ============================================================

Result ids are derived from the command's id, so a command handled twice (redelivered after
a crash before its ack) publishes the same message ids and the orchestrator's inbox drops
the repeats.
"""

from __future__ import annotations

import uuid

from mlc_shared.bus.base import Bus, Reject, RetryLater, Subscription
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS
from mlc_shared.logging import bind_context, clear_context, get_logger
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.walmart import WalmartRequestRejected

from walmart_gateway.credentials import CredentialsProvider
from walmart_gateway.errors import (
    WalmartConfigurationError,
    WalmartNotFound,
    WalmartOutcomeUnknown,
    WalmartRejected,
    WalmartResponseInvalid,
    WalmartTransient,
    WalmartUnavailable,
)
from walmart_gateway.gateway import UnknownTenant, WalmartGateway
from walmart_gateway.handlers import HANDLERS, subject_of
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartPort

log = get_logger(__name__)
_RESULT_IDS = uuid.UUID("1f0c6f4e-5c1e-4d55-9a52-6d2f0b7f3a10")


class WalmartGatewayService:
    def __init__(
        self,
        settings: WalmartSettings,
        bus: Bus,
        *,
        credentials: CredentialsProvider | None = None,
        transport: WalmartPort | None = None,
    ) -> None:
        self.settings = settings
        self.gateway = WalmartGateway(settings, credentials=credentials, transport=transport)
        self._bus = bus
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Consume ``walmart.commands`` (prefetch bounded by the topology's policy)."""
        if self._subscription is None:
            self._subscription = await self._bus.consume(WALMART_COMMANDS, self.handle)
            log.info("walmart_gateway.started", base_url=self.settings.walmart_base_url)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()
            self._subscription = None
        await self.gateway.aclose()
        log.info("walmart_gateway.stopped")

    async def handle(self, envelope: Envelope) -> None:
        clear_context()
        bind_context(
            tenant=envelope.tenant,
            correlation_id=envelope.correlation_id,
            message_id=envelope.message_id,
            message_type=envelope.type,
        )
        handler = HANDLERS.get(type(envelope.payload))
        if handler is None:
            raise Reject(f"{envelope.type} is not a walmart-gateway command")
        try:
            seller = await self.gateway.seller(envelope.tenant)
        except UnknownTenant as exc:
            raise Reject(str(exc)) from None
        published = 0

        async def emit(result: Payload) -> None:
            nonlocal published
            message_id = str(uuid.uuid5(_RESULT_IDS, f"{envelope.message_id}:{published}"))
            published += 1
            await self._bus.publish(
                ORCHESTRATOR_EVENTS,
                Envelope.new(result, tenant=envelope.tenant, cause=envelope, message_id=message_id),
            )

        try:
            await handler(seller, envelope, emit)
        except (WalmartRejected, WalmartNotFound) as exc:
            log.warning("walmart.request_rejected", reason=exc.reason, codes=exc.codes)
            await emit(
                WalmartRequestRejected(
                    command_type=envelope.type,
                    reason=exc.reason,
                    codes=exc.codes,
                    subject=subject_of(envelope.payload),
                )
            )
        except WalmartTransient as exc:
            log.info("walmart.retry_later", reason=exc.reason, retry_after=exc.retry_after)
            raise RetryLater(exc.reason, delay=exc.retry_after, counts=_counts(exc)) from None
        except WalmartConfigurationError as exc:
            raise RetryLater(f"Walmart configuration problem: {exc.reason}", counts=False) from None
        except WalmartResponseInvalid as exc:
            raise Reject(
                f"Walmart answered in a shape the gateway does not know: {exc.reason}"
            ) from None


def _counts(exc: WalmartTransient) -> bool:
    """Only failures that might be caused by the message count toward parking it."""
    if isinstance(exc, WalmartOutcomeUnknown):
        return True
    if isinstance(exc, WalmartUnavailable):
        return exc.status == 500
    return False
