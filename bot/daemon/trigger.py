"""The daily trigger: one check per local calendar day, whatever DST does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger


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
