"""The tests' fakes: one fake clock, one fake social-media server (fixtures in conftest.py)."""

from fakes.clock import ALL_SECRETS, BLUESKY_ENV, ENV, MASTODON_ENV, T0, X_ENV, FakeClock
from fakes.server import FakeServer, make_server

__all__ = [
    "ALL_SECRETS",
    "BLUESKY_ENV",
    "ENV",
    "MASTODON_ENV",
    "T0",
    "X_ENV",
    "FakeClock",
    "FakeServer",
    "make_server",
]
