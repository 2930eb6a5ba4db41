"""What a chart shows, as plain values, and its alt text.  Pure: no matplotlib, no clock,
no files.

:func:`record_chart` and :func:`mission_chart` turn the core's values (a
:class:`~bot.core.milestone.Milestone`, the engine's standings, a
:class:`~bot.core.model.Person`) into a frozen :class:`RecordChart` or
:class:`MissionChart` whose every word is already written (house style from
:mod:`bot.core.wording`, the chart's own phrases from :mod:`bot.images.words`).
:func:`bot.images.draw.draw` only lays them out; :func:`alt_text` reads the same values,
so the picture and its description cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.core import wording as w
from bot.core.milestone import Kind, Milestone
from bot.core.model import Flight, Person, epoch
from bot.images import words

if TYPE_CHECKING:
    from bot.core.engine import Standing

Role = Literal["holder", "previous", "other"]

MAX_FLIGHT_ROWS = 8  # a mission chart merges the oldest flights beyond this into one bar


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a person in the standings, or one flight."""

    label: str  # a name, or a mission
    value_seconds: int
    value: str  # the value as written beside the bar: "381 days"
    role: Role = "other"  # "holder": the new record holder, or the flight just ended
    in_space: bool = False
    detail: str = ""  # flights: the years, "2015–2016"

    @property
    def highlighted(self) -> bool:
        return self.role != "other"


@dataclass(frozen=True)
class Stat:
    """A big number beside a mission chart: "520 days" / "in space in total" / ranks."""

    value: str
    label: str
    ranks: str = ""  # "5th in the world (1st in the US)", or ""


@dataclass(frozen=True)
class Span:
    """One flight on a mission chart's timeline, launch to landing (or to the instant)."""

    start: datetime
    end: datetime
    this: bool = False  # the flight of the milestone


@dataclass(frozen=True)
class RecordChart:
    """The top of one scope's standings at the instant a record changed hands."""

    title: str  # "Most time in space by an American"
    subtitle: str  # "Scott Kelly passed Michael Fincke's 381 days 15 hours"
    note: str  # "Also the Russian record.", or ""
    bars: tuple[Bar, ...]  # longest first
    gap_before: int | None  # bars from this index on are outside the top (after a gap)
    instant: str  # "October 15, 2015, 09:02 UTC", in the configured zone
    credit: str


@dataclass(frozen=True)
class MissionChart:
    """One person's flights, oldest first, with their totals: for a mission end or a
    round number of days."""

    name: str
    title: str  # "Scott Kelly is back on Earth"
    subtitle: str  # "340 days in space aboard Soyuz TMA-16M / TMA-18M"
    bars: tuple[Bar, ...]  # one per flight, oldest first; role "holder" for this flight
    stats: tuple[Stat, ...]
    timeline: tuple[Span, ...]  # every flight, oldest first (none merged)
    instant: str  # "Landed March 2, 2016, 04:25 UTC" or the crossing instant
    credit: str


Chart = RecordChart | MissionChart


# --------------------------------------------------------------------------- builders


def credit(live: bool = False) -> str:
    """The data credit for the footer: McDowell's, plus Launch Library 2 for live data."""
    return words.CREDIT + (words.CREDIT_JOIN + words.CREDIT_LIVE if live else "")


