"""The corrections applied on top of McDowell's lists, read from a commented YAML file.

Each correction names what it changes, the value it expects to find (``was``) and the
value it puts instead, with a reason and sources.  A correction whose ``was`` no longer
matches (because a newer list fixed the error, or changed the person's name) is not
applied and is reported, so a rerun on newer lists never silently overwrites good data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import yaml

from bot.errors import DataError, Problem

Kind = Literal["landing", "name", "gender", "country"]
KINDS: tuple[Kind, ...] = ("landing", "name", "gender", "country")

_KEYS = {
    "id",
    "kind",
    "people",
    "mission",
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
    mission: str | None = None  # for "landing": the HSFTAG of the launch, e.g. "TMA16"
    note: str | None = None  # for "landing": the note put on the corrected flight
    astro_total_carries_error: bool = False  # astro's totals still have the wrong value

    def summary(self) -> str:
        return f"{self.id}: {self.was} -> {self.value} ({', '.join(self.people)}): {self.reason}"


def parse_instant(text: str) -> datetime:
    """``2010-03-18T11:24:04Z`` -> aware datetime; raises ``ValueError``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _text(value: Any) -> str:
    if isinstance(value, datetime):  # YAML reads an unquoted timestamp as a datetime
        instant = value if value.tzinfo else value.replace(tzinfo=UTC)
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
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
        )
        if correction.id in seen:
            problems.append(Problem(source, where, f"duplicate id {correction.id!r}"))
            continue
        seen.add(correction.id)
        if kind == "landing":
            if correction.mission is None:
                problems.append(
                    Problem(
                        source,
                        where,
                        "a landing correction needs 'mission' "
                        "(the HSFTAG of the launch, e.g. TMA16)",
                    )
                )
                continue
            try:
                parse_instant(correction.was)
                parse_instant(correction.value)
            except ValueError:
                problems.append(
                    Problem(
                        source,
                        where,
                        "'was' and 'value' must be instants like 2010-03-18T11:24:04Z",
                    )
                )
                continue
        if kind == "gender" and correction.value not in ("male", "female"):
            problems.append(Problem(source, where, "a gender must be 'male' or 'female'"))
            continue
        found.append(correction)
    if problems:
        raise DataError(problems)
    return tuple(found)
