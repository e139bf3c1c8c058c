"""What a certificate states: the facts the credential signs and the PDF shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class VerifiedSkill:
    id: str
    name: str
    mastery: float | None


@dataclass(frozen=True)
class Certificate:
    certificate_id: str  # a UUID
    code: str  # the verification code, e.g. K7QD-2MZP-9XRT
    learner_id: str
    learner_name: str | None
    certification: str
    criteria: str  # the requirements, in words
    issued_at: dt.datetime  # UTC, whole seconds
    valid_until: dt.datetime
    overall_score: float | None
    skills: tuple[VerifiedSkill, ...] = ()

    @property
    def display_name(self) -> str:
        return self.learner_name or self.learner_id
