"""Live data from Launch Library 2, through the real commands and a fake LL2 on 127.0.0.1:
the sync and its report, the overlay, the trust rules (history wins, quarantine,
confirmation, the check before sending, lost crews) and what status and health say."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CliRunner, Run
from fakes.ll2_scenarios import LATE_2026_NOW, SCENARIOS
from fakes.ll2_server import FakeLL2

from bot.daemon.heartbeat import HEARTBEAT_NAME, Heartbeat

LIVE = {"SPACEBOT_OFFLINE": ""}  # the cli fixture is offline unless told otherwise


def write_config(tmp_path: Path, ll2: FakeLL2, *lines: str) -> Path:
    path = tmp_path / "config.yaml"
    body = [
        f"state_dir: {tmp_path / 'state'}",
        f"sources: {{ll2: {{base_url: '{ll2.url}', timeout: 2}}}}",
        "targets: [{name: rehearsal, platform: dry-run, options: {file: posts.jsonl}}]",
        # no charts: these tests are about the texts (charts of live data: test_pictures)
        *(
            ()
            if any(line.startswith("announcements:") for line in lines)
            else ("announcements: {images: false}",)
        ),
        *lines,
    ]
    path.write_text("\n".join(body) + "\n")
    return path


def posted(tmp_path: Path) -> list[str]:
    path = tmp_path / "state" / "posts.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [r["text"] for r in lines if "key" in r]  # posts, not their pictures' uploads


def serve(server: FakeLL2, name: str) -> None:
    """The fake LL2 answers from now on as in scenario ``name``."""
    server.astronauts, server.launches = SCENARIOS[name]().answers()


@pytest.fixture
def sync(cli: CliRunner) -> Callable[..., Run]:
    def run(config: Path, now: datetime, *more: str) -> Run:
        return cli("sync", "--config", config, *more, env=LIVE, now=now)

    return run


# -- the sync and its report ---------------------------------------------------------------


def test_sync_adds_landings_new_flights_and_new_people(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    config = write_config(tmp_path, ll2)
    run = sync(config, LATE_2026_NOW)
    assert run.code == 0, run.err
    out = run.out
    assert "(3 requests)" in out  # a normal sync
    assert "landing: Jessica Meir, Dragon Crew-12, 2026-10-20T11:48:20Z" in out
    assert "landing: Sergey Kud-Sverchkov, Soyuz MS-28, 2026-07-27T05:02:11Z" in out
    # LL2's "Pyotr Dubrov" is our Petr Dubrov (common name Pyotr): they share Soyuz MS-18
    assert "new flight: Pyotr Dubrov, Soyuz MS-29, launched 2026-07-14T09:21:11Z" in out
    # up and down between two syncs
    assert "new flight: Michael López-Alegría, Axiom Mission 5, 2026-09-08T14:00:00Z to" in out
    # never seen before (and not our Anna Menon): a new person, gender unknown
    assert "new person: Anil Menon (anil-menon, US, LL2 id 1001; gender unknown" in out
    assert "refused" not in out.split("\n", 1)[1]
    overlay = tmp_path / "state" / "live" / "overlay.yaml"
    assert overlay.exists()
    # the overlay is data in the history's schema: validate reads it alone
    alone = cli("validate", "--no-credentials", "--data", overlay)
    assert alone.code == 0, alone.err
    merged = cli("validate", "--no-credentials", "--config", config)
    assert merged.code == 0, merged.err
    assert "live data as of 2026-11-20T12:00:00Z" in merged.out
    text = overlay.read_text()
    assert "provenance:" in text
    assert "fetched_at: 2026-11-20T12:00:00Z" in text


def test_a_person_ll2_names_by_the_common_name_is_matched(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run]
) -> None:
    # Regression: matching compared LL2's name with the formal name only, so "Sultan
    # AlNeyadi" (formally "Sultan Al Neyadi") was refused and his new flight never synced.
    serve(ll2, "alneyadi")
    run = sync(write_config(tmp_path, ll2), LATE_2026_NOW)
    assert run.code == 0, run.err
    assert "new flight: Sultan AlNeyadi, Crew-13, launched 2026-10-12T20:05:33Z" in run.out
    assert "refused" not in run.out.split("\n", 1)[1]


def test_dry_run_writes_nothing(tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run]) -> None:
    run = sync(write_config(tmp_path, ll2), LATE_2026_NOW, "--dry-run")
    assert run.code == 0, run.err
    assert "23 would change" in run.out
    assert "dry run: nothing written" in run.out
    assert not (tmp_path / "state" / "live").exists()


def test_syncing_twice_with_the_same_answers_changes_nothing(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run]
) -> None:
    config = write_config(tmp_path, ll2)
    assert sync(config, LATE_2026_NOW).code == 0
    overlay = tmp_path / "state" / "live" / "overlay.yaml"
    first = overlay.read_text()
    again = sync(config, LATE_2026_NOW)  # the same answers at the same instant
    assert again.code == 0, again.err
    assert "0 changed, 0 refused" in again.out
    assert overlay.read_text() == first
    later = sync(config, LATE_2026_NOW + timedelta(hours=1))  # the same answers, later
    assert "0 changed, 0 refused" in later.out


def test_starman_never_becomes_a_person(
    tmp_path: Path, ll2_for: Callable[[str], FakeLL2], sync: Callable[..., Run]
) -> None:
    run = sync(write_config(tmp_path, ll2_for("starman")), LATE_2026_NOW)
    assert run.code == 0, run.err
    assert "Starman" not in run.out
    assert "starman" not in (tmp_path / "state" / "live" / "overlay.yaml").read_text().lower()


# -- acceptance: late 2026 ------------------------------------------------------------------


def test_preview_and_upcoming_show_what_the_history_lacks(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    config = write_config(tmp_path, ll2)
    before = cli("preview", "--config", config, "--from", "2026-07-01", "--to", "2026-11-20")
    assert "back on Earth" not in before.out  # the history knows no landing after July
    assert sync(config, LATE_2026_NOW).code == 0
    after = cli(
        "preview", "--config", config, "--from", "2026-07-01", "--to", "2026-11-20",
        "--format", "json",
    )  # fmt: skip
    assert after.code == 0, after.err
    rows = [json.loads(line) for line in after.out.splitlines()]
    ends = {(r["person"], r["at"]) for r in rows if r["kind"] == "mission_end"}
    assert ("jessica-meir", "2026-10-20T11:48:20Z") in ends
    assert ("michael-lopez-alegria", "2026-09-22T16:30:07Z") in ends
    assert any(r["person"] == "anil-menon" for r in rows)  # a new person's milestones
    upcoming = cli("upcoming", "--config", config, "--days", "60", now=LATE_2026_NOW)
    assert upcoming.code == 0, upcoming.err
    assert "no longer vouches" not in upcoming.err  # every crew in space is vouched for
    assert "Cai Xuzhe" in upcoming.out
    assert "[held: awaiting confirmation by a second sync]" in upcoming.out


def test_the_leaderboard_says_whose_values_stop_where_the_data_ends(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    # Regression: people in space past what the data knows were shown with values
    # frozen at its end, as if they had landed.
    config = write_config(tmp_path, ll2)
    argv = ("leaderboard", "--config", config, "--kind", "consecutive", "--top", "60")
    before = cli(*argv, now=LATE_2026_NOW)
    assert before.code == 0, before.err
    (meir,) = [line for line in before.out.splitlines() if "Jessica Meir" in line]
    assert "(in space when the data ends, 2026-07-06T07:03:57Z)" in meir
    assert "`spacebot sync` brings newer data" in before.out
    rows = cli(*argv, "--format", "json", now=LATE_2026_NOW).out.splitlines()
    (row,) = [json.loads(line) for line in rows if "jessica-meir" in line]
    assert row["followed_until"] == "2026-07-06T07:03:57Z"
    assert sync(config, LATE_2026_NOW).code == 0  # LL2 knows she landed on October 20
    after = cli(*argv, now=LATE_2026_NOW)
    (meir,) = [line for line in after.out.splitlines() if "Jessica Meir" in line]
    assert "data ends" not in meir


def test_without_a_sync_upcoming_forecasts_nothing_for_crews_of_unknown_fate(
    tmp_path: Path, ll2: FakeLL2, cli: CliRunner
) -> None:
    run = cli("upcoming", "--config", write_config(tmp_path, ll2), now=LATE_2026_NOW)
    assert run.code == 0, run.err
    assert "no longer vouches for these people in space: Jessica Meir" in run.err
    assert "none expected" in run.out


# -- trust: quarantine, confirmation, the check before sending, lost crews ------------------


def test_vandalised_entries_are_quarantined_and_never_posted(
    tmp_path: Path,
    ll2_for: Callable[[str], FakeLL2],
    sync: Callable[..., Run],
    cli: CliRunner,
) -> None:
    config = write_config(tmp_path, ll2_for("vandalised"), "schedule: {catch_up_days: 150}")
    run = sync(config, LATE_2026_NOW)
    assert run.code == 0, run.err
    assert "refused: jessica-meir, Dragon Crew-12: LL2 says they are not in space" in run.out
    assert "refused: petr-dubrov, Soyuz MS-29: launch 2099-07-14T09:21:11Z lies in the future" in (
        run.out
    )
    assert "landing: Sergey Kud-Sverchkov" in run.out  # the rest of the sync applies
    check = cli("check", "--config", config, "--at", "2026-11-20T12:00:00Z", env=LIVE | {
        "SPACEBOT_OFFLINE": "1"})  # fmt: skip
    assert check.code == 0, check.err
    texts = "\n".join(posted(tmp_path))
    assert "Sergey Kud-Sverchkov" in texts  # Soyuz MS-28's landing was fine (posts use
    # the name in common use: Roscosmos' spelling, issue 10)
    assert "Soyuz MS-29" not in texts
    assert "2027" not in texts
    assert "Jessica Meir" not in texts.split("July 23")[-1]  # nothing after the history's end
    status = cli("status", "--config", config)
    assert "quarantined: jessica-meir, Dragon Crew-12" in status.out


def write_history(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.yaml"
    path.write_text(text)
    return path


CREW11_HISTORY = """\
as_of: 2026-01-01T00:00:00Z
people:
- id: zena-cardman
  name: Zena Cardman
  country: US
  gender: female
  flights:
  - mission: Crew-11
    launch: 2025-08-01T15:43:42Z
