"""Fixtures shared by the whole suite.

External resources (real market data in ../shared/data, PostgreSQL, Redis) are required when the
``CI`` environment variable is set: a missing one fails the test there, and skips it with the
reason everywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The suite runs on shared, loaded machines: an example's duration says nothing about correctness,
# so no property test has a deadline or fails the "too slow" health check.
settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("suite")

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("CRYPTOTRADER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def require(available: bool, reason: str) -> None:
    """Fail under CI, skip elsewhere, when an external resource is missing."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` run first.

    Under ``bin/test`` (pytest-xdist, ``--dist loadgroup``) the first tests are dealt to the
    workers in turn, so the few long ones (the crash tests) start at once on different workers
    and the short ones fill in around them, instead of one long test starting last and leaving a
    core idle while it runs. The order of everything else is kept (a stable sort).
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real market data directory (../shared/data beside the repository)."""
    require(SHARED_DATA.is_dir(), f"real market data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own data directory and never reads a developer's .env.

    Sentiment sources point at a closed 127.0.0.1 port, so that no test reaches the internet
    by accident (tests of the clients start their own local server).
    """
    monkeypatch.setenv("CRYPTOTRADER_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("CRYPTOTRADER_SENTIMENT__FEAR_GREED_URL", "http://127.0.0.1:1/fng/")
    monkeypatch.setenv("CRYPTOTRADER_SENTIMENT__GOOGLE_TRENDS_URL", "http://127.0.0.1:1/trends")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
