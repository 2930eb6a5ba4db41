"""What the engine finds: a milestone crossed by one person at one exact instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    RECORD_CONSECUTIVE = "record_consecutive"
    RECORD_CUMULATIVE = "record_cumulative"
    MILESTONE_CONSECUTIVE = "milestone_consecutive"
    MILESTONE_CUMULATIVE = "milestone_cumulative"
    MISSION_END = "mission_end"
    IN_MEMORIAM = "in_memoriam"  # the end of a flight that ended with its crew's death

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

    @property
    def is_end(self) -> bool:
        """A flight's end: ``mission_end``, or ``in_memoriam`` for a crew lost."""
        return self in (Kind.MISSION_END, Kind.IN_MEMORIAM)


@dataclass(frozen=True)
class Holder:
    """The previous record holder, and their value at the crossing instant.

    Usually one person.  When several people held exactly that value because they flew
    together (one flight's launch and landing), the holder is that crew: ``people`` and
    ``names`` list them all (data order), ``mission`` names their flight when the whole
    crew held it ("the Skylab 4 crew"), and ``name`` is the phrase posts use.
    """

    person: str  # the first (or only) holder's id
    name: str  # "Michael López-Alegría", "Vladimir Titov and Musa Manarov", "the Skylab 4 crew"
    value_seconds: int
    people: tuple[str, ...] = ()  # every holder's id; () means (person,)
    names: tuple[str, ...] = ()  # every holder's name, in the order of ``people``
    short_name: str | None = None  # for a second mention: "Titov and Manarov"
    mission: str | None = None  # the crew's flight, when the whole crew held the record

    @property
    def is_crew(self) -> bool:
        return len(self.people) > 1


@dataclass(frozen=True)
class Rank:
    """A person's place in one scope's standings (1 = first)."""

    scope: str
    measure: str  # "consecutive" | "cumulative"
    rank: int
    of: int  # how many people the scope's standings hold


# Scopes keyed as another scope: a key, once posted, must never change.
KEY_SCOPES = {"SU": "RU"}


@dataclass(frozen=True)
class Milestone:
    kind: Kind
    at: datetime  # the exact crossing instant, UTC
    person: str  # person id
    name: str
    country: str
    gender: str
    mission: str  # the flight during which it happened, named as it stood then
    flight_launch: datetime
    value_seconds: int  # the measured value at ``at`` (threshold, record value, or flight length)
    total_seconds: int  # the person's cumulative time in space at ``at``
    scopes: tuple[str, ...] = ()  # records: every scope passed, widest first
    previous: Holder | None = None  # records only
    threshold_days: int | None = None  # round-number milestones only
    ranks: tuple[Rank, ...] = ()  # mission_end: standings after landing
    short_name: str | None = None  # the person's name for a second mention, when set in data

    @property
    def key(self) -> str:
        """Stable identity: the same milestone always has the same key, whatever window found it.

        (person, kind, scope, threshold): for records the threshold is the value passed
        (whoever held it: one person or a crew), for round numbers the day count, for a
        mission end the launch instant.  A Soviet record is keyed as a Russian one (Russia
        is the Soviet Union's continuator state, and these records were keyed so before the
        Soviet scope existed): :data:`KEY_SCOPES`.

        Worked out once per milestone (kept in the instance's ``__dict__``: a preview asks
        for every key several times; ``functools.cached_property`` takes a lock each time
        on Python 3.11).
        """
        try:
            return self.__dict__["_key"]  # type: ignore[no-any-return]
        except KeyError:
            key = self.__dict__["_key"] = self._make_key()
            return key

    def _make_key(self) -> str:
        if self.kind.is_record:
            assert self.previous is not None
            scope = self.scopes[0] if self.scopes else "-"
            scope = KEY_SCOPES.get(scope, scope)
            threshold = str(self.previous.value_seconds)
        elif self.kind.is_end:
            scope = "-"
            threshold = self.flight_launch.strftime("%Y%m%dT%H%M%SZ")
        else:
            scope = "-"
            threshold = f"{self.threshold_days}d"
            if self.kind is Kind.MILESTONE_CONSECUTIVE:
                threshold += "@" + self.flight_launch.strftime("%Y%m%dT%H%M%SZ")
        return f"{self.person}/{self.kind.value}/{scope}/{threshold}"
