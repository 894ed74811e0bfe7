"""A simulated user of the load benchmark pauses between clicks when asked to think."""

from __future__ import annotations

import asyncio

import pytest

from benchmarks import load


class Clicker:
    """A client that stops the run after ``clicks`` steps."""

    def __init__(self, clicks: int, stop_at: list[float]) -> None:
        self.clicks, self.stop_at, self.done = clicks, stop_at, 0

    async def sign_in(self, username: str, password: str) -> None:
        pass

    async def step(self, label: str, search: str) -> None:
        self.done += 1
        if self.done == self.clicks:
            self.stop_at[0] = 0.0

    async def close(self) -> None:
        pass


def _pauses(think: float, monkeypatch: pytest.MonkeyPatch) -> tuple[load.Result, list[float]]:
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    async def one_user() -> load.Result:
        result, stop_at, start = load.Result(1, 0.0), [float("inf")], asyncio.Event()
        start.set()
        await load.user(0, Clicker(8, stop_at), ("ana", "secret"), "recruit",
                        asyncio.Semaphore(1), start, stop_at, result, think)
        return result

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return asyncio.run(one_user()), pauses


def test_a_thinking_user_starts_at_a_moment_of_their_own_then_pauses_after_each_click(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """People do not all click in the same instant: the first click waits up to the thinking
    time, each next one between half and one and a half times it."""
    result, pauses = _pauses(5.0, monkeypatch)
    assert len(result.all) == 8 and not result.errors
    assert len(pauses) == 9
    assert 0.0 <= pauses[0] <= 5.0
    assert all(2.5 <= pause <= 7.5 for pause in pauses[1:])
    assert len(set(pauses)) > 1


def test_without_thinking_a_user_clicks_without_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    result, pauses = _pauses(0.0, monkeypatch)
    assert len(result.all) == 8 and pauses == []
