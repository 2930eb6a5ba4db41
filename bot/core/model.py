"""The mission data as immutable values: people, their flights and a dataset.

Everything here is plain data.  Instants are timezone-aware ``datetime`` objects
in UTC; durations are whole seconds (``int``).  Loading and validation live in
:mod:`bot.files.data`; the milestone engine in :mod:`bot.core.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

Gender = Literal["male", "female", "nonbinary", "unknown"]
# "unknown": from a source that gives no gender (Launch Library 2); no built-in scope
# counts such a person as a man or a woman.
GENDERS: tuple[Gender, ...] = ("male", "female", "nonbinary", "unknown")


def epoch(instant: datetime) -> int:
    """Whole seconds since 1970 for an aware instant (sub-second parts are dropped)."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: every instant must carry a UTC offset")
    return int(instant.timestamp() // 1)


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def iso(instant: datetime) -> str:
    """How every command, log line and state file writes an instant: ``2015-10-15T09:02:01Z``
    (UTC, whole seconds)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Provenance:
    """Where a flight of the live overlay came from (the bundled history has none)."""

    source: str  # "ll2": Launch Library 2
    ids: tuple[str, ...]  # the source's ids, e.g. ("launch:5a3f...", "spacecraft-flight:123")
    fetched_at: datetime  # the sync that last reported it
    confirmed: bool = False  # two syncs far enough apart agreed on every instant of it


@dataclass(frozen=True)
class Flight:
    """One ride of one person: from launch to landing, whatever vehicles carried them."""

    mission: str
    launch: datetime
    landing: datetime | None = None  # None while the person is still in space
    planned_landing: datetime | None = None  # forecasts only; never taken as a fact
    suborbital: bool = False
    launch_vehicle: str | None = None  # e.g. "Soyuz TMA-16M" (optional extension)
    landing_vehicle: str | None = None  # e.g. "Soyuz TMA-18M" (optional extension)
    note: str | None = None
    crew_lost: bool = False  # the flight ended with the death of the person (or its crew)
    provenance: Provenance | None = None  # live data: where it came from; None: history

    @property
    def live(self) -> bool:
        return self.provenance is not None

    @property
    def ongoing(self) -> bool:
        return self.landing is None

    @property
    def duration_seconds(self) -> int | None:
        if self.landing is None:
            return None
        return epoch(self.landing) - epoch(self.launch)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    gender: Gender
    flights: tuple[Flight, ...] = ()
    source_id: str | None = None  # e.g. McDowell's "AS-00397"
    tags: tuple[str, ...] = ()  # free labels operators can filter scopes on (e.g. "esa")
    ll2_id: int | None = None  # the person's id in Launch Library 2, once known


@dataclass(frozen=True)
class Dataset:
    as_of: datetime  # until when the (historical) data is known to be complete
    people: tuple[Person, ...]
    sources: tuple[str, ...] = field(default=())  # files it was read from, for messages
    live_as_of: datetime | None = None  # the sync the live overlay came from, if any

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.id == person_id:
                return p
        raise KeyError(person_id)
