"""Pictures from the check to the platform: drawn when a post enters the outbox (only
for the targets that want them), written to the state directory before the row that
names them, delivered through the dry run; matplotlib only when a picture is due; the
config keys of the fallback; what ``status`` says."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

from bot.core.engine import find_milestones
from bot.core.fields import RenderSettings
from bot.core.milestone import Kind
from bot.core.rules import Rules
from bot.errors import ConfigError
from bot.files.config import parse_config
from bot.files.data import default_data_path, load_dataset
from bot.files.targets import PostingConfig
from bot.images.pictures import alt_for, post_charts
from bot.posting.outbox import Attachment, Outbox

ROOT = Path(__file__).resolve().parent.parent
RECORD_DAY = "2015-10-15"  # Scott Kelly passes Michael Fincke at 09:02:01 UTC


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            state_dir: {tmp_path / "state"}
            schedule: {{catch_up_days: 1}}
            targets:
              - name: as-x
                platform: dry-run
                options: {{file: as-x.jsonl, mimic: x}}
              - name: as-sky
                platform: dry-run
                options: {{file: as-sky.jsonl, mimic: bluesky}}
              - name: plain
                platform: dry-run
                options: {{file: plain.jsonl}}
                images: false
            """
        )
        + extra
    )
    return path


def lines(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    path = tmp_path / "state" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def kelly_chart() -> object:
    dataset = load_dataset(default_data_path())
    start = datetime(2015, 10, 15, tzinfo=UTC)
    end = datetime(2015, 10, 16, tzinfo=UTC)
    (m,) = [
        m
        for m in find_milestones(dataset, Rules(), start, end).milestones
        if m.kind is Kind.RECORD_CUMULATIVE
    ]
    (chart,) = post_charts([m], dataset, Rules(), RenderSettings())
    return chart


def test_a_check_writes_each_targets_pictures_before_the_row_and_posts_them(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tmp_path / "state" / "images"
    enqueued: list[str] = []
    real_enqueue = Outbox.enqueue

    def enqueue(self: Outbox, post: Any, targets: Any, now: Any, **kw: Any) -> int:
        media: Sequence[Attachment] = kw.get("media", ())
        for m in media:  # on disk, whole, before the row that names it commits
            data = (images / f"{m.sha256}.png").read_bytes()
            assert hashlib.sha256(data).hexdigest() == m.sha256
        enqueued.append(f"{targets[0]}:{len(media)}")
        return real_enqueue(self, post, targets, now, **kw)

    monkeypatch.setattr(Outbox, "enqueue", enqueue)
    run = cli("check", "--config", write_config(tmp_path), "--at", f"{RECORD_DAY}T10:00:00Z")
    assert run.code == 0, run.err
    assert sorted(enqueued) == ["as-sky:1", "as-x:1", "plain:0"]
    (png,) = images.glob("*.png")  # drawn once, for both targets
    digest = hashlib.sha256(png.read_bytes()).hexdigest()
    assert png.name == f"{digest}.png"

    chart = kelly_chart()
    for name, platform in (("as-x", "x"), ("as-sky", "bluesky")):
        upload, posted = lines(tmp_path, name)
        assert upload["image"]["sha256"] == digest
        assert upload["image"]["alt"] == alt_for(chart, platform)  # its platform's alt text
        assert "Michael Fincke" in posted["text"]
        assert posted["media"] == [
            {
                "id": upload["id"],
                "name": png.name,
                "bytes": png.stat().st_size,
                "alt": alt_for(chart, platform),
            }
        ]
    (plain,) = lines(tmp_path, "plain")  # images: false
    assert "media" not in plain
    box = Outbox.open(tmp_path / "state", readonly=True)
    try:
        for name in ("as-x", "as-sky"):
            (item,) = box.items(name)
            assert item.state == "posted"
            assert [m.sha256 for m in item.media] == [digest]
            assert item.media[0].ref is not None  # the upload, recorded
    finally:
        box.close()


def checks_in_a_fresh_process(tmp_path: Path, config: Path, *instants: str) -> None:
    """``spacebot check --at`` each instant in one fresh process, which must end without
    having imported matplotlib (charts are drawn in a child process, if at all)."""
    code = textwrap.dedent(
        """
        import io, sys
        from bot.cli import Context, main
        for at in sys.argv[2:]:
            out, err = io.StringIO(), io.StringIO()
            code = main(["check", "--config", sys.argv[1], "--at", at],
                        Context(stdout=out, stderr=err, env={"SPACEBOT_OFFLINE": "1"}))
            assert code == 0, err.getvalue()
        assert not [m for m in sys.modules if m.split(".")[0] == "matplotlib"], "imported"
        print("ok")
        """
    )
    env = {"PATH": "", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    env["SPACEBOT_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", code, str(config), *instants],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok"


def test_a_check_with_no_picture_to_draw_never_imports_matplotlib(
    tmp_path: Path, cli: CliRunner
) -> None:
    config = write_config(tmp_path)
    # The record is found (and drawn) by the check before its instant...
    run = cli("check", "--config", config, "--at", f"{RECORD_DAY}T00:00:00Z")
    assert run.code == 0, run.err
    assert len(list((tmp_path / "state" / "images").glob("*.png"))) == 1
    # ...then, in a fresh process, the check that delivers it (finding it again: queued
    # already, nothing drawn) and the next day's check, with nothing due.
    checks_in_a_fresh_process(tmp_path, config, f"{RECORD_DAY}T10:00:00Z", "2015-10-16T10:00:00Z")
    upload, posted = lines(tmp_path, "as-x")  # delivered with the picture drawn earlier
    assert posted["media"][0]["name"] == f"{upload['image']['sha256']}.png"


@pytest.mark.slow
@pytest.mark.draw_apart
def test_the_daemon_draws_in_a_child_process_and_never_keeps_matplotlib(
    tmp_path: Path,
) -> None:
    # Regression: drawing in the daemon's own process kept matplotlib and its fonts
    # loaded for good (idle memory from about 48 MiB to about 100 MiB).
    config = write_config(tmp_path)
    checks_in_a_fresh_process(tmp_path, config, f"{RECORD_DAY}T10:00:00Z")
    (png,) = (tmp_path / "state" / "images").glob("*.png")  # drawn by the child, once
    assert png.read_bytes().startswith(b"\x89PNG")
    upload, posted = lines(tmp_path, "as-x")
    assert posted["media"][0]["name"] == png.name
    assert upload["image"]["sha256"] == png.stem


def test_a_child_that_dies_leaves_the_text_alone(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dead(charts: Sequence[object]) -> list[bytes | str]:
        raise RuntimeError("A process in the process pool was terminated abruptly")

    monkeypatch.setattr("bot.pipeline.draw_charts", dead)
    run = cli("check", "--config", write_config(tmp_path), "--at", f"{RECORD_DAY}T10:00:00Z")
    assert run.code == 0, run.err
    (posted,) = lines(tmp_path, "as-x")
    assert "Michael Fincke" in posted["text"]
    assert "media" not in posted


def test_a_chart_that_cannot_be_drawn_never_stops_the_text(
    tmp_path: Path,
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import bot.images.draw

    def broken(chart: object) -> bytes:
        raise RuntimeError("no fonts at all")

    monkeypatch.setattr(bot.images.draw, "draw", broken)
    caplog.set_level(logging.ERROR, "spacebot")
    run = cli("check", "--config", write_config(tmp_path), "--at", f"{RECORD_DAY}T10:00:00Z")
    assert run.code == 0, run.err
    (posted,) = lines(tmp_path, "as-x")
    assert "Michael Fincke" in posted["text"]
    assert "media" not in posted
    box = Outbox.open(tmp_path / "state", readonly=True)
    try:
        (item,) = box.items("as-x")
        assert item.state == "posted"
        assert item.media_fallback == "its chart could not be drawn (RuntimeError: no fonts at all)"
    finally:
        box.close()
    assert any("could not be drawn" in r.getMessage() for r in caplog.records)


def test_status_shows_pictures_waiting_and_posts_without_them(
    tmp_path: Path, cli: CliRunner
) -> None:
    config = write_config(tmp_path)
    run = cli("check", "--config", config, "--at", f"{RECORD_DAY}T00:00:00Z")
    assert run.code == 0, run.err
    run = cli("status", "--config", config, now=datetime(2015, 10, 15, 1, tzinfo=UTC))
    assert run.code == 0, run.err
    assert "pictures: as-x: 1 picture waiting to be uploaded" in run.out
    assert "pictures: plain" not in run.out
    box = Outbox.open(tmp_path / "state")
    try:
        (item,) = box.items("as-sky")
        box.drop_media(item.key, "as-sky", reason="3 picture uploads failed in a row", now=item.due)
    finally:
        box.close()
    run = cli("status", "--config", config, "--format", "json")
    data = json.loads(run.out)
    counts = {t["target"]: (t["pictures_waiting"], t["without_pictures"]) for t in data["targets"]}
    assert counts == {"as-x": (1, 0), "as-sky": (0, 1), "plain": (0, 0)}
    (without,) = data["without_pictures"]
    assert without["pictures_reason"] == "3 picture uploads failed in a row"
    run = cli("status", "--config", config)
    assert f"without pictures: as-sky {item.key}: 3 picture uploads failed in a row" in run.out


# ------------------------------------------------------------------ config


def test_the_fallback_defaults_to_sending_the_text_alone() -> None:
    posting = parse_config({}, "c.yaml").posting
    assert (posting.images_fallback, posting.images_max_delay_minutes) == ("text_only", 15.0)
    raw = {"posting": {"images_fallback": "wait", "images_max_delay_minutes": 0}}
    posting = parse_config(raw, "c.yaml").posting
    assert posting == PostingConfig(images_fallback="wait", images_max_delay_minutes=0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"images_fallback": "drop"}, "posting.images_fallback: unknown value 'drop'"),
        ({"images_max_delay_minutes": -1}, "posting.images_max_delay_minutes: must be a number"),
        ({"images_fallback_mode": "wait"}, "images_fallback_mode"),
    ],
)
def test_the_fallback_settings_are_checked(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"posting": raw}, "c.yaml")
    assert message in str(err.value)


def test_the_example_config_shows_the_fallback_defaults() -> None:
    import yaml

    raw = yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))
    assert raw["posting"]["images_fallback"] == "text_only"
    assert raw["posting"]["images_max_delay_minutes"] == 15
    assert parse_config(raw, "config.example.yaml").posting == PostingConfig()


