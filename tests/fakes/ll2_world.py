"""Builds LL2 2.3.0 JSON (astronauts, launches) from a small description of flights.

A :class:`World` holds people and launches; each launch has spacecraft flights with
launch, onboard and landing crews, as LL2 stores them.  From that it emits what LL2
derives: an astronaut's ``flights`` (the launches where they are launch crew),
``landings`` (the spacecraft flights where they are landing crew), ``in_space``,
``time_in_space``, ``first_flight``/``last_flight`` and the counts.

Objects are built once in their richest form and cut down to each place's schema with
:func:`fakes.ll2_schema.project` (a launch inside an astronaut is a ``LaunchNormal``, a
crew member an ``AstronautDetailed`` in list mode...), so every answer is shaped exactly
as the 2.3.0 schema says, which the tests check with the schema itself.

Reference data (agencies, pads, rockets, spacecraft) reuses LL2's real ids where the
recordings show them (NASA 44, SpaceX 121, JAXA 37, pad 39A 87, Kennedy 27, Falcon 9
Block 5 164, Space Shuttle 14...); the other ids are made up.
"""

from __future__ import annotations

import re
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakes.ll2_schema import project

API = "https://ll.thespacedevs.com/2.3.0"
JSON = dict[str, Any]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def duration(seconds: int) -> str:
    """Django's ISO 8601 duration (``P438DT05H49M19S``)."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"P{days}DT{hours:02d}H{minutes:02d}M{secs:02d}S"


def stable_id(text: str, modulo: int = 100000) -> int:
    """A small id that is the same in every run (``hash()`` is salted per process)."""
    return zlib.crc32(text.encode()) % modulo + 1


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# -- reference data ---------------------------------------------------------------------

COUNTRIES: dict[str, tuple[int, str, str, str]] = {
    # alpha-2: (id, name, alpha-3, nationality name)
    "US": (2, "United States of America", "USA", "American"),
    "RU": (3, "Russia", "RUS", "Russian"),
    "CN": (4, "China", "CHN", "Chinese"),
    "JP": (5, "Japan", "JPN", "Japanese"),
    "FR": (6, "France", "FRA", "French"),
    "IL": (7, "Israel", "ISR", "Israeli"),
    "IN": (8, "India", "IND", "Indian"),
    "DE": (9, "Germany", "DEU", "German"),
    "IT": (10, "Italy", "ITA", "Italian"),
    "PL": (11, "Poland", "POL", "Polish"),
    "HU": (12, "Hungary", "HUN", "Hungarian"),
    "ES": (13, "Spain", "ESP", "Spanish"),
    "AE": (14, "United Arab Emirates", "ARE", "Emirati"),
}


def country(code: str) -> JSON:
    cid, name, alpha3, nationality = COUNTRIES[code]
    return {
        "id": cid,
        "name": name,
        "alpha_2_code": code,
        "alpha_3_code": alpha3,
        "nationality_name": nationality,
        "nationality_name_composed": nationality,
    }


AGENCIES: dict[str, tuple[int, str, str, str, tuple[str, ...]]] = {
    # key: (id, name, abbrev, type, countries)
    "NASA": (44, "National Aeronautics and Space Administration", "NASA", "Government", ("US",)),
    "SpX": (121, "SpaceX", "SpX", "Commercial", ("US",)),
    "JAXA": (37, "Japan Aerospace Exploration Agency", "JAXA", "Government", ("JP",)),
    "USA": (191, "United Space Alliance", "USA", "Commercial", ("US",)),
    "RFSA": (63, "Russian Federal Space Agency (ROSCOSMOS)", "RFSA", "Government", ("RU",)),
    "CNSA": (17, "China National Space Administration", "CNSA", "Government", ("CN",)),
    "CASC": (
        88,
        "China Aerospace Science and Technology Corporation",
        "CASC",
        "Government",
        ("CN",),
    ),
    "ESA": (27, "European Space Agency", "ESA", "Multinational", ("FR", "DE", "IT")),
    "AXS": (1024, "Axiom Space", "AXS", "Commercial", ("US",)),
    "ISA": (117, "Israel Space Agency", "ISA", "Government", ("IL",)),
}
AGENCY_TYPES = {"Government": 1, "Multinational": 2, "Commercial": 3}


def agency(key: str) -> JSON:
    aid, name, abbrev, kind, countries = AGENCIES[key]
    return {
        "response_mode": "detailed",
        "id": aid,
        "url": f"{API}/agencies/{aid}/",
        "name": name,
        "abbrev": abbrev,
        "type": {"id": AGENCY_TYPES[kind], "name": kind},
        "featured": aid in (44, 121),
        "country": [country(c) for c in countries],
        "description": f"{name}.",
        "administrator": None,
        "founding_year": None,
        "launchers": "",
        "spacecraft": "",
        "parent": None,
        "image": None,
        "logo": None,
        "social_logo": None,
        "total_launch_count": None,
        "consecutive_successful_launches": None,
        "successful_launches": None,
        "failed_launches": None,
        "pending_launches": None,
        "consecutive_successful_landings": None,
        "successful_landings": None,
        "failed_landings": None,
        "attempted_landings": None,
        "successful_landings_spacecraft": None,
        "failed_landings_spacecraft": None,
        "attempted_landings_spacecraft": None,
        "successful_landings_payload": None,
        "failed_landings_payload": None,
        "attempted_landings_payload": None,
        "info_url": None,
        "wiki_url": None,
        "social_media_links": [],
    }


EARTH: JSON = {
    "response_mode": "normal",
    "id": 1,
    "name": "Earth",
    "type": {"id": 1, "name": "Planet"},
    "diameter": 12742000.0,
    "mass": 5.972e24,
    "gravity": 9.81,
    "length_of_day": "P0DT23H56M04S",
    "atmosphere": True,
    "image": {
        "id": 1,
        "name": "Earth",
        "image_url": "https://thespacedevs-prod.nyc3.digitaloceanspaces.com/media/images/earth.jpg",
        "thumbnail_url": "https://thespacedevs-prod.nyc3.digitaloceanspaces.com/media/images/earth_t.jpg",
        "credit": "NASA",
        "license": {"id": 1, "name": "Public Domain", "priority": 1, "link": None},
        "single_use": False,
        "variants": [],
    },
    "description": "Our home planet.",
    "wiki_url": "https://en.wikipedia.org/wiki/Earth",
    "total_attempted_launches": 0,
    "successful_launches": 0,
    "failed_launches": 0,
    "total_attempted_landings": 0,
    "successful_landings": 0,
    "failed_landings": 0,
}

LOCATIONS: dict[str, tuple[int, str, str, str]] = {
    # key: (id, name, country, timezone)
    "KSC": (27, "Kennedy Space Center, FL, USA", "US", "America/New_York"),
    "Baikonur": (15, "Baikonur Cosmodrome, Republic of Kazakhstan", "RU", "Asia/Qyzylorda"),
    "Jiuquan": (
        17,
        "Jiuquan Satellite Launch Center, People's Republic of China",
        "CN",
        "Asia/Shanghai",
    ),
}


def location(key: str) -> JSON:
    lid, name, code, tz = LOCATIONS[key]
    return {
        "response_mode": "normal",
        "id": lid,
        "url": f"{API}/locations/{lid}/",
        "name": name,
        "celestial_body": EARTH,
        "active": True,
        "country": country(code),
        "description": None,
        "image": None,
        "map_image": None,
        "longitude": None,
        "latitude": None,
        "timezone_name": tz,
        "total_launch_count": None,
        "total_landing_count": None,
    }


PADS: dict[str, tuple[int, str, str, str]] = {
    # key: (id, name, location, agency)
    "39A": (87, "Launch Complex 39A", "KSC", "NASA"),
    "31/6": (32, "31/6", "Baikonur", "RFSA"),
    "LC-43/91": (98, "Launch Complex 43/91", "Jiuquan", "CASC"),
}


def pad(key: str) -> JSON:
    pid, name, loc, owner = PADS[key]
    place = location(loc)
    return {
        "id": pid,
        "url": f"{API}/pads/{pid}/",
        "active": True,
        "agencies": [agency(owner)],
        "name": name,
        "image": None,
        "description": None,
        "info_url": None,
        "wiki_url": None,
        "map_url": None,
        "latitude": None,
        "longitude": None,
        "country": place["country"],
        "map_image": None,
        "total_launch_count": None,
        "orbital_launch_attempt_count": None,
        "fastest_turnaround": None,
        "location": place,
    }


ROCKETS: dict[str, tuple[int, str, str, str]] = {
    # key: (config id, name, variant, manufacturer)
    "Falcon 9 Block 5": (164, "Falcon 9", "Block 5", "SpX"),
    "Falcon Heavy": (161, "Falcon Heavy", "", "SpX"),
    "Soyuz 2.1a": (32, "Soyuz 2.1a", "2.1a", "RFSA"),
    "Long March 2F/G": (95, "Long March 2F/G", "F/G", "CASC"),
    "Space Shuttle Columbia OV-102": (40, "Space Shuttle Columbia OV-102", "OV-102", "USA"),
    "Space Shuttle Endeavour OV-105": (41, "Space Shuttle Endeavour OV-105", "OV-105", "USA"),
}


def launcher_config(key: str) -> JSON:
    cid, name, variant, maker = ROCKETS[key]
    return {
        "response_mode": "detailed",
        "id": cid,
        "url": f"{API}/launcher_configurations/{cid}/",
        "name": name,
        "families": [],
        "full_name": key,
        "variant": variant,
        "active": True,
        "is_placeholder": False,
        "manufacturer": agency(maker),
        "program": [],
        "reusable": False,
        "image": None,
        "info_url": None,
        "wiki_url": None,
        "description": "",
        "alias": "",
        "min_stage": None,
        "max_stage": None,
        "length": None,
        "diameter": None,
        "maiden_flight": None,
        "launch_cost": None,
        "launch_mass": None,
        "leo_capacity": None,
        "gto_capacity": None,
        "geo_capacity": None,
        "sso_capacity": None,
        "to_thrust": None,
        "apogee": None,
        "total_launch_count": None,
        "consecutive_successful_launches": None,
        "successful_launches": None,
        "failed_launches": None,
        "pending_launches": None,
        "attempted_landings": None,
        "successful_landings": None,
        "failed_landings": None,
        "consecutive_successful_landings": None,
        "fastest_turnaround": None,
    }


CRAFT_CONFIGS: dict[str, tuple[int, str, str]] = {
    # key: (id, type, agency)
    "Crew Dragon 2": (6, "Capsule", "SpX"),
    "Soyuz MS": (10, "Capsule", "RFSA"),
    "Shenzhou": (12, "Capsule", "CNSA"),
    "Space Shuttle": (14, "Spaceplane", "NASA"),
    "Tesla Roadster": (99, "Unknown", "SpX"),
}
CRAFT_TYPES = {"Unknown": 1, "Capsule": 2, "Spaceplane": 3}


def craft_config(key: str) -> JSON:
    cid, kind, owner = CRAFT_CONFIGS[key]
    return {
        "response_mode": "detailed",
        "id": cid,
        "url": f"{API}/spacecraft_configurations/{cid}/",
        "name": key,
        "type": {"id": CRAFT_TYPES[kind], "name": kind},
        "agency": agency(owner),
        "family": [],
        "in_use": key not in ("Space Shuttle",),
        "image": None,
        "capability": "",
        "history": "",
        "details": "",
        "maiden_flight": None,
        "height": None,
        "diameter": None,
        "human_rated": key != "Tesla Roadster",
        "crew_capacity": None,
        "payload_capacity": None,
        "payload_return_capacity": None,
        "flight_life": None,
        "wiki_link": f"https://en.wikipedia.org/wiki/{key.replace(' ', '_')}",
        "info_link": f"https://en.wikipedia.org/wiki/{key.replace(' ', '_')}",
        "spacecraft_flown": None,
        "total_launch_count": None,
        "successful_launches": None,
        "failed_launches": None,
        "attempted_landings": None,
        "successful_landings": None,
        "failed_landings": None,
        "fastest_turnaround": None,
    }


LANDING_PLACES: dict[str, tuple[int, str, str]] = {
    # key: (id, name, abbrev)
    "Pacific": (101, "Pacific Ocean", "PO"),
    "Atlantic": (102, "Atlantic Ocean", "AO"),
    "Kazakhstan": (103, "Kazakhstan", "KZ"),
    "Dongfeng": (104, "Dongfeng Landing Site", "DLS"),
    "KSC SLF": (105, "Shuttle Landing Facility", "SLF"),
    "Texas": (106, "Over Texas", "TX"),
    "N/A": (12, "Unknown", "N/A"),
}
LANDING_TYPES: dict[str, tuple[int, str]] = {
    "Splashdown": (2, "SPLASH"),
    "Parachute landing": (8, "PARA"),
    "Runway landing": (5, "RUNWAY"),
    "Unknown": (9, "N/A"),
}


def landing_object(lid: int, place: str, kind: str, success: bool | None, text: str) -> JSON:
    pid, name, abbrev = LANDING_PLACES[place]
    tid, tabbrev = LANDING_TYPES[kind]
    return {
        "id": lid,
        "url": f"{API}/landings/{lid}/",
        "attempt": success is not None or place != "N/A",
        "success": success,
        "description": text,
        "downrange_distance": None,
        "landing_location": {
            "id": pid,
            "name": name,
            "active": True,
            "abbrev": abbrev,
            "description": None,
            "location": location("KSC"),
            "longitude": None,
            "latitude": None,
            "image": None,
            "successful_landings": None,
            "attempted_landings": None,
            "failed_landings": None,
            "celestial_body": EARTH,
        },
        "type": {"id": tid, "name": kind, "abbrev": tabbrev, "description": None},
    }


STATUSES: dict[str, tuple[int, str, str]] = {
    # key: (id, name, abbrev)
    "Go": (1, "Go for Launch", "Go"),
    "TBD": (2, "To Be Determined", "TBD"),
    "Success": (3, "Launch Successful", "Success"),
    "Failure": (4, "Launch Failure", "Failure"),
    "In Flight": (6, "Launch in Flight", "In Flight"),
    "TBC": (8, "To Be Confirmed", "TBC"),
}
PRECISIONS = {"Second": (0, "SEC"), "Minute": (1, "MIN"), "Hour": (2, "HR"), "Day": (5, "DAY")}


# -- the world ------------------------------------------------------------------------


@dataclass
class Person:
    id: int
    name: str
    countries: tuple[str, ...]
    agency: str | None = "NASA"
    type: str = "Government"  # "Government", "Private", "Non-Human"
    status: str = "Active"
    born: str | None = None
    died: str | None = None
    wiki: str | None = None
    bio: str = ""
    in_space: bool | None = None  # None: worked out from the flights (LL2 stores it)


@dataclass
class Seat:
    person: Person
    role: str
    id: int  # the AstronautFlight id


@dataclass
class CraftFlight:
    id: int
    craft_id: int
    craft: str  # "Crew Dragon Endurance"
    serial: str | None
    config: str  # "Dragon 2"
    destination: str | None = "International Space Station"
    mission_end: str | None = None
    landing_id: int = 0
    landing_place: str = "N/A"
    landing_type: str = "Unknown"
    landing_success: bool | None = None
    landing_text: str = ""
    launch_crew: list[Seat] = field(default_factory=list)
    onboard_crew: list[Seat] = field(default_factory=list)
    landing_crew: list[Seat] = field(default_factory=list)


@dataclass
class Launch:
    id: str
    name: str
    net: str
    status: str
    mission: str
    mission_type: str
    orbit: str
    rocket: str
    provider: str
    pad: str
    precision: str = "Second"
    last_updated: str = "2026-01-01T00:00:00Z"
    mission_description: str = ""
    failreason: str | None = None
    craft_flights: list[CraftFlight] = field(default_factory=list)


Crew = Sequence[tuple[Person, str] | tuple[Person, str, int]]  # (person, role[, seat id])


class World:
    """People and launches; emits LL2 2.3.0 JSON for them as of ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.people: dict[int, Person] = {}
        self.launches: list[Launch] = []
        self._seat_id = 5000
        self._landing_id = 9000

    def person(self, pid: int, name: str, *countries: str, **kw: Any) -> Person:
        p = Person(pid, name, countries or ("US",), **kw)
        self.people[pid] = p
        return p

    def launch(
        self,
        mission: str,
        net: str,
        *,
        status: str = "Success",
        title: str | None = None,
        mission_type: str = "Human Exploration",
        orbit: str = "Low Earth Orbit",
        rocket: str = "Falcon 9 Block 5",
        provider: str = "SpX",
        pad: str = "39A",
        launch_id: str | None = None,
        **kw: Any,
    ) -> Launch:
        launch = Launch(
            id=launch_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"ll2-fake/{mission}")),
            name=title or f"{rocket} | {mission}",
            net=net,
            status=status,
            mission=mission,
            mission_type=mission_type,
            orbit=orbit,
            rocket=rocket,
            provider=provider,
            pad=pad,
            **kw,
        )
        self.launches.append(launch)
        return launch

    def fly(
        self,
        launch: Launch,
        flight_id: int,
        craft: str,
        config: str,
        *,
        craft_id: int | None = None,
        serial: str | None = None,
        up: Crew = (),
        down: Crew | None = None,  # default: the launch crew
        onboard: Crew = (),
        mission_end: str | None = None,
        landing_place: str = "N/A",
        landing_type: str = "Unknown",
        landing_success: bool | None = None,
        landing_text: str = "",
        destination: str | None = "International Space Station",
    ) -> CraftFlight:
        self._landing_id += 1
        cf = CraftFlight(
            id=flight_id,
            craft_id=craft_id or flight_id + 100000,
            craft=craft,
            serial=serial,
            config=config,
            destination=destination,
            mission_end=mission_end,
            landing_id=self._landing_id,
            landing_place=landing_place,
            landing_type=landing_type,
            landing_success=landing_success,
            landing_text=landing_text,
        )
        cf.launch_crew = [self._seat(*s) for s in up]
        cf.onboard_crew = [self._seat(*s) for s in onboard]
        cf.landing_crew = [self._seat(*s) for s in (up if down is None else down)]
        launch.craft_flights.append(cf)
        return cf

    def _seat(self, person: Person, role: str, seat_id: int | None = None) -> Seat:
        """A crew seat; ``seat_id`` is the AstronautFlight id (default: the next free one)."""
        self._seat_id += 1
        return Seat(person, role, seat_id or self._seat_id)

    # -- emitting JSON ----------------------------------------------------------------

    def _launch_base(self, launch: Launch) -> JSON:
        sid, sname, sabbrev = STATUSES[launch.status]
        pid, pabbrev = PRECISIONS[launch.precision]
        return {
            "id": launch.id,
            "url": f"{API}/launches/{launch.id}/",
            "name": launch.name,
            "response_mode": "detailed",
            "slug": slug(launch.name),
            "launch_designator": None,
            "status": {"id": sid, "name": sname, "abbrev": sabbrev, "description": ""},
            "last_updated": launch.last_updated,
            "net": launch.net,
            "net_precision": {
                "id": pid,
                "name": launch.precision,
                "abbrev": pabbrev,
                "description": "",
            },
            "window_end": launch.net,
            "window_start": launch.net,
            "image": None,
            "infographic": None,
            "probability": None,
            "weather_concerns": None,
            "failreason": launch.failreason,
            "hashtag": None,
            "launch_service_provider": agency(launch.provider),
            "rocket": {
                "id": stable_id(launch.id),
                "configuration": launcher_config(launch.rocket),
                "launcher_stage": [],
                "spacecraft_stage": [],
                "payloads": [],
            },
            "mission": {
                "id": stable_id(launch.mission, 10000),
                "name": launch.mission,
                "type": launch.mission_type,
                "description": launch.mission_description,
                "image": None,
                "orbit": {
                    "id": 8 if launch.orbit == "Low Earth Orbit" else 15,
                    "name": launch.orbit,
                    "abbrev": "LEO"
                    if launch.orbit == "Low Earth Orbit"
                    else "Sub"
                    if launch.orbit == "Suborbital"
                    else "HEO",
                    "celestial_body": {"response_mode": "list", "id": 1, "name": "Earth"},
                },
                "agencies": [agency(launch.provider)],
                "info_urls": [],
                "vid_urls": [],
            },
            "pad": pad(launch.pad),
            "webcast_live": False,
            "program": [],
            "orbital_launch_attempt_count": None,
            "location_launch_attempt_count": None,
            "pad_launch_attempt_count": None,
            "agency_launch_attempt_count": None,
            "orbital_launch_attempt_count_year": None,
            "location_launch_attempt_count_year": None,
            "pad_launch_attempt_count_year": None,
            "agency_launch_attempt_count_year": None,
            "flightclub_url": None,
            "updates": [],
            "info_urls": [],
            "vid_urls": [],
            "timeline": [],
            "pad_turnaround": "P0D",
            "mission_patches": [],
        }

    def _craft_flight_base(self, cf: CraftFlight) -> JSON:
        start = next(la for la in self.launches if cf in la.craft_flights)
        end = cf.mission_end
        length = int((at(end) - at(start.net)).total_seconds()) if end else None
        return {
            "id": cf.id,
            "url": f"{API}/spacecraft_flights/{cf.id}/",
            "destination": cf.destination,
            "mission_end": end,
            "spacecraft": {
                "response_mode": "normal",
                "id": cf.craft_id,
                "url": f"{API}/spacecraft/{cf.craft_id}/",
                "name": cf.craft,
                "serial_number": cf.serial,
                "is_placeholder": False,
                "image": None,
                "in_space": end is None or at(end) > self.now,
                "time_in_space": None,
                "time_docked": None,
                "flights_count": None,
                "mission_ends_count": None,
                "status": {"id": 1, "name": "Active"},
                "description": "",
                "spacecraft_config": craft_config(cf.config),
                "fastest_turnaround": None,
            },
            "landing": landing_object(
                cf.landing_id,
                cf.landing_place,
                cf.landing_type,
                cf.landing_success,
                cf.landing_text,
            ),
            "duration": duration(length) if length is not None else "",
            "turn_around_time": "",
            "response_mode": "detailed",
            "launch_crew": [self._seat_json(s) for s in cf.launch_crew],
            "onboard_crew": [self._seat_json(s) for s in cf.onboard_crew],
            "landing_crew": [self._seat_json(s) for s in cf.landing_crew],
            "docking_events": [],
        }

    def _seat_json(self, seat: Seat) -> JSON:
        return {
            "id": seat.id,
            "role": {"id": _ROLE_IDS.get(seat.role, 99), "role": seat.role, "priority": 0},
            "astronaut": project(self._person_base(seat.person), "AstronautDetailed"),
        }

    def launch_json(self, launch: Launch) -> JSON:
        """The launch as ``/launches/?mode=detailed`` gives it."""
        data = self._launch_base(launch)
        data["rocket"]["spacecraft_stage"] = [
            project(self._craft_flight_base(cf), "SpacecraftFlightDetailedSerializerNoLaunch")
            for cf in launch.craft_flights
        ]
        return project(data, "LaunchDetailed")

    def _flights_of(self, person: Person) -> list[Launch]:
        return sorted(
            (
                la
                for la in self.launches
                if any(s.person is person for cf in la.craft_flights for s in cf.launch_crew)
            ),
            key=lambda la: la.net,
        )

    def _landings_of(self, person: Person) -> list[tuple[Launch, CraftFlight]]:
        return sorted(
            (
                (la, cf)
                for la in self.launches
                for cf in la.craft_flights
                if any(s.person is person for s in cf.landing_crew)
            ),
            key=lambda pair: pair[1].mission_end or "9999",
        )

    def rides(self, person: Person) -> list[tuple[datetime, datetime | None]]:
        """(launch, landing) instants in time order, as the builder pairs them."""
        ups = [
            at(la.net)
            for la in self._flights_of(person)
            if STATUSES[la.status][0] in (3, 4, 6, 7, 9)
        ]
        downs = sorted(at(cf.mission_end) for _, cf in self._landings_of(person) if cf.mission_end)
        out: list[tuple[datetime, datetime | None]] = []
        for i, up in enumerate(ups):
            later = ups[i + 1] if i + 1 < len(ups) else None
            down = next((d for d in downs if d > up and (later is None or d <= later)), None)
            out.append((up, down))
        return out

    def _person_base(self, person: Person) -> JSON:
        rides = [(up, down) for up, down in self.rides(person) if up <= self.now]
        seconds = sum(
            int(
                ((down if down is not None and down <= self.now else self.now) - up).total_seconds()
            )
            for up, down in rides
        )
        in_space = person.in_space
        if in_space is None:
            in_space = bool(rides) and (rides[-1][1] is None or rides[-1][1] > self.now)
        flown = [at(la.net) for la in self._flights_of(person) if at(la.net) <= self.now]
        return {
            "id": person.id,
            "url": f"{API}/astronauts/{person.id}/",
            "name": person.name,
            "status": {"id": _STATUS_IDS.get(person.status, 9), "name": person.status},
            "agency": None if person.agency is None else agency(person.agency),
            "image": None,
            "response_mode": "detailed",
            "type": {"id": _TYPE_IDS[person.type], "name": person.type},
            "in_space": in_space,
            "time_in_space": duration(seconds),
            "eva_time": "P0D",
            "age": None,
            "date_of_birth": person.born,
            "date_of_death": person.died,
            "nationality": [country(c) for c in person.countries],
            "bio": person.bio,
            "wiki": person.wiki,
            "last_flight": iso(max(flown)) if flown else None,
            "first_flight": iso(min(flown)) if flown else None,
            "social_media_links": [],
        }

    def astronaut_json(self, person: Person) -> JSON:
        """The person as ``/astronauts/?mode=detailed`` gives them."""
        data = self._person_base(person)
        flights = self._flights_of(person)
        landings = self._landings_of(person)
        data["flights_count"] = len([la for la in flights if at(la.net) <= self.now])
        data["landings_count"] = len(
            [cf for _, cf in landings if cf.mission_end and at(cf.mission_end) <= self.now]
        )
        data["spacewalks_count"] = 0
        data["flights"] = [project(self._launch_base(la), "LaunchNormal") for la in flights]
        data["landings"] = [
            project(
                {**self._craft_flight_base(cf), "launch": self._launch_base(la)},
                "SpacecraftFlightNormal",
            )
            for la, cf in landings
        ]
        data["spacewalks"] = []
        return project(data, "AstronautEndpointDetailed")

    def astronauts(self) -> list[JSON]:
        """Everyone who has a flight, by id (what the fake server filters)."""
        return [self.astronaut_json(p) for _, p in sorted(self.people.items())]

    def launches_json(self) -> list[JSON]:
        return [self.launch_json(la) for la in sorted(self.launches, key=lambda la: la.net)]


_ROLE_IDS = {
    "Commander": 1,
    "Pilot": 2,
    "Mission Specialist": 3,
    "Flight Engineer": 4,
    "Spaceflight Participant": 5,
    "Payload Specialist": 6,
}
_STATUS_IDS = {"Active": 1, "Retired": 2, "Deceased": 11, "Lost In Flight": 12}
_TYPE_IDS = {"Government": 2, "Private": 3, "Non-Human": 5, "Unknown": 1}
