"""What the engine looks for: scopes (filters on people), round numbers, kinds, staleness.

Countries over time (the one rule, documented in ``docs/data-sources.md``):

* a person counts in the scope of every country of ``Person.countries`` (several
  citizenships: Michael Foale counts for the UK and the US);
* records and standings add up across the end of a former country the way the agencies
  do: a cosmonaut's Soviet flights count in the Russian (or Ukrainian, Kazakh...) scope;
* but each post names the country of its time.  A flight flown under a former country
  (``Flight.flag``: SU, CS, DD) makes its person a member of that country's scope, which
  ends on the country's last day (:data:`ERAS`); the person joins the scopes of their
  later countries on that day, with everything flown so far, and joining posts nothing.
  So the 1975 record is "the Soviet record", Remek ranks "1st in Czechoslovakia" in 1978,
  Jähn in East Germany; the German scope before reunification holds West Germans only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from bot.core.milestone import Kind
from bot.core.model import Flight, Person

COUNTRY = "country"  # the scope rule that expands into one scope per citizenship


@dataclass(frozen=True)
class Era:
    """A former country, as a flight's flag and as a scope of its time."""

    code: str  # "SU"
    end: datetime  # its first day without it: its scope ends, successors' scopes take over


ERAS: Mapping[str, Era] = {
    era.code: era
    for era in (
        Era("SU", datetime(1991, 12, 26, tzinfo=UTC)),  # the Soviet Union (Declaration 142-N)
        Era("CS", datetime(1993, 1, 1, tzinfo=UTC)),  # Czechoslovakia
        Era("DD", datetime(1990, 10, 3, tzinfo=UTC)),  # East Germany (German reunification)
    )
}


@dataclass(frozen=True)
class Membership:
    """One scope a person belongs to, and when: from ``since`` (None: from their first
    flight) to the scope's ``until`` (None: no end; a former country's last day)."""

    scope: str
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ScopeRule:
    """A filter on people.  ``per_country`` expands to one scope per country code.

    Empty filters match everyone; several filters must all match.
    """

    name: str
    label: str = ""  # words for posts, e.g. "the European record"; empty = built-in wording
    member: str = ""  # one member, in posts: "European astronaut" ("by a European astronaut")
    per_country: bool = False
    countries: frozenset[str] = frozenset()
    genders: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    def matches(self, person: Person) -> bool:
        if self.countries and not self.countries.intersection(person.countries):
            return False
        if self.genders and person.gender not in self.genders:
            return False
        if self.tags and not self.tags.intersection(person.tags):
            return False
        return not self.people or person.id in self.people

    def memberships(self, person: Person) -> tuple[Membership, ...]:
        """The scopes this rule puts ``person`` in (none if it does not match): one, or
        for ``per_country`` one per citizenship and one per former country flown under."""
        if not self.matches(person):
            return ()
        if not self.per_country:
            return _always(self.name)
        if not any(f.flag in ERAS for f in person.flights):
            return _always(*person.countries)
        eras = sorted(
            {
                f.flag
                for f in person.flights
                if f.flag is not None and f.flag in ERAS and f.flag not in person.countries
            },
            key=lambda code: ERAS[code].end,
        )
        joins = max((ERAS[code].end for code in eras), default=None)
        return (
            *(Membership(code, until=ERAS[code].end) for code in eras),
            *(Membership(country, since=joins) for country in person.countries),
        )


@lru_cache(maxsize=1024)
def _always(*scopes: str) -> tuple[Membership, ...]:
    """Memberships without a start or an end (the common case, made once)."""
    return tuple(Membership(scope) for scope in scopes)


DEFAULT_SCOPES: tuple[ScopeRule, ...] = (
    ScopeRule("world"),
    ScopeRule(COUNTRY, per_country=True),
    ScopeRule("women", genders=frozenset({"female"})),
)
DEFAULT_CONSECUTIVE_DAYS: tuple[int, ...] = (100, 200, 300, 365, 400)
DEFAULT_CUMULATIVE_DAYS: tuple[int, ...] = (
    100,
    200,
    300,
    365,
    400,
    500,
    600,
    700,
    800,
    900,
    1000,
    1100,
    1200,
    1500,
    2000,
)


@dataclass(frozen=True)
class Rules:
    scopes: tuple[ScopeRule, ...] = DEFAULT_SCOPES  # widest first
    consecutive_days: tuple[int, ...] = DEFAULT_CONSECUTIVE_DAYS
    cumulative_days: tuple[int, ...] = DEFAULT_CUMULATIVE_DAYS
    include_suborbital: bool = False
    grace: timedelta = timedelta(days=3)
    kinds: frozenset[Kind] = field(default_factory=lambda: DEFAULT_KINDS)


# In memoriam posts (the end of a flight that ended with its crew's death) are the
# operator's choice: ``announcements.lost_crews: in_memoriam``.
DEFAULT_KINDS: frozenset[Kind] = frozenset(Kind) - {Kind.IN_MEMORIAM}


def staleness_horizon(flight: Flight, as_of: datetime, grace: timedelta) -> datetime | None:
    """Until when an ongoing flight may be followed: when the data last vouched for it
    (the live sync that reported it in space, else the data's ``as_of``) or its planned
    landing, whichever is later, plus ``grace``; ``None`` for a flight that landed."""
    if flight.landing is not None:
        return None
    vouched = flight.provenance.fetched_at if flight.provenance is not None else as_of
    known_until = max(flight.planned_landing, vouched) if flight.planned_landing else vouched
    return known_until + grace
