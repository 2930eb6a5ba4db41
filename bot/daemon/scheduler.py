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
  job in progress (a post in flight) has finished; SIGHUP -> the configuration is read
  again and handed to ``pipeline.reload(config)`` (which keeps the last good state
  when the new input is bad), then a check re-plans with what was reloaded.
* The command holds the state directory's lock (:mod:`bot.files.lock`) for the life
  of the daemon, and the daemon writes the heartbeat (:mod:`bot.daemon.heartbeat`)
  for ``spacebot health``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any, Protocol

from apscheduler.executors.debug import DebugExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger

from bot.core.model import iso
from bot.daemon.heartbeat import HEARTBEAT_NAME, Heartbeat
from bot.daemon.trigger import DailyTrigger
from bot.errors import UserError
from bot.files.config import Config

log = logging.getLogger("spacebot.daemon")

DAILY_CHECK_JOB = "daily-check"
STARTUP_CHECK_JOB = "startup-check"
RETRY_CHECK_JOB = "retry-check"
SYNC_CHECK_JOB = "sync-check"  # an extra check while a landing or a launch is due
DELIVERY_JOB = "deliver"

CHECK_RETRY_DELAY = timedelta(minutes=15)  # after an unexpected failure of a check
DELIVERY_RETRY_DELAY = timedelta(minutes=5)  # after an unexpected failure of a delivery
MIN_DELIVERY_GAP = timedelta(seconds=1)  # never spin when deliver() says "due now" again


# -- what the daemon needs of bot.pipeline.Pipeline (tests pass fakes) --------------------


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
    """One check and delivery, as built by ``bot.pipeline.open_pipeline``.

    Optional extra: ``stuck_targets() -> Mapping[str, str]`` (target -> reason), for the
    heartbeat and ``spacebot health``.
    """

    def reload(self, config: Config) -> None: ...

    def check(self, now: datetime) -> CheckReport: ...

    def deliver(self, now: datetime) -> datetime | None: ...

    def close(self) -> None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


def one_line(exc: UserError) -> str:
    """A UserError's problems on one log line."""
    return "; ".join(
        str(p).replace("\n    fix:", " (fix:") + (")" if p.fix else "") for p in exc.problems
    )


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
    for name in ("held", "released", "withdrawn"):  # live data's trust rules, when present
        value = getattr(report, name, 0)
        if value:
            counts[name] = int(value)
    more = "".join(f", {name} {counts[name]}" for name in ("held", "released", "withdrawn")
                   if name in counts)  # fmt: skip
    log.info(
        "%s check at %s: found %d milestone(s), enqueued %d post(s), skipped %d%s",
        label,
        iso(now),
        counts["found"],
        counts["enqueued"],
        counts["skipped"],
        more,
        extra={"event": "check", "check": label, "at": iso(now), **counts},
    )
    for line in getattr(report, "details", None) or ():
        log.info("  %s", line, extra={"event": "check_detail"})
    return counts


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
        load_config: Callable[[], Config] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.config = config
        self.zone = config.zone
        self._clock = clock
        self._load_config = load_config or (lambda: self.config)
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
        if hasattr(pipeline, "should_stop"):  # a post in flight finishes; no new one starts
            pipeline.should_stop = lambda: self.stopping
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
        self._one_shot(DELIVERY_JOB, self._delivery_job, at, "deliver due posts")

    def _one_shot(
        self, job_id: str, func: Callable[[], None], at: datetime | None, name: str
    ) -> None:
        """The job ``job_id`` runs ``func`` once at ``at`` (replacing any earlier plan for
        it); ``None``: not at all."""
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id)
        if at is not None:
            self.scheduler.add_job(
                func,
                trigger=DateTrigger(run_date=at, timezone=self.zone),
                id=job_id,
                name=name,
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
                # re-plan at once: a milestone added to the data and due soon is not
                # left until tomorrow's check
                self.run_check(label="reload")
            else:
                self._write_heartbeat()  # health reports the refused reload
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
            _iso(self.next_check()),
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

    def _sync_check(self) -> None:
        self.run_check(label="sync")

    def _schedule_sync(self, now: datetime) -> None:
        """An extra check (with its sync) before the daily one, when the pipeline asks for
        one: a landing expected or a crewed launch due (``pipeline.next_sync``)."""
        method = getattr(self.pipeline, "next_sync", None)
        at = method(now) if callable(method) else None
        nxt = self.next_check(now)

        def apply() -> None:
            wanted = at if at is not None and (nxt is None or at < nxt) else None
            self._one_shot(
                SYNC_CHECK_JOB,
                self._sync_check,
                wanted,
                "check with a sync (a landing or launch is due)",
            )

        self._later(apply)

    def _delivery_job(self) -> None:
        self.run_delivery()

    def reload(self, reason: str) -> bool:
        """Read the configuration again (once) and hand it to the pipeline; on bad input
        keep the last good state (one log line)."""
        try:
            config = self._load_config()
            self.pipeline.reload(config)
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
        self._apply_schedule(config)
        return True

    def _apply_schedule(self, new: Config) -> None:
        old = self.config
        self.config = new
        if (new.schedule.check_time, new.schedule.misfire_grace, new.timezone) == (
            old.schedule.check_time,
            old.schedule.misfire_grace,
            old.timezone,
        ):
            return
        self.trigger = DailyTrigger(new.schedule.check_time, new.zone)
        self._add_daily_job(new)
        log.info(
            "daily check now at %s %s, next %s",
            f"{new.schedule.check_time:%H:%M}",
            new.timezone,
            _iso(self.next_check()),
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
        sync = getattr(self.pipeline, "last_sync", None)
        if sync is not None:
            self.state.last_sync, self.state.last_sync_ok = sync.at, sync.ok
            self.state.last_sync_summary = sync.summary
        if not self.stopping:
            self._schedule_sync(self._clock())
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
                _iso(nxt),
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
                    _iso(nxt),
                    extra={"event": "delivery", "next": _iso(nxt)},
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
