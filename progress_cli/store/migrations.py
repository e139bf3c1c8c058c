"""Numbered schema migrations, recorded in `schema_migrations`, applied when a store opens.

Each step is a function of a connection inside the migrating transaction. A step never
changes once released; a schema change is a new step, so an old store upgrades in place.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.schema import CreateColumn

from progress_cli.errors import StoreError
from progress_cli.store import dialect  # noqa: F401  (how PostgreSQL creates text columns)
from progress_cli.store import derived, models
from progress_cli.store.achievements import EARNED
from progress_cli.store.activity import ACTIVITY
from progress_cli.store.certs import CERT_TABLES, CERTS
from progress_cli.store.deliveries import DELIVERIES
from progress_cli.store.engine import read_snapshot, write_transaction
from progress_cli.store.models import stored_time


def m001_initial(conn: Connection) -> None:
    models.metadata.create_all(conn, tables=models.BASE_TABLES)


def m002_derived_progress(conn: Connection) -> None:
    models.metadata.create_all(conn, tables=derived.FIRST_DERIVED_TABLES)


def m003_achievements(conn: Connection) -> None:
    models.metadata.create_all(conn, tables=[EARNED])


def m004_certificates(conn: Connection) -> None:
    models.metadata.create_all(conn, tables=CERT_TABLES)


def m005_activity_outbox(conn: Connection) -> None:
    models.metadata.create_all(conn, tables=[ACTIVITY])


def m006_sessions(conn: Connection) -> None:
    """Sessions (DESIGN 4); an upgraded store fills them at its next `progress recompute`."""
    models.metadata.create_all(conn, tables=[derived.SESSIONS])


def m007_forecast_calibration(conn: Connection) -> None:
    """Calibrated completion intervals (DESIGN 5.6); filled by the next `progress recompute`."""
    models.metadata.create_all(conn, tables=[derived.FORECAST_SAMPLES, derived.FORECAST_CALIBRATION])


def m008_status_list_index(conn: Connection) -> None:
    """Each certificate's index in the published revocation list (DESIGN 4, 6.1); NULL for
    those issued before (their credentials name no status list)."""
    if "status_index" not in {c["name"] for c in inspect(conn).get_columns("certificates")}:
        conn.exec_driver_sql("ALTER TABLE certificates ADD COLUMN status_index INTEGER")
    next(i for i in CERTS.indexes if i.name == "ux_certificates_status_index").create(conn, checkfirst=True)


def m009_roster_and_deliveries(conn: Connection) -> None:
    """The roster's columns on `learners` and the `deliveries` table (DESIGN 10).

    A store created at this version already has the columns (step 1 builds `learners` from the
    current model), so only the missing ones are added.
    """
    learners = models.LEARNERS
    present = {c["name"] for c in inspect(conn).get_columns(learners.name)}
    quote = conn.dialect.identifier_preparer.quote
    for name in ("email", "team", "manager_email"):
        if name not in present:
            column = CreateColumn(learners.c[name]).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {quote(learners.name)} ADD COLUMN {column}")
    models.metadata.create_all(conn, tables=[DELIVERIES])


def m010_module_risk(conn: Connection) -> None:
    """Risk per started module and the peers it weighs (DESIGN 5.7); an upgraded store fills
    them at its next `progress recompute`."""
    models.metadata.create_all(conn, tables=[derived.MODULE_RISK, derived.PEER_TASKS])


def m011_reads(conn: Connection) -> None:
    """What the read commands answer from without the events (DESIGN 9): the zone, catalog and
    newest import each learner's figures were computed with, peak hours, each day's practice
    seconds, and the achievements' states; filled at each learner's next recompute."""
    for table, column, kind in derived.READS_COLUMNS:
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    models.metadata.create_all(conn, tables=[derived.ACHIEVEMENT_PROGRESS])


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial", m001_initial),
    (2, "derived progress tables", m002_derived_progress),
    (3, "achievements earned", m003_achievements),
    (4, "certificates and signing keys", m004_certificates),
    (5, "activity outbox", m005_activity_outbox),
    (6, "sessions", m006_sessions),
    (7, "forecast calibration", m007_forecast_calibration),
    (8, "certificate status-list index", m008_status_list_index),
    (9, "roster columns and deliveries", m009_roster_and_deliveries),
    (10, "module risk", m010_module_risk),
    (11, "reads from stored rows", m011_reads),
]
SCHEMA_VERSION = max(version for version, _, _ in MIGRATIONS)


def applied_versions(conn: Connection) -> list[int]:
    table = models.SCHEMA_MIGRATIONS
    return list(conn.execute(select(table.c.version).order_by(table.c.version)).scalars())


def migrate(engine: Engine, upto: int | None = None) -> list[int]:
    """Apply the missing migrations (up to `upto`, for tests); returns the versions applied.

    An up-to-date store is only read, so opening it never waits for a running writer.
    """
    wanted = {version for version, _, _ in MIGRATIONS if upto is None or version <= upto}
    stored = _stored_versions(engine)
    if wanted <= set(stored):
        _refuse_newer(stored)
        return []
    table = models.SCHEMA_MIGRATIONS
    with write_transaction(engine) as conn:
        table.create(conn, checkfirst=True)
        done = set(applied_versions(conn))
        _refuse_newer(done)
        now = stored_time()
        applied = []
        for version, name, step in sorted(MIGRATIONS, key=lambda m: m[0]):
            if version in done or version not in wanted:
                continue
            step(conn)
            conn.execute(table.insert().values(version=version, name=name, applied_at=now))
            applied.append(version)
    return applied


def _stored_versions(engine: Engine) -> list[int]:
    with read_snapshot(engine) as conn:
        if not inspect(conn).has_table(models.SCHEMA_MIGRATIONS.name):
            return []
        return applied_versions(conn)


def _refuse_newer(done) -> None:
    if done and max(done) > SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {max(done)}, newer than this progress-cli knows "
            f"({SCHEMA_VERSION}); upgrade progress-cli"
        )
