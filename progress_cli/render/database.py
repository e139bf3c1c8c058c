"""`progress db info` on a terminal."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def info_table(info: dict[str, Any]) -> Table:
    table = Table(title=f"{info['backend']} store · schema version {info['schema_version']}",
                  caption=info["url"], show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in info["tables"].items():
        table.add_row(name, f"{rows:,}")
    return table
