"""The collector is tuned only in a process a command owns, and then rarely collects."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cryptotrader import collector


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    collector._OWNED.clear()


@pytest.mark.usefixtures("restored")
def test_settle_when_the_process_is_not_owned_leaves_the_collector_alone() -> None:
    before = gc.get_threshold()
    assert collector.settle() is False
    assert gc.get_threshold() == before


@pytest.mark.usefixtures("restored")
def test_settle_when_the_command_owns_the_process_freezes_and_collects_less_often() -> None:
    collector.own_process()
    assert collector.settle() is True
    assert gc.get_threshold() == (collector.YOUNG, collector.OLDER, collector.OLDER)
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("restored")
def test_settle_when_owned_never_walks_the_oldest_generation() -> None:
    collector.own_process()
    full = gc.get_stats()[2]["collections"]
    assert collector.settle() is True
    assert collector.settle() is True  # again once more is built: still no full collection
    assert gc.get_stats()[2]["collections"] == full
