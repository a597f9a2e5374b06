"""FastAPI routers: one module per Walmart resource, plus the admin API."""
