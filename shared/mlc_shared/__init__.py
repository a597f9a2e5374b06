"""ml-connector's common library: message envelope and catalogue, the bus and the store
ports with their adapters, settings, logging and metrics.

It knows nothing of Tally's XML or Walmart's JSON: those stay at the service edges
(ARCHITECTURE.md, "shared").
"""
