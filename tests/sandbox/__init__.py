"""Tests of the bundled simulators (real HTTP on loopback)."""
