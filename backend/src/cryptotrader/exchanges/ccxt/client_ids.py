"""Our client order ids as each venue accepts them.

Our ids are up to 36 characters of ``[A-Za-z0-9_.-]`` (``domain.Order``), and protection orders
add ``-sl``/``-tp``. Binance takes up to 36 such characters; Kraken's ``cl_ord_id`` takes free
text up to 18 characters or a UUID. An id the venue cannot carry is replaced by a deterministic
substitute (a UUID-5 of our id where the venue accepts UUIDs, else a hash of it), so that the
same id always maps to the same venue id, also after a restart: looking an order up by our id
works without any stored mapping. Reports carry our id again: ids this process has translated
are mapped back; a substitute it never saw (an order from before a restart, listed by
``fetch_open_orders``) is reported as the venue knows it until it is looked up by our id.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("5b0f6a8e-2f7e-4f0c-9a41-6c1d3e0b7a52")  # fixed: ids must stay stable
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True, slots=True)
class ClientIdRule:
    """Which client order ids a venue accepts as they are.

    Attributes:
        max_length: the longest free-text id.
        pattern: the characters allowed in a free-text id (a regex character class body).
        uuids: UUIDs (32 hex digits, with or without hyphens) are accepted at any length rule.
    """

    max_length: int = 36
    pattern: str = r"A-Za-z0-9_.\-"
    uuids: bool = False

    def accepts(self, client_order_id: str) -> bool:
        """True when the venue takes ``client_order_id`` unchanged."""
        if self.uuids and _UUID.match(client_order_id):
            return True
        allowed = re.fullmatch(f"[{self.pattern}]{{1,{self.max_length}}}", client_order_id)
        return allowed is not None

    def substitute(self, client_order_id: str) -> str:
        """The deterministic venue id used for ``client_order_id`` when it is not accepted."""
        if self.uuids:
            return str(uuid.uuid5(_NAMESPACE, client_order_id))
        digest = hashlib.sha256(client_order_id.encode()).hexdigest()
        return "c" + digest[: self.max_length - 1]


class ClientIds:
    """Translates our ids to the venue's and back (see the module docstring)."""

    def __init__(self, rule: ClientIdRule) -> None:
        self._rule = rule
        self._ours: dict[str, str] = {}

    def to_venue(self, client_order_id: str) -> str:
        """The id sent to the venue for our ``client_order_id``."""
        if self._rule.accepts(client_order_id):
            return client_order_id
        venue_id = self._rule.substitute(client_order_id)
        self._ours[venue_id] = client_order_id
        return venue_id

    def to_ours(self, venue_id: str) -> str:
        """Our id for a venue id (the venue id itself when it is not a known substitute)."""
        return self._ours.get(venue_id, venue_id)
