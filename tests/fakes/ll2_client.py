"""Helpers for the LL2 tests: a client pointed at the fake server, and the fake API key."""

from __future__ import annotations

from bot.files.secrets import Secret
from bot.sources.ll2.client import LL2Client
from fakes.clock import FakeClock
from fakes.ll2_server import FakeLL2

TOKEN_VALUE = "ll2key-SECRET-0123456789abcdef"


def client_for(server: FakeLL2, clock: FakeClock, **kw: object) -> LL2Client:
    # 1 s: a normal answer of the fake server never takes that long, even on a loaded
    # machine (0.25 s did, now and then); its "timeout" fault waits longer (1.5 s).
    options: dict[str, object] = {"timeout": 1.0, "sleep": clock.sleep, "clock": clock}
    options.update(kw)
    return LL2Client(server.url, **options)  # type: ignore[arg-type]


def token() -> Secret:
    return Secret(TOKEN_VALUE, "SPACEBOT_LL2_TOKEN")
