"""Pure parsers for Jonathan McDowell's human-spaceflight lists (planet4589.org).

Every function here takes the text of one file (and the file's name, for messages) and
returns plain values; nothing reads files or the clock.  Anything that cannot be read
raises :class:`bot.errors.DataError` naming the file and the line.

The formats:

* ``rides_*.tsv``: tab-separated, ``#`` lines are comments; one row per person per ride.
  Sections (announced by comment lines): human rides, chimp rides, aborted rides.
* ``missions_*.tsv``: tab-separated, one row per vehicle flight.
* ``missions_*.txt`` and ``astro_*.txt``: fixed-width columns inside HTML ``<PRE>``
  blocks, with a header line naming the columns (the header's word positions give the
  column starts) and a ``# Updated YYYY Mon DD HHMM:SS`` line.

Times are UTC.  ``1942:57`` is 19:42:57, ``0600`` is 06:00:00.  A trailing ``?`` marks an
uncertain value, a trailing ``*`` a duration still running at the list's date.
Durations are ``days:hours:minutes:seconds`` or, with three parts, ``days:hours:minutes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.errors import DataError, Problem

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    )
}

Precision = Literal["day", "minute", "second"]


@dataclass(frozen=True)
class Stamp:
    """An instant as McDowell gives it, with how precise it is."""

    instant: datetime
    precision: Precision
    uncertain: bool = False


@dataclass(frozen=True)
class Span:
    """A duration in whole seconds; ``ongoing`` when it was still running at the list's date."""

    seconds: int
    precision: Precision
    ongoing: bool = False
    uncertain: bool = False


@dataclass(frozen=True)
class Ride:
    """One row of ``rides_*.tsv``: one person's ride from launch to landing."""

    line: int
    tag: str  # the mission's HSFTAG, e.g. "TMA16M" (RoleCode before the slash)
    role_code: str  # e.g. "TMA16M/BI2"
    mission: str  # the Mission column, e.g. "Soyuz TMA-16M"
    hsfid: str  # e.g. "H00317"
    name: str
    person_id: str  # e.g. "AS-00397"
    launch: Stamp
    duration: Span
    segments: tuple[str, ...]  # e.g. ("EX43/FE5", "TMA16M:3/BI2", ...)


@dataclass(frozen=True)
class MissionRow:
    """One row of a missions list: one vehicle's flight."""

    line: int
    hsfid: str
    tag: str  # HSFTAG, e.g. "TMA16M"
    ship: str  # e.g. "Soyuz TMA-16M", "STS 41-B", "X-15-3"
    launch: Stamp | None  # None only for rows without a date
    end: Stamp | None  # None while in flight ("-")
    duration: Span | None
    crew: int
    callsign: str
    program: str
    orbid: str  # "ORB123", "SO12" (suborbital) or "-"
    mtype: str  # "FLT", "ABORT", "BIO"

    @property
    def suborbital(self) -> bool:
        return self.orbid.startswith("SO")


@dataclass(frozen=True)
class AstroRow:
    """One person of ``astro_*.txt`` (section "Flown Astronauts")."""

    line: int
    source_id: str  # "AS-00397"
    name: str  # "Kelly, Scott Joseph"
    citizen: str  # McDowell's code: "US", "RU", "D", "J", "UK", ...
    nfl: int  # number of flights he counts
    nri: int  # number of rides, aborted ones included
    total: Span  # total time in space at the list's date
    gender: str  # "M", "F" (and "N" once)
    flag: str  # "-", "SO" (suborbital only), "DS" (deep space), "L" (lunar landing)
    missions: tuple[str, ...]  # "STS103/PLT", ... (may be cut off at the column's width)
    uname: str  # the name in its own script, with accents


@dataclass(frozen=True)
class RidesFile:
    updated: datetime
    rides: tuple[Ride, ...]  # human rides only


@dataclass(frozen=True)
class MissionsFile:
    updated: datetime
    missions: tuple[MissionRow, ...]


@dataclass(frozen=True)
class AstroFile:
    updated: datetime
    people: tuple[AstroRow, ...]  # flown astronauts only


