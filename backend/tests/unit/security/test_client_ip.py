"""Client addresses: X-Forwarded-For is believed from trusted proxies only."""

from __future__ import annotations

import pytest

from cryptotrader.api.client_ip import TrustedProxies
from cryptotrader.errors import ConfigurationError


def test_resolve_when_peer_is_not_trusted_ignores_the_header() -> None:
    assert TrustedProxies(["10.0.0.0/8"]).resolve("203.0.113.5", "1.2.3.4") == "203.0.113.5"


def test_resolve_when_behind_trusted_proxies_takes_the_first_untrusted_hop_from_the_right() -> None:
    proxies = TrustedProxies(["10.0.0.0/8", "192.0.2.1"])
    # the client claims 6.6.6.6; the edge proxy appended the real 203.0.113.9
    header = "6.6.6.6, 203.0.113.9, 192.0.2.1"
    assert proxies.resolve("10.1.2.3", header) == "203.0.113.9"
    assert proxies.resolve("10.1.2.3", "10.0.0.1, 10.0.0.2") == "10.0.0.1"
    assert proxies.resolve("10.1.2.3", "garbage, 203.0.113.9") == "203.0.113.9"
    assert proxies.resolve("10.1.2.3", "203.0.113.9, garbage") == "10.1.2.3"
    assert proxies.resolve("::1", "203.0.113.9") == "::1"


def test_proxies_when_malformed_refuse_to_start() -> None:
    with pytest.raises(ConfigurationError, match="trusted_proxies"):
        TrustedProxies(["not-an-ip"])
