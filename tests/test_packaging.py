"""What `pip install .`, a wheel and pipx need: every package listed in pyproject.toml, and
the bundled history found through importlib.resources when installed, from the one
source of truth (the top-level schedules/) in a source tree.

The wheel itself is built and installed from another directory by .ci/run (it needs the
build backend from the package index, which tests never reach)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.files import data

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_every_package_is_listed_for_the_wheel() -> None:
    # A package missing from the list would be missing from the wheel, and only there.
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    inits = (ROOT / "bot").rglob("__init__.py")
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in inits}
    assert set(setuptools["packages"]) == found | {"bot.schedules"}
    assert setuptools["package-dir"] == {"bot.schedules": "schedules"}


def test_the_wheel_carries_the_one_history() -> None:
    # bot.schedules is the top-level schedules/ (no second copy to keep in step)
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    assert setuptools["package-data"]["bot.schedules"] == ["*.yaml"]
    assert not (ROOT / "bot" / "schedules").exists()
    assert sorted(p.name for p in (ROOT / "schedules").glob("*.yaml")) == ["history.yaml"]


def test_build_requirements_and_floors() -> None:
    project = _pyproject()
    assert project["build-system"]["requires"] == ["setuptools>=77"]  # type: ignore[index]
    deps = project["project"]["dependencies"]  # type: ignore[index]
    assert "tweepy>=4.17,<5" in deps  # reset_time on TooManyRequests
    assert "atproto>=0.0.73,<0.1" in deps  # facet_detection
    assert project["project"]["requires-python"] == ">=3.11"  # type: ignore[index]


def test_a_source_tree_reads_its_schedules_directory() -> None:
    data.default_data_path.cache_clear()
    try:
        assert data.default_data_path() == ROOT / "schedules"
    finally:
        data.default_data_path.cache_clear()


def test_an_installed_package_reads_its_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as in site-packages: bot/schedules/*.yaml next to the code
    (tmp_path / "bot" / "schedules").mkdir(parents=True)
    monkeypatch.setattr("importlib.resources.files", lambda package: tmp_path / package)
    data.default_data_path.cache_clear()
    try:
        assert data.default_data_path() == tmp_path / "bot" / "schedules"
    finally:
        data.default_data_path.cache_clear()


def test_the_dataset_cache_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    # docker run --user 4321 (no passwd entry, no HOME): no cache, and no "~" directory
    from bot.files import data_cache

    monkeypatch.delenv("SPACEBOT_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(data_cache.os.path, "expanduser", lambda path: path)
    assert data_cache.directory() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert data_cache.directory() == Path("/var/cache/x/spacebot")
