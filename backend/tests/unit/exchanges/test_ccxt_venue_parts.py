"""The pure parts of the ccxt venues: client ids, credentials, the order-placing error overlay.

Real ccxt exception objects and real aiohttp errors; nothing is patched.
"""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest

from cryptotrader.clock import TestClock
from cryptotrader.errors import (
    InsufficientFunds,
    NetworkUnavailableError,
    OperationalError,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRejected,
    RateLimitedError,
    TemporaryError,
    TraderError,
)
from cryptotrader.exchanges.ccxt import (
    ApiCredentials,
    BinanceVenue,
    CcxtVenue,
    KrakenVenue,
    create_venue,
    translate_ccxt_error,
)
from cryptotrader.exchanges.ccxt.client_ids import ClientIdRule, ClientIds
from cryptotrader.exchanges.ccxt.credentials import SecretRedactor
from cryptotrader.exchanges.ccxt.errors import TimestampRejectedError
from cryptotrader.retry import RetryPolicy

KEY, SECRET = "k" * 64, "s" * 64


@pytest.fixture
def binance() -> object:
    """A real (synchronous) ccxt Binance client: the table only reads its id and timeout."""
    import ccxt

    exchange: object = ccxt.binance()
    return exchange


def ccxt_error(name: str, message: str, cause: BaseException | None = None) -> Exception:
    import ccxt

    error: Exception = getattr(ccxt, name)(message)
    error.__cause__ = cause
    return error


# ---------------------------------------------------------------- order-placing overlay


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("RequestTimeout", "binance POST http://127.0.0.1:1/api/v3/order", OrderOutcomeUnknown),
        ("NetworkError", "binance POST connection reset", OrderOutcomeUnknown),
        (
            "ExchangeNotAvailable",
            "binance POST https://h/api/v3/order 503 Unavailable",
            OrderOutcomeUnknown,
        ),
        ("BadResponse", "binance unparsable answer", OrderOutcomeUnknown),
        (
            "RateLimitExceeded",
            'binance {"code":-1003,"msg":"Too many requests."}',
            RateLimitedError,
        ),
        ("DDoSProtection", "binance 418 I'm a teapot", RateLimitedError),
        ("OnMaintenance", "binance 503 System is under maintenance.", TemporaryError),
        (
            "InvalidNonce",
            'binance {"code":-1021,"msg":"outside of the recvWindow."}',
            TimestampRejectedError,
        ),
        ("BadRequest", 'binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}', OrderRejected),
        ("InsufficientFunds", "binance Account has insufficient balance", InsufficientFunds),
        ("AuthenticationError", 'binance {"code":-2015,"msg":"Invalid API-key"}', OperationalError),
        ("ExchangeError", "binance something odd", OperationalError),
    ],
)
def test_translate_when_placing_maps_by_what_the_exchange_may_have_done(
    binance: object, name: str, message: str, expected: type[TraderError]
) -> None:
    mapped = translate_ccxt_error(ccxt_error(name, message), binance, placing="cid-1")
    assert type(mapped) is expected
    if isinstance(mapped, OrderOutcomeUnknown):
        assert mapped.client_order_id == "cid-1"
        assert "look it up by its client order id" in str(mapped)


def test_translate_when_placing_and_connection_never_opened_is_a_plain_network_error(
    binance: object,
) -> None:
    refused = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 1, False, True, None, None, None),
        ConnectionRefusedError(111, "Connection refused"),
    )
    for cause in (refused, socket.gaierror(-2, "Name or service not known")):
        error = ccxt_error("ExchangeNotAvailable", "binance POST http://h/api/v3/order", cause)
        mapped = translate_ccxt_error(error, binance, placing="cid-2")
        assert type(mapped) is NetworkUnavailableError
        assert "order cid-2 was not sent" in str(mapped)


def test_translate_when_not_placing_keeps_timeouts_retryable(binance: object) -> None:
    mapped = translate_ccxt_error(ccxt_error("RequestTimeout", "binance GET x"), binance)
    assert type(mapped) is NetworkUnavailableError
    order_not_found = ccxt_error("OrderNotFound", '{"code":-2013,"msg":"Order does not exist."}')
    assert type(translate_ccxt_error(order_not_found, binance)) is OrderNotFound


