"""A faithful Walmart Marketplace simulator, built from ../shared/reference/walmart-api.md."""