class _Problems:
    """Collects problems of one file so that one run reports them all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Problem] = []

    def add(self, line: int, message: str, fix: str = "") -> None:
        self.items.append(Problem(self.source, f"line {line}", message, fix))

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(self.items[:20])


_FORMAT_FIX = (
    "check that this is an unmodified copy of McDowell's list (planet4589.org); "
    "a changed layout needs a change in bot/sources/mcdowell/parse.py"
)

_STAMP = re.compile(
    r"^(?P<y>\d{4}) (?P<mon>[A-Z][a-z]{2}) +(?P<d>\d{1,2})"
    r"(?: (?P<hh>\d{2})(?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?(?P<q>\?)?$"
)
_SPAN = re.compile(r"^(?P<parts>\d+(?::\d+){0,3})(?P<mark>[*?]?)$")
_UPDATED = re.compile(r"^# ?Updated (\d{4} [A-Z][a-z]{2} +\d{1,2}) (\d{2}):?(\d{2}):(\d{2})\s*$")


def parse_stamp(text: str) -> Stamp:
    """``"2015 Mar 27 1942:57"`` -> 2015-03-27T19:42:57Z; raises ``ValueError``."""
    m = _STAMP.match(text.strip())
    if not m or m["mon"] not in MONTHS:
        raise ValueError(f"not a date and time like '2015 Mar 27 1942:57': {text.strip()!r}")
    precision: Precision = "day"
    hh = mm = ss = 0
    if m["hh"] is not None:
        hh, mm = int(m["hh"]), int(m["mm"])
        precision = "minute"
        if m["ss"] is not None:
            ss = int(m["ss"])
            precision = "second"
    instant = datetime(int(m["y"]), MONTHS[m["mon"]], int(m["d"]), hh, mm, ss, tzinfo=UTC)
    return Stamp(instant, precision, uncertain=m["q"] is not None)


def parse_span(text: str) -> Span:
    """``"340:08:42:54"`` (d:h:m:s), ``"1:01:14"`` (d:h:m), ``"217*"`` (days); ``ValueError``."""
    m = _SPAN.match(text.strip())
    if not m:
        raise ValueError(f"not a duration like '340:08:42:54': {text.strip()!r}")
    parts = [int(p) for p in m["parts"].split(":")]
    units = {1: (86400,), 2: (86400, 3600), 3: (86400, 3600, 60), 4: (86400, 3600, 60, 1)}
    seconds = sum(p * u for p, u in zip(parts, units[len(parts)], strict=True))
    precision: Precision = "second" if len(parts) == 4 else "minute" if len(parts) == 3 else "day"
    return Span(seconds, precision, ongoing=m["mark"] == "*", uncertain=m["mark"] == "?")


def parse_updated(lines: list[str], source: str) -> datetime:
    """The list's date, from its ``# Updated 2026 Jul  3 0703:57`` line."""
    for line in lines[:20]:
        m = _UPDATED.match(line.strip())
        if m:
            return parse_stamp(f"{m[1]} {m[2]}{m[3]}:{m[4]}").instant
    raise DataError(
        Problem(
            source, "line 1", "no '# Updated YYYY Mon DD HHMM:SS' line near the top", _FORMAT_FIX
        )
    )


RIDES_COLUMNS = [
    "#No", "Program", "Categ", "RoleCode", "Mission", "HSFID", "Role", "Name", "Rank",
    "Employer", "Sponsor", "ID", "LDate", "Duration", "Segments",
]  # fmt: skip


