"""The milestone engine: pure functions from (data, rules, window) to milestones.

No clock, no files, no network.  Every instant is an integer count of seconds
internally, so comparisons are exact.

How records are found
---------------------
For one scope and one measure, every person's value is piecewise linear in time:
constant on the ground, growing one second per second in flight (for the
consecutive measure, growing only once the current flight is longer than the
person's own best).  The record holders ("leaders") can only change at a launch,
a landing, or when a growing value reaches the highest constant value.  A sweep
visits exactly those instants in order; a person who becomes a leader having
not been one passes the record, naming the leader they passed.  Leaders growing
in step (equal values) are all leaders; a value that only equals another's
passes nothing.  Whole history is swept on every call, so cutting a window into
pieces gives exactly the milestones of the whole window.

A scope can start and end (:mod:`bot.core.rules`): a former country's scope stops at its
last day, and its citizens join their later countries' scopes then, with their values so
far; joining passes no one.  When the record passed was held by several people who flew
together (equal values, one flight), the previous holder named is that crew.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core import wording
from bot.core.milestone import Holder, Kind, Milestone, Rank
from bot.core.model import Dataset, Flight, Person, epoch, from_epoch
from bot.core.rules import Membership, Rules, staleness_horizon

DAY = 86_400
MEASURES = ("consecutive", "cumulative")
_RECORD_KIND = {"consecutive": Kind.RECORD_CONSECUTIVE, "cumulative": Kind.RECORD_CUMULATIVE}
_STOP, _START = 0, 1


@dataclass(frozen=True)
class Span:
    """A flight as the engine sees it: integer seconds; ``end`` is the landing or the horizon."""

    person: str
    flight: Flight
    launch: int
    end: int
    landed: bool  # False: still in space, followed until ``end`` only


@dataclass(frozen=True)
class Segment:
    """An interval during which a person's value for one measure grows."""

    start: int
    end: int
    base: int  # value at ``start``


@dataclass
class Timeline:
    person: Person
    spans: list[Span]
    segments: dict[str, list[Segment]]
    starts: dict[str, list[int]]
    scopes: list[tuple[int, str]]  # (order, name) of the person's scopes, widest first
    since: dict[str, int] = field(default_factory=dict)  # scope -> joined then (epoch)
    until: dict[str, int] = field(default_factory=dict)  # scope -> it ends then (epoch)
    index: int = 0  # the person's place in the dataset

    def member(self, scope: str, t: int) -> bool:
        """Whether the person counts in ``scope`` at ``t``."""
        return self.since.get(scope, t) <= t < self.until.get(scope, t + 1)

    def value(self, measure: str, t: int) -> int:
        segs = self.segments[measure]
        i = bisect.bisect_right(self.starts[measure], t) - 1
        if i < 0:
            return 0
        seg = segs[i]
        return seg.base + min(t, seg.end) - seg.start

    def span_at(self, t: int) -> Span | None:
        for span in self.spans:
            if span.launch <= t <= span.end:
                return span
        return None


@dataclass(frozen=True)
class StaleFlight:
    person: str
    name: str
    mission: str
    followed_until: datetime


@dataclass(frozen=True)
class Result:
    milestones: list[Milestone]
    stale: list[StaleFlight] = field(default_factory=list)  # ongoing flights and their horizons
    horizon: datetime | None = None  # records after this instant are withheld (stale data)


@dataclass(frozen=True)
class Standing:
    person: str
    name: str
    country: str
    value_seconds: int
    in_space: bool
    rank: int
    # Still in space past what the data knows: the value stops at this instant
    followed_until: datetime | None = None


# --- timelines --------------------------------------------------------------------------


def counts(flight: Flight, rules: Rules) -> bool:
    """Whether the flight is time in space under ``rules``: an aborted launch never is, a
    suborbital flight only with ``include_suborbital``."""
    if flight.aborted:
        return False
    return rules.include_suborbital or not flight.suborbital


