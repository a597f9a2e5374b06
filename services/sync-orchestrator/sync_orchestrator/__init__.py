"""sync-orchestrator: cursors, mappings, flows, audit trail and replay."""
