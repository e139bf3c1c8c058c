"""`progress keys init|show`: the store's signing key pair."""

from __future__ import annotations

from typing import Annotated

import typer

from progress_cli.cli.certs import say
from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import console, emit_json
from progress_cli.cli.usage import Command

app = typer.Typer(help="The Ed25519 key pair that signs certificates (one per store).", no_args_is_help=True)


@app.command("init", cls=Command)
def init(
    ctx: typer.Context,
    rotate: Annotated[bool, typer.Option("--rotate", help="Start signing with a new key; the old public key stays known.")] = False,
    json_out: JsonOut = False,
) -> None:
    """Create the signing key pair (or, with --rotate, start signing with a new one); the private key is 0600, never printed."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.certs import init_keys

    settings = ctx.obj
    result = init_keys(settings.db, rotate=rotate)
    key = result["key"]
    if json_out or settings.json:
        emit_json(result)
    elif not result["created"]:
        say(f"A signing key already exists: {key['did']} (use --rotate for a new one).")
    else:
        retired = f"; retired {result['retired']} (its certificates still verify)" if result["retired"] else ""
        say(f"Created signing key {key['did']}\nPrivate key: {key['private_key_file']} (mode 0600; "
            f"back it up){retired}")


@app.command("show", cls=Command)
def show(ctx: typer.Context, json_out: JsonOut = False) -> None:
    """Print the public key and its did:key (and the retired keys)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.certs import show_keys

    settings = ctx.obj
    result = show_keys(settings.db)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.certs import keys_view

        console().print(keys_view(result), end="")

