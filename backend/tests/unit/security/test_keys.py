"""Exchange-key encryption: MultiFernet rotation, masking, no clear text in reprs."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from cryptotrader.errors import ConfigurationError, OperationalError
from cryptotrader.security.keys import ExchangeCredentials, KeyRing, mask


def test_key_ring_when_rotated_decrypts_old_tokens_and_reencrypts_with_the_newest() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = KeyRing([old]).encrypt("api-secret")
    ring = KeyRing([new, old])
    assert ring.decrypt(token) == "api-secret"
    assert not ring.is_current(token)
    rotated = ring.rotate(token)
    assert ring.is_current(rotated)
    assert KeyRing([new]).decrypt(rotated) == "api-secret"
    with pytest.raises(OperationalError, match="cannot be decrypted"):
        KeyRing([new]).decrypt(token)


def test_key_ring_when_key_is_missing_or_malformed_refuses_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="no encryption key"):
        KeyRing([])
    with pytest.raises(ConfigurationError, match="key 2 is not a valid Fernet key") as error:
        KeyRing([Fernet.generate_key().decode(), "my-secret-but-not-fernet"])
    assert "my-secret-but-not-fernet" not in str(error.value)


def test_mask_when_applied_shows_only_the_ends_of_long_secrets() -> None:
    assert mask("ABCD1234567890WXYZ") == "ABCD…WXYZ"
    assert mask("short-secret") == "shor…cret"
    assert mask("tiny") == "…"


def test_credentials_when_printed_never_show_the_secrets() -> None:
    credentials = ExchangeCredentials(api_key="k" * 20, api_secret="s" * 20, passphrase="p" * 9)
    ring = KeyRing([Fernet.generate_key().decode()])
    ciphertexts = ring.encrypt_credentials(credentials)
    assert "k" * 20 not in repr(credentials)
    assert "s" * 20 not in repr(credentials)
    assert all("s" * 20 not in c for c in ciphertexts if c)
    assert ring.decrypt_credentials(*ciphertexts) == credentials
