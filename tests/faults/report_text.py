"""The fixed text of docs/reliability.md around the measured table."""

HEADER = "# Reliability under faults\n\n"
FOOTER = ""
