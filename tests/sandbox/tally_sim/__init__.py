"""Tests of the TallyPrime simulator: raw XML/JSON over real HTTP, never the tally-agent."""
