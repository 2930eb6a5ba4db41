"""The milestone engine's semantics, on small hand-made histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.engine import find_milestones, standings
from bot.core.milestone import Kind
from bot.core.rules import Rules, ScopeRule
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


# --- issue 10: citizenships, former countries, crews, lost crews, aborted launches -------


def citizen(pid, *flights, countries=("US",), gender="male"):
    return replace(person(pid, *flights, country=countries[0], gender=gender), countries=countries)


def test_a_person_counts_in_the_scope_of_every_citizenship():
    ds = dataset(
        citizen("foale", flight(0, 30), countries=("US", "GB")),
        citizen("peake", flight(100, 120), countries=("GB",)),
        citizen("sharman", flight(-50, -40), countries=("GB",)),
    )
    found = records(ds)
    assert {(m.person, m.scopes) for m in found} == {("foale", ("world", "GB"))}
    assert standings(ds, RECORDS, "cumulative", "GB", at(200))[0].person == "foale"
    # an operator scope on countries matches any of them
    europe = ScopeRule("europe", countries=frozenset({"GB", "FR"}))
    assert europe.matches(ds.person("foale"))


# 1991-12-26, the Soviet Union's last day but one, is 2,928 days before the builders' origin.
END_SU = -2928


def soviet(pid, *flights, countries=("RU",)):
    flagged = tuple(replace(f, flag="SU") if f.launch < at(END_SU) else f for f in flights)
    return citizen(pid, *flagged, countries=countries)


def test_a_former_country_has_its_own_scope_until_its_end():
    ds = dataset(
        soviet("ru-first", flight(END_SU - 400, END_SU - 390)),
        soviet("ua-later", flight(END_SU - 200, END_SU - 180), countries=("UA",)),
        soviet("ru-later", flight(END_SU + 100, END_SU + 115)),
    )
    found = {(m.person, m.kind, m.scopes) for m in records(ds)}
    # 1991: the Soviet record, of a cosmonaut who is Ukrainian later
    assert ("ua-later", Kind.RECORD_CONSECUTIVE, ("world", "SU")) in found
    # 1992: the Russian record passes the Soviet-era Russian's 10 days, not the Ukrainian's
    (russian,) = [
        m
        for m in records(ds)
        if m.person == "ru-later" and m.scopes == ("RU",) and m.kind.measure == "consecutive"
    ]
    assert russian.previous is not None
    assert russian.previous.person == "ru-first"
    assert not [m for m in records(ds) if set(m.scopes) & {"UA"}]  # joining passes no one
    # a Soviet record is keyed as a Russian one (the key it had before the Soviet scope)
    american = person("american", flight(END_SU - 900, END_SU - 800))  # holds the world's
    (soviet_record,) = [
        m
        for m in records(dataset(*ds.people, american))
        if m.person == "ua-later" and m.kind.measure == "consecutive"
    ]
    assert soviet_record.scopes == ("SU",)
    assert soviet_record.key == f"ua-later/record_consecutive/RU/{10 * DAY}"
    assert standings(ds, RECORDS, "cumulative", "SU", at(0))[0].person == "ua-later"
    assert [s.person for s in standings(ds, RECORDS, "cumulative", "RU", at(END_SU - 1))] == []


def test_in_flight_at_a_former_countrys_end_the_value_grows_on_in_the_successor():
    krikalev = soviet("krikalev", flight(END_SU - 200, END_SU + 90))
    rival = citizen("rival", flight(END_SU + 10, END_SU + 30), countries=("RU",))
    ds = dataset(krikalev, rival)
    assert [m.person for m in records(ds)] == []  # joined in flight, leads: no one passes
    ranks = find_milestones(ds, Rules(), at(END_SU + 89), at(END_SU + 91)).milestones
    (landing,) = [m for m in ranks if m.kind is Kind.MISSION_END]
    assert {r.scope for r in landing.ranks} == {"world", "RU"}  # the Soviet Union is gone


def test_a_record_held_by_a_crew_names_the_crew():
    crew = [person(p, flight(0, 10, mission="Skylab 4")) for p in ("carr", "gibson", "pogue")]
    ds = dataset(*crew, person("grechko", flight(20, 40)))
    (m, _) = records(ds)
    assert m.previous is not None
    assert m.previous.name == "the Skylab 4 crew"
    assert m.previous.people == ("carr", "gibson", "pogue")
    assert m.key == f"grechko/{m.kind.value}/world/{10 * DAY}"  # the key names no holder
    # named in the source's order (McDowell numbers Titov, who flew first, before Manarov)
    pair = [
        replace(person(p, flight(0, 10)), source_id=sid)
        for p, sid in (("manarov", "AS-00210"), ("titov", "AS-00125"))
    ]
    (m, _) = records(dataset(*pair, person("polyakov", flight(20, 40))))
    assert m.previous is not None
    assert (m.previous.name, m.previous.short_name) == ("Titov and Manarov", "Titov and Manarov")
    # three women of a crew of four passed in the women's scope: named, not "the crew"
    crew = [person(p, flight(0, 10), gender="female") for p in ("w1", "w2", "w3")]
    others = [person("m1", flight(0, 10)), person("m2", flight(-50, -35))]
    women = records(dataset(*crew, *others, person("w4", flight(20, 32), gender="female")))
    assert {m.scopes for m in women} == {("women",)}
    assert women[0].previous is not None
    assert women[0].previous.name == "W1, W2 and W3"
    # equal values by chance, on different flights: one holder, as before
    apart = dataset(
        person("a", flight(0, 10)), person("b", flight(11, 21)), person("c", flight(30, 50))
    )
    (m, _) = records(apart)
    assert m.previous is not None
    assert not m.previous.is_crew


def test_a_lost_crew_never_lands_and_in_memoriam_is_a_choice():
    lost = replace(flight(0, 20, mission="Soyuz 11"), crew_lost=True)
    ds = dataset(person("volkov", lost), person("other", flight(30, 35)))
    ends = find_milestones(ds, Rules(), at(-1), at(100)).milestones
    assert [m.kind for m in ends if m.person == "volkov"] == []
    rules = Rules(kinds=frozenset(Kind))
    (memoriam,) = [m for m in find_milestones(ds, rules, at(-1), at(100)).milestones
                   if m.person == "volkov"]  # fmt: skip
    assert memoriam.kind is Kind.IN_MEMORIAM
    assert memoriam.ranks == ()
    assert memoriam.key == "volkov/in_memoriam/-/20000101T000000Z"
    assert standings(ds, Rules(), "cumulative", "world", at(50))[0].person == "volkov"


def test_an_aborted_launch_never_counts():
    abort = replace(flight(0, 0.01, mission="Soyuz 18a"), suborbital=True, aborted=True)
    ds = dataset(person("makarov", abort, flight(10, 12)))
    rules = Rules(include_suborbital=True)
    assert standings(ds, rules, "cumulative", "world", at(20))[0].value_seconds == 2 * DAY
    assert [m.at for m in find_milestones(ds, rules, at(-1), at(20)).milestones] == [at(12)]


def test_a_flight_is_named_by_its_launch_vehicle_until_the_other_has_launched():
    swap = replace(
        flight(0, 300, mission="Starliner CFT / Dragon Crew-9"),
        launch_vehicle="Starliner CFT",
        landing_vehicle="Dragon Crew-9",
        landing_vehicle_launch=at(150),
    )
    ds = dataset(person("wilmore", swap))
    found = find_milestones(ds, Rules(), at(-1), at(400)).milestones
    assert [(m.threshold_days, m.mission) for m in found if m.threshold_days] == [
        (100, "Starliner CFT"),
        (200, "Starliner CFT / Dragon Crew-9"),
    ]
    assert found[-1].mission == "Starliner CFT / Dragon Crew-9"  # the landing
