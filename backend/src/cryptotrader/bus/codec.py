"""Messages to stream entries and back; anything that does not decode is malformed, with why.

An entry has the field ``data``: the message as JSON, and ``type``: the message's type, so that a
consumer can pass over the types it does not handle without decoding them (``kind``; an entry
without it, written by a tool or a test, is decoded). On Redis every entry is that. The
in-process bus stores ``MessageFields`` instead: the published message itself, already validated
when it was built, handed as is to every consumer, and encoded to the same JSON only when the
fields are read as text (dead letters, the history of a channel) or once every group has acked
the entry (``bus.memory``: retained messages were a heap the garbage collector walked). A JSON
round trip per consumer cost more than a trading pipeline's indicators (issue 15). An entry
written with raw fields (a test, a tool) is decoded and validated as on Redis.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import TypeAdapter, ValidationError

from cryptotrader.bus.messages import TOPIC_MESSAGES, BusMessage, Message

DATA_FIELD = "data"
TYPE_FIELD = "type"
_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
_MAX_REASON = 500


class MalformedMessageError(ValueError):
    """An entry is not a valid message for its channel; ``str()`` is the reason."""


def encode(message: BusMessage) -> dict[str, str]:
    """The stream entry fields of ``message``: its JSON and its type."""
    fields = {DATA_FIELD: message.model_dump_json()}
    kind = getattr(message, "type", None)
    if isinstance(kind, str):
        fields[TYPE_FIELD] = kind
    return fields


def kind(fields: Mapping[str, str]) -> str | None:
    """The type of the message an entry holds, read without decoding it (None: not said)."""
    if isinstance(fields, MessageFields):
        found = getattr(fields.message, "type", None)
        return found if isinstance(found, str) else None
    return fields.get(TYPE_FIELD)


class MessageFields(Mapping[str, str]):
    """The fields of ``message`` (``{"data": <its JSON>}``), encoded on first read only.

    ``data``: the message's JSON as ``model_dump_json()`` writes it, when the publisher has it
    already (the outbox's row holds it): not encoded again then.
    """

    __slots__ = ("_data", "message")

    def __init__(self, message: BusMessage, data: str | None = None) -> None:
        self.message = message
        self._data = data

    def __getitem__(self, key: str) -> str:
        if key != DATA_FIELD:
            raise KeyError(key)
        if self._data is None:
            self._data = self.message.model_dump_json()
        return self._data

    def __iter__(self) -> Iterator[str]:
        return iter((DATA_FIELD,))

    def encoded(self) -> dict[str, str]:
        """The fields ``encode`` makes (the JSON and the type), the JSON reused if already made."""
        fields = {DATA_FIELD: self[DATA_FIELD]}
        found = getattr(self.message, "type", None)
        if isinstance(found, str):
            fields[TYPE_FIELD] = found
        return fields

    def __len__(self) -> int:
        return 1


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
    if isinstance(fields, MessageFields):
        check_topic(topic, fields.message)
        return fields.message
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
