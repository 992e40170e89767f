"""Messages to stream entries and back; anything that does not decode is malformed, with why.

An entry has one field, ``data``: the message as JSON. The same encoding is used in-process so
that both buses run the same validation.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import TypeAdapter, ValidationError

from cryptotrader.bus.messages import TOPIC_MESSAGES, BusMessage, Message

DATA_FIELD = "data"
_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
_MAX_REASON = 500


class MalformedMessageError(ValueError):
    """An entry is not a valid message for its channel; ``str()`` is the reason."""


def encode(message: BusMessage) -> dict[str, str]:
    """The stream entry fields of ``message``."""
    return {DATA_FIELD: message.model_dump_json()}


def check_topic(topic: str, message: BusMessage) -> None:
    """Refuse a message on a channel that does not carry its type.

    Raises:
        MalformedMessageError: ``topic`` is unknown or does not carry this message type.
    """
    allowed = TOPIC_MESSAGES.get(topic)
    if allowed is None:
        raise MalformedMessageError(f"unknown channel {topic!r}")
    if not isinstance(message, allowed):
        names = ", ".join(kind.__name__ for kind in allowed)
        raise MalformedMessageError(
            f"{type(message).__name__} does not belong on {topic!r} (expected {names})"
        )


def decode(topic: str, fields: Mapping[str, str]) -> BusMessage:
    """The message held by a stream entry of ``topic``.

    Raises:
        MalformedMessageError: the field is missing, not JSON, not a known message, or the wrong
            message for the channel; the message says which.
    """
    data = fields.get(DATA_FIELD)
    if data is None:
        raise MalformedMessageError(f"no {DATA_FIELD!r} field (fields: {sorted(fields)})")
    try:
        message: BusMessage = _ADAPTER.validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        reason = f"invalid message ({where}): {first['msg']}"
        raise MalformedMessageError(reason[:_MAX_REASON]) from None
    check_topic(topic, message)
    return message
