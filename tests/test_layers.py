"""The layers: every import of progress_cli runs one way.

    cli -> render -> services -> (store, reports, analytics, ingest, certs, mail) -> (catalog, config, addresses)
        -> errors

Each package (or top-level module) has a rank; a module may import a module of a lower rank.
Within a rank, only the edges in WITHIN_TIER are allowed (and they form no cycle):
- reports use analytics (a report is built from an analysis);
- store uses ingest (it stores ingest's event record).
Beside the ranks:
- render takes plain data: it imports no services, store or ingest (it does no I/O);
- analytics and reports are pure: no store, services, render, database or terminal library;
- only cli imports typer;
- no two modules import each other, directly or through others (an import hidden inside a
  function counts: every import is collected, top-level or not).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import progress_cli

ROOT = "progress_cli"
PACKAGE_DIR = Path(progress_cli.__file__).resolve().parent

RANKS = {
    "errors": 0, "json_output": 0, ROOT: 0,  # ROOT: the package's own __init__ (the version)
    "catalog": 1, "config": 1, "addresses": 1,  # addresses: what an e-mail address is (roster, xAPI, SMTP)
    "store": 2, "reports": 2, "analytics": 2, "ingest": 2, "certs": 2, "mail": 2,  # mail: SMTP and messages
    "services": 3,
    "render": 4,
    "cli": 5,
    "__main__": 6,
}
WITHIN_TIER = {("reports", "analytics"), ("store", "ingest")}
NOT_FROM = {
    "render": {"services", "store", "ingest"},
    "analytics": {"store", "services", "render", "sqlalchemy", "sqlmodel", "rich", "typer", "plotext", "fpdf"},
    "reports": {"store", "services", "render", "sqlalchemy", "sqlmodel", "rich", "typer", "plotext", "fpdf"},
}
TYPER_LAYER = "cli"


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. progress_cli.services.status
    target: str  # imported module, or pkg.name for `from pkg import name` (name: a module or not)
    line: int


def module_sources() -> dict[str, tuple[str, bool]]:
    """{module name: (source text, is a package __init__)} for every module of progress_cli."""
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = (ROOT, *path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path.read_text(encoding="utf-8"), is_package)
    return out


def imports_of(module: str, source: str, is_package: bool) -> list[Import]:
    """Every import statement of a module, at the top or inside a function or class."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found += [Import(module, stem if alias.name == "*" else f"{stem}.{alias.name}", node.lineno)
                      for alias in node.names]
    return found


def layer(module: str) -> str:
    """progress_cli.services.status -> services; progress_cli -> progress_cli; others: the top package."""
    parts = module.split(".")
    if parts[0] != ROOT:
        return parts[0]
    return parts[1] if len(parts) > 1 else ROOT


def resolve(target: str, known: set[str]) -> str | None:
    """The progress_cli module an import loads (the longest known prefix), None for other packages."""
    if layer(target) == target.split(".")[0] and not target.startswith(ROOT):
        return None
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in known:
            return name
    return None


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Each import that runs against the layers, and each import cycle, as a readable line."""
    known = set(sources)
    problems = []
    graph: dict[str, set[str]] = {m: set() for m in known}
    for module, (source, is_package) in sources.items():
        own = layer(module)
        for imp in imports_of(module, source, is_package):
            where = f"{module}:{imp.line} imports {imp.target}"
            other = layer(imp.target)
            if other in NOT_FROM.get(own, set()):
                problems.append(f"{where}: {own} must not import {other}")
                continue
            if other == "typer" and own != TYPER_LAYER:
                problems.append(f"{where}: only {TYPER_LAYER} imports typer")
                continue
            target = resolve(imp.target, known)
            if target is None:
                continue
            if target != module:
                graph[module].add(target)
            other = layer(target)
            if own not in RANKS or other not in RANKS:
                problems.append(f"{where}: {own if own not in RANKS else other} has no rank in RANKS")
            elif own != other and (RANKS[own] < RANKS[other] or (
                    RANKS[own] == RANKS[other] and (own, other) not in WITHIN_TIER)):
                problems.append(f"{where}: {own} (rank {RANKS[own]}) may not import {other} (rank {RANKS[other]})")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return sorted(set(problems))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each group of modules that import each other (Tarjan's components).

    A package's __init__ that imports its own submodules, which import names back from it,
    is the package's public face, not a cycle: edges from a module to its own package's
    __init__ are left out.
    """
    edges = {m: {t for t in targets if not m.startswith(t + ".")} for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_cycle_in(c, edges) for c in components]


