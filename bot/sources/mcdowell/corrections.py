"""The corrections applied on top of McDowell's lists, read from a commented YAML file.

Each correction names what it changes, the value it expects to find (``was``) and the
value it puts instead, with a reason and sources.  A correction whose ``was`` no longer
matches (because a newer list fixed the error, or changed the person's name) is not
applied and is reported, so a rerun on newer lists never silently overwrites good data.

Kinds, and what ``was`` is for each:

* about a person (``people``: McDowell ids): ``name`` (the name the importer makes;
  changes the id, so only for people not yet published), ``common_name`` (the name posts
  use; ``was`` is the name; the id stays), ``short_name`` (``was``: what the family-name
  rule gives), ``country``, ``countries`` (``was``: the country; ``value``: every
  citizenship that counts, that country first), ``gender``;
* about a flight (``mission``: the HSFTAG of its launch; ``people``: who is on it):
  ``landing`` (instants), ``landing_vehicle`` (``was``: the vehicle named, or
  ``unknown``), ``mission_name`` (``was``: the name the importer makes), ``aborted`` and
  ``crew_lost`` (``was: false``, ``value: true``);
* about a vehicle missing from McDowell's lists (``vehicle``: its name, as flights name
  it): ``vehicle_launch`` (``was: unlisted``; ``value``: its launch instant).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import yaml

from bot.errors import DataError, Problem

Kind = Literal[
    "landing",
    "name",
    "common_name",
    "short_name",
    "gender",
    "country",
    "countries",
    "landing_vehicle",
    "mission_name",
    "aborted",
    "crew_lost",
    "vehicle_launch",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
PERSON_KINDS: frozenset[str] = frozenset(
    {"name", "common_name", "short_name", "gender", "country", "countries"}
)
FLIGHT_KINDS: frozenset[str] = frozenset(
    {"landing", "landing_vehicle", "mission_name", "aborted", "crew_lost"}
)
GENDER_VALUES = ("male", "female", "nonbinary", "unknown")
UNLISTED = "unlisted"  # the ``was`` of a vehicle_launch correction

_KEYS = {
    "id",
    "kind",
    "people",
    "mission",
    "vehicle",
    "was",
    "value",
    "reason",
    "sources",
    "note",
    "astro_total_carries_error",
}


@dataclass(frozen=True)
class Correction:
    id: str
    kind: Kind
    people: tuple[str, ...]  # McDowell ids, "AS-00400"
    was: str  # the value the lists give (a timestamp for "landing")
    value: str  # the corrected value
    reason: str
    sources: tuple[str, ...]
    mission: str | None = None  # for a flight: the HSFTAG of the launch, e.g. "TMA16"
    note: str | None = None  # for a flight: the note put on the corrected flight
    astro_total_carries_error: bool = False  # astro's totals still have the wrong value
    vehicle: str | None = None  # for "vehicle_launch": the vehicle's name, "Soyuz MS-23"

    @property
    def values(self) -> tuple[str, ...]:
        """``value`` as a list (``countries``: "US, GB" -> ("US", "GB"))."""
        return tuple(v.strip() for v in self.value.split(",") if v.strip())

    def summary(self) -> str:
        who = ", ".join(self.people)
        return f"{self.id}: {self.was} -> {self.value} ({who}): {self.reason}"


def parse_instant(text: str) -> datetime:
    """``2010-03-18T11:24:04Z`` -> aware datetime; raises ``ValueError``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _text(value: Any) -> str:
    if isinstance(value, datetime):  # YAML reads an unquoted timestamp as a datetime
        instant = value if value.tzinfo else value.replace(tzinfo=UTC)
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def parse_corrections(text: str, source: str) -> tuple[Correction, ...]:
    """Corrections from the YAML text of a corrections file (see the bundled one)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "line 1"
        raise DataError(
            Problem(source, where, f"not valid YAML: {exc}", "fix the YAML syntax")
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("corrections"), list):
        raise DataError(
            Problem(
                source,
                "top level",
                "expected a mapping with a 'corrections:' list",
                "see the bundled corrections file",
            )
        )
    problems: list[Problem] = []
    found: list[Correction] = []
    seen: set[str] = set()
    for index, item in enumerate(data["corrections"], start=1):
        where = f"correction {index}"
        if not isinstance(item, dict):
            problems.append(Problem(source, where, "expected a mapping"))
            continue
        where = f"correction {index} ({item.get('id', 'no id')})"
        unknown = sorted(set(item) - _KEYS)
        missing = [
            k
            for k in ("id", "kind", "people", "was", "value", "reason", "sources")
            if k not in item
        ]
        if unknown or missing:
            problems.append(
                Problem(
                    source,
                    where,
                    "; ".join(
                        filter(
                            None,
                            [
                                f"unknown key(s) {', '.join(unknown)}" if unknown else "",
                                f"missing key(s) {', '.join(missing)}" if missing else "",
                            ],
                        )
                    ),
                    f"allowed keys: {', '.join(sorted(_KEYS))}",
                )
            )
            continue
        kind = item["kind"]
        if kind not in KINDS:
            problems.append(Problem(source, where, f"kind {kind!r} is not one of {KINDS}"))
            continue
        people = item["people"] if isinstance(item["people"], list) else [item["people"]]
        sources = item["sources"] if isinstance(item["sources"], list) else [item["sources"]]
        correction = Correction(
            id=str(item["id"]),
            kind=kind,
            people=tuple(str(p) for p in people),
            was=_text(item["was"]),
            value=_text(item["value"]),
            reason=" ".join(str(item["reason"]).split()),
            sources=tuple(str(s) for s in sources),
            mission=str(item["mission"]) if item.get("mission") is not None else None,
            note=" ".join(str(item["note"]).split()) if item.get("note") else None,
            astro_total_carries_error=bool(item.get("astro_total_carries_error", False)),
            vehicle=str(item["vehicle"]) if item.get("vehicle") is not None else None,
        )
        if correction.id in seen:
            problems.append(Problem(source, where, f"duplicate id {correction.id!r}"))
            continue
        seen.add(correction.id)
        problem = _check(correction)
        if problem:
            problems.append(Problem(source, where, problem))
            continue
        found.append(correction)
    if problems:
        raise DataError(problems)
    return tuple(found)


def _check(c: Correction) -> str:
    """What is wrong with one correction's fields for its kind, or ""."""
    if c.kind in FLIGHT_KINDS and c.mission is None:
        return f"a {c.kind} correction needs 'mission' (the HSFTAG of the launch, e.g. TMA16)"
    instants = {"landing": (c.was, c.value), "vehicle_launch": (c.value,)}.get(c.kind, ())
    try:
        for text in instants:
            parse_instant(text)
    except ValueError:
        return "'was' and 'value' must be instants like 2010-03-18T11:24:04Z"
    if c.kind == "gender" and c.value not in GENDER_VALUES:
        return f"a gender must be one of {', '.join(GENDER_VALUES)}"
    if c.kind in ("aborted", "crew_lost") and (c.was, c.value) != ("false", "true"):
        return f"a {c.kind} correction reads 'was: false', 'value: true'"
    if c.kind == "vehicle_launch" and (c.vehicle is None or c.was != UNLISTED):
        return f"a vehicle_launch correction needs 'vehicle' (its name) and 'was: {UNLISTED}'"
    if c.kind == "countries" and (not c.values or c.values[0] != c.was):
        return "'value' lists every citizenship that counts, starting with 'was' (the country)"
    return ""