def build_timelines(dataset: Dataset, rules: Rules) -> dict[str, Timeline]:
    timelines: dict[str, Timeline] = {}
    for index, person in enumerate(dataset.people):
        spans: list[Span] = []
        for flight in person.flights:
            if flight.aborted or (flight.suborbital and not rules.include_suborbital):
                continue  # not time in space under these rules (see counts)
            launch = epoch(flight.launch)
            if flight.landing is not None:
                end, landed = epoch(flight.landing), True
            else:
                horizon = staleness_horizon(flight, dataset.as_of, rules.grace)
                assert horizon is not None
                end, landed = max(launch, epoch(horizon)), False
            spans.append(Span(person.id, flight, launch, end, landed))
        spans.sort(key=lambda s: s.launch)
        segments: dict[str, list[Segment]] = {"consecutive": [], "cumulative": []}
        total = best = 0
        for span in spans:
            length = span.end - span.launch
            if length > 0:
                segments["cumulative"].append(Segment(span.launch, span.end, total))
            if span.launch + best < span.end:
                segments["consecutive"].append(Segment(span.launch + best, span.end, best))
            total += length
            best = max(best, length)
        memberships = memberships_of(person, rules)
        since: dict[str, int] = {}
        until: dict[str, int] = {}
        for _, ms in memberships:
            if ms.since is not None:
                since[ms.scope] = epoch(ms.since)
            if ms.until is not None:
                until[ms.scope] = epoch(ms.until)
        timelines[person.id] = Timeline(
            person,
            spans,
            segments,
            {m: [s.start for s in segments[m]] for m in MEASURES},
            [(order, ms.scope) for order, ms in memberships],
            since,
            until,
            index,
        )
    return timelines


# The last dataset's timelines: a daemon checks the same dataset object day after day
# (the data cache hands back the same object while the files are unchanged).
_last: tuple[Dataset, Rules, dict[str, Timeline]] | None = None


def _timelines(dataset: Dataset, rules: Rules) -> dict[str, Timeline]:
    """:func:`build_timelines`, remembered for the last (dataset, rules) pair."""
    global _last
    if _last is not None and _last[0] is dataset and _last[1] == rules:
        return _last[2]
    timelines = build_timelines(dataset, rules)
    _last = (dataset, rules, timelines)
    return timelines


def memberships_of(person: Person, rules: Rules) -> list[tuple[int, Membership]]:
    """(order, membership) of every scope the person belongs to, widest first."""
    return [
        (order, membership)
        for order, rule in enumerate(rules.scopes)
        for membership in rule.memberships(person)
    ]


def scopes_of(person: Person, rules: Rules) -> list[tuple[int, str]]:
    """(order, scope name) of every scope the person belongs to, widest first."""
    return [(order, ms.scope) for order, ms in memberships_of(person, rules)]


def _members_by_scope(
    timelines: dict[str, Timeline], rules: Rules
) -> dict[tuple[int, str], list[Timeline]]:
    members: dict[tuple[int, str], list[Timeline]] = defaultdict(list)
    for tl in timelines.values():
        if not tl.spans:
            continue
        for scope in tl.scopes:
            members[scope].append(tl)
    return members


# --- the sweep --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Crossing:
    t: int
    person: str
    previous: str
    previous_value: int
    tied: tuple[str, ...]  # everyone who held exactly ``previous_value`` then (sorted)


