"""The usage line of every command, spelled out: `progress leaderboard [--module ID]
[--period week|month|all] ...` instead of `[OPTIONS]`, with the options that go together or
exclude each other grouped: `(--week [DATE|YYYY-Www] | --month [YYYY-MM])`.

`--help` prints it, and `docs/cli_reference.py` writes the README's command table from it,
so the README cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import typer
from typer.core import TyperArgument, TyperCommand


@dataclass(frozen=True)
class OneOf:
    """Parameters (by their Python names) of which at most one may be given; exactly one
    when `required` (the command checks that itself: this only writes the usage line)."""

    names: tuple[str, ...]
    required: bool = False


class Command(TyperCommand):
    """A command whose usage line lists its arguments and options."""

    one_of: tuple[OneOf, ...] = ()

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        return synopsis(self, ctx)

    def format_usage(self, ctx: typer.Context, formatter) -> None:
        """Wrapped between pieces, never inside one (`[--renew-before DAYS]` stays whole)."""
        prefix = f"Usage: {ctx.command_path} "
        width = max(formatter.width - formatter.current_indent, len(prefix) + 20)
        lines, line = [], prefix
        for piece in self.collect_usage_pieces(ctx):
            if len(line) + len(piece) > width and line.strip() != prefix.strip():
                lines.append(line.rstrip())
                line = " " * len(prefix)
            line += piece + " "
        lines.append(line.rstrip())
        formatter.write("\n".join(" " * formatter.current_indent + text for text in lines) + "\n")


def command_class(*groups: OneOf) -> type[Command]:
    """A Command class with these groups, for `app.command(..., cls=command_class(...))`."""
    return type("Command", (Command,), {"one_of": groups})


def synopsis(command: Command, ctx: typer.Context) -> list[str]:
    """The usage pieces: arguments and options in declaration order, each group at its first member."""
    grouped = {name: group for group in command.one_of for name in group.names}
    pieces: list[str] = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        group = grouped.get(param.name)
        if group is None:
            pieces.append(_piece(param, ctx))
        elif group.names[0] == param.name:
            members = [_bare(p, ctx) for name in group.names for p in command.params if p.name == name]
            text = " | ".join(members)
            pieces.append(f"({text})" if group.required else f"[{text}]")
    return pieces


def _piece(param, ctx: typer.Context) -> str:
    text = _bare(param, ctx)
    if isinstance(param, TyperArgument):
        if not param.required:
            text = f"[{text}]"
        elif "|" in text:
            text = f"({text})"
        return text
    if not param.required:
        text = f"[{text}]"
    return text + ("..." if param.multiple else "")


def _bare(param, ctx: typer.Context) -> str:
    """`LEARNER`, `FILE...`, `--json`, `--as-of DATE`, `--format auto|jsonl|csv`."""
    if isinstance(param, TyperArgument):
        if param.metavar:
            name = param.metavar
        elif param.type_descriptor.is_choice:
            name = param.display_type(ctx).strip("<>")
        else:
            name = param.name.upper()
        return name if param.nargs == 1 or name.endswith("...") else f"{name}..."
    name = max(param.opts, key=len)
    if param.is_flag:
        return name
    return f"{name} {value_metavar(param, ctx)}"


def value_metavar(option, ctx: typer.Context) -> str:
    """What an option takes: its metavar, else its choices (`a|b|c`), else its type (`STR`;
    a test asks for a metavar that says more)."""
    if option.metavar:
        return option.metavar
    shown = option.display_type(ctx).strip("<>")
    return shown if option.type_descriptor.is_choice else shown.upper()
