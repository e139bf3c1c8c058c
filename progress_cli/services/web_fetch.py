"""Fetching what a verifier needs from the issuer's site (DID document, status list, credential).

Standard library only (urllib). HTTPS, or plain http on localhost / 127.0.0.1 so a local
preview needs no TLS; redirects are followed only to addresses allowed by the same rule; a
timeout and a size cap on every answer; every failure is one FetchError line that names the URL.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from progress_cli import __version__
from progress_cli.catalog import web_address_problem
from progress_cli.errors import ProgressError

TIMEOUT_S = 10.0
MAX_BYTES = 5 * 1024 * 1024


class FetchError(ProgressError):
    """The address could not be fetched (network, HTTP status, size, scheme)."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        problem = web_address_problem(newurl)
        if problem:
            raise FetchError(f"{req.full_url} redirects to {newurl}, which {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects())


def fetch(url: str, *, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of `url`; FetchError (one line) for anything but a 200 within the limits."""
    problem = web_address_problem(url)
    if problem:
        raise FetchError(f"cannot fetch {url}: the address {problem}")
    request = urllib.request.Request(url, headers={"User-Agent": f"progress-cli/{__version__}",
                                                   "Accept": "application/jwt, application/json, */*"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot fetch {url}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise FetchError(f"cannot fetch {url}: no answer within {timeout:g} s") from None
    except (OSError, ValueError) as exc:  # a connection reset, an invalid HTTP answer
        raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from None
    if len(body) > max_bytes:
        raise FetchError(f"cannot fetch {url}: larger than {max_bytes // 1024 // 1024} MB")
    return body


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return text.splitlines()[0] if text else type(reason).__name__
