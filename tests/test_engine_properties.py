"""Invariants of the engine, checked on random histories (hypothesis)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import build_timelines, find_milestones
from bot.core.milestone import Kind
from bot.core.model import Dataset, Flight, Person
from bot.core.rules import Rules
from tests.builders import ORIGIN

RULES = Rules(consecutive_days=(1, 2, 5), cumulative_days=(1, 3, 7), grace=timedelta(0))
DAY = 86_400


@st.composite
def histories(draw: st.DrawFn) -> Dataset:
    count = draw(st.integers(1, 6))
    people = []
    for i in range(count):
        flights = []
        t = draw(st.integers(0, 5 * DAY))
        for _ in range(draw(st.integers(1, 3))):
            # coarse steps make exact ties (the hard cases) likely
            length = draw(st.integers(1, 12)) * DAY // 4 + draw(st.sampled_from([0, 0, 1, 7]))
            flights.append((t, t + length))
            t += length + draw(st.integers(1, 4)) * DAY // 2
        ongoing = draw(st.booleans())
        people.append(
            Person(
                id=f"p{i}",
                name=f"P{i}",
                country=draw(st.sampled_from(["US", "RU"])),
                gender=draw(st.sampled_from(["male", "female"])),
                flights=tuple(
                    Flight(
                        f"F{i}{j}",
                        ORIGIN + timedelta(seconds=a),
                        None
                        if ongoing and j == len(flights) - 1
                        else ORIGIN + timedelta(seconds=b),
                    )
                    for j, (a, b) in enumerate(flights)
                ),
            )
        )
    as_of = ORIGIN + timedelta(seconds=draw(st.integers(0, 40 * DAY)))
    return Dataset(as_of=as_of, people=tuple(people))


START, END = ORIGIN - timedelta(days=1), ORIGIN + timedelta(days=80)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def keys(ms):
    return sorted((m.key, m.at) for m in ms)


@FAST
@given(histories(), st.lists(st.integers(0, 81 * DAY), max_size=5))
def test_cutting_a_window_into_pieces_gives_the_same_milestones(ds, cuts):
    whole = find_milestones(ds, RULES, START, END).milestones
    bounds = [START, *sorted(START + timedelta(seconds=c) for c in cuts), END]
    pieces = []
    for lo, hi in itertools.pairwise(bounds):
        pieces.extend(find_milestones(ds, RULES, lo, hi).milestones)
    assert keys(pieces) == keys(whole)
    assert len({m.key for m in whole}) == len(whole)  # keys are unique


@FAST
@given(histories(), st.randoms())
def test_input_order_does_not_matter(ds, rnd: random.Random):
    people = list(ds.people)
    rnd.shuffle(people)
    shuffled = Dataset(ds.as_of, tuple(people))
    a = find_milestones(ds, RULES, START, END).milestones
    b = find_milestones(shuffled, RULES, START, END).milestones
    assert a == b


@FAST
@given(histories())
def test_every_record_is_sound(ds):
    """At a record's instant the values are equal; just after, the person leads its scope."""
    timelines = build_timelines(ds, RULES)
    for m in find_milestones(ds, RULES, START, END).milestones:
        if not m.kind.is_record:
            continue
        measure = m.kind.measure
        t = int(m.at.timestamp())
        me = timelines[m.person]
        assert m.previous is not None
        prev = timelines[m.previous.person]
        assert me.value(measure, t) == m.value_seconds == m.previous.value_seconds
        assert prev.value(measure, t) == m.previous.value_seconds
        assert me.value(measure, t + 1) > me.value(measure, t)  # still growing: really passes
        # nobody of the first scope (the widest) is ahead just after the crossing
        scope = m.scopes[0]
        for other in timelines.values():
            if other is me:
                continue
            in_scope = (
                scope == "world"
                or scope in (other.person.country,)
                or (scope == "women" and other.person.gender == "female")
            )
            if in_scope:
                assert other.value(measure, t + 1) <= me.value(measure, t + 1)


@FAST
@given(histories())
def test_round_numbers_are_exact(ds):
    timelines = build_timelines(ds, RULES)
    for m in find_milestones(ds, RULES, START, END).milestones:
        t = int(m.at.timestamp())
        tl = timelines[m.person]
        if m.kind is Kind.MILESTONE_CUMULATIVE:
            assert tl.value("cumulative", t) == m.threshold_days * DAY
        if m.kind is Kind.MILESTONE_CONSECUTIVE:
            assert t - int(m.flight_launch.timestamp()) == m.threshold_days * DAY


# --- former countries (issue 10): histories around the Soviet Union's end ----------------

SU_END = datetime(1991, 12, 26, tzinfo=UTC)
ERA_ORIGIN = SU_END - timedelta(days=40)


@st.composite
def soviet_histories(draw: st.DrawFn) -> Dataset:
    """Cosmonauts who flew before and after 1991-12-26 (Soviet flag before), Russian or
    Ukrainian after, and an American; flights land on the end instant, straddle it, or not."""
    people = []
    for i in range(draw(st.integers(2, 6))):
        countries = draw(st.sampled_from([("RU",), ("UA",), ("US",), ("RU", "UA")]))
        flights, t = [], draw(st.integers(0, 20 * DAY))
        for j in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 16)) * DAY // 4 + draw(st.sampled_from([0, 1]))
            launch = ERA_ORIGIN + timedelta(seconds=t)
            soviet = countries != ("US",) and launch < SU_END
            flights.append(
                Flight(
                    f"F{i}{j}",
                    launch,
                    launch + timedelta(seconds=length),
                    flag="SU" if soviet else None,
                )
            )
            t += length + draw(st.integers(1, 8)) * DAY // 4
        people.append(
            Person(f"p{i}", f"P{i}", countries[0], "male", tuple(flights), countries=countries)
        )
    return Dataset(as_of=ERA_ORIGIN + timedelta(days=200), people=tuple(people))


ERA_WINDOW = (ERA_ORIGIN - timedelta(days=1), ERA_ORIGIN + timedelta(days=120))


@FAST
@given(soviet_histories(), st.lists(st.integers(0, 121 * DAY), max_size=4))
def test_former_countries_cut_windows_and_never_speak_out_of_their_time(ds, cuts):
    lo, hi = ERA_WINDOW
    whole = find_milestones(ds, RULES, lo, hi).milestones
    bounds = [lo, *sorted(lo + timedelta(seconds=c) for c in cuts), hi]
    pieces = []
    for a, b in itertools.pairwise(bounds):
        pieces.extend(find_milestones(ds, RULES, a, b).milestones)
    assert keys(pieces) == keys(whole)
    for m in whole:
        if "SU" in m.scopes:
            assert m.at < SU_END  # the Soviet Union's records end with it
        if {"RU", "UA"} & set(m.scopes):
            assert m.at > SU_END  # its successors start then, and joining passes no one
        for r in m.ranks:
            assert (r.scope == "SU") == (m.at < SU_END) or r.scope in ("world", "US")


@FAST
@given(soviet_histories())
def test_records_in_former_countries_are_sound(ds):
    """Just after a crossing, no member of the widest scope (counted then) is ahead."""
    timelines = build_timelines(ds, RULES)
    for m in find_milestones(ds, RULES, *ERA_WINDOW).milestones:
        if not m.kind.is_record:
            continue
        t = int(m.at.timestamp())
        me, scope = timelines[m.person], m.scopes[0]
        for other in timelines.values():
            counted = any(n == scope for _, n in other.scopes) and other.member(scope, t + 1)
            if other is not me and counted:
                assert other.value(m.kind.measure, t + 1) <= me.value(m.kind.measure, t + 1)
