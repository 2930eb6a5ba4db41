"""Credentials never leak: not in logs, output, exception text or repr, on any error path."""

from __future__ import annotations

import io
import logging
import pickle
import random
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
from fakes import ALL_SECRETS, ENV, T0, FakeClock, FakeServer

from bot.core.post import Post
from bot.errors import ConfigError
from bot.files.config import parse_config
from bot.files.secrets import MASK, RedactingFilter, Secret, read_secret
from bot.files.targets import PostingConfig, RetryConfig, TargetConfig
from bot.posting.clients import ClientError, open_clients
from bot.posting.outbox import Outbox
from bot.posting.poster import Poster


def assert_clean(text: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in text


def test_secret_is_masked_everywhere() -> None:
    s = Secret("hunter2-SECRET", "SPACEBOT_A_ACCESS_TOKEN")
    shown = f"{s} {s!r} {s!s} {[s]} { ({'k': s}) } {s:>20}"
    assert "hunter2" not in shown
    assert MASK in shown
    assert "SPACEBOT_A_ACCESS_TOKEN" in repr(s)
    assert s.reveal() == "hunter2-SECRET"
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_secret_from_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("from-file-SECRET\n")
    s = read_secret({"V_FILE": str(path)}, "V", where="target 'a'")
    assert s.reveal() == "from-file-SECRET"
    with pytest.raises(ConfigError, match="both V and V_FILE are set"):
        read_secret({"V": "x", "V_FILE": str(path)}, "V", where="target 'a'")
    with pytest.raises(ConfigError, match="cannot read V_FILE file") as err:
        read_secret({"V_FILE": str(tmp_path / "nope")}, "V", where="target 'a'")
    assert "from-file" not in str(err.value)


def test_redacting_filter_scrubs_third_party_logs() -> None:
    Secret("library-logged-SECRET")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    try:
        logger.warning("Headers: %s", {"Authorization": "Bearer library-logged-SECRET"})
        try:
            raise ValueError("token library-logged-SECRET rejected")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert "library-logged-SECRET" not in stream.getvalue()
    assert "Bearer ***" in stream.getvalue()


def _targets(server: FakeServer) -> tuple[TargetConfig, ...]:
    raw = {
        "targets": [
            {
                "name": "main-x",
                "platform": "x",
                "options": {"base_url": server.url, "timeout": 0.3},
            },
            {
                "name": "fedi",
                "platform": "mastodon",
                "options": {"api_base_url": server.url, "timeout": 0.3},
            },
            {
                "name": "sky",
                "platform": "bluesky",
                "options": {"handle": "spacebot.test", "base_url": server.url, "timeout": 0.3},
            },
        ]
    }
    return parse_config(raw, "t.yaml").targets


@pytest.mark.slow
@pytest.mark.parametrize(
    "fault", ["429", "500", "401", "403", "400", "reset", "timeout", "accept-reset", None]
)
def test_no_secret_on_any_error_path(
    tmp_path: Path, server: FakeServer, fault: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    server.timeout_sleep = 0.45
    log_stream = io.StringIO()
    handler = logging.StreamHandler(log_stream)  # no redaction filter: the raw truth
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    texts: list[str] = []
    try:
        targets = _targets(server)
        clients = open_clients(targets, ENV, state_dir=tmp_path)
        texts.extend(repr(c) for c in clients.values())
        texts.extend(repr(vars(c)) for c in clients.values())
        # each client, each error, directly
        server.faults = lambda platform, path: fault
        for client in clients.values():
            try:
                client.post("hello", reply_to=None, idempotency_key="k")
            except ClientError as exc:
                texts.append(str(exc))
                texts.append(repr(exc))
                texts.append("".join(traceback.format_exception(exc)))
        # and through the poster, with retries
        clock = FakeClock()
        server.faults = lambda platform, path: fault if random.random() < 0.5 else None
        outbox = Outbox.open(tmp_path)
        poster = Poster(
            outbox,
            clients,
            targets,
            PostingConfig(retry=RetryConfig(1, 10, 3)),
            clock=clock,
            sleep=clock.sleep,
        )
        poster.enqueue(Post("p", T0, T0, ("again",), ("again",)))
        clock.now = T0 + timedelta(minutes=1)
        result = poster.drain()
        texts.append(repr(result))
        texts.extend(repr(i) for i in outbox.items())
        texts.append(outbox.path.read_bytes().decode("latin-1"))
        outbox.close()
        session_file = tmp_path / "bluesky-sky.session"
        assert not session_file.exists() or "app-pass" not in session_file.read_text()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    out, err = capsys.readouterr()
    texts.extend([out, err, log_stream.getvalue()])
    assert_clean("\n".join(texts))


def test_missing_credentials_name_every_variable(tmp_path: Path, server: FakeServer) -> None:
    env = {"SPACEBOT_MAIN_X_API_KEY": "only-this-one-SECRET"}
    with pytest.raises(ConfigError) as err:
        open_clients(_targets(server), env, state_dir=tmp_path)
    text = str(err.value)
    for var in (
        "SPACEBOT_MAIN_X_API_SECRET",
        "SPACEBOT_MAIN_X_ACCESS_TOKEN",
        "SPACEBOT_MAIN_X_ACCESS_TOKEN_SECRET",
        "SPACEBOT_FEDI_ACCESS_TOKEN",
        "SPACEBOT_SKY_APP_PASSWORD",
    ):
        assert f"missing credential {var}" in text
        assert f"{var}_FILE" in text
    assert "SPACEBOT_MAIN_X_API_KEY\n" not in text
    assert "only-this-one" not in text
    assert "5 problems found" in text
    assert not server.requests  # checked at start-up, before any network use
