"""Rendering of result objects: terminal (rich, plotext), Markdown, PDF."""