def _cycle_in(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A path that starts and ends at the component's first module."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                frontier.append(nxt)
    return component


# --------------------------------------------------------------------------- the code as it is

def test_every_import_runs_down_the_layers():
    assert violations(module_sources()) == []


def test_every_package_has_a_rank():
    assert {layer(m) for m in module_sources()} <= set(RANKS)


def test_within_tier_edges_form_no_cycle():
    assert not cycles({a: {b for x, b in WITHIN_TIER if x == a} for pair in WITHIN_TIER for a in pair})


# --------------------------------------------------------------------------- the check itself

def _with(name: str, source: str) -> list[str]:
    """What adding (or replacing) one module to the code as it is would newly break."""
    sources = module_sources()
    before = set(violations(sources))
    sources[name] = (source, False)
    return [line for line in violations(sources) if line not in before]


@pytest.mark.parametrize("name, source, expected", [
    ("progress_cli.services.extra", "def f():\n    from progress_cli.render.status import status_view\n",
     "services (rank 3) may not import render (rank 4)"),
    ("progress_cli.store.extra", "from progress_cli.services import status\n",
     "store (rank 2) may not import services (rank 3)"),
    ("progress_cli.analytics.extra", "import progress_cli.store.queries\n", "analytics must not import store"),
    ("progress_cli.analytics.extra", "from progress_cli.reports import build\n",
     "analytics (rank 2) may not import reports (rank 2)"),
    ("progress_cli.reports.extra", "from rich.table import Table\n", "reports must not import rich"),
    ("progress_cli.catalog_extra", "from progress_cli.store import models\n", "has no rank in RANKS"),
    ("progress_cli.render.extra", "from progress_cli.services.watch import poll\n", "render must not import services"),
    ("progress_cli.config", "import typer\n", "only cli imports typer"),
    ("progress_cli.errors", "from . import catalog\n", "errors (rank 0) may not import catalog (rank 1)"),
    ("progress_cli.services.extra", "def f():\n    from ..render import watch\n",
     "services (rank 3) may not import render (rank 4)"),
], ids=["services->render in a function", "store->services", "analytics->store", "analytics->reports (tier)",
        "reports->rich", "unranked module", "render->services", "typer outside cli", "errors->catalog (relative)",
        "relative services->render"])
def test_a_reversed_import_is_caught(name, source, expected):
    found = _with(name, source)
    assert any(expected in line and line.startswith(name) for line in found), found


def test_an_allowed_import_is_not_reported():
    assert _with("progress_cli.cli.extra", "from progress_cli.render.status import status_view\n"
                                           "from progress_cli.services.status import learner_status\n"
                                           "from progress_cli.errors import UsageError\n") == []
    assert _with("progress_cli.reports.extra", "from progress_cli.analytics import analyze\n") == []


def test_a_cycle_hidden_in_functions_is_caught():
    base = {
        "progress_cli": ("", True),
        "progress_cli.services": ("", True),
        "progress_cli.services.a": ("def f():\n    from progress_cli.services.b import g\n", False),
        "progress_cli.services.b": ("def g():\n    from progress_cli.services import a\n", False),
    }
    assert violations(base) == ["import cycle: progress_cli.services.a -> progress_cli.services.b -> "
                                "progress_cli.services.a"]
    base["progress_cli.services.b"] = ("def g():\n    pass\n", False)
    assert violations(base) == []
