"""The daemon's schedule, signals, lock, heartbeat and the run/check/health commands.

No real sleeping for the schedule: the trigger is driven with fixed instants, the
daemon with an injected clock.  The few tests that run the real scheduler loop wait
for a fraction of a second at most.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from fakes import FakeClock

import bot.pipeline
from bot.cli import Context, main
from bot.core.fields import RenderSettings
from bot.daemon.heartbeat import HEARTBEAT_NAME, Heartbeat, assess_health, read_heartbeat
from bot.daemon.scheduler import (
    DAILY_CHECK_JOB,
    DELIVERY_JOB,
    RETRY_CHECK_JOB,
    STARTUP_CHECK_JOB,
    Daemon,
)
from bot.daemon.trigger import DailyTrigger
from bot.errors import ConfigError, Problem, UserError
from bot.files.config import Config, Schedule
from bot.files.lock import LOCK_NAME, AlreadyRunning, StateLock
from bot.logs import JsonFormatter, setup_logging
from bot.posting.poster import DrainResult

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

# -- a fake pipeline (a test double of the Pipeline interface) ------------------------


@dataclass
class Report:
    found: int = 0
    enqueued: int = 0
    skipped: int = 0
    details: tuple[str, ...] = ()


@dataclass
class FakePipeline:
    """Posts each instant in ``due`` once, when deliver() is called at or after it."""

    due: list[datetime] = field(default_factory=list)
    calls: list[tuple[str, datetime | None]] = field(default_factory=list)
    rehearsals: list[bool] = field(default_factory=list)  # check(): rehearsal= of each
    posted: list[tuple[datetime, datetime]] = field(default_factory=list)  # (due, sent at)
    reload_error: Exception | None = None
    check_error: Exception | None = None
    deliver_error: Exception | None = None
    deliver_seconds: float = 0.0  # a post in flight takes this long (real time)
    stuck: dict[str, str] = field(default_factory=dict)
    closed: bool = False
    version: int = 1  # "the data": bumped by each successful reload
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # set by open_pipeline

    def reload(self, config: Config) -> None:
        self.calls.append(("reload", None))
        if self.reload_error is not None:
            raise self.reload_error
        self.version += 1

    def check(self, now: datetime, *, rehearsal: bool = False) -> Report:
        self.calls.append(("check", now))
        self.rehearsals.append(rehearsal)
        if self.check_error is not None:
            raise self.check_error
        return Report(found=2, enqueued=1, skipped=1, details=("skipped: too old",))

    def deliver(self, now: datetime) -> datetime | None:
        self.calls.append(("deliver", now))
        if self.deliver_error is not None:
            raise self.deliver_error
        if self.deliver_seconds:
            _time.sleep(self.deliver_seconds)
        while self.due and self.due[0] <= now:
            self.posted.append((self.due.pop(0), now))
        self.calls.append(("delivered", now))
        return self.due[0] if self.due else None

    def drain(self, *, max_sleep: float, max_total: float) -> DrainResult:
        """What ``spacebot check`` calls: deliver what is due at the clock's instant."""
        result = DrainResult()
        result.next_due = self.deliver(self.clock())
        return result

    def close(self) -> None:
        self.closed = True

    def stuck_targets(self) -> dict[str, str]:
        return self.stuck

    def named(self, name: str) -> list[datetime | None]:
        return [arg for call, arg in self.calls if call == name]


def make_config(tmp_path: Path, tz: str = "America/New_York", at: time = time(9, 0)) -> Config:
    return Config(
        render=RenderSettings(timezone=tz),
        state_dir=tmp_path / "state",
        schedule=Schedule(check_time=at, misfire_grace=timedelta(minutes=90)),
    )


# -- the trigger: one check per local calendar day, DST included ---------------------

