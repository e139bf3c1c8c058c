"""Reports by e-mail (DESIGN 10): each learner their report, and with `--team` each distinct
manager_email of the team the team report. Each builds its messages and hands them to
`delivery.deliver`, which sends each once.

Services do not render: the CLI passes `render(report) -> Content`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from progress_cli.mail.config import SmtpConfig
from progress_cli.mail.messages import Content
from progress_cli.services.delivery import DeliveryOutcome, Outgoing, deliver, sent_already
from progress_cli.services.store_access import open_engine
from progress_cli.services.team import report_in, team_members, team_period
from progress_cli.services.workers import computed_ahead
from progress_cli.store import read_snapshot
from progress_cli.store import deliveries as store
from progress_cli.store.deliveries import Key
from progress_cli.store.roster import contacts

REPORT, TEAM_REPORT = "report", "team_report"
EVERY_LEARNER = "*"  # the team of a team report over every learner, in the deliveries log
PARALLEL_FROM = 8  # reports to send before worker processes pay for their start
MAX_RENDER_JOBS = 4


def deliver_reports(run, *, render: Callable[[dict], Content], config: SmtpConfig | None,
                    dry_run_dir: Path | None = None, jobs: int | None = None) -> DeliveryOutcome:
    """Each learner of the run with an email gets their report once (a ReportRun of
    services.reports). Reports are computed only for learners whose report is still to send.

    `render` (picklable) runs in `jobs` worker processes, a few reports ahead of the sending
    (default: one per CPU when there are more than a handful to send); with one job it runs
    only once the delivery is claimed.
    """
    engine = open_engine(run.db)
    try:
        with read_snapshot(engine) as conn:
            people = contacts(conn, run.learner_ids)
        label = run.period.label
        keys = {lid: Key(REPORT, lid, label, people.get(lid, {}).get("email")) for lid in run.learner_ids}
        done = sent_already(engine, REPORT, {label})
        pending = [lid for lid in run.learner_ids if keys[lid].recipient and keys[lid] not in done]
        outcome = DeliveryOutcome(dry_run=dry_run_dir is not None, out_dir=dry_run_dir)
        outcome.no_address = sum(1 for k in keys.values() if k.recipient is None)
        outcome.already_sent = len(run.learner_ids) - outcome.no_address - len(pending)
        if jobs is None:
            jobs = min(os.cpu_count() or 1, MAX_RENDER_JOBS) if len(pending) >= PARALLEL_FROM else 1
        reports = dataclasses.replace(run, learner_ids=pending)
        items = (Outgoing(key=keys[r["learner"]["id"]], recipient_name=people[r["learner"]["id"]]["name"],
                          content=content) for r, content in computed_ahead(reports, render, jobs=jobs))
        outcome.add(deliver(engine, items, config=config, dry_run_dir=dry_run_dir))
    finally:
        engine.dispose()
    return outcome


def deliver_team_report(db: str, *, tz: ZoneInfo, kind: str, value: str | None, as_of: str | None,
                        team: str | None, render: Callable[[dict], Content], config: SmtpConfig | None,
                        dry_run_dir: Path | None = None) -> DeliveryOutcome:
    """The team report (of a roster team, or of every learner: team None) to each distinct
    manager_email of the team's learners, once each: one message per manager, the same report
    in all. A team whose learners name no manager counts as one message with no address. The
    report is computed (in one snapshot with the team and its managers) only when a manager
    is still to receive it, and rendered once."""
    when = team_period(tz=tz, kind=kind, value=value, as_of=as_of)
    label = when.period.label
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            learner_ids = team_members(conn, team)
            managers = sorted({p["manager_email"] for p in contacts(conn, learner_ids).values() if p["manager_email"]})
            keys = [Key(TEAM_REPORT, team or EVERY_LEARNER, label, manager) for manager in managers]
            done = store.sent_keys(conn, TEAM_REPORT, {label})
            pending = [key for key in keys if key not in done]
            report = report_in(conn, when, team, learner_ids, tz=tz) if pending else None
        outcome = DeliveryOutcome(dry_run=dry_run_dir is not None, out_dir=dry_run_dir)
        outcome.no_address = 0 if managers else 1
        outcome.already_sent = len(keys) - len(pending)
        content = functools.cache(functools.partial(render, report))
        items = [Outgoing(key=key, recipient_name=None, content=content) for key in pending]
        outcome.add(deliver(engine, items, config=config, dry_run_dir=dry_run_dir))
    finally:
        engine.dispose()
    return outcome
