"""One real client (tweepy, Mastodon.py, atproto, the dry run) pointed at the fake server."""

from __future__ import annotations

import io
from pathlib import Path

from bot.files.config import parse_config
from bot.posting.clients import Client, open_clients
from fakes.clock import ENV
from fakes.server import FakeServer

# The target name each platform's client gets in the tests
NAMES = {"x": "main-x", "mastodon": "fedi", "bluesky": "sky", "dry-run": "rehearsal"}


def client_for(platform: str, server: FakeServer, tmp_path: Path, **options: object) -> Client:
    """The ``platform`` target's client (state in ``tmp_path``), talking to ``server``;
    ``options`` are the target's own (a 0.3 s timeout unless given)."""
    if platform != "dry-run":
        options = {"timeout": 0.3, **options}
    if platform == "x":
        options["base_url"] = server.url
    elif platform == "mastodon":
        options["api_base_url"] = server.url
    elif platform == "bluesky":
        options.update(handle=FakeServer.HANDLE, base_url=server.url)
    name = NAMES[platform]
    raw = {"targets": [{"name": name, "platform": platform, "options": options}]}
    targets = parse_config(raw, "t.yaml").targets
    return open_clients(targets, ENV, state_dir=tmp_path, stdout=io.StringIO())[name]
