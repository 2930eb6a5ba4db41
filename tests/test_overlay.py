"""The live overlay laid over the history (pure): history wins, and the overlay can never
change a milestone before the history's as_of."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from builders import at, dataset, flight, person
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.engine import find_milestones
from bot.core.model import Dataset, Flight, Person, Provenance
from bot.core.overlay import apply_overlay
from bot.core.rules import Rules
from bot.sources.ll2.merge import name_key

AS_OF = 1000.0  # days after the builders' origin


def live(f: Flight, fetched: float = AS_OF + 10) -> Flight:
    return replace(f, provenance=Provenance("ll2", ("launch:x",), at(fetched)))


HISTORY = dataset(
    person("ann", flight(100, 300), flight(900, None)),
    person("bob", flight(200, 450)),
    person("cyd", flight(500, 700), country="RU", gender="female"),
    as_of=AS_OF,
)


def test_a_landing_before_the_history_as_of_is_refused() -> None:
    overlay = dataset(person("ann", live(flight(900, 950))), as_of=AS_OF + 10)
    merged, ignored = apply_overlay(HISTORY, overlay)
    assert merged.person("ann") == HISTORY.person("ann")
    assert "the history has them in space at its as_of" in str(ignored[0])


def test_a_landing_for_an_open_flight_is_added() -> None:
    overlay = dataset(person("ann", live(flight(900, 1005))), as_of=AS_OF + 10)
    merged, ignored = apply_overlay(HISTORY, overlay)
    assert ignored == []
    ann = merged.person("ann")
    assert ann.flights[-1].landing == at(1005)
    assert ann.flights[-1].provenance is not None
    assert merged.as_of == HISTORY.as_of  # the history's completeness does not move
    assert merged.live_as_of == at(AS_OF + 10)


def test_history_wins_for_what_it_closes() -> None:
    overlay = dataset(
        person("bob", live(flight(200, 460))),  # the history lands it at 450
        person("cyd", live(flight(800, 850))),  # a flight the history lacks, before as_of
        as_of=AS_OF + 10,
    )
    merged, ignored = apply_overlay(HISTORY, overlay)
    assert merged.person("bob") == HISTORY.person("bob")
    assert merged.person("cyd") == HISTORY.person("cyd")
    reasons = " ".join(str(i) for i in ignored)
    assert "bob, M200: the history closes this flight" in reasons
    assert "cyd, M800: launched" in reasons
    assert "history wins" in reasons


def test_new_people_and_later_flights_are_added_without_overlap() -> None:
    overlay = dataset(
        person("bob", live(flight(1001, None))),
        person("dee", live(flight(1002, 1020))),
        person("ann", live(flight(1001, 1003))),  # ann is still in her open flight
        as_of=AS_OF + 30,
    )
    merged, ignored = apply_overlay(HISTORY, overlay)
    assert [f.launch for f in merged.person("bob").flights][-1] == at(1001)
    assert merged.person("dee").flights[0].landing == at(1020)
    assert len(merged.person("ann").flights) == 2
    assert any("overlap" in str(i) for i in ignored)


def test_an_open_flight_is_followed_only_as_far_as_a_sync_vouched_for_it() -> None:
    rules = Rules(grace=timedelta(days=3))
    history = dataset(person("ann", flight(900, None)), as_of=AS_OF)
    result = find_milestones(history, rules, at(0), at(AS_OF + 400))
    assert result.horizon == at(AS_OF + 3)
    vouched = dataset(person("ann", live(flight(900, None), fetched=AS_OF + 50)), as_of=AS_OF + 50)
    merged, _ = apply_overlay(history, vouched)
    assert find_milestones(merged, rules, at(0), at(AS_OF + 400)).horizon == at(AS_OF + 53)


# -- the property -----------------------------------------------------------------------------


@st.composite
def overlays(draw: st.DrawFn) -> Dataset:
    people: list[Person] = []
    for pid in draw(st.lists(st.sampled_from(["ann", "bob", "cyd", "dee", "eve"]), unique=True)):
        flights = []
        for _ in range(draw(st.integers(0, 3))):
            # a launch anywhere, or exactly one of the history's (to change that flight)
            launch = draw(
                st.one_of(
                    st.floats(0, AS_OF + 200, allow_nan=False),
                    st.sampled_from([100.0, 200.0, 500.0, 900.0]),
                )
            )
            length = draw(st.one_of(st.none(), st.floats(0.01, 400, allow_nan=False)))
            end = None if length is None else launch + length
            flights.append(live(flight(launch, end), fetched=AS_OF + 200))
        people.append(person(pid, *flights))
    return dataset(*people, as_of=AS_OF + 200)


@settings(max_examples=60, deadline=None)
@given(overlays())
def test_the_overlay_never_changes_a_milestone_before_the_history_as_of(
    overlay: Dataset,
) -> None:
    rules = Rules(grace=timedelta(0))  # the history's open flight stops at its as_of
    window = (at(0), at(AS_OF))
    before = find_milestones(HISTORY, rules, *window).milestones
    merged, _ = apply_overlay(HISTORY, overlay)
    assert find_milestones(merged, rules, *window).milestones == before


# -- names ---------------------------------------------------------------------------------------


def test_names_match_across_transliterations_and_initials() -> None:
    assert name_key("Pyotr Dubrov") == name_key("Petr Dubrov")
    assert name_key("Robert L. Behnken") == name_key("Robert Behnken")
    assert name_key("Sergey Kud-Sverchkov") == name_key("Sergei Kud-Sverchkov")
    assert name_key("Yuriy Malenchenko") == name_key("Yuri Malenchenko")
    assert name_key("Michael López-Alegría") == name_key("Michael Lopez-Alegria")
    assert name_key("Anil Menon") != name_key("Anna Menon")


def test_builders_origin_is_utc() -> None:
    assert at(0) == datetime(2000, 1, 1, tzinfo=UTC)
