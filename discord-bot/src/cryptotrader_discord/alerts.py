"""Posting alerts: to the routed channel through the bot account, or through a webhook.

A ``trade_closed`` alert carries the reallocation it caused (read from the API by trade id), so
the separate ``reallocation`` alert is folded into the sell and not posted on its own, unless
``ALERT_CHANNELS`` routes ``reallocation`` explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from cryptotrader_discord.api import ApiClient, ApiError, ReallocationPublic
from cryptotrader_discord.config import Routing
from cryptotrader_discord.embeds import alert_embed
from cryptotrader_discord.events import Alert

log = logging.getLogger(__name__)
Send = Callable[[int | None, discord.Embed], Awaitable[None]]
"""Sends an embed to a channel id (None: the webhook's own channel)."""


class AlertPoster:
    """Turns alerts into embeds and sends them where the routing says.

    Args:
        api: reads the reallocation of a closed trade.
        routing: channel per alert kind (None: off).
        send: the transport (bot channel or webhook).
        language: ``en`` or ``fr``, asked per post (the guild's locale may change).
        webhook: True when every alert goes to one webhook (the routing then only says on/off).

    """

    def __init__(
        self,
        *,
        api: ApiClient,
        routing: Routing,
        send: Send,
        language: Callable[[], str],
        webhook: bool = False,
    ) -> None:
        self._api = api
        self._routing = routing
        self._send = send
        self._language = language
        self._webhook = webhook
        self.posted = 0

    def wanted(self, alert: Alert) -> bool:
        """False when ``alert``'s kind is routed off (or folded into another embed)."""
        if alert.kind == "reallocation" and "reallocation" not in self._routing.channels:
            return False  # shown in the sell embed
        if self._webhook:  # one channel: only an explicit "off" silences a kind
            return not self._routing.silenced(alert.kind)
        return self._routing.channel(alert.kind) is not None

    async def post(self, alert: Alert) -> None:
        """Post ``alert`` (or nothing when its kind is routed off)."""
        if not self.wanted(alert):
            return
        reallocation = await self._reallocation(alert) if alert.kind == "trade_closed" else None
        embed = alert_embed(alert, self._language(), reallocation)
        await self._send(None if self._webhook else self._routing.channel(alert.kind), embed)
        self.posted += 1

    async def _reallocation(self, alert: Alert) -> ReallocationPublic | None:
        trade_id = alert.details.get("trade_id")
        if trade_id is None or alert.bot != "aggressive":
            return None
        try:
            page = await self._api.reallocations(limit=20)
        except ApiError as exc:
            log.warning("reallocation of trade %s unknown: %s", trade_id, exc)
            return None
        return next((r for r in page.data if str(r.trigger_trade_id) == trade_id), None)
