"""The committed ``docs/asyncapi.json`` (the ``/ws`` protocol) matches the frame models."""

from __future__ import annotations

import json

from cryptotrader.api.openapi import render
from cryptotrader.api.ws import frames
from cryptotrader.api.ws.asyncapi import asyncapi_document
from tests.conftest import REPO_ROOT

COMMITTED = REPO_ROOT / "docs" / "asyncapi.json"


def test_asyncapi_file_when_frames_change_must_be_regenerated() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(asyncapi_document()), (
        "docs/asyncapi.json is stale: run `bin/cryptotrader api --asyncapi docs/asyncapi.json`"
        " from the repository root and commit it"
    )


def test_asyncapi_document_when_read_names_every_topic_and_resolves_every_reference() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    event_topics = {
        schemas[name]["properties"]["topic"]["const"]
        for name in schemas
        if name.endswith("Event") and "topic" in schemas[name].get("properties", {})
    }
    assert event_topics == set(frames.WS_TOPICS)
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node = document
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
    alerts = schemas["AlertRaised"]["properties"]
    assert alerts["price"]["anyOf"][0]["type"] == "string"  # money travels as text
