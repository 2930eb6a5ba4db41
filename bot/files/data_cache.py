"""A cache of validated datasets, keyed by the content of the data files and the code.

Two levels:

* in the process: a daemon that reloads data whose files have not changed gets the
  very same :class:`~bot.core.model.Dataset` object back (and keeps its derived state);
* on disk: a command whose data has not changed since the last one skips parsing and
  validating the YAML.  The file lives in ``$SPACEBOT_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/spacebot``, else ``~/.cache/spacebot`` (created ``0700``; none when
  the user has no home), and is only ever read back by the same user.  A cache that
  cannot be read or written (read-only home, full disk) is skipped silently: it only
  saves time.

The key hashes each file's name and text and the source of the loader and the data
model, so a change to either invalidates every entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

from bot import __version__
from bot.core.model import Dataset
from bot.files.atomic import write_atomic

CACHE_ENV = "SPACEBOT_CACHE_DIR"
KEEP = 4  # cache files kept (one per data set in use, a few at most)

_memory: dict[str, Dataset] = {}


def key(files: Iterable[tuple[str, str]], *, code: Iterable[str]) -> str:
    """The cache key of these (name, text) files read by this code (paths of source files)."""
    digest = hashlib.sha256(__version__.encode())
    for path in code:
        with contextlib.suppress(OSError):
            digest.update(Path(path).read_bytes())
    for name, text in files:
        digest.update(b"\0" + name.encode() + b"\0" + text.encode())
    return digest.hexdigest()[:32]


def directory() -> Path | None:
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) if explicit else None  # empty: no disk cache
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isabs(home):  # no HOME and no passwd entry (docker run --user N)
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "spacebot"


def get(cache_key: str) -> Dataset | None:
    found = _memory.get(cache_key)
    if found is not None:
        return found
    folder = directory()
    if folder is None:
        return None
    try:
        with open(folder / f"dataset-{cache_key}.pickle", "rb") as fh:
            value = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        return None
    if not isinstance(value, Dataset):
        return None
    _memory[cache_key] = value
    return value


def put(cache_key: str, dataset: Dataset) -> None:
    _memory.clear()  # one dataset per process is the common case; keep memory flat
    _memory[cache_key] = dataset
    folder = directory()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(folder / f"dataset-{cache_key}.pickle", data)
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("dataset-*.pickle"), key=_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
