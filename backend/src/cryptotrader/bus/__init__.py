"""The message bus: one small protocol, an in-process implementation and a Redis Streams one.

Engines depend on ``MessageBus`` only; ``open_bus(settings)`` picks the implementation. Channels
are in ``topics``, every message schema in ``messages``.
"""

from cryptotrader.bus.codec import MalformedMessageError
from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.protocol import ConsumerOptions, Delivery, Handler, MessageBus, Subscription
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.bus.stream_bus import DeadLetter, StreamBus

__all__ = [
    "ConsumerOptions",
    "DeadLetter",
    "Delivery",
    "Handler",
    "InProcessBus",
    "MalformedMessageError",
    "MessageBus",
    "RedisBus",
    "StreamBus",
    "Subscription",
    "open_bus",
]
