"""What the engine looks for: scopes (filters on people), round numbers, kinds, staleness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.milestone import Kind
from bot.core.model import Flight, Person

COUNTRY = "country"  # the scope rule that expands into one scope per citizenship


@dataclass(frozen=True)
class ScopeRule:
    """A filter on people.  ``per_country`` expands to one scope per country code.

    Empty filters match everyone; several filters must all match.
    """

    name: str
    label: str = ""  # words for posts, e.g. "the European record"; empty = built-in wording
    per_country: bool = False
    countries: frozenset[str] = frozenset()
    genders: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    def matches(self, person: Person) -> bool:
        if self.countries and person.country not in self.countries:
            return False
        if self.genders and person.gender not in self.genders:
            return False
        if self.tags and not self.tags.intersection(person.tags):
            return False
        return not self.people or person.id in self.people

    def scope_name(self, person: Person) -> str:
        return person.country if self.per_country else self.name


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
    kinds: frozenset[Kind] = field(default_factory=lambda: frozenset(Kind))


def staleness_horizon(flight: Flight, as_of: datetime, grace: timedelta) -> datetime | None:
    """Until when an ongoing flight may be followed: when the data last vouched for it
    (the live sync that reported it in space, else the data's ``as_of``) or its planned
    landing, whichever is later, plus ``grace``; ``None`` for a flight that landed."""
    if flight.landing is not None:
        return None
    vouched = flight.provenance.fetched_at if flight.provenance is not None else as_of
    known_until = max(flight.planned_landing, vouched) if flight.planned_landing else vouched
    return known_until + grace
