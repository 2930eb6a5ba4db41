"""The milestone engine's semantics, on small hand-made histories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.engine import find_milestones, standings
from bot.core.milestone import Kind
from bot.core.rules import Rules
from tests.builders import DAY, at, dataset, flight, person

RECORDS = Rules(kinds=frozenset({Kind.RECORD_CONSECUTIVE, Kind.RECORD_CUMULATIVE}))


def records(ds, rules=RECORDS, start=-1e5, end=1e5):
    return find_milestones(ds, rules, at(start), at(end)).milestones


def test_passing_a_landed_record_happens_when_the_values_are_equal_and_then_grow():
    ds = dataset(person("a", flight(0, 10)), person("b", flight(20, 40)))
    (consecutive, cumulative) = sorted(records(ds), key=lambda m: m.kind.value)
    assert consecutive.kind is Kind.RECORD_CONSECUTIVE
    assert consecutive.person == "b"
    assert consecutive.at == at(30)
    assert consecutive.previous is not None
    assert consecutive.previous.person == "a"
    assert consecutive.previous.value_seconds == 10 * DAY
    assert consecutive.value_seconds == 10 * DAY
    assert consecutive.scopes == ("world", "US")
    assert cumulative.kind is Kind.RECORD_CUMULATIVE
    assert cumulative.at == at(30)


def test_exact_second_arithmetic():
    ds = dataset(
        person("a", flight(0, 10 + 7 / DAY)),  # 10 days and 7 seconds
        person("b", flight(20, 40)),
    )
    (m, _) = records(ds)
    assert m.at == at(30 + 7 / DAY)
    assert m.previous is not None
    assert m.previous.value_seconds == 10 * DAY + 7


def test_equalling_a_record_passes_nothing():
    ds = dataset(person("a", flight(0, 10)), person("b", flight(20, 30)))
    assert records(ds) == []


def test_one_second_more_passes_it():
    ds = dataset(person("a", flight(0, 10)), person("b", flight(20, 30 + 1 / DAY)))
    assert {m.kind for m in records(ds)} == {Kind.RECORD_CONSECUTIVE, Kind.RECORD_CUMULATIVE}


def test_the_first_person_in_a_scope_passes_no_one():
    ds = dataset(person("a", flight(0, 10)), person("b", flight(20, 25)))
    assert records(ds) == []


def test_crewmates_in_step_both_pass_the_record():
    ds = dataset(
        person("a", flight(0, 10)),
        person("b", flight(20, 40)),
        person("c", flight(20, 40)),
    )
    found = [m for m in records(ds) if m.kind is Kind.RECORD_CONSECUTIVE]
    assert [(m.person, m.at) for m in found] == [("b", at(30)), ("c", at(30))]


def test_a_crewmate_behind_in_total_does_not_pass_the_one_ahead():
    # b and c fly together; b has more time from before, so only b leads in cumulative.
    ds = dataset(
        person("a", flight(0, 30)),
        person("b", flight(5, 15), flight(40, 80)),
        person("c", flight(40, 80)),
    )
    cumulative = [m for m in records(ds) if m.kind is Kind.RECORD_CUMULATIVE]
    assert [(m.person, m.at) for m in cumulative] == [("b", at(60))]


def test_extending_ones_own_record_is_no_new_record():
    ds = dataset(
        person("a", flight(0, 5)),
        person("b", flight(10, 30), flight(50, 90)),
    )
    found = records(ds)
    assert [(m.kind, m.at) for m in found] == [
        (Kind.RECORD_CONSECUTIVE, at(15)),
        (Kind.RECORD_CUMULATIVE, at(15)),
    ]


def test_an_ongoing_competitor_counts_as_it_stands():
    # a is in space when b passes a's old value; a's growing value blocks b until a lands.
    ds = dataset(
        person("a", flight(0, 10), flight(100, 130)),
        person("z", flight(0, 1)),
        person("b", flight(95, 160)),
    )
    cumulative = [m for m in records(ds) if m.kind is Kind.RECORD_CUMULATIVE]
    # a lands at 130 with 40 days in total; b (launched 95) reaches 40 days at 135.
    assert [(m.person, m.at) for m in cumulative][-1] == ("b", at(135))
    assert cumulative[-1].previous is not None
    assert cumulative[-1].previous.person == "a"


def test_regaining_the_record_names_the_one_passed():
    ds = dataset(
        person("a", flight(0, 10), flight(100, 140)),
        person("b", flight(20, 50)),
    )
    consecutive = [m for m in records(ds) if m.kind is Kind.RECORD_CONSECUTIVE]
    assert [(m.person, m.at, m.previous.person) for m in consecutive] == [
        ("b", at(30), "a"),
        ("a", at(130), "b"),
    ]


def test_several_scopes_at_once_make_one_milestone_widest_first():
    ds = dataset(
        person("anna", flight(0, 10), country="RU", gender="female"),
        person("olga", flight(20, 40), country="RU", gender="female"),
    )
    (m, _) = records(ds)
    assert m.scopes == ("world", "RU", "women")


def test_a_record_in_a_narrower_scope_only():
    ds = dataset(
        person("ivan", flight(0, 50), country="RU"),
        person("john", flight(0, 10), country="US"),
        person("jim", flight(20, 40), country="US"),
    )
    (m, _) = records(ds)
    assert (m.person, m.scopes, m.at) == ("jim", ("US",), at(30))


def test_operator_scope():
    from bot.core.rules import DEFAULT_SCOPES, ScopeRule

    rules = Rules(
        scopes=(*DEFAULT_SCOPES, ScopeRule("europe", countries=frozenset({"FR", "DE"}))),
        kinds=RECORDS.kinds,
    )
    ds = dataset(
        person("jean", flight(0, 10), country="FR"),
        person("hans", flight(20, 40), country="DE"),
    )
    consecutive = [m for m in records(ds, rules) if m.kind is Kind.RECORD_CONSECUTIVE]
    assert [m.scopes for m in consecutive] == [("world", "europe")]


def test_round_numbers_consecutive_and_cumulative():
    rules = Rules(
        kinds=frozenset({Kind.MILESTONE_CONSECUTIVE, Kind.MILESTONE_CUMULATIVE}),
        consecutive_days=(100,),
        cumulative_days=(100, 200),
    )
    ds = dataset(person("a", flight(0, 60), flight(100, 250)))
    found = find_milestones(ds, rules, at(-1), at(1000)).milestones
    assert [(m.kind, m.threshold_days, m.at) for m in found] == [
        (Kind.MILESTONE_CUMULATIVE, 100, at(140)),
        (Kind.MILESTONE_CONSECUTIVE, 100, at(200)),
        (Kind.MILESTONE_CUMULATIVE, 200, at(240)),
    ]


def test_mission_end_carries_duration_total_and_ranks():
    rules = Rules(kinds=frozenset({Kind.MISSION_END}))
    ds = dataset(
        person("a", flight(0, 50)),
        person("b", flight(0, 10), flight(20, 40 + 1 / DAY)),
    )
    found = find_milestones(ds, rules, at(35), at(45)).milestones
    (end,) = found
    assert end.kind is Kind.MISSION_END
    assert end.person == "b"
    assert end.value_seconds == 20 * DAY + 1
    assert end.total_seconds == 30 * DAY + 1
    ranks = {(r.scope, r.measure): (r.rank, r.of) for r in end.ranks}
    assert ranks[("world", "cumulative")] == (2, 2)
    assert ranks[("world", "consecutive")] == (2, 2)


def test_stale_ongoing_flight_yields_nothing_beyond_its_horizon():
    rules = Rules(grace=timedelta(days=3))
    ds = dataset(
        person("a", flight(0, 10)),
        person("b", flight(100, None)),
        as_of=105,
    )
    result = find_milestones(ds, rules, at(0), at(1000))
    assert [m for m in result.milestones if m.person == "b"] == []  # b passes a at day 110
    assert result.horizon == at(108)
    assert [s.person for s in result.stale] == ["b"]
    fresh = dataset(person("a", flight(0, 10)), person("b", flight(100, None)), as_of=109)
    later = find_milestones(fresh, rules, at(50), at(1000)).milestones
    assert {(m.person, m.at) for m in later} == {("b", at(110))}


def test_planned_landing_extends_how_far_an_ongoing_flight_is_followed():
    from bot.core.model import Flight

    ds = dataset(
        person("a", flight(0, 10)),
        person("b", Flight("M", at(100), None, planned_landing=at(200))),
        as_of=105,
    )
    result = find_milestones(ds, RECORDS, at(0), at(1000))
    assert {m.at for m in result.milestones} == {at(110)}
    assert result.horizon == at(203)


def test_suborbital_flights_count_only_when_asked():
    from bot.core.model import Flight

    hop = Flight("NS", at(0), at(0.01), suborbital=True)
    ds = dataset(person("a", hop), person("b", flight(5, 6)))
    assert records(ds) == []
    with_hops = Rules(kinds=RECORDS.kinds, include_suborbital=True)
    assert {m.person for m in records(ds, with_hops)} == {"b"}


def test_window_is_half_open():
    ds = dataset(person("a", flight(0, 10)), person("b", flight(20, 40)))
    assert records(ds, start=30, end=31) != []
    assert records(ds, start=29, end=30) == []


def test_standings():
    ds = dataset(
        person("a", flight(0, 10)), person("b", flight(20, 40)), person("c", flight(5, 15))
    )
    rows = standings(ds, Rules(), "cumulative", "world", at(25))
    assert [(r.person, r.rank, r.value_seconds, r.in_space) for r in rows] == [
        ("a", 1, 10 * DAY, False),
        ("c", 1, 10 * DAY, False),
        ("b", 3, 5 * DAY, True),
    ]
    with pytest.raises(ValueError, match="measure"):
        standings(ds, Rules(), "height", "world", at(25))


def test_regression_ongoing_flight_launched_after_the_horizon_does_not_grow_forever():
    # Found by hypothesis: a zero-length span made its stop sort before its start, so
    # the person grew for ever and "passed" a record at the very instant of launch.
    ds = dataset(
        person("a", flight(0, 0.25)),
        person("b", flight(0.3, 0.55), flight(0.75, None)),
        as_of=0,
    )
    rules = Rules(grace=timedelta(0), kinds=RECORDS.kinds)
    assert records(ds, rules) == []


def test_a_first_flight_announces_a_round_number_once_not_as_both_flight_and_total():
    rules = Rules(
        kinds=frozenset({Kind.MILESTONE_CONSECUTIVE, Kind.MILESTONE_CUMULATIVE}),
        consecutive_days=(100,),
        cumulative_days=(100, 150),
    )
    ds = dataset(person("rookie", flight(0, 200)))
    found = find_milestones(ds, rules, at(-1), at(1000)).milestones
    assert [(m.kind, m.threshold_days) for m in found] == [
        (Kind.MILESTONE_CONSECUTIVE, 100),
        (Kind.MILESTONE_CUMULATIVE, 150),
    ]
