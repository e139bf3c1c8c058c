"""Certificates and signing keys (migration 4), and the queries over them. Never commits.

`certificates` holds every certificate ever issued. `issue_slot` numbers the certificates of
one learner and certification (1, 2, ... as they are renewed or re-issued): an issuer takes
the slot after the latest one, and the unique key on (learner_id, certification, issue_slot)
lets only one of two racing processes take it, on every backend.

`signing_keys` keeps every public key with its did:key, so certificates signed before a
rotation still verify; `current` is 1 on the signing key and NULL on retired ones, and being
unique it allows one signing key at most.

`status_index` (migration 8) is a certificate's own entry in the published revocation list
(W3C Bitstring Status List): NULL for certificates issued without a verify_url, unique otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Float, Index, Integer, String, Table, Text, UniqueConstraint, func, select, update

from progress_cli.store.models import metadata, pk, required, stamp


KEYS = Table(
    "signing_keys", metadata,
    pk("key_id"),  # the multibase public key, z6Mk...
    required("did"),
    required("algorithm", default="Ed25519"),
    required("public_key_pem", Text),
    stamp("created_at"),
    stamp("retired_at", nullable=True),
    Column("current", Integer, unique=True, nullable=True),
)

CERTS = Table(
    "certificates", metadata,
    pk("certificate_id"),  # UUID
    required("code", Text, unique=True),
    required("learner_id"),
    Column("learner_name", String),
    required("certification"),
    required("issue_slot", Integer),
    stamp("issued_at"),
    stamp("valid_until"),
    Column("overall_score", Float),
    required("skills", Text),  # JSON [{"id", "name", "mastery"}]
    required("key_id"),
    required("token", Text),  # the compact VC-JWT
    stamp("revoked_at", nullable=True),
    Column("revoked_reason", String),
    Column("status_index", Integer),
    UniqueConstraint("learner_id", "certification", "issue_slot", name="uq_certificates_issue_slot"),
    Index("ix_certificates_valid_until", "valid_until"),
    Index("ux_certificates_status_index", "status_index", unique=True),
)
CERT_TABLES = [KEYS, CERTS]


def signing_keys(conn: Connection) -> list[dict[str, Any]]:
    """Every key, the current one first, then the retired ones, newest first."""
    query = select(KEYS).order_by(KEYS.c.current.is_(None), KEYS.c.created_at.desc())
    return [dict(r._mapping) for r in conn.execute(query)]


def current_key(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(KEYS).where(KEYS.c.current == 1)).first()
    return dict(row._mapping) if row else None


def retire_current_key(conn: Connection, *, at: str) -> None:
    conn.execute(update(KEYS).where(KEYS.c.current == 1).values(current=None, retired_at=at))


def add_current_key(conn: Connection, *, key_id: str, did: str, public_key_pem: str, created_at: str) -> None:
    conn.execute(KEYS.insert().values(key_id=key_id, did=did, algorithm="Ed25519", public_key_pem=public_key_pem,
                                      created_at=created_at, current=1))


def latest_certificates(conn: Connection, learner_ids: list[str], certification: str) -> dict[str, dict[str, Any]]:
    """learner_id -> their latest certificate (highest issue_slot) for `certification`."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(learner_ids), 500):
        chunk = learner_ids[start:start + 500]
        query = (select(CERTS).where(CERTS.c.certification == certification, CERTS.c.learner_id.in_(chunk))
                 .order_by(CERTS.c.learner_id, CERTS.c.issue_slot))
        for row in conn.execute(query):
            found[row.learner_id] = dict(row._mapping)  # ascending slots: the last one wins
    return found


def latest_certificate(conn: Connection, learner_id: str, certification: str) -> dict[str, Any] | None:
    return latest_certificates(conn, [learner_id], certification).get(learner_id)


def insert_certificate(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(CERTS.insert().values(**row))


def certificate_by(conn: Connection, *, code: str | None = None, certificate_id: str | None = None) -> dict | None:
    column, value = (CERTS.c.code, code) if code is not None else (CERTS.c.certificate_id, certificate_id)
    row = conn.execute(select(CERTS).where(column == value)).first()
    return dict(row._mapping) if row else None


def revoke(conn: Connection, *, certificate_id: str, at: str, reason: str) -> None:
    conn.execute(update(CERTS).where(CERTS.c.certificate_id == certificate_id, CERTS.c.revoked_at.is_(None))
                 .values(revoked_at=at, revoked_reason=reason))


def all_certificates(conn: Connection) -> list[dict[str, Any]]:
    """Every certificate (without its token), by learner, certification and slot."""
    columns = [c for c in CERTS.c if c.key != "token"]
    query = select(*columns).order_by(CERTS.c.learner_id, CERTS.c.certification, CERTS.c.issue_slot)
    return [dict(r._mapping) for r in conn.execute(query)]


def status_index_taken(conn: Connection, index: int) -> bool:
    return conn.execute(select(CERTS.c.certificate_id).where(CERTS.c.status_index == index)).first() is not None


def status_indexes_held(conn: Connection) -> int:
    """How many certificates hold a status-list index."""
    return conn.execute(select(func.count()).select_from(CERTS).where(CERTS.c.status_index.is_not(None))).scalar_one()


def site_certificates(conn: Connection) -> list[dict[str, Any]]:
    """Every certificate with its token, by code: what `cert publish` writes."""
    return [dict(r._mapping) for r in conn.execute(select(CERTS).order_by(CERTS.c.code))]
