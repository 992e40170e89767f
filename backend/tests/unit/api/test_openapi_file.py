"""The committed ``docs/openapi.json`` matches the code, and its operation ids are stable."""

from __future__ import annotations

import json

from cryptotrader.api.openapi import openapi_document, render
from tests.conftest import REPO_ROOT

COMMITTED = REPO_ROOT / "docs" / "openapi.json"


def test_openapi_file_when_code_changes_must_be_regenerated() -> None:
    current = render(openapi_document())
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == current, (
        "docs/openapi.json is stale: run `bin/cryptotrader api --openapi docs/openapi.json`"
        " from the repository root and commit it"
    )


def test_openapi_operation_ids_when_generated_are_tag_dash_name_and_unique() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    ids = []
    for operations in document["paths"].values():
        for operation in operations.values():
            tag = operation["tags"][0]
            assert operation["operationId"].startswith(f"{tag}-")
            assert ("responses" in operation and operation.get("description")) or operation.get(
                "summary"
            )
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)) >= 40
    assert "bots-pause_bot" in ids
    assert "auth-login" in ids
    assert "backtest-launch_backtest" in ids