# Spring-forward and fall-back days (2024, 2025) and the hour each skips or repeats.
DST_DAYS = [
    ("America/New_York", date(2024, 3, 10)),
    ("America/New_York", date(2024, 11, 3)),
    ("America/New_York", date(2025, 3, 9)),
    ("America/New_York", date(2025, 11, 2)),
    ("Europe/London", date(2024, 3, 31)),
    ("Europe/London", date(2024, 10, 27)),
    ("Europe/London", date(2025, 3, 30)),
    ("Europe/London", date(2025, 10, 26)),
]
CHECK_TIMES = [
    time(0, 0),
    time(1, 0),
    time(1, 30),
    time(2, 0),
    time(2, 30),
    time(9, 0),
    time(23, 59),
]


def fires(
    make: Callable[[], Any], start: datetime, end: datetime, restarts: tuple[datetime, ...] = ()
) -> list[datetime]:
    """Fire times as the scheduler computes them, with the daemon restarted at ``restarts``.

    After each fire the scheduler asks for the next one with ``now`` just past the fire;
    a restart starts a fresh trigger (``make()``) with no previous fire time.
    """
    trigger = make()
    out: list[datetime] = []
    pending = sorted(restarts)
    nxt = trigger.get_next_fire_time(None, start)
    while nxt is not None and nxt < end:
        if pending and pending[0] <= nxt:  # the daemon restarts before this fire
            restart = pending.pop(0)
            trigger = make()
            nxt = trigger.get_next_fire_time(None, restart)
            continue
        out.append(nxt)
        nxt = trigger.get_next_fire_time(nxt, nxt + timedelta(milliseconds=3))
    return out


def assert_one_per_day(times: list[datetime], zone: ZoneInfo, first: date, last: date) -> None:
    days = [t.astimezone(zone).date() for t in times]
    expected = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert days == expected, f"fires by local day: {[t.astimezone(zone) for t in times]}"
    assert times == sorted(times)
    assert len(set(times)) == len(times)


@pytest.mark.parametrize(("tz", "day"), DST_DAYS)
@pytest.mark.parametrize("at", CHECK_TIMES, ids=str)
def test_one_check_per_local_day_through_dst_weeks(tz: str, day: date, at: time) -> None:
    zone = ZoneInfo(tz)
    trigger = lambda: DailyTrigger(at, zone)  # noqa: E731
    first, last = day - timedelta(days=10), day + timedelta(days=10)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    times = fires(trigger, start, end)
    assert_one_per_day(times, zone, first, last)
    for t in times:
        local = t.astimezone(zone)
        wall = datetime.combine(local.date(), at, tzinfo=zone)
        if wall.astimezone(UTC).astimezone(zone).time() == at:  # the time exists that day
            assert local.time() == at
            assert local.fold == 0  # a repeated time: the first of the two
        else:  # skipped by spring-forward: an hour later on the same day
            assert local.date() == day
            assert local.time() == (datetime.combine(day, at) + timedelta(hours=1)).time()


