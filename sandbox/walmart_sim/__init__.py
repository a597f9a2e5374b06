"""A faithful Walmart Marketplace simulator, built from ../shared/reference/walmart-api.md.

``WalmartSimulator`` runs it in-process; ``mlc sandbox walmart`` runs it from the command
line. Walmart's API is under ``/v3``, the admin API under ``/admin`` (docs/walmart-simulator.md).
"""

from .config import SimConfig
from .simulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, WalmartSimulator

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "SimConfig", "WalmartSimulator"]
