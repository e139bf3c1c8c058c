"""Orchestration: store -> ingest / analytics -> plain result objects for the CLI to render."""