class _Sweep:
    """Leaders of one scope for one measure, visited in time order up to ``stop``.

    A growing value is ``key + t`` (``key = base - since``): people in space keep their
    order while they grow, so they are held sorted by key and the leader among them,
    and how many of them are ahead of a value, cost a lookup rather than a scan of
    everyone in space.  Constant values are grouped by value (people tied at a value are
    one entry) under a max-heap of values, and kept in a sorted list for ranks.
    """

    def __init__(self, members: Sequence[Timeline], measure: str, scope: str = "") -> None:
        self.measure = measure
        events: list[tuple[int, int, str, int]] = []
        self.joins: dict[int, set[str]] = {}  # instant -> who joins the scope then
        for tl in members:
            since = tl.since.get(scope) if tl.since else None
            pid = tl.person.id
            if since is None:
                for seg in tl.segments[measure]:
                    events.append((seg.start, _START, pid, seg.base))
                    events.append((seg.end, _STOP, pid, seg.base + seg.end - seg.start))
                continue
            joins = self.joins.setdefault(since, set())
            for seg in tl.segments[measure]:
                if seg.start < since:
                    if seg.end > since:  # in flight when joining: grows from there
                        events.append((since, _START, pid, seg.base + since - seg.start))
                        events.append((seg.end, _STOP, pid, seg.base + seg.end - seg.start))
                        joins.add(pid)
                    continue
                events.append((seg.start, _START, pid, seg.base))
                events.append((seg.end, _STOP, pid, seg.base + seg.end - seg.start))
            if pid not in joins:
                value = tl.value(measure, since)
                if value > 0:  # on the ground when joining: a constant value from there
                    events.append((since, _STOP, pid, value))
                    joins.add(pid)
        events.sort()
        self.events = events
        self.gkey: dict[str, int] = {}  # person in space -> key (value = key + t)
        self.gkeys: list[int] = []  # every key, sorted
        self.gby_key: dict[int, set[str]] = defaultdict(set)
        self.static: dict[str, int] = {}  # person -> constant value (> 0)
        self.by_value: dict[int, set[str]] = {}  # constant value -> who holds it
        self.heap: list[int] = []  # -value of every constant value held (lazily cleaned)
        self.sorted_static: list[int] = []  # every constant value, for ranks
        self.leaders: frozenset[str] = frozenset()

    def _value(self, person: str, t: int) -> int:
        key = self.gkey.get(person)
        if key is not None:
            return key + t
        return self.static.get(person, 0)

    def _static_top(self) -> tuple[int, set[str]]:
        """The highest constant value and who holds it (people tied share it)."""
        while self.heap and not self.by_value.get(-self.heap[0]):
            heapq.heappop(self.heap)
        if not self.heap:
            return 0, set()
        return -self.heap[0], self.by_value[-self.heap[0]]

    def _apply(self, t: int, kind: int, person: str, value: int) -> None:
        if kind == _START:
            old = self.static.pop(person, None)
            if old is not None:
                del self.sorted_static[bisect.bisect_left(self.sorted_static, old)]
                holders = self.by_value[old]
                holders.discard(person)
                if not holders:
                    del self.by_value[old]
            key = value - t
            self.gkey[person] = key
            bisect.insort(self.gkeys, key)
            self.gby_key[key].add(person)
        else:
            key_or_none = self.gkey.pop(person, None)
            if key_or_none is not None:
                del self.gkeys[bisect.bisect_left(self.gkeys, key_or_none)]
                growing = self.gby_key[key_or_none]
                growing.discard(person)
                if not growing:
                    del self.gby_key[key_or_none]
            self.static[person] = value
            bisect.insort(self.sorted_static, value)
            if value not in self.by_value:
                self.by_value[value] = set()
                heapq.heappush(self.heap, -value)
            self.by_value[value].add(person)

    def _evaluate(self, t: int) -> list[_Crossing]:
        smax, s_top = self._static_top()
        if self.gkeys and self.gkeys[-1] + t >= smax:
            new = frozenset(self.gby_key[self.gkeys[-1]])
        elif s_top:
            keep = s_top & self.leaders
            new = frozenset(keep or s_top)
        else:
            new = frozenset()
        crossings: list[_Crossing] = []
        newcomers = new - self.leaders
        if self.joins and t in self.joins:
            newcomers -= self.joins[t]  # joining a scope (a successor's first day) passes no one
        passed = self.leaders - new
        if newcomers and passed:
            previous = max(passed, key=lambda p: (self._value(p, t), p))
            pvalue = self._value(previous, t)
            # Everyone who held the record passed: those passed, and a co-holder who
            # passes it again at this instant (Ryumin in 1980, with Popov).
            staying = self.leaders & new
            if len(passed) == 1 and not staying:
                tied: tuple[str, ...] = (previous,)
            else:
                tied = tuple(sorted(p for p in passed | staying if self._value(p, t) == pvalue))
            for person in sorted(newcomers):
                crossings.append(_Crossing(t, person, previous, pvalue, tied))
        self.leaders = new
        return crossings

    def run(
        self, stop: int, landings: Iterable[tuple[int, str]] = ()
    ) -> tuple[list[_Crossing], dict[tuple[int, str], tuple[int, int]]]:
        """Visit every instant up to ``stop``; return crossings and ranks at the given landings."""
        crossings: list[_Crossing] = []
        ranks: dict[tuple[int, str], tuple[int, int]] = {}
        wanted: dict[int, list[str]] = defaultdict(list)
        for t, person in landings:
            wanted[t].append(person)
        events = self.events
        i, n = 0, len(events)
        while i < n and events[i][0] <= stop:
            t = events[i][0]
            while i < n and events[i][0] == t:
                _, kind, person, value = events[i]
                self._apply(t, kind, person, value)
                i += 1
            crossings.extend(self._evaluate(t))
            for person in wanted.get(t, ()):
                ranks[(t, person)] = self._rank(person, t)
            next_t = events[i][0] if i < n else None
            # Between events: can a growing value reach the highest constant one?
            while self.gkeys:
                smax, _ = self._static_top()
                gmax = self.gkeys[-1] + t
                if gmax >= smax:
                    break
                cross_t = t + (smax - gmax)
                if cross_t > stop or (next_t is not None and cross_t >= next_t):
                    break
                t = cross_t
                crossings.extend(self._evaluate(t))
        return crossings, ranks

    def _rank(self, person: str, t: int) -> tuple[int, int]:
        value = self._value(person, t)
        above = len(self.sorted_static) - bisect.bisect_right(self.sorted_static, value)
        above += len(self.gkeys) - bisect.bisect_right(self.gkeys, value - t)
        participants = len(self.sorted_static) + len(self.gkeys)
        return above + 1, participants


