"""Per tenant: the verifier for its subscription's method, its token issuer, its signature check.

Built on first use from the :class:`~webhook_receiver.tenants.TenantConfigSource` and rebuilt
when the source hands out a different configuration (a registry that reloads), so a changed
secret takes effect without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from webhook_receiver.auth import Clock, Verifier, now, verifier_for
from webhook_receiver.signature import PerformanceSignatureVerifier
from webhook_receiver.tenants import OAuthAuth, TenantConfigSource, TenantWebhookConfig
from webhook_receiver.tokens import OAuthTokens


@dataclass(frozen=True)
class TenantGate:
    config: TenantWebhookConfig
    verifier: Verifier
    tokens: OAuthTokens | None
    """Set for OAUTH tenants: serves the token endpoint and checks bearer tokens."""
    signature: PerformanceSignatureVerifier | None


class Gatekeeper:
    def __init__(self, source: TenantConfigSource, clock: Clock = now) -> None:
        self._source = source
        self._clock = clock
        self._gates: dict[str, TenantGate] = {}

    def for_tenant(self, tenant: str) -> TenantGate | None:
        config = self._source.webhook_config(tenant)
        if config is None:
            return None
        gate = self._gates.get(tenant)
        if gate is None or (gate.config is not config and gate.config != config):
            gate = self._build(tenant, config)
            self._gates[tenant] = gate
        return gate

    def _build(self, tenant: str, config: TenantWebhookConfig) -> TenantGate:
        tokens = (
            OAuthTokens(tenant, config.auth, self._clock)
            if isinstance(config.auth, OAuthAuth)
            else None
        )
        signature = (
            PerformanceSignatureVerifier(config.performance_signature, self._clock)
            if config.performance_signature is not None
            else None
        )
        return TenantGate(
            config=config, verifier=verifier_for(config, tokens), tokens=tokens, signature=signature
        )
