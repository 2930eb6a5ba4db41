"""The mission data as immutable values: people, their flights and a dataset.

Everything here is plain data.  Instants are timezone-aware ``datetime`` objects
in UTC; durations are whole seconds (``int``).  Loading and validation live in
:mod:`bot.files.data`; the milestone engine in :mod:`bot.core.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

# "nonbinary" for people who are neither; "unknown" for people from a source that does not
# say (Launch Library 2 has no gender).  No built-in scope counts either as men or women.
Gender = Literal["male", "female", "nonbinary", "unknown"]
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
    # The country the flight flew under, when it is not one the person counts for today:
    # SU (the Soviet Union, to 1991-12-26), CS (Czechoslovakia), DD (East Germany); DE marks a
    # West German flight before 1990-10-03.  None: the person's own country.
    flag: str | None = None
    # When the vehicle that came home was launched (it may launch after the person did):
    # until then the flight is named by its launch vehicle only.
    landing_vehicle_launch: datetime | None = None
    aborted: bool = False  # a launch abort: kept in the data, never counted as time in space
    provenance: Provenance | None = None  # live data: where it came from; None: history

    @property
    def live(self) -> bool:
        return self.provenance is not None

    @property
    def ongoing(self) -> bool:
        return self.landing is None

    def mission_at(self, instant: datetime) -> str:
        """The flight's name as it stood at ``instant``: a flight up in one vehicle and down
        in another is named by the first until the second has launched ("Starliner CFT"
        until Dragon Crew-9's launch, "Starliner CFT / Dragon Crew-9" from then on).  When
        the data does not say when the second launched, the first names it until the landing.
        """
        if self.landing_vehicle is None or self.landing_vehicle == self.launch_vehicle:
            return self.mission
        if not self.launch_vehicle:
            return self.mission
        switch = self.landing_vehicle_launch or self.landing
        if switch is None or instant < switch:
            return self.launch_vehicle
        return self.mission

    @property
    def duration_seconds(self) -> int | None:
        if self.landing is None:
            return None
        return epoch(self.landing) - epoch(self.launch)


@dataclass(frozen=True)
class Person:
    id: str  # permanent: the first part of every milestone key of the person
    name: str
    country: str  # ISO 3166-1 alpha-2: the primary citizenship
    gender: Gender
    flights: tuple[Flight, ...] = ()
    source_id: str | None = None  # e.g. McDowell's "AS-00397"
    tags: tuple[str, ...] = ()  # free labels operators can filter scopes on (e.g. "esa")
    # Every citizenship that counts, primary (``country``) first; () means (country,).
    countries: tuple[str, ...] = ()
    common_name: str | None = None  # the name posts use, when it differs from ``name``
    short_name: str | None = None  # for a second mention, when the rule gets it wrong
    ll2_id: int | None = None  # the person's id in Launch Library 2, once known

    def __post_init__(self) -> None:
        if not self.countries:
            object.__setattr__(self, "countries", (self.country,))

    @property
    def display_name(self) -> str:
        """The name posts, leaderboards and logs use."""
        return self.common_name or self.name


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