# --- milestones -------------------------------------------------------------------------


def find_milestones(dataset: Dataset, rules: Rules, start: datetime, end: datetime) -> Result:
    """Every milestone whose crossing instant lies in [start, end), in time order."""
    lo, hi = epoch(start), epoch(end)
    timelines = _timelines(dataset, rules)
    stale = [
        StaleFlight(
            s.person, timelines[s.person].person.display_name, s.flight.mission, from_epoch(s.end)
        )
        for tl in timelines.values()
        for s in tl.spans
        if not s.landed
    ]
    horizon = min((epoch(s.followed_until) for s in stale), default=None)
    out: list[Milestone] = []
    if rules.kinds & {Kind.RECORD_CONSECUTIVE, Kind.RECORD_CUMULATIVE, Kind.MISSION_END}:
        out.extend(_records_and_ends(timelines, rules, lo, hi, horizon))
    out.extend(_round_numbers(timelines, rules, lo, hi))
    out.sort(key=lambda m: (m.at, _kind_order(m.kind), m.person))
    return Result(out, stale, from_epoch(horizon) if horizon is not None else None)


_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


def _kind_order(kind: Kind) -> int:
    return _KIND_ORDER[kind]


def _records_and_ends(
    timelines: dict[str, Timeline], rules: Rules, lo: int, hi: int, horizon: int | None
) -> list[Milestone]:
    members = _members_by_scope(timelines, rules)
    landings = [
        (s.end, s.person)
        for tl in timelines.values()
        for s in tl.spans
        if s.landed and lo <= s.end < hi
    ]
    want_ends = bool(rules.kinds & {Kind.MISSION_END, Kind.IN_MEMORIAM}) and bool(landings)
    record_stop = hi - 1 if horizon is None else min(hi - 1, horizon)
    # (person, measure, t) -> [(scope name, crossing)]
    found: dict[tuple[str, str, int], list[tuple[str, _Crossing]]] = defaultdict(list)
    ranks: dict[tuple[int, str], list[Rank]] = defaultdict(list)
    landed_at: dict[str, list[int]] = defaultdict(list)
    for t, p in landings:
        landed_at[p].append(t)
    for (_, scope), tls in sorted(members.items()):
        scope_landings = (
            [
                (t, tl.person.id)
                for tl in tls
                for t in landed_at.get(tl.person.id, ())
                if not (tl.since or tl.until) or tl.member(scope, t)
            ]
            if want_ends
            else []
        )
        until = tls[0].until.get(scope)
        scope_stop = record_stop if until is None else min(record_stop, until - 1)
        if len(tls) == 1:  # alone in the scope: passes no one, ranks 1st of 1 (no sweep)
            for t, pid in scope_landings:
                for measure in MEASURES:  # ranked at an instant where the value changes, as
                    segs = tls[0].segments[measure]  # the sweep does
                    if any(seg.start == t or seg.end == t for seg in segs):
                        ranks[(t, pid)].append(Rank(scope, measure, 1, 1))
            continue
        for measure in MEASURES:
            wanted_kind = _RECORD_KIND[measure] in rules.kinds and _grows_within(
                tls, measure, lo, scope_stop
            )
            if not wanted_kind and not scope_landings:
                continue  # nothing to find here: no one in the scope grows in the window
            stop = max(scope_stop, max((t for t, _ in scope_landings), default=lo))
            crossings, scope_ranks = _Sweep(tls, measure, scope).run(stop, scope_landings)
            for (t, person), (rank, of) in scope_ranks.items():
                if measure == "consecutive" and not _ends_best_flight(timelines[person], t):
                    continue  # their standing is another flight's: not this one's news
                ranks[(t, person)].append(Rank(scope, measure, rank, of))
            if not wanted_kind:
                continue
            for c in crossings:
                if lo <= c.t < hi and c.t <= scope_stop:
                    found[(c.person, measure, c.t)].append((scope, c))
    out: list[Milestone] = []
    crews = _Crews(timelines)
    for (person, measure, t), hits in found.items():
        tl = timelines[person]
        if len(hits) > 1:  # widest first, then the person's own order of citizenships
            place = {name: i for i, (_, name) in enumerate(tl.scopes)}
            hits.sort(key=lambda h: place[h[0]])
        out.append(
            _milestone(
                tl,
                _RECORD_KIND[measure],
                t,
                tl.value(measure, t),
                scopes=tuple(h[0] for h in hits),
                previous=_holder(timelines, hits[0][1], measure, crews),
            )
        )
    for t, person in landings:
        tl = timelines[person]
        span = tl.span_at(t)
        assert span is not None
        kind = Kind.IN_MEMORIAM if span.flight.crew_lost else Kind.MISSION_END
        if kind not in rules.kinds:
            continue  # a crew lost: no post unless the operator wants an in memoriam one
        person_ranks: tuple[Rank, ...] = ()
        if kind is Kind.MISSION_END:
            scope_order = {n: i for i, (_, n) in enumerate(tl.scopes)}
            person_ranks = tuple(
                sorted(
                    ranks.get((t, person), []),
                    key=lambda r: (MEASURES.index(r.measure), scope_order.get(r.scope, 99)),
                )
            )
        out.append(_milestone(tl, kind, t, span.end - span.launch, ranks=person_ranks))
    return out


