"""`mlc demo`: the whole connector, standalone, against the bundled simulators."""
