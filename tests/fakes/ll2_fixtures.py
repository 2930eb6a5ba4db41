"""Shared pytest fixtures for the LL2 tests; import them into a test module to use them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.files.secrets import Secret
from bot.sources.ll2.client import LL2Client
from fakes.ll2_scenarios import LATE_2026_NOW, late_2026
from fakes.ll2_server import FakeLL2, make_ll2

TOKEN_VALUE = "ll2key-SECRET-0123456789abcdef"


class Clock:
    """A clock that moves only when slept through (no real waiting in tests)."""

    def __init__(self, start: datetime = LATE_2026_NOW) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ll2() -> Iterator[FakeLL2]:
    scenario = late_2026()
    server = make_ll2(astronauts=scenario.astronauts, launches=scenario.launches)
    yield server
    server.stop()


def client_for(server: FakeLL2, clock: Clock, **kw: object) -> LL2Client:
    options: dict[str, object] = {"timeout": 0.25, "sleep": clock.sleep, "clock": clock}
    options.update(kw)
    return LL2Client(server.url, **options)  # type: ignore[arg-type]


def token() -> Secret:
    return Secret(TOKEN_VALUE, "SPACEBOT_LL2_TOKEN")
