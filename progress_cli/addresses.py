"""What counts as an e-mail address (the roster, xAPI mboxes, the sender): one small rule."""

from __future__ import annotations

import re

# One @, something on each side, a dot in the domain, no spaces, quotes or brackets: what can
# be handed to an SMTP server as a recipient. Non-ASCII is allowed (RFC 6531 addresses).
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")


def is_address(text: str) -> bool:
    """True when `text` reads as one e-mail address (local@domain.tld)."""
    return bool(_ADDRESS.match(text)) and not text.startswith(".") and ".." not in text and not text.endswith(".")