class _Crews:
    """How many people flew each flight (launch and landing), counted once when first asked."""

    def __init__(self, timelines: dict[str, Timeline]) -> None:
        self.timelines = timelines
        self.sizes: dict[tuple[int, int], int] | None = None

    def size(self, flight: Flight) -> int:
        if self.sizes is None:
            self.sizes = defaultdict(int)
            for tl in self.timelines.values():
                for s in tl.spans:
                    if s.landed:
                        self.sizes[(s.launch, s.end)] += 1
        assert flight.landing is not None
        return self.sizes.get((epoch(flight.launch), epoch(flight.landing)), 0)


def _holder(timelines: dict[str, Timeline], c: _Crossing, measure: str, crews: _Crews) -> Holder:
    """Who held the record passed: one person, or the crew who held it together.

    Several people hold one value as a crew when they flew one flight together (same
    launch and landing) and that flight gives the value: its length (single flight), or
    the end of the career they share (total time).  Two are named ("Vladimir Titov and
    Musa Manarov"); three or more are "the <mission> crew" when they are the whole crew
    of that flight, else named.  Anyone else tied by chance: the one person, as before.
    """
    prev = timelines[c.previous].person
    single = Holder(
        prev.id,
        prev.display_name,
        c.previous_value,
        (prev.id,),
        (prev.display_name,),
        prev.short_name or wording.short_name(prev.display_name, prev.country),
    )
    if len(c.tied) < 2:
        return single
    holders = sorted((timelines[p] for p in c.tied), key=_seniority)
    shared = _shared_flight(holders, c.t, c.previous_value, measure)
    if shared is None:
        return single
    people = tuple(tl.person for tl in holders)
    names = tuple(p.display_name for p in people)
    shorts = tuple(p.short_name or wording.short_name(p.display_name, p.country) for p in people)
    mission = None
    if len(people) > 2 and crews.size(shared) == len(people):
        mission = shared.launch_vehicle or shared.mission
    name = wording.holders(names, mission)
    return Holder(
        people[0].id,
        name,
        c.previous_value,
        tuple(p.id for p in people),
        names,
        wording.holders(shorts, mission),
        mission,
    )


