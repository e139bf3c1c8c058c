"""The store's tables (DESIGN section 4), as SQLAlchemy Core tables.

Core rather than SQLModel classes: the store is read and written through SQL expressions
only, and a SQLModel table class costs about 4 ms to build (pydantic and the ORM mapper), a
tenth of a second on every command for the 21 tables, where a Core table costs 0.3 ms.

Timestamps are stored as fixed-width UTC text ('YYYY-MM-DDTHH:MM:SS.ffffffZ'): it sorts in time
order on every backend, needs no conversion on the hot import path, and reads well in a shell.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

TS = 27  # len('2026-01-31T23:59:59.000000Z')
STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def stored_time(moment: dt.datetime | None = None) -> str:
    """A moment (default: now) as stored UTC text; pandas Timestamps are datetimes too."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime(STORED_TIME)


def iso_time(text: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 with +00:00, as every --json date is written."""
    return None if text is None else text[:-1] + "+00:00"


metadata = MetaData()  # every table of the store; migrations create them step by step


def pk(name: str, type_=String, **kw) -> Column:
    return Column(name, type_, primary_key=True, **kw)


def required(name: str, type_=String, **kw) -> Column:
    return Column(name, type_, nullable=False, **kw)


def stamp(name: str, *, nullable: bool = False, **kw) -> Column:
    """A stored UTC time (see STORED_TIME)."""
    return Column(name, String(TS), nullable=nullable, **kw)


def local_date(name: str, *, nullable: bool = True, **kw) -> Column:
    """A local ISO date, YYYY-MM-DD."""
    return Column(name, String(10), nullable=nullable, **kw)


def counter(name: str, type_=Integer) -> Column:
    return Column(name, type_, nullable=False, default=0.0 if type_ is Float else 0)


def flag(name: str) -> Column:
    return Column(name, Boolean, nullable=False, default=False)


LEARNERS = Table(
    "learners", metadata,
    pk("learner_id"),
    Column("name", String),
    # The roster's (DESIGN 10; migration 9): who gets the learner's e-mails, and their team.
    Column("email", String),
    Column("team", String),
    Column("manager_email", String),
)

MODULES = Table(
    "modules", metadata,
    pk("module_id"),
    Column("title", String),
    Column("pass_mark", Float),
    local_date("target_date"),
    flag("in_catalog"),
    Column("position", Integer),
)

TASKS = Table(
    "tasks", metadata,
    pk("task_id"),
    required("module_id", index=True),
    Column("title", String),
    Column("difficulty", Integer),
    Column("skills", String),  # JSON array of skill ids
    Column("position", Integer),
)

# The loaded catalog's TOML text: the one source the analytics re-parse.
CATALOG = Table(
    "catalog", metadata,
    pk("id", Integer, default=1),
    required("source"),
    required("text", Text),
    stamp("loaded_at"),
)

EVENTS = Table(
    "events", metadata,
    pk("event_id"),
    required("learner_id"),
    Column("session_id", String),
    required("module_id"),
    Column("task_id", String),
    Column("skill", String),
    required("type"),
    stamp("timestamp"),
    Column("score", Float),
    Column("duration_s", Float),
    Column("difficulty", Integer),
    Column("metadata", Text),
    flag("voided"),
    Column("import_id", Integer),
    Index("ix_events_learner_ts", "learner_id", "timestamp"),
    Index("ix_events_learner_module", "learner_id", "module_id"),
)

# An xAPI voiding statement: its target is left out of every computation.
VOIDS = Table(
    "voids", metadata,
    pk("event_id"),
    required("target_event_id", index=True),
    Column("learner_id", String),
    stamp("timestamp", nullable=True),
    Column("import_id", Integer),
)

IMPORTS = Table(
    "imports", metadata,
    pk("id", Integer),
    required("path"),
    required("file_sha256", String(64)),
    required("fingerprint", String(64), index=True),  # file + the options that shape its rows
    required("format"),
    stamp("started_at"),
    stamp("finished_at", nullable=True),
    counter("read"),
    counter("inserted"),
    counter("duplicates"),
    counter("rejected"),
    counter("skipped"),
)

SCHEMA_MIGRATIONS = Table(
    "schema_migrations", metadata,
    pk("version", Integer),
    required("name"),
    stamp("applied_at"),
)

BASE_TABLES = [LEARNERS, MODULES, TASKS, CATALOG, EVENTS, VOIDS, IMPORTS]
