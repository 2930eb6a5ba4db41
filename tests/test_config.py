"""The configuration: one loader for every command, every section checked whatever the
command, one rule per fact (platform table, names, hashtags, defaults)."""

from __future__ import annotations

import io
import logging
from datetime import time
from pathlib import Path

import pytest
from conftest import CliRunner

from bot.core import platforms
from bot.core.fields import RenderSettings
from bot.errors import ConfigError
from bot.files.config import load_config, parse_config
from bot.files.secrets import Secret
from bot.files.targets import PostingConfig, RetryConfig
from bot.logs import setup_logging


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- targets and posting -----------------------------------------------------------------------


def test_targets_take_their_defaults_from_the_platform_table() -> None:
    config = parse_config(
        {
            "targets": [
                {"name": "main-x", "platform": "x"},
                {
                    "name": "fedi",
                    "platform": "mastodon",
                    "options": {"api_base_url": "https://m.example"},
                },
                {"name": "sky", "platform": "bluesky", "options": {"handle": "a.bsky.social"}},
                {"name": "rehearsal", "platform": "dry-run", "daily_cap": 3, "min_interval": 0},
            ]
        },
        "spacebot.yaml",
    )
    x, fedi, sky, dry = config.targets
    assert (x.daily_cap, x.min_interval) == (platforms.PLATFORMS["x"].daily_cap, 300.0)
    assert fedi.options["max_chars"] is None  # the platform's limit (or the instance's)
    assert fedi.options["visibility"] == "public"
    assert sky.options["base_url"] == "https://bsky.social"
    assert dry.daily_cap == 3
    assert x.credential_vars["API_KEY"] == "SPACEBOT_MAIN_X_API_KEY"


def test_every_target_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(
            {
                "targets": [
                    {"name": "Main X", "platform": "x"},
                    {"name": "ok", "platform": "myspace"},
                    {"name": "ok2", "platform": "x", "colour": "blue", "daily_cap": 0},
                    {"name": "fedi", "platform": "mastodon", "options": {"visibility": "loud"}},
                    {"name": "fedi", "platform": "dry-run"},
                    {"name": "slow", "platform": "x", "options": {"timeout": 0}},
                ]
            },
            "spacebot.yaml",
        )
    text = str(err.value)
    assert "targets[0] (Main X).name: a target's name must be lowercase letters" in text
    assert "unknown platform 'myspace'" in text
    assert "use one of: bluesky, dry-run, mastodon, x" in text
    assert "targets[2] (ok2).colour: unknown setting" in text
    assert "targets[2] (ok2).daily_cap: must be a whole number > 0" in text
    assert "targets[3] (fedi).options.api_base_url: missing" in text
    assert "options.visibility: must be one of public, unlisted, private, direct" in text
    assert "target name 'fedi' is used twice" in text
    assert "targets[5] (slow).options.timeout: must be more than 0" in text  # never forever


def test_posting_section() -> None:
    assert parse_config({}, "c.yaml").posting == PostingConfig()
    config = parse_config(
        {
            "posting": {
                "max_age_hours": 12,
                "old_posts": "skip",
                "retry": {"base_seconds": 5, "max_attempts": 3},
            }
        },
        "c.yaml",
    )
    assert config.posting.max_age_hours == 12
    assert config.posting.old_posts == "skip"
    assert config.posting.retry == RetryConfig(5, 3600, 3)
    with pytest.raises(ConfigError) as err:
        parse_config(
            {"posting": {"old_posts": "never", "retry": {"jitter": 1}, "extra": 1}}, "c.yaml"
        )
    assert "posting.extra: unknown setting" in str(err.value)
    assert "posting.retry.jitter: unknown setting" in str(err.value)
    assert "posting.old_posts: unknown value 'never'" in str(err.value)


def test_one_name_rule_and_one_hashtag_rule() -> None:
    # config.py allowed "_" in scope names while its own message said it did not
    with pytest.raises(ConfigError, match=r"engine.scopes\[0\].name: a scope's name must be"):
        parse_config({"engine": {"scopes": [{"name": "my_scope"}]}}, "c.yaml")
    # the renderer took "ISS" as a hashtag, the config insisted on "#ISS": one rule now
    config = parse_config({"announcements": {"hashtags": ["ISS", "#YearInSpace"]}}, "c.yaml")
    assert config.render.tags == ("#ISS", "#YearInSpace")
    with pytest.raises(ConfigError, match="'two words' is not a hashtag"):
        parse_config({"announcements": {"hashtags": ["two words"]}}, "c.yaml")


