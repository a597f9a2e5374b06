"""Which party ledger an order's Sales voucher debits (docs/mapping.md "Party ledgers").
Pure functions.

One marketplace debtor by default (Walmart pays the seller, so Walmart is the debtor the
settlement clears); ``party.mode = "per_customer"`` gives each customer a ledger under a
configured group instead, named from Walmart's relay e-mail id, the only stable customer
identifier an order carries (walmart-api.md §6.2; names and addresses are PII the gateway
leaves out). An explicit ``customers`` row wins over both.
"""

from __future__ import annotations

from mlc_shared.domain.tally import LedgerSpec
from mlc_shared.domain.walmart import Order

from sync_orchestrator.mapping import TenantMapping


def party_for(order: Order, mapping: TenantMapping) -> tuple[str, LedgerSpec | None]:
    """The ledger, and the master to create with the voucher when creation is allowed."""
    email = order.customer_email_id or ""
    explicit = mapping.customers.get(email)
    if explicit:
        return explicit, None
    party = mapping.party
    if party.mode == "marketplace" or not email:
        return mapping.ledgers.party, None
    name = party.name_pattern.format(
        customer_key=email.split("@", 1)[0], customer_email_id=email
    ).strip()
    spec = (
        LedgerSpec(name=name, parent=party.group, is_bill_wise=True)
        if party.create_ledgers
        else None
    )
    return name, spec
