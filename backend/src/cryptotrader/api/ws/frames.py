"""The frames of ``/ws``, as models: what a client sends and what the server answers.

The endpoint builds its replies from these models and ``docs/asyncapi.json`` is generated from
them (``api.ws.asyncapi``), so the app's and the Discord bot's event types cannot drift from
what the server sends. An ``event`` frame's ``data`` is the bus message itself
(``bus.messages``), chosen by the frame's ``topic``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cryptotrader.bus import messages, topics

WS_TOPICS: dict[str, str] = {
    "prices": topics.CANDLES,
    "indicators": topics.INDICATORS,
    "signals": topics.SIGNALS,
    "trades": topics.ORDERS,
    "alerts": topics.ALERTS,
    "bot_status": topics.COMMANDS,
    "portfolio": topics.REBALANCE,
    "optimizations": topics.OPTIMIZATIONS,
    "backtests": topics.BACKTESTS,
}
"""WebSocket topic -> bus channel."""

WsTopic = Literal[
    "prices",
    "indicators",
    "signals",
    "trades",
    "alerts",
    "bot_status",
    "portfolio",
    "optimizations",
    "backtests",
]


class _Frame(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )


# --- client -> server ---------------------------------------------------------------------------


class AuthFrame(_Frame):
    """The first frame when the handshake had no ``Authorization`` header (within 10 s)."""

    type: Literal["auth"] = "auth"
    token: str | None = Field(default=None, description="an access token or a service token")
    ticket: str | None = Field(
        default=None, description="a single-use ticket from POST /auth/ws-ticket (30 s)"
    )


Cursor = Annotated[str, Field(pattern=r"^[0-9]{1,20}-[0-9]{1,20}$", examples=["1733312345678-0"])]
"""Where an event sits in its topic's stream (the ``cursor`` of an ``event`` frame)."""


class SubscribeFrame(_Frame):
    """Start receiving the events of these topics.

    With ``resume`` (topic -> the ``cursor`` of the last event the client handled), the server
    first sends the retained events of that topic published after the cursor, oldest first,
    then a ``replayed`` frame, then live events: a client that reconnects misses nothing and
    receives nothing twice, as long as its cursor is still retained.
    """

    type: Literal["subscribe"] = "subscribe"
    topics: list[WsTopic]
    resume: dict[WsTopic, Cursor] | None = None


class UnsubscribeFrame(_Frame):
    """Stop receiving the events of these topics."""

    type: Literal["unsubscribe"] = "unsubscribe"
    topics: list[WsTopic]


class PingFrame(_Frame):
    """Ask for a ``pong`` (keep-alive, latency)."""

    type: Literal["ping"] = "ping"


# --- server -> client ---------------------------------------------------------------------------


class WelcomeFrame(_Frame):
    """Sent once authenticated: who the socket belongs to and the topics it may subscribe to."""

    type: Literal["welcome"] = "welcome"
    user: str
    topics: list[WsTopic]


class SubscribedFrame(_Frame):
    """The socket's topics after a ``subscribe`` or ``unsubscribe``."""

    type: Literal["subscribed"] = "subscribed"
    topics: list[WsTopic]


class PongFrame(_Frame):
    """The answer to ``ping``."""

    type: Literal["pong"] = "pong"


class ReplayedFrame(_Frame):
    """Sent after the events replayed for a ``resume``: live events follow.

    ``gap`` is True when events after the cursor were no longer retained (some were missed).
    """

    type: Literal["replayed"] = "replayed"
    topic: WsTopic
    count: int
    cursor: Cursor | None = Field(description="the last replayed event's cursor (None if none)")
    gap: bool


class ErrorFrame(_Frame):
    """A frame the server could not accept; the socket stays open."""

    type: Literal["error"] = "error"
    detail: str


class _EventFrame(_Frame):
    type: Literal["event"] = "event"
    cursor: Cursor = Field(description="send it back in ``subscribe.resume`` to catch up")


class PricesEvent(_EventFrame):
    """Closed candles (``prices``): one candle, or a run of them when catching up."""

    topic: Literal["prices"] = "prices"
    data: messages.CandleClosed | messages.CandlesClosed = Field(discriminator="type")


class IndicatorsEvent(_EventFrame):
    """Indicator readings (``indicators``)."""

    topic: Literal["indicators"] = "indicators"
    data: messages.IndicatorsComputed | messages.StrategyInputsComputed = Field(
        discriminator="type"
    )


class SignalsEvent(_EventFrame):
    """Trading signals and decisions (``signals``)."""

    topic: Literal["signals"] = "signals"
    data: messages.SignalGenerated | messages.DecisionsMade = Field(discriminator="type")


class TradesEvent(_EventFrame):
    """Order updates (``trades``): submitted, filled, canceled, protection placed."""

    topic: Literal["trades"] = "trades"
    data: messages.OrderUpdated


class AlertsEvent(_EventFrame):
    """Things people must hear about (``alerts``): trades opened and closed, risk, failures."""

    topic: Literal["alerts"] = "alerts"
    data: messages.AlertRaised


class BotStatusEvent(_EventFrame):
    """Bot controls (``bot_status``): start, stop, pause, resume."""

    topic: Literal["bot_status"] = "bot_status"
    data: messages.ControlBot


class PortfolioEvent(_EventFrame):
    """Capital reallocated between the bots (``portfolio``)."""

    topic: Literal["portfolio"] = "portfolio"
    data: messages.CapitalReallocated


class OptimizationsEvent(_EventFrame):
    """Progress of your optimisation jobs (``optimizations``): trials done, best value so far."""

    topic: Literal["optimizations"] = "optimizations"
    data: messages.OptimizationProgress


class BacktestsEvent(_EventFrame):
    """Progress of your backtest jobs (``backtests``): candles simulated of the total."""

    topic: Literal["backtests"] = "backtests"
    data: messages.BacktestProgress


EVENT_FRAMES: dict[str, type[_EventFrame]] = {
    "prices": PricesEvent,
    "indicators": IndicatorsEvent,
    "signals": SignalsEvent,
    "trades": TradesEvent,
    "alerts": AlertsEvent,
    "bot_status": BotStatusEvent,
    "portfolio": PortfolioEvent,
    "optimizations": OptimizationsEvent,
    "backtests": BacktestsEvent,
}
"""Each topic's event frame."""

CLIENT_FRAMES: tuple[type[_Frame], ...] = (AuthFrame, SubscribeFrame, UnsubscribeFrame, PingFrame)
SERVER_FRAMES: tuple[type[_Frame], ...] = (
    WelcomeFrame,
    SubscribedFrame,
    ReplayedFrame,
    PongFrame,
    ErrorFrame,
    *EVENT_FRAMES.values(),
)