def _seniority(tl: Timeline) -> tuple[int, str, str]:
    """Holders in the order of their first flight, then the source's id (McDowell numbers a
    crew commander first), then our id: the bundled data's order, whatever the input's."""
    first = tl.spans[0].launch if tl.spans else 0
    return first, tl.person.source_id or "", tl.person.id


def _shared_flight(holders: Sequence[Timeline], t: int, value: int, measure: str) -> Flight | None:
    """The flight all ``holders`` flew together that gives them ``value`` at ``t`` (as the
    first holder's data names it)."""
    common: set[tuple[int, int]] | None = None
    flights: dict[tuple[int, int], Flight] = {}
    for tl in holders:
        mine = set()
        for s in tl.spans:
            if s.landed and s.end <= t:
                mine.add((s.launch, s.end))
                flights.setdefault((s.launch, s.end), s.flight)
        common = mine if common is None else common & mine
    if not common:
        return None
    if measure == "consecutive":  # the flight that is the record
        fitting = [f for f in common if f[1] - f[0] == value]
    else:  # the flight that ended the careers they share: everyone's last one
        last = max(common, key=lambda f: f[1])
        ends = {
            max((s.end for s in tl.spans if s.landed and s.end <= t), default=0) for tl in holders
        }
        fitting = [last] if ends == {last[1]} else []
    return flights[min(fitting)] if fitting else None


def _ends_best_flight(tl: Timeline, t: int) -> bool:
    """Whether the flight ending at ``t`` is (now) the person's longest: its landing
    ends a stretch of their single-flight value."""
    return any(seg.end == t for seg in tl.segments["consecutive"])


def _grows_within(members: Sequence[Timeline], measure: str, lo: int, stop: int) -> bool:
    """Whether some member's value grows at some instant of [lo, stop].

    Leaders change only when a growing value passes them (constant values never
    change), so a scope where no one grows in the window has no crossing in it: a daily
    check sweeps only the scopes of the people in space, not all of them.
    """
    return any(
        seg.start <= stop and seg.end >= lo for tl in members for seg in tl.segments[measure]
    )


