"""Who the client is: the peer address, or X-Forwarded-For when the peer is a trusted proxy.

Only proxies listed in ``api.trusted_proxies`` are believed. Their header is read from the
right: each hop appended by a trusted proxy is skipped, and the first address not in the list is
the client. Anyone else's header is ignored, so a client cannot pick its own rate-limit key or
its audit address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from typing import Any

from cryptotrader.errors import ConfigurationError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """Resolves the client address of a request.

    Args:
        proxies: addresses or CIDRs (``10.0.0.0/8``).

    Raises:
        ConfigurationError: an entry is not an address or network.

    Example:
        >>> proxies = TrustedProxies(["127.0.0.1"])
        >>> proxies.resolve("127.0.0.1", "203.0.113.7, 127.0.0.1")
        '203.0.113.7'
        >>> TrustedProxies([]).resolve("198.51.100.2", "203.0.113.7")
        '198.51.100.2'
    """

    def __init__(self, proxies: Iterable[str]) -> None:
        networks: list[Network] = []
        for entry in proxies:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ConfigurationError(
                    f"api.trusted_proxies: {entry!r} is not an IP address or network"
                ) from None
        self._networks = tuple(networks)

    def trusted(self, address: str) -> bool:
        """True when ``address`` is one of the trusted proxies."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)

    def resolve(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The client address given the peer and the ``X-Forwarded-For`` header value."""
        if peer is None or not forwarded_for or not self.trusted(peer):
            return peer
        client = peer
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                break  # garbage: stop at the last address a trusted proxy vouched for
            client = hop
            if not self.trusted(hop):
                break
        return client

    def client_ip(self, scope: MutableMapping[str, Any]) -> str | None:
        """The client address of an ASGI ``scope``."""
        peer = scope.get("client")
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name == b"x-forwarded-for"
        ]
        return self.resolve(peer[0] if peer else None, ",".join(forwarded) or None)
