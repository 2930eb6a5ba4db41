"""The long-running ``spacebot run``: one check a day, each post at its instant.

Design (see deploy/README.md for the operator's view):

* An APScheduler 3 :class:`BlockingScheduler` in the configured time zone whose jobs
  all run **in the main thread, one at a time** (``DebugExecutor``): the pipeline
  (SQLite outbox, HTTP clients) is never touched by two threads, a check and a
  delivery never overlap, and no locking is needed in the pipeline.
* Jobs: the daily check (:class:`DailyTrigger`, a ``CronTrigger(hour, minute)`` that
  fires exactly once per local calendar day, DST included, with the configured
  ``misfire_grace`` and ``coalesce``), a check at start-up (catch-up after downtime:
  the pipeline's check covers everything since its last persisted check), and one
  one-off delivery job (fixed id, ``DateTrigger``) at the instant the pipeline says
  the next post is due, replaced after every check and every delivery.
* Signals only set a flag and wake the scheduler from a helper thread (a signal
  handler must not take locks the interrupted code may hold).  The scheduler loop
  acts on the flag between jobs: SIGTERM/SIGINT -> ``shutdown(wait=True)`` once the
  job in progress (a post in flight) has finished; SIGHUP -> ``pipeline.reload()``,
  which keeps the last good state when the new input is bad.
* A single instance per state directory (``flock`` on ``spacebot.lock``), and a
  heartbeat file (``heartbeat.json``, written atomically) for ``spacebot health``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import threading
import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.executors.debug import DebugExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.errors import UserError
from bot.files.config import Config

if TYPE_CHECKING:
    from bot.cli import Context

log = logging.getLogger("spacebot.daemon")

LOCK_NAME = "spacebot.lock"
HEARTBEAT_NAME = "heartbeat.json"
STATE_DIR_ENV = "SPACEBOT_STATE_DIR"

DAILY_CHECK_JOB = "daily-check"
STARTUP_CHECK_JOB = "startup-check"
RETRY_CHECK_JOB = "retry-check"
DELIVERY_JOB = "deliver"

CHECK_RETRY_DELAY = timedelta(minutes=15)  # after an unexpected failure of a check
DELIVERY_RETRY_DELAY = timedelta(minutes=5)  # after an unexpected failure of a delivery
MIN_DELIVERY_GAP = timedelta(seconds=1)  # never spin when deliver() says "due now" again


# -- the interface of bot.pipeline (written elsewhere) -----------------------------------


class CheckReport(Protocol):
    """What one check did; logged and written to the heartbeat.

    ``details`` (optional attribute): lines saying what was skipped and why, each logged.
    """

    @property
    def found(self) -> int: ...

    @property
    def enqueued(self) -> int: ...

    @property
    def skipped(self) -> int: ...


class Pipeline(Protocol):
    """One check and delivery, as built by ``bot.pipeline.make_pipeline``.

    Optional extra: ``stuck_targets() -> Mapping[str, str]`` (target -> reason), for the
    heartbeat and ``spacebot health``.
    """

    def reload(self) -> None: ...

    def check(self, now: datetime) -> CheckReport: ...

    def deliver(self, now: datetime) -> datetime | None: ...

    def close(self) -> None: ...


class PipelineFactory(Protocol):
    def __call__(self, config: Config, ctx: Context, dry_run: bool) -> Pipeline: ...


def load_pipeline_factory() -> PipelineFactory:
    """``bot.pipeline.make_pipeline``, imported only when a command needs it (and type
    checked against :class:`Pipeline` here)."""
    from bot.pipeline import make_pipeline

    return make_pipeline


def _utc_now() -> datetime:
    return datetime.now(UTC)


def iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(UTC).isoformat(timespec="seconds")


def one_line(exc: UserError) -> str:
    """A UserError's problems on one log line."""
    return "; ".join(
        str(p).replace("\n    fix:", " (fix:") + (")" if p.fix else "") for p in exc.problems
    )


def with_state_dir(config: Config, env: Mapping[str, str]) -> Config:
    """$SPACEBOT_STATE_DIR, when set, wins over the config's ``state_dir`` (containers)."""
    override = env.get(STATE_DIR_ENV)
    return replace(config, state_dir=Path(override)) if override else config


