"""Reports by e-mail (DESIGN 10): each learner their report. It builds its messages and hands them to
`delivery.deliver`, which sends each once.

Services do not render: the CLI passes `render(report) -> Content`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable

from progress_cli.mail.config import SmtpConfig
from progress_cli.mail.messages import Content
from progress_cli.services.delivery import DeliveryOutcome, Outgoing, deliver, sent_already
from progress_cli.services.store_access import open_engine
from progress_cli.services.workers import computed_ahead
from progress_cli.store import read_snapshot
from progress_cli.store.deliveries import Key
from progress_cli.store.roster import contacts

REPORT = "report"
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
