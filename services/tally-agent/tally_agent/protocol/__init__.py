"""The Tally wire format: rendering requests and reading answers (tally-xml.md)."""
