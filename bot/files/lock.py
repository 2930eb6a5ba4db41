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
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
