"""One way to replace a file: a crash leaves the old file or the new one, never half.

A temporary file in the same directory, written and fsynced, renamed over the file, and
the directory fsynced so the rename itself survives a power cut (where the platform
allows it).  Used for every file spacebot rewrites in place: the live overlay and its
state, the holds, the heartbeat, the last check, the pictures, Bluesky's session, the
dataset cache.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8), permissions ``mode``
    (0600 unless told: state files may hold a session or a secret's consequences).
    Creates the directory.  Raises OSError; the old file is then untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
