"""ml-connector: the `mlc` command and the standalone composition root."""
