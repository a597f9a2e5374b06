"""tally-agent: speaks TallyPrime's XML protocol on the seller's LAN and nothing else."""
