"""Our client order ids: deterministic, so that a retry or a restart never sends twice.

An id names the bot, the candle whose decision made the order (its open time, epoch ms) and the
purpose: ``ct-a-1704067200000-e`` is the aggressive bot's entry decided on that candle, ``-x`` an
exit on a signal, ``-t`` an exit at the take-profit watched by the engine. Protection orders
derive from their entry: ``<entry>-sl`` / ``<entry>-tp`` for the first placement,
``<entry>2-sl`` ... after a re-placement; ``<entry>-c`` closes a position whose protection could
not be placed. At most 36 characters, ``[A-Za-z0-9-]`` (Binance's and our ``Order``'s rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptotrader.domain.enums import BotKind

PREFIX = "ct"
ENTRY, EXIT, TAKE, CLOSE = "e", "x", "t", "c"
_LETTER = {BotKind.SAFE: "s", BotKind.AGGRESSIVE: "a"}
_BOT = {letter: kind for kind, letter in _LETTER.items()}


@dataclass(frozen=True, slots=True)
class ClientId:
    """The parts of one of our client order ids."""

    bot: BotKind
    step_ms: int
    purpose: str
    protection: bool


def decision_id(bot: BotKind, step_ms: int, purpose: str) -> str:
    """The id of the order a decision on the candle opened at ``step_ms`` makes.

    Example:
        >>> decision_id(BotKind.AGGRESSIVE, 1704067200000, ENTRY)
        'ct-a-1704067200000-e'
    """
    return f"{PREFIX}-{_LETTER[bot]}-{step_ms}-{purpose}"


def protection_id(entry: str, version: int) -> str:
    """Base id of the ``version``-th protection of the entry ``entry`` (``-sl``/``-tp`` added)."""
    return entry if version <= 1 else f"{entry}{version}"


def close_id(entry: str) -> str:
    """The market close of a position whose protection failed."""
    return f"{entry}-{CLOSE}"


def parse(client_order_id: str) -> ClientId | None:
    """The parts of one of our ids, or None for anyone else's.

    Example:
        >>> parse("ct-s-1704067200000-e2-sl")
        ClientId(bot=<BotKind.SAFE: 'safe'>, step_ms=1704067200000, purpose='e', protection=True)
        >>> parse("ct-s-1704067200000-e-c").purpose
        'c'
    """
    parts = client_order_id.split("-")
    if len(parts) not in (4, 5) or parts[0] != PREFIX or parts[1] not in _BOT:
        return None
    if not parts[2].isdigit() or not parts[3]:
        return None
    suffix = parts[4] if len(parts) == 5 else None
    if suffix not in (None, "sl", "tp", CLOSE):
        return None
    purpose = CLOSE if suffix == CLOSE else parts[3][:1]
    return ClientId(_BOT[parts[1]], int(parts[2]), purpose, suffix in ("sl", "tp"))
