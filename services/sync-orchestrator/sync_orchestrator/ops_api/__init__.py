"""The operator API (FastAPI): flow status and control, cursors, audit search, dead letters
with replay, agents, mappings and tenants, behind a bearer token (``MLC_OPERATOR_TOKEN``).
See docs/operator-guide.md, "Operator API and CLI"."""
