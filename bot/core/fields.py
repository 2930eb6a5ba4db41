"""The named fields a template can use, and their values for one post.

Every field is plain text.  A post covers one milestone or a group of crewmates who
crossed the same milestone at the same instant; fields about "the person" name all
of them ("Scott Kelly and Mikhail Kornienko") unless documented as the first one's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from bot.core import wording as w
from bot.core.milestone import Kind, Milestone

T = TypeVar("T")

Overflow = Literal["fallback", "thread"]
OVERFLOWS: tuple[Overflow, ...] = ("fallback", "thread")

_HASHTAG = re.compile(r"#?(\w+)\Z")


def hashtag(tag: str) -> str | None:
    """``"ISS"`` or ``"#ISS"`` -> ``"#ISS"``; ``None`` when it is not a hashtag (a space,
    punctuation).  The one rule, used by the config check and the renderer."""
    m = _HASHTAG.match(tag.strip())
    return "#" + m.group(1) if m else None


@dataclass(frozen=True)
class RenderSettings:
    """How posts are worded, from the operator's config; every default is written here
    and only here (the config reader starts from these)."""

    timezone: str = "UTC"
    hashtags: tuple[str, ...] = ()  # each checked by :func:`hashtag`; appended as far as they fit
    group_crew: bool = True  # crewmates crossing the same milestone together: one post
    overflow: Overflow = "fallback"
    scope_labels: Mapping[str, str] = field(default_factory=dict)  # {"esa": "the European record"}
    scope_people: Mapping[str, str] = field(default_factory=dict)  # {"esa": "European astronaut"}
    rank_limit: int = 10  # standings worth mentioning in a mission end: 1st..10th

    @property
    def tags(self) -> tuple[str, ...]:
        """The hashtags, each with its ``#``, without duplicates (case-insensitive)."""
        out: dict[str, str] = {}
        for raw in self.hashtags:
            tag = hashtag(raw)
            if tag is not None:
                out.setdefault(tag.lower(), tag)
        return tuple(out.values())


ALL_KINDS: frozenset[Kind] = frozenset(Kind)
RECORDS: frozenset[Kind] = frozenset({Kind.RECORD_CONSECUTIVE, Kind.RECORD_CUMULATIVE})
MISSION_END: frozenset[Kind] = frozenset({Kind.MISSION_END})


@dataclass(frozen=True)
class Field:
    description: str
    example: str
    kinds: frozenset[Kind] = ALL_KINDS


FIELDS: Mapping[str, Field] = {
    # people
    "name": Field("the person's name; crewmates joined", "Scott Kelly and Mikhail Kornienko"),
    "name_possessive": Field("possessive of {name}", "Scott Kelly's"),
    "short_name": Field(
        "the name(s) for a second mention (the data's short_name, else the family name)",
        "Kelly and Kornienko",
    ),
    "is": Field('"is", or "are" for a group', "are"),
    "has": Field('"has", or "have" for a group', "have"),
    "was": Field('"was", or "were" for a group', "were"),
    "their": Field('"his", "her", or "their" (a group, nonbinary, not recorded)', "his"),
    # values
    "value": Field(
        "the value, worded for the kind: days and hours for a record, the round "
        "number for a milestone, the flight's length for a mission end",
        "one year",
    ),
    "value_days": Field(
        "the value (days and hours: same as {value_days_hours})", "340 days 8 hours"
    ),
    "value_days_hours": Field(
        "the value by the duration rule: days and hours, or hours and minutes under a day",
        "340 days 8 hours",
    ),
    "total_days": Field(
        "total time in space at the instant (first person named), days and hours",
        "520 days 10 hours",
    ),
    "total_days_hours": Field("same as {total_days}", "520 days 10 hours"),
    # the flight and the instant
    "mission": Field(
        "the flight, named as it stood at the instant (for crewmates with different "
        "names for it, the part they share)",
        "Soyuz TMA-16M / TMA-18M",
    ),
    "launch_date": Field("the flight's launch date, in the configured zone", "March 27, 2015"),
    "date": Field("the crossing date, in the configured time zone", "October 29, 2015"),
    "time": Field("the crossing time with its zone", "04:05 UTC"),
    "career": Field(
        '"across all his flights", "all of it on this flight" (first flight), '
        "or nothing for a group with both",
        "across all his flights",
    ),
    "hashtags": Field(
        "the configured hashtags; appended at the end when a template does not place them",
        "#ISS #YearInSpace",
    ),
    # records
    "previous_name": Field(
        "the previous record holder: a person, two crewmates, or the crew",
        "Michael López-Alegría / Vladimir Titov and Musa Manarov / the Skylab 4 crew",
        RECORDS,
    ),
    "previous_possessive": Field(
        "possessive of {previous_name}", "Michael López-Alegría's", RECORDS
    ),
    "previous_short_name": Field(
        "the previous holder for a second mention", "López-Alegría", RECORDS
    ),
    "previous_days": Field("same as {previous_days_hours}", "215 days 8 hours", RECORDS),
    "previous_days_hours": Field(
        "the record passed, by the duration rule", "215 days 8 hours", RECORDS
    ),
    "scope": Field("every record passed, widest first", "the world and Russian records", RECORDS),
    "scope_note": Field(
        "a sentence naming the narrower records also passed, or nothing",
        "Also the Russian record.",
        RECORDS,
    ),
    "record_claim": Field(
        "what the record means, for the widest scope",
        "the longest single spaceflight by an American / no one has spent more time in space",
        RECORDS,
    ),
    "record_claim_past": Field(
        "the same, for a late post",
        "setting the record for the longest single spaceflight by an American",
        RECORDS,
    ),
    "no_one": Field("widest scope as a subject", "no American", RECORDS),
    "by_whom": Field("widest scope after a superlative", "by an American", RECORDS),
    "than_anyone": Field("widest scope after a comparative", "than any other American", RECORDS),
    # mission ends
    "totals": Field(
        "each person's total time in space and notable standings",
        "Kelly's total: 520 days, 2nd in the world (1st in the US).",
        MISSION_END,
    ),
    "ranks": Field(
        "first person's notable standings in total time",
        "2nd in the world (1st in the US)",
        MISSION_END,
    ),
    "flight_ranks": Field(
        "first person's notable standings in single-flight length",
        "1st in the US",
        MISSION_END,
    ),
}


