"""The pictures waiting in the state directory: ``<state_dir>/images/<sha256>.png``.

A post's charts are drawn when it enters the outbox and written here, named by their
content (:mod:`bot.images.png`), before the outbox row that names them commits: after
a crash the row never points at a picture that is not on disk.  Each write is atomic
(a temporary file, fsync, rename, fsync of the folder), so a name never holds half a
picture, and the same chart is written once however many posts and targets carry it.
:meth:`ImageStore.read` checks the bytes against their name, so a damaged file is
never uploaded.  :meth:`ImageStore.prune` removes the pictures no post needs any more
(the check calls it, under the state directory's lock).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Set
from datetime import datetime, timedelta
from pathlib import Path

from bot.files.atomic import write_atomic
from bot.images import png

IMAGES_DIR = "images"
# A picture no open post names is kept this long after its post finished (to look at
# what went out), and never removed younger than MIN_AGE (written, its row not yet in).
KEEP_AFTER_POSTED = timedelta(days=30)
MIN_AGE = timedelta(days=1)
_NAME = re.compile(r"[0-9a-f]{64}\.png")


class ImageMissing(Exception):
    """A picture named by the outbox is not in the state directory (or is damaged)."""


class ImageStore:
    """The ``images`` folder of one state directory."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / IMAGES_DIR

    def path(self, sha256: str) -> Path:
        return self.dir / f"{sha256}.png"

    def write(self, data: bytes) -> str:
        """Store ``data`` (durably, atomically) under its content hash; returns the hash."""
        sha = png.content_hash(data)
        final = self.path(sha)
        with contextlib.suppress(OSError):
            if png.content_hash(final.read_bytes()) == sha:
                return sha  # the same chart, written before (for another post or target)
        write_atomic(final, data, mode=0o644)  # a picture is no secret
        return sha

    def read(self, sha256: str) -> bytes:
        """The picture named ``sha256``; :class:`ImageMissing` if absent or damaged."""
        try:
            data = self.path(sha256).read_bytes()
        except OSError as exc:
            raise ImageMissing(
                f"the picture {sha256}.png is missing from {self.dir} ({exc.strerror})"
            ) from None
        if png.content_hash(data) != sha256:
            raise ImageMissing(f"the picture {sha256}.png in {self.dir} is damaged")
        return data

    def prune(self, in_use: Set[str], now: datetime) -> list[str]:
        """Remove the pictures not in ``in_use`` (content hashes) whose file is older than
        :data:`MIN_AGE`; returns their names.  Files of other names are left alone."""
        removed: list[str] = []
        try:
            entries = list(self.dir.iterdir())
        except OSError:
            return removed  # no folder yet: nothing to prune
        oldest = (now - MIN_AGE).timestamp()
        for entry in sorted(entries):
            if not _NAME.fullmatch(entry.name) or entry.name[:-4] in in_use:
                continue
            try:
                if entry.stat().st_mtime >= oldest:
                    continue
                entry.unlink()
            except OSError:
                continue  # gone already, or not ours to remove: the next check tries again
            removed.append(entry.name)
        return removed
