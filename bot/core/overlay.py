"""The live overlay laid over the bundled history: pure, data in and data out.

The overlay (written by ``spacebot sync`` from Launch Library 2, in the same schema as
the history) may only ADD: a landing (or a planned landing) to a flight the history
leaves open, flights launched after the history's ``as_of``, and new people.  History
wins for everything it closes: an overlay entry that would change a closed flight, or
add a flight before the history's ``as_of`` (the history is complete until then), is
left out and reported.  So the overlay can never change a milestone before ``as_of``.

An overlay flight without a landing vouches that the person was in space at its
``provenance.fetched_at``: the engine follows it until then (plus the grace), while an
open flight of the history that no sync vouches for is followed only until the
history's ``as_of`` (plus the grace), so stale or doubtful data never makes a record.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.model import Dataset, Flight, Person, iso


@dataclass(frozen=True)
class Ignored:
    """An overlay entry left out, and why."""

    person: str
    mission: str
    reason: str
    launch: datetime | None = None  # the overlay flight's launch (None: the whole entry)

    def __str__(self) -> str:
        return f"{self.person}, {self.mission}: {self.reason}"


def apply_overlay(base: Dataset, overlay: Dataset) -> tuple[Dataset, list[Ignored]]:
    """``base`` with ``overlay`` laid over it (see the module docstring)."""
    ignored: list[Ignored] = []
    by_id = {p.id: p for p in overlay.people}
    people: list[Person] = []
    for person in base.people:
        extra = by_id.pop(person.id, None)
        people.append(person if extra is None else _merge(person, extra, base, ignored))
    for person in by_id.values():  # people the history does not know
        flights = []
        for flight in person.flights:
            if flight.launch < base.as_of:
                ignored.append(_before_as_of(person, flight, base))
            else:
                flights.append(flight)
        if flights:
            people.append(_checked(replace(person, flights=tuple(flights)), set(), ignored))
    merged = Dataset(
        as_of=base.as_of,  # the history is complete until then; live flights say more
        people=tuple(people),
        sources=base.sources + overlay.sources,
        live_as_of=overlay.as_of,
    )
    return merged, ignored


def _merge(person: Person, extra: Person, base: Dataset, ignored: list[Ignored]) -> Person:
    flights = list(person.flights)
    added: set[int] = set()  # positions of flights the overlay contributed
    for new in extra.flights:
        index = next((i for i, f in enumerate(flights) if f.launch == new.launch), None)
        if index is None:
            if new.launch < base.as_of:
                ignored.append(_before_as_of(person, new, base))
                continue
            flights.append(new)
            added.add(len(flights) - 1)
            continue
        old = flights[index]
        if old.landing is not None:
            if (new.landing, new.crew_lost) != (old.landing, old.crew_lost):
                ignored.append(
                    Ignored(
                        person.id,
                        old.mission,
                        f"the history closes this flight (landing {iso(old.landing)}); "
                        "history wins",
                        new.launch,
                    )
                )
            continue
        if new.landing is not None and new.landing < base.as_of:
            ignored.append(
                Ignored(
                    person.id,
                    old.mission,
                    f"a landing at {iso(new.landing)}, but the history has them in space at "
                    f"its as_of {iso(base.as_of)}; history wins",
                    new.launch,
                )
            )
            continue
        flights[index] = replace(
            old,
            landing=new.landing,
            planned_landing=new.planned_landing or old.planned_landing,
            crew_lost=old.crew_lost or new.crew_lost,
            landing_vehicle=new.landing_vehicle or old.landing_vehicle,
            provenance=new.provenance,
        )
        added.add(index)
    order = sorted(range(len(flights)), key=lambda i: flights[i].launch)
    ordered = [flights[i] for i in order]
    kept_added = {order.index(i) for i in added}
    merged = replace(
        person,
        flights=tuple(ordered),
        ll2_id=person.ll2_id if person.ll2_id is not None else extra.ll2_id,
    )
    return _checked(merged, kept_added, ignored)


def _checked(person: Person, added: set[int], ignored: list[Ignored]) -> Person:
    """Drop overlay flights that would overlap another flight, or be a second open one."""
    flights = list(person.flights)
    bad: set[int] = set()
    for (i, a), (j, b) in itertools.pairwise(enumerate(flights)):
        if a.landing is None or a.landing > b.launch:
            culprit = j if j in added or i not in added else i
            bad.add(culprit)
    for i in sorted(bad):
        ignored.append(
            Ignored(
                person.id,
                flights[i].mission,
                "it would overlap another flight of theirs",
                flights[i].launch,
            )
        )
    kept = tuple(f for i, f in enumerate(flights) if i not in bad)
    return replace(person, flights=kept)


def _before_as_of(person: Person, flight: Flight, base: Dataset) -> Ignored:
    return Ignored(
        person.id,
        flight.mission,
        f"launched {iso(flight.launch)}, before the history's as_of {iso(base.as_of)}, "
        "and the history does not have it; history wins",
        flight.launch,
    )
