"""LL2 scenarios for the sync and the merge: what LL2 would answer at a given instant.

Each builder returns a :class:`Scenario`: the instant of the fetch (``now``), the previous
sync (``since``) and the world, whose JSON (2.3.0, ``mode=detailed``) the fake server
serves.  Real people and real past flights (instants from ``schedules/history.yaml``);
the flights after July 2026 and their crews are MADE UP, plausible but not real
assignments.  LL2 ids other than those in the recordings are made up too.

* :func:`late_2026`, at 2026-11-20 12:00 UTC, first sync since the bundled history
  (as_of 2026-07-03 07:03:57 UTC): the crews in orbit in July have landed, new crews
  are up (one person never seen before: Anil Menon), a private mission came and went,
  one crewed launch is due.
* :func:`vandalised`: the same with two edits a vandal could make: Crew-12's landing
  moved a year later, Soyuz MS-29's launch moved to 2099.
* :func:`starman`: the same plus Starman (type Non-Human, ``in_space`` true).
* :func:`columbia`: STS-107, a crew lost in flight: landing ``success`` false, dates of
  death on the day of the loss; fetched the next day.
* :func:`alneyadi`: a person whose formal name and common name have different family
  names; LL2 spells the common one.
* :func:`crew11_before` / :func:`crew11_after`: Crew-11, home EARLIER than planned
  (January 2026): before, LL2 shows the planned ``mission_end``; after, the real one.

``python -m fakes.ll2_scenarios NAME [astronauts|launches]`` (from ``tests/``) prints a
scenario's JSON, to read what the server serves.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fakes.ll2_world import JSON, Person, World, at

HISTORY_AS_OF = at("2026-07-03T07:03:57Z")


@dataclass
class Scenario:
    name: str
    now: datetime
    since: datetime
    astronauts: list[JSON]
    launches: list[JSON]
    world: World

    def person(self, name: str) -> JSON:
        return next(a for a in self.astronauts if a["name"] == name)

    def answers(self) -> tuple[list[JSON], list[JSON]]:
        """Fresh copies of (astronauts, launches) that a test or a server may change
        (a pickle round trip: a deep copy, four times faster than the copy module's)."""
        copied: tuple[list[JSON], list[JSON]] = pickle.loads(
            pickle.dumps((self.astronauts, self.launches), pickle.HIGHEST_PROTOCOL)
        )
        return copied


def _scenario(name: str, world: World, since: datetime) -> Scenario:
    return Scenario(name, world.now, since, world.astronauts(), world.launches_json(), world)


# -- late 2026 ------------------------------------------------------------------------

LATE_2026_NOW = at("2026-11-20T12:00:00Z")

# (name, LL2 id, countries, agency, ...) of everyone in the late-2026 world
MS28_LANDING = "2026-07-27T05:02:11Z"
CREW12_LANDING = "2026-10-20T11:48:20Z"
SZ23_LANDING = "2026-11-08T09:12:00Z"
AX5_LANDING = "2026-09-22T16:30:07Z"
MS29_LAUNCH = "2026-07-14T09:21:11Z"
CREW13_LAUNCH = "2026-10-12T20:05:33Z"
SZ24_LAUNCH = "2026-10-31T15:40:00Z"
AX5_LAUNCH = "2026-09-08T14:00:00Z"
AX6_NET = "2026-12-10T19:00:00Z"


def _late_2026_world(now: datetime = LATE_2026_NOW) -> World:
    w = World(now)
    p = w.person
    meir = p(
        428,
        "Jessica Meir",
        "US",
        born="1977-07-01",
        wiki="https://en.wikipedia.org/wiki/Jessica_Meir",
    )
    hathaway = p(1201, "Jack Hathaway", "US", wiki="https://en.wikipedia.org/wiki/Jack_Hathaway")
    adenot = p(1202, "Sophie Adenot", "FR", agency="ESA")
    fedyaev = p(684, "Andrey Fedyaev", "RU", agency="RFSA")
    kud = p(
        599,
        "Sergey Kud-Sverchkov",
        "RU",
        agency="RFSA",
        wiki="https://en.wikipedia.org/wiki/Sergey_Kud-Sverchkov",
    )
    mikaev = p(1203, "Sergey Mikaev", "RU", agency="RFSA")
    williams = p(1204, "Christopher Williams", "US")
    dubrov = p(
        636, "Pyotr Dubrov", "RU", agency="RFSA", wiki="https://en.wikipedia.org/wiki/Pyotr_Dubrov"
    )
    kikina = p(666, "Anna Kikina", "RU", agency="RFSA")
    menon = p(
        1001,
        "Anil Menon",
        "US",
        born="1976-08-27",
        wiki="https://en.wikipedia.org/wiki/Anil_Menon",
        bio="Anil Menon is an American physician and NASA astronaut.",
    )
    shkaplerov = p(379, "Anton Shkaplerov", "RU", agency="RFSA", status="Retired")
    barron = p(643, "Kayla Barron", "US")
    hoburg = p(683, "Warren Hoburg", "US", wiki="https://en.wikipedia.org/wiki/Woody_Hoburg")
    furukawa = p(292, "Satoshi Furukawa", "JP", agency="JAXA")
    borisov = p(712, "Konstantin Borisov", "RU", agency="RFSA")
    zhu = p(705, "Zhu Yangzhu", "CN", agency="CNSA")
    zhang = p(1205, "Zhang Zhiyuan", "CN", agency="CNSA")
    lai = p(1206, "Lai Ka-ying", "CN", agency="CNSA")
    tang = p(648, "Tang Hongbo", "CN", agency="CNSA")
    cai = p(662, "Cai Xuzhe", "CN", agency="CNSA")
    song = p(760, "Song Lingdong", "CN", agency="CNSA")
    lopez = p(
        243,
        "Michael López-Alegría",
        "US",
        "ES",
        agency="AXS",
        type="Private",
        wiki="https://en.wikipedia.org/wiki/Michael_L%C3%B3pez-Alegr%C3%ADa",
    )
    shoffner = p(717, "John Shoffner", "US", agency="AXS", type="Private")
    whitson = p(195, "Peggy Whitson", "US", agency="AXS", type="Private")

    soyuz = {"rocket": "Soyuz 2.1a", "provider": "RFSA", "pad": "31/6"}
    shenzhou = {"rocket": "Long March 2F/G", "provider": "CASC", "pad": "LC-43/91"}
    kz = {"landing_place": "Kazakhstan", "landing_type": "Parachute landing"}
    sea = {"landing_place": "Pacific", "landing_type": "Splashdown"}
    gobi = {"landing_place": "Dongfeng", "landing_type": "Parachute landing"}

    # earlier flights of some of them (LL2 lists every flight; these show pairing)
    ms15 = w.launch("Soyuz MS-15", "2019-09-25T13:57:43Z", **soyuz)
    w.fly(ms15, 201, "Soyuz MS-15", "Soyuz MS", up=[(meir, "Flight Engineer")],
          mission_end="2020-04-17T05:16:43Z", landing_success=True, **kz)  # fmt: skip
    ms17 = w.launch("Soyuz MS-17", "2020-10-14T05:45:04Z", **soyuz)
    w.fly(ms17, 202, "Soyuz MS-17", "Soyuz MS", up=[(kud, "Flight Engineer")],
          mission_end="2021-04-17T04:55:12Z", landing_success=True, **kz)  # fmt: skip
    # Dubrov went up in Soyuz MS-18 and came home in Soyuz MS-19
    ms18 = w.launch("Soyuz MS-18", "2021-04-09T07:42:41Z", **soyuz)
    w.fly(ms18, 203, "Soyuz MS-18", "Soyuz MS", up=[(dubrov, "Flight Engineer")], down=[],
          mission_end="2021-10-17T04:35:58Z", landing_success=True, **kz)  # fmt: skip
    ms19 = w.launch("Soyuz MS-19", "2021-10-05T08:55:02Z", **soyuz)
    w.fly(ms19, 204, "Soyuz MS-19", "Soyuz MS", up=[(shkaplerov, "Commander")],
          down=[(shkaplerov, "Commander"), (dubrov, "Flight Engineer")],
          mission_end="2022-03-30T11:28:36Z", landing_success=True, **kz)  # fmt: skip
    crew5 = w.launch("Crew-5", "2022-10-05T16:00:57Z")
    w.fly(crew5, 205, "Crew Dragon Endurance", "Crew Dragon 2", craft_id=262, serial="C210",
          up=[(kikina, "Mission Specialist")], mission_end="2023-03-12T02:01:57Z",
          landing_success=True, landing_place="Atlantic", landing_type="Splashdown")  # fmt: skip
    crew6 = w.launch("Crew-6", "2023-03-02T05:34:14Z")
    w.fly(crew6, 206, "Crew Dragon Endeavour", "Crew Dragon 2", craft_id=240, serial="C206",
          up=[(hoburg, "Pilot"), (fedyaev, "Mission Specialist")],
          mission_end="2023-09-04T04:17:23Z", landing_success=True,
          landing_place="Atlantic", landing_type="Splashdown")  # fmt: skip

    # in orbit on 2026-07-03, landed since
    ms28 = w.launch("Soyuz MS-28", "2025-11-27T09:27:57Z", **soyuz)
    w.fly(ms28, 301, "Soyuz MS-28", "Soyuz MS",
          up=[(kud, "Commander"), (mikaev, "Flight Engineer"), (williams, "Flight Engineer")],
          mission_end=MS28_LANDING, landing_success=True, **kz)  # fmt: skip
    crew12 = w.launch("Crew-12", "2026-02-13T10:15:55Z")
    w.fly(crew12, 302, "Crew Dragon Freedom", "Crew Dragon 2", craft_id=280, serial="C212",
          up=[(meir, "Commander"), (hathaway, "Pilot"), (adenot, "Mission Specialist"),
              (fedyaev, "Mission Specialist")],
          mission_end=CREW12_LANDING, landing_success=True, **sea)  # fmt: skip
    sz23 = w.launch("Shenzhou 23", "2026-05-24T15:08:00Z", precision="Minute", **shenzhou)
    w.fly(sz23, 303, "Shenzhou 23", "Shenzhou", destination="Tiangong space station",
          up=[(zhu, "Commander"), (zhang, "Operator"), (lai, "Payload Specialist")],
          mission_end=SZ23_LANDING, landing_success=True, **gobi)  # fmt: skip

    # launched after July 2026
    ms29 = w.launch("Soyuz MS-29", MS29_LAUNCH, **soyuz)
    w.fly(ms29, 401, "Soyuz MS-29", "Soyuz MS",
          up=[(dubrov, "Commander"), (kikina, "Flight Engineer"), (menon, "Flight Engineer")],
          **kz)  # fmt: skip
    ax5 = w.launch("Axiom Mission 5", AX5_LAUNCH, mission_type="Tourism")
    w.fly(ax5, 402, "Crew Dragon Grace", "Crew Dragon 2", craft_id=290, serial="C213",
          up=[(lopez, "Commander"), (shoffner, "Pilot")],
          mission_end=AX5_LANDING, landing_success=True, **sea)  # fmt: skip
    crew13 = w.launch("Crew-13", CREW13_LAUNCH)
    w.fly(crew13, 403, "Crew Dragon Endurance", "Crew Dragon 2", craft_id=262, serial="C210",
          up=[(barron, "Commander"), (hoburg, "Pilot"), (furukawa, "Mission Specialist"),
              (borisov, "Mission Specialist")], **sea)  # fmt: skip
    sz24 = w.launch("Shenzhou 24", SZ24_LAUNCH, precision="Minute", **shenzhou)
    w.fly(sz24, 404, "Shenzhou 24", "Shenzhou", destination="Tiangong space station",
          up=[(tang, "Commander"), (cai, "Operator"), (song, "Payload Specialist")],
          **gobi)  # fmt: skip

    # due soon: crew partly announced
    ax6 = w.launch(
        "Axiom Mission 6", AX6_NET, status="Go", precision="Hour", mission_type="Tourism"
    )
    w.fly(ax6, 501, "Crew Dragon Grace", "Crew Dragon 2", craft_id=290, serial="C213",
          up=[(whitson, "Commander")], **sea)  # fmt: skip
    # LL2 lists every flight of a person: the rest of each career, from the history
    _careers(w, CAREERS)
    return w


# LL2 id -> the history's id, for people whose earlier flights LL2 would also list
CAREERS = {
    195: "peggy-whitson",
    243: "michael-lopez-alegria",
    292: "satoshi-furukawa",
    379: "anton-shkaplerov",
    428: "jessica-meir",
    599: "sergei-kud-sverchkov",
    636: "petr-dubrov",
    643: "kayla-barron",
    648: "tang-hongbo",
    662: "cai-xuzhe",
    666: "anna-kikina",
    683: "warren-hoburg",
    684: "andrey-fedyaev",
    705: "zhu-yangzhu",
    712: "konstantin-borisov",
    717: "john-shoffner",
    760: "song-lingdong",
}


def _careers(w: World, careers: dict[int, str]) -> None:
    """Add each person's flights from the bundled history that the world lacks (flights
    shared by several of them become one launch with the whole crew)."""
    from bot.files.data import default_data_path, load_dataset

    history = {p.id: p for p in load_dataset(default_data_path()).people}
    crews: dict[tuple[str, datetime], list[tuple[Person, datetime | None]]] = {}
    for ll2_id, pid in careers.items():
        person = w.people[ll2_id]
        known = [up for up, _ in w.rides(person)]
        for flight in history[pid].flights:
            if any(abs((flight.launch - up).total_seconds()) < 86400 for up in known):
                continue
            crews.setdefault((flight.mission, flight.launch), []).append((person, flight.landing))
    for n, ((mission, launch), crew) in enumerate(sorted(crews.items(), key=lambda i: i[0][1])):
        la = w.launch(mission, f"{launch:%Y-%m-%dT%H:%M:%SZ}")
        ends = sorted({end for _, end in crew if end is not None})
        for i, end in enumerate(ends or [None]):
            members = [(p, "Mission Specialist") for p, e in crew if e == end]
            config = "Soyuz MS" if "Soyuz" in mission else "Crew Dragon 2"
            config = "Shenzhou" if "Shenzhou" in mission else config
            config = "Space Shuttle" if mission.startswith("STS") else config
            w.fly(la, 800 + 10 * n + i, mission, config, up=members,
                  mission_end=f"{end:%Y-%m-%dT%H:%M:%SZ}" if end else None,
                  landing_success=True if end else None)  # fmt: skip


def late_2026() -> Scenario:
    return _scenario("late_2026", _late_2026_world(), HISTORY_AS_OF)


def vandalised() -> Scenario:
    """late_2026 after two vandal edits (each shown everywhere LL2 repeats the field)."""
    s = late_2026()
    moved_landing = CREW12_LANDING.replace("2026", "2027", 1)
    moved_launch = MS29_LAUNCH.replace("2026", "2099", 1)

    def edit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                edit(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "mission_end" and value == CREW12_LANDING:
                    node[key] = moved_landing
                elif (
                    key in ("net", "window_start", "window_end", "last_flight", "first_flight")
                    and value == MS29_LAUNCH
                ):
                    node[key] = moved_launch
                else:
                    edit(value)

    astronauts, launches = s.answers()
    edit(astronauts)
    edit(launches)
    return Scenario("vandalised", s.now, s.since, astronauts, launches, s.world)


def starman() -> Scenario:
    w = _late_2026_world()
    roadster = w.person(
        326,
        "Starman",
        "US",
        agency="SpX",
        type="Non-Human",
        wiki="https://en.wikipedia.org/wiki/Elon_Musk%27s_Tesla_Roadster",
        bio="Starman is a mannequin in a SpaceX spacesuit, in Elon Musk's Tesla Roadster.",
    )
    fh = w.launch(
        "Falcon Heavy Test Flight", "2018-02-06T20:45:00Z", rocket="Falcon Heavy",
        mission_type="Test Flight", orbit="Heliocentric N/A",
    )  # fmt: skip
    w.fly(fh, 101, "Tesla Roadster", "Tesla Roadster", destination="Heliocentric orbit",
          up=[(roadster, "Spaceflight Participant")], down=[])  # fmt: skip
    return _scenario("starman", w, HISTORY_AS_OF)


# -- a crew lost in flight ------------------------------------------------------------

COLUMBIA_LAUNCH = "2003-01-16T15:39:00Z"
COLUMBIA_LOST = "2003-02-01T13:59:32Z"


def columbia() -> Scenario:
    w = World(at("2003-02-02T12:00:00Z"))
    dead = {"status": "Deceased", "died": "2003-02-01"}
    husband = w.person(61, "Rick D. Husband", "US", **dead)
    mccool = w.person(62, "William C. McCool", "US", **dead)
    anderson = w.person(63, "Michael P. Anderson", "US", **dead)
    chawla = w.person(
        64, "Kalpana Chawla", "US", wiki="https://en.wikipedia.org/wiki/Kalpana_Chawla", **dead
    )
    brown = w.person(65, "David M. Brown", "US", **dead)
    clark = w.person(66, "Laurel B. Clark", "US", **dead)
    ramon = w.person(67, "Ilan Ramon", "IL", agency="ISA", **dead)
    shuttle = {"rocket": "Space Shuttle Columbia OV-102", "provider": "USA"}
    sts87 = w.launch("STS-87", "1997-11-19T19:46:00Z", **shuttle)
    w.fly(sts87, 601, "Space Shuttle Columbia", "Space Shuttle", craft_id=39, serial="OV-102",
          destination="Low Earth Orbit", up=[(chawla, "Mission Specialist")],
          mission_end="1997-12-05T12:20:00Z", landing_success=True,
          landing_place="KSC SLF", landing_type="Runway landing")  # fmt: skip
    sts96 = w.launch(
        "STS-96", "1999-05-27T10:49:00Z", rocket="Space Shuttle Endeavour OV-105", provider="USA"
    )
    w.fly(sts96, 602, "Space Shuttle Discovery", "Space Shuttle", craft_id=41, serial="OV-103",
          up=[(husband, "Pilot")], mission_end="1999-06-06T06:02:00Z", landing_success=True,
          landing_place="KSC SLF", landing_type="Runway landing")  # fmt: skip
    sts107 = w.launch("STS-107", COLUMBIA_LAUNCH, **shuttle)
    w.fly(sts107, 603, "Space Shuttle Columbia", "Space Shuttle", craft_id=39, serial="OV-102",
          destination="Low Earth Orbit",
          up=[(husband, "Commander"), (mccool, "Pilot"), (anderson, "Payload Commander"),
              (chawla, "Mission Specialist"), (brown, "Mission Specialist"),
              (clark, "Mission Specialist"), (ramon, "Payload Specialist")],
          mission_end=COLUMBIA_LOST, landing_success=False, landing_place="KSC SLF",
          landing_type="Runway landing",
          landing_text="Columbia broke up during re-entry over Texas; the crew was lost.",
          )  # fmt: skip
    return _scenario("columbia", w, at("2003-01-20T00:00:00Z"))


# -- a crew home earlier than planned -------------------------------------------------

CREW11_LAUNCH = "2025-08-01T15:43:42Z"
CREW11_PLANNED_END = "2026-02-20T10:00:00Z"  # LL2's plan before the early return
CREW11_LANDING = "2026-01-15T08:41:36Z"


def _crew11_world(now: datetime, mission_end: str) -> World:
    w = World(now)
    cardman = w.person(1101, "Zena Cardman", "US")
    fincke = w.person(
        282, "E. Michael Fincke", "US", wiki="https://en.wikipedia.org/wiki/Mike_Fincke"
    )
    yui = w.person(313, "Kimiya Yui", "JP", agency="JAXA")
    platonov = w.person(1102, "Oleg Platonov", "RU", agency="RFSA")
    crew11 = w.launch("Crew-11", CREW11_LAUNCH)
    done = at(mission_end) <= now
    w.fly(crew11, 701, "Crew Dragon Endeavour", "Crew Dragon 2", craft_id=240, serial="C206",
          up=[(cardman, "Commander"), (fincke, "Pilot"), (yui, "Mission Specialist"),
              (platonov, "Mission Specialist")],
          mission_end=mission_end, landing_success=True if done else None,
          landing_place="Pacific", landing_type="Splashdown")  # fmt: skip
    return w


def crew11_before() -> Scenario:
    w = _crew11_world(at("2026-01-10T12:00:00Z"), CREW11_PLANNED_END)
    return _scenario("crew11_before", w, at("2026-01-09T12:00:00Z"))


def crew11_after() -> Scenario:
    w = _crew11_world(at("2026-01-16T12:00:00Z"), CREW11_LANDING)
    return _scenario("crew11_after", w, at("2026-01-10T12:00:00Z"))


# -- a person LL2 knows by the name in common use --------------------------------------


def alneyadi() -> Scenario:
    """Sultan AlNeyadi (the history's "Sultan Al Neyadi", common name "Sultan AlNeyadi")
    flies again on Crew-13 (MADE UP); LL2 lists his Crew-6 flight too."""
    w = World(LATE_2026_NOW)
    neyadi = w.person(730, "Sultan AlNeyadi", "AE")
    crew6 = w.launch("Crew-6", "2023-03-02T05:34:14Z")
    w.fly(crew6, 206, "Crew Dragon Endeavour", "Crew Dragon 2", craft_id=240, serial="C206",
          up=[(neyadi, "Mission Specialist")], mission_end="2023-09-04T04:17:23Z",
          landing_success=True, landing_place="Atlantic", landing_type="Splashdown")  # fmt: skip
    crew13 = w.launch("Crew-13", CREW13_LAUNCH)
    w.fly(crew13, 403, "Crew Dragon Endurance", "Crew Dragon 2", craft_id=262, serial="C210",
          up=[(neyadi, "Mission Specialist")])  # fmt: skip
    return _scenario("alneyadi", w, HISTORY_AS_OF)


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "late_2026": late_2026,
    "vandalised": vandalised,
    "starman": starman,
    "columbia": columbia,
    "crew11_before": crew11_before,
    "crew11_after": crew11_after,
    "alneyadi": alneyadi,
}

__all__ = ["SCENARIOS", "Person", "Scenario"]

if __name__ == "__main__":
    chosen = SCENARIOS[sys.argv[1]]()
    what = sys.argv[2] if len(sys.argv) > 2 else "astronauts"
    print(json.dumps(getattr(chosen, what), indent=1, ensure_ascii=False))
