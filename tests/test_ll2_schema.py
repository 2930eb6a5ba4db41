"""Every LL2 fixture, and every answer the fake server gives, is shaped as the 2.3.0 schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fakes import FakeClock
from fakes.ll2_client import client_for
from fakes.ll2_scenarios import SCENARIOS, late_2026
from fakes.ll2_schema import answer_schema, document, errors
from fakes.ll2_server import make_ll2

from bot.sources.ll2.fetch import fetch_snapshot

RECORDED = Path(__file__).parent / "fixtures" / "ll2" / "recorded"


def page(results: list[object]) -> dict[str, object]:
    return {"count": len(results), "next": None, "previous": None, "results": results}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_fixtures_match_the_schema(name: str) -> None:
    scenario = SCENARIOS[name]()
    assert errors(page(scenario.astronauts), "/2.3.0/astronauts/") == []
    assert errors(page(scenario.launches), "/2.3.0/launches/") == []
    for astronaut in scenario.astronauts:
        assert errors(astronaut, "/2.3.0/astronauts/{id}/") == []


def test_recorded_fixtures_match_the_schema() -> None:
    behnken = json.loads((RECORDED / "astronaut-545-v2.3.0.json").read_text("utf-8"))
    assert errors(behnken, "/2.3.0/astronauts/{id}/") == []
    crews = json.loads((RECORDED / "launches-crew1-crew2-v2.3.0.json").read_text("utf-8"))
    assert errors(crews, "/2.3.0/launches/") == []


def test_the_validator_is_strict() -> None:
    """A 2.2.0-shaped astronaut, a missing field or an unknown one is caught."""
    good = late_2026().person("Anil Menon")
    old = copy.deepcopy(good)
    old["nationality"] = "American"  # 2.2.0
    old["twitter"] = None  # removed in 2.3.0
    found = errors(old, "AstronautEndpointDetailed")
    assert any(e.startswith("$.nationality:") for e in found)
    assert any("'twitter' was unexpected" in e for e in found)
    missing = copy.deepcopy(good)
    del missing["flights"][0]["net_precision"]
    assert errors(missing, "AstronautEndpointDetailed") == [
        "$.flights[0]: 'net_precision' is a required property"
    ]
    bad_time = copy.deepcopy(good)
    bad_time["landings"][0]["mission_end"] = "2026-07-27 05:02"
    assert errors(bad_time, "AstronautEndpointDetailed") == [
        "$.landings[0].mission_end: '2026-07-27 05:02' is not a 'date-time'"
    ]
    wrong_mode = copy.deepcopy(good)
    wrong_mode["response_mode"] = "list"  # then flights etc. are not allowed
    assert errors(wrong_mode, "PolymorphicAstronautEndpoint") != []


@pytest.mark.slow
def test_every_answer_of_the_fake_server_matches_the_schema(ll2_clock: FakeClock) -> None:
    scenario = late_2026()
    server = make_ll2(astronauts=scenario.astronauts, launches=scenario.launches, max_limit=4)
    try:
        with client_for(server, ll2_clock) as client:
            fetch_snapshot(client, since=scenario.since, expected_in_space=[379])
            for mode in ("list", "normal"):  # the other modes too
                list(client.pages("astronauts/", {"mode": mode}))
                list(client.pages("launches/", {"mode": mode, "is_crewed": True}))
            client.get(f"launches/{scenario.launches[0]['id']}/")
    finally:
        server.stop()
    assert len(server.answers) > 20
    kinds = set()
    for path, answer in server.answers:
        schema = answer_schema(path)
        kinds.add(schema)
        assert errors(answer, schema) == [], path
    assert kinds == set(document()["answers"])
