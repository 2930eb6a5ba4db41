"""The one fake clock of the tests, and the fake credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

X_ENV = {
    "SPACEBOT_MAIN_X_API_KEY": "xkey-SECRET-111",
    "SPACEBOT_MAIN_X_API_SECRET": "xsecret-SECRET-222",
    "SPACEBOT_MAIN_X_ACCESS_TOKEN": "xtoken-SECRET-333",
    "SPACEBOT_MAIN_X_ACCESS_TOKEN_SECRET": "xtsecret-SECRET-444",
}
MASTODON_ENV = {"SPACEBOT_FEDI_ACCESS_TOKEN": "mtoken-SECRET-555"}
BLUESKY_ENV = {"SPACEBOT_SKY_APP_PASSWORD": "app-pass-1234"}
ALL_SECRETS = [*X_ENV.values(), *MASTODON_ENV.values(), *BLUESKY_ENV.values()]
ENV = {**X_ENV, **MASTODON_ENV, **BLUESKY_ENV}


class FakeClock:
    """A clock that only moves when told to (or when the code under test 'sleeps')."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