def test_a_post_the_data_moves_goes_out_with_new_words_and_a_new_chart(
    tmp_path: Path, cli: CliRunner
) -> None:
    # Regression: when the data moved a queued milestone (an instant corrected), the post
    # was rescheduled with the words and chart of the old instant ("At 09:02 UTC today" at
    # 10:02, the old instant in the chart's footer).
    data = tmp_path / "data"
    data.mkdir()
    history = (ROOT / "schedules" / "history.yaml").read_text()
    (data / "history.yaml").write_text(history)
    config = tmp_path / "config.yaml"
    config.write_text(
        textwrap.dedent(
            f"""\
            state_dir: {tmp_path / "state"}
            data: {data}
            schedule: {{catch_up_days: 1}}
            targets:
              - name: fedi
                platform: dry-run
                options: {{file: fedi.jsonl, mimic: mastodon}}
            """
        )
    )
    run = cli("check", "--config", config, "--at", f"{RECORD_DAY}T08:00:00Z")
    assert run.code == 0, run.err
    box = Outbox.open(tmp_path / "state", readonly=True)
    try:
        (queued,) = [i for i in box.items("fedi") if "Fincke" in i.parts[0]]
        assert queued.state == "pending"
        assert "At 09:02 UTC today" in queued.parts[0]
        (old_chart,) = [m.sha256 for m in queued.media]
    finally:
        box.close()
    # Kelly's last launch was an hour later, say the corrected data: so is the crossing
    moved = history.replace("launch: 2015-03-27T19:42:57Z", "launch: 2015-03-27T20:42:57Z")
    assert moved != history
    (data / "history.yaml").write_text(moved)
    run = cli("check", "--config", config, "--at", f"{RECORD_DAY}T10:30:00Z")
    assert run.code == 0, run.err
    (posted,) = [line for line in lines(tmp_path, "fedi") if "Fincke" in line.get("text", "")]
    assert "At 10:02 UTC today" in posted["text"]
    box = Outbox.open(tmp_path / "state", readonly=True)
    try:
        (item,) = [i for i in box.items("fedi") if i.key == queued.key]
        assert item.state == "posted"
        assert item.crossing == datetime(2015, 10, 15, 10, 2, 1, tzinfo=UTC)
        (new_chart,) = [m.sha256 for m in item.media]
    finally:
        box.close()
    assert new_chart != old_chart  # drawn again: its footer gives the new instant
    assert posted["media"][0]["name"] == f"{new_chart}.png"