def parse_rides(text: str, source: str) -> RidesFile:
    """Human rides of ``rides_*.tsv`` (chimp and aborted rides are left out)."""
    lines = text.splitlines()
    problems = _Problems(source)
    if not lines or lines[0].split("\t") != RIDES_COLUMNS:
        problems.add(
            1, "the first line is not the rides header '#No<TAB>Program<TAB>...'", _FORMAT_FIX
        )
        problems.raise_if_any()
    updated = parse_updated(lines, source)
    rides: list[Ride] = []
    section = "human"
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):
            lowered = line.lower()
            if "space rides" in lowered:
                section = "human" if "human" in lowered else "other"
            continue
        if not line.strip() or section != "human":
            continue
        cells = line.split("\t")
        if len(cells) != len(RIDES_COLUMNS):
            problems.add(
                number,
                f"{len(cells)} tab-separated fields, expected {len(RIDES_COLUMNS)}",
                _FORMAT_FIX,
            )
            continue
        row = dict(zip(RIDES_COLUMNS, (c.strip() for c in cells), strict=True))
        if not re.fullmatch(r"A[SFA]-\d{5}", row["ID"]):
            problems.add(number, f"ID {row['ID']!r} is not like 'AS-00397'", _FORMAT_FIX)
            continue
        if "/" not in row["RoleCode"]:
            problems.add(
                number, f"RoleCode {row['RoleCode']!r} is not like 'TMA16M/BI2'", _FORMAT_FIX
            )
            continue
        try:
            launch = parse_stamp(row["LDate"])
            duration = parse_span(row["Duration"])
        except ValueError as exc:
            problems.add(number, str(exc), _FORMAT_FIX)
            continue
        segments = tuple(s for s in row["Segments"].split(",") if s and s != "-")
        rides.append(
            Ride(
                line=number,
                tag=row["RoleCode"].split("/", 1)[0],
                role_code=row["RoleCode"],
                mission=row["Mission"],
                hsfid=row["HSFID"],
                name=row["Name"],
                person_id=row["ID"],
                launch=launch,
                duration=duration,
                segments=segments,
            )
        )
    problems.raise_if_any()
    return RidesFile(updated, tuple(rides))


MISSIONS_COLUMNS = [
    "HSFID", "HSFTAG", "Desig", "JTAG", "Ship", "LDate", "EDate", "Dur", "Crew", "Callsign",
    "Station", "Program", "Project", "OrbID", "DS", "SSF", "MType",
]  # fmt: skip


def _mission(row: dict[str, str], number: int, problems: _Problems) -> MissionRow | None:
    try:
        launch = parse_stamp(row["LDate"]) if row["LDate"] not in ("", "-") else None
        end = parse_stamp(row["EDate"]) if row["EDate"] not in ("", "-") else None
        duration = parse_span(row["Dur"]) if row["Dur"] not in ("", "-") else None
        crew = int(row["Crew"])
    except ValueError as exc:
        problems.add(number, str(exc), _FORMAT_FIX)
        return None
    return MissionRow(
        line=number,
        hsfid=row["HSFID"],
        tag=row["HSFTAG"],
        ship=row["Ship"],
        launch=launch,
        end=end,
        duration=duration,
        crew=crew,
        callsign=row["Callsign"],
        program=row["Program"],
        orbid=row["OrbID"],
        mtype=row["MType"],
    )


def parse_missions_tsv(text: str, source: str) -> MissionsFile:
    """``missions_*.tsv``: one row per vehicle flight."""
    lines = text.splitlines()
    problems = _Problems(source)
    header = [c.lstrip("#") for c in lines[0].split("\t")] if lines else []
    if header != MISSIONS_COLUMNS:
        problems.add(
            1, "the first line is not the missions header '#HSFID<TAB>HSFTAG<TAB>...'", _FORMAT_FIX
        )
        problems.raise_if_any()
    updated = parse_updated(lines, source)
    rows: list[MissionRow] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(MISSIONS_COLUMNS):
            problems.add(
                number,
                f"{len(cells)} tab-separated fields, expected {len(MISSIONS_COLUMNS)}",
                _FORMAT_FIX,
            )
            continue
        row = dict(zip(MISSIONS_COLUMNS, (c.strip() for c in cells), strict=True))
        mission = _mission(row, number, problems)
        if mission is not None:
            rows.append(mission)
    problems.raise_if_any()
    return MissionsFile(updated, tuple(rows))


def _columns(header: str) -> list[tuple[str, int, int | None]]:
    """(name, start, end) of each column of a fixed-width header line."""
    found = [(m.group(), m.start()) for m in re.finditer(r"\S+", header)]
    return [
        (name, start, found[i + 1][1] if i + 1 < len(found) else None)
        for i, (name, start) in enumerate(found)
    ]


