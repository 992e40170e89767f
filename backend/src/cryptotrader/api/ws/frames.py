"""The frames of ``/ws``, as models: what a client sends and what the server answers.

The endpoint builds its replies from these models and ``docs/asyncapi.json`` is generated from
them (``api.ws.asyncapi``), so the app's and the Discord bot's event types cannot drift from
what the server sends. An ``event`` frame's ``data`` is the bus message itself
(``bus.messages``), chosen by the frame's ``topic``.
"""

from __future__ import annotations

from typing import Literal

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


class SubscribeFrame(_Frame):
    """Start receiving the events of these topics."""

    type: Literal["subscribe"] = "subscribe"
    topics: list[WsTopic]


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


class ErrorFrame(_Frame):
    """A frame the server could not accept; the socket stays open."""

    type: Literal["error"] = "error"
    detail: str


class _EventFrame(_Frame):
    type: Literal["event"] = "event"


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


EVENT_FRAMES: dict[str, type[_EventFrame]] = {
    "prices": PricesEvent,
    "indicators": IndicatorsEvent,
    "signals": SignalsEvent,
    "trades": TradesEvent,
    "alerts": AlertsEvent,
    "bot_status": BotStatusEvent,
    "portfolio": PortfolioEvent,
    "optimizations": OptimizationsEvent,
}
"""Each topic's event frame."""

CLIENT_FRAMES: tuple[type[_Frame], ...] = (AuthFrame, SubscribeFrame, UnsubscribeFrame, PingFrame)
SERVER_FRAMES: tuple[type[_Frame], ...] = (
    WelcomeFrame,
    SubscribedFrame,
    PongFrame,
    ErrorFrame,
    *EVENT_FRAMES.values(),
)
