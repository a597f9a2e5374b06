"""The flows (ARCHITECTURE.md "sync-orchestrator"). Each module owns one flow's steps."""

CATALOG = "catalog"
ORDERS = "orders"
FLOWS = (CATALOG, ORDERS)
