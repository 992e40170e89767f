"""The sends of a batch: one awaited in the caller's task, several gathered (``_outcomes``)."""

from __future__ import annotations

import asyncio

from cryptotrader.engines.order_batch import _outcomes
from cryptotrader.errors import OrderRejected


async def _task_of(value: int) -> tuple[int, asyncio.Task[object] | None]:
    return value, asyncio.current_task()


async def _refused() -> tuple[int, asyncio.Task[object] | None]:
    raise OrderRejected("refused")


def test_outcomes_when_one_call_awaits_it_in_the_callers_task_without_loop_turns() -> None:
    async def run() -> None:
        caller = asyncio.current_task()
        turns = 0

        async def count_turns() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)
                turns += 1

        counter = asyncio.create_task(count_turns())
        await asyncio.sleep(0)  # the counter is running
        before = turns
        (one,) = await _outcomes([_task_of(7)])
        assert one == (7, caller)
        assert turns == before  # no turn of the event loop for one call
        (refused,) = await _outcomes([_refused()])
        assert isinstance(refused, OrderRejected)
        counter.cancel()

    asyncio.run(run())


def test_outcomes_when_several_calls_gathers_them_in_order_with_their_exceptions() -> None:
    async def run() -> None:
        caller = asyncio.current_task()
        first, second, third = await _outcomes([_task_of(1), _refused(), _task_of(3)])
        assert isinstance(second, OrderRejected)
        assert not isinstance(first, BaseException)
        assert not isinstance(third, BaseException)
        assert (first[0], third[0]) == (1, 3)
        assert first[1] is not caller  # each in a task of its own, as before

    asyncio.run(run())
