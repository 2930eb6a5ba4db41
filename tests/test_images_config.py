"""The config switch for pictures: ``announcements.images`` (records, mission ends,
round numbers) and a target's own ``images`` over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.milestone import Kind
from bot.errors import ConfigError
from bot.files.config import parse_config
from bot.files.targets import ImageSettings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_records_and_mission_ends_not_round_numbers() -> None:
    config = parse_config({}, "c.yaml")
    assert config.images == ImageSettings(records=True, mission_ends=True, milestones=False)
    assert config.images.wants(Kind.RECORD_CUMULATIVE)
    assert config.images.wants(Kind.RECORD_CONSECUTIVE)
    assert config.images.wants(Kind.MISSION_END)
    assert not config.images.wants(Kind.MILESTONE_CUMULATIVE)
    assert not config.images.wants(Kind.MILESTONE_CONSECUTIVE)
    (target,) = config.targets
    assert config.images_for(target) == config.images


def test_the_example_config_shows_the_defaults() -> None:
    import yaml

    raw = yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))
    config = parse_config(raw, "config.example.yaml")
    assert config.images == ImageSettings()
    assert raw["announcements"]["images"] == {
        "records": True,
        "mission_ends": True,
        "milestones": False,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"milestones": True}, ImageSettings(True, True, True)),
        ({"records": False}, ImageSettings(False, True, False)),
        (False, ImageSettings(False, False, False)),
        (True, ImageSettings(True, True, True)),
        ({}, ImageSettings()),
        (None, ImageSettings()),
    ],
)
def test_announcements_images(raw: object, expected: ImageSettings) -> None:
    config = parse_config({"announcements": {"images": raw}}, "c.yaml")
    assert config.images == expected


def test_a_target_overrides_what_it_sets() -> None:
    raw = {
        "announcements": {"images": {"milestones": True}},
        "targets": [
            {"name": "quiet", "platform": "dry-run", "images": False},
            {"name": "records-only", "platform": "dry-run", "images": {"mission_ends": False}},
            {"name": "as-announced", "platform": "dry-run"},
        ],
    }
    config = parse_config(raw, "c.yaml")
    quiet, records_only, as_announced = config.targets
    assert config.images_for(quiet) == ImageSettings(False, False, False)
    assert not config.images_for(quiet).any
    assert config.images_for(records_only) == ImageSettings(True, False, True)
    assert config.images_for(as_announced) == ImageSettings(True, True, True)
    assert config.rehearsal().targets[0].images == {}  # --dry-run: as announced


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"announcements": {"images": {"record": True}}},
            "announcements.images.record: unknown setting",
        ),
        (
            {"announcements": {"images": {"records": "yes"}}},
            "announcements.images.records: must be true or false",
        ),
        (
            {"announcements": {"images": ["records"]}},
            "announcements.images: must be true, false or a mapping",
        ),
        (
            {"targets": [{"name": "a", "platform": "dry-run", "images": {"milestone": True}}]},
            "targets[0] (a).images.milestone: unknown setting",
        ),
        (
            {"targets": [{"name": "a", "platform": "dry-run", "images": "off"}]},
            "targets[0] (a).images: must be true, false or a mapping",
        ),
    ],
)
def test_bad_images_settings_are_named_with_the_fix(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, "c.yaml")
    text = str(err.value)
    assert f"c.yaml: {message}" in text
    if "unknown setting" in message:
        assert "did you mean" in text