def test_translate_when_venue_marks_an_unclassified_refusal_is_order_rejected(
    binance: object,
) -> None:
    error = ccxt_error("ExchangeError", 'kraken {"error":["EOrder:Cost minimum not met"]}')
    mapped = translate_ccxt_error(error, binance, placing="c", rejections=("EOrder:",))
    assert type(mapped) is OrderRejected
    assert type(translate_ccxt_error(error, binance, rejections=("EOrder:",))) is OperationalError


def test_order_outcome_unknown_when_retried_generically_is_never_retried() -> None:
    # Not a TemporaryError: retry_async and any "except TemporaryError: retry" pass it through.
    assert not issubclass(OrderOutcomeUnknown, TemporaryError)
    assert RetryPolicy().wait_s(1, TimestampRejectedError("-1021")) is not None


# ---------------------------------------------------------------- client ids


def test_client_id_rule_when_id_fits_keeps_it_and_substitutes_otherwise() -> None:
    kraken = ClientIdRule(max_length=18, uuids=True)
    assert kraken.accepts("ct-s-1-e")
    assert kraken.accepts("6d1b345e-2821-40e2-ad83-4ecb18a06876")
    assert not kraken.accepts("ct-safe-20260211-000042-sl")
    substitute = kraken.substitute("ct-safe-20260211-000042-sl")
    assert kraken.accepts(substitute)
    assert substitute == kraken.substitute("ct-safe-20260211-000042-sl")  # stable across runs

    binance = ClientIdRule(max_length=36)
    long_id = "x" * 36 + "-sl"
    assert binance.accepts(binance.substitute(long_id))
    assert len(binance.substitute(long_id)) == 36


def test_client_ids_when_translated_map_back_to_ours() -> None:
    ids = ClientIds(ClientIdRule(max_length=18, uuids=True))
    venue_id = ids.to_venue("a-long-client-order-id-of-ours")
    assert venue_id != "a-long-client-order-id-of-ours"
    assert ids.to_ours(venue_id) == "a-long-client-order-id-of-ours"
    assert ids.to_ours("foreign-id") == "foreign-id"
    assert ids.to_venue("short") == "short"


# ---------------------------------------------------------------- credentials


def test_api_credentials_when_printed_show_no_secret() -> None:
    credentials = ApiCredentials(api_key=KEY, secret=SECRET)
    for text in (repr(credentials), str(credentials), f"{credentials!r}"):
        assert KEY not in text
        assert SECRET not in text


def test_secret_redactor_when_a_record_quotes_a_secret_masks_it() -> None:
    redactor = SecretRedactor(ApiCredentials(api_key=KEY, secret=SECRET).secrets())
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "headers %s", ({"key": KEY},), None)
    assert redactor.filter(record)
    assert record.getMessage() == "headers {'key': '***'}"
    assert redactor.redact(f"sig of {SECRET}") == "sig of ***"


# ---------------------------------------------------------------- venues by name


@pytest.mark.asyncio
async def test_create_venue_when_named_picks_the_venue_class_or_the_generic_one() -> None:
    clock, retry = TestClock(0), RetryPolicy()
    binance = create_venue("Binance", credentials=None, clock=clock, retry=retry)
    kraken = create_venue("kraken", credentials=None, clock=clock, retry=retry)
    other = create_venue("bitstamp", credentials=None, clock=clock, retry=retry)
    try:
        assert (type(binance), type(kraken), type(other)) == (BinanceVenue, KrakenVenue, CcxtVenue)
        assert binance.capabilities.native_oco
        assert kraken.capabilities.take_profit_by_engine
        generic = other.capabilities  # from ccxt's features; conservative on the rest
        assert (generic.native_oco, generic.client_order_id, generic.take_profit_by_engine) == (
            False,
            False,
            True,
        )
        assert repr(other) == "CcxtVenue(name='bitstamp')"
    finally:
        for venue in (binance, kraken, other):
            await venue.close()
