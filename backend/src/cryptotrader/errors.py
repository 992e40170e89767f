"""Exceptions, named by the reaction they call for.

Callers choose what to do from the class alone: retry a ``TemporaryError``, stop and alert a
human on an ``OperationalError``, drop an order on ``OrderRejected``, disable a plugin on
``StrategyError``, and show a ``UserInputError`` to the user as one line.
"""


class TraderError(Exception):
    """Base of every error raised on purpose by CryptoTrader."""


# --- bad input: shown to the user as one line, never retried ------------------------------------


class UserInputError(TraderError):
    """Input from a person or a file is invalid; the message says what and where."""


class ConfigurationError(UserInputError):
    """Settings are missing, inconsistent, or unsafe for the environment (e.g. a default secret)."""


class DataValidationError(UserInputError):
    """A market data file or frame breaks an OHLCV rule; the message names the file and row."""


class UnknownNameError(UserInputError):
    """A name (indicator, timeframe, exchange, strategy) is not known; the message suggests one."""


# --- operational: stop and alert a human ---------------------------------------------------------


class OperationalError(TraderError):
    """Needs a human: authentication failed, an unknown exchange error, inconsistent state."""


# --- temporary: retry with backoff ---------------------------------------------------------------


class TemporaryError(TraderError):
    """Usually resolves itself (network hiccup, exchange busy): retry with backoff."""


class NetworkUnavailableError(TemporaryError):
    """A remote host could not be reached or timed out."""


class RateLimitedError(TemporaryError):
    """The remote side asked us to slow down (HTTP 429/418, DDoS protection)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        """How long the remote side asked us to wait (its ``Retry-After``), when it said."""


# --- orders ---------------------------------------------------------------------------------------


class OrderRejected(TraderError):  # noqa: N818 - the name is the reaction: the order is rejected
    """The exchange or the risk manager refused an order; never retried as is."""


class InsufficientFunds(OrderRejected):
    """Not enough free balance for the order."""


# --- plugins --------------------------------------------------------------------------------------


class StrategyError(TraderError):
    """A strategy or indicator plugin raised: a bug in plugin code; disable the plugin."""