def _fixed_width(
    lines: list[str],
    source: str,
    first_column: str,
    required: tuple[str, ...],
    row_pattern: re.Pattern[str],
    section: str | None,
) -> tuple[list[tuple[int, dict[str, str]]], _Problems]:
    """Rows of a fixed-width list as {column: stripped text}, with their line numbers."""
    problems = _Problems(source)
    header_at = next(
        (i for i, line in enumerate(lines) if line.startswith(first_column + " ")), None
    )
    if header_at is None:
        problems.add(1, f"no header line starting with '{first_column}'", _FORMAT_FIX)
        problems.raise_if_any()
        raise AssertionError("unreachable")
    columns = _columns(lines[header_at])
    names = {name for name, _, _ in columns}
    missing = [c for c in required if c not in names]
    if missing:
        problems.add(header_at + 1, f"header lacks the column(s) {', '.join(missing)}", _FORMAT_FIX)
        problems.raise_if_any()
    rows: list[tuple[int, dict[str, str]]] = []
    in_section = section is None
    for index, line in enumerate(lines):
        if section is not None and line.startswith("<H3>"):
            in_section = section in line
            continue
        if not in_section or not row_pattern.match(line):
            continue
        # Every column boundary must fall on a blank (a shifted row would read garbage).
        for name, start, _ in columns[1:]:
            if start - 1 < len(line) and line[start - 1] != " " and name != columns[-1][0]:
                problems.add(
                    index + 1,
                    f"text runs across the start of column {name!r} "
                    f"(position {start + 1}): the row is not aligned with the header",
                    _FORMAT_FIX,
                )
                break
        else:
            rows.append(
                (index + 1, {name: line[start:end].strip() for name, start, end in columns})
            )
    return rows, problems


def parse_missions_txt(text: str, source: str) -> MissionsFile:
    """``missions_*.txt``: the fixed-width missions list inside ``<PRE>``."""
    lines = text.splitlines()
    updated = parse_updated(lines, source)
    header_names = ("HSFID", "HSFTAG", "Ship", "LDate", "EDate", "Dur", "Crew", "OrbID", "MType")
    raw, problems = _fixed_width(
        lines, source, "HSFID", header_names, re.compile(r"^H[A-Z0-9]\d{4}\s"), None
    )
    rows: list[MissionRow] = []
    for number, row in raw:
        row.setdefault("Program", row.get("Progra", ""))
        row.setdefault("Callsign", "")
        mission = _mission(row, number, problems)
        if mission is not None:
            rows.append(mission)
    problems.raise_if_any()
    return MissionsFile(updated, tuple(rows))


def parse_astro(text: str, source: str) -> AstroFile:
    """``astro_*.txt``: people of the "Flown Astronauts" section."""
    lines = text.splitlines()
    updated = parse_updated(lines, source)
    required = ("No", "Name", "Citizen", "NFL", "NRI", "Duration", "G", "FLAG", "Missions")
    raw, problems = _fixed_width(
        lines, source, "No", required, re.compile(r"^A[SAF]-\d{5}\s"), "Flown Astronauts"
    )
    people: list[AstroRow] = []
    for number, row in raw:
        try:
            total = parse_span(row["Duration"])
            nfl, nri = int(row["NFL"]), int(row["NRI"])
        except ValueError as exc:
            problems.add(number, str(exc), _FORMAT_FIX)
            continue
        if row["G"] not in ("M", "F", "N"):
            problems.add(number, f"gender column G is {row['G']!r}, expected M or F", _FORMAT_FIX)
            continue
        people.append(
            AstroRow(
                line=number,
                source_id=row["No"],
                name=row["Name"],
                citizen=row["Citizen"],
                nfl=nfl,
                nri=nri,
                total=total,
                gender=row["G"],
                flag=row["FLAG"],
                missions=tuple(m for m in row["Missions"].split(",") if m),
                uname=row.get("UName", ""),
            )
        )
    problems.raise_if_any()
    if not people:
        raise DataError(
            Problem(source, "line 1", "no rows in a 'Flown Astronauts' section", _FORMAT_FIX)
        )
    return AstroFile(updated, tuple(people))


def add(stamp: Stamp, span: Span) -> datetime:
    return stamp.instant + timedelta(seconds=span.seconds)
