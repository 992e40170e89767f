"""The AsyncAPI document of ``/ws``, as committed in ``docs/asyncapi.json``.

Generated from the frame models (``api.ws.frames``) and the bus messages they carry, so that the
app's event types (generated from this file) and the Discord bot's models follow the server.
``tests/unit/api/test_asyncapi_file.py`` fails when the file no longer matches the code;
regenerate it with ``cryptotrader api --asyncapi docs/asyncapi.json``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from cryptotrader.api.ws import frames

_CLOSE_CODES = (
    "Close codes: 1008 policy (origin not allowed, authentication failed or timed out, missing "
    "permission, a credential revoked while the socket is open); 1013 the client fell too far "
    "behind and events were dropped (reconnect, then refetch over REST)."
)


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 description of the ``/ws`` protocol."""
    models: list[type[BaseModel]] = [*frames.CLIENT_FRAMES, *frames.SERVER_FRAMES]
    _, schemas = models_json_schema(
        [(model, "serialization") for model in models], ref_template="#/components/schemas/{model}"
    )
    messages = {
        model.__name__: {
            "name": model.__name__,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        }
        for model in models
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CryptoTrader live events",
            "version": "1",
            "description": (
                "The /ws WebSocket of the CryptoTrader API. Authenticate with an Authorization "
                "header on the handshake, or with an `auth` frame first. Then subscribe to "
                "topics; each event frame carries the bus message of its topic as `data` "
                "(decimals as strings, timestamps ISO-8601 UTC). " + _CLOSE_CODES
            ),
        },
        "channels": {
            "ws": {
                "address": "/ws",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {
            "sendToServer": {
                "action": "receive",
                "channel": {"$ref": "#/channels/ws"},
                "summary": "Frames a client sends.",
                "messages": [
                    {"$ref": f"#/channels/ws/messages/{m.__name__}"} for m in frames.CLIENT_FRAMES
                ],
            },
            "receiveFromServer": {
                "action": "send",
                "channel": {"$ref": "#/channels/ws"},
                "summary": "Frames the server sends.",
                "messages": [
                    {"$ref": f"#/channels/ws/messages/{m.__name__}"} for m in frames.SERVER_FRAMES
                ],
            },
        },
        "components": {"messages": messages, "schemas": schemas["$defs"]},
    }