def test_defaults_are_written_once() -> None:
    assert parse_config({}, "c.yaml").render == RenderSettings()


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path: Path, cli: CliRunner) -> None:
    path = write(tmp_path, "timezone: UTC\nstate_dir: a\ntimezone: Europe/Paris\n")
    run = cli("validate", "--config", path, "--no-credentials")
    assert run.code == 2
    assert f"{path}: line 3: key 'timezone' is written twice in one mapping (first at line 1)" in (
        run.err
    )


# -- the bugs of the five copies (issue 8) ----------------------------------------------------


def test_templates_are_checked_against_the_configured_targets_only(
    tmp_path: Path, cli: CliRunner
) -> None:
    # Regression: a Mastodon target with max_chars 5000 and long Mastodon wording made
    # validate report "too long for mastodon (500)" and errors for X and Bluesky, which
    # were not configured; check and run refused to start.
    long = "{name} {is} back on Earth after {value} in space ({mission}). " + "Word " * 230
    templates = write(tmp_path, f'mission_end:\n  mastodon:\n    text: "{long}"\n', "t.yaml")
    config = write(
        tmp_path,
        f"state_dir: {tmp_path / 'state'}\n"
        f"announcements: {{templates: {templates}}}\n"
        "targets:\n"
        "  - {name: fedi, platform: mastodon,"
        " options: {api_base_url: 'https://m.example', max_chars: 5000}}\n",
    )
    assert len(long) > 1200
    run = cli("validate", "--config", config, env={"SPACEBOT_FEDI_ACCESS_TOKEN": "token-1234"})
    assert run.code == 0, run.err
    check = cli("check", "--config", config, "--dry-run", "--at", "2016-03-02T05:00:00Z")
    assert check.code == 0, check.err


def test_a_rehearsal_mimicking_mastodon_shows_what_mastodon_would_get(
    tmp_path: Path, cli: CliRunner
) -> None:
    # Regression: a dry-run target with mimic: mastodon was worded and counted as X.
    config = write(
        tmp_path,
        "targets: [{name: rehearsal, platform: dry-run, options: {mimic: mastodon}}]\n",
    )
    run = cli("preview", "--config", config, "--from", "2015-10-29", "--to", "2015-10-29")
    assert run.code == 0, run.err
    assert "== mastodon: 1 post" in run.out
    assert "Today at 04:05 UTC, Scott Kelly passed" in run.out  # Mastodon's own wording


def test_status_follows_the_config_state_dir_and_the_environment(
    tmp_path: Path, cli: CliRunner
) -> None:
    # Regression: status looked in ./state whatever --config and SPACEBOT_STATE_DIR said.
    state = tmp_path / "elsewhere"
    config = write(tmp_path, f"state_dir: {state}\n")
    check = cli("check", "--config", config, "--dry-run", "--at", "2015-10-16T00:00:00Z")
    assert check.code == 0, check.err
    by_config = cli("status", "--config", config)
    assert by_config.code == 0, by_config.err
    assert "dry-run" in by_config.out
    by_env = cli("status", env={"SPACEBOT_STATE_DIR": str(state)})
    assert by_env.code == 0, by_env.err
    assert "dry-run" in by_env.out


def test_check_dry_run_still_checks_the_whole_targets_section(
    tmp_path: Path, cli: CliRunner
) -> None:
    # Regression: check --dry-run and run --dry-run skipped the targets section.
    config = write(
        tmp_path,
        f"state_dir: {tmp_path / 'state'}\n"
        "targets:\n"
        "  - {name: a, platform: myspace}\n"
        "  - {name: b, platform: x, daily_cap: -1, extra: 1}\n",
    )
    run = cli("check", "--config", config, "--dry-run")
    assert run.code == 2
    assert "unknown platform 'myspace'" in run.err
    assert "targets[1] (b).daily_cap: must be a whole number > 0, not -1" in run.err
    assert "targets[1] (b).extra: unknown setting" in run.err


def test_an_explicit_config_path_that_does_not_exist_is_an_error(
    tmp_path: Path, cli: CliRunner
) -> None:
    run = cli(
        "preview", "--config", tmp_path / "nope.yaml", "--from", "2015-10-29", "--to", "2015-10-29"
    )
    assert run.code == 2
    assert "config file not found" in run.err


# -- secrets -------------------------------------------------------------------------------------


