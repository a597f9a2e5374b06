"""A faithful TallyPrime simulator (XML/JSON over HTTP), built from ../shared/reference/tally-xml.md.

    from tally_sim import TallySimulator
    sim = TallySimulator(companies=["Acme Traders"], data="empty", profile="licensed")
    await sim.start(host="127.0.0.1", port=0, admin_port=0)

docs/tally-simulator.md describes the admin API and every switch.
"""

from tally_sim.demo import DEMO_COMPANY
from tally_sim.settings import SimSettings
from tally_sim.simulator import TallySimulator

__all__ = ["DEMO_COMPANY", "SimSettings", "TallySimulator"]
