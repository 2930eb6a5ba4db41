"""What the engine finds: a milestone crossed by one person at one exact instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property


class Kind(StrEnum):
    RECORD_CONSECUTIVE = "record_consecutive"
    RECORD_CUMULATIVE = "record_cumulative"
    MILESTONE_CONSECUTIVE = "milestone_consecutive"
    MILESTONE_CUMULATIVE = "milestone_cumulative"
    MISSION_END = "mission_end"

    def __str__(self) -> str:
        return self.value

    @property
    def is_record(self) -> bool:
        return self in (Kind.RECORD_CONSECUTIVE, Kind.RECORD_CUMULATIVE)

    @property
    def measure(self) -> str:
        """``consecutive`` or ``cumulative`` (``mission_end`` reports both)."""
        if self in (Kind.RECORD_CONSECUTIVE, Kind.MILESTONE_CONSECUTIVE):
            return "consecutive"
        if self in (Kind.RECORD_CUMULATIVE, Kind.MILESTONE_CUMULATIVE):
            return "cumulative"
        return "flight"


@dataclass(frozen=True)
class Holder:
    """A previous record holder, and their value at the crossing instant."""

    person: str
    name: str
    value_seconds: int


@dataclass(frozen=True)
class Rank:
    """A person's place in one scope's standings (1 = first)."""

    scope: str
    measure: str  # "consecutive" | "cumulative"
    rank: int
    of: int  # how many people the scope's standings hold


@dataclass(frozen=True)
class Milestone:
    kind: Kind
    at: datetime  # the exact crossing instant, UTC
    person: str  # person id
    name: str
    country: str
    gender: str
    mission: str  # the flight during which it happened
    flight_launch: datetime
    value_seconds: int  # the measured value at ``at`` (threshold, record value, or flight length)
    total_seconds: int  # the person's cumulative time in space at ``at``
    scopes: tuple[str, ...] = ()  # records: every scope passed, widest first
    previous: Holder | None = None  # records only
    threshold_days: int | None = None  # round-number milestones only
    ranks: tuple[Rank, ...] = ()  # mission_end: standings after landing

    @cached_property
    def key(self) -> str:
        """Stable identity: the same milestone always has the same key, whatever window found it.

        (person, kind, scope, threshold): for records the threshold is the value passed,
        for round numbers the day count, for a mission end the launch instant.
        """
        if self.kind.is_record:
            assert self.previous is not None
            scope = self.scopes[0] if self.scopes else "-"
            threshold = str(self.previous.value_seconds)
        elif self.kind is Kind.MISSION_END:
            scope = "-"
            threshold = self.flight_launch.strftime("%Y%m%dT%H%M%SZ")
        else:
            scope = "-"
            threshold = f"{self.threshold_days}d"
            if self.kind is Kind.MILESTONE_CONSECUTIVE:
                threshold += "@" + self.flight_launch.strftime("%Y%m%dT%H%M%SZ")
        return f"{self.person}/{self.kind.value}/{scope}/{threshold}"