def test_pictures_no_post_needs_any_more_are_removed(tmp_path: Path, cli: CliRunner) -> None:
    config = write_config(tmp_path)
    run = cli("check", "--config", config, "--at", f"{RECORD_DAY}T10:00:00Z")
    assert run.code == 0, run.err
    images = tmp_path / "state" / "images"
    (png,) = images.glob("*.png")
    other = images / "notes.txt"  # not a picture of ours: never touched
    other.write_text("keep")
    written = datetime(2015, 10, 15, 10, tzinfo=UTC).timestamp()
    for path in (png, other):
        os.utime(path, (written, written))
    # within 30 days of the post: kept, to look at what went out
    run = cli("check", "--config", config, "--at", "2015-11-10T10:00:00Z")
    assert run.code == 0, run.err
    assert png.exists()
    run = cli("check", "--config", config, "--at", "2015-11-20T10:00:00Z")
    assert run.code == 0, run.err
    assert not png.exists()
    assert other.read_text() == "keep"


def test_pruning_keeps_what_open_posts_name_and_what_was_just_written(tmp_path: Path) -> None:
    from bot.posting.media import ImageStore

    store = ImageStore(tmp_path)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    old = (now - timedelta(days=2)).timestamp()
    names = {}
    for label in ("needed", "unneeded", "young"):
        sha = store.write(label.encode())
        names[label] = sha
        if label != "young":
            os.utime(store.path(sha), (old, old))
    removed = store.prune({names["needed"]}, now)
    assert removed == [f"{names['unneeded']}.png"]
    assert store.path(names["needed"]).exists()
    assert store.path(names["young"]).exists()  # written a moment ago: its row may follow
    assert ImageStore(tmp_path / "nowhere").prune(set(), now) == []


def test_the_outbox_names_the_pictures_of_open_and_recently_finished_posts(
    tmp_path: Path,
) -> None:
    from bot.core.post import Post

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    box = Outbox.open(tmp_path)
    try:
        for key, sha in (("open", "a"), ("held", "b"), ("done-long-ago", "c"), ("done", "d")):
            post = Post(key, t0, t0, ("text",), ("text",), kind="record_cumulative")
            held = "awaiting" if key == "held" else ""
            box.enqueue(post, ["fedi"], t0, held=held, media=[Attachment(sha * 64, "alt")])
        box.mark_skipped("done-long-ago", "fedi", reason="too old", now=t0)
        box.mark_skipped("done", "fedi", reason="too old", now=t0 + timedelta(days=20))
        in_use = box.pictures_in_use(t0 + timedelta(days=10))
    finally:
        box.close()
    assert in_use == {"a" * 64, "b" * 64, "d" * 64}