@pytest.mark.parametrize(("tz", "day"), DST_DAYS)
@pytest.mark.parametrize("at", [time(1, 30), time(2, 30), time(9, 0)], ids=str)
def test_restarts_neither_add_nor_lose_a_check(tz: str, day: date, at: time) -> None:
    """Restart every 20 minutes through the DST day and the day around it."""
    zone = ZoneInfo(tz)
    trigger = lambda: DailyTrigger(at, zone)  # noqa: E731
    first, last = day - timedelta(days=3), day + timedelta(days=3)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    around = datetime.combine(day - timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    restarts = tuple(around + timedelta(minutes=20 * i) for i in range(3 * 72))
    with_restarts = fires(trigger, start, end, restarts)
    assert with_restarts == fires(trigger, start, end)
    assert_one_per_day(with_restarts, zone, first, last)


def test_plain_crontrigger_fires_twice_on_fall_back_which_is_why_dailytrigger_exists() -> None:
    at, day = time(1, 30), date(2024, 11, 3)
    start = datetime.combine(day - timedelta(days=1), time(12), tzinfo=NY)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=NY)
    cron = CronTrigger(hour=1, minute=30, timezone=NY)
    cron_fires: list[datetime] = []
    nxt = cron.get_next_fire_time(None, start)
    while nxt < end and len(cron_fires) < 10:  # bounded: it can return the same time again
        cron_fires.append(nxt)
        nxt = cron.get_next_fire_time(nxt, nxt + timedelta(milliseconds=3))
    on_the_day = [t for t in cron_fires if t.astimezone(NY).date() == day]
    assert len(on_the_day) >= 2  # 01:30 EDT, then 01:30 EST (APScheduler 3.11)
    assert len(fires(lambda: DailyTrigger(at, NY), start, end)) == 1


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Europe/London", "Asia/Tokyo"])
def test_same_fires_as_crontrigger_on_ordinary_days(tz: str) -> None:
    zone = ZoneInfo(tz)
    start = datetime(2024, 6, 1, tzinfo=zone)
    end = datetime(2024, 7, 15, tzinfo=zone)
    for at in (time(0, 0), time(9, 0), time(17, 45)):
        ours = fires(partial(DailyTrigger, at, zone), start, end)
        theirs = fires(
            partial(CronTrigger, hour=at.hour, minute=at.minute, timezone=zone), start, end
        )
        assert [t.astimezone(UTC) for t in ours] == [t.astimezone(UTC) for t in theirs]
        assert len(ours) == 44


def test_missed_fires_are_reported_for_misfire_grace_and_coalesce() -> None:
    """Like CronTrigger: the fire after the previous one, even if it is long past."""
    trigger = DailyTrigger(time(9), NY)
    prev = datetime(2024, 3, 8, 9, tzinfo=NY)
    much_later = datetime(2024, 3, 12, 12, tzinfo=NY)
    assert trigger.get_next_fire_time(prev, much_later) == datetime(2024, 3, 9, 9, tzinfo=NY)
    # and a fresh start at the exact instant fires at once
    assert trigger.get_next_fire_time(None, prev) == prev


# -- the daemon, driven with an injected clock ----------------------------------------


def new_daemon(
    tmp_path: Path, pipeline: FakePipeline, now: datetime, **kw: Any
) -> tuple[Daemon, FakeClock]:
    clock = FakeClock(now)
    config = kw.pop("config", None) or make_config(tmp_path)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return Daemon(pipeline, config, clock=clock, **kw), clock


def test_jobs_daily_check_with_grace_and_coalesce_and_a_start_up_check(tmp_path: Path) -> None:
    daemon, _ = new_daemon(tmp_path, FakePipeline(), datetime(2024, 3, 1, tzinfo=UTC))
    daily = daemon.scheduler.get_job(DAILY_CHECK_JOB)
    assert isinstance(daily.trigger, DailyTrigger)
    assert daily.trigger.check_time == time(9, 0)
    assert daily.trigger.zone == NY
    assert (daily.misfire_grace_time, daily.coalesce, daily.max_instances) == (5400, True, 1)
    assert daemon.scheduler.get_job(STARTUP_CHECK_JOB) is not None
    assert daemon.scheduler.get_job(DELIVERY_JOB) is None
    assert str(daemon.scheduler.timezone) == "America/New_York"


