"""The OpenAPI document, as committed in ``docs/openapi.json`` for the generated clients.

The Expo app's TypeScript client and the Discord bot's httpx client are generated from that
file; ``tests/unit/api/test_openapi_file.py`` fails when it no longer matches the code.
Regenerate it with ``cryptotrader api --openapi docs/openapi.json`` (from the repository root).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptotrader.config import SecuritySettings, Settings


def openapi_document() -> dict[str, Any]:
    """The schema of the API; it depends on no setting, so any valid settings do."""
    from cryptotrader.api.app import create_app  # noqa: PLC0415 - avoids an import cycle

    settings = Settings(environment="test", security=SecuritySettings(jwt_secret="s" * 48))
    document: dict[str, Any] = json.loads(json.dumps(create_app(settings).openapi()))
    return document


def render(document: dict[str, Any]) -> str:
    """The committed text form: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(path: Path) -> None:
    """Write the schema to ``path``."""
    path.write_text(render(openapi_document()), encoding="utf-8")


def write_asyncapi(path: Path) -> None:
    """Write the ``/ws`` AsyncAPI document to ``path`` (same text form as the OpenAPI file)."""
    from cryptotrader.api.ws.asyncapi import asyncapi_document  # noqa: PLC0415

    path.write_text(render(asyncapi_document()), encoding="utf-8")
