"""Trading pairs, written ``BASE/QUOTE`` as ccxt writes them."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from cryptotrader.errors import UserInputError

_SEPARATED = re.compile(r"^([A-Z0-9]{2,12})[/\-_:]([A-Z0-9]{2,12})$")
_KNOWN_QUOTES = ("USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USD", "EUR", "GBP", "BTC", "ETH", "BNB")


class Pair(BaseModel):
    """A market's base and quote assets.

    Example:
        >>> Pair.parse("btcusdt").symbol
        'BTC/USDT'
    """

    model_config = ConfigDict(frozen=True)

    base: str
    quote: str

    @classmethod
    def parse(cls, text: str) -> Pair:
        """Parse ``BTC/USDT``, ``BTC-USDT``, ``BTC_USDT`` or ``BTCUSDT`` (known quote suffix).

        Raises:
            UserInputError: the text is not a recognisable pair.
        """
        upper = text.strip().upper()
        match = _SEPARATED.match(upper)
        if match:
            return cls(base=match.group(1), quote=match.group(2))
        for quote in _KNOWN_QUOTES:
            if upper.endswith(quote) and len(upper) > len(quote) + 1:
                return cls(base=upper[: -len(quote)], quote=quote)
        raise UserInputError(f"not a trading pair: {text!r} (write it like BTC/USDT)")

    @property
    def symbol(self) -> str:
        """The ccxt symbol, ``BASE/QUOTE``."""
        return f"{self.base}/{self.quote}"

    @property
    def compact(self) -> str:
        """The exchange-native spelling without separator, ``BASEQUOTE``."""
        return f"{self.base}{self.quote}"

    @property
    def slug(self) -> str:
        """A file-name-safe spelling, ``BASE-QUOTE``."""
        return f"{self.base}-{self.quote}"

    def __str__(self) -> str:
        return self.symbol
