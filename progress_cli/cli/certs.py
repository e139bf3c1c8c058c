"""`progress cert check|issue|verify|publish|remind|revoke|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.delivery import eml_folder, finish_delivery, mail_settings
from progress_cli.cli.options import AsOf, EmailDryRun, JsonOut, LearnerArg, Quiet, email_option
from progress_cli.cli.output import console, emit_json
from progress_cli.cli.usage import Command, OneOf, command_class
from progress_cli.errors import ExitCode, NothingToDo, UsageError

app = typer.Typer(help="Certificates: eligibility, issuing (PDF + Open Badges 3.0 VC-JWT), verification, revocation, publishing.",
                  no_args_is_help=True)


@app.command("check", cls=Command)
def check(ctx: typer.Context, learner: LearnerArg, as_of: AsOf = None, json_out: JsonOut = False) -> None:
    """Each requirement of the certification with required / current / met, the certificate progress and an
    estimated date of eligibility."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.certs import check_learner

    settings = ctx.obj
    result = check_learner(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.certs import check_view

        console().print(check_view(result))


@app.command("issue", cls=command_class(OneOf(("learner", "all_eligible"), required=True)))
def issue(
    ctx: typer.Context,
    # optional, unlike LearnerArg: --all-eligible is the other way to say whom
    learner: Annotated[Optional[str], typer.Argument(metavar="LEARNER", help="Learner id; or use --all-eligible.")] = None,
    all_eligible: Annotated[bool, typer.Option("--all-eligible", help="Every eligible learner without a valid certificate.")] = False,
    # a folder here, where report and export take a file or a folder
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for the PDF and .jwt files.")] = Path("."),
    renew_before: Annotated[Optional[int], typer.Option("--renew-before", metavar="DAYS", min=0,
                                                        help="Also re-issue valid certificates expiring within DAYS, for learners still eligible.")] = None,
    as_of: AsOf = None,
    json_out: JsonOut = False,
    quiet: Quiet = False,
    email: Annotated[bool, email_option(
        "Send each certificate issued to its learner (PDF and .jwt attached, the verification link in the body), "
        "once; earlier failed sends are retried.")] = False,
) -> None:
    """Issue certificates (PDF + Open Badges 3.0 VC-JWT); idempotent, safe to run from cron.

    Prints one summary line. Exit 0 when the run did its job (also when nobody was eligible);
    exit 4 when the LEARNER named is not eligible (the unmet requirements on stderr). With
    --email, a second line sums up the messages; exit 1 when any failed.
    """
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.certificate_pdf import render_certificate_pdf
    from progress_cli.render.progress_bar import row_progress
    from progress_cli.services.certs import issue_certificates

    if (learner is None) == (not all_eligible):
        raise UsageError("give a LEARNER or --all-eligible (not both)")
    settings = ctx.obj
    quiet = quiet or settings.quiet
    json_out = json_out or settings.json
    config = mail_settings(dry_run=False) if email else None  # checked before anything is issued
    with row_progress(all_eligible and not (quiet or json_out), "certificates") as on_start:
        outcome = issue_certificates(settings.db, learner_id=learner, out_dir=out, tz=settings.tz,
                                     render_pdf=render_certificate_pdf, as_of=as_of,
                                     renew_before_days=renew_before, on_start=on_start)
    delivered = _email_certificates(settings.db, outcome.issued, out, config) if email else None
    if json_out and delivered is None:
        emit_json(outcome.as_json() | {"summary": outcome.summary_line()})
    elif not json_out and not quiet:
        if learner is not None:
            for entry in outcome.issued:
                say(f"Issued {entry['code']} to {learner}, valid until {entry['valid_until'][:10]}: "
                    f"{entry['pdf']}, {entry['credential']}")
            for entry in outcome.already_valid:
                say(f"{learner} already holds a valid certificate: {entry['code']}, "
                    f"valid until {entry['valid_until'][:10]}; nothing issued.")
        say(outcome.summary_line())
    if delivered is not None:
        finish_delivery(delivered, json_out=json_out, quiet=quiet,
                        extra=outcome.as_json() | {"summary": outcome.summary_line()})
    if learner is not None and outcome.not_eligible:
        unmet = "; ".join(outcome.not_eligible[0]["unmet"])
        raise NothingToDo(f"{learner} is not eligible: {unmet}")


def _email_certificates(db: str, issued: list[dict], out: Path, config):
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.cert_mail import deliver_certificates

    return deliver_certificates(db, issued, out_dir=out, config=config)


@app.command("verify", cls=Command)
def verify(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="FILE|CODE|URL",
                                          help="A .jwt credential, a certificate PDF, a verification code, or a verification page URL.")],
    offline: Annotated[bool, typer.Option("--offline", help="Fetch nothing: a did:web issuer is checked against this store's keys, "
                                                            "revocation only in this store's register.")] = False,
    issuer: Annotated[Optional[str], typer.Option("--issuer", metavar="DID",
                                                  help="Trust only this issuer (a did:key or did:web) and do not read the store.")] = None,
    as_of: AsOf = None,
    json_out: JsonOut = False,
) -> None:
    """Check signature, issuer key, expiry and revocation: VALID, EXPIRED, REVOKED, INVALID or UNCHECKED with the
    reason (exit 5 unless VALID)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.cert_verify import verify as verify_certificate

    settings = ctx.obj
    result = verify_certificate(settings.db, target, tz=settings.tz, as_of=as_of, issuer=issuer, offline=offline)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.certs import verify_view

        console().print(verify_view(result), end="")
    if result["status"] != "VALID":
        raise typer.Exit(ExitCode.NOT_VALID)


@app.command("publish", cls=Command)
def publish(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", metavar="DIR",
                                      help="Folder of the site, served at the catalog's [issuer] verify_url.")],
    json_out: JsonOut = False,
    quiet: Quiet = False,
) -> None:
    """Write the static verification site: a page per certificate, the signed revocation list, the issuer's
    profile and DID document."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.cert_site import CertSiteRenderer
    from progress_cli.render.progress_bar import row_progress
    from progress_cli.services.cert_site import publish_site

    settings = ctx.obj
    quiet = quiet or settings.quiet
    json_out = json_out or settings.json
    with row_progress(not (quiet or json_out), "certificates") as on_start:
        result = publish_site(settings.db, out, tz=settings.tz, renderer=CertSiteRenderer(), on_start=on_start)
    if json_out:
        emit_json(result)
    elif not quiet:
        say(f"published {result['certificates']} certificates ({result['revoked']} revoked, {result['expired']} expired) "
            f"to {result['out_dir']} at {result['published_at']}; serve it at {result['verify_url']}")


