"""A faithful TallyPrime simulator (XML/JSON over HTTP), built from ../shared/reference/tally-xml.md."""
