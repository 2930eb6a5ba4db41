"""The 2015-16 milestones that the bundled data and the engine must reproduce.

From the product's acceptance list (shared/acceptance/seed-era.csv), run through the
real command line on the bundled schedules/.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from functools import cache

import pytest

from bot.cli import Context, main
from bot.core import platforms
from bot.core.engine import find_milestones
from bot.core.render import render
from bot.core.rules import Rules
from bot.core.text_length import fits
from bot.files.data import default_data_path, load_dataset
from bot.files.templates import load_templates


@cache
def preview_rows() -> list[dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["preview", "--from", "2015-03-27", "--to", "2016-03-03", "--format", "json"],
        Context(stdout=out, stderr=err, env={}),
    )
    assert code == 0, err.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def find(kind: str, person: str, day: str) -> dict[str, object]:
    rows = [r for r in preview_rows() if r["kind"] == kind and r["person"] == person]
    matches = [r for r in rows if str(r["at"]).startswith(day)]
    assert len(matches) == 1, (kind, person, day, [r["at"] for r in rows])
    return matches[0]


def test_padalka_passes_krikalev_for_the_world_cumulative_record():
    row = find("record_cumulative", "gennady-padalka", "2015-06-28")
    assert row["scopes"][:1] == ["world"]
    assert row["previous"]["name"] == "Sergei Krikalev"
    assert row["previous"]["value_seconds"] // 3600 == 803 * 24 + 9  # 803 days 9 hours
    assert "Sergei Krikalev" in row["text"]


def test_padalka_mission_ends_with_878_days_the_world_record():
    row = find("mission_end", "gennady-padalka", "2015-09-12")
    assert row["total_seconds"] // 86400 == 878
    world = [r for r in row["ranks"] if r["scope"] == "world" and r["measure"] == "cumulative"]
    assert world[0]["rank"] == 1


def test_kelly_passes_fincke_for_the_us_cumulative_record_on_oct_15():
    row = find("record_cumulative", "scott-kelly", "2015-10-15")
    assert row["at"].startswith("2015-10-15T09:0")
    assert row["scopes"] == ["US"]
    assert row["previous"]["name"] == "Michael Fincke"
    assert row["previous"]["value_seconds"] // 3600 == 381 * 24 + 15


def test_kelly_passes_lopez_alegria_for_the_longest_us_flight_on_oct_29():
    row = find("record_consecutive", "scott-kelly", "2015-10-29")
    assert row["at"].startswith("2015-10-29T04:05")
    assert row["scopes"] == ["US"]
    assert row["previous"]["name"] == "Michael López-Alegría"
    assert row["previous"]["value_seconds"] // 3600 == 215 * 24 + 8
    assert "López-Alegría" in row["text"]


@pytest.mark.parametrize("person", ["scott-kelly", "mikhail-kornienko"])
def test_the_year_in_space_ends_on_march_2_after_340_days(person):
    row = find("mission_end", person, "2016-03-02")
    assert row["value_seconds"] // 86400 == 340
    if person == "scott-kelly":
        assert row["total_seconds"] // 86400 == 520


@cache
def whole_history():
    dataset = load_dataset(default_data_path())
    end = datetime(2026, 7, 4, tzinfo=UTC)
    return find_milestones(dataset, Rules(), datetime(1961, 1, 1, tzinfo=UTC), end).milestones


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_every_milestone_in_history_fits_every_platform(platform):
    spec = platforms.spec(platform)
    posts = render(whole_history(), load_templates(None), spec)
    assert len(posts) > 1000
    for post in posts:
        for part in (*post.parts, *post.late_parts):
            assert fits(part, spec.counter, spec.limit), (post.key, part)
        assert len(post.parts) == 1, post.parts  # the default wording never needs a thread
