"""One sync's answer merged into the live overlay, under the trust rules: pure.

Input: the bundled history, the previous overlay and the sync's memory
(:class:`SyncState`), and an :class:`~.parse.LL2Snapshot`.  Output: the new overlay (a
:class:`~bot.core.model.Dataset` in the history's schema), the new memory, and a report
of what changed and what was refused.

The rules (issue 9, and docs/live-data.md):

* **History wins.** A flight the history closes is never changed; LL2 may only add a
  landing to a flight the history leaves open, flights launched after the history's
  ``as_of``, and people the history does not know.  A disagreement is reported, not
  applied.
* **Matching.** An LL2 person is a person of ours when the id map says so; else when
  their family names agree (folded, transliteration variants allowed) and they share a
  flight (launches within a day); else a new person when every flight LL2 gives them
  is after the history's ``as_of`` and no one of ours has their full name.  Anything
  else is refused as ambiguous: never a guess.
* **Plausibility gate.** An entry is quarantined (left out, reported, the rest of the
  sync applies) when its landing is not after its launch, its launch lies in the
  future, the person would be in two flights at once, the flight is longer than
  ``max_flight``, an instant moved by more than ``max_shift`` since the last good
  sync, LL2's ``in_space`` contradicts the flights, or LL2's ``time_in_space`` differs
  from the total the flights give by more than ``max_total_difference``.
* **Confirmation.** An entry is ``confirmed`` once two syncs at least ``confirm_after``
  apart have seen the same instants; records that depend on it wait until then.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.model import Dataset, Flight, Person, Provenance, epoch, iso
from bot.files.config import LL2Settings
from bot.sources.ll2.parse import LL2Astronaut, LL2Ride, LL2Snapshot, pair_rides
from bot.sources.ll2.state import Refusal, Seen, SyncState

__all__ = ["Refusal", "Seen", "SyncResult", "SyncState", "merge", "name_key"]

SOURCE = "ll2"
SAME_FLIGHT = timedelta(days=1)  # LL2's and the history's launch instants of one flight
HISTORY_AGREES = timedelta(minutes=5)  # LL2 instants are often to the minute only
FORMER_COUNTRIES = {"SU": "RU"}  # as the history records Soviet citizens


@dataclass(frozen=True)
class SyncResult:
    overlay: Dataset
    state: SyncState
    changes: tuple[str, ...]  # readable lines: new flights, landings, people, moves
    refused: tuple[Refusal, ...]  # quarantined now
    ignored: tuple[str, ...]  # LL2 disagrees with the history (history wins)


# -- names --------------------------------------------------------------------------------

_TRANSLIT = (
    ("yo", "e"),
    ("ye", "e"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("iy", "i"),
    ("yi", "i"),
    ("ey", "ei"),
    ("kh", "h"),
    ("ph", "f"),
    ("y", "i"),
    ("j", "i"),
    ("w", "v"),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_key(name: str) -> tuple[str, ...]:
    """A name's tokens, folded (accents, case, transliteration variants), without
    initials: "Pyotr Dubrov" and "Petr Dubrov" agree; "Robert L. Behnken" is
    ("robert", "behnken")."""
    tokens = []
    for raw in re.split(r"[\s\-]+", _fold(name)):
        token = re.sub(r"[^a-z]", "", raw)
        if len(token) <= 1:
            continue  # an initial
        for a, b in _TRANSLIT:
            token = token.replace(a, b)
        tokens.append(token)
    return tuple(tokens)


def _surname(name: str) -> str:
    key = name_key(name)
    return key[-1] if key else ""


def _names_of(person: Person) -> tuple[str, ...]:
    """The names LL2 may know a person by: the formal one and the one in common use."""
    return (person.name, person.common_name) if person.common_name else (person.name,)


# -- the merge ----------------------------------------------------------------------------


def merge(
    history: Dataset,
    previous: Dataset | None,
    state: SyncState,
    snapshot: LL2Snapshot,
    settings: LL2Settings,
) -> SyncResult:
    """The new overlay and memory after ``snapshot`` (see the module docstring)."""
    return _Merge(history, previous, state, snapshot, settings).run()


class _Merge:
    def __init__(
        self,
        history: Dataset,
        previous: Dataset | None,
        state: SyncState,
        snapshot: LL2Snapshot,
        settings: LL2Settings,
    ) -> None:
        self.history = history
        self.previous = previous or Dataset(as_of=history.as_of, people=())
        self.state = state
        self.snap = snapshot
        self.now = snapshot.fetched_at
        self.settings = settings
        self.people = {p.id: p for p in history.people}
        self.old = {p.id: p for p in self.previous.people}
        self.ids = dict(state.ll2_ids)
        for p in [*history.people, *self.previous.people]:
            if p.ll2_id is not None:
                self.ids.setdefault(p.ll2_id, p.id)
        self.seen: dict[str, Seen] = {}
        self.refused: list[Refusal] = []
        self.ignored: list[str] = []
        self.changes: list[str] = []
        self.out: dict[str, Person] = {}
        # the history's people by family name and by whole name (each name they go by),
        # folded once: every LL2 astronaut is looked up here
        self.by_surname: dict[str, list[Person]] = {}
        self.by_name: dict[tuple[str, ...], list[Person]] = {}
        self.order = {p.id: i for i, p in enumerate(history.people)}
        for p in history.people:
            keys = {name_key(n) for n in _names_of(p)}
            for key in keys:
                self.by_name.setdefault(key, []).append(p)
            for surname in {key[-1] for key in keys if key}:
                self.by_surname.setdefault(surname, []).append(p)

    def run(self) -> SyncResult:
        reported: set[str] = set()
        for astronaut in self.snap.astronauts:
            if not astronaut.is_human:
                continue
            person_id = self._place(astronaut)
            if person_id is None:
                continue
            reported.add(person_id)
            self._person(astronaut, person_id)
        # people LL2 did not report this time keep what an earlier sync gave them
        for pid, person in self.old.items():
            if pid not in reported and pid not in self.out:
                self.out[pid] = person
                for flight in person.flights:
                    key = _key_of(pid, flight)
                    if key is not None and key in self.state.seen:
                        self.seen[key] = self.state.seen[key]
        self._diff()
        order = ("new person", "new flight", "landing", "crew lost", "planned", "changed")
        self.changes.sort(
            key=lambda line: next(
                (i for i, head in enumerate(order) if line.startswith(head)), len(order)
            )
        )
        overlay = Dataset(
            as_of=self.now,
            people=tuple(self.out[pid] for pid in sorted(self.out)),
            sources=(self.snap.source,),
        )
        new_state = replace(
            self.state,
            last_good=self.now,
            last_attempt=self.now,
            last_error=None,
            ll2_ids=self.ids,
            seen=self.seen,
            quarantined=tuple(self.refused),
            launches_due=tuple(sorted(la.net for la in self.snap.launches if not la.lifted_off)),
        )
        return SyncResult(
            overlay, new_state, tuple(self.changes), tuple(self.refused), tuple(self.ignored)
        )

    # -- who is it? ------------------------------------------------------------------

    def _place(self, a: LL2Astronaut) -> str | None:
        """Our person id for ``a``, a new one, or None (refused: never a guess)."""
        known = self.ids.get(a.id)
        if known is not None and (known in self.people or known in self.old):
            return known
        launches = [r.launch.net for r in pair_rides(a).rides]
        names = {_surname(a.name), *(_surname(alias) for alias in a.aliases)}
        full = {key for key in (name_key(a.name), *(name_key(x) for x in a.aliases)) if key}
        candidates = self._in_order(
            p for surname in names if surname for p in self.by_surname.get(surname, ())
        )
        shared = [p for p in candidates if _shares_a_flight(p, launches)]
        # a shared flight and the family name are not enough when the given names differ
        # (Marc and Sharon Hagle flew together): the whole name breaks the tie
        fitting = [p for p in shared if _given_names_fit(full, p)]
        if len(fitting) == 1:
            self.ids[a.id] = fitting[0].id
            return fitting[0].id
        if shared:
            if len(shared) == 1:
                why = (
                    f"the family name matches {shared[0].id} in the history and they share a "
                    f"flight, but the given names differ (LL2 id {a.id})"
                )
            else:
                which = fitting or shared
                why = (
                    "several people of the history match (LL2 id "
                    f"{a.id}: {', '.join(p.id for p in which)})"
                )
            self.refused.append(
                Refusal(a.name, "the person", f"{why}; add the right one to ll2_ids in sync.json")
            )
            return None
        before = [t for t in launches if t < self.history.as_of]
        if before:
            self.refused.append(
                Refusal(
                    a.name,
                    "the person",
                    f"LL2 (id {a.id}) has them flying on {iso(before[0])}, before the "
                    f"history's as_of, but no one in the history matches; history wins",
                )
            )
            return None
        namesakes = self._in_order(p for key in full for p in self.by_name.get(key, ()))
        if namesakes:
            self.refused.append(
                Refusal(
                    a.name,
                    "the person",
                    f"the name matches {namesakes[0].id} in the history, but they share no "
                    f"flight: a namesake, or an LL2 record missing their earlier flights; "
                    f"add LL2 id {a.id} to ll2_ids in sync.json if it is them",
                )
            )
            return None
        if not full:
            self.refused.append(
                Refusal(a.name or "?", "the person", f"LL2 (id {a.id}) gives no name")
            )
            return None
        taken = set(self.people) | set(self.old) | set(self.out)
        pid = _new_id(a.name, taken)
        self.ids[a.id] = pid
        return pid

    def _in_order(self, people: Iterable[Person]) -> list[Person]:
        """``people`` of the history without repeats, in the history's order."""
        return sorted({p.id: p for p in people}.values(), key=lambda p: self.order[p.id])

    # -- one person --------------------------------------------------------------------

    def _person(self, a: LL2Astronaut, pid: str) -> None:
        history = self.people.get(pid)
        rides = pair_rides(a)
        refused: list[Refusal] = []
        entries: list[Flight] = []
        for ride in rides.rides:
            entry = self._entry(a, pid, ride, history, refused)
            if entry is not None:
                entries.append(entry)
        for landing in rides.unplaced:
            refused.append(Refusal(pid, landing.spacecraft, "a landing that fits no launch"))
        latest = max(entries, key=lambda f: f.launch, default=None)
        for entry in list(entries):
            if not a.in_space and entry.landing is None:
                why = "LL2 says they are not in space, but gives no landing for this flight"
            elif a.in_space and entry is latest and entry.landing is not None:
                why = "LL2 says they are in space, yet gives this flight a landing"
            else:
                continue
            refused.append(Refusal(pid, entry.mission, why))
            entries.remove(entry)
        entries = self._no_overlap(pid, history, entries, refused)
        if entries and a.time_in_space_seconds is not None:
            problem = self._total_problem(a, history, entries)
            if problem is not None:
                refused.extend(Refusal(pid, e.mission, problem) for e in entries)
                entries = []
        self.refused.extend(refused)
        # a refused entry keeps what the last good sync had for it
        refused_missions = {r.what for r in refused}
        old = self.old.get(pid)
        carried = [f for f in (old.flights if old else ()) if f.mission in refused_missions]
        for flight in carried:
            key = _key_of(pid, flight)
            if key is not None and key in self.state.seen:
                self.seen[key] = self.state.seen[key]
        flights = tuple(sorted([*entries, *carried], key=lambda f: f.launch))
        if not flights:
            return
        if history is not None:
            ll2_id = history.ll2_id if history.ll2_id is not None else a.id
            self.out[pid] = replace(history, flights=flights, ll2_id=ll2_id)
            return
        person = old or _new_person(a, pid)
        if person is None:
            self.refused.append(
                Refusal(a.name, "the person", f"LL2 (id {a.id}) gives no nationality")
            )
            return
        self.out[pid] = replace(person, flights=flights, ll2_id=a.id)

    def _entry(
        self,
        a: LL2Astronaut,
        pid: str,
        ride: LL2Ride,
        history: Person | None,
        refused: list[Refusal],
    ) -> Flight | None:
        launch = ride.launch
        mission = _mission(ride)
        net = launch.net
        end = ride.landing.mission_end if ride.landing is not None else None
        planned = end if end is not None and end > self.now else None
        landing = end if end is not None and end <= self.now else None
        crew_lost = _lost(a, ride, net, landing)
        match = _history_flight(history, net) if history is not None else None
        if match is not None and match.landing is not None:
            if landing is not None and abs(landing - match.landing) > HISTORY_AGREES:
                self.ignored.append(
                    f"{pid}, {match.mission}: LL2's landing {iso(landing)} differs from the "
                    f"history's {iso(match.landing)}; history wins"
                )
            return None
        if match is None and net < self.history.as_of:
            if history is not None:
                self.ignored.append(
                    f"{pid}, {mission}: LL2 has a flight launched {iso(net)}, before the "
                    "history's as_of, that the history does not have; history wins"
                )
            return None
        if match is not None:  # open in the history: LL2 may add its landing
            mission, net = match.mission, match.launch
            if landing is not None and landing < self.history.as_of:
                refused.append(
                    Refusal(
                        pid,
                        mission,
                        f"LL2 lands them at {iso(landing)}, but the history has them in space "
                        f"at its as_of {iso(self.history.as_of)}; history wins",
                    )
                )
                return None
        where = mission
        if landing is not None and landing <= net:
            refused.append(
                Refusal(pid, where, f"landing {iso(landing)} is not after launch {iso(net)}")
            )
            return None
        if net > self.now:
            refused.append(
                Refusal(pid, where, f"launch {iso(net)} lies in the future, yet LL2 says it flew")
            )
            return None
        length = (landing or self.now) - net
        if length > self.settings.max_flight:
            refused.append(Refusal(pid, where, f"a flight of {length.days} days is implausible"))
            return None
        if planned is not None and planned - net > self.settings.max_flight:
            refused.append(
                Refusal(
                    pid,
                    where,
                    f"planned landing {iso(planned)} would make an implausible flight",
                )
            )
            return None
        key = f"{pid}:{launch.id}"
        seen_before = self.state.seen.get(key)
        if seen_before is not None:
            moved = _moved(seen_before, net, landing)
            if moved is not None and moved > self.settings.max_shift:
                refused.append(
                    Refusal(
                        pid,
                        where,
                        f"an instant moved by {_span(moved)} since the last good sync "
                        f"(more than {_span(self.settings.max_shift)}); kept the last good",
                    )
                )
                return None
        seen = self._seen(key, net, landing)
        self.seen[key] = seen
        ids = [f"launch:{launch.id}", f"astronaut:{a.id}"]
        if ride.landing is not None:
            ids.append(f"spacecraft-flight:{ride.landing.spacecraft_flight_id}")
        return Flight(
            mission=mission,
            launch=net,
            landing=landing,
            planned_landing=planned,
            suborbital=launch.suborbital,
            launch_vehicle=launch.mission or None,
            landing_vehicle=(
                ride.landing.launch.mission or ride.landing.spacecraft
                if ride.landing is not None and ride.vehicle_changed
                else None
            ),
            crew_lost=crew_lost,
            provenance=Provenance(SOURCE, tuple(ids), self.now, seen.confirmed),
        )

    def _seen(self, key: str, net: datetime, landing: datetime | None) -> Seen:
        before = self.state.seen.get(key)
        values = (iso(net), iso(landing) if landing else None)
        if before is None or (before.launch, before.landing) != values:
            return Seen(values[0], values[1], self.now, False)
        confirmed = before.confirmed or self.now - before.first_seen >= self.settings.confirm_after
        return replace(before, confirmed=confirmed)

    def _no_overlap(
        self,
        pid: str,
        history: Person | None,
        entries: list[Flight],
        refused: list[Refusal],
    ) -> list[Flight]:
        """Leave out entries that would put the person in two flights at once."""
        replaced = {e.launch for e in entries}
        fixed = [f for f in (history.flights if history else ()) if f.launch not in replaced]
        kept: list[Flight] = []
        for entry in sorted(entries, key=lambda f: f.launch):
            clash = next((f for f in [*fixed, *kept] if _overlap(f, entry, self.now)), None)
            if clash is not None:
                refused.append(
                    Refusal(
                        pid,
                        entry.mission,
                        f"they would be in two flights at once (with {clash.mission})",
                    )
                )
                continue
            kept.append(entry)
        return kept

    def _total_problem(
        self, a: LL2Astronaut, history: Person | None, entries: list[Flight]
    ) -> str | None:
        """LL2's ``time_in_space`` against the total of the flights (a cross-check)."""
        assert a.time_in_space_seconds is not None
        flights = {f.launch: f for f in (history.flights if history else ())}
        flights.update({e.launch: e for e in entries})
        total = sum(epoch(f.landing or self.now) - epoch(f.launch) for f in flights.values())
        difference = abs(total - a.time_in_space_seconds)
        if difference <= self.settings.max_total_difference.total_seconds():
            return None
        return (
            f"LL2's time in space for them ({_days(a.time_in_space_seconds)}) differs from "
            f"what the flights give ({_days(total)}) by more than "
            f"{_span(self.settings.max_total_difference)}"
        )

    # -- the report ----------------------------------------------------------------------

    def _diff(self) -> None:
        for pid in sorted(self.out):
            new = self.out[pid]
            old = self.old.get(pid)
            if pid not in self.people and old is None:
                self.changes.append(
                    f"new person: {new.display_name} ({pid}, {new.country}, LL2 id {new.ll2_id}; "
                    f"gender {new.gender}: set it in the data if known)"
                )
            before = {f.launch: f for f in (old.flights if old else ())}
            for flight in new.flights:
                prior = before.pop(flight.launch, None)
                self._flight_change(new, flight, prior)
            for gone in before.values():
                if gone not in new.flights:
                    self.changes.append(
                        f"removed: {new.display_name}, {gone.mission} (LL2 no longer has it)"
                    )

    def _flight_change(self, person: Person, f: Flight, prior: Flight | None) -> None:
        who = f"{person.display_name}, {f.mission}"
        if prior is None:
            history = self.people.get(person.id)
            known = history is not None and any(h.launch == f.launch for h in history.flights)
            if f.landing is not None:
                what = "landing" if known else "new flight"
                when = iso(f.landing) if known else f"{iso(f.launch)} to {iso(f.landing)}"
                self.changes.append(f"{what}: {who}, {when}{_lost_note(f)}")
            elif f.crew_lost:
                self.changes.append(f"crew lost: {who}{_lost_note(f)}")
            elif f.planned_landing is not None:
                self.changes.append(f"planned landing: {who}, {iso(f.planned_landing)}")
            elif not known:
                self.changes.append(f"new flight: {who}, launched {iso(f.launch)}, in space")
            return
        if prior.landing != f.landing:
            if prior.landing is None and f.landing is not None:
                self.changes.append(f"landing: {who}, {iso(f.landing)}{_lost_note(f)}")
            else:
                self.changes.append(
                    f"changed: {who}, landing {_show(prior.landing)} -> {_show(f.landing)}"
                )
        elif prior.planned_landing != f.planned_landing:
            self.changes.append(
                f"changed: {who}, planned landing {_show(prior.planned_landing)} -> "
                f"{_show(f.planned_landing)}"
            )
        if (
            f.provenance
            and f.provenance.confirmed
            and not (prior.provenance and prior.provenance.confirmed)
        ):
            self.changes.append(f"confirmed: {who} (a second sync agrees)")