# -- the daily trigger ----------------------------------------------------------------


class DailyTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler is untyped
    """``CronTrigger(hour=H, minute=M)`` that fires exactly once per local calendar day.

    APScheduler's own CronTrigger fires twice on a fall-back day when the time falls in
    the repeated hour (01:30 EDT, then 01:30 EST).  Here the instant of day D is
    ``datetime(D, H:M, tzinfo=zone)`` with ``fold=0`` (PEP 495): the first of two
    repeated times, and a time skipped by spring-forward is moved on by the gap
    (02:30 -> 03:30 EDT).  Those instants strictly increase day by day, so the set of
    fire times does not depend on when the daemon started: a restart can neither add
    nor lose a check.
    """

    def __init__(self, check_time: time, zone: tzinfo) -> None:
        super().__init__(hour=check_time.hour, minute=check_time.minute, timezone=zone)
        self.check_time = time(check_time.hour, check_time.minute)
        self.zone = zone

    def instant_of(self, day: date) -> datetime:
        local = datetime.combine(day, self.check_time, tzinfo=self.zone)  # fold=0
        return local.astimezone(UTC).astimezone(self.zone)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # Like CronTrigger: the fire after the previous one (even if already past, so the
        # scheduler can apply misfire_grace and coalesce), else the first at or after now.
        after = previous_fire_time if previous_fire_time is not None else now
        strict = previous_fire_time is not None
        day = after.astimezone(self.zone).date() - timedelta(days=1)
        while True:
            candidate = self.instant_of(day)
            if candidate > after or (not strict and candidate == after):
                return candidate
            day += timedelta(days=1)

    def __str__(self) -> str:
        return f"daily at {self.check_time:%H:%M} {self.zone}"


# -- single instance ------------------------------------------------------------------


class AlreadyRunning(UserError):
    """Another spacebot process owns the state directory (exit code 2: set-up problem)."""


class InstanceLock:
    """Exclusive, non-blocking ``flock`` on ``<state_dir>/spacebot.lock``.

    Held for the life of the process (the kernel drops it if the process dies, so a
    crash never leaves a stale lock).  The file holds the owner's pid, for the message.
    """

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
                f"another spacebot process{who} is already running on the state directory "
                f"{self.path.parent} (it holds {self.path}); refusing to start so that "
                "nothing is posted twice. Stop the other one, or give this one another "
                "state directory"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


# -- heartbeat ------------------------------------------------------------------------


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

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "version": 1,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "pid": self.pid,
            "updated_at": iso(now),
            "started_at": iso(self.started_at),
            "last_check": iso(self.last_check),
            "last_check_result": self.last_check_result,
            "last_check_error": self.last_check_error,
            "last_delivery": iso(self.last_delivery),
            "next_delivery": iso(self.next_delivery),
            "next_check": iso(self.next_check),
            "checks": self.checks,
            "failed_checks": self.failed_checks,
            "deliveries": self.deliveries,
            "reload_failures": self.reload_failures,
            "last_reload_error": self.last_reload_error,
            "stuck_targets": self.stuck_targets,
        }

    def write(self, path: Path, now: datetime) -> None:
        """Atomically (temp file in the same directory, fsync, rename)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self.to_json(now), fh, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write the heartbeat %s: %s", path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()


def read_heartbeat(path: Path) -> dict[str, Any]:
    """The heartbeat as written; OSError / ValueError when missing or unreadable."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def assess_health(data: Mapping[str, Any], now: datetime, max_age: timedelta) -> str | None:
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
    stuck = data.get("stuck_targets") or {}
    if stuck:
        if isinstance(stuck, Mapping):
            text = ", ".join(f"{name} ({reason})" for name, reason in sorted(stuck.items()))
        else:
            text = ", ".join(str(name) for name in stuck)
        return f"stuck target(s): {text}"
    return None


def stuck_targets_of(pipeline: Pipeline) -> dict[str, str]:
    """The pipeline's optional ``stuck_targets()``, as {target: reason}."""
    method = getattr(pipeline, "stuck_targets", None)
    if not callable(method):
        return {}
    try:
        value = method()
    except Exception:  # a health probe must not break a check
        log.warning("could not ask the pipeline for stuck targets", exc_info=True)
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {str(name): "stuck" for name in value or ()}