def _round_numbers(
    timelines: dict[str, Timeline], rules: Rules, lo: int, hi: int
) -> list[Milestone]:
    out: list[Milestone] = []
    want_consecutive = Kind.MILESTONE_CONSECUTIVE in rules.kinds
    want_cumulative = Kind.MILESTONE_CUMULATIVE in rules.kinds
    for tl in timelines.values():
        total = 0
        for span in tl.spans:
            if span.launch >= hi:
                break
            length = span.end - span.launch
            if span.end > lo:
                if want_consecutive:
                    for days in rules.consecutive_days:
                        t = span.launch + days * DAY
                        if t < span.end and lo <= t < hi:
                            out.append(
                                _milestone(
                                    tl,
                                    Kind.MILESTONE_CONSECUTIVE,
                                    t,
                                    days * DAY,
                                    threshold_days=days,
                                )
                            )
                if want_cumulative:
                    for days in rules.cumulative_days:
                        if total == 0 and want_consecutive and days in rules.consecutive_days:
                            continue  # a first flight: the same day count on the flight says it
                        t = span.launch + days * DAY - total
                        if total < days * DAY and t < span.end and lo <= t < hi:
                            out.append(
                                _milestone(
                                    tl,
                                    Kind.MILESTONE_CUMULATIVE,
                                    t,
                                    days * DAY,
                                    threshold_days=days,
                                )
                            )
            total += length
    return out


def _milestone(
    tl: Timeline,
    kind: Kind,
    t: int,
    value: int,
    *,
    scopes: tuple[str, ...] = (),
    previous: Holder | None = None,
    threshold_days: int | None = None,
    ranks: tuple[Rank, ...] = (),
) -> Milestone:
    span = tl.span_at(t)
    assert span is not None, (tl.person.id, kind, t)
    person = tl.person
    at = from_epoch(t)
    return Milestone(
        kind=kind,
        at=at,
        person=person.id,
        name=person.display_name,
        country=person.country,
        gender=person.gender,
        mission=span.flight.mission_at(at),
        flight_launch=span.flight.launch,
        value_seconds=value,
        total_seconds=tl.value("cumulative", t),
        scopes=scopes,
        previous=previous,
        threshold_days=threshold_days,
        ranks=ranks,
        short_name=person.short_name,
    )


# --- standings --------------------------------------------------------------------------


def standings(
    dataset: Dataset, rules: Rules, measure: str, scope: str, at: datetime
) -> list[Standing]:
    """The scope's standings for one measure at one instant, best first (ties share a rank).

    A former country's standings after its end are its final ones (the Soviet Union's as
    of 1991-12-25); a successor's before its start hold no one who flew for the former one.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    asked = epoch(at)
    timelines = _timelines(dataset, rules)
    rows: list[tuple[int, Timeline]] = []
    t = asked
    for tl in timelines.values():
        if not any(name == scope for _, name in tl.scopes):
            continue
        until = tl.until.get(scope)
        t = asked if until is None else min(asked, until - 1)
        if not tl.member(scope, t):
            continue
        value = tl.value(measure, t)
        if value > 0:
            rows.append((value, tl))
    rows.sort(key=lambda r: (-r[0], r[1].person.display_name))
    out: list[Standing] = []
    for i, (value, tl) in enumerate(rows):
        rank = out[-1].rank if out and out[-1].value_seconds == value else i + 1
        in_space = any(s.launch <= t < s.end for s in tl.spans)
        stale = next((s.end for s in tl.spans if not s.landed and s.end <= t), None)
        followed = from_epoch(stale) if stale is not None else None
        p = tl.person
        out.append(Standing(p.id, p.display_name, p.country, value, in_space, rank, followed))
    return out


def known_scopes(dataset: Dataset, rules: Rules) -> list[str]:
    names: list[tuple[int, str]] = []
    for person in dataset.people:
        names.extend(scopes_of(person, rules))
    return list(dict.fromkeys(name for _, name in sorted(set(names))))