"""


def test_a_crew_home_early_withdraws_the_queued_post(
    tmp_path: Path,
    ll2_for: Callable[[str], FakeLL2],
    sync: Callable[..., Run],
    cli: CliRunner,
) -> None:
    server = ll2_for("crew11_before")
    history = write_history(tmp_path, CREW11_HISTORY)
    config = write_config(
        tmp_path,
        server,
        f"data: {history}",
        "engine: {consecutive_days: [167], kinds: [milestone_consecutive, mission_end]}",
    )
    assert sync(config, datetime(2026, 1, 10, 12, tzinfo=UTC)).code == 0
    # a check the night before queues the 167th day, due at 15:43:42 on 15 January
    first = cli("check", "--config", config, "--at", "2026-01-15T00:00:00Z")
    assert first.code == 0, first.err
    assert "next post due 2026-01-15T15:43:42Z" in first.out
    # the crew comes home at 08:41 that day, earlier than planned; the next sync says so
    serve(server, "crew11_after")
    assert sync(config, datetime(2026, 1, 15, 12, tzinfo=UTC)).code == 0
    second = cli("check", "--config", config, "--at", "2026-01-15T16:00:00Z")
    assert second.code == 0, second.err
    texts = posted(tmp_path)
    assert not any("167 days" in t for t in texts)  # never posted
    assert any("back on Earth" in t for t in texts)  # the landing is
    status = cli("status", "--config", config)
    assert "withdrawn: rehearsal zena-cardman/milestone_consecutive" in status.out
    assert "no longer holds on the current data" in status.out


def test_a_record_waits_for_a_second_sync_far_enough_apart(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    config = write_config(
        tmp_path,
        ll2,
        "schedule: {catch_up_days: 100}",
        "engine: {kinds: [record_consecutive]}",
    )

    def check(at: datetime) -> Run:
        run = cli("check", "--config", config, "--at", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        assert run.code == 0, run.err
        return run

    assert sync(config, LATE_2026_NOW).code == 0
    check(LATE_2026_NOW)
    # Sophie Adenot passed Thomas Pesquet on 1 September, while only LL2 says she was
    # still in space: held until a second sync confirms it
    assert posted(tmp_path) == []
    status = cli("status", "--config", config)
    assert "held: rehearsal sophie-adenot/record_consecutive/FR" in status.out
    assert "awaiting confirmation by a second sync" in status.out
    soon = LATE_2026_NOW + timedelta(hours=6)
    sync(config, soon)
    check(soon)
    assert posted(tmp_path) == []  # 6 hours later is not far enough apart
    later = LATE_2026_NOW + timedelta(hours=13)
    confirmed = sync(config, later)
    assert "confirmed: Sophie Adenot, Dragon Crew-12" in confirmed.out
    check(later)
    (text,) = posted(tmp_path)
    assert "Sophie Adenot passed Thomas Pesquet" in text
    assert text.startswith("On September 1, 2026")  # late: the past tense


COLUMBIA_HISTORY = """\
as_of: 2003-01-20T00:00:00Z
people:
- id: kalpana-chawla
  name: Kalpana Chawla
  country: US
  gender: female
  flights:
  - mission: STS-87
    launch: 1997-11-19T19:46:00Z
    landing: 1997-12-05T12:20:00Z
  - mission: STS-107
    launch: 2003-01-16T15:39:00Z