def log_report(report: CheckReport, now: datetime, label: str) -> dict[str, int]:
    counts = {
        "found": int(report.found),
        "enqueued": int(report.enqueued),
        "skipped": int(report.skipped),
    }
    log.info(
        "%s check at %s: found %d milestone(s), enqueued %d post(s), skipped %d",
        label,
        iso(now),
        counts["found"],
        counts["enqueued"],
        counts["skipped"],
        extra={"event": "check", "check": label, "at": iso(now), **counts},
    )
    for line in getattr(report, "details", None) or ():
        log.info("  %s", line, extra={"event": "check_detail"})
    return counts


# -- one-shot delivery (``spacebot check``) -------------------------------------------


def deliver_due(
    pipeline: Pipeline,
    start: datetime,
    *,
    elapsed: Callable[[], float] = _time.monotonic,
    sleep: Callable[[float], None] = _time.sleep,
    short_wait: float = 5.0,
    max_total_wait: float = 30.0,
    max_rounds: int = 1000,
) -> datetime | None:
    """Deliver everything due at ``start``; return the next due instant left pending.

    Calls ``deliver`` again while it says something more is due now, or due within
    ``short_wait`` seconds (the parts of a thread), sleeping at most ``max_total_wait``
    seconds in all.  ``now`` advances from ``start`` with the real elapsed time.
    """
    t0 = elapsed()
    waited = 0.0
    nxt: datetime | None = None
    for _ in range(max_rounds):
        now = start + timedelta(seconds=elapsed() - t0)
        nxt = pipeline.deliver(now)
        if nxt is None:
            return None
        wait = (nxt - now).total_seconds()
        if wait > short_wait or waited + max(wait, 0.0) > max_total_wait:
            return nxt
        if wait > 0:
            sleep(wait)
            waited += wait
    return nxt


# -- the daemon -----------------------------------------------------------------------


class _Scheduler(BlockingScheduler):  # type: ignore[misc]  # APScheduler is untyped
    """BlockingScheduler with hooks around each pass over the due jobs."""

    def __init__(self, daemon: Daemon, **options: Any) -> None:
        super().__init__(**options)
        self._daemon = daemon
        self.in_jobs = False

    def _process_jobs(self) -> float | None:
        if not self._daemon._before_jobs():
            return None
        self.in_jobs = True
        try:
            wait: float | None = super()._process_jobs()
        finally:
            self.in_jobs = False
        self._daemon._after_jobs()
        return wait