def record_chart(
    milestone: Milestone | Sequence[Milestone],
    standings: Sequence[Standing],
    *,
    timezone: str = "UTC",
    top: int = 10,
    scope_labels: Mapping[str, str] | None = None,
    scope_people: Mapping[str, str] | None = None,
    live: bool = False,
) -> RecordChart:
    """The chart for a record post.

    ``milestone`` is the record (or crewmates' identical records, as one post groups
    them); ``standings`` are the engine's standings of its widest scope and measure at
    its instant: ``standings(dataset, rules, m.kind.measure, m.scopes[0], m.at)``.  The
    top ``top`` are shown, longest first (the new holder first among equal values);
    a holder or previous holder outside them is still shown, after a gap.
    """
    members = (milestone,) if isinstance(milestone, Milestone) else tuple(milestone)
    if not members:
        raise ValueError("record_chart needs a milestone")
    first = members[0]
    if not first.kind.is_record or first.previous is None:
        raise ValueError(f"record_chart needs a record, not {first.kind}")
    previous = first.previous
    holders = {m.person for m in members}
    previous_people = set(previous.people or (previous.person,))  # a crew who held it together

    def role(person: str) -> Role:
        if person in holders:
            return "holder"
        return "previous" if person in previous_people else "other"

    order = {"holder": 0, "previous": 1, "other": 2}
    rows = sorted(
        enumerate(standings), key=lambda r: (-r[1].value_seconds, order[role(r[1].person)], r[0])
    )
    shown = [s for _, s in rows[: max(top, 1)]]
    outside = [s for _, s in rows[max(top, 1) :] if role(s.person) != "other"]
    bars = [_standing_bar(s, role(s.person)) for s in shown]
    extra = [_standing_bar(s, role(s.person)) for s in outside]
    listed = {s.person for s in shown} | {s.person for s in outside}
    for m in members:  # standings of another scope: still show the holder
        if m.person not in listed:
            extra.append(_bar(m.name, m.value_seconds, "holder", in_space=True))
    if not previous_people & listed:
        extra.append(_bar(previous.name, previous.value_seconds, "previous"))
    extra.sort(key=lambda b: -b.value_seconds)

    scopes = first.scopes or (w.WORLD,)
    widest = w.scope_words(scopes[0], scope_labels, scope_people, first.at)
    base = (
        words.TITLE_CUMULATIVE if first.kind is Kind.RECORD_CUMULATIVE else words.TITLE_CONSECUTIVE
    )
    world = widest.noun is None and widest.place is None
    title = base if world else words.TITLE_BY.format(title=base, by_whom=widest.by_whom)
    subtitle = words.RECORD_SUBTITLE.format(
        names=w.join(m.name for m in members),
        previous_possessive=w.possessive(previous.name),
        previous_value=w.days_hours(previous.value_seconds),
    )
    note = ""
    if len(scopes) > 1:
        note = words.RECORD_ALSO.format(
            scopes=w.scopes_phrase(scopes[1:], scope_labels, scope_people, first.at)
        )
    return RecordChart(
        title=title,
        subtitle=subtitle,
        note=note,
        bars=tuple(bars + extra),
        gap_before=len(bars) if extra else None,
        instant=_instant(first.at, timezone),
        credit=credit(live),
    )


