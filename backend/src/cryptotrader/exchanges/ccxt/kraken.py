"""Kraken spot: exchange-held stop-loss, take-profit watched by the engine, ``cl_ord_id`` ids.

* **Protection.** Kraken has no OCO for spot, and an open spot sell reserves its amount, so a
  take-profit beside the stop-loss would be refused for lack of funds. The stop-loss is held by
  Kraken (a ``stop-loss`` order: a market sell once the stop price trades); the take-profit is
  watched by the order engine (``capabilities.take_profit_by_engine``), which cancels the
  ``-sl`` order and sells at market when the price reaches it.
* **Conditional close** (``close[ordertype]``/``close[price]`` on ``AddOrder``) is not used:
  Kraken documents it for positions on margin, it carries one leg only (a stop-loss *or* a
  take-profit, never both), the close order it creates gets no client id of ours (so it could
  not be found or cancelled by id after a restart), and closing the position with another order
  leaves it armed. ``capabilities.conditional_close`` is therefore False.
* **Client ids.** ``cl_ord_id`` takes free text up to 18 characters or a UUID; a longer id of
  ours is sent as a UUID-5 of it. Kraken's ``QueryOrders`` cannot search by ``cl_ord_id``, so an
  order is looked up among the open orders, then the closed ones, both filtered by it.
* **Errors** come as arrays in HTTP 200 answers (``EOrder:Insufficient funds``,
  ``EGeneral:Invalid arguments:volume minimum not met``, ``EAPI:Invalid key``); ccxt raises them
  and ``errors.map_ccxt_errors`` maps them like any other venue's. An ``EOrder:`` answer ccxt
  does not know (``EOrder:Cost minimum not met``) is an order refusal (``order_rejections``),
  not an unknown error.
* **Nonces** must increase per API key; ccxt's ``incrementing_nonce`` does it. Kraken has no
  ``recvWindow``, so no server-time offset is kept.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.ccxt.client import Raw
from cryptotrader.exchanges.ccxt.client_ids import ClientIdRule
from cryptotrader.exchanges.ccxt.venue import CcxtVenue


class KrakenVenue(CcxtVenue):
    """Kraken spot (see the module docstring for what is native and what is emulated)."""

    exchange_id: ClassVar[str | None] = "kraken"
    capabilities = VenueCapabilities(
        native_oco=False,
        native_stop_loss=True,
        conditional_close=False,
        client_order_id=True,
        take_profit_by_engine=True,
    )
    client_id_rule: ClassVar[ClientIdRule] = ClientIdRule(max_length=18, uuids=True)
    trades_page_limit: ClassVar[int] = 50  # TradesHistory's fixed page, newest first
    secret_is_base64: ClassVar[bool] = True  # Kraken signs with the decoded secret
    order_rejections: ClassVar[tuple[str, ...]] = ("EOrder:",)  # e.g. "Cost minimum not met"

    async def _lookup(self, symbol: str, venue_id: str) -> Raw | None:
        """Open orders then closed orders, filtered by ``cl_ord_id`` on Kraken's side."""
        params = self._order_params(venue_id)
        with self._edge.mapped():
            found = await self._client.fetch_open_orders(symbol, None, None, dict(params))
            if not found:
                found = await self._client.fetch_closed_orders(symbol, None, None, dict(params))
        matching = [order for order in found if order.get("clientOrderId") == venue_id]
        return matching[0] if matching else None

    async def _trades(self, symbol: str, since_ms: int | None) -> list[Raw]:
        """Every page of ``TradesHistory`` after ``since_ms`` (offset paging), of ``symbol``."""
        found: list[Raw] = []
        offset = 0
        for _ in range(200):  # bounded: 200 pages of 50 fills
            fetch = functools.partial(
                self._client.fetch_my_trades, None, since_ms, None, {"ofs": offset}
            )
            page = await self._edge.call(fetch)
            found += [raw for raw in page if raw.get("symbol") == symbol]
            offset += len(page)
            if len(page) < self.trades_page_limit:
                break
        return found
