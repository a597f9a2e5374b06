"""`mlc doctor`: every check an operator would do by hand before trusting the connector,
one line each with what to do about it (ARCHITECTURE.md, "The command line")."""
