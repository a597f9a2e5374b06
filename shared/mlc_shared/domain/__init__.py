"""Typed records that cross service boundaries (not wire formats: those stay at the edges)."""