# -- helpers ---------------------------------------------------------------------------------


def _mission(ride: LL2Ride) -> str:
    up = ride.launch.mission or ride.launch.name.rpartition("|")[2].strip() or ride.launch.name
    if ride.landing is not None and ride.vehicle_changed:
        down = ride.landing.launch.mission or ride.landing.spacecraft
        return f"{up} / {down}"
    return up


def _lost(a: LL2Astronaut, ride: LL2Ride, net: datetime, landing: datetime | None) -> bool:
    """The crew was lost: LL2's landing failed, or the person died during the flight."""
    if ride.landing is not None and ride.landing.success is False:
        return True
    death = a.date_of_death
    if death is None:
        return False
    end = landing or (ride.landing.mission_end if ride.landing is not None else None) or net
    return net.date() <= death <= end.date() + timedelta(days=1)


def _given_names_fit(ll2_keys: Iterable[tuple[str, ...]], person: Person) -> bool:
    """Some name LL2 gives and some name of ``person`` agree on the given names (one
    the start of the other: Jeff and Jeffrey), or one of them gives none."""
    for ours in {name_key(n) for n in _names_of(person)}:
        for theirs in ll2_keys:
            a, b = ours[:-1], theirs[:-1]
            if not a or not b:
                return True
            if any(x.startswith(y) or y.startswith(x) for x in a for y in b):
                return True
    return False


