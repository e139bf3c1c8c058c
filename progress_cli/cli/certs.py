"""`progress cert check|issue|verify|revoke|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json
from progress_cli.errors import NothingToDo, UsageError

EXIT_NOT_VALID = 5

app = typer.Typer(help="Certificates: eligibility, issuing (PDF + Open Badges 3.0 VC-JWT), verification, revocation.",
                  no_args_is_help=True)

AsOf = Annotated[Optional[str], typer.Option("--as-of", help="As it was at the end of this day (YYYY-MM-DD).")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output (see README).")]


@app.command("check")
def check(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    as_of: AsOf = None,
    json_out: Json = False,
) -> None:
    """Each requirement of the certification with required / current / met, and an estimated date."""
    from progress_cli.services.certs import check_learner

    settings = ctx.obj
    result = check_learner(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.certs.views import check_view

        console().print(check_view(result))


@app.command("issue")
def issue(
    ctx: typer.Context,
    learner: Annotated[Optional[str], typer.Argument(help="Learner id; or use --all-eligible.")] = None,
    all_eligible: Annotated[bool, typer.Option("--all-eligible", help="Every eligible learner without a valid certificate.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the PDF and .jwt files.")] = Path("."),
    renew_before: Annotated[Optional[int], typer.Option("--renew-before", metavar="DAYS",
                                                        help="Also re-issue valid certificates expiring within DAYS, for learners still eligible.")] = None,
    as_of: AsOf = None,
    json_out: Json = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary; errors only.")] = False,
    email: Annotated[bool, typer.Option("--email", help="Send each certificate issued to its learner (PDF and .jwt attached), once.")] = False,
) -> None:
    """Issue certificates (PDF + Open Badges 3.0 VC-JWT); idempotent, safe to run from cron.

    Prints one summary line. Exit 0 when the run did its job (also when nobody was eligible);
    exit 4 when the LEARNER named is not eligible (the unmet requirements on stderr). With
    --email, a second line sums up the messages; exit 1 when any failed.
    """
    from progress_cli.certs.views import issue_progress
    from progress_cli.services.certs import issue_certificates

    if (learner is None) == (not all_eligible):
        raise UsageError("give a LEARNER or --all-eligible (not both)")
    settings = ctx.obj
    quiet = quiet or settings.quiet
    json_out = json_out or settings.json
    config = None
    if email:  # the SMTP settings are checked before anything is issued
        from progress_cli.services.delivery import mail_settings

        config = mail_settings(dry_run=False)
    with issue_progress(enabled=all_eligible and not (quiet or json_out)) as on_start:
        outcome = issue_certificates(settings.db, learner_id=learner, out_dir=out, tz=settings.tz, as_of=as_of,
                                     renew_before_days=renew_before, on_start=on_start)
    delivered = _email_certificates(settings.db, outcome.issued, out, config) if email else None
    if json_out:
        emit_json(outcome.as_json() | {"summary": outcome.summary_line()}
                  | ({"email": delivered.as_json()} if delivered else {}))
    elif not quiet:
        if learner is not None:
            for entry in outcome.issued:
                say(f"Issued {entry['code']} to {learner}, valid until {entry['valid_until'][:10]}: "
                    f"{entry['pdf']}, {entry['credential']}")
            for entry in outcome.already_valid:
                say(f"{learner} already holds a valid certificate: {entry['code']}, "
                    f"valid until {entry['valid_until'][:10]}; nothing issued.")
        say(outcome.summary_line())
    if delivered is not None:
        from progress_cli.cli.mail import finish_delivery

        finish_delivery(delivered, json_out=False, quiet=quiet or json_out)
    if learner is not None and outcome.not_eligible:
        unmet = "; ".join(outcome.not_eligible[0]["unmet"])
        raise NothingToDo(f"{learner} is not eligible: {unmet}")


def _email_certificates(db: str, issued: list[dict], out: Path, config):
    from progress_cli.services.mailing import deliver_certificates, verify_line

    return deliver_certificates(db, issued, out_dir=out, config=config, verify_line=verify_line(db))


@app.command("remind")
def remind(
    ctx: typer.Context,
    within: Annotated[int, typer.Option("--within", metavar="DAYS", help="Certificates expiring within DAYS (default 60).")] = 60,
    email: Annotated[bool, typer.Option("--email", help="Send each learner one reminder per certificate, saying how to renew.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --email: send nothing, write each message as a .eml file to --out DIR.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="Folder of a --dry-run's .eml files.")] = None,
    as_of: AsOf = None,
    json_out: Json = False,
) -> None:
    """Learners whose certificate expires within DAYS; with --email, remind each once per certificate."""
    from progress_cli.services.delivery import check_dry_run, mail_settings
    from progress_cli.services.mailing import reminders, verify_line

    settings = ctx.obj
    if (dry_run or out is not None) and not email:
        raise UsageError("--dry-run and --out apply to --email")
    eml_dir = check_dry_run(dry_run, out)
    config = mail_settings(dry_run=dry_run) if email else None
    rows, delivered = reminders(settings.db, tz=settings.tz, within=within, as_of=as_of, email=email, config=config,
                                verify_line=verify_line(settings.db), dry_run_dir=eml_dir)
    json_out = json_out or settings.json
    if delivered is not None:
        from progress_cli.cli.mail import finish_delivery

        if json_out:
            emit_json({"certificates": rows, "email": delivered.as_json()})
            if delivered.failed:
                raise typer.Exit(1)
            return
        finish_delivery(delivered, json_out=False, quiet=settings.quiet)
        return
    if json_out:
        emit_json(rows)
        return
    from progress_cli.render.delivery import remind_table

    console().print(remind_table(rows, within))


@app.command("verify")
def verify(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="FILE|CODE", help="A .jwt credential, a certificate PDF, or a verification code.")],
    issuer: Annotated[Optional[str], typer.Option("--issuer", metavar="DID",
                                                  help="Trust only this issuer (its did:key) and do not read the store.")] = None,
    as_of: AsOf = None,
    json_out: Json = False,
) -> None:
    """Check signature, issuer key, expiry and revocation: VALID, EXPIRED, REVOKED or INVALID (exit 5 unless VALID)."""
    from progress_cli.services.certs import verify as verify_certificate

    settings = ctx.obj
    result = verify_certificate(settings.db, target, tz=settings.tz, as_of=as_of, issuer=issuer)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.certs.views import verify_view

        console().print(verify_view(result), end="")
    if result["status"] != "VALID":
        raise typer.Exit(EXIT_NOT_VALID)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The certificate's verification code (or its UUID).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is revoked (kept in the store, shown by verify).")],
    json_out: Json = False,
) -> None:
    """Revoke a certificate: verify then says REVOKED, and --all-eligible never re-issues it."""
    from progress_cli.services.certs import revoke as revoke_certificate

    settings = ctx.obj
    result = revoke_certificate(settings.db, code, reason=reason)
    if json_out or settings.json:
        emit_json(result)
    elif result["already_revoked"]:
        say(f"{result['code']} was already revoked on {result['revoked_at'][:10]}: {result['revoked_reason']}")
    else:
        say(f"Revoked {result['code']} ({result['learner_id']}).")


@app.command("list")
def list_(
    ctx: typer.Context,
    expiring_within: Annotated[Optional[int], typer.Option("--expiring-within", metavar="DAYS",
                                                           help="Only valid, not yet renewed certificates expiring within DAYS.")] = None,
    as_of: AsOf = None,
    json_out: Json = False,
) -> None:
    """Certificates with their status (VALID, EXPIRED, REVOKED), soonest to expire first."""
    from progress_cli.services.certs import list_certificates

    settings = ctx.obj
    rows = list_certificates(settings.db, tz=settings.tz, as_of=as_of, expiring_within=expiring_within)
    if json_out or settings.json:
        emit_json(rows)
    else:
        from progress_cli.certs.views import list_table

        console().print(list_table(rows))


def say(message: str) -> None:
    """One plain line on stdout: names and DIDs are never read as Rich markup or :emoji: codes."""
    console().print(message, markup=False, emoji=False, highlight=False, soft_wrap=True)
