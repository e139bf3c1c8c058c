"""What `cert issue` does for one learner, decided from their latest certificate. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from progress_cli.catalog import Catalog
from progress_cli.certs import eligibility
from progress_cli.certs.eligibility import Eligibility, Figures
from progress_cli.certs.model import Certificate, VerifiedSkill
from progress_cli.certs.validity import add_years, expired
from progress_cli.json_output import to_json

ISSUE, ALREADY_VALID, NOT_ELIGIBLE, REVOKED = "issue", "already_valid", "not_eligible", "revoked"
_TS = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass
class IssueOutcome:
    """What one `cert issue` run did, learner by learner."""

    issued: list[dict] = field(default_factory=list)  # {"learner_id", "certificate_id", "code", "valid_until", "pdf", "credential", "renewed"}
    already_valid: list[dict] = field(default_factory=list)  # {"learner_id", "code", "valid_until"}
    not_eligible: list[dict] = field(default_factory=list)  # {"learner_id", "unmet": [text]}
    revoked: list[str] = field(default_factory=list)  # learners whose latest certificate is revoked
    render_times: list[float] = field(default_factory=list)  # seconds per certificate: PDF + credential

    def record(self, decision: str, learner_id: str, latest: dict | None, result: Eligibility) -> None:
        """A learner for whom nothing was issued, under `decision`."""
        if decision == ALREADY_VALID:
            self.already_valid.append({"learner_id": learner_id, "code": latest["code"],
                                       "valid_until": from_text(latest["valid_until"]).isoformat()})
        elif decision == NOT_ELIGIBLE:
            self.not_eligible.append({"learner_id": learner_id, "unmet": [r.describe() for r in result.unmet()]})
        elif decision == REVOKED:
            self.revoked.append(learner_id)

    def summary_line(self) -> str:
        """`issued N, already valid M, not eligible K`; K counts the revoked too, and says so."""
        line = (f"issued {len(self.issued)}, already valid {len(self.already_valid)}, "
                f"not eligible {len(self.not_eligible) + len(self.revoked)}")
        if self.revoked:
            line += f" (of which {len(self.revoked)} revoked, not re-issued)"
        return line

    def as_json(self) -> dict:
        return {"issued": self.issued, "already_valid": self.already_valid, "not_eligible": self.not_eligible,
                "revoked": self.revoked}


def decide(latest: dict | None, eligible: bool, *, as_of: dt.datetime, renew_before_days: int | None,
           explicit: bool) -> str:
    """ISSUE, ALREADY_VALID, NOT_ELIGIBLE or REVOKED for a learner whose latest certificate
    (a store row, or None) is `latest`.

    A valid certificate is kept unless it expires within `renew_before_days` (then renewed if
    still eligible). A revoked one is never replaced by a batch run; `explicit` (one learner
    named by the admin) issues anew when eligible.
    """
    if latest is not None and latest["revoked_at"] is None and not expired(from_text(latest["valid_until"]), as_of):
        expiring = (renew_before_days is not None
                    and from_text(latest["valid_until"]) - as_of <= dt.timedelta(days=renew_before_days))
        if not expiring:
            return ALREADY_VALID
    elif latest is not None and latest["revoked_at"] is not None and not explicit:
        return REVOKED
    return ISSUE if eligible else NOT_ELIGIBLE


def issue_moment(as_of: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a certificate issued `as_of` is dated: as_of, but never in the future; whole seconds, UTC."""
    return min(as_of, now).astimezone(dt.timezone.utc).replace(microsecond=0)


def new_certificate(catalog: Catalog, *, learner_id: str, learner_name: str | None, result: Eligibility,
                    figures: Figures, issued_at: dt.datetime, tz: ZoneInfo, code: str) -> Certificate:
    """A new certificate, valid until the end of the same local day the certification's years
    later (Feb 29 + 2 years = Feb 28), so "valid until D" holds all of day D."""
    cert = catalog.certification
    last_day = add_years(issued_at.astimezone(tz), cert.validity_years).date()
    valid_until = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.timezone.utc)
    skills = tuple(VerifiedSkill(**s) for s in eligibility.verified_skills(catalog, result))
    return Certificate(
        certificate_id=str(uuid.uuid4()), code=code, learner_id=learner_id, learner_name=learner_name,
        certification=cert.name, criteria=criteria(result), issued_at=issued_at, valid_until=valid_until,
        overall_score=eligibility.overall_score(catalog, figures), skills=skills)


def criteria(result: Eligibility) -> str:
    """The requirements in words, e.g. "Overall completion of at least 90; ..."."""
    if not result.requirements:
        return f"Awarded on enrolment in {result.certification}."
    parts = [f"{r.name} of at least {r.required:g}" for r in result.requirements]
    return "Every requirement met: " + "; ".join(parts) + " (scores and mastery on a 0-100 scale)."


def store_row(cert: Certificate, *, slot: int, key_id: str, token: str) -> dict:
    """The `certificates` row of a new certificate."""
    return {
        "certificate_id": cert.certificate_id, "code": cert.code, "learner_id": cert.learner_id,
        "learner_name": cert.learner_name, "certification": cert.certification, "issue_slot": slot,
        "issued_at": to_text(cert.issued_at), "valid_until": to_text(cert.valid_until),
        "overall_score": cert.overall_score,
        "skills": to_json([s.__dict__ for s in cert.skills], indent=None),
        "key_id": key_id, "token": token, "revoked_at": None, "revoked_reason": None,
    }


def to_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime(_TS)


def from_text(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _TS).replace(tzinfo=dt.timezone.utc)
