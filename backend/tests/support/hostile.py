"""Hostile requests for the API, as Hypothesis strategies: what an attacker would type.

Strings carry lone UTF-16 surrogates, NUL and other control characters, right-to-left marks,
very long runs; numbers are non-finite (``NaN``, ``Infinity``), have huge or tiny exponents
(``1E-10000000``, ``1e999``), or are integers of hundreds of digits, written as raw JSON
tokens that ``json.dumps`` would never produce. A request is one operation of the app's OpenAPI
schema with hostile path and query parameters and a body made of the operation's own field
names (so validation goes deep) with hostile values, or of raw bytes that are not JSON at all.

Used by the suite (``test_api_fuzz_hostile.py``, fixed seed) and by ``bench/fuzz.py``
(50,000 cases and more).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
from hypothesis import strategies as st

SURROGATES = ["\ud800", "\udfff", "a\ud83dz", "\udc00\ud800"]
CONTROL = ["\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "\r\n", "\x7f"]
NUMBER_TOKENS = [
    "NaN", "-NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1E-10000000", "1e-320",
    "1E+999999999", "0.1e-999999", "123456789012345678901234567890.123456789", "-0", "0e0",
    "9" * 400, "-" + "9" * 400, "1.0000000000000000000000000001",
]  # fmt: skip
"""Raw JSON number tokens (some invalid JSON by the standard, accepted by Python's parser)."""
NUMBER_TEXTS = [*NUMBER_TOKENS, "nan", "inf", "0x10", "1_000", " 1 ", "", "1e", "--1", "٣"]
"""The same as strings: decimals travel as strings in this API."""
PLAUSIBLE = [
    "BTC/USDT", "BTCUSDT", "binance", "kraken", "1h", "4h", "safe", "aggressive", "sma_cross",
    "admin", "viewer", "trader", "read", "control", "0.01", "0.5", "1", "100", "2026-01-01",
    "2026-01-01T00:00:00Z", "true", "null",
]  # fmt: skip
"""Values that pass some checks, so that validation goes past the first field."""
EXCLUDED = {
    "auth-logout",  # ends the session the other cases use
    "auth-change_password",  # would change the password the harness logs in with
    "notifications-send_test_notification",  # sends to the configured providers
}


@dataclass(frozen=True)
class Raw:
    """A JSON token written as is (a number ``json.dumps`` cannot produce)."""

    token: str


def to_json(value: Any) -> str:
    """JSON text of ``value``, with ``Raw`` tokens inlined and lone surrogates escaped."""
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, dict):
        items = (f"{to_json(str(k))}:{to_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)  # ensure_ascii: a lone surrogate becomes "\ud800", valid JSON


def _text() -> st.SearchStrategy[str]:
    characters = st.characters(codec=None, categories=None)  # every code point, surrogates too
    return st.one_of(
        st.sampled_from(SURROGATES + CONTROL + NUMBER_TEXTS + PLAUSIBLE),
        st.text(characters, max_size=40),
        st.builds(
            lambda a, b, c: a + b + c,
            st.sampled_from(PLAUSIBLE),
            st.sampled_from(SURROGATES + CONTROL),
            st.text(max_size=5),
        ),
        st.integers(1, 70_000).map(lambda n: "x" * n),  # up to beyond the 64 KiB body limit
    )


def _scalar() -> st.SearchStrategy[Any]:
    return st.one_of(
        _text(),
        st.sampled_from(NUMBER_TOKENS).map(Raw),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )


def hostile_value() -> st.SearchStrategy[Any]:
    """Any JSON value, hostile at every level (nested up to a few levels)."""
    return st.recursive(
        _scalar(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(_text(), inner, max_size=4),
        ),
        max_leaves=8,
    )


@dataclass(frozen=True)
class Operation:
    """One route: its method, path template, parameters and body field names."""

    operation_id: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    body_fields: tuple[str, ...] | None
    """None: the route takes no body."""


@dataclass(frozen=True)
class HostileRequest:
    """A request ready to send; ``auth`` is ``admin``, ``none`` or ``garbage``."""

    operation: str
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    auth: str = "admin"


def operations(schema: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI schema but the ``EXCLUDED`` ones."""
    found = []
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            if spec.get("operationId") in EXCLUDED:
                continue
            parameters = spec.get("parameters", [])
            fields = None
            if "requestBody" in spec:
                body = spec["requestBody"]["content"].get("application/json", {}).get("schema", {})
                ref = body.get("$ref", "").rsplit("/", 1)[-1]
                fields = tuple(components.get(ref, body).get("properties", {}))
            found.append(
                Operation(
                    operation_id=spec.get("operationId", f"{method} {path}"),
                    method=method.upper(),
                    path=path,
                    path_params=tuple(p["name"] for p in parameters if p["in"] == "path"),
                    query_params=tuple(p["name"] for p in parameters if p["in"] == "query"),
                    body_fields=fields,
                )
            )
    return found


def _short(text: str) -> str:
    return text[:200]


def _path_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["1", "2", "0", "-1", "99999999999999999999", "safe", "binance"]),
        _text().map(_short),
    )


def _encoded(value: Any) -> bytes:
    return to_json(value).encode("utf-8", "surrogatepass")


def _body(fields: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    known = st.dictionaries(st.sampled_from(fields), hostile_value(), max_size=len(fields) + 1)
    shaped = st.builds(
        lambda own, extra: {**own, **extra},
        known if fields else st.just({}),
        st.dictionaries(_text(), hostile_value(), max_size=2),
    )
    as_text = st.one_of(shaped, hostile_value()).map(_encoded)
    garbage = st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"{", b'{"a":', b"\xff\xfe", b"[" * 5000, b'{"a":' * 3000]),
    )
    return st.one_of(as_text, as_text, as_text, garbage)


def _escape(text: str) -> str:
    """Percent-encode every byte but letters and digits (lone surrogates as their raw bytes)."""
    raw = text.encode("utf-8", "surrogatepass")
    return "".join(chr(b) if chr(b).isalnum() and b < 128 else f"%{b:02X}" for b in raw)


async def send(client: httpx.AsyncClient, request: HostileRequest, token: str) -> httpx.Response:
    """Send ``request`` (``token``: the admin's access token)."""
    headers = {"Content-Type": "application/json"} if request.body is not None else {}
    if request.auth == "admin":
        headers["Authorization"] = f"Bearer {token}"
    elif request.auth == "garbage":
        headers["Authorization"] = "Bearer ctk_\x00" + "A" * 300
    query = "&".join(f"{_escape(k)}={_escape(v)}" for k, v in request.params.items())
    url = request.url + (f"?{query}" if query else "")
    return await client.request(request.method, url, content=request.body, headers=headers)


@st.composite
def hostile_request(draw: st.DrawFn, ops: list[Operation]) -> HostileRequest:
    """One hostile request to one of ``ops``."""
    op = draw(st.sampled_from(ops))
    url = op.path
    for name in op.path_params:
        url = url.replace("{" + name + "}", _escape(draw(_path_value())))
    params = {}
    query_value = st.one_of(st.sampled_from(NUMBER_TEXTS + PLAUSIBLE), _text().map(_short))
    for name in op.query_params:
        if draw(st.booleans()):
            params[name] = draw(query_value)
    body = None if op.body_fields is None else draw(_body(op.body_fields))
    auth = draw(st.sampled_from(["admin", "admin", "admin", "none", "garbage"]))
    return HostileRequest(op.operation_id, op.method, url, params, body, auth)


def pools(seed: int, size: int = 2_000) -> tuple[list[Any], list[str]]:
    """``size`` hostile JSON values and ``size`` hostile strings, drawn by Hypothesis (``seed``)."""
    values: list[Any] = []
    texts: list[str] = []
    batch = 50

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=max(1, -(-size // batch)),
        database=None,
        phases=[hypothesis.Phase.generate],
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(
        st.lists(hostile_value(), min_size=batch, max_size=batch),
        st.lists(_text(), min_size=batch, max_size=batch),
    )
    def take(drawn: list[Any], strings: list[str]) -> None:
        values.extend(drawn)
        texts.extend(strings)

    take()
    return values[:size], texts[:size]


def combine(
    ops: list[Operation], values: list[Any], texts: list[str], count: int, seed: int
) -> Iterator[HostileRequest]:
    """``count`` requests built from Hypothesis-drawn pools by a seeded RNG (cheap at scale).

    Each request: an operation, its path parameters and some of its query parameters from the
    strings, a body of its own fields (or a value, or raw bytes) from the values, an identity.
    """
    rng = random.Random(seed)
    garbage = [b"{", b'{"a":', b"\xff\xfe", b"[" * 5000, b'{"a":' * 3000, b"", b"null"]
    for _ in range(count):
        op = rng.choice(ops)
        url = op.path
        for name in op.path_params:
            url = url.replace("{" + name + "}", _escape(_short(rng.choice(texts))))
        params = {name: _short(rng.choice(texts)) for name in op.query_params if rng.random() < 0.5}
        body = None
        if op.body_fields is not None:
            roll = rng.random()
            if roll < 0.75:
                own = {f: rng.choice(values) for f in op.body_fields if rng.random() < 0.7}
                extra = {rng.choice(texts): rng.choice(values)} if rng.random() < 0.2 else {}
                body = _encoded({**own, **extra})
            elif roll < 0.9:
                body = _encoded(rng.choice(values))
            else:
                body = rng.choice(garbage)
        auth = rng.choice(["admin", "admin", "admin", "none", "garbage"])
        yield HostileRequest(op.operation_id, op.method, url, params, body, auth)


def generate(ops: list[Operation], count: int, seed: int, batch: int = 25) -> list[HostileRequest]:
    """``count`` hostile requests, the same ones for the same ``seed`` (Hypothesis, no database).

    Each Hypothesis example is a batch of ``batch`` requests: the engine's per-example work is
    shared (a third of the time per request on a loaded machine).
    """
    found: list[HostileRequest] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=max(1, -(-count // batch)),
        database=None,
        phases=[hypothesis.Phase.generate],
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(st.lists(hostile_request(ops), min_size=batch, max_size=batch))
    def take(requests: list[HostileRequest]) -> None:
        found.extend(requests)

    take()
    return found[:count]