def test_a_credential_with_a_line_break_is_refused_naming_the_variable(tmp_path: Path) -> None:
    # Regression: a two-line secret file passed validate, then every attempt wrote the
    # whole token into a WARNING line and into the outbox.
    secret = write(tmp_path, "first-line-SECRET\nsecond-line-SECRET\n", "token")
    config = write(
        tmp_path,
        "targets: [{name: fedi, platform: mastodon, options: {api_base_url: 'https://m.example'}}]\n",
    )
    from bot.preflight import setup_problems

    problems = setup_problems(
        load_config(str(config), {}),
        {"SPACEBOT_FEDI_ACCESS_TOKEN_FILE": str(secret)},
        credentials=True,
    )[1]
    text = "\n".join(str(p) for p in problems)
    assert "SPACEBOT_FEDI_ACCESS_TOKEN_FILE holds a line break inside the credential" in text
    assert "SECRET" not in text


def test_logging_redacts_known_credentials() -> None:
    # Regression: install_redaction() existed and was tested, but nothing called it.
    Secret("logged-by-a-library-SECRET")
    stream = io.StringIO()
    setup_logging(stream, "text")
    logging.getLogger("urllib3").warning("header: Bearer logged-by-a-library-SECRET")
    assert "logged-by-a-library-SECRET" not in stream.getvalue()
    assert "Bearer ***" in stream.getvalue()


def test_the_example_config_shows_the_defaults() -> None:
    # config.example.yaml says every setting shows its default: a drifted copy fails here
    example = Path(__file__).resolve().parents[1] / "config.example.yaml"
    shown = load_config(str(example), {})
    defaults = parse_config({}, "<defaults>")
    for part in ("rules", "render", "schedule", "posting", "ll2", "targets", "templates"):
        assert getattr(shown, part) == getattr(defaults, part), part


@pytest.mark.parametrize(
    ("value", "offline"),
    [("1", True), ("TRUE", True), ("on", True), ("0", False), ("false", False), ("", False)],
)
def test_offline_switches_read_words_as_people_write_them(value: str, offline: bool) -> None:
    # Regression: SPACEBOT_OFFLINE=false meant offline (anything but "" or "0" did).
    assert load_config(None, {"SPACEBOT_OFFLINE": value}).offline is offline


def test_an_unreadable_switch_is_refused_naming_it(cli: CliRunner) -> None:
    run = cli("validate", "--no-credentials", env={"SPACEBOT_OFFLINE": "flase"})
    assert run.code == 2
    assert "SPACEBOT_OFFLINE" in run.err
    assert "1/true/yes/on or 0/false/no/off" in run.err


def test_the_documented_offline_option_exists_and_sync_refuses_it(cli: CliRunner) -> None:
    # Regression: config.example.yaml and docs/live-data.md named --offline; no command
    # took it, and SPACEBOT_OFFLINE=1 spacebot sync still went to the network.
    preview = cli("preview", "--offline", "--from", "2015-10-15", "--to", "2015-10-15")
    assert preview.code == 0, preview.err
    sync = cli("sync", "--offline")
    assert sync.code == 2
    assert "offline" in sync.err
    assert cli("sync", env={"SPACEBOT_OFFLINE": "1"}).code == 2


def test_debug_off_is_off(cli: CliRunner) -> None:
    # SPACEBOT_DEBUG=0 turned debugging on (any non-empty value did)
    from bot.commands.common import Context

    assert Context(env={"SPACEBOT_DEBUG": "0"}).debug is False
    assert Context(env={"SPACEBOT_DEBUG": "yes"}).debug is True


def test_a_scope_label_words_the_record_and_member_words_one_of_them() -> None:
    # Regression: a label not shaped "the ... record" left posts with the scope's slug
    # ("by an a-team astronaut"), and a label on a built-in scope lost its words ("by a
    # women astronaut"); nothing let an operator name one member.
    from bot.core import wording as w

    scopes = [
        {"name": "world"},
        {"name": "women", "gender": "female", "label": "the record for women"},
        {"name": "esa", "countries": ["FR", "DE"], "label": "the record among ESA flyers",
         "member": "ESA astronaut"},
    ]  # fmt: skip
    render = parse_config({"engine": {"scopes": scopes}}, "c.yaml").render
    women = w.scope_words("women", render.scope_labels, render.scope_people)
    assert (women.record, women.by_whom) == ("the record for women", "by a woman")
    esa = w.scope_words("esa", render.scope_labels, render.scope_people)
    assert (esa.record, esa.by_whom) == ("the record among ESA flyers", "by an ESA astronaut")
    unworded = [{"name": "world"}, {"name": "a-team", "people": ["scott-kelly"],
                                     "label": "the record among the A-Team"}]  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        parse_config({"engine": {"scopes": unworded}}, "c.yaml")
    assert "engine.scopes[1].member" in str(caught.value)
    assert 'add member: "ESA astronaut"' in str(caught.value)


