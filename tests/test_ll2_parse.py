"""The LL2 parser: each scenario and recording gives the expected people, flights, landings;
wrong types name the endpoint and the field; rides pair in time order."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.ll2_scenarios import (
    CREW11_LANDING,
    CREW11_PLANNED_END,
    SCENARIOS,
    columbia,
    crew11_after,
    crew11_before,
    late_2026,
    starman,
)
from fakes.ll2_world import World, at, duration
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.ll2.errors import LL2Error
from bot.sources.ll2.parse import (
    LL2Astronaut,
    iso_duration_seconds,
    pair_rides,
    parse_astronaut,
    parse_astronauts,
    parse_budget,
    parse_launch,
    parse_launches,
    parse_page,
)

RECORDED = Path(__file__).parent / "fixtures" / "ll2" / "recorded"
EP = "GET /2.3.0/astronauts/?in_space=true&is_human=true&mode=detailed&limit=100"


def page(results: list[Any]) -> dict[str, Any]:
    return {"count": len(results), "next": None, "previous": None, "results": results}


def people(scenario_name: str) -> dict[str, LL2Astronaut]:
    scenario = SCENARIOS[scenario_name]()
    parsed = parse_astronauts(parse_page(page(scenario.astronauts), EP))
    return {a.name: a for a in parsed}


def test_late_2026_people_flights_and_landings() -> None:
    found = people("late_2026")
    menon = found["Anil Menon"]  # never flown before
    assert (menon.id, menon.nationality, menon.in_space) == (1001, ("US",), True)
    assert menon.date_of_birth == date(1976, 8, 27)
    assert [f.mission for f in menon.flights] == ["Soyuz MS-29"]
    assert menon.landings[0].mission_end is None  # not landed yet
    assert menon.time_in_space_seconds == int(
        (datetime(2026, 11, 20, 12, tzinfo=UTC) - at("2026-07-14T09:21:11Z")).total_seconds()
    )
    meir = found["Jessica Meir"]
    rides = pair_rides(meir).rides
    assert [(r.launch.mission, r.landing and r.landing.mission_end) for r in rides] == [
        ("Soyuz MS-15", at("2020-04-17T05:16:43Z")),
        ("Crew-12", at("2026-10-20T11:48:20Z")),
    ]
    assert rides[-1].landing is not None
    assert rides[-1].landing.success is True
    assert rides[-1].landing.spacecraft == "Crew Dragon Freedom"
    assert rides[-1].landing.location == "Pacific Ocean"
    lopez = found["Michael López-Alegría"]
    assert lopez.nationality == ("US", "ES")
    assert lopez.type == "Private"
    assert lopez.agency == "AXS"
    assert found["Warren Hoburg"].aliases == ("Woody Hoburg",)


def test_vehicle_change_pairs_by_time_not_by_vehicle() -> None:
    dubrov = people("late_2026")["Pyotr Dubrov"]
    first = pair_rides(dubrov).rides[0]
    assert first.launch.mission == "Soyuz MS-18"
    assert first.landing is not None
    assert first.landing.spacecraft == "Soyuz MS-19"
    assert first.landing.launch.mission == "Soyuz MS-19"
    assert first.vehicle_changed
    assert first.landing.mission_end == at("2022-03-30T11:28:36Z")


def test_upcoming_flight_is_a_plan_not_a_ride() -> None:
    whitson = people("late_2026")["Peggy Whitson"]
    result = pair_rides(whitson)
    assert all(ride.landing is not None for ride in result.rides)  # her earlier flights
    assert "Axiom Mission 6" not in [ride.launch.mission for ride in result.rides]
    assert [f.mission for f in result.not_launched] == ["Axiom Mission 6"]
    assert [x.spacecraft for x in result.planned_landings] == ["Crew Dragon Grace"]


def test_launch_with_crews() -> None:
    launches = parse_launches(parse_page(page(late_2026().launches), "GET /2.3.0/launches/"))
    crew13 = next(la for la in launches if la.mission == "Crew-13")
    assert crew13.detailed
    assert crew13.lifted_off
    assert not crew13.suborbital
    assert (crew13.rocket, crew13.provider, crew13.status) == (
        "Falcon 9 Block 5",
        "SpaceX",
        "Launch Successful",
    )
    flight = crew13.spacecraft_flights[0]
    assert (flight.spacecraft, flight.serial_number, flight.config) == (
        "Crew Dragon Endurance",
        "C210",
        "Crew Dragon 2",
    )
    assert [c.astronaut.name for c in flight.landing_crew] == [
        "Kayla Barron",
        "Warren Hoburg",
        "Satoshi Furukawa",
        "Konstantin Borisov",
    ]
    assert not flight.landing_crew[0].astronaut.detailed
    sz24 = next(la for la in launches if la.mission == "Shenzhou 24")
    assert sz24.net_precision == "Minute"
    assert sz24.spacecraft_flights[0].destination == "Tiangong space station"


def test_vandalised_values_come_through_unchanged() -> None:
    found = people("vandalised")
    assert pair_rides(found["Jack Hathaway"]).rides[-1].landing.mission_end == at(  # type: ignore[union-attr]
        "2027-10-20T11:48:20Z"
    )
    assert found["Anil Menon"].flights[0].net == at("2099-07-14T09:21:11Z")
    assert found["Anil Menon"].last_flight == at("2099-07-14T09:21:11Z")


def test_starman_is_not_human() -> None:
    roadster = {a.name: a for a in parse_astronauts(parse_page(page(starman().astronauts), EP))}[
        "Starman"
    ]
    assert roadster.in_space
    assert not roadster.is_human
    assert roadster.type == "Non-Human"


def test_columbia_crew_lost_in_flight() -> None:
    found = {a.name: a for a in parse_astronauts(parse_page(page(columbia().astronauts), EP))}
    assert len(found) == 7
    for person in found.values():
        ride = pair_rides(person).rides[-1]
        assert ride.launch.mission == "STS-107"
        assert ride.landing is not None
        assert ride.landing.success is False
        assert ride.landing.mission_end == at("2003-02-01T13:59:32Z")
        assert person.date_of_death == date(2003, 2, 1)
        assert person.status == "Deceased"
    assert found["Ilan Ramon"].nationality == ("IL",)
    assert len(pair_rides(found["Kalpana Chawla"]).rides) == 2


def test_crew_home_earlier_than_planned() -> None:
    before = {a.name: a for a in parse_astronauts(parse_page(page(crew11_before().astronauts), EP))}
    after = {a.name: a for a in parse_astronauts(parse_page(page(crew11_after().astronauts), EP))}
    planned = pair_rides(before["Zena Cardman"]).rides[-1].landing
    real = pair_rides(after["Zena Cardman"]).rides[-1].landing
    assert planned is not None
    assert real is not None
    assert before["Zena Cardman"].in_space
    assert not after["Zena Cardman"].in_space
    assert planned.mission_end == at(CREW11_PLANNED_END) > crew11_before().now  # a plan
    assert planned.success is None
    assert real.mission_end == at(CREW11_LANDING) < planned.mission_end
    assert real.success is True
    assert after["E. Michael Fincke"].aliases == ("Mike Fincke",)


def test_recorded_behnken() -> None:
    data = json.loads((RECORDED / "astronaut-545-v2.3.0.json").read_text("utf-8"))
    behnken = parse_astronaut(data, "GET /2.3.0/astronauts/545/")
    assert (behnken.id, behnken.name, behnken.nationality) == (545, "Robert L. Behnken", ("US",))
    rides = pair_rides(behnken).rides
    assert [(r.launch.mission, r.launch.net, r.landing.mission_end) for r in rides] == [  # type: ignore[union-attr]
        ("STS-123", at("2008-03-11T06:28:14Z"), at("2008-03-27T00:40:00Z")),
        ("STS-130", at("2010-02-08T09:14:00Z"), at("2010-02-22T03:22:00Z")),
        (
            "SpX-DM2 (Demonstration Mission 2)",
            at("2020-05-30T19:22:45Z"),
            at("2020-08-02T18:48:00Z"),
        ),
    ]
    assert rides[2].landing.spacecraft == "Crew Dragon Endeavour"  # type: ignore[union-attr]


def test_recorded_crew_launches() -> None:
    data = json.loads((RECORDED / "launches-crew1-crew2-v2.3.0.json").read_text("utf-8"))
    crew1, crew2 = parse_launches(parse_page(data, "GET /2.3.0/launches/"))
    assert crew1.status == "To Be Determined"
    assert not crew1.lifted_off
    flight = crew1.spacecraft_flights[0]
    assert (flight.id, flight.spacecraft, flight.serial_number) == (
        417,
        "Crew Dragon Resilience",
        "C207",
    )
    assert [(c.id, c.role, c.astronaut.id, c.astronaut.name) for c in flight.launch_crew] == [
        (883, "Mission Specialist", 211, "Soichi Noguchi"),
        (3075, "Commander", 14, "Michael S. Hopkins"),
        (3076, "Pilot", 571, "Victor J. Glover"),
        (3111, "Mission Specialist", 559, "Shannon Walker"),
    ]
    assert [c.id for c in flight.landing_crew] == [460, 881, 882, 3111]
    assert flight.mission_end is None
    assert [c.astronaut.nationality for c in crew2.spacecraft_flights[0].launch_crew] == [
        ("US",),
        ("US",),
        ("JP",),
        ("FR",),
    ]


# -- wrong JSON types ---------------------------------------------------------------------


def _menon() -> dict[str, Any]:
    return copy.deepcopy(late_2026().person("Anil Menon"))


def _set(data: dict[str, Any], path: list[str | int], value: object) -> dict[str, Any]:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


BAD = [
    (["in_space"], "yes", r"\$.results\[0\].in_space: expected true or false, got 'yes' \(str\)"),
    (["id"], "1001", r"\$.results\[0\].id: expected an integer, got '1001' \(str\)"),
    (["id"], True, r"\$.results\[0\].id: expected an integer, got True \(bool\)"),
    (["name"], None, r"\$.results\[0\].name: expected a string, got None \(null\)"),
    (["name"], KeyError, r"\$.results\[0\]: missing field 'name'"),
    (["flights", 0, "net"], 42, r"\$.results\[0\].flights\[0\].net: expected a date-time string"),
    (
        ["flights", 0, "net"],
        "2026-07-14 09:21",
        r"flights\[0\].net: date-time '2026-07-14 09:21' has no UTC offset",
    ),
    (["flights", 0, "net"], "tomorrow", r"flights\[0\].net: expected an ISO 8601 date-time"),
    (
        ["landings", 0, "mission_end"],
        0,
        r"\$.results\[0\].landings\[0\].mission_end: expected a date-time",
    ),
    (
        ["landings", 0, "landing", "success"],
        "false",
        r"landings\[0\].landing.success: expected true or false",
    ),
    (["landings"], {}, r"\$.results\[0\].landings: expected a list, got \{\} \(dict\)"),
    (["nationality"], "American", r"\$.results\[0\].nationality: expected a list, got 'American'"),
    (["nationality", 0, "alpha_2_code"], 840, r"nationality\[0\].alpha_2_code: expected a string"),
    (
        ["time_in_space"],
        "438 days",
        r"\$.results\[0\].time_in_space: expected an ISO 8601 duration",
    ),
    (["date_of_birth"], "27/08/1976", r"\$.results\[0\].date_of_birth: expected a date YYYY-MM-DD"),
    (["status"], "Active", r"\$.results\[0\].status: expected an object, got 'Active' \(str\)"),
    (["flights"], KeyError, r"\$.results\[0\]: missing field 'flights'"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), BAD, ids=[str(p) + repr(v)[:12] for p, v, _ in BAD]
)
def test_wrong_types_name_the_endpoint_and_the_field(
    path: list[str | int], value: object, expected: str
) -> None:
    data = _set(_menon(), path, value)
    with pytest.raises(LL2Error, match=expected) as caught:
        parse_astronauts(parse_page(page([data]), EP))
    assert str(caught.value).startswith(f"LL2 {EP}: $.")
    assert "\n" not in str(caught.value)


def test_a_wiki_link_that_is_not_a_url_gives_no_alias() -> None:
    # Regression: urlsplit's ValueError ("Invalid IPv6 URL") escaped the parser, so one
    # volunteer's typo crashed every sync and check with a traceback.
    data = _menon()
    data["wiki"] = "https://[en.wikipedia.org/wiki/Anil_Menon"
    (menon,) = parse_astronauts(parse_page(page([data]), EP))
    assert menon.aliases == ()
    assert menon.wiki == data["wiki"]


def test_wrong_types_in_a_launch() -> None:
    data = copy.deepcopy(late_2026().launches[-2])  # Soyuz MS-29: three aboard
    data["rocket"]["spacecraft_stage"][0]["launch_crew"][1]["role"] = "Commander"
    with pytest.raises(
        LL2Error,
        match=r"LL2 GET /2.3.0/launches/42/: \$.rocket.spacecraft_stage\[0\].launch_crew\[1\]"
        r".role: expected an object, got 'Commander'",
    ):
        parse_launch(data, "GET /2.3.0/launches/42/")


def test_budget() -> None:
    data = [{"your_request_limit": 15, "limit_frequency_secs": 3600, "current_use": 4,
             "next_use_secs": 0, "ident": "203.0.113.9"}]  # fmt: skip
    budget = parse_budget(data, "GET /2.3.0/api-throttle/")
    assert budget.remaining == 11
    assert "203.0.113.9" not in repr(budget)  # ident may be the key: not kept
    with pytest.raises(LL2Error, match="empty list"):
        parse_budget([], "GET /2.3.0/api-throttle/")
    with pytest.raises(LL2Error, match=r"\$\[0\].current_use: expected an integer"):
        parse_budget([{**data[0], "current_use": "4"}], "GET /2.3.0/api-throttle/")


# -- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("P438DT5H49M19S", 438 * 86400 + 5 * 3600 + 49 * 60 + 19),
        ("P438DT05H49M19S", 438 * 86400 + 5 * 3600 + 49 * 60 + 19),
        ("P0DT00H00M00.900000S", 0),
        ("PT90S", 90),
        ("P2W", 14 * 86400),
        ("P1D", 86400),
        ("-P1DT00H00M00S", -86400),
    ],
)
def test_iso_durations(text: str, seconds: int) -> None:
    assert iso_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1Y", "P1M", "438 days", "P1DT", "1D"])
def test_bad_iso_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        iso_duration_seconds(text)


@given(st.integers(min_value=0, max_value=10**9))
def test_django_durations_round_trip(seconds: int) -> None:
    assert iso_duration_seconds(duration(seconds)) == seconds


# -- pairing in time order ----------------------------------------------------------------


@st.composite
def careers(draw: st.DrawFn) -> tuple[list[tuple[int, int | None]], list[int], int]:
    """Non-overlapping rides (start, length or None for the last, ongoing), the vehicle
    each landing uses (its own, or the next launch's spacecraft) and a shuffle seed."""
    count = draw(st.integers(min_value=1, max_value=5))
    gaps = draw(st.lists(st.integers(1, 3000), min_size=count, max_size=count))
    lengths = draw(st.lists(st.integers(1, 500), min_size=count, max_size=count))
    ongoing = draw(st.booleans())
    rides: list[tuple[int, int | None]] = []
    start = 0
    for gap, length in zip(gaps, lengths, strict=True):
        start += gap
        rides.append((start, length))
        start += length
    if ongoing:
        rides[-1] = (rides[-1][0], None)
    swaps = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return rides, [int(s) for s in swaps], draw(st.integers(0, 10**6))


@given(careers())
def test_rides_pair_in_time_order_whatever_the_ids_and_vehicles(
    career: tuple[list[tuple[int, int | None]], list[int], int],
) -> None:
    rides, swaps, seed = career
    day0 = datetime(2000, 1, 1, tzinfo=UTC)
    now = day0 + timedelta(days=10**5)
    w = World(now)
    me = w.person(1, "Test Person", "US")
    other = w.person(2, "Other Person", "US")
    launches = []
    for i, (start, _length) in enumerate(rides):
        launches.append(
            w.launch(f"Mission {i}", (day0 + timedelta(days=start)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        )
    for i, (start, length) in enumerate(rides):
        end = (
            None
            if length is None
            else (day0 + timedelta(days=start + length)).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        # land in a vehicle of another launch (a "swap"): a separate craft flight whose
        # launch carried someone else, ids deliberately out of order
        ids = 1000 - i * 7 + seed % 5
        if swaps[i] and length is not None:
            w.fly(launches[i], ids, f"Craft {i}", "Soyuz MS", up=[(me, "Commander")], down=[])
            w.fly(launches[i], ids + 500, f"Ferry {i}", "Soyuz MS", up=[(other, "Commander")],
                  down=[(me, "Commander")], mission_end=end)  # fmt: skip
        else:
            w.fly(
                launches[i], ids, f"Craft {i}", "Soyuz MS", up=[(me, "Commander")], mission_end=end
            )
    person = parse_astronaut(w.astronaut_json(me), "GET /2.3.0/astronauts/1/")
    result = pair_rides(person)
    assert result.unplaced == ()
    assert [r.launch.mission for r in result.rides] == [f"Mission {i}" for i in range(len(rides))]
    for ride, (start, length) in zip(result.rides, rides, strict=True):
        assert ride.launch.net == day0 + timedelta(days=start)
        if length is None:
            assert ride.landing is not None
            assert ride.landing.mission_end is None
        else:
            assert ride.landing is not None
            assert ride.landing.mission_end == day0 + timedelta(days=start + length)
