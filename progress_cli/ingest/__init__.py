"""Readers of session exports -> validated event records and rejects (no store access)."""
