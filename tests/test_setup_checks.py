"""Set-up problems found by adversarial tests, through the real command line: each is
refused with exit 2, naming the file, the setting (or the path) and the fix, and never
as "This is a bug".

* a dry run (``check --dry-run``, ``run --dry-run``) checks the whole ``targets:``
  section too (it skips only the credentials);
* a state directory that is a file, cannot be created or is not writable;
* ``options.timeout`` of 0 or less;
* a key written twice in a config, data or templates file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CliRunner, Run

from bot.files import lock
from bot.files.lock import StateDirError, StateLock, state_dir_problem

DATA = """\
as_of: 2026-01-01T00:00:00Z
people:
  - id: ann
    name: Ann
    country: US
    gender: female
    flights:
      - mission: M1
        launch: 2020-01-01T00:00:00Z
        landing: 2020-07-01T00:00:00Z
"""


def _config(tmp_path: Path, text: str, *, state: str | None = None) -> Path:
    (tmp_path / "data.yaml").write_text(DATA, encoding="utf-8")
    head = f"data: data.yaml\nstate_dir: {state or tmp_path / 'state'}\n"
    path = tmp_path / "config.yaml"
    path.write_text(head + text, encoding="utf-8")
    return path


def _refused(run: Run, *names: str) -> None:
    assert run.code == 2, run.both
    assert "This is a bug" not in run.both
    for name in names:
        assert name in run.err, (name, run.err)


# --- a dry run checks the whole targets section ---------------------------------------

BAD_TARGETS = {
    "unknown platform": (
        "targets:\n  - {name: t, platform: myspace}\n",
        ["targets[0] (t).platform", "unknown platform 'myspace'"],
    ),
    "negative daily_cap": (
        "targets:\n  - {name: t, platform: dry-run, daily_cap: -3}\n",
        ["targets[0] (t).daily_cap", "-3"],
    ),
    "unknown target key": (
        "targets:\n  - {name: t, platform: dry-run, dailycap: 3}\n",
        ["targets[0] (t).dailycap", "unknown setting", "daily_cap"],
    ),
    "unknown option": (
        "targets:\n  - {name: t, platform: x, options: {colour: red}}\n",
        ["targets[0] (t).options.colour", "unknown setting"],
    ),
    "timeout 0": (
        "targets:\n  - name: t\n    platform: mastodon\n"
        "    options: {api_base_url: 'https://m.example', timeout: 0}\n",
        ["targets[0] (t).options.timeout", "must be more than 0"],
    ),
    "timeout -1": (
        "targets:\n  - {name: t, platform: x, options: {timeout: -1}}\n",
        ["targets[0] (t).options.timeout", "must be more than 0, not -1"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TARGETS))
@pytest.mark.parametrize(
    "command",
    [("check", "--dry-run"), ("validate", "--no-credentials"), ("validate",), ("preview",)],
    ids=" ".join,
)
def test_every_command_checks_the_targets(
    tmp_path: Path, cli: CliRunner, case: str, command: tuple[str, ...]
) -> None:
    text, names = BAD_TARGETS[case]
    config = _config(tmp_path, text)
    extra = ("--from", "2020-01-01", "--to", "2020-01-02") if command[0] == "preview" else ()
    run = cli(*command, *extra, "--config", config)
    _refused(run, str(config), *names)
    assert not (tmp_path / "state").exists()  # refused before anything was opened


@pytest.mark.parametrize("case", ["unknown platform", "negative daily_cap", "timeout -1"])
def test_run_dry_run_checks_the_targets(tmp_path: Path, cli: CliRunner, case: str) -> None:
    text, names = BAD_TARGETS[case]
    config = _config(tmp_path, text)
    _refused(cli("run", "--dry-run", "--config", config), str(config), *names)
    assert not (tmp_path / "state").exists()


# --- the state directory ---------------------------------------------------------------


def test_a_state_dir_that_is_a_file(tmp_path: Path, cli: CliRunner) -> None:
    state = tmp_path / "state-file"
    state.write_text("not a directory\n")
    config = _config(tmp_path, "", state=str(state))
    for argv in (("validate", "--no-credentials"), ("check", "--dry-run"), ("run", "--dry-run")):
        run = cli(*argv, "--config", config)
        _refused(run, str(state), "is a file, not a directory", "fix: move")
    assert state.read_text() == "not a directory\n"


def test_a_state_dir_that_cannot_be_created(tmp_path: Path, cli: CliRunner) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    state = blocker / "state"
    config = _config(tmp_path, "", state=str(state))
    for argv in (("validate", "--no-credentials"), ("check", "--dry-run")):
        run = cli(*argv, "--config", config)
        _refused(run, str(state), f"cannot be created: {blocker} is a file")


def test_a_state_dir_not_writable_by_this_user(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a container (uid 10001) given a root-owned host directory: the tests may
    # run as root, so the refusal is simulated where the kernel would say it.
    state = tmp_path / "data"
    state.mkdir()
    real_access, real_open = os.access, os.open

    def access(path: object, mode: int, **kw: object) -> bool:
        return False if Path(str(path)) == state else real_access(path, mode, **kw)  # type: ignore[arg-type]

    def open_(path: object, *args: object, **kw: object) -> int:
        if Path(str(path)).parent == state:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(lock.os, "access", access)
    monkeypatch.setattr(lock.os, "open", open_)
    config = _config(tmp_path, "", state=str(state))
    uid = os.geteuid()
    for argv in (("validate", "--no-credentials"), ("check", "--dry-run")):
        run = cli(*argv, "--config", config)
        _refused(run, str(state), f"is not writable by this user (uid {uid})", "chown", "10001")


def test_state_dir_problem_is_none_for_a_usable_directory(tmp_path: Path) -> None:
    assert state_dir_problem(tmp_path) is None
    assert state_dir_problem(tmp_path / "new" / "deeper") is None  # can be created
    assert not (tmp_path / "new").exists()  # ...and was not


def test_the_lock_says_the_same_as_validate(tmp_path: Path) -> None:
    state = tmp_path / "file"
    state.write_text("")
    with pytest.raises(StateDirError) as raised:
        StateLock(state).acquire()
    assert raised.value.exit_code == 2
    assert raised.value.problems == [state_dir_problem(state)]


# --- a key written twice ---------------------------------------------------------------


def test_a_duplicate_key_in_the_config(tmp_path: Path, cli: CliRunner) -> None:
    config = _config(tmp_path, "timezone: UTC\nannouncements: {}\ntimezone: Europe/Paris\n")
    run = cli("validate", "--no-credentials", "--config", config)
    _refused(run, str(config), "line 5", "key 'timezone' is written twice", "first at line 3")


def test_a_duplicate_key_in_a_target(tmp_path: Path, cli: CliRunner) -> None:
    config = _config(
        tmp_path,
        "targets:\n  - name: a\n    platform: dry-run\n    daily_cap: 3\n    daily_cap: 5\n",
    )
    run = cli("check", "--dry-run", "--config", config)
    _refused(run, str(config), "line 7", "key 'daily_cap' is written twice", "first at line 6")


def test_a_duplicate_key_in_the_data(tmp_path: Path, cli: CliRunner) -> None:
    data = tmp_path / "flights.yaml"
    data.write_text(DATA.replace("    name: Ann\n", "    name: Ann\n    name: Anne\n"))
    run = cli("validate", "--no-credentials", "--data", data)
    _refused(run, str(data), "line 5", "key 'name' is written twice", "first at line 4")


def test_a_duplicate_key_in_the_templates(tmp_path: Path, cli: CliRunner) -> None:
    templates = tmp_path / "templates.yaml"
    templates.write_text("mission_end:\n  text: 'a'\n  text: 'b'\n")
    config = _config(tmp_path, f"announcements: {{templates: {templates}}}\n")
    run = cli("validate", "--no-credentials", "--config", config)
    _refused(run, str(templates), "line 3", "key 'text' is written twice", "first at line 2")
