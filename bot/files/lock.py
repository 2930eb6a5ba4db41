"""One writer per state directory: an exclusive ``flock`` on ``<state_dir>/spacebot.lock``.

The daemon (``spacebot run``) and a one-shot ``spacebot check`` take it for their whole
life, and the outbox takes it when it is opened for writing without one, so two
processes can never deliver the same post at once.  The kernel drops the lock when its
process dies, so a crash never leaves a stale lock; the file holds the owner's pid,
for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.errors import Problem, UserError

LOCK_NAME = "spacebot.lock"


class AlreadyRunning(UserError):
    """Another spacebot process owns the state directory (exit code 2: a set-up problem)."""


def state_dir_problem(state_dir: Path) -> Problem | None:
    """Why ``state_dir`` cannot be spacebot's state directory (a file, not creatable,
    not writable by this user), or ``None``.  Creates nothing: ``validate`` asks it, and
    :meth:`StateLock.acquire` says the same when it fails."""
    where = "state directory (state_dir, or SPACEBOT_STATE_DIR)"
    other = "or set state_dir (or SPACEBOT_STATE_DIR) to a directory this user may write"
    path = state_dir
    while not path.exists() and not path.is_symlink():
        if path.parent == path:
            break
        path = path.parent
    if not path.is_dir():
        what = "is a file" if path == state_dir else f"cannot be created: {path} is a file"
        if path.is_symlink() and not path.exists():
            what = f"cannot be created: {path} is a broken symbolic link"
        return Problem(
            str(state_dir),
            where,
            f"{what}, not a directory",
            f"move {path} away, {other}",
        )
    if _read_only(path):
        return Problem(
            str(state_dir),
            where,
            f"is on a read-only file system ({path})",
            "mount a writable volume there (docker run -v NAME:/data), " + other,
        )
    if not os.access(path, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        uid = os.geteuid()
        what = "is not writable" if path == state_dir else f"cannot be created in {path}"
        return Problem(
            str(state_dir),
            where,
            f"{what} by this user (uid {uid})",
            f"make it writable by uid {uid}: 'sudo chown -R {uid} {path}' (mounted into a "
            "container: chown the host directory; spacebot's image runs as uid 10001), or "
            f"run as its owner ('docker run --user UID:GID'), {other}",
        )
    return None


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class StateDirError(UserError):
    """The state directory cannot be used (exit code 2: a set-up problem)."""


class StateLock:
    """Exclusive, non-blocking lock on a state directory (see the module docstring)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> StateLock:
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            problem = state_dir_problem(self.state_dir) or Problem(
                str(self.state_dir),
                "state directory",
                f"cannot open {self.path}: {exc.strerror or type(exc).__name__}",
                "check the directory and the disk, or set state_dir to another directory",
            )
            raise StateDirError(problem) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                owner = os.read(fd, 32).decode("ascii", "replace").strip()
            finally:
                os.close(fd)
            who = f" (pid {owner})" if owner.isdigit() else ""
            raise AlreadyRunning(
                Problem(
                    str(self.state_dir),
                    "state directory",
                    f"another spacebot process{who} is already using it (it holds "
                    f"{self.path}); refusing to start so that nothing is posted twice",
                    "stop the other one, or give this one another state directory",
                )
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
