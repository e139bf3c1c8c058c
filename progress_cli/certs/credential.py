"""The Open Badges 3.0 OpenBadgeCredential of a certificate, secured as a VC-JWT.

OB 3.0 section 8.2.4.1: the JWT payload is the credential itself, with the registered claims
`iss` (issuer id), `sub` (credentialSubject id), `jti` (credential id), `nbf` (validFrom) and
`exp` (validUntil) beside it; the JOSE header is `{"alg": "EdDSA", "kid": <verification
method of the signing key under the issuer's DID>, "typ": "JWT"}`. Signed with PyJWT over
`cryptography`'s Ed25519. The issuer is an OB 3.0 Profile (id, name, url, email: DESIGN 6.1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote

from progress_cli.certs.keys import Signer
from progress_cli.certs.model import Certificate

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
ISSUER_NAME = "progress-cli"
ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class IssuerProfile:
    """Who issues: the DID that is the issuer's id, and what the catalog's [issuer] says."""

    id: str
    name: str = ISSUER_NAME
    url: str | None = None
    email: str | None = None

    def as_json(self) -> dict:
        """The OB 3.0 Profile, without the keys the catalog leaves out."""
        profile = {"id": self.id, "type": ["Profile"], "name": self.name}
        return profile | {k: v for k, v in (("url", self.url), ("email", self.email)) if v}


def learner_urn(learner_id: str) -> str:
    return f"urn:progress-cli:learner:{quote(learner_id, safe='-._~@:')}"


def achievement_id(certification: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", certification.lower()).strip("-") or "certificate"
    return f"urn:progress-cli:certification:{slug}"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(cert: Certificate, issuer: IssuerProfile, status: dict | None = None) -> dict:
    """The OpenBadgeCredential with the JWT claims beside it: the payload to sign; `status` is
    its credentialStatus (a BitstringStatusListEntry) when the issuer publishes revocations."""
    achievement = achievement_id(cert.certification)
    descriptions, results = _results(cert, achievement)
    subject = {
        "id": learner_urn(cert.learner_id),
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": cert.display_name}],
        "achievement": {
            "id": achievement,
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": cert.certification,
            "description": f"{cert.certification}: awarded to learners who meet every requirement of the certification.",
            "criteria": {"narrative": cert.criteria},
        },
    }
    if results:
        subject["achievement"]["resultDescription"] = descriptions
        subject["result"] = results
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{cert.certificate_id}",
        "type": list(CREDENTIAL_TYPE),
        "issuer": issuer.as_json(),
        "validFrom": iso(cert.issued_at),
        "validUntil": iso(cert.valid_until),
        "name": cert.certification,
        "description": f"{cert.certification}, awarded to {cert.display_name}. Verification code {cert.code}.",
        "credentialSubject": subject,
    }
    if status is not None:
        credential["credentialStatus"] = status
    claims = {
        "iss": issuer.id,
        "sub": subject["id"],
        "jti": credential["id"],
        "nbf": int(cert.issued_at.timestamp()),
        "exp": int(cert.valid_until.timestamp()),
    }
    return credential | claims


def sign(payload: dict, signer: Signer, kid: str | None = None) -> str:
    """The compact JWT of `payload`, signed with the current key; `kid` names that key under
    the issuer's DID (default: its did:key verification method)."""
    import jwt  # ~65 ms to import: only when signing

    headers = {"kid": kid or signer.public.verification_method, "typ": "JWT"}
    return jwt.encode(payload, signer.private_key, algorithm=ALGORITHM, headers=headers)


def _results(cert: Certificate, achievement: str) -> tuple[list[dict], list[dict]]:
    """ResultDescriptions on the achievement and the learner's Results: the overall score and
    each verified skill's mastery, as percentages."""
    descriptions, results = [], []

    def add(key: str, name: str, value: float | None) -> None:
        if value is None:
            return
        rid = f"{achievement}:result:{quote(key, safe=':-._~')}"
        descriptions.append({"id": rid, "type": ["ResultDescription"], "name": name, "resultType": "Percent",
                             "valueMin": "0", "valueMax": "100"})
        results.append({"type": ["Result"], "resultDescription": rid, "value": f"{value:.1f}"})

    add("overall-score", "Overall score", cert.overall_score)
    for skill in cert.skills:
        add(f"skill:{skill.id}", f"Mastery of {skill.name}", skill.mastery)
    return descriptions, results
