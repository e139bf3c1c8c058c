"""HTML of the verification site (DESIGN 6.1): Jinja2 templates shipped as package data.

Every value is HTML-escaped (autoescape), so a name or a revocation reason is shown as text in
any script and never read as markup. No JavaScript, `noindex`, readable on a phone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

PAGE_TEMPLATE = "cert_page.html.j2"
INDEX_TEMPLATE = "cert_index.html.j2"


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("progress_cli", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["j2", "html"], default=True), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["score"] = lambda value: "—" if value is None else f"{value:.1f}"
    return env


class CertSiteRenderer:
    """The pages of the site; `services.cert_site.publish_site` calls it."""

    def __init__(self) -> None:
        env = _environment()
        self._page = env.get_template(PAGE_TEMPLATE)
        self._index = env.get_template(INDEX_TEMPLATE)

    def certificate_page(self, data: dict[str, Any]) -> str:
        return self._page.render(**data)

    def index_page(self, data: dict[str, Any]) -> str:
        return self._index.render(**data)
