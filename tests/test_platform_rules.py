"""Each platform's own rules, against the fake server with the real SDKs:

* a Mastodon target's limit is its instance's (``/api/v2/instance``), read once per
  process, with ``options.max_chars`` as the operator's override and the table's 500
  when the instance does not say;
* posts carry ``announcements.language`` (Bluesky ``langs``, Mastodon ``language``;
  X has no such field);
* ``validate --online`` proves each target's credentials with one read-only call, and
  plain ``validate`` uses no network;
* a dry run mimicking Bluesky or X refuses what they refuse.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner
from fakes import ENV, FakeServer

from bot.files.config import parse_config
from bot.files.targets import TargetConfig
from bot.posting.clients import AuthFailed, Client, Rejected, Transient, open_clients, spec_of
from bot.posting.clients.dry_run import DryRunClient

NAMES = {"x": "main-x", "mastodon": "fedi", "bluesky": "sky"}


def _raw_target(platform: str, server: FakeServer, **options: object) -> dict[str, Any]:
    opts: dict[str, object] = {"timeout": 0.3}
    if platform == "x":
        opts["base_url"] = server.url
    elif platform == "mastodon":
        opts["api_base_url"] = server.url
    else:
        opts.update(handle=FakeServer.HANDLE, base_url=server.url)
    opts.update(options)
    return {"name": NAMES[platform], "platform": platform, "options": opts}


def _targets(
    server: FakeServer, *platforms: str, language: str | None = None, **options: object
) -> tuple[TargetConfig, ...]:
    raw: dict[str, Any] = {"targets": [_raw_target(p, server, **options) for p in platforms]}
    if language is not None:
        raw["announcements"] = {"language": language}
    return parse_config(raw, "t.yaml").targets


def _client(target: TargetConfig, tmp_path: Path, env: dict[str, str] = ENV) -> Client:
    return open_clients([target], env, state_dir=tmp_path, stdout=io.StringIO())[target.name]


def _instance_requests(server: FakeServer) -> int:
    return sum(1 for _m, path, _h in server.requests if path == "/api/v2/instance")


# --- Mastodon: the instance's limit ------------------------------------------------


def test_mastodon_limit_is_the_instances(tmp_path: Path, server: FakeServer) -> None:
    server.mastodon_max_characters = 5000
    (target,) = _targets(server, "mastodon")
    first, second = _client(target, tmp_path), _client(target, tmp_path)
    assert spec_of(target, first).limit == 5000
    assert spec_of(target, first).limit == 5000
    assert spec_of(target, second).limit == 5000  # a reload's new client: no new request
    assert _instance_requests(server) == 1
    _m, _p, headers = next(r for r in server.requests if r[1] == "/api/v2/instance")
    assert "authorization" not in headers  # public: the token is not sent


def test_the_operators_max_chars_wins(tmp_path: Path, server: FakeServer) -> None:
    server.mastodon_max_characters = 5000
    (target,) = _targets(server, "mastodon", max_chars=600)
    assert spec_of(target, _client(target, tmp_path)).limit == 600
    assert _instance_requests(server) == 0


@pytest.mark.parametrize("fault", ["500", "timeout", "no answer in it"])
def test_an_instance_that_does_not_tell_gets_the_default_and_one_log_line(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    server.timeout_sleep = 0.5  # past the target's 0.3 s
    if fault == "no answer in it":
        server.mastodon_max_characters = None
    else:
        server.read_faults = lambda platform, path: fault
    (target,) = _targets(server, "mastodon")
    client = _client(target, tmp_path)
    with caplog.at_level(logging.WARNING, logger="spacebot.clients.mastodon"):
        assert spec_of(target, client).limit == 500
        assert spec_of(target, client).limit == 500
    assert _instance_requests(server) == 1
    lines = [r.getMessage() for r in caplog.records if "post length limit" in r.getMessage()]
    assert len(lines) == 1
    assert "fedi" in lines[0]
    assert "using 500" in lines[0]
    assert "mtoken" not in caplog.text


def test_a_check_fits_posts_to_the_instance_limit(tmp_path: Path, server: FakeServer) -> None:
    # a limit below the table's: the renderer must fit within it
    server.mastodon_max_characters = 120
    (target,) = _targets(server, "mastodon")
    spec = spec_of(target, _client(target, tmp_path))
    assert (spec.platform, spec.limit) == ("mastodon", 120)


# --- language ----------------------------------------------------------------------


def _sent(server: FakeServer, path: str) -> Any:
    bodies = [body for method, p, body in server.bodies if method == "POST" and p == path]
    assert bodies, path
    return bodies[-1]


@pytest.mark.parametrize("language", [None, "pt-BR"])
def test_posts_carry_the_language(tmp_path: Path, server: FakeServer, language: str | None) -> None:
    expected = language or "en"
    for target in _targets(server, "x", "mastodon", "bluesky", language=language):
        assert target.language == expected
        _client(target, tmp_path).post("Olá", reply_to=None, idempotency_key=f"k-{target.name}")
    assert _sent(server, "/api/v1/statuses")["language"] == expected
    record = _sent(server, "/xrpc/com.atproto.repo.createRecord")["record"]
    assert record["langs"] == [expected]
    tweet = _sent(server, "/2/tweets")
    assert tweet == {"text": "Olá"}  # X takes no language


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("english", "'english' is not a language tag"),
        ("xx", "'xx' is not an ISO 639 language code"),
        ("en_US", "'en_US' is not a language tag"),
        (7, "must be a language tag"),
    ],
)
def test_a_bad_language_is_refused(
    tmp_path: Path, cli: CliRunner, tag: object, message: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"announcements:\n  language: {tag}\nstate_dir: {tmp_path / 's'}\n")
    run = cli("validate", "--no-credentials", "--config", config)
    assert run.code == 2, run.both
    assert "announcements.language" in run.err
    assert message in run.err


@pytest.mark.parametrize("tag", ["en", "fr", "pt-BR", "zh-Hant-TW", "yue", "es-419"])
def test_good_languages(tag: str) -> None:
    raw = {"announcements": {"language": tag}, "targets": [{"name": "t", "platform": "dry-run"}]}
    (target,) = parse_config(raw, "t.yaml").targets
    assert target.language == tag


# --- credentials, online -----------------------------------------------------------


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_check_credentials_reads_and_publishes_nothing(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    (target,) = _targets(server, platform)
    assert _client(target, tmp_path).check_credentials() == "@spacebot" + (
        ".test" if platform == "bluesky" else ""
    )
    assert server.published == []
    assert all(method == "GET" or "Session" in path for method, path, _h in server.requests)


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_check_credentials_refused(tmp_path: Path, server: FakeServer, platform: str) -> None:
    server.auth_ok = False
    (target,) = _targets(server, platform)
    with pytest.raises(AuthFailed) as raised:
        _client(target, tmp_path).check_credentials()
    assert NAMES[platform] in raised.value.message
    assert "SECRET" not in raised.value.message


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_check_credentials_unreachable(tmp_path: Path, server: FakeServer, platform: str) -> None:
    server.read_faults = lambda p, path: "500"
    (target,) = _targets(server, platform)
    with pytest.raises(Transient) as raised:
        _client(target, tmp_path).check_credentials()
    assert NAMES[platform] in raised.value.message


def test_a_stale_bluesky_session_falls_back_to_the_password(
    tmp_path: Path, server: FakeServer
) -> None:
    (target,) = _targets(server, "bluesky")
    (tmp_path / "bluesky-sky.session").write_text("not a session at all")
    assert _client(target, tmp_path).check_credentials() == "@spacebot.test"
    assert server.logins == 1


def _online_config(tmp_path: Path, server: FakeServer) -> Path:
    lines = ["targets:"]
    for platform in ("x", "mastodon", "bluesky"):
        raw = _raw_target(platform, server)
        options = ", ".join(f"{k}: {json.dumps(v)}" for k, v in raw["options"].items())
        lines += [f"  - name: {raw['name']}", f"    platform: {platform}"]
        lines += [f"    options: {{{options}}}"]
    config = tmp_path / "config.yaml"
    config.write_text("\n".join([f"state_dir: {tmp_path / 'state'}", *lines]) + "\n")
    return config


def test_validate_online_names_each_account(
    tmp_path: Path, server: FakeServer, cli: CliRunner
) -> None:
    config = _online_config(tmp_path, server)
    run = cli("validate", "--online", "--config", config, env=ENV)
    assert run.code == 0, run.both
    assert "ok: target main-x: credentials accepted @spacebot\n" in run.out
    assert "ok: target fedi: credentials accepted @spacebot\n" in run.out
    assert "ok: target sky: credentials accepted @spacebot.test\n" in run.out
    assert server.published == []


def test_validate_online_says_which_target_failed(
    tmp_path: Path, server: FakeServer, cli: CliRunner
) -> None:
    config = _online_config(tmp_path, server)
    env = {**ENV, "SPACEBOT_FEDI_ACCESS_TOKEN": "revoked"}
    real = server._whoami

    def whoami(h: Any, platform: str, headers: dict[str, str]) -> None:
        server.auth_ok = "revoked" not in headers.get("authorization", "")
        real(h, platform, headers)
        server.auth_ok = True

    server._whoami = whoami  # type: ignore[method-assign]
    run = cli("validate", "--online", "--config", config, env=env)
    assert run.code == 2, run.both
    assert "target 'fedi' (mastodon): credentials refused" in run.err
    assert "SPACEBOT_FEDI_ACCESS_TOKEN" in run.err
    assert "main-x" not in run.err
    assert "'sky'" not in run.err
    assert "revoked" not in run.both
    assert "1 problem found." in run.err


def test_validate_online_that_cannot_reach_a_platform_is_exit_1(
    tmp_path: Path, server: FakeServer, cli: CliRunner
) -> None:
    # Regression: a network failure was reported as bad input (exit 2); README: exit 1
    config = _online_config(tmp_path, server)
    server.read_faults = lambda platform, path: "500" if platform == "mastodon" else None
    run = cli("validate", "--online", "--config", config, env=ENV)
    assert run.code == 1, run.both
    assert "target 'fedi' (mastodon): could not check the credentials" in run.err
    assert "try again later" in run.err


def test_plain_validate_stays_offline(tmp_path: Path, server: FakeServer, cli: CliRunner) -> None:
    config = _online_config(tmp_path, server)
    run = cli("validate", "--config", config, env=ENV)
    assert run.code == 0, run.both
    assert server.requests == []
    assert "credentials accepted" not in run.out


def test_online_and_no_credentials_do_not_mix(cli: CliRunner) -> None:
    with pytest.raises(SystemExit):
        cli("validate", "--online", "--no-credentials")


# --- a dry run refuses what the platform it mimics refuses ---------------------------


def _rehearsal(mimic: str, tmp_path: Path) -> DryRunClient:
    raw = {"targets": [{"name": "r", "platform": "dry-run", "options": {"mimic": mimic}}]}
    (target,) = parse_config(raw, "t.yaml").targets
    client = _client(target, tmp_path, env={})
    assert isinstance(client, DryRunClient)
    return client


def test_a_bluesky_rehearsal_refuses_more_than_3000_bytes(tmp_path: Path) -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    client = _rehearsal("bluesky", tmp_path)
    client.post(family * 120, reply_to=None, idempotency_key="a")  # 3,000 bytes: fits
    with pytest.raises(Rejected, match="bluesky would refuse it"):
        client.post(family * 121, reply_to=None, idempotency_key="b")  # 3,025 bytes


@pytest.mark.parametrize("bad", ["\ufffe", "\ufeff", "\uffff"])
def test_an_x_rehearsal_refuses_invalid_characters(tmp_path: Path, bad: str) -> None:
    client = _rehearsal("x", tmp_path)
    with pytest.raises(Rejected, match="x would refuse it"):
        client.post(f"Scott Kelly {bad} passed", reply_to=None, idempotency_key="c")


def test_an_x_rehearsal_refuses_more_than_280(tmp_path: Path) -> None:
    client = _rehearsal("x", tmp_path)
    client.post("a" * 280, reply_to=None, idempotency_key="d")
    with pytest.raises(Rejected, match="x would refuse it"):
        client.post("a" * 281, reply_to=None, idempotency_key="e")
