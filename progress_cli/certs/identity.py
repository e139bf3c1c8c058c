"""The issuer's identity as a credential states it (DESIGN 6.1): its DID, its profile, the
`kid` of the signing key, and the addresses of the published site. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from progress_cli.catalog import Issuer
from progress_cli.certs import didweb, site, statuslist
from progress_cli.certs.credential import IssuerProfile
from progress_cli.certs.keys import PublicKey


@dataclass(frozen=True)
class Identity:
    """Who signs with `key`, as the catalog's [issuer] (or its absence) says."""

    issuer: Issuer | None
    key: PublicKey

    @property
    def did(self) -> str:
        """The did:web of verify_url when `did = "web"`, else the key's did:key."""
        if self.issuer is not None and self.issuer.did == "web":
            return didweb.did_web(self.issuer.verify_url)
        return self.key.did

    @property
    def kid(self) -> str:
        return didweb.method_id(self.did, self.key)

    @property
    def profile(self) -> IssuerProfile:
        if self.issuer is None:
            return IssuerProfile(id=self.did)
        return IssuerProfile(id=self.did, name=self.issuer.name, url=self.issuer.url, email=self.issuer.email)

    @property
    def verify_url(self) -> str | None:
        return self.issuer.verify_url if self.issuer is not None else None

    @property
    def status_list_url(self) -> str | None:
        return statuslist.list_url(self.verify_url) if self.verify_url else None

    def page_url(self, code: str) -> str | None:
        """The certificate's page on the published site, or None without verify_url."""
        return site.page_url(self.verify_url, code) if self.verify_url else None
