"""Jonathan McDowell's human-spaceflight lists -> the bundled history (``schedules/history.yaml``).

The conversion, in order (see ``docs/data-sources.md`` for the why):

1. every person of astro's "Flown Astronauts" section (no chimps, no aborted launches);
2. their rides up to the rides list's date from ``rides_*.tsv``: launch = ``LDate``,
   landing = launch + ``Duration``, the landing vehicle from the ``Segments`` column;
3. their later flights from astro's mission tags (``MS24/KDR``: tag ``MS24``) joined with the
   newest missions list (launch ``LDate``, landing ``EDate``), aborted launches left out;
4. a landing not known from the rides list (flights after it, rides still in flight at its
   date) is pinned with astro's total time in space: whatever it leaves for that flight
   gives the landing instant, and the vehicle that landed then is the one that came home;
5. the corrections file is applied; every person's total is compared with astro's.

Everything here is pure: texts in, values out.  Reading and writing files is the command's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.model import GENDERS, Dataset, Flight, Person
from bot.core.rules import ERAS
from bot.core.wording import short_name
from bot.errors import DataError, Problem
from bot.files.data_writer import dump_dataset
from bot.sources.mcdowell.corrections import (
    FLIGHT_KINDS,
    PERSON_KINDS,
    Correction,
    parse_instant,
)
from bot.sources.mcdowell.names import country_code, display_name, slug
from bot.sources.mcdowell.parse import (
    AstroFile,
    AstroRow,
    MissionRow,
    MissionsFile,
    Ride,
    RidesFile,
)

CREDIT = "Human spaceflight data: Jonathan C. McDowell, planet4589.org"

# How close a vehicle's landing must be to the instant astro's total implies to be taken
# as the vehicle a person came home in (McDowell gives some landings to the minute).
VEHICLE_MATCH = timedelta(seconds=60)
# Beyond this, the person's own vehicle cannot have brought them home.
OWN_VEHICLE_LIMIT = timedelta(hours=1)


@dataclass
class _Draft:
    """A flight while it is being put together."""

    tag: str  # HSFTAG of the launch
    launch: datetime
    landing: datetime | None
    landing_tag: str | None  # HSFTAG of the vehicle that came home; None when unknown
    suborbital: bool
    from_rides: bool
    unresolved: bool  # landing still to be found from the newest lists
    precise: bool  # launch and duration (or landing) given to the second, without '?'
    notes: list[str] = field(default_factory=list)
    landing_vehicle: str | None = None  # the vehicle that came home, named by a correction
    aborted: bool = False
    crew_lost: bool = False


@dataclass
class _Parts:
    """A person while they are being put together."""

    name: str
    country: str
    gender: str
    citizen: str  # McDowell's citizenship code: "DD" and "D" tell East from West Germans
    countries: tuple[str, ...] = ()  # every citizenship that counts, when more than one
    common_name: str | None = None
    short_name: str | None = None

    @property
    def display(self) -> str:
        return self.common_name or self.name


@dataclass(frozen=True)
class Difference:
    """A person whose computed total time in space differs from astro's."""

    source_id: str
    name: str
    computed: int  # seconds
    astro: int  # seconds
    explanation: str | None  # None: not explained

    @property
    def delta(self) -> int:
        return self.computed - self.astro


@dataclass(frozen=True)
class ImportResult:
    as_of: datetime
    source: str
    people: tuple[Person, ...]
    corrections: tuple[str, ...]  # one line per correction applied
    warnings: tuple[str, ...]
    matched: int  # people whose total equals astro's to the second
    differences: tuple[Difference, ...]

    @property
    def flights(self) -> int:
        return sum(len(p.flights) for p in self.people)

    @property
    def ongoing(self) -> int:
        return sum(1 for p in self.people for f in p.flights if f.ongoing)

    @property
    def unexplained(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.explanation is None)


