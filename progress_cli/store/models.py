"""SQLModel tables of the store (DESIGN section 4).

Timestamps are stored as fixed-width UTC text ('YYYY-MM-DDTHH:MM:SS.ffffffZ'): it sorts in time
order on every backend, needs no conversion on the hot import path, and reads well in a shell.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from progress_cli.store.times import STORED_TIME, TS, iso_time, stored_time  # noqa: F401  (their home before)


class Learner(SQLModel, table=True):
    __tablename__ = "learners"
    learner_id: str = Field(primary_key=True)
    name: str | None = None


class Module(SQLModel, table=True):
    __tablename__ = "modules"
    module_id: str = Field(primary_key=True)
    title: str | None = None
    pass_mark: float | None = None
    target_date: str | None = Field(default=None, max_length=10)
    in_catalog: bool = False
    position: int | None = None


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    task_id: str = Field(primary_key=True)
    module_id: str = Field(index=True)
    title: str | None = None
    difficulty: int | None = None
    skills: str | None = None  # JSON array of skill ids
    position: int | None = None


class CatalogRecord(SQLModel, table=True):
    """The loaded catalog's TOML text: the one source the analytics re-parse."""

    __tablename__ = "catalog"
    id: int = Field(default=1, primary_key=True)
    source: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: str = Field(max_length=TS)


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_learner_ts", "learner_id", "timestamp"),
        Index("ix_events_learner_module", "learner_id", "module_id"),
    )
    event_id: str = Field(primary_key=True)
    learner_id: str
    session_id: str | None = None
    module_id: str
    task_id: str | None = None
    skill: str | None = None
    type: str
    timestamp: str = Field(sa_column=Column(String(TS), nullable=False))
    score: float | None = None
    duration_s: float | None = None
    difficulty: int | None = None
    meta: str | None = Field(default=None, sa_column=Column("metadata", Text))
    voided: bool = False
    import_id: int | None = None


class Void(SQLModel, table=True):
    """An xAPI voiding statement: its target is left out of every computation."""

    __tablename__ = "voids"
    event_id: str = Field(primary_key=True)
    target_event_id: str = Field(index=True)
    learner_id: str | None = None
    timestamp: str | None = Field(default=None, max_length=TS)
    import_id: int | None = None


class ImportRecord(SQLModel, table=True):
    __tablename__ = "imports"
    id: int | None = Field(default=None, primary_key=True)
    path: str
    file_sha256: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64, index=True)  # file + the options that shape its rows
    format: str
    started_at: str = Field(max_length=TS)
    finished_at: str | None = Field(default=None, max_length=TS)
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0


class SchemaMigration(SQLModel, table=True):
    __tablename__ = "schema_migrations"
    version: int = Field(primary_key=True)
    name: str
    applied_at: str = Field(max_length=TS)


BASE_TABLES = [
    Learner.__table__, Module.__table__, Task.__table__, CatalogRecord.__table__,
    Event.__table__, Void.__table__, ImportRecord.__table__,
]
