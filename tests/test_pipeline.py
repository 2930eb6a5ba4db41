"""One-shot checks on the bundled data, through the real command, dry-run adapter and outbox."""

from __future__ import annotations

import io
import json
from datetime import datetime

from bot.cli import Context, main


def check(tmp_path, at: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"SPACEBOT_STATE_DIR": str(tmp_path / "state"), "SPACEBOT_OFFLINE": "1"}
    code = main(["check", "--dry-run", "--at", at], Context(stdout=out, stderr=err, env=env))
    return code, out.getvalue(), err.getvalue()


def test_check_at_a_past_instant_leaves_later_posts_pending_then_posts_each_once(tmp_path):
    # Regression: delivery used the wall clock, so a check "as of" 2015-10-15 00:00 also
    # posted the record crossed at 09:02 that day, in the past tense.
    code, out, err = check(tmp_path, "2015-10-15T00:00:00Z")
    assert code == 0, err
    assert "next post due 2015-10-15T09:02:01Z" in out
    assert "Michael Fincke" not in out
    code, out, err = check(tmp_path, "2015-10-15T10:00:00Z")
    assert code == 0, err
    assert out.count("just passed Michael Fincke") == 1  # on time: present tense
    code, out, err = check(tmp_path, "2015-10-15T11:00:00Z")
    assert code == 0, err
    assert "Michael Fincke" not in out  # never twice


def test_status_after_checks(tmp_path):
    check(tmp_path, "2015-10-16T00:00:00Z")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["status", "--state-dir", str(tmp_path / "state"), "--format", "json"],
        Context(stdout=out, stderr=err, env={}),
    )
    assert code == 0, err.getvalue()
    status = json.loads(out.getvalue())
    assert "dry-run" in json.dumps(status)
    assert '"posted": 5' in json.dumps(status)


def test_a_rehearsal_never_moves_the_position_real_checks_catch_up_from(tmp_path):
    # Regressions: `check --dry-run --at <2015>` saved its instant as the last check, and
    # the next live check then found (and posted in the past tense) 613 old milestones;
    # the same rehearsal then made the next `run --dry-run` catch up eleven years (650
    # milestones, 374 posts, 19 s before it would stop).
    config = tmp_path / "config.yaml"
    config.write_text(
        f"state_dir: {tmp_path / 'state'}\n"
        "announcements: {images: false}\n"
        "targets: [{name: live, platform: dry-run, options: {file: live.jsonl}}]\n"
    )

    def run(*args: str, now: str = "2026-06-01T09:00:00Z") -> str:
        out, err = io.StringIO(), io.StringIO()
        clock = datetime.fromisoformat(now)
        code = main(
            ["check", "--config", str(config), *args],
            Context(stdout=out, stderr=err, env={"SPACEBOT_OFFLINE": "1"}, clock=lambda: clock),
        )
        assert code == 0, err.getvalue()
        return out.getvalue()

    run()  # a real check: the position is now 2026-06-01
    rehearsal = run("--dry-run", "--at", "2015-10-15T10:00:00Z")
    assert "just passed Michael Fincke" in rehearsal  # the rehearsal itself works
    rehearsal = run("--at", "2015-10-15T10:00:00Z")  # its targets are all dry-run ones
    assert "checked 2015-10-15T10:00:00Z: found 6, enqueued 5" in rehearsal
    run("--dry-run", now="2026-06-01T09:00:00Z")  # a real dry run: its own position
    after = run(now="2026-06-02T09:00:00Z")
    assert "checked 2026-06-02T09:00:00Z: found 0, enqueued 0" in after
    after = run("--dry-run", now="2026-06-02T09:00:00Z")
    assert "checked 2026-06-02T09:00:00Z: found 0, enqueued 0" in after
    # a rehearsal on a state directory that has no position yet leaves none either
    fresh = tmp_path / "fresh.yaml"
    fresh.write_text(config.read_text().replace("/state", "/fresh-state"))
    config = fresh
    run("--dry-run", "--at", "2015-10-15T10:00:00Z")
    assert not (tmp_path / "fresh-state" / "checked_until.dry-run.json").exists()
    assert not (tmp_path / "fresh-state" / "checked_until.json").exists()


def test_check_at_refuses_to_post_the_past_to_live_targets(tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"state_dir: {tmp_path / 'state'}\n"
        "targets: [{name: fedi, platform: mastodon, options: {api_base_url: 'https://m.example'}}]\n"
    )
    out, err = io.StringIO(), io.StringIO()
    env = {"SPACEBOT_OFFLINE": "1", "SPACEBOT_FEDI_ACCESS_TOKEN": "t0ken"}
    argv = ["check", "--config", str(config), "--at", "2015-10-15T10:00:00Z"]
    code = main(argv, Context(stdout=out, stderr=err, env=env))
    assert code == 2
    assert "check --at rehearses another instant: add --dry-run" in err.getvalue()
    assert "fedi would post now" in err.getvalue()
    assert not (tmp_path / "state" / "outbox.sqlite3").exists()  # nothing queued