- id: rick-husband
  name: Rick Husband
  country: US
  gender: male
  flights:
  - mission: STS-96
    launch: 1999-05-27T10:49:00Z
    landing: 1999-06-06T06:02:00Z
  - mission: STS-107
    launch: 2003-01-16T15:39:00Z
"""


def test_a_lost_crew_is_held_for_the_operator_never_back_on_earth(
    tmp_path: Path,
    ll2_for: Callable[[str], FakeLL2],
    sync: Callable[..., Run],
    cli: CliRunner,
) -> None:
    history = write_history(tmp_path, COLUMBIA_HISTORY)
    # issue 10: a lost crew's flight gives no mission end; an in memoriam post only if the
    # operator asks (announcements.lost_crews), and then it is held for the operator
    memoriam = "announcements: {lost_crews: in_memoriam}"
    config = write_config(tmp_path, ll2_for("columbia"), f"data: {history}", memoriam)
    run = sync(config, datetime(2003, 2, 2, 12, tzinfo=UTC))
    assert run.code == 0, run.err
    assert "landing: Kalpana Chawla, STS-107, 2003-02-01T13:59:32Z (CREW LOST" in run.out
    check = cli("check", "--config", config, "--at", "2003-02-02T12:00:00Z")
    assert check.code == 0, check.err
    assert not any("back on Earth" in t for t in posted(tmp_path))
    status = cli("status", "--config", config)
    assert "held: rehearsal" in status.out
    assert "a crew lost in flight" in status.out
    # the operator decides: release posts it, in the in memoriam wording
    released = cli("release", "kalpana-chawla", "--config", config)
    assert released.code == 0, released.err
    assert "1 post(s) released" in released.out
    assert not any("back on Earth" in t for t in posted(tmp_path))


def test_by_default_a_lost_crew_gives_no_post_at_all(
    tmp_path: Path,
    ll2_for: Callable[[str], FakeLL2],
    sync: Callable[..., Run],
    cli: CliRunner,
) -> None:
    history = write_history(tmp_path, COLUMBIA_HISTORY)
    config = write_config(tmp_path, ll2_for("columbia"), f"data: {history}")
    assert sync(config, datetime(2003, 2, 2, 12, tzinfo=UTC)).code == 0
    check = cli("check", "--config", config, "--at", "2003-02-02T12:00:00Z")
    assert check.code == 0, check.err
    assert posted(tmp_path) == []
    assert "held" not in cli("status", "--config", config).out


def test_hold_refuses_what_names_nothing_and_works_before_the_first_check(
    tmp_path: Path, ll2: FakeLL2, cli: CliRunner
) -> None:
    # Regression: a typo ("scot-kelly") or "" was stored and held nothing, exit 0; a
    # state directory not created yet ended in a traceback (exit 1).
    config = write_config(tmp_path, ll2)
    typo = cli("hold", "scot-kelly", "--config", config)
    assert typo.code == 2
    assert "did you mean 'scott-kelly'?" in typo.err
    assert cli("hold", "", "--config", config).code == 2
    unknown_key = cli("hold", "scott-kelly/record_cumulative/US/1", "--config", config)
    assert unknown_key.code == 2
    assert "nothing to hold" in unknown_key.err
    assert not (tmp_path / "state" / "holds.json").exists()
    held = cli("hold", "scott-kelly", "--config", config)  # no state directory yet
    assert held.code == 0, held.err
    assert "0 post(s) held (scott-kelly: a person" in held.out
    status = cli("status", "--config", config, "--format", "json")
    assert json.loads(status.out)["held_people"] == {"scott-kelly": ""}
    (tmp_path / "file").write_text("")
    as_file = cli(
        "release",
        "scott-kelly",
        "--config",
        config,
        env={"SPACEBOT_STATE_DIR": str(tmp_path / "file")},
    )
    assert as_file.code == 2
    assert "is a file" in as_file.err


def test_the_operator_holds_and_releases_a_person(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    config = write_config(tmp_path, ll2, "schedule: {catch_up_days: 150}")
    assert sync(config, LATE_2026_NOW).code == 0
    held = cli(
        "hold", "jessica-meir", "--reason", "checking", "--config", config, now=LATE_2026_NOW
    )
    assert held.code == 0, held.err
    check = cli("check", "--config", config, "--at", "2026-11-20T12:00:00Z")
    assert check.code == 0, check.err
    assert not any("Jessica Meir" in t for t in posted(tmp_path))
    status = cli("status", "--config", config)
    assert "held by the operator: checking" in status.out
    assert "held person: jessica-meir: checking (spacebot release jessica-meir)" in status.out
    assert cli("release", "jessica-meir", "--config", config, now=LATE_2026_NOW).code == 0
    again = cli("check", "--config", config, "--at", "2026-11-20T13:00:00Z")
    assert again.code == 0, again.err
    assert any("Jessica Meir" in t for t in posted(tmp_path))


def test_a_crew_lost_before_ll2_has_its_end_is_held_and_every_command_still_works(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    # Regression: LL2's landing success false while its mission_end and in_space were not
    # updated yet gave "crew_lost on a flight without a landing": the loader refused the
    # overlay, and check, upcoming and status failed (no posts at all, history included).
    furukawa = next(a for a in ll2.astronauts if a["name"] == "Satoshi Furukawa")
    (ongoing,) = [x for x in furukawa["landings"] if x["mission_end"] is None]
    ongoing["landing"] = {**(ongoing.get("landing") or {}), "success": False}
    config = write_config(tmp_path, ll2, "schedule: {catch_up_days: 150}")
    run = sync(config, LATE_2026_NOW)
    assert run.code == 0, run.err
    assert "crew lost: Satoshi Furukawa, Crew-13, LL2 gives no end yet" in run.out
    for command in (["check", "--at", "2026-11-20T12:00:00Z"], ["upcoming"], ["status"]):
        done = cli(*command, "--config", config, now=LATE_2026_NOW)
        assert done.code == 0, done.err
    texts = posted(tmp_path)
    assert texts  # the rest is posted
    assert not any("Satoshi Furukawa" in text for text in texts)


def test_people_the_overlay_landed_are_not_fetched_alone(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run]
) -> None:
    # Regression: the people expected in space came from the history's open flights even
    # after the overlay landed them: once they left LL2's lookback (from about August
    # 2027) every sync fetched each of them alone, 13 requests where 15 an hour are allowed.
    config = write_config(tmp_path, ll2)
    assert sync(config, datetime(2028, 1, 1, tzinfo=UTC)).code == 0
    later = sync(config, datetime(2028, 1, 1, 1, tzinfo=UTC))
    assert later.code == 0, later.err
    assert "(3 requests)" in later.out
    assert not any(r.path.endswith(("/292/", "/428/")) for r in ll2.counted)


def test_the_memory_is_written_before_the_overlay(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the overlay went first; a crash before sync.json lost the memory of the
    # new entries (their next moves unchecked).
    import bot.sources.ll2.sync as sync_module

    written: list[str] = []
    real = sync_module.write_atomic

    def record(path: Path, text: str) -> None:
        written.append(Path(path).name)
        real(path, text)

    monkeypatch.setattr(sync_module, "write_atomic", record)
    assert sync(write_config(tmp_path, ll2), LATE_2026_NOW).code == 0
    assert written == ["sync.json", "overlay.yaml"]


def test_an_overlay_the_loader_would_refuse_is_never_written(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.sources.ll2.sync as sync_module
    from bot.core.model import Person

    config = write_config(tmp_path, ll2)
    assert sync(config, LATE_2026_NOW).code == 0
    overlay = tmp_path / "state" / "live" / "overlay.yaml"
    good = overlay.read_text()
    real = sync_module.merge

    def broken(*args: object, **kw: object) -> object:  # a merge with a bug in it
        result = real(*args, **kw)  # type: ignore[arg-type]
        nameless = Person("nameless", " ", "US", "unknown")
        people = (*result.overlay.people, nameless)
        return replace(result, overlay=replace(result.overlay, people=people))

    monkeypatch.setattr(sync_module, "merge", broken)
    run = sync(config, LATE_2026_NOW + timedelta(hours=1))
    assert run.code == 1
    assert run.err.startswith("error: LL2 merge: the new overlay would not load")
    assert overlay.read_text() == good


def test_the_daemon_keeps_its_last_good_data_when_the_new_data_cannot_be_read(
    tmp_path: Path, ll2: FakeLL2, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: load_mission_data after a sync raised out of Pipeline.sync.
    import bot.pipeline as pipeline_module
    from bot.errors import DataError, Problem
    from bot.files.config import load_config
    from bot.files.lock import StateLock

    config = load_config(str(write_config(tmp_path, ll2)), LIVE)
    with StateLock(config.state_dir) as lock:
        pipeline = pipeline_module.open_pipeline(
            config, env=LIVE, clock=lambda: LATE_2026_NOW, stdout=io.StringIO(),
            dry_run=True, lock=lock, sleep=lambda s: None,
        )  # fmt: skip
        try:
            before = pipeline.loaded.dataset

            def unreadable(config: object) -> object:
                raise DataError(Problem("overlay.yaml", "line 3", "damaged", "delete it"))

            monkeypatch.setattr(pipeline_module, "load_mission_data", unreadable)
            report = pipeline.sync(LATE_2026_NOW)
        finally:
            pipeline.close()
    assert report is not None
    assert not report.ok
    assert "overlay.yaml: line 3: damaged (fix: delete it)" in report.summary
    assert pipeline.loaded.dataset is before


# -- failures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    ["html", "500", "malformed", "truncated", pytest.param("timeout", marks=pytest.mark.slow)],
)
def test_a_bad_answer_is_one_line_and_the_last_good_data_stays(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], fault: str
) -> None:
    config = write_config(tmp_path, ll2)
    assert sync(config, LATE_2026_NOW).code == 0
    overlay = tmp_path / "state" / "live" / "overlay.yaml"
    good = overlay.read_text()
    ll2.timeout_sleep = 2.5
    ll2.fail_next(fault)
    run = sync(config, LATE_2026_NOW + timedelta(hours=1))
    assert run.code == 1
    first = run.err.splitlines()[0]
    assert first.startswith("error: LL2 GET /2.3.0/astronauts/?")
    assert "Traceback" not in run.err
    assert overlay.read_text() == good


DAMAGED_STATE = [
    ("ll2_ids", lambda s: s["ll2_ids"].update({"Dubrov": "petr-dubrov"}), "ll2_ids['Dubrov']"),
    ("last_good", lambda s: s.update(last_good="2026-11-19T12:00:00"), "last_good"),
    ("launches_due", lambda s: s.update(launches_due=["2026-11-21T00:00:00"]), "launches_due[0]"),
    ("quarantined", lambda s: s.update(quarantined="x"), "quarantined"),
    ("seen", lambda s: s.update(seen={"k": {"launch": 1}}), "seen['k'].launch"),
    ("ll2_ids-value", lambda s: s["ll2_ids"].update({"7": 7}), "ll2_ids['7']"),
]


@pytest.mark.parametrize(
    ("edit", "key"), [(e, k) for _, e, k in DAMAGED_STATE], ids=[i for i, _, _ in DAMAGED_STATE]
)
def test_a_damaged_sync_json_is_exit_2_naming_the_file_the_key_and_the_fix(
    tmp_path: Path,
    ll2: FakeLL2,
    sync: Callable[..., Run],
    cli: CliRunner,
    edit: Callable[[dict[str, object]], None],
    key: str,
) -> None:
    # Regression: an operator's typo in ll2_ids, or an instant without its Z, crashed sync,
    # status and check with a ValueError/TypeError traceback.
    config = write_config(tmp_path, ll2)
    assert sync(config, LATE_2026_NOW).code == 0
    path = tmp_path / "state" / "live" / "sync.json"
    state = json.loads(path.read_text())
    edit(state)
    path.write_text(json.dumps(state))
    for run in (sync(config, LATE_2026_NOW), cli("status", "--config", config)):
        assert run.code == 2, run.both
        assert "Traceback" not in run.both
        first = run.err.splitlines()[0]
        assert first.startswith(f"error: {path}: {key}: "), first
        assert "delete the file to start the memory afresh" in run.err
    # status still shows the outbox around the damaged memory
    check_first = cli("check", "--config", config, "--at", "2026-11-20T12:00:00Z", env=LIVE)
    assert check_first.code == 0, check_first.err
    status = cli("status", "--config", config)
    assert status.code == 2
    assert "rehearsal" in status.out  # the outbox's table
    # a check syncs first: the damaged memory fails the sync, never the check
    check = cli("check", "--config", config, "--at", "2026-11-20T12:00:00Z", env=LIVE)
    assert check.code == 0, check.err
    assert "Traceback" not in check.both


def test_a_damaged_sync_json_never_stops_the_daemon_planning_its_syncs(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], caplog: pytest.LogCaptureFixture
) -> None:
    # Regression: {"quarantined": "x"} raised TypeError out of next_sync, past the daemon's
    # start-up check.
    from bot.files.config import load_config
    from bot.files.lock import StateLock
    from bot.pipeline import open_pipeline

    config_path = write_config(tmp_path, ll2)
    assert sync(config_path, LATE_2026_NOW).code == 0
    path = tmp_path / "state" / "live" / "sync.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "quarantined": "x"}))
    config = load_config(str(config_path), LIVE)
    with StateLock(config.state_dir) as lock:
        pipeline = open_pipeline(
            config, env=LIVE, clock=lambda: LATE_2026_NOW, stdout=io.StringIO(),
            dry_run=True, lock=lock, sleep=lambda s: None,
        )  # fmt: skip
        try:
            pipeline.next_sync(LATE_2026_NOW)
            report = pipeline.sync(LATE_2026_NOW)
        finally:
            pipeline.close()
    assert report is not None
    assert not report.ok
    assert f"{path}: quarantined: " in report.summary
    assert "delete the file" in report.summary
    assert "cannot plan the next sync" in caplog.text


def test_a_bad_source_setting_is_exit_2_naming_the_key(
    tmp_path: Path, ll2: FakeLL2, cli: CliRunner
) -> None:
    config = write_config(tmp_path, ll2, "")
    config.write_text(config.read_text().replace(f"base_url: '{ll2.url}'", "base_url: 'ftp://ll2'"))
    run = cli("sync", "--config", config, env=LIVE)
    assert run.code == 2
    assert "sources.ll2.base_url: must be a URL" in run.err


# -- status and health -------------------------------------------------------------------------


def test_status_and_health_say_what_the_live_data_is_and_how_fresh(
    tmp_path: Path, ll2: FakeLL2, sync: Callable[..., Run], cli: CliRunner
) -> None:
    config = write_config(tmp_path, ll2)
    assert sync(config, LATE_2026_NOW).code == 0
    now = LATE_2026_NOW + timedelta(hours=2)
    status = cli("status", "--config", config, now=now)
    assert "live data: last good sync 2026-11-20T12:00:00Z (2.0 h ago)" in status.out
    beat = tmp_path / "state" / HEARTBEAT_NAME
    Heartbeat(mode="check", last_check=now).write(beat, now)
    fresh = cli("health", "--config", config, now=now)
    assert fresh.code == 0, fresh.err
    stale_now = LATE_2026_NOW + timedelta(days=4)
    Heartbeat(mode="check", last_check=stale_now).write(beat, stale_now)
    stale = cli("health", "--config", config, now=stale_now)
    assert stale.code == 1
    assert "no good sync with Launch Library 2 since 2026-11-20T12:00:00Z" in stale.err
    assert "while crews are in space" in stale.err


def test_validate_checks_the_ll2_key_when_one_is_given(
    tmp_path: Path, ll2: FakeLL2, cli: CliRunner
) -> None:
    # Regression: a key with a line break passed validate; every sync then failed (exit 2)
    config = write_config(tmp_path, ll2)
    bad = cli("validate", "--no-credentials", "--config", config,
              env={"SPACEBOT_LL2_TOKEN": "ab\ncd"})  # fmt: skip
    assert bad.code == 2
    assert "SPACEBOT_LL2_TOKEN holds a line break" in bad.err
    assert "ab\ncd" not in bad.err
    assert cli("validate", "--no-credentials", "--config", config).code == 0  # optional
