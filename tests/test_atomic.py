"""The one way spacebot replaces a file (bot/files/atomic.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.files.atomic import write_atomic


def test_replaces_the_file_whole_with_the_asked_permissions(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.json"
    write_atomic(path, "old")
    write_atomic(path, b"\x89PNG", mode=0o644)
    assert path.read_bytes() == b"\x89PNG"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    write_atomic(path, "été")
    assert path.read_text(encoding="utf-8") == "été"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the default: state may be private
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "overlay.yaml"
    write_atomic(path, "the last good data")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, "half of the new data")
    assert path.read_text() == "the last good data"
    assert [p.name for p in tmp_path.iterdir()] == ["overlay.yaml"]
