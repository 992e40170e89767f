"""Our client order ids: deterministic, so that a retry or a restart never sends twice.

An id names the bot, the pair, the candle whose decision made the order (its open time, epoch
ms) and the purpose: ``ct-a-BTCUSDT-1704067200000-e`` is the aggressive bot's entry on BTC/USDT
decided on that candle, ``-x`` an exit on a signal, ``-t`` an exit at the take-profit watched by
the engine. Protection orders derive from their entry: ``<entry>-sl`` / ``<entry>-tp`` for the
first placement, ``<entry>2-sl`` ... after a re-placement; ``<entry>-c`` closes a position whose
protection could not be placed. At most 36 characters, ``[A-Za-z0-9-]`` (Binance's and our
``Order``'s rule): the pair is its symbol's letters and digits (``BTCUSDT``) when they are at most
10, else their first 4, ``x`` and 5 hex digits of the symbol's SHA-256.

Ids written before pairs were named (``ct-a-1704067200000-e``, one market per database) still
parse, with no pair (``ClientId.pair is None``): the order's own row says its pair.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptotrader.domain.enums import BotKind

PREFIX = "ct"
ENTRY, EXIT, TAKE, CLOSE = "e", "x", "t", "c"
_LETTER = {BotKind.SAFE: "s", BotKind.AGGRESSIVE: "a"}
_BOT = {letter: kind for kind, letter in _LETTER.items()}
_PAIR_CHARS = 10


@dataclass(frozen=True, slots=True)
class ClientId:
    """The parts of one of our client order ids."""

    bot: BotKind
    step_ms: int
    purpose: str
    protection: bool
    pair: str | None = None
    """The pair's code (``pair_code``); None in an id written before pairs were named."""


def pair_code(symbol: str) -> str:
    """The pair's part of an id: the symbol's letters and digits, shortened when too long.

    Example:
        >>> pair_code("BTC/USDT"), pair_code("1000SATS/USDT")
        ('BTCUSDT', '1000x09617')
    """
    chars = "".join(c for c in symbol.upper() if c.isalnum())
    if len(chars) <= _PAIR_CHARS:
        return chars
    return f"{chars[:4]}x{hashlib.sha256(symbol.upper().encode()).hexdigest()[:5]}"


def decision_id(bot: BotKind, pair: str, step_ms: int, purpose: str) -> str:
    """The id of the order a decision on ``pair``'s candle opened at ``step_ms`` makes.

    Example:
        >>> decision_id(BotKind.AGGRESSIVE, "BTC/USDT", 1704067200000, ENTRY)
        'ct-a-BTCUSDT-1704067200000-e'
    """
    return f"{PREFIX}-{_LETTER[bot]}-{pair_code(pair)}-{step_ms}-{purpose}"


def belongs_to(client_order_id: str, pair: str) -> bool:
    """True when ``client_order_id`` is ours and names ``pair`` (or no pair: an older id)."""
    parsed = parse(client_order_id)
    return parsed is not None and parsed.pair in (None, pair_code(pair))


def protection_id(entry: str, version: int) -> str:
    """Base id of the ``version``-th protection of the entry ``entry`` (``-sl``/``-tp`` added)."""
    return entry if version <= 1 else f"{entry}{version}"


def close_id(entry: str) -> str:
    """The market close of a position whose protection failed."""
    return f"{entry}-{CLOSE}"


@lru_cache(maxsize=4096)
def parse(client_order_id: str) -> ClientId | None:
    """The parts of one of our ids, or None for anyone else's.

    Kept for the last ids parsed (a ``ClientId`` is frozen): an order's id is parsed at every
    record of its reports, several times per order of a 50-pair candle time.

    Example:
        >>> parse("ct-s-ETHUSDT-1704067200000-e2-sl").pair
        'ETHUSDT'
        >>> parse("ct-s-1704067200000-e2-sl")  # written before pairs were named
        ClientId(bot=<BotKind.SAFE: 'safe'>, step_ms=1704067200000, purpose='e', protection=True, \
pair=None)
        >>> parse("ct-s-1704067200000-e-c").purpose
        'c'
    """
    parts = client_order_id.split("-")
    if len(parts) < 4 or parts[0] != PREFIX or parts[1] not in _BOT:
        return None
    pair: str | None = None
    if not parts[2].isdigit():
        pair, parts = parts[2], [parts[0], parts[1], *parts[3:]]
        if not pair.isalnum() or len(pair) > _PAIR_CHARS:
            return None
    if len(parts) not in (4, 5) or not parts[2].isdigit() or not parts[3]:
        return None
    suffix = parts[4] if len(parts) == 5 else None
    if suffix not in (None, "sl", "tp", CLOSE):
        return None
    purpose = CLOSE if suffix == CLOSE else parts[3][:1]
    return ClientId(_BOT[parts[1]], int(parts[2]), purpose, suffix in ("sl", "tp"), pair)