def format_duration(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    return f"{sign}{s // 86400}d {s % 86400 // 3600:02d}h {s % 3600 // 60:02d}m {s % 60:02d}s"


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- mission names -------------------------------------------------------------------

_ROMAN_SHIPS = re.compile(r"^(Vostok|Voskhod|Soyuz)-(\S+)$")


def mission_title(row: MissionRow) -> str:
    """A readable name for one vehicle flight: "STS-41-B", "Soyuz 5", "X-15 3-7-14"."""
    ship, tag = row.ship, row.tag
    m = re.fullmatch(r"M([RA])(\d+)", tag)
    if m:
        rocket = "Mercury-Redstone" if m[1] == "R" else "Mercury-Atlas"
        return f"{rocket} {m[2]} ({ship.replace(' Seven', ' 7')})"
    if ship.startswith("X-15") and row.callsign not in ("", "-"):
        return f"X-15 {row.callsign}"
    if tag == "S18A":
        return "Soyuz 18a"
    if ship in ("Vostok", "Voskhod"):
        return f"{ship} 1"
    m = _ROMAN_SHIPS.match(ship)
    if m:
        return f"{m[1]} {m[2]}"
    m = re.fullmatch(r"STS (\d+)-([A-Z])", ship)
    if m:
        return f"STS-{m[1]}-{m[2]}"
    m = re.fullmatch(r"SS1 (\S+)", ship)
    if m:
        return f"SpaceShipOne {m[1]}"
    return ship if ship not in ("", "-") else tag


def up_and_down(up: str, down: str) -> str:
    """One name for two vehicles: "Soyuz TMA-16M", "Soyuz TMA-18M" -> "Soyuz TMA-16M / TMA-18M"."""
    up_first, _, _ = up.partition(" ")
    down_first, _, down_rest = down.partition(" ")
    if up_first == down_first and re.search(r"[A-Za-z]", down_rest):
        return f"{up} / {down_rest}"
    return f"{up} / {down}"


# --- the conversion ------------------------------------------------------------------


def _family(tag: str) -> str:
    """The letters of a vehicle tag: "MS23" -> "MS", "TMA16M" -> "TMA"."""
    m = re.match(r"[A-Z]+", tag)
    return m.group() if m else tag


def _segment_vehicles(segments: tuple[str, ...], vehicles: dict[str, MissionRow]) -> list[str]:
    """Vehicle tags named in a ride's Segments ("TMA16M:3/BI2" -> "TMA16M"), in order.

    A vehicle launched without crew (Soyuz MS-23, which brought the MS-22 crew home) is in
    no human-spaceflight missions list; it is recognised by its seat number ("MS23:3") and
    a tag of a known family of vehicles.
    """
    families = {_family(t) for t, m in vehicles.items() if m.mtype == "FLT"}
    found = []
    for segment in segments:
        head = re.split(r"[:/]", segment, maxsplit=1)[0]
        known = head in vehicles and vehicles[head].mtype == "FLT"
        unlisted = re.match(r"[A-Z0-9-]+:\d", segment) and _family(head) in families
        if known or unlisted:
            found.append(head)
    return found


def vehicle_title(tag: str, vehicles: dict[str, MissionRow]) -> str:
    """The readable name of a vehicle, also one missing from the lists ("MS23" -> "Soyuz MS-23")."""
    row = vehicles.get(tag)
    if row is not None:
        return mission_title(row)
    number = re.fullmatch(r"[A-Z]+(\d+)([A-Z]*)", tag)
    if number:
        for other, row in sorted(vehicles.items()):
            m = re.fullmatch(r"([A-Z]+)(\d+)([A-Z]*)", other)
            if not m or m[1] != _family(tag) or m[3] != number[2]:
                continue
            title = mission_title(row)
            found = re.fullmatch(rf"(.*\D)0*{int(m[2])}{m[3]}", title)
            if found:
                width = len(m[2]) if m[2].startswith("0") else 0
                return f"{found[1]}{int(number[1]):0{width}d}{number[2]}"
    return tag


def _uncertain_note(what: str) -> str:
    return f"McDowell marks the {what} as uncertain ('?')"


def _draft_from_ride(ride: Ride, vehicles: dict[str, MissionRow]) -> _Draft:
    mission = vehicles.get(ride.tag)
    seg = _segment_vehicles(ride.segments, vehicles)
    landing_tag = seg[-1] if seg else ride.tag
    notes = []
    if ride.launch.uncertain:
        notes.append(_uncertain_note("launch time"))
    if ride.duration.uncertain:
        notes.append(_uncertain_note("duration"))
    ongoing = ride.duration.ongoing
    return _Draft(
        tag=ride.tag,
        launch=ride.launch.instant,
        landing=None if ongoing else ride.launch.instant + timedelta(seconds=ride.duration.seconds),
        landing_tag=None if ongoing else landing_tag,
        suborbital=mission.suborbital if mission else False,
        from_rides=True,
        unresolved=ongoing,
        precise=ride.launch.precision == "second"
        and ride.duration.precision == "second"
        and not (ride.launch.uncertain or ride.duration.uncertain),
        notes=notes,
    )


def _draft_from_mission(mission: MissionRow) -> _Draft:
    assert mission.launch is not None
    notes = []
    if mission.launch.uncertain:
        notes.append(_uncertain_note("launch time"))
    if mission.end is not None and mission.end.uncertain:
        notes.append(_uncertain_note("landing time"))
    return _Draft(
        tag=mission.tag,
        launch=mission.launch.instant,
        landing=mission.end.instant if mission.end else None,
        landing_tag=mission.tag if mission.end else None,
        suborbital=mission.suborbital,
        from_rides=False,
        unresolved=True,
        precise=mission.launch.precision == "second" and not mission.launch.uncertain,
        notes=notes,
    )


def _seconds(draft: _Draft, as_of: datetime) -> int:
    end = draft.landing if draft.landing is not None else as_of
    return int((end - draft.launch).total_seconds())


@dataclass
class _Pending:
    """A flight whose landing the rides list could not give, and what astro's total implies."""

    person: AstroRow
    draft: _Draft
    target: datetime  # the landing that makes the person's total equal astro's
    tolerance: timedelta  # how far off target can be: rounding of the person's other flights
    reliable: bool  # all the person's other flights are given to the second


def _pending(
    person: AstroRow, drafts: list[_Draft], as_of: datetime, warnings: list[str]
) -> _Pending | None:
    """Phase 1: what astro's total says about the one flight still without a landing."""
    unresolved = [d for d in drafts if d.unresolved]
    if not unresolved:
        return None
    who = f"{person.source_id} {person.name}"
    if person.total.ongoing:
        # In space at the list's date: the last flight is the one still going on.
        last = max(unresolved, key=lambda d: d.launch)
        last.landing, last.landing_tag, last.unresolved = None, None, False
        for d in unresolved:
            if d is not last and d.landing is None:
                warnings.append(f"{who}: {d.tag} has no landing in the missions list")
        return None
    if len(unresolved) > 1:
        for d in unresolved:
            if d.landing is None:
                warnings.append(f"{who}: {d.tag} has no landing and cannot be pinned down")
        return None
    draft = unresolved[0]
    others = [d for d in drafts if d is not draft]
    known = sum(_seconds(d, as_of) for d in others)
    imprecise = sum(1 for d in others if not d.precise)
    return _Pending(
        person=person,
        draft=draft,
        target=draft.launch + timedelta(seconds=person.total.seconds - known),
        tolerance=VEHICLE_MATCH * (1 + imprecise),
        reliable=imprecise == 0,
    )


def _settle(pending: list[_Pending], vehicles: dict[str, MissionRow]) -> None:
    """Phase 2: give each pending flight the landing of the vehicle that came home then.

    The vehicle is the one whose landing is nearest the target, within the tolerance.  When
    no listed vehicle landed then (a crew brought home by a spacecraft launched without
    crew, which McDowell's human-spaceflight missions list leaves out), the landing is the
    target itself, taken from a crewmate whose other flights are all known to the second.
    """
    for p in pending:
        draft = p.draft
        own = vehicles.get(draft.tag)
        up = mission_title(own) if own else draft.tag
        candidates = sorted(
            (abs(m.end.instant - p.target), m.tag != draft.tag, m.tag)
            for m in vehicles.values()
            if m.mtype == "FLT"
            and m.end is not None
            and m.launch is not None
            and m.launch.instant < p.target
            and abs(m.end.instant - p.target) <= p.tolerance
        )
        draft.unresolved = False
        if candidates:
            landed = vehicles[candidates[0][2]]
            assert landed.end is not None
            draft.landing, draft.landing_tag = landed.end.instant, landed.tag
            draft.precise = draft.precise and landed.end.precision == "second"
            if landed.end.uncertain and _uncertain_note("landing time") not in draft.notes:
                draft.notes.append(_uncertain_note("landing time"))
            if landed.tag != draft.tag:
                draft.notes.append(
                    f"launched in {up}, came home in {mission_title(landed)}: the landing that "
                    f"McDowell's total time in space for this person implies"
                )
            continue
        if draft.landing is not None and abs(draft.landing - p.target) <= OWN_VEHICLE_LIMIT:
            continue  # own vehicle, with a small difference that the cross-check reports
        crew = [
            q.target
            for q in pending
            if q.reliable and q.draft.tag == draft.tag and abs(q.target - p.target) <= p.tolerance
        ]
        draft.landing = min(crew) if crew else p.target
        draft.landing_tag = None
        draft.precise = bool(crew) or p.reliable
        draft.notes.append(
            f"launched in {up}; the landing time is the one McDowell's total time in space for "
            f"{'this crew' if crew else 'this person'} implies (astro list); the vehicle that "
            f"brought them home is not in his missions list"
        )


def _title(
    draft: _Draft, vehicles: dict[str, MissionRow], renamed: dict[str, str] | None = None
) -> tuple[str, str, str | None]:
    """(mission, launch_vehicle, landing_vehicle or None when the same or unknown)."""
    renamed = renamed or {}
    up = renamed.get(draft.tag) or vehicle_title(draft.tag, vehicles)
    if draft.landing_vehicle is not None:
        down = draft.landing_vehicle
    elif draft.landing_tag is None or draft.landing_tag == draft.tag:
        return up, up, None
    else:
        down = renamed.get(draft.landing_tag) or vehicle_title(draft.landing_tag, vehicles)
    return up_and_down(up, down), up, down


# Citizenship codes of the Soviet Union's republics: their flights before its end flew
# under the Soviet flag (bot/core/rules.py, ERAS).
SOVIET_REPUBLICS = frozenset(
    {"RU", "UA", "KZ", "BY", "AM", "AZ", "EE", "GE", "KG", "LT", "LV", "MD", "TJ", "TM", "UZ"}
)


def flag(parts: _Parts, launch: datetime) -> str | None:
    """The flag a flight flew under, when it is not a country the person counts for today:
    SU before 1991-12-26 for Soviet citizens, CS for Czechoslovaks before 1993, DD for East
    Germans before reunification, DE for West Germans then (named "West Germany")."""
    if launch < ERAS["SU"].end and (
        parts.country in SOVIET_REPUBLICS or parts.citizen in SOVIET_REPUBLICS
    ):
        return "SU"
    if parts.citizen == "CSSR" and launch < ERAS["CS"].end:
        return "CS"
    if parts.citizen in ("DD", "D") and launch < ERAS["DD"].end:
        return "DD" if parts.citizen == "DD" else "DE"
    return None


@dataclass
class _Work:
    """What the stages of :func:`build` hand to each other."""

    as_of: datetime
    vehicles: dict[str, MissionRow]  # every vehicle flight by HSFTAG; the newer list wins
    astro_source: str
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    drafts_of: dict[str, list[_Draft]] = field(default_factory=dict)  # source id -> flights
    parts: dict[str, _Parts] = field(default_factory=dict)  # source id -> the person so far
    renamed: dict[str, str] = field(default_factory=dict)  # HSFTAG -> vehicle's name
    vehicle_launches: dict[str, datetime] = field(default_factory=dict)  # unlisted vehicles
    rows: dict[str, AstroRow] = field(default_factory=dict)  # source id -> astro's row
    applied: list[str] = field(default_factory=list)  # corrections applied (summaries)
    expected_delta: dict[str, list[tuple[int, Correction]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def build(
    rides: RidesFile,
    missions_old: MissionsFile,
    astro: AstroFile,
    missions_new: MissionsFile,
    corrections: tuple[Correction, ...],
    astro_source: str = "astro",
) -> ImportResult:
    """The whole history from the four parsed lists and the corrections, in five stages:
    people, rides, later flights, pinned landings, corrections and cross-check."""
    vehicles: dict[str, MissionRow] = {m.tag: m for m in missions_old.missions}
    for m in missions_new.missions:  # the newer list wins
        vehicles[m.tag] = m
    work = _Work(max(astro.updated, missions_new.updated), vehicles, astro_source)
    _people(work, astro)
    _rides(work, astro, rides)
    _later_flights(work, astro, rides)
    _pin_landings(work, astro)
    _apply_corrections(work, corrections)
    if work.problems:
        raise DataError(work.problems)
    people, order = _assemble(work, astro)
    matched, differences = _cross_check(work, people, order)
    source = (
        f"{CREDIT} (rides {rides.updated:%Y-%m-%d}, missions and astronauts "
        f"{max(astro.updated, missions_new.updated):%Y-%m-%d})"
    )
    return ImportResult(
        as_of=work.as_of,
        source=source,
        people=tuple(people),
        corrections=tuple(work.applied),
        warnings=tuple(work.warnings),
        matched=matched,
        differences=tuple(differences),
    )


# --- stage 1: people -------------------------------------------------------------------


def _people(work: _Work, astro: AstroFile) -> None:
    """Every person of astro's "Flown Astronauts": display name, country and gender."""
    for person in astro.people:
        who = f"{person.source_id} {person.name}"
        work.rows[person.source_id] = person
        name = display_name(person.name, person.uname, person.citizen)
        try:
            country, remark = country_code(person.citizen)
        except ValueError as exc:
            work.problems.append(
                Problem(
                    work.astro_source,
                    f"line {person.line}",
                    str(exc),
                    "add the code to COUNTRY_CODES in bot/sources/mcdowell/names.py",
                )
            )
            continue
        if remark:
            work.warnings.append(f"{who}: {remark}")
        gender_code = {"M": "male", "F": "female", "N": "nonbinary"}.get(
            person.gender, person.gender
        )
        work.parts[person.source_id] = _Parts(name, country, gender_code, person.citizen)


# --- stage 2: rides --------------------------------------------------------------------


def _rides(work: _Work, astro: AstroFile, rides: RidesFile) -> None:
    """Each person's rides up to the rides list's date, from the rides list."""
    by_person: dict[str, list[Ride]] = defaultdict(list)
    for ride in rides.rides:
        by_person[ride.person_id].append(ride)
    astro_ids = {p.source_id for p in astro.people}
    for pid in sorted(set(by_person) - astro_ids):
        if pid.startswith("AS-"):
            work.warnings.append(f"{pid}: has rides but is not among astro's flown astronauts")
    for person in astro.people:
        work.drafts_of[person.source_id] = [
            _draft_from_ride(r, work.vehicles) for r in by_person.get(person.source_id, [])
        ]


# --- stage 3: later flights ------------------------------------------------------------


def _later_flights(work: _Work, astro: AstroFile, rides: RidesFile) -> None:
    """Flights after the rides list's date, from astro's mission tags and the missions lists."""
    for person in astro.people:
        who = f"{person.source_id} {person.name}"
        drafts = work.drafts_of[person.source_id]
        ride_tags = {d.tag for d in drafts}
        truncated = False
        for entry in person.missions:
            tag = entry.split("/", 1)[0]
            if "/" not in entry:
                truncated = True
                work.warnings.append(
                    f"{who}: mission list cut off at the column's width ('{entry}')"
                )
                continue
            mission = work.vehicles.get(tag)
            if mission is None:
                work.warnings.append(f"{who}: mission tag {tag} is in no missions list")
                continue
            if mission.mtype != "FLT" or tag in ride_tags or mission.launch is None:
                continue
            if mission.launch.instant <= rides.updated:
                work.warnings.append(
                    f"{who}: {tag} launched before the rides list's date but the "
                    f"rides list has no such ride for this person; taken from the "
                    f"missions list"
                )
            drafts.append(_draft_from_mission(mission))
        astro_tags = {e.split("/", 1)[0] for e in person.missions}
        if not truncated:
            for d in drafts:
                if d.from_rides and d.tag not in astro_tags:
                    work.warnings.append(f"{who}: ride {d.tag} is not among astro's mission tags")


# --- stage 4: pinned landings ----------------------------------------------------------


def _pin_landings(work: _Work, astro: AstroFile) -> None:
    """Landings the rides list cannot give, pinned with astro's total time in space."""
    pending: list[_Pending] = []
    for person in astro.people:
        waiting = _pending(person, work.drafts_of[person.source_id], work.as_of, work.warnings)
        if waiting is not None:
            pending.append(waiting)
    _settle(pending, work.vehicles)
    for drafts in work.drafts_of.values():
        drafts.sort(key=lambda d: d.launch)


# --- stage 5: corrections and cross-check ----------------------------------------------


def _apply_corrections(work: _Work, corrections: tuple[Correction, ...]) -> None:
    """The corrections file, each applied only where it still finds the value it expects."""
    for c in corrections:
        hit = False
        if c.kind == "vehicle_launch":
            hit = _correct_vehicle_launch(work, c)
        for pid in c.people:
            if c.kind == "landing":
                hit = _correct_landing(work, c, pid) or hit
            elif c.kind in FLIGHT_KINDS:
                hit = _correct_flight(work, c, pid) or hit
            elif c.kind in PERSON_KINDS:
                hit = _correct_person(work, c, pid) or hit
        if hit:
            work.applied.append(c.summary())
        else:
            work.warnings.append(f"correction {c.id} matched nothing; not applied")
    for pid, parts in work.parts.items():
        if parts.gender not in GENDERS:
            row = work.rows[pid]
            work.problems.append(
                Problem(
                    work.astro_source,
                    f"line {row.line}",
                    f"{pid} {row.name}: gender code {row.gender!r} has no value in the data model",
                    "add a 'gender' correction for this person to the corrections file",
                )
            )


def _correct_person(work: _Work, c: Correction, pid: str) -> bool:
    parts = work.parts.get(pid)
    if parts is None:
        return False
    current = {
        "name": parts.name,
        "common_name": parts.display,
        "short_name": parts.short_name or short_name(parts.display, parts.country),
        "country": parts.country,
        "countries": ", ".join(parts.countries) if parts.countries else parts.country,
        "gender": parts.gender,
    }[c.kind]
    if current != c.was:
        work.warnings.append(
            f"correction {c.id} does not match {pid} any more ({c.kind} is "
            f"{current!r}, not {c.was!r}); not applied"
        )
        return False
    if c.kind == "name":
        parts.name = c.value
    elif c.kind == "common_name":
        parts.common_name = c.value
    elif c.kind == "short_name":
        parts.short_name = c.value
    elif c.kind == "country":
        parts.country = c.value
    elif c.kind == "countries":
        parts.countries = c.values
    else:
        parts.gender = c.value
    return True


def _correct_flight(work: _Work, c: Correction, pid: str) -> bool:
    hit = False
    for d in work.drafts_of.get(pid, []):
        if d.tag != c.mission:
            continue
        mission, _, down = _title(d, work.vehicles, work.renamed)
        current = {
            "landing_vehicle": down or "unknown",
            "mission_name": mission,
            "aborted": "true" if d.aborted else "false",
            "crew_lost": "true" if d.crew_lost else "false",
        }[c.kind]
        if c.kind == "mission_name" and work.renamed.get(d.tag) == c.value:
            hit = True  # renamed for a crewmate already: the vehicle's name is one
            continue
        if current != c.was:
            work.warnings.append(
                f"correction {c.id} does not match {pid} {c.mission} any more "
                f"({c.kind} is {current!r}, not {c.was!r}); not applied"
            )
            continue
        if c.kind == "landing_vehicle":
            d.landing_vehicle = c.value
        elif c.kind == "mission_name":
            work.renamed[d.tag] = c.value
        elif c.kind == "aborted":
            d.aborted = True
        else:
            d.crew_lost = True
        if c.note:
            d.notes.append(c.note)
        hit = True
    return hit


def _correct_vehicle_launch(work: _Work, c: Correction) -> bool:
    assert c.vehicle is not None
    listed = [m for m in work.vehicles.values() if mission_title(m) == c.vehicle]
    if listed:
        work.warnings.append(
            f"correction {c.id}: {c.vehicle} is in the missions lists now ({listed[0].tag}); "
            "not applied"
        )
        return False
    work.vehicle_launches[c.vehicle] = parse_instant(c.value)
    return True


def _correct_landing(work: _Work, c: Correction, pid: str) -> bool:
    hit = False
    for d in work.drafts_of.get(pid, []):
        if d.tag != c.mission:
            continue
        was = parse_instant(c.was)
        if d.landing != was:
            now = iso(d.landing) if d.landing else "in flight"
            work.warnings.append(
                f"correction {c.id} does not match {pid} {c.mission} "
                f"any more (landing is {now}, not {c.was}); not applied"
            )
            continue
        d.landing = parse_instant(c.value)
        d.notes.append(c.note or f"corrected: {c.reason}")
        if c.astro_total_carries_error:
            delta = int((d.landing - was).total_seconds())
            work.expected_delta[pid].append((delta, c))
        hit = True
    return hit


def _assemble(work: _Work, astro: AstroFile) -> tuple[list[Person], list[AstroRow]]:
    """People, in order of first launch then source id, with unique ids."""
    drafts_of = work.drafts_of
    order = sorted(
        (p for p in astro.people if drafts_of.get(p.source_id)),
        key=lambda p: (drafts_of[p.source_id][0].launch, p.source_id),
    )
    for p in astro.people:
        if not drafts_of.get(p.source_id):
            work.warnings.append(f"{p.source_id} {p.name}: no flights found; left out")
    people: list[Person] = []
    taken: dict[str, int] = {}
    for p in order:
        parts = work.parts[p.source_id]
        base = slug(parts.name)
        taken[base] = taken.get(base, 0) + 1
        pid = base if taken[base] == 1 else f"{base}-{taken[base]}"
        flights = [_flight(work, d, parts) for d in drafts_of[p.source_id]]
        people.append(
            Person(
                id=pid,
                name=parts.name,
                country=parts.country,
                gender=next(g for g in GENDERS if g == parts.gender),
                flights=tuple(flights),
                source_id=p.source_id,
                countries=parts.countries,
                common_name=parts.common_name,
                short_name=parts.short_name,
            )
        )
    return people, order


def _flight(work: _Work, d: _Draft, parts: _Parts) -> Flight:
    title, up, down = _title(d, work.vehicles, work.renamed)
    down_launch = None
    if down is not None:
        row = work.vehicles.get(d.landing_tag or "") if d.landing_vehicle is None else None
        if row is not None and row.launch is not None:
            down_launch = row.launch.instant
        else:
            down_launch = work.vehicle_launches.get(down)
    return Flight(
        mission=title,
        launch=d.launch,
        landing=d.landing,
        suborbital=d.suborbital,
        launch_vehicle=up,
        landing_vehicle=down,
        note="; ".join(d.notes) if d.notes else None,
        crew_lost=d.crew_lost,
        flag=flag(parts, d.launch),
        landing_vehicle_launch=down_launch,
        aborted=d.aborted,
    )


def _cross_check(
    work: _Work, people: list[Person], order: list[AstroRow]
) -> tuple[int, list[Difference]]:
    """Every person's total against astro's: how many match, and each difference's reason."""
    matched = 0
    differences: list[Difference] = []
    for someone, row in zip(people, order, strict=True):
        computed = sum(
            int(((f.landing or work.as_of) - f.launch).total_seconds()) for f in someone.flights
        )
        ongoing = any(f.ongoing for f in someone.flights)
        if computed == row.total.seconds and ongoing == row.total.ongoing:
            matched += 1
            continue
        differences.append(
            Difference(
                row.source_id,
                someone.name,
                computed,
                row.total.seconds,
                _explain(
                    computed - row.total.seconds,
                    work.expected_delta.get(row.source_id, []),
                    work.drafts_of[row.source_id],
                    row,
                    work.vehicles,
                ),
            )
        )
    return matched, differences


def _span(row: MissionRow) -> int:
    """A vehicle flight's duration: end minus launch when both are given, else ``Dur``."""
    if row.launch is not None and row.end is not None:
        return int((row.end.instant - row.launch.instant).total_seconds())
    return row.duration.seconds if row.duration else 0


def _explain(
    delta: int,
    expected: list[tuple[int, Correction]],
    drafts: list[_Draft],
    person: AstroRow,
    vehicles: dict[str, MissionRow],
) -> str | None:
    """Why a person's computed total differs from astro's, when the reason is known.

    Known reasons: a correction whose error astro's total still carries; astro counting the
    time of aborted launches (Challenger, Soyuz T-10a, Gemini VI-A, SpaceShipTwo's flight
    20), which are not spaceflights; and astro's totals following the newest missions list,
    where a flight's launch or landing is given more precisely (or revised) than in the
    rides list's duration.
    """
    reasons: list[str] = []
    remaining = delta
    for seconds, c in expected:
        reasons.append(
            f"correction {c.id} ({'+' if seconds >= 0 else ''}"
            f"{format_duration(seconds)}; astro's total still carries the error)"
        )
        remaining -= seconds
    if remaining == 0:
        return "; ".join(reasons)
    aborts = []
    for entry in person.missions:
        row = vehicles.get(entry.split("/", 1)[0])
        if row is not None and row.mtype == "ABORT" and _span(row):
            aborts.append(row)
            remaining += _span(row)
    if aborts:
        reasons.append(
            "astro's total counts the aborted launch(es) "
            + ", ".join(f"{mission_title(r)} ({format_duration(_span(r))})" for r in aborts)
            + ", which are not spaceflights"
        )
    revised = []
    for d in drafts:
        if d.landing is None or d.landing_tag is None:
            continue
        up, down = vehicles.get(d.tag), vehicles.get(d.landing_tag)
        if up is None or down is None or up.launch is None or down.end is None:
            continue
        ours = int((d.landing - d.launch).total_seconds())
        theirs = int((down.end.instant - up.launch.instant).total_seconds())
        if ours != theirs:
            revised.append(
                f"{mission_title(up)} {format_duration(theirs)} there, "
                f"{format_duration(ours)} from the rides list"
            )
            remaining += theirs - ours
    if revised:
        reasons.append(
            "astro's total follows the newest missions list's launch and landing "
            "times, more precise than or revised from the rides list's duration: "
            + "; ".join(revised)
        )
    coarse = [d for d in drafts if not d.precise and d.landing is not None]
    if remaining != 0 and coarse and abs(remaining) < 60 * len(coarse):
        reasons.append(
            "McDowell gives "
            + ", ".join(
                f"{vehicle_title(d.tag, vehicles)} ({format_duration(_seconds(d, d.launch))})"
                for d in coarse
            )
            + " only to the minute or as uncertain; astro's total has the seconds "
            f"({'+' if -remaining >= 0 else ''}{-remaining} s)"
        )
        remaining = 0
    return "; ".join(reasons) if remaining == 0 and reasons else None


# --- output ----------------------------------------------------------------------------

HEADER = """\
The history of human spaceflight, one entry per person and flight.

Generated by `spacebot import-mcdowell` from Jonathan McDowell's lists: do not edit by
hand except to try something out; fix the data in bot/sources/mcdowell/corrections.yaml
(or the importer) and regenerate, so that a rerun on newer lists keeps the fix.
See docs/data-sources.md and docs/data-format.md.

{credit}
"""


def render(result: ImportResult) -> str:
    """The YAML text of ``schedules/history.yaml`` (same result -> same bytes)."""
    extra: dict[str, Any] = {"source": result.source}
    if result.corrections:
        extra["corrections"] = list(result.corrections)
    dataset = Dataset(as_of=result.as_of, people=result.people)
    return dump_dataset(dataset, header=HEADER.format(credit=CREDIT), top=extra)


def report(result: ImportResult) -> str:
    """A short human-readable summary of the conversion and its cross-check."""
    lines = [
        f"people: {len(result.people)}",
        f"flights: {result.flights} ({result.ongoing} ongoing at {iso(result.as_of)})",
        f"corrections applied: {len(result.corrections)}",
        f"cross-check with astro's totals: {result.matched} of {len(result.people)} match to "
        f"the second; {len(result.differences)} differ, "
        f"{len(result.unexplained)} of them unexplained",
    ]
    for d in result.differences:
        lines.append(
            f"  {d.source_id} {d.name}: computed {format_duration(d.computed)}, astro "
            f"{format_duration(d.astro)} ({'+' if d.delta >= 0 else ''}{d.delta} s): "
            f"{d.explanation or 'UNEXPLAINED'}"
        )
    if result.warnings:
        lines.append(f"warnings: {len(result.warnings)}")
        lines.extend(f"  {w}" for w in result.warnings)
    return "\n".join(lines)