@app.command("remind", cls=Command)
def remind(
    ctx: typer.Context,
    within: Annotated[int, typer.Option("--within", metavar="DAYS", min=0,
                                        help="Certificates expiring within DAYS (default 60).")] = 60,
    email: Annotated[bool, email_option("Send each learner one reminder per certificate, saying how to renew.")] = False,
    dry_run: EmailDryRun = False,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="Folder of a --dry-run's .eml files.")] = None,
    as_of: AsOf = None,
    json_out: JsonOut = False,
) -> None:
    """Valid certificates expiring within DAYS and whether their learner was reminded; with --email,
    remind each learner once per certificate."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.cert_mail import reminders

    settings = ctx.obj
    if (dry_run or out is not None) and not email:
        raise UsageError("--dry-run and --out apply to --email")
    eml_dir = eml_folder(dry_run, out)
    config = mail_settings(dry_run=dry_run) if email else None
    rows, delivered = reminders(settings.db, tz=settings.tz, within=within, as_of=as_of, email=email, config=config,
                                dry_run_dir=eml_dir)
    json_out = json_out or settings.json
    if delivered is not None:
        finish_delivery(delivered, json_out=json_out, quiet=settings.quiet, extra={"certificates": rows})
    elif json_out:
        emit_json(rows)
    else:
        from progress_cli.render.delivery import remind_table

        console().print(remind_table(rows, within))


@app.command("revoke", cls=Command)
def revoke(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="The certificate's verification code (or its UUID).")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT",
                                        help="Why it is revoked (kept in the store, shown by verify).")],
    json_out: JsonOut = False,
) -> None:
    """Revoke a certificate: verify then says REVOKED, and --all-eligible never re-issues it."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.certs import revoke as revoke_certificate

    if not reason.strip():
        raise UsageError("--reason must say why the certificate is revoked")
    settings = ctx.obj
    result = revoke_certificate(settings.db, code, reason=reason)
    if json_out or settings.json:
        emit_json(result)
    elif result["already_revoked"]:
        say(f"{result['code']} was already revoked on {result['revoked_at'][:10]}: {result['revoked_reason']}")
    else:
        say(f"Revoked {result['code']} ({result['learner_id']}).")


@app.command("list", cls=Command)
def list_(
    ctx: typer.Context,
    expiring_within: Annotated[Optional[int], typer.Option("--expiring-within", metavar="DAYS", min=0,
                                                           help="Only valid, not yet renewed certificates expiring within DAYS.")] = None,
    as_of: AsOf = None,
    json_out: JsonOut = False,
) -> None:
    """Certificates with their status (VALID, EXPIRED, REVOKED), soonest to expire first."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.certs import list_certificates

    settings = ctx.obj
    rows = list_certificates(settings.db, tz=settings.tz, as_of=as_of, expiring_within=expiring_within)
    if json_out or settings.json:
        emit_json(rows)
    else:
        from progress_cli.render.certs import list_table

        console().print(list_table(rows))


def say(message: str) -> None:
    """One plain line on stdout: names and DIDs are never read as Rich markup or :emoji: codes."""
    console().print(message, markup=False, emoji=False, highlight=False, soft_wrap=True)
