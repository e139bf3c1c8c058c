"""The register of certificates as people and scripts read it: store rows -> plain dicts. Pure."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from progress_cli.certs.issuing import from_text
from progress_cli.certs.validity import days_left, status_at


def iso(text: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 with +00:00, as every --json date is written."""
    return None if text is None else from_text(text).isoformat()


def summary(row: dict, as_of: dt.datetime) -> dict[str, Any]:
    """A certificate's id, code, status at `as_of`, dates and days left."""
    valid_until = from_text(row["valid_until"])
    return {"certificate_id": row["certificate_id"], "code": row["code"],
            "status": status_at(valid_until=valid_until, revoked=row["revoked_at"] is not None, as_of=as_of),
            "issued_at": iso(row["issued_at"]), "valid_until": valid_until.isoformat(),
            "days_left": days_left(valid_until, as_of)}


def listing(rows: list[dict], as_of: dt.datetime, expiring_within: int | None = None) -> list[dict[str, Any]]:
    """`cert list` entries, soonest to expire first. `rows` are ordered by learner, certification
    and issue slot; a certificate followed by a later one that is not revoked was superseded.
    `expiring_within` keeps the valid, not superseded ones expiring within that many days."""
    successors = {(r["learner_id"], r["certification"], r["issue_slot"] - 1): r for r in rows}
    out = []
    for row in rows:
        successor = successors.get((row["learner_id"], row["certification"], row["issue_slot"]))
        entry = summary(row, as_of) | {
            "learner_id": row["learner_id"], "learner_name": row["learner_name"],
            "certification": row["certification"], "overall_score": row["overall_score"],
            "skills": json.loads(row["skills"]),
            "revoked_at": iso(row["revoked_at"]), "revoked_reason": row["revoked_reason"],
            "superseded_by": successor["code"] if successor and successor["revoked_at"] is None else None,
        }
        if expiring_within is None or (entry["status"] == "VALID" and entry["superseded_by"] is None
                                       and entry["days_left"] <= expiring_within):
            out.append(entry)
    out.sort(key=lambda e: (e["valid_until"], e["learner_id"], e["certification"]))
    return out


EXPIRING_DAYS = 60  # the team report's "expiring soon", as `cert remind` by default


def team_certificates(rows: list[dict], certification: str | None, eligible: dict[str, bool],
                      names: dict[str, str | None], start: dt.datetime, as_of: dt.datetime,
                      within: int = EXPIRING_DAYS) -> tuple[dict[str, dict], dict[str, Any]]:
    """(each learner's certificate, the certification pipeline) of a team for a period.

    `rows`: the team's certificates in `all_certificates` order (those issued after `as_of`
    are not looked at); `eligible`: learner -> eligible at `as_of`, for every team learner.
    A learner's certificate is `{"status", "code", "valid_until", "days_left", "eligible"}`,
    status that of their latest certificate (None without one). The pipeline:
    `eligible` (eligible, and no certificate or an expired one), `issued` (issued between
    `start` and `as_of`), `expiring` (latest valid one ending within `within` days) and
    `revoked` (latest one revoked)."""
    latest: dict[str, dict] = {}
    issued = []
    for row in rows:
        if certification is None or row["certification"] != certification or from_text(row["issued_at"]) > as_of:
            continue
        latest[row["learner_id"]] = row  # ascending slots: the last one wins
        if from_text(row["issued_at"]) >= start:
            issued.append({"learner_id": row["learner_id"], "name": names.get(row["learner_id"]), "code": row["code"],
                           "issued_at": iso(row["issued_at"]), "valid_until": iso(row["valid_until"])})
    per_learner = {}
    pipeline: dict[str, Any] = {"name": certification, "eligible": [], "issued": issued, "expiring": [], "revoked": []}
    for lid, is_eligible in eligible.items():
        row = latest.get(lid)
        cert = summary(row, as_of) if row else None
        per_learner[lid] = {"status": cert["status"] if cert else None, "code": cert["code"] if cert else None,
                            "valid_until": cert["valid_until"] if cert else None,
                            "days_left": cert["days_left"] if cert else None,
                            "eligible": is_eligible if certification else None}
        who = {"learner_id": lid, "name": names.get(lid)}
        if cert is None or cert["status"] == "EXPIRED":
            if is_eligible and certification:
                pipeline["eligible"].append(who)
        elif cert["status"] == "REVOKED":
            pipeline["revoked"].append(who | {"code": cert["code"], "revoked_at": iso(row["revoked_at"]),
                                              "reason": row["revoked_reason"]})
        elif cert["days_left"] <= within:
            pipeline["expiring"].append(who | {"code": cert["code"], "valid_until": cert["valid_until"],
                                               "days_left": cert["days_left"]})
    pipeline["issued"].sort(key=lambda c: (c["issued_at"], c["learner_id"]))
    pipeline["expiring"].sort(key=lambda c: (c["valid_until"], c["learner_id"]))
    return per_learner, pipeline
