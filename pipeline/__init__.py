"""guetteur: the monitor itself, in rooms by stage (see docs/architecture.md)."""