def _history_flight(person: Person | None, net: datetime) -> Flight | None:
    if person is None:
        return None
    near = [f for f in person.flights if abs(f.launch - net) <= SAME_FLIGHT]
    return min(near, key=lambda f: abs(f.launch - net)) if near else None


def _shares_a_flight(person: Person, launches: Iterable[datetime]) -> bool:
    return any(abs(f.launch - t) <= SAME_FLIGHT for f in person.flights for t in launches)


def _overlap(a: Flight, b: Flight, now: datetime) -> bool:
    a_end, b_end = a.landing or now, b.landing or now
    return a.launch < b_end and b.launch < a_end


def _moved(seen: Seen, net: datetime, landing: datetime | None) -> timedelta | None:
    moves = [abs(datetime.fromisoformat(seen.launch) - net)]
    if seen.landing is not None and landing is not None:
        moves.append(abs(datetime.fromisoformat(seen.landing) - landing))
    return max(moves) if moves else None


def _key_of(pid: str, flight: Flight) -> str | None:
    """The memory's key of an overlay flight: the person and LL2's launch id."""
    if flight.provenance is None:
        return None
    launch = next((i for i in flight.provenance.ids if i.startswith("launch:")), None)
    return None if launch is None else f"{pid}:{launch.removeprefix('launch:')}"


def _new_person(a: LL2Astronaut, pid: str) -> Person | None:
    countries = [FORMER_COUNTRIES.get(c, c) for c in a.nationality]
    if not countries:
        return None
    return Person(id=pid, name=a.name, country=countries[0], gender="unknown", ll2_id=a.id)


def _new_id(name: str, taken: set[str]) -> str:
    base = "-".join(re.sub(r"[^a-z0-9]+", " ", _fold(name)).split()) or "person"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    return pid


def _lost_note(f: Flight) -> str:
    return " (CREW LOST: nothing will be posted about this flight)" if f.crew_lost else ""


def _show(instant: datetime | None) -> str:
    return iso(instant) if instant is not None else "none"


def _days(seconds: int) -> str:
    return f"{seconds / 86400:.1f} days"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"
