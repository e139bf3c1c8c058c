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
