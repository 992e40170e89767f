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


# --- access: the caller is not who they claim ---------------------------------------------------


class AuthenticationFailed(TraderError):  # noqa: N818 - the name says what happened
    """Credentials are missing, wrong, expired or revoked (HTTP 401).

    Here rather than in ``services``: token checks in ``security`` raise it too.
    """


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


class OrderNotFound(OrderRejected):
    """The exchange has no order with this client id (never received it, or no longer lists it)."""


class CancelReplaceFailed(TraderError):  # noqa: N818 - named by what happened
    """A cancel-and-replace did nothing: the order to cancel was not open.

    It was filled, canceled or unknown, so the new order was not attempted (Binance ``-2022``
    with ``STOP_ON_FAILURE``). Not an ``OrderRejected``: the new order was never judged. Look
    the canceled order up; the position may already be closed by it.
    """


class OrderOutcomeUnknown(TraderError):  # noqa: N818 - named by the reaction: look it up
    """An order-placing call failed after the request may have reached the exchange.

    Raised on a timeout, a dropped connection or a 5xx answer while placing an order: the order
    may have been accepted. **Never re-send it blindly**: look it up by ``client_order_id`` first
    (``BaseExchange.fetch_order``) and re-send only when the exchange says it never received it.
    Deliberately not a ``TemporaryError``, so that a generic retry loop (``retry_async``) never
    re-sends it: exchanges only refuse a duplicate client id while the first order is open, so a
    blind re-send of an order that already filled would trade twice.
    """

    def __init__(self, message: str, *, client_order_id: str) -> None:
        super().__init__(message)
        self.client_order_id = client_order_id
        """Our id of the order whose fate is unknown: query the exchange with it."""


# --- plugins --------------------------------------------------------------------------------------


class StrategyError(TraderError):
    """A strategy or indicator plugin raised: a bug in plugin code; disable the plugin."""
