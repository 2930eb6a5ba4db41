"""The heartbeat file (``heartbeat.json`` in the state directory) and what ``health`` reads
in it.

``spacebot run`` writes it after every check and every delivery, ``spacebot check``
once; each write is atomic (temp file in the same directory, fsync, rename).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.model import iso
from bot.files.atomic import write_atomic

log = logging.getLogger("spacebot.daemon")

HEARTBEAT_NAME = "heartbeat.json"


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


@dataclass
class Heartbeat:
    """What ``heartbeat.json`` says: written after every check and every delivery."""

    mode: str  # "daemon" or "check"
    dry_run: bool = False
    pid: int = field(default_factory=os.getpid)
    started_at: datetime | None = None
    last_check: datetime | None = None  # last check that completed
    last_check_result: dict[str, int] = field(default_factory=dict)
    last_check_error: str | None = None  # last check that failed, and why
    last_delivery: datetime | None = None
    next_delivery: datetime | None = None
    next_check: datetime | None = None
    checks: int = 0
    failed_checks: int = 0
    deliveries: int = 0
    reload_failures: int = 0
    last_reload_error: str | None = None
    stuck_targets: dict[str, str] = field(default_factory=dict)
    last_sync: datetime | None = None  # the last sync attempt with the live source
    last_sync_ok: bool | None = None
    last_sync_summary: str = ""

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "version": 1,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "pid": self.pid,
            "updated_at": _iso(now),
            "started_at": _iso(self.started_at),
            "last_check": _iso(self.last_check),
            "last_check_result": self.last_check_result,
            "last_check_error": self.last_check_error,
            "last_delivery": _iso(self.last_delivery),
            "next_delivery": _iso(self.next_delivery),
            "next_check": _iso(self.next_check),
            "checks": self.checks,
            "failed_checks": self.failed_checks,
            "deliveries": self.deliveries,
            "reload_failures": self.reload_failures,
            "last_reload_error": self.last_reload_error,
            "stuck_targets": self.stuck_targets,
            "last_sync": _iso(self.last_sync),
            "last_sync_ok": self.last_sync_ok,
            "last_sync_summary": self.last_sync_summary,
        }

    def write(self, path: Path, now: datetime) -> None:
        """Atomically (:func:`bot.files.atomic.write_atomic`); a failure is logged."""
        text = json.dumps(self.to_json(now), indent=2) + "\n"
        try:
            write_atomic(path, text, mode=0o644)  # health checks may run as another user
        except OSError as exc:
            log.warning("cannot write the heartbeat %s: %s", path, exc)


def read_heartbeat(path: Path) -> dict[str, Any]:
    """The heartbeat as written; OSError / ValueError when missing or unreadable."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (on this machine, in this container)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def assess_health(
    data: Mapping[str, Any],
    now: datetime,
    max_age: timedelta,
    *,
    alive: Callable[[int], bool] = process_alive,
) -> str | None:
    """None when healthy, else the one-line reason."""
    last = data.get("last_check")
    if not isinstance(last, str):
        return "no check has completed yet"
    try:
        when = datetime.fromisoformat(last)
    except ValueError:
        return f"unreadable last_check {last!r}"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age = now - when
    if age > max_age:
        hours = age.total_seconds() / 3600
        limit = max_age.total_seconds() / 3600
        return f"last check {last}, {hours:.1f} h ago (limit {limit:g} h)"
    pid = data.get("pid")
    if data.get("mode") == "daemon" and isinstance(pid, int) and not alive(pid):
        return (
            f"the daemon (pid {pid}) is not running; its last heartbeat is from "
            f"{data.get('updated_at')}: start it again"
        )
    refused = data.get("last_reload_error")
    if refused:
        return (
            f"the last reload was refused ({refused}); the daemon runs on the last good "
            "configuration and data: fix the input and send SIGHUP"
        )
    stuck = data.get("stuck_targets") or {}
    if stuck:
        if isinstance(stuck, Mapping):
            text = ", ".join(f"{name} ({reason})" for name, reason in sorted(stuck.items()))
        else:
            text = ", ".join(str(name) for name in stuck)
        return f"stuck target(s): {text}"
    return None