class Daemon:
    """Schedules the pipeline's checks and deliveries; see the module docstring."""

    def __init__(
        self,
        pipeline: Pipeline,
        config: Config,
        *,
        clock: Callable[[], datetime] = _utc_now,
        dry_run: bool = False,
        config_loader: Callable[[], Config] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.config = config
        self.zone = config.zone
        self._clock = clock
        self._config_loader = config_loader
        self.heartbeat_path = config.state_dir / HEARTBEAT_NAME
        self.state = Heartbeat(mode="daemon", dry_run=dry_run, started_at=clock())
        self.scheduler = _Scheduler(
            self,
            timezone=self.zone,
            executors={"default": DebugExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.trigger = DailyTrigger(config.schedule.check_time, self.zone)
        self._stop_signal: int | None = None
        self._stop_logged = False
        self._reload_requested = False
        self._pending: list[Callable[[], None]] = []
        self._add_daily_job(config)
        self.scheduler.add_job(
            self._startup_check,
            trigger=DateTrigger(run_date=clock(), timezone=self.zone),
            id=STARTUP_CHECK_JOB,
            name="check at start-up (catch-up)",
        )

    # -- scheduling ---------------------------------------------------------------

    def _add_daily_job(self, config: Config) -> None:
        grace = max(1, int(config.schedule.misfire_grace.total_seconds()))
        self.scheduler.add_job(
            self._daily_check,
            trigger=self.trigger,
            id=DAILY_CHECK_JOB,
            name="daily check",
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )

    def next_check(self, now: datetime | None = None) -> datetime | None:
        """The first scheduled check strictly after ``now``."""
        now = now or self._clock()
        result: datetime | None = self.trigger.get_next_fire_time(now, now)
        return result

    @property
    def scheduled_delivery(self) -> datetime | None:
        """When the delivery job will run (None: nothing pending)."""
        job = self.scheduler.get_job(DELIVERY_JOB)
        if job is None:
            return None
        run_date: datetime = job.trigger.run_date
        return run_date

    def _later(self, change: Callable[[], None]) -> None:
        """Apply a change to the jobs now, or after the running job if there is one.

        While a job runs (inline, in ``_process_jobs``), the scheduler would afterwards
        remove a one-off job of the same id, dropping the one just added: so wait.
        """
        if self.scheduler.in_jobs:
            self._pending.append(change)
        else:
            change()

    def _schedule_delivery(self, at: datetime | None) -> None:
        self._later(lambda: self._apply_delivery(at))

    def _add_retry(self, at: datetime) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(RETRY_CHECK_JOB)
        self.scheduler.add_job(
            self._retry_check,
            trigger=DateTrigger(run_date=at, timezone=self.zone),
            id=RETRY_CHECK_JOB,
            name="retry of a failed check",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _apply_delivery(self, at: datetime | None) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(DELIVERY_JOB)
        if at is not None:
            self.scheduler.add_job(
                self._delivery_job,
                trigger=DateTrigger(run_date=at, timezone=self.zone),
                id=DELIVERY_JOB,
                name="deliver due posts",
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
            )

    # -- the scheduler loop's hooks ----------------------------------------------------

    def _before_jobs(self) -> bool:
        if self._stop_signal is not None:
            if not self._stop_logged:
                self._stop_logged = True
                log.info("received %s: stopping (no post in flight)", _signame(self._stop_signal))
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            return False
        if self._reload_requested:
            self._reload_requested = False
            if self.reload("SIGHUP"):
                self._deliver(self._clock())
                self._write_heartbeat()
        return True

    def _after_jobs(self) -> None:
        pending, self._pending = self._pending, []
        if self._stop_signal is None:
            for change in pending:
                change()

    # -- signals (async-signal-safe: set a flag, wake the loop from another thread) ----

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        if self._stop_signal is None:
            self._stop_signal = signum
        self._wake()

    def request_reload(self) -> None:
        self._reload_requested = True
        self._wake()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.request_reload()
        else:
            self.request_stop(signum)

    def _wake(self) -> None:
        threading.Thread(target=self._wake_now, name="spacebot-wake", daemon=True).start()

    def _wake_now(self) -> None:
        if self.scheduler.running:
            with contextlib.suppress(AttributeError):  # not started yet: flags seen at start
                self.scheduler.wakeup()

    @property
    def stopping(self) -> bool:
        return self._stop_signal is not None

    # -- running ----------------------------------------------------------------------

    def run(self, *, install_signals: bool = True) -> int:
        """Block until SIGTERM/SIGINT (or :meth:`request_stop`); 0 after a clean stop."""
        previous: dict[int, Any] = {}
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                previous[sig] = signal.signal(sig, self._on_signal)
        log.info(
            "started (pid %d%s): daily check at %s %s, next %s; state in %s",
            os.getpid(),
            ", dry run" if self.state.dry_run else "",
            f"{self.trigger.check_time:%H:%M}",
            self.config.timezone,
            iso(self.next_check()),
            self.config.state_dir,
            extra={"event": "start"},
        )
        try:
            self.scheduler.start()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        log.info("stopped cleanly", extra={"event": "stop"})
        return 0

    # -- the work ---------------------------------------------------------------------

    def _startup_check(self) -> None:
        self.run_check(label="start-up")

    def _daily_check(self) -> None:
        self.run_check(label="daily", reload=True)

    def _retry_check(self) -> None:
        self.run_check(label="retried")

    def _delivery_job(self) -> None:
        self.run_delivery()

    def reload(self, reason: str) -> bool:
        """``pipeline.reload()``; on bad input keep the last good state (one log line)."""
        try:
            self.pipeline.reload()
        except UserError as exc:
            self.state.reload_failures += 1
            self.state.last_reload_error = one_line(exc)
            log.error(
                "reload (%s) refused, going on with the last good data, templates and "
                "configuration: %s",
                reason,
                self.state.last_reload_error,
                extra={"event": "reload_refused"},
            )
            return False
        except Exception:
            self.state.reload_failures += 1
            self.state.last_reload_error = "unexpected failure (see the log)"
            log.exception("reload (%s) failed; going on with the last good state", reason)
            return False
        self.state.last_reload_error = None
        log.info(
            "reloaded data, templates and configuration (%s)", reason, extra={"event": "reload"}
        )
        self._reload_schedule()
        return True

    def _reload_schedule(self) -> None:
        if self._config_loader is None:
            return
        try:
            new = self._config_loader()
        except UserError as exc:  # the pipeline accepted it, so this is unlikely
            log.error("new schedule refused, keeping the old one: %s", one_line(exc))
            return
        if new.state_dir != self.config.state_dir:
            log.warning("state_dir changed to %s: takes effect only after a restart", new.state_dir)
        old = self.config.schedule
        if (new.schedule.check_time, new.schedule.misfire_grace, new.timezone) == (
            old.check_time,
            old.misfire_grace,
            self.config.timezone,
        ):
            return
        self.trigger = DailyTrigger(new.schedule.check_time, new.zone)
        self.config = replace(new, state_dir=self.config.state_dir)
        self._add_daily_job(self.config)
        log.info(
            "daily check now at %s %s, next %s",
            f"{new.schedule.check_time:%H:%M}",
            new.timezone,
            iso(self.next_check()),
        )

    def run_check(self, *, label: str = "daily", reload: bool = False) -> None:
        """One check (reloading first if asked), then a delivery; heartbeat after."""
        if self.stopping:
            return
        if reload:
            self.reload(f"{label} check")
        now = self._clock()
        try:
            report = self.pipeline.check(now)
        except UserError as exc:
            self.state.failed_checks += 1
            self.state.last_check_error = one_line(exc)
            log.error(
                "%s check at %s refused: %s",
                label,
                iso(now),
                self.state.last_check_error,
                extra={"event": "check_failed"},
            )
        except Exception:
            self.state.failed_checks += 1
            self.state.last_check_error = "unexpected failure (see the log)"
            retry = now + CHECK_RETRY_DELAY
            log.exception(
                "%s check at %s failed; trying again at %s",
                label,
                iso(now),
                iso(retry),
                extra={"event": "check_failed"},
            )
            self._later(lambda: self._add_retry(retry))
        else:
            self.state.checks += 1
            self.state.last_check = now
            self.state.last_check_error = None
            self.state.last_check_result = log_report(report, now, label)
        if not self.stopping:
            self._deliver(self._clock())
        self._write_heartbeat()

    def run_delivery(self) -> None:
        if self.stopping:
            return
        self._deliver(self._clock())
        self._write_heartbeat()

    def _deliver(self, now: datetime) -> None:
        try:
            nxt = self.pipeline.deliver(now)
        except Exception:
            nxt = now + DELIVERY_RETRY_DELAY
            log.exception(
                "delivery at %s failed; trying again at %s",
                iso(now),
                iso(nxt),
                extra={"event": "delivery_failed"},
            )
        self.state.deliveries += 1
        self.state.last_delivery = now
        if nxt is not None and nxt < now + MIN_DELIVERY_GAP:
            nxt = now + MIN_DELIVERY_GAP
        if nxt != self.state.next_delivery:
            if nxt is None:
                log.info("delivery: nothing pending", extra={"event": "delivery"})
            else:
                log.info(
                    "delivery: next post due at %s",
                    iso(nxt),
                    extra={"event": "delivery", "next": iso(nxt)},
                )
        self.state.next_delivery = nxt
        self._schedule_delivery(nxt)

    def _write_heartbeat(self) -> None:
        now = self._clock()
        self.state.next_check = self.next_check(now)
        self.state.stuck_targets = stuck_targets_of(self.pipeline)
        self.state.write(self.heartbeat_path, now)


def _signame(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@contextlib.contextmanager
def opened(pipeline: Pipeline) -> Iterator[Pipeline]:
    """Close the pipeline whatever happens."""
    try:
        yield pipeline
    finally:
        pipeline.close()