def test_check_then_delivery_at_the_next_due_instant_and_heartbeat(tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    due = [now - timedelta(hours=1), now + timedelta(hours=3, seconds=7)]
    pipeline = FakePipeline(due=list(due))
    daemon, _ = new_daemon(tmp_path, pipeline, now)
    daemon.run_check(label="start-up")
    assert pipeline.named("check") == [now]
    assert pipeline.named("reload") == []  # the start-up check uses what make_pipeline loaded
    assert pipeline.posted == [(due[0], now)]
    assert daemon.scheduled_delivery == due[1]  # the exact instant, not rounded
    beat = read_heartbeat(daemon.heartbeat_path)
    assert beat["pid"] == os.getpid()
    assert beat["last_check"] == "2024-03-01T14:00:00Z"
    assert beat["last_check_result"] == {"found": 2, "enqueued": 1, "skipped": 1}
    assert beat["next_delivery"] == "2024-03-01T17:00:07Z"
    assert beat["next_check"] == "2024-03-02T14:00:00Z"  # 09:00 EST
    assert (beat["checks"], beat["deliveries"], beat["stuck_targets"]) == (1, 1, {})
    assert [p.name for p in daemon.heartbeat_path.parent.iterdir()] == [HEARTBEAT_NAME]


def test_delivery_job_replaced_then_removed_when_nothing_is_pending(tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    due = [now + timedelta(minutes=5), now + timedelta(minutes=9)]
    pipeline = FakePipeline(due=list(due))
    daemon, clock = new_daemon(tmp_path, pipeline, now)
    daemon.run_check()
    assert daemon.scheduled_delivery == due[0]
    clock.now = due[0]
    daemon.run_delivery()
    assert daemon.scheduled_delivery == due[1]
    assert len([j for j in daemon.scheduler.get_jobs() if j.id == DELIVERY_JOB]) == 1
    clock.now = due[1] + timedelta(seconds=2)
    daemon.run_delivery()
    assert daemon.scheduled_delivery is None
    assert pipeline.posted == [(due[0], due[0]), (due[1], due[1] + timedelta(seconds=2))]
    assert read_heartbeat(daemon.heartbeat_path)["deliveries"] == 3


def test_due_now_again_is_retried_a_second_later_not_in_a_busy_loop(tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    pipeline = FakePipeline()
    pipeline.deliver = lambda t: t - timedelta(seconds=5)  # type: ignore[method-assign,assignment]
    daemon, _ = new_daemon(tmp_path, pipeline, now)
    daemon.run_delivery()
    assert daemon.scheduled_delivery == now + timedelta(seconds=1)


def test_bad_reload_keeps_last_good_with_one_log_line_and_still_checks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    pipeline = FakePipeline()
    pipeline.reload_error = ConfigError(
        Problem("config.yaml", "schedule.check_time", "not a time of day: '25:00'", 'use "HH:MM"')
    )
    daemon, _ = new_daemon(tmp_path, pipeline, now)
    with caplog.at_level(logging.INFO, logger="spacebot"):
        daemon._daily_check()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "\n" not in message
    assert "last good" in message
    assert "25:00" in message
    assert "config.yaml" in message
    assert "HH:MM" in message
    assert pipeline.version == 1  # the fake kept its state
    assert pipeline.named("check") == [now]  # the check went on with the last good state
    beat = read_heartbeat(daemon.heartbeat_path)
    assert beat["reload_failures"] == 1
    assert "25:00" in beat["last_reload_error"]
    # the operator fixes the file: the next reload clears the error
    pipeline.reload_error = None
    assert daemon.reload("SIGHUP") is True
    assert daemon.state.last_reload_error is None
    assert pipeline.version == 2


def test_failed_check_is_retried_and_delivery_still_runs(tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    pipeline = FakePipeline(due=[now + timedelta(hours=1)])
    pipeline.check_error = OSError("disk on fire")
    daemon, _ = new_daemon(tmp_path, pipeline, now)
    daemon.run_check()
    retry = daemon.scheduler.get_job(RETRY_CHECK_JOB)
    assert retry.trigger.run_date == now + timedelta(minutes=15)
    assert daemon.scheduled_delivery == now + timedelta(hours=1)
    beat = read_heartbeat(daemon.heartbeat_path)
    assert beat["last_check"] is None
    assert beat["failed_checks"] == 1
    assert assess_health(beat, now, timedelta(hours=26)) == "no check has completed yet"


def test_failed_delivery_is_retried_in_five_minutes(tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 14, tzinfo=UTC)
    pipeline = FakePipeline()
    pipeline.deliver_error = ConnectionError("no route")
    daemon, _ = new_daemon(tmp_path, pipeline, now)
    daemon.run_delivery()
    assert daemon.scheduled_delivery == now + timedelta(minutes=5)


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of heartbeats: skip the disk flush (atomicity is os.replace's job)."""
    monkeypatch.setattr("bot.daemon.scheduler.os.fsync", lambda fd: None)


def ny(y: int, m: int, d: int, hh: int = 0, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=NY, fold=fold).astimezone(UTC)


@pytest.mark.usefixtures("no_fsync")
def test_simulated_weeks_one_check_a_day_and_every_post_at_its_instant(tmp_path: Path) -> None:
    """An event loop over the daemon's own schedule (check time 02:30, New York) through
    the spring-forward and the fall-back weeks, restarted in the middle of each."""
    config = make_config(tmp_path, at=time(2, 30))
    runs = [  # (start, stop) of each life of the daemon
        (ny(2024, 3, 6, 12), ny(2024, 3, 10, 3, 10)),  # stops just after the skipped 02:30
        (ny(2024, 3, 10, 3, 10), ny(2024, 3, 14)),
        (ny(2024, 10, 30, 12), ny(2024, 11, 3, 1, 45, fold=1)),  # in the repeated hour
        (ny(2024, 11, 3, 1, 45, fold=1), ny(2024, 11, 7)),
    ]
    due = [ny(2024, 3, 6, 13) + timedelta(hours=5 * i, seconds=i) for i in range(36)]
    due += [ny(2024, 11, 3, 1, 40, fold=0), ny(2024, 11, 3, 1, 40, fold=1)]
    due += [ny(2024, 11, 3, 1, 50, fold=1), ny(2024, 11, 5, 9)]
    pipeline = FakePipeline(due=sorted(due))
    scheduled: list[datetime] = []
    for start, stop in runs:
        daemon, clock = new_daemon(tmp_path, pipeline, start, config=config)
        daemon.run_check(label="start-up")
        while True:
            nxt_check = daemon.next_check(clock.now)
            nxt_delivery = daemon.scheduled_delivery
            nxt = min(t for t in (nxt_check, nxt_delivery) if t is not None)
            if nxt >= stop:
                break
            clock.now = nxt
            if nxt == nxt_check:
                scheduled.append(nxt)
                daemon._daily_check()
            else:
                daemon.run_delivery()
    assert not pipeline.due
    assert all(sent == d for d, sent in pipeline.posted), "each post at its exact instant"
    local = [c.astimezone(NY) for c in scheduled]
    assert [t.date() for t in local] == [date(2024, 3, d) for d in range(7, 14)] + [
        date(2024, 10, 31)
    ] + [date(2024, 11, d) for d in range(1, 7)]
    assert local[3].hour == 3
    assert local[3].date() == date(2024, 3, 10)
    assert all(t.hour == 2 and t.minute == 30 for i, t in enumerate(local) if i != 3)


@pytest.mark.usefixtures("no_fsync")
def test_scheduled_checks_over_a_year_one_per_day_with_the_daemon_clock(tmp_path: Path) -> None:
    config = make_config(tmp_path, tz="Europe/London", at=time(1, 30))
    pipeline = FakePipeline()
    now = datetime(2024, 1, 1, tzinfo=UTC)
    daemon, clock = new_daemon(tmp_path, pipeline, now, config=config)
    for _ in range(366):
        clock.now = daemon.next_check(clock.now)  # type: ignore[assignment]
        daemon._daily_check()
    days = [c.astimezone(LONDON).date() for c in pipeline.named("check") if c]
    assert days == [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
    assert len(pipeline.named("reload")) == 366  # the daily check reloads first


# -- the real scheduler loop (short, real time) ---------------------------------------


def in_thread(delay: float, action: Callable[[], None]) -> threading.Thread:
    def go() -> None:
        _time.sleep(delay)
        action()

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    return thread


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = _time.monotonic() + timeout
    while _time.monotonic() < deadline:
        if predicate():
            return True
        _time.sleep(0.01)
    return False


def test_loop_posts_at_the_instant_reloads_on_sighup_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    soon = datetime.now(UTC) + timedelta(milliseconds=300)
    pipeline = FakePipeline(due=[soon])
    config = make_config(tmp_path)
    config.state_dir.mkdir(parents=True)
    daemon = Daemon(pipeline, config)

    def drive() -> None:
        assert wait_for(lambda: bool(pipeline.posted))
        os.kill(os.getpid(), signal.SIGHUP)
        assert wait_for(lambda: pipeline.version == 2)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    thread = in_thread(0.0, drive)
    assert daemon.run() == 0
    thread.join(5)
    assert signal.getsignal(signal.SIGTERM) == previous  # handlers restored
    assert pipeline.posted[0][0] == soon
    assert pipeline.posted[0][1] >= soon
    assert pipeline.posted[0][1] - soon < timedelta(seconds=1)
    assert pipeline.named("reload") == [None]
    assert pipeline.version == 2
    # the start-up check, then the re-plan after the reload (a milestone added to the
    # data and due soon must not wait for tomorrow's check)
    assert read_heartbeat(daemon.heartbeat_path)["checks"] == 2
    assert len(pipeline.named("check")) == 2


def test_sigterm_during_a_post_lets_it_finish(tmp_path: Path) -> None:
    pipeline = FakePipeline(due=[datetime.now(UTC) - timedelta(seconds=1)], deliver_seconds=0.3)
    config = make_config(tmp_path)
    config.state_dir.mkdir(parents=True)
    daemon = Daemon(pipeline, config)
    in_thread(0.1, lambda: os.kill(os.getpid(), signal.SIGTERM))  # while the post is in flight
    assert daemon.run() == 0
    assert len(pipeline.posted) == 1
    assert pipeline.named("delivered")
    assert daemon.scheduled_delivery is None or daemon.stopping


# -- the lock -------------------------------------------------------------------------


def test_second_instance_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    with StateLock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
        with pytest.raises(AlreadyRunning) as refused:
            StateLock(tmp_path).acquire()
        assert refused.value.exit_code == 2
        assert f"pid {os.getpid()}" in str(refused.value)
        assert "twice" in str(refused.value)
    with StateLock(tmp_path):  # released: the next one gets it
        pass


# -- heartbeat and health -------------------------------------------------------------


def write_config(tmp_path: Path, *, live: bool = False, **extra: str) -> Path:
    path = tmp_path / "config.yaml"
    lines = [f"state_dir: {tmp_path / 'state'}", "timezone: America/New_York"]
    if not live:  # the health of the live data has tests of its own
        lines.append("sources: {ll2: {enabled: false}}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def ctx_at(now: datetime, env: dict[str, str] | None = None) -> Context:
    return Context(stdout=io.StringIO(), stderr=io.StringIO(), env=env or {}, clock=lambda: now)


def out(ctx: Context) -> str:
    assert isinstance(ctx.stdout, io.StringIO)
    assert isinstance(ctx.stderr, io.StringIO)
    return ctx.stdout.getvalue() + ctx.stderr.getvalue()


def beat(tmp_path: Path, last_check: datetime | None, **kw: Any) -> None:
    state = Heartbeat(mode="daemon", last_check=last_check, **kw)
    (tmp_path / "state").mkdir(exist_ok=True)
    state.write(tmp_path / "state" / HEARTBEAT_NAME, datetime.now(UTC))


NOW = datetime(2024, 3, 10, 12, tzinfo=UTC)


def test_health_exit_codes(tmp_path: Path) -> None:
    cfg = str(write_config(tmp_path))
    ctx = ctx_at(NOW)
    assert main(["health", "--config", cfg], ctx) == 1
    assert "no heartbeat" in out(ctx)

    beat(tmp_path, NOW - timedelta(hours=25))
    ctx = ctx_at(NOW)
    assert main(["health", "--config", cfg], ctx) == 0
    assert out(ctx).startswith("ok: last check 2024-03-09T11:00:00Z")

    beat(tmp_path, NOW - timedelta(hours=27))
    ctx = ctx_at(NOW)
    assert main(["health", "--config", cfg], ctx) == 1
    assert out(ctx) == "unhealthy: last check 2024-03-09T09:00:00Z, 27.0 h ago (limit 26 h)\n"
    assert main(["health", "--config", cfg, "--max-age", "30"], ctx_at(NOW)) == 0

    beat(tmp_path, NOW, stuck_targets={"main-x": "credentials refused (401)"})
    ctx = ctx_at(NOW)
    assert main(["health", "--config", cfg], ctx) == 1
    assert "stuck target(s): main-x (credentials refused (401))" in out(ctx)

    (tmp_path / "state" / HEARTBEAT_NAME).write_text("{not json")
    ctx = ctx_at(NOW)
    assert main(["health", "--config", cfg], ctx) == 1
    assert "cannot read" in out(ctx)


def test_health_never_exits_2_which_docker_reserves(tmp_path: Path) -> None:
    ctx = ctx_at(NOW)
    assert main(["health", "--config", str(tmp_path / "missing.yaml")], ctx) == 1
    assert out(ctx).startswith("unhealthy: bad configuration")
    assert out(ctx).count("\n") == 1


def test_health_follows_spacebot_state_dir(tmp_path: Path) -> None:
    cfg = str(write_config(tmp_path))
    other = tmp_path / "elsewhere"
    other.mkdir()
    Heartbeat(mode="daemon", last_check=NOW).write(other / HEARTBEAT_NAME, NOW)
    assert main(["health", "--config", cfg], ctx_at(NOW, {"SPACEBOT_STATE_DIR": str(other)})) == 0


# -- the commands, with the fake pipeline --------------------------------------------


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch) -> list[tuple[FakePipeline, Config, bool]]:
    made: list[tuple[FakePipeline, Config, bool]] = []
    pipeline = FakePipeline()

    def open_pipeline(config: Config, *, dry_run: bool, **kw: Any) -> FakePipeline:
        pipeline.clock = kw["clock"]
        made.append((pipeline, config, dry_run))
        return pipeline

    monkeypatch.setattr(bot.pipeline, "open_pipeline", open_pipeline)
    return made


def test_check_command_checks_delivers_due_and_leaves_later_posts(
    tmp_path: Path, fake_factory: list[tuple[FakePipeline, Config, bool]]
) -> None:
    at = datetime(2024, 3, 10, 14, tzinfo=UTC)
    cfg = str(write_config(tmp_path))
    ctx = ctx_at(NOW)
    later = [at - timedelta(minutes=1), at + timedelta(days=1)]

    def check() -> int:
        return main(["check", "--config", cfg, "--at", "2024-03-10T14:00:00Z", "--dry-run"], ctx)

    # first run: empty outbox
    assert check() == 0
    pipeline, config, dry_run = fake_factory[-1]
    assert dry_run is True
    assert config.state_dir == tmp_path / "state"
    assert pipeline.named("check") == [at]
    assert pipeline.rehearsals == [True]  # --at: a rehearsal, which moves no position
    assert pipeline.closed
    assert "checked 2024-03-10T14:00:00Z: found 2, enqueued 1, skipped 1; nothing pending" in out(
        ctx
    )
    # second run with posts: the due one goes, the later one stays pending
    pipeline.due = list(later)
    ctx.stdout = io.StringIO()
    assert check() == 0
    assert pipeline.posted == [(later[0], at)]  # delivery sees --at, not the wall clock
    assert "next post due 2024-03-11T14:00:00Z (left pending)" in out(ctx)
    beat_data = read_heartbeat(tmp_path / "state" / HEARTBEAT_NAME)
    assert beat_data["mode"] == "check"
    assert beat_data["last_check"] == "2024-03-10T12:00:00Z"  # when it ran: the wall clock
    assert beat_data["next_delivery"] == "2024-03-11T14:00:00Z"


def test_check_command_refused_while_the_daemon_holds_the_state_dir(
    tmp_path: Path, fake_factory: list[tuple[FakePipeline, Config, bool]]
) -> None:
    cfg = str(write_config(tmp_path))
    ctx = ctx_at(NOW)
    with StateLock(tmp_path / "state"):
        assert main(["check", "--config", cfg], ctx) == 2
    assert "already using it" in out(ctx)
    assert fake_factory == []  # refused before the pipeline (and its outbox) was opened


def test_check_command_fails_naming_a_target_whose_credentials_were_refused(
    tmp_path: Path, fake_factory: list[tuple[FakePipeline, Config, bool]]
) -> None:
    # Regression: `check` exited 0 while a target's credentials were refused.
    ctx = ctx_at(NOW)
    fake_factory_pipeline = FakePipeline(stuck={"main-x": "X authentication failed (401)"})
    code = main(["check", "--config", str(write_config(tmp_path)), "--dry-run"], ctx)
    assert code == 0  # the fixture's pipeline has no stuck target
    fake_factory[-1][0].stuck.update(fake_factory_pipeline.stuck)
    ctx = ctx_at(NOW)
    assert main(["check", "--config", str(write_config(tmp_path)), "--dry-run"], ctx) == 1
    assert "error: target 'main-x': X authentication failed (401)" in out(ctx)


def test_check_command_bad_at_is_exit_2(tmp_path: Path) -> None:
    ctx = ctx_at(NOW)
    assert main(["check", "--config", str(write_config(tmp_path)), "--at", "soon"], ctx) == 2
    assert "not a date or an instant" in out(ctx)


def test_run_command_passes_dry_run_and_stops_cleanly_on_sigterm(
    tmp_path: Path, fake_factory: list[tuple[FakePipeline, Config, bool]]
) -> None:
    cfg = str(write_config(tmp_path))
    ctx = Context(stdout=io.StringIO(), stderr=io.StringIO(), env={})
    heartbeat = tmp_path / "state" / HEARTBEAT_NAME

    def stop() -> None:
        assert wait_for(heartbeat.exists)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = in_thread(0.0, stop)
    assert main(["run", "--config", cfg, "--dry-run", "--log-format", "json"], ctx) == 0
    thread.join(5)
    pipeline, _, dry_run = fake_factory[-1]
    assert dry_run is True
    assert pipeline.closed
    lines = [json.loads(line) for line in out(ctx).splitlines()]
    events = [line.get("event") for line in lines]
    assert events[0] == "start"
    assert "check" in events
    assert events[-1] == "stop"
    check = next(line for line in lines if line.get("event") == "check")
    assert (check["found"], check["enqueued"], check["skipped"]) == (2, 1, 1)
    assert any(
        line["message"] == "received SIGTERM: stopping (no post in flight)" for line in lines
    )


# -- logging ----------------------------------------------------


def test_json_log_lines_carry_the_extra_fields() -> None:
    stream = io.StringIO()
    setup_logging(stream, "json")
    logging.getLogger("spacebot.test").info("found %d", 3, extra={"event": "check", "found": 3})
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "found 3"
    assert entry["found"] == 3
    assert entry["level"] == "INFO"
    assert entry["time"].endswith("Z")
    assert isinstance(JsonFormatter(), logging.Formatter)


def test_text_log_lines_are_one_per_record() -> None:
    stream = io.StringIO()
    setup_logging(stream, "text")
    setup_logging(stream, "text")  # twice: still one handler
    logging.getLogger("spacebot.test").warning("careful")
    assert stream.getvalue().count("\n") == 1
    assert stream.getvalue().rstrip().endswith("WARNING spacebot.test: careful")


def test_user_error_is_reported_as_one_line() -> None:
    from bot.daemon.scheduler import one_line

    err = UserError([Problem("a.yaml", "line 3", "bad", "fix it"), Problem("b", "c", "d")])
    assert one_line(err) == "a.yaml: line 3: bad (fix: fix it); b: c: d"