def test_norway_unquoted_is_explained() -> None:
    # YAML 1.1 reads NO as false: "must be a list of words" alone left operators puzzled
    scopes = [{"name": "world"}, {"name": "nordic", "countries": ["DK", "SE", False, "FI"]}]
    with pytest.raises(ConfigError) as caught:
        parse_config({"engine": {"scopes": scopes}}, "c.yaml")
    assert 'quote them, e.g. [DK, "NO"]' in str(caught.value)


def test_preview_names_its_window_as_the_operator_wrote_it(cli: CliRunner) -> None:
    # Regression: --to 2016-03-05 was shown as "2016-03-06T00:00:00Z" (the end of that
    # day), and an empty window said "--to (2016-03-06T00:00:00Z) must come after --from
    # (2016-03-06T00:00:00Z)" of a --to the operator wrote as 2016-03-05.
    run = cli("preview", "--from", "2016-03-05", "--to", "2016-03-06")
    assert run.code == 0, run.err
    assert run.out.startswith("0 milestones from 2016-03-05 through 2016-03-06 (times in UTC)")
    run = cli("preview", "--from", "2016-03-05", "--to", "2016-03-06T12:00:00Z")
    assert "from 2016-03-05T00:00:00Z to 2016-03-06T12:00:00Z" in run.out
    run = cli("preview", "--from", "2016-03-06", "--to", "2016-03-05")
    assert run.code == 2
    assert "--to 2016-03-05 must come after --from 2016-03-06: the window is empty" in run.err
    assert "a date as --to takes in that whole day" in run.err


@pytest.mark.parametrize(
    "argv",
    [
        ("preview", "--from", "2015-10-16", "--to", "9999-12-31"),
        ("leaderboard", "--kind", "cumulative", "--at", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_values_too_large_for_a_date_are_bad_input_not_a_bug(
    cli: CliRunner, argv: tuple[str, ...]
) -> None:
    # Regression: each ended in an OverflowError, "This is a bug in spacebot", exit 1
    run = cli(*argv)
    assert run.code == 2, run.err
    assert "out of range" in run.err


@pytest.mark.parametrize(
    "argv", [("upcoming", "--days", "100000000"), ("health", "--max-age", "inf")]
)
def test_options_too_large_for_a_date_are_refused_by_the_parser(
    cli: CliRunner, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        cli(*argv)
    assert done.value.code == 2
    assert "must be" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("engine", "grace_days"),
        ("schedule", "misfire_grace_minutes"),
        ("schedule", "catch_up_days"),
    ],
)
def test_numbers_in_the_config_are_finite_and_bounded(section: str, key: str) -> None:
    for value in (float("inf"), 99_999_999_999):
        with pytest.raises(ConfigError, match=f"{section}.{key}: must be"):
            parse_config({section: {key: value}}, "c.yaml")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("09:00", time(9, 0)), ('"09:00"', time(9, 0)), ("21:30", time(21, 30))],
)
def test_check_time_reads_as_written(tmp_path: Path, written: str, expected: time) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"schedule:\n  check_time: {written}\n", encoding="utf-8")
    assert load_config(str(path), {}).schedule.check_time == expected


@pytest.mark.parametrize("written", ["9", "900"])
def test_check_time_as_a_bare_number_is_refused(tmp_path: Path, written: str) -> None:
    # Regression: 9 was read as 00:09 and 900 as 15:00 (minutes, as YAML's base 60 reads 09:00)
    path = tmp_path / "config.yaml"
    path.write_text(f"schedule:\n  check_time: {written}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"schedule\.check_time: not a time of day"):
        load_config(str(path), {})


@pytest.mark.parametrize("key", ["state_dir", "data"])
@pytest.mark.parametrize("value", [{"a": 1}, True, ["a"], ""])
def test_path_settings_must_be_text(key: str, value: object) -> None:
    # Regression: state_dir: {a: 1} became a directory named "{'a': 1}", validate said ok
    with pytest.raises(ConfigError, match=f"{key}: must be a path"):
        parse_config({key: value}, "c.yaml")
