"""Template for a new ccxt venue: copy to ``<exchange>.py``, fill it in, register it in ``venues``.

Any ccxt id already works through the generic ``CcxtVenue`` (capabilities read from ccxt's
``features``, take-profit left to the order engine, client ids not trusted for lookups). A venue
class exists to state what the venue really does, as data, and to override the few hooks whose
default does not fit. Nothing else: no ``if name == ...`` anywhere.

=========================  ========  ==========================================================
Member                     Needed    Default in ``CcxtVenue`` / override when
=========================  ========  ==========================================================
``exchange_id``            required  none: the ccxt id (``"binance"``)
``capabilities``           required  derived from ccxt ``features``: state them explicitly
``client_id_rule``         optional  36 chars of ``[A-Za-z0-9_.-]``: the venue limits client ids
``ccxt_options``           optional  none: ccxt options the venue needs (``recvWindow`` ...)
``sync_server_time``       optional  False: True when signed requests have a time window
``secret_is_base64``       optional  False: True when the venue signs with a decoded secret
``trades_page_limit``      optional  1000: the venue's page size for our trades
``order_rejections``       optional  (): words of refusals ccxt leaves unclassified
``_protect(...)``          optional  a lone stop-loss order, take-profit watched by the engine;
                                     override when the venue links SL and TP (OCO)
``_lookup(symbol, id)``    optional  ccxt ``fetch_order`` by ``clientOrderId``; override when
                                     the venue cannot search orders by client id that way
``_trades(symbol, since)`` optional  ``fetch_my_trades`` paged by timestamp; override for
                                     offset paging
``_order_params(id)``      optional  ``{"clientOrderId": id}``; override when ccxt does not map
                                     ``clientOrderId`` for the venue
=========================  ========  ==========================================================

Add the venue to ``venues.VENUE_CLASSES``, and a local server answering like its REST API to
``tests/support`` so that its tests run real ccxt against 127.0.0.1 (see
``tests/integration/exchanges``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import ProtectionReport
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.ccxt.client import Raw
from cryptotrader.exchanges.ccxt.venue import CcxtVenue


class TemplateVenue(CcxtVenue):  # pragma: no cover - a template, never instantiated
    """<Exchange> spot: say here what is native and what is emulated."""

    exchange_id: ClassVar[str | None] = "<ccxt id>"
    capabilities = VenueCapabilities(
        native_oco=False,
        native_stop_loss=True,
        conditional_close=False,
        client_order_id=True,
        take_profit_by_engine=True,
    )

    async def _protect(
        self,
        *,
        pair: Pair,
        symbol: str,
        amount: Decimal,
        stop: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        """Place ``<id>-sl`` (and ``<id>-tp``) with ``self._edge.place(<sl id>, ...)``."""
        raise NotImplementedError("method `_protect` must be implemented in the subclass")

    async def _lookup(self, symbol: str, venue_id: str) -> Raw | None:
        """The ccxt order whose client id is ``venue_id``, or None; map errors with the edge."""
        raise NotImplementedError("method `_lookup` must be implemented in the subclass")

    async def _trades(self, symbol: str, since_ms: int | None) -> list[Raw]:
        """Every ccxt trade of ``symbol`` since ``since_ms`` (any order; de-duplicated later)."""
        raise NotImplementedError("method `_trades` must be implemented in the subclass")
