"""Walmart Marketplace simulator tests: raw HTTP calls, every answer schema-checked."""