def mission_chart(
    milestone: Milestone,
    person: Person,
    *,
    timezone: str = "UTC",
    live: bool = False,
    scope_labels: Mapping[str, str] | None = None,
    scope_people: Mapping[str, str] | None = None,
    rank_limit: int = 10,
    include_suborbital: bool = False,
) -> MissionChart:
    """The chart for a mission end (or a round number of days): ``person``'s flights up
    to the milestone's instant, oldest first, the flight of the milestone highlighted,
    with the new total and the standings worth mentioning (``rank <= rank_limit``, as in
    the posts).  Suborbital hops are left out unless ``include_suborbital`` (as the
    engine's rules say)."""
    if milestone.kind.is_record:
        raise ValueError("a record has a record_chart")
    if milestone.kind is Kind.IN_MEMORIAM:
        raise ValueError("an in memoriam post has no chart")
    if person.id != milestone.person:
        raise ValueError(f"milestone of {milestone.person!r}, person {person.id!r}")
    at = milestone.at
    flights = sorted(
        (
            f
            for f in person.flights
            if f.launch <= at and not f.aborted and (include_suborbital or not f.suborbital)
        ),
        key=lambda f: f.launch,
    )
    bars = [_flight_bar(f, at, f.launch == milestone.flight_launch) for f in flights]
    timeline = tuple(
        Span(f.launch, min(f.landing or at, at), f.launch == milestone.flight_launch)
        for f in flights
    )
    longest = max((b.value_seconds for b in bars), default=0)
    if len(bars) > MAX_FLIGHT_ROWS:
        merged = bars[: len(bars) - MAX_FLIGHT_ROWS + 1]
        seconds = sum(b.value_seconds for b in merged)
        last = timeline[len(merged) - 1].end
        bars = [
            Bar(
                words.EARLIER_FLIGHTS.format(count=len(merged)),
                seconds,
                w.duration(seconds),
                detail=_years(flights[0].launch.year, last.year),
            ),
            *bars[len(merged) :],
        ]
    this = next((b for b in bars if b.role == "holder"), None)
    this_seconds = this.value_seconds if this is not None else milestone.value_seconds

    name = milestone.name
    if milestone.kind is Kind.MISSION_END:
        value = w.duration(milestone.value_seconds)
        title = words.MISSION_TITLE.format(name=name)
        subtitle = words.MISSION_SUBTITLE.format(value=value, mission=milestone.mission)
        instant = words.LANDED.format(
            date=w.date_words(at, timezone), time=w.time_words(at, timezone)
        )
        flight_label = words.STAT_FLIGHT
    else:
        value = w.round_days(milestone.threshold_days or milestone.value_seconds // w.DAY)
        template = (
            words.ROUND_CONSECUTIVE_TITLE
            if milestone.kind is Kind.MILESTONE_CONSECUTIVE
            else words.ROUND_CUMULATIVE_TITLE
        )
        title = template.format(name=name, value=value)
        subtitle = words.ROUND_SUBTITLE.format(
            mission=milestone.mission, launch_date=w.date_words(milestone.flight_launch, timezone)
        )
        instant = _instant(at, timezone)
        flight_label = words.STAT_SO_FAR

    total_ranks = w.ranks_phrase(
        milestone.ranks, "cumulative", scope_labels, scope_people, rank_limit, at
    )
    stats = [Stat(w.duration(milestone.total_seconds), words.STAT_TOTAL, total_ranks)]
    if len(flights) > 1:
        flight_ranks = ""
        if this_seconds >= longest:  # the consecutive standings rank the person's longest
            flight_ranks = w.ranks_phrase(
                milestone.ranks, "consecutive", scope_labels, scope_people, rank_limit, at
            )
        stats.append(Stat(w.duration(this_seconds), flight_label, flight_ranks))
    return MissionChart(
        name=name,
        title=title,
        subtitle=subtitle,
        bars=tuple(bars),
        stats=tuple(stats),
        timeline=timeline,
        instant=instant,
        credit=credit(live),
    )


def _bar(label: str, seconds: int, role: Role, *, in_space: bool = False) -> Bar:
    return Bar(label, seconds, w.duration(seconds), role, in_space)


def _standing_bar(s: Standing, role: Role) -> Bar:
    return _bar(s.name, s.value_seconds, role, in_space=s.in_space)


def _flight_bar(flight: Flight, at: datetime, this: bool) -> Bar:
    ongoing = flight.landing is None or flight.landing > at
    end = at if ongoing or flight.landing is None else flight.landing
    seconds = max(epoch(end) - epoch(flight.launch), 0)
    return Bar(
        flight.mission,
        seconds,
        w.duration(seconds),
        "holder" if this else "other",
        in_space=ongoing,
        detail=_years(flight.launch.year, end.year),
    )


def _years(first: int, last: int) -> str:
    return str(first) if first == last else words.YEARS.format(first=first, last=last)


def _instant(at: datetime, timezone: str) -> str:
    return words.AT.format(date=w.date_words(at, timezone), time=w.time_words(at, timezone))


# --------------------------------------------------------------------------- alt text


def alt_text(chart: Chart, limit: int) -> str:
    """The chart as text for a screen reader, at most ``limit`` characters (code points).

    In full: the title (and what the chart is), every bar with its name and value and
    what marks it, then what changed, then the data credit.  When that is too long it
    is shortened by this rule, stopping at the first text that fits:

    1. the data credit is left out;
    2. bars are described one fewer at a time, the last bar that is not highlighted
       going first (the shortest in a record chart, the latest earlier flight in a
       mission chart), and "N more bars not described" is said instead; the new
       holder, the previous holder and the flight just ended are dropped last;
    3. what is left (the title and what changed) is cut at a word boundary, with "…".
    """
    if limit <= 0:
        return ""
    head, bars, tail = _alt_parts(chart)
    credit_sentence = words.ALT_CREDIT.format(credit=chart.credit)
    full = _join(head, _describe(bars, len(bars)), tail, credit_sentence)
    if len(full) <= limit:
        return full
    candidates: list[str] = []
    indexes = list(range(len(bars)))
    candidates.append(_join(head, _describe(bars, len(bars)), tail))
    # Drop order: non-highlighted bars from the end, then highlighted ones from the end.
    drop = [i for i in reversed(indexes) if not bars[i][1]] + [
        i for i in reversed(indexes) if bars[i][1]
    ]
    kept = set(indexes)
    for i in drop:
        kept.discard(i)
        described = [bars[j] for j in indexes if j in kept]
        text = _describe(described, len(bars))
        candidates.append(_join(head, text, tail))
    for text in candidates:
        if len(text) <= limit:
            return text
    return _cut(_join(head, tail), limit)


def _alt_parts(chart: Chart) -> tuple[str, list[tuple[str, bool]], str]:
    """(head, [(bar sentence, highlighted)], tail)."""
    bars: list[tuple[str, bool]] = []
    if isinstance(chart, RecordChart):
        head = words.ALT_RECORD_HEAD.format(title=chart.title, instant=chart.instant)
        for bar in chart.bars:
            notes = []
            if bar.role == "holder":
                notes.append(words.ROLE_HOLDER)
            elif bar.role == "previous":
                notes.append(words.ROLE_PREVIOUS)
            if bar.in_space:
                notes.append(words.IN_SPACE)
            bars.append((_alt_bar(bar.label, bar.value, notes), bar.highlighted))
        tail = _join(chart.subtitle + ".", chart.note)
        return head, bars, tail
    # "X is back on Earth: 340 days in space ...", "X: 300 days on one flight. Aboard ..."
    joiner = ". " if chart.subtitle[:1].isupper() else ": "
    head = _join(
        f"{chart.title}{joiner}{chart.subtitle}.",
        words.ALT_MISSION_HEAD.format(possessive=w.possessive(chart.name)),
    )
    for bar in chart.bars:
        notes = []
        if bar.role == "holder":
            notes.append(words.THIS_FLIGHT)
        if bar.in_space:
            notes.append(words.IN_SPACE)
        label = words.ALT_FLIGHT.format(label=bar.label, years=bar.detail, value=bar.value)
        bars.append((_alt_bar(label, "", notes), bar.highlighted))
    stats = []
    for stat in chart.stats:
        label = stat.label[:1].upper() + stat.label[1:]
        template = words.ALT_STAT_RANKS if stat.ranks else words.ALT_STAT
        stats.append(template.format(label=label, value=stat.value, ranks=stat.ranks) + ".")
    tail = _join(*stats, chart.instant + ".")
    return head, bars, tail


def _alt_bar(label: str, value: str, notes: Sequence[str]) -> str:
    if not value:
        return f"{label} ({', '.join(notes)})" if notes else label
    if notes:
        return words.ALT_BAR_NOTES.format(label=label, value=value, notes=", ".join(notes))
    return words.ALT_BAR.format(label=label, value=value)


def _describe(described: Sequence[tuple[str, bool]], total: int) -> str:
    parts = [text for text, _ in described]
    missing = total - len(described)
    if missing == 1:
        parts.append(words.ALT_MORE_ONE)
    elif missing > 1:
        parts.append(words.ALT_MORE.format(count=missing))
    return words.ALT_BARS_JOIN.join(parts) + words.ALT_BARS_END if parts else ""


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _cut(text: str, limit: int) -> str:
    """``text`` cut at the last space that leaves room for "…"; never mid-word (a single
    word longer than the limit is the only exception)."""
    if len(text) <= limit:
        return text
    room = limit - len(words.ELLIPSIS)
    if room <= 0:
        return words.ELLIPSIS[:limit]
    cut = text[: room + 1]
    space = cut.rfind(" ")
    kept = cut[:space] if space > 0 else text[:room]
    return kept.rstrip(" ,;:") + words.ELLIPSIS
