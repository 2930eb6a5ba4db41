"""Each adapter maps its library's answers onto the five typed errors.

The real tweepy, Mastodon.py and atproto code runs against the fake server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from atproto import Client as AtClient
from fakes import FakeServer
from fakes.clients import client_for

from bot.core import platforms
from bot.core.text_length import measure
from bot.errors import ConfigError
from bot.files.config import parse_config
from bot.posting.clients import (
    AuthFailed,
    Client,
    Duplicate,
    RateLimited,
    Rejected,
    Transient,
)
from bot.posting.clients.bluesky import BlueskyClient


def make(platform: str, server: FakeServer, tmp_path: Path) -> Client:
    return client_for(platform, server, tmp_path)


EXPECTED = {
    "429": RateLimited,
    "500": Transient,
    "accept-500": Transient,
    "accept-cut": Transient,  # a 200 answer cut short: maybe posted, never "failed"
    "reset": Transient,
    "accept-reset": Transient,
    "timeout": Transient,
    "401": AuthFailed,
    "403": AuthFailed,
    "400": Rejected,
}


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_error_mapping(tmp_path: Path, server: FakeServer, platform: str, fault: str) -> None:
    client = make(platform, server, tmp_path)
    if platform == "bluesky":
        client.post("log in first", reply_to=None, idempotency_key="k0")
        if fault == "401":  # a stale saved session is retried once with the password
            server.bsky_password = "changed"
    server.rate_limit_reset = 1_900_000_000
    server.timeout_sleep = 0.45
    server.faults = lambda p, path: fault
    with pytest.raises(EXPECTED[fault]) as err:
        client.post("hello", reply_to=None, idempotency_key="k1")
    assert client.name in str(err.value)
    if fault == "429" and platform != "mastodon":
        assert isinstance(err.value, RateLimited)
        assert err.value.reset_at == datetime.fromtimestamp(1_900_000_000, UTC)


def test_x_duplicate_content(tmp_path: Path, server: FakeServer) -> None:
    client = make("x", server, tmp_path)
    client.post("same text", reply_to=None, idempotency_key="a")
    with pytest.raises(Duplicate):
        client.post("same text", reply_to=None, idempotency_key="b")


def test_x_thread_and_request_shape(tmp_path: Path, server: FakeServer) -> None:
    client = make("x", server, tmp_path)
    first = client.post("first", reply_to=None, idempotency_key="a")
    client.post("second", reply_to=first, idempotency_key="b")
    assert server.published[1].reply_to == first.id
    method, path, headers = server.requests[0]
    assert (method, path) == ("POST", "/2/tweets")
    assert headers["authorization"].startswith("OAuth ")  # OAuth 1.0a user context
    assert first.url == f"https://x.com/i/web/status/{first.id}"


def test_mastodon_idempotency_and_no_network_at_construction(
    tmp_path: Path, server: FakeServer
) -> None:
    client = make("mastodon", server, tmp_path)
    assert server.requests == []
    a = client.post("toot", reply_to=None, idempotency_key="same")
    b = client.post("toot", reply_to=None, idempotency_key="same")
    assert a == b
    assert server.texts() == ["toot"]
    assert server.requests[0][2]["idempotency-key"] == "same"


def test_bluesky_session_is_reused_and_facets_sent(tmp_path: Path, server: FakeServer) -> None:
    client = make("bluesky", server, tmp_path)
    assert server.requests == []  # no login before the first post
    root = client.post("Day 100 #space https://example.com", reply_to=None, idempotency_key="a")
    reply = client.post("part 2", reply_to=root, idempotency_key="b")
    assert (reply.root_id, reply.root_cid) == (root.id, root.cid)
    third = client.post("part 3", reply_to=reply, idempotency_key="c")
    assert third.root_id == root.id  # the root stays the thread's first post
    again = make("bluesky", server, tmp_path)  # next run: the saved session, no new login
    again.post("next run", reply_to=None, idempotency_key="d")
    assert server.logins == 1
    session = tmp_path / "bluesky-sky.session"
    assert session.stat().st_mode & 0o077 == 0
    assert client.find_recent("part 2", idempotency_key="b") == reply
    assert client.find_recent("never posted", idempotency_key="z") is None


def test_bluesky_look_up_renews_a_stale_saved_session(
    tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: find_recent logged in with the saved session only; one the server no
    # longer took was a refusal of the credentials (the target blocked at every start)
    # although the password was fine.
    first = make("bluesky", server, tmp_path)
    posted = first.post("hello", reply_to=None, idempotency_key="a")
    first.close()
    server.revoke_sessions()  # e.g. the refresh token's life is over
    client = make("bluesky", server, tmp_path)
    assert isinstance(client, BlueskyClient)
    made: list[AtClient] = []
    new_api = client._new_api

    def recording() -> AtClient:
        made.append(new_api())
        return made[-1]

    monkeypatch.setattr(client, "_new_api", recording)
    assert client.find_recent("hello", idempotency_key="a") == posted
    assert server.logins == 2  # the password, once
    assert len(made) == 2
    assert made[0].request._client.is_closed  # the refused session's connections closed
    client.close()
    assert made[1].request._client.is_closed


def test_unknown_platform_lists_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"targets": [{"name": "a", "platform": "myspace"}]}, "spacebot.yaml")
    text = str(err.value)
    assert "spacebot.yaml: targets[0] (a).platform: unknown platform 'myspace'" in text
    assert ", ".join(platforms.names()) in text


def test_length_counters_come_from_the_platform_table() -> None:
    assert platforms.spec("x") == platforms.PlatformSpec("x", "x", 280)
    assert platforms.spec("mastodon") == platforms.PlatformSpec("mastodon", "mastodon", 500)
    assert platforms.spec("mastodon", {"max_chars": 5000}).limit == 5000
    assert platforms.spec("bluesky") == platforms.PlatformSpec("bluesky", "bluesky", 300)
    assert platforms.spec("dry-run", {"mimic": "mastodon"}) == platforms.spec("mastodon")
    assert measure("👩‍🚀", "bluesky") == 1
    assert measure("👩‍🚀", "mastodon") == 1  # Mastodon counts grapheme clusters
    assert measure("see https://example.com/a/very/long/path/indeed", "x") == 4 + 23
