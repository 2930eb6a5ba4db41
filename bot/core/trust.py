"""Whether the data can back a milestone: pure rules over the model.

A post is a public claim under the operator's name, so before one goes out the data
behind it must be trusted:

* a **record** that depends on live data (a flight of the new holder or of the holder
  passed came from Launch Library 2) waits until every such flight is ``confirmed``
  (two syncs far enough apart agreed on its instants); round numbers and mission ends
  need one sync;
* nothing about a flight whose **crew was lost** is posted automatically: its posts are
  held for the operator.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.milestone import Milestone
from bot.core.model import Dataset, Flight

AWAITING_CONFIRMATION = "awaiting confirmation by a second sync"
CREW_LOST = "a crew lost in flight: nothing about it is posted without the operator"


def flights_behind(m: Milestone, dataset: Dataset) -> list[Flight]:
    """The flights a milestone's values come from: the person's up to the instant, and
    for a record, the flights of the holder(s) passed."""
    people = [m.person]
    if m.previous is not None:
        people.append(m.previous.person)
    out: list[Flight] = []
    for person in dataset.people:
        if person.id in people:
            out.extend(f for f in person.flights if f.launch <= m.at)
    return out


def flight_of(m: Milestone, dataset: Dataset) -> Flight | None:
    """The flight during (or at the end of) which the milestone happened."""
    for person in dataset.people:
        if person.id == m.person:
            for flight in person.flights:
                if flight.launch == m.flight_launch:
                    return flight
    return None


def hold_reason(members: Sequence[Milestone], dataset: Dataset) -> str | None:
    """Why a post about ``members`` must not go out now on this data (``None``: it may)."""
    for m in members:
        flight = flight_of(m, dataset)
        if flight is not None and flight.crew_lost:
            return CREW_LOST
    for m in members:
        if not m.kind.is_record:
            continue
        for flight in flights_behind(m, dataset):
            provenance = flight.provenance
            if provenance is not None and not provenance.confirmed:
                return AWAITING_CONFIRMATION
    return None