class Fields(dict[str, str]):
    """One post's field values, each worked out when a template first asks for it (a
    template uses a few of the fields: a preview of all history renders thousands of
    posts).  A known field with nothing to say is ``""``; an unknown one a KeyError."""

    def __init__(self, makers: Mapping[str, Callable[[], str]]) -> None:
        super().__init__()
        self._makers = makers

    def __missing__(self, key: str) -> str:
        if key not in FIELDS:
            raise KeyError(key)
        make = self._makers.get(key)
        try:
            value = self[key] = make() if make is not None else ""
        except Exception as exc:
            # Not a KeyError: str.format_map would take it for an unknown field, and a
            # post would go out as its raw template, braces and all.
            raise RuntimeError(f"field {{{key}}} could not be worked out: {exc!r}") from exc
        return value


def _once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called at most once."""
    done: list[T] = []

    def once() -> T:
        if not done:
            done.append(make())
        return done[0]

    return once


def build_fields(members: Sequence[Milestone], settings: RenderSettings | None = None) -> Fields:
    """The value of every field for one post (``members``: one milestone, or crewmates')."""
    settings = settings or RenderSettings()
    timezone = settings.timezone
    labels, people = settings.scope_labels, settings.scope_people
    rank_limit = settings.rank_limit
    first = members[0]
    kind = first.kind
    group = len(members) > 1
    names = _once(lambda: w.join([m.name for m in members]))
    shorts = _once(lambda: _short_names(members))
    value = _once(lambda: w.duration(first.value_seconds))  # the *_days fields too
    total = _once(lambda: w.duration(first.total_seconds))
    makers: dict[str, Callable[[], str]] = {
        "name": names,
        "name_possessive": lambda: w.possessive(names()),
        "short_name": lambda: w.join(shorts()),
        "value_days": value,
        "value_days_hours": value,
        "total_days": total,
        "total_days_hours": total,
        "mission": lambda: _mission(members),
        "career": lambda: _career(members),
        "launch_date": lambda: w.date_words(first.flight_launch, timezone),
        "date": lambda: w.date_words(first.at, timezone),
        "time": lambda: w.time_words(first.at, timezone),
        "their": lambda: w.pronoun_possessive([m.gender for m in members]),
        "is": lambda: "are" if group else "is",
        "has": lambda: "have" if group else "has",
        "was": lambda: "were" if group else "was",
    }
    if kind.is_record:
        makers["value"] = value
        record = _once(lambda: _record_fields(first, labels, people))
        for name in _RECORD_FIELDS:
            makers[name] = lambda name=name: record().get(name, "")  # type: ignore[misc]
    elif kind is Kind.MISSION_END:
        makers["value"] = value
        makers["totals"] = lambda: _totals(members, shorts(), labels, people, rank_limit)
        makers["ranks"] = lambda: w.ranks_phrase(
            first.ranks, "cumulative", labels, people, rank_limit, first.at
        )
        makers["flight_ranks"] = lambda: w.ranks_phrase(
            first.ranks, "consecutive", labels, people, rank_limit, first.at
        )
    elif kind is Kind.IN_MEMORIAM:
        makers["value"] = value
    elif first.threshold_days is not None:
        days = first.threshold_days
        makers["value"] = lambda: w.round_days(days)
    else:
        makers["value"] = value
    return Fields(makers)


def _short_names(members: Sequence[Milestone]) -> list[str]:
    shorts = [m.short_name or w.short_name(m.name, m.country) for m in members]
    # Two crewmates with one family name: keep their full names.
    return [m.name if shorts.count(s) > 1 else s for m, s in zip(members, shorts, strict=True)]


_RECORD_FIELDS = (
    "previous_name",
    "previous_possessive",
    "previous_short_name",
    "previous_days",
    "previous_days_hours",
    "scope",
    "scope_note",
    "no_one",
    "by_whom",
    "than_anyone",
    "record_claim",
    "record_claim_past",
)


def _record_fields(
    m: Milestone,
    labels: Mapping[str, str] | None,
    people: Mapping[str, str] | None,
) -> dict[str, str]:
    """The fields of a record post (:data:`_RECORD_FIELDS`), worked out together."""
    f: dict[str, str] = {}
    if m.previous is not None:
        f["previous_name"] = m.previous.name
        f["previous_possessive"] = w.possessive(m.previous.name)
        f["previous_short_name"] = m.previous.short_name or w.short_name(m.previous.name)
        f["previous_days"] = f["previous_days_hours"] = w.duration(m.previous.value_seconds)
    scopes = m.scopes or (w.WORLD,)
    widest = w.scope_words(scopes[0], labels, people, m.at)
    f["scope"] = w.scopes_phrase(scopes, labels, people, m.at)
    if len(scopes) > 1:
        f["scope_note"] = f"Also {w.scopes_phrase(scopes[1:], labels, people, m.at)}."
    f["no_one"], f["by_whom"], f["than_anyone"] = widest.no_one, widest.by_whom, widest.than_anyone
    world = widest.noun is None and widest.place is None
    if m.kind is Kind.RECORD_CONSECUTIVE:
        who = "ever" if world else widest.by_whom
        f["record_claim"] = f"the longest single spaceflight {who}"
        past_who = "" if world else f" {widest.by_whom}"
        f["record_claim_past"] = f"setting the record for the longest single spaceflight{past_who}"
    else:
        f["record_claim"] = f"{widest.no_one} has spent more time in space"
        past_who = "" if world else f" {widest.by_whom}"
        f["record_claim_past"] = f"setting the record for the most time in space{past_who}"
    return f


def _mission(members: Sequence[Milestone]) -> str:
    """The flight's name; for crewmates whose names differ (different landing
    vehicles: "Soyuz MS-13" and "Soyuz MS-13 / MS-15") the part they share, else all."""
    missions = list(dict.fromkeys(m.mission for m in members if m.mission))
    if len(missions) <= 1:
        return "".join(missions)
    split = [m.split(" / ") for m in missions]
    shared = [seg for seg in split[0] if all(seg in other for other in split[1:])]
    return " / ".join(shared) if shared else w.join(missions)


def _earlier_flights(m: Milestone) -> bool:
    """Whether the person had been to space before this flight."""
    this_flight = int((m.at - m.flight_launch).total_seconds())
    return m.total_seconds - this_flight > 60


def _career(members: Sequence[Milestone]) -> str:
    earlier = [_earlier_flights(m) for m in members]
    if all(earlier):
        return f"across all {w.pronoun_possessive([m.gender for m in members])} flights"
    if not any(earlier):
        return "all of it on this flight"
    return ""


def _totals(
    members: Sequence[Milestone],
    shorts: Sequence[str],
    labels: Mapping[str, str] | None,
    people: Mapping[str, str] | None,
    limit: int,
) -> str:
    """One sentence per person (crewmates in the same standing share one):
    "Kelly's total: 520 days, 2nd in the world (1st in the US).", or for a first
    flight "Kelly now ranks 5th in the US for time in space."."""
    rookies: dict[str, list[str]] = {}  # ranks phrase -> names, in order
    sentences: list[str | tuple[str, list[str]]] = []
    for m, short in zip(members, shorts, strict=True):
        ranks = w.ranks_phrase(m.ranks, "cumulative", labels, people, limit, m.at)
        if m.total_seconds <= m.value_seconds:
            # This flight is all their time in space: the total says nothing new.
            if ranks:
                if ranks not in rookies:
                    rookies[ranks] = []
                    sentences.append((ranks, rookies[ranks]))
                rookies[ranks].append(short)
            continue
        text = f"{w.capitalize(w.possessive(short))} total: {w.duration(m.total_seconds)}"
        sentences.append(f"{text}, {ranks}." if ranks else f"{text}.")
    out: list[str] = []
    for item in sentences:
        if isinstance(item, str):
            out.append(item)
        else:
            ranks, names = item
            verb = "ranks" if len(names) == 1 else "rank"
            out.append(f"{w.capitalize(w.join(names))} now {verb} {ranks} for time in space.")
    return " ".join(out)
