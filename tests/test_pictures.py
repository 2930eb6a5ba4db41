"""The pictures of a post: the charts built for it from the data (bot.images.pictures),
with the alt text each platform takes, and ``spacebot preview --images DIR``."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from builders import at, dataset, flight, person
from conftest import CliRunner

from bot.commands.preview import wanted_images, write_images
from bot.core import platforms
from bot.core.engine import find_milestones, standings
from bot.core.fields import RenderSettings
from bot.core.milestone import Kind, Milestone
from bot.core.model import Dataset, Provenance
from bot.core.post import Post
from bot.core.render import group
from bot.core.rules import Rules
from bot.files.config import parse_config
from bot.files.data import default_data_path, load_dataset
from bot.files.targets import ImageSettings
from bot.images import MissionChart, RecordChart, alt_text, png, record_chart
from bot.images.pictures import MAX_PER_POST, alt_for, pictures, post_charts

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- charts of a post


@cache
def history() -> Dataset:
    return load_dataset(default_data_path())


def day_milestones(day: str) -> list[Milestone]:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    end = start.replace(hour=23, minute=59, second=59)
    return list(find_milestones(history(), Rules(), start, end).milestones)


def post_of(day: str, kind: Kind, person_id: str) -> tuple[Milestone, ...]:
    for members in group(day_milestones(day)):
        if members[0].kind is kind and person_id in {m.person for m in members}:
            return members
    raise AssertionError(f"no {kind} of {person_id} on {day}")


def test_a_record_gets_the_standings_of_its_widest_scope_at_the_crossing() -> None:
    members = post_of("2015-10-15", Kind.RECORD_CUMULATIVE, "scott-kelly")
    (chart,) = post_charts(members, history(), Rules())
    m = members[0]
    rows = standings(history(), Rules(), m.kind.measure, m.scopes[0], m.at)
    assert chart == record_chart(members, rows, timezone="UTC")
    assert isinstance(chart, RecordChart)
    holder = next(b for b in chart.bars if b.role == "holder")
    previous = next(b for b in chart.bars if b.role == "previous")
    assert (holder.label, previous.label) == ("Scott Kelly", "Michael Fincke")


def test_the_chart_is_worded_in_the_configured_zone_and_labels() -> None:
    members = post_of("2015-10-15", Kind.RECORD_CUMULATIVE, "scott-kelly")
    settings = RenderSettings(timezone="Europe/Paris")
    (chart,) = post_charts(members, history(), Rules(), settings)
    assert isinstance(chart, RecordChart)
    assert "11:02" in chart.instant  # 09:02 UTC


def test_crewmates_landing_together_get_one_chart_each() -> None:
    members = post_of("2016-03-02", Kind.MISSION_END, "scott-kelly")
    charts = post_charts(members, history(), Rules())
    assert {m.person for m in members} == {"scott-kelly", "mikhail-kornienko"}
    assert all(isinstance(c, MissionChart) for c in charts)
    assert [c.name for c in charts] == [m.name for m in members]  # type: ignore[union-attr]


def test_at_most_four_pictures_a_post_and_unknown_people_skipped() -> None:
    crew = [person(f"p{i}", flight(0, 100 + i)) for i in range(6)]
    ds = dataset(*crew)
    found = find_milestones(ds, Rules(), at(99), at(200)).milestones
    ends = [m for m in found if m.kind is Kind.MISSION_END]
    assert len(ends) == 6
    assert len(post_charts(ends, ds, Rules())) == MAX_PER_POST == 4
    ghost = ends[0].__class__(**{**ends[0].__dict__, "person": "nobody"})
    assert post_charts([ghost], ds, Rules()) == ()
    assert post_charts([], ds, Rules()) == ()


def long_names_dataset() -> tuple[Dataset, tuple[Milestone, ...]]:
    """Twelve people with very long names: a record whose full alt text passes 1,000."""
    people = [
        person(
            f"astronaut-with-a-truly-remarkably-long-double-barrelled-name-{i:02d}",
            flight(0, 300 + 10 * i),
        )
        for i in range(12)
    ]
    people.append(person("the-new-record-holder", flight(400, 1000)))
    ds = dataset(*people)
    found = find_milestones(ds, Rules(), at(400), at(1000)).milestones
    records = [m for m in found if m.kind is Kind.RECORD_CUMULATIVE and m.scopes[0] == "world"]
    return ds, (records[-1],)


def test_each_platform_gets_the_alt_text_that_fits_it() -> None:
    ds, members = long_names_dataset()
    (chart,) = post_charts(members, ds, Rules())
    full = alt_text(chart, 10_000)
    assert len(full) > 1000
    for platform in platforms.publishing():
        (picture,) = pictures(members, ds, Rules(), platform)
        limit = platforms.alt_text_limit(platform)
        assert picture.alt == alt_text(chart, limit)
        assert len(picture.alt) <= limit
    assert len(alt_for(chart, "x")) <= 1000 < len(alt_for(chart, "bluesky"))
    assert alt_for(chart, "dry-run") == alt_for(chart, "x")  # a rehearsal: the strictest


def test_live_data_adds_launch_library_2_to_the_credit() -> None:
    fetched = Provenance("ll2", ("launch:abc",), at(500))
    historic = person("veteran", flight(0, 300))
    live_flyer = person("newcomer", flight(400, 800, provenance=fetched))
    ds = dataset(historic, live_flyer, as_of=1000)
    found = find_milestones(ds, Rules(), at(400), at(800)).milestones
    record = next(m for m in found if m.kind is Kind.RECORD_CUMULATIVE)
    (chart,) = post_charts([record], ds, Rules())
    assert chart.credit.endswith("Launch Library 2")
    (plain,) = post_charts([record], ds, Rules(), live=False)
    assert "Launch Library 2" not in plain.credit
    # the bundled history alone: McDowell's credit only
    members = post_of("2015-10-15", Kind.RECORD_CUMULATIVE, "scott-kelly")
    (historic_chart,) = post_charts(members, history(), Rules())
    assert "Launch Library 2" not in historic_chart.credit
    ended = find_milestones(ds, Rules(), at(0), at(400)).milestones
    end = next(m for m in ended if m.kind is Kind.MISSION_END)
    (mission,) = post_charts([end], ds, Rules())
    assert "Launch Library 2" not in mission.credit  # the veteran's flight is history


def test_round_numbers_get_the_mission_chart() -> None:
    members = post_of("2015-07-05", Kind.MILESTONE_CONSECUTIVE, "scott-kelly")
    charts = post_charts(members, history(), Rules())
    assert len(charts) == len(members) == 3  # Kelly, Kornienko, Padalka: 100 days together
    for chart in charts:
        assert isinstance(chart, MissionChart)
        assert "100 days on one flight" in chart.title


@pytest.mark.slow
def test_every_post_in_history_gets_charts_whose_alt_text_names_its_people() -> None:
    end = datetime(2026, 7, 4, tzinfo=UTC)
    found = find_milestones(history(), Rules(), datetime(1961, 1, 1, tzinfo=UTC), end)
    count = 0
    for members in group(found.milestones):
        charts = post_charts(members, history(), Rules())
        expected = 1 if members[0].kind.is_record else min(len(members), MAX_PER_POST)
        assert len(charts) == expected, members[0].key
        for chart in charts:
            count += 1
            for platform in platforms.publishing():
                alt = alt_for(chart, platform)
                assert len(alt) <= platforms.alt_text_limit(platform)
                if isinstance(chart, RecordChart):
                    for m in members:
                        assert m.name in alt, (m.key, platform)
                    assert members[0].previous is not None
                    assert members[0].previous.name in alt
                else:
                    assert chart.name in alt
                    assert chart.stats[0].value in alt  # the total
    assert count > 2000


# --------------------------------------------------------------------------- preview --images


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_preview_images_writes_each_png_by_hash_with_its_alt_text(
    cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "charts"
    run = cli("preview", "--from", "2016-03-02", "--to", "2016-03-02", "--images", out)
    assert run.code == 0, run.both
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 3  # Kelly and Kornienko (one post), Volkov (another)
    for path in pngs:
        data = path.read_bytes()
        assert path.name == png.file_name(data)
        assert png_size(data) == (1200, 675)
        alt = path.with_suffix(".txt").read_text(encoding="utf-8")
        assert alt.endswith("\n")
        assert len(alt) - 1 <= platforms.alt_text_limit("x")  # the rehearsal mimics X
        assert f"[picture {path.name}, alt text {len(alt) - 1} characters]" in run.out
    assert "Scott Kelly" in "".join(p.read_text() for p in out.glob("*.txt"))
    assert "3 pictures in" in run.out


def test_preview_images_follows_the_config_switch(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("announcements:\n  images: {records: false}\n", encoding="utf-8")
    out = tmp_path / "charts"
    run = cli(
        "preview", "--from", "2015-10-15", "--to", "2015-10-15", "--images", out, "--config", config
    )
    assert run.code == 0, run.both
    assert list(out.iterdir()) == []  # the one record of the day: no picture
    assert "0 pictures in" in run.out


def test_preview_images_json_lists_the_pictures(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "charts"
    run = cli(
        "preview", "--from", "2015-10-15", "--to", "2015-10-15", "--format", "json",
        "--images", out, "--platform", "bluesky",
    )  # fmt: skip
    assert run.code == 0, run.both
    (row,) = [json.loads(line) for line in run.out.splitlines()]
    (image,) = row["images"]
    data = (out / image["file"]).read_bytes()
    assert image["file"] == png.file_name(data)
    assert image["alt_file"] == png.file_name(data, ".txt")
    assert (out / image["alt_file"]).read_text(encoding="utf-8") == image["alt"] + "\n"
    assert "Scott Kelly" in image["alt"]
    without = cli("preview", "--from", "2015-10-15", "--to", "2015-10-15", "--format", "json")
    assert "images" not in json.loads(without.out)  # unchanged without --images


def test_preview_images_into_a_file_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    run = cli("preview", "--from", "2015-10-15", "--to", "2015-10-15", "--images", taken)
    assert run.code == 2
    assert "not a directory" in run.err


def test_a_platform_whose_limit_shortens_the_alt_text_gets_its_own_file(tmp_path: Path) -> None:
    ds, members = long_names_dataset()
    post = Post(members[0].key, members[0].at, members[0].at, ("text",), ("text",))
    posts = {"x": [post], "bluesky": [post]}
    wanted = dict.fromkeys(posts, ImageSettings())
    config = parse_config({}, "c.yaml")
    written = write_images(tmp_path, ds, config, members, posts, wanted)
    ((x_picture,),) = written["x"].values()
    ((bluesky_picture,),) = written["bluesky"].values()
    digest = x_picture.file[:-4]
    assert x_picture.file == bluesky_picture.file  # drawn once
    assert bluesky_picture.alt_file == f"{digest}.txt"  # the roomiest, in full
    assert x_picture.alt_file == f"{digest}.x.txt"  # X's, shortened to 1,000
    assert (tmp_path / x_picture.alt_file).read_text(encoding="utf-8") == x_picture.alt + "\n"
    assert len(x_picture.alt) <= 1000 < len(bluesky_picture.alt)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{digest}.png", f"{digest}.txt", f"{digest}.x.txt"]
    )


def test_which_targets_want_pictures_in_a_preview() -> None:
    raw = {
        "announcements": {"images": {"records": False}},
        "targets": [
            {"name": "a", "platform": "dry-run", "images": {"records": True}},
            {"name": "b", "platform": "dry-run", "options": {"mimic": "bluesky"}},
        ],
    }
    config = parse_config(raw, "c.yaml")
    assert wanted_images(config, "x", named=False).records  # target a
    assert not wanted_images(config, "bluesky", named=False).records  # target b
    assert not wanted_images(config, "x", named=True).records  # --platform: as announced


def test_preview_without_images_never_imports_matplotlib(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import io, sys
        from bot.cli import Context, main
        out = io.StringIO()
        code = main(["preview", "--from", "2016-03-01", "--to", "2016-03-02"],
                    Context(stdout=out, stderr=io.StringIO(), env={}))
        assert code == 0 and "Scott Kelly" in out.getvalue(), out.getvalue()
        assert not [m for m in sys.modules if m.split(".")[0] == "matplotlib"], "imported"
        print("ok")
        """
    )
    env = {
        "PATH": "",
        "PYTHONPATH": str(ROOT),
        "SPACEBOT_CACHE_DIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(  # in an empty folder: no config.yaml but the defaults
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok"
