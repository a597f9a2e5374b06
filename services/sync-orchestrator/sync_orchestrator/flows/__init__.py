"""The flows (ARCHITECTURE.md "sync-orchestrator"). Each module defines one ``FLOW``."""
