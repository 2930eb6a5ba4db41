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
  their family names agree (folded, transliteration variants allowed), they share a
  flight (launches within a day) and their given names fit (one the start of the
  other, which also tells apart couples and siblings who flew together); else a new
  person when every flight LL2 gives them is after the history's ``as_of`` and no one
  of ours has their full name.  Anything else is refused as ambiguous: never a guess.
* **Plausibility gate.** An entry is quarantined (left out, reported, the rest of the
  sync applies) when its landing is not after its launch, its launch lies in the
  future, the person would be in two flights at once, the flight is longer than
  ``max_flight``, an instant moved by more than ``max_shift`` since the last good
  sync (a landing that disappears is never accepted: the operator decides), LL2's ``in_space``
  contradicts the flights, or LL2's ``time_in_space`` differs from the total the
  flights give by more than ``max_total_difference``.
* **Nothing seen is forgotten.** A quarantined entry keeps what the last good sync
  had (matched by person and launch: LL2's launch id, else the launch instant), and
  so does a flight LL2 stops listing (reported, never removed automatically).
* **Corrections.** A moved value is remembered as pending; once a sync at least
  ``confirm_after`` after the first that gave it gives it again, it is accepted (as
  a new value: records wait for its confirmation).  A landing that disappears is not
  a correction: the flight stays closed.
* **Lost crews.** A failed landing, or a death from the launch on, marks the flight
  ``crew_lost`` whatever ``in_space`` says; without an end from LL2 it is closed at
  the sync (a stand-in, never confirmed, replaced by LL2's end), so all of it is held.
* **Confirmation.** An entry is ``confirmed`` once two syncs at least ``confirm_after``
  apart have seen the same instants; records that depend on it wait until then.
* **It loads.** The new overlay passes the loader's own checks, alone and laid over
  the history; an entry that would not is quarantined (the last good kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.model import Dataset, Flight, Person, Provenance, epoch, iso
from bot.core.overlay import apply_overlay
from bot.errors import DataError
from bot.files.config import LL2Settings
from bot.files.data import load_text
from bot.files.data_writer import dump_dataset
from bot.sources.ll2.parse import LL2Astronaut, LL2Ride, LL2Snapshot, pair_rides
from bot.sources.ll2.state import Pending, Refusal, Seen, SyncState

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


@dataclass
class _Ride:
    """One ride LL2 gives a person, as the merge judged it."""

    key: str  # the memory's key: the person and LL2's launch id
    net: datetime  # the launch instant the overlay uses (the history's when it has it)
    lost: bool  # the crew was lost (a failed landing, or a death after launch)
    flight: Flight | None = None  # the accepted entry; None: refused


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
        self.stand_ins: set[tuple[str, datetime]] = set()  # lost crews closed at a sync
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
                self._keep_memory(pid, person.flights)
        self._loadable()
        self._diff()
        order = ("new person", "new flight", "landing", "crew lost", "planned", "changed")
        self.changes.sort(
            key=lambda line: next(
                (i for i, head in enumerate(order) if line.startswith(head)), len(order)
            )
        )
        overlay = self._overlay()
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

    def _overlay(self) -> Dataset:
        return Dataset(
            as_of=self.now,
            people=tuple(self.out[pid] for pid in sorted(self.out)),
            sources=(self.snap.source,),
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
        old = self.old.get(pid)
        rides = pair_rides(a)
        refused: list[Refusal] = []
        judged: list[_Ride] = []
        for one in rides.rides:
            judgement = self._entry(a, pid, one, history, refused)
            if judgement is not None:
                judged.append(judgement)
        for landing in rides.unplaced:
            refused.append(Refusal(pid, landing.spacecraft, "a landing that fits no launch"))
        # LL2's in_space against the flights (a lost crew is held whatever it says)
        accepted = [r for r in judged if r.flight is not None]
        latest = max(accepted, key=lambda r: r.net, default=None)
        for ride in accepted:
            assert ride.flight is not None
            if ride.lost:
                continue
            if not a.in_space and ride.flight.landing is None:
                why = "LL2 says they are not in space, but gives no landing for this flight"
            elif a.in_space and ride is latest and ride.flight.landing is not None:
                why = "LL2 says they are in space, yet gives this flight a landing"
            else:
                continue
            self._refuse(ride, Refusal(pid, ride.flight.mission, why), refused)
        carried = self._carried(pid, old, judged)
        self._no_overlap(pid, history, judged, carried, refused)
        carried = self._carried(pid, old, judged)
        if a.time_in_space_seconds is not None and any(r.flight for r in judged):
            problem = self._total_problem(a, history, judged, carried)
            if problem is not None:
                for ride in judged:
                    if ride.flight is not None and not ride.lost:
                        self._refuse(ride, Refusal(pid, ride.flight.mission, problem), refused)
                carried = self._carried(pid, old, judged)
        carried = self._hold_lost(pid, judged, carried)
        listed = {r.key for r in judged}
        for flight in carried:
            if _key_of(pid, flight) not in listed and not any(
                abs(r.net - flight.launch) <= SAME_FLIGHT for r in judged
            ):
                refused.append(
                    Refusal(
                        pid,
                        flight.mission,
                        "LL2 no longer lists this flight; kept the last good (if LL2 is "
                        "right, delete the flight from live/overlay.yaml: the next sync "
                        "does not bring it back)",
                    )
                )
        self._keep_memory(pid, carried)
        self.refused.extend(refused)
        entries = [r.flight for r in judged if r.flight is not None]
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
    ) -> _Ride | None:
        """The ride judged: accepted (``flight`` set), refused (reported in ``refused``),
        or None when it is the history's alone (reported as ignored)."""
        launch = ride.launch
        mission = _mission(ride)
        net = launch.net
        end = ride.landing.mission_end if ride.landing is not None else None
        planned = end if end is not None and end > self.now else None
        landing = end if end is not None and end <= self.now else None
        lost = _lost(a, ride, net, landing)
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
        key = f"{pid}:{launch.id}"
        if match is not None:  # open in the history: LL2 may add its landing
            mission, net = match.mission, match.launch
        judged = _Ride(key, net, lost)
        where = mission
        before = self._memory(pid, key, net)
        stand_in = False
        if lost and landing is None:
            # a crew lost, and LL2 has no end yet: the flight keeps the end it had, else
            # ends at the latest at this sync (a stand-in, kept until LL2 gives the end),
            # so that all of it is held
            planned = None
            if before is not None and before.landing is not None:
                landing, stand_in = datetime.fromisoformat(before.landing), before.end_unknown
            else:
                landing, stand_in = self.now, True
        if match is not None and landing is not None and landing < self.history.as_of:
            refused.append(
                Refusal(
                    pid,
                    mission,
                    f"LL2 lands them at {iso(landing)}, but the history has them in space "
                    f"at its as_of {iso(self.history.as_of)}; history wins",
                )
            )
            return judged
        if landing is not None and landing <= net:
            refused.append(
                Refusal(pid, where, f"landing {iso(landing)} is not after launch {iso(net)}")
            )
            return judged
        if net > self.now:
            refused.append(
                Refusal(pid, where, f"launch {iso(net)} lies in the future, yet LL2 says it flew")
            )
            return judged
        length = (landing or self.now) - net
        if length > self.settings.max_flight:
            refused.append(Refusal(pid, where, f"a flight of {length.days} days is implausible"))
            return judged
        if planned is not None and planned - net > self.settings.max_flight:
            refused.append(
                Refusal(
                    pid,
                    where,
                    f"planned landing {iso(planned)} would make an implausible flight",
                )
            )
            return judged
        seen = self._seen(pid, where, key, before, net, landing, stand_in, refused)
        if seen is None:
            return judged
        self.seen[key] = seen
        if stand_in:
            self.stand_ins.add((pid, net))
        ids = [f"launch:{launch.id}", f"astronaut:{a.id}"]
        if ride.landing is not None:
            ids.append(f"spacecraft-flight:{ride.landing.spacecraft_flight_id}")
        judged.flight = Flight(
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
            crew_lost=lost,
            provenance=Provenance(SOURCE, tuple(ids), self.now, seen.confirmed),
        )
        return judged

    def _memory(self, pid: str, key: str, net: datetime) -> Seen | None:
        """What the syncs saw of this entry: by LL2's launch id, else (LL2 renumbered
        the launch) by the person and the launch instant."""
        found = self.state.seen.get(key)
        if found is not None:
            return found
        for other, seen in sorted(self.state.seen.items()):
            if other.startswith(f"{pid}:") and (
                abs(datetime.fromisoformat(seen.launch) - net) <= SAME_FLIGHT
            ):
                return seen
        return None

    def _seen(
        self,
        pid: str,
        where: str,
        key: str,
        before: Seen | None,
        net: datetime,
        landing: datetime | None,
        stand_in: bool,
        refused: list[Refusal],
    ) -> Seen | None:
        """The entry's memory after this sync, or None when it moved too far (refused;
        the new value is remembered as pending, accepted once a sync at least
        ``confirm_after`` later gives it again)."""
        values = (iso(net), iso(landing) if landing else None)
        if before is None:
            return Seen(values[0], values[1], self.now, end_unknown=stand_in)
        if (before.launch, before.landing) == values:
            confirmed = before.confirmed or (
                self.now - before.first_seen >= self.settings.confirm_after
            )
            # a stand-in end is ours, not LL2's: it is never confirmed
            confirmed = confirmed and not stand_in
            return replace(before, confirmed=confirmed, pending=None, end_unknown=stand_in)
        if landing is None and before.landing is not None and not before.end_unknown:
            # Never automatic, however many syncs agree: a vandal's edit that lasts would
            # reopen the flight and post days the crew spent at home.
            self.seen[key] = replace(before, pending=None)
            refused.append(
                Refusal(
                    pid,
                    where,
                    f"LL2 no longer gives its landing {before.landing} (the flight would "
                    "reopen); kept the landing: if the crew is really in space again, "
                    "delete that landing from live/overlay.yaml by hand",
                )
            )
            return None
        moved = _moved(before, net, landing)
        if moved <= self.settings.max_shift:
            return Seen(values[0], values[1], self.now, end_unknown=stand_in)
        pending = before.pending
        if pending is not None and (pending.launch, pending.landing) == values:
            if self.now - pending.first_seen >= self.settings.confirm_after:
                # two syncs far enough apart agree: a correction (records still wait for
                # its confirmation, as for any new value)
                return Seen(values[0], values[1], self.now, end_unknown=stand_in)
        else:
            pending = Pending(values[0], values[1], self.now)
        self.seen[key] = replace(before, pending=pending)
        what = (
            f"an instant moved by {_span(moved)} since the last good sync (more than "
            f"{_span(self.settings.max_shift)})"
        )
        refused.append(
            Refusal(
                pid,
                where,
                f"{what}; kept the last good until a sync at least "
                f"{_span(self.settings.confirm_after)} after {iso(pending.first_seen)} "
                "gives the same",
            )
        )
        return None

    def _refuse(self, ride: _Ride, refusal: Refusal, refused: list[Refusal]) -> None:
        """Refuse an entry accepted so far: its memory goes back to the last good."""
        ride.flight = None
        refused.append(refusal)
        before = self.state.seen.get(ride.key)
        if before is None:
            self.seen.pop(ride.key, None)
        else:
            self.seen[ride.key] = before

    def _carried(self, pid: str, old: Person | None, judged: list[_Ride]) -> list[Flight]:
        """The last good sync's flights of the person that no accepted entry replaces:
        kept (refused or no longer listed entries never lose what was good), unless the
        history now has them (history wins)."""
        if old is None:
            return []
        accepted = [r for r in judged if r.flight is not None]
        kept: list[Flight] = []
        for flight in old.flights:
            key = _key_of(pid, flight)
            if any(r.key == key or abs(r.net - flight.launch) <= SAME_FLIGHT for r in accepted):
                continue
            match = _history_flight(self.people.get(pid), flight.launch)
            if (match is not None and match.landing is not None) or (
                match is None and flight.launch < self.history.as_of
            ):
                continue
            kept.append(flight)
        return kept

    def _hold_lost(self, pid: str, judged: list[_Ride], carried: list[Flight]) -> list[Flight]:
        """A kept flight LL2 now says was lost (the new entry refused for another reason)
        is marked lost, and closed at this sync when open: all of it is held."""
        lost = [r for r in judged if r.lost and r.flight is None]
        out: list[Flight] = []
        for flight in carried:
            key = _key_of(pid, flight)
            if flight.crew_lost or not any(
                r.key == key or abs(r.net - flight.launch) <= SAME_FLIGHT for r in lost
            ):
                out.append(flight)
                continue
            if flight.landing is not None:
                out.append(replace(flight, crew_lost=True))
                continue
            out.append(replace(flight, landing=self.now, planned_landing=None, crew_lost=True))
            self.stand_ins.add((pid, flight.launch))
            if key is not None:
                base = self.seen.get(key) or self.state.seen.get(key)
                launch = base.launch if base is not None else iso(flight.launch)
                first = base.first_seen if base is not None else self.now
                self.seen[key] = Seen(launch, iso(self.now), first, end_unknown=True)
        return out

    def _keep_memory(self, pid: str, flights: Iterable[Flight]) -> None:
        for flight in flights:
            key = _key_of(pid, flight)
            if key is not None and key in self.state.seen:
                self.seen.setdefault(key, self.state.seen[key])

    def _no_overlap(
        self,
        pid: str,
        history: Person | None,
        judged: list[_Ride],
        carried: list[Flight],
        refused: list[Refusal],
    ) -> None:
        """Refuse entries that would put the person in two flights at once (with the
        history's flights, the flights kept from the last good sync, or each other)."""
        entries = [r for r in judged if r.flight is not None]
        replaced = {r.net for r in entries} | {f.launch for f in carried}
        fixed = [f for f in (history.flights if history else ()) if f.launch not in replaced]
        fixed.extend(carried)
        kept: list[Flight] = []
        for ride in sorted(entries, key=lambda r: r.net):
            entry = ride.flight
            assert entry is not None
            clash = next((f for f in [*fixed, *kept] if _overlap(f, entry, self.now)), None)
            if clash is not None:
                why = f"they would be in two flights at once (with {clash.mission})"
                self._refuse(ride, Refusal(pid, entry.mission, why), refused)
                continue
            kept.append(entry)

    def _total_problem(
        self, a: LL2Astronaut, history: Person | None, judged: list[_Ride], carried: list[Flight]
    ) -> str | None:
        """LL2's ``time_in_space`` against the total of the flights (a cross-check)."""
        assert a.time_in_space_seconds is not None
        flights = {f.launch: f for f in (history.flights if history else ())}
        flights.update({f.launch: f for f in carried})
        flights.update({r.flight.launch: r.flight for r in judged if r.flight is not None})
        total = sum(epoch(f.landing or self.now) - epoch(f.launch) for f in flights.values())
        difference = abs(total - a.time_in_space_seconds)
        if difference <= self.settings.max_total_difference.total_seconds():
            return None
        return (
            f"LL2's time in space for them ({_days(a.time_in_space_seconds)}) differs from "
            f"what the flights give ({_days(total)}) by more than "
            f"{_span(self.settings.max_total_difference)}"
        )

    # -- the overlay must load -------------------------------------------------------------

    def _loadable(self) -> None:
        """Quarantine whatever the loader would refuse: the overlay alone (its own checks:
        names, countries, instants, one open flight...) and laid over the history.  A
        person whose entry would not load keeps the last good sync's (or is left out);
        a flight the history would leave out is left out.  Reported as refused."""
        if _load_problem(self._overlay()) is not None:
            for pid in sorted(self.out):
                problem = _load_problem(self._overlay_of(self.out[pid]))
                if problem is None:
                    continue
                old = self.old.get(pid)
                if old is not None and _load_problem(self._overlay_of(old)) is None:
                    self.out[pid] = old
                    kept = "; kept the last good"
                else:
                    del self.out[pid]
                    old = None
                    kept = ""
                self.seen = {k: v for k, v in self.seen.items() if not k.startswith(f"{pid}:")}
                self._keep_memory(pid, old.flights if old is not None else ())
                self.refused.append(
                    Refusal(pid, "the person", f"the overlay would not load: {problem}{kept}")
                )
        for _ in range(sum(len(p.flights) for p in self.out.values())):
            _, left_out = apply_overlay(self.history, self._overlay())
            if not left_out:
                return
            for item in left_out:
                person = self.out.get(item.person)
                if person is None:
                    continue
                flights = tuple(
                    f
                    for f in person.flights
                    if (f.launch != item.launch if item.launch else f.mission != item.mission)
                )
                if flights:
                    self.out[item.person] = replace(person, flights=flights)
                else:
                    del self.out[item.person]
                self.refused.append(Refusal(item.person, item.mission, item.reason))

    def _overlay_of(self, person: Person) -> Dataset:
        return Dataset(as_of=self.now, people=(person,), sources=(self.snap.source,))

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
        if (person.id, f.launch) in self.stand_ins and (prior is None or prior.landing is None):
            self.changes.append(
                f"crew lost: {who}, LL2 gives no end yet: the flight is closed at this sync "
                f"({iso(f.landing or self.now)}) until it does{_lost_note(f)}"
            )
            return
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
        if prior.crew_lost != f.crew_lost and prior.landing == f.landing:
            self.changes.append(f"crew lost: {who}{_lost_note(f)}")
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
    """The crew was lost: LL2's landing failed, or the person died during the flight (on
    a flight with no landing yet: any death from its launch on)."""
    if ride.landing is not None and ride.landing.success is False:
        return True
    death = a.date_of_death
    if death is None:
        return False
    if landing is None:
        return death >= net.date()
    return net.date() <= death <= landing.date() + timedelta(days=1)


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


def _load_problem(overlay: Dataset) -> str | None:
    """What the loader says against ``overlay`` written out (None: it loads)."""
    try:
        load_text(dump_dataset(overlay), "overlay")
    except DataError as exc:
        problem = exc.problems[0]
        where = re.sub(r"^(line \d+|file)(, )?", "", problem.where)  # of text never written
        return f"{where}: {problem.message}" if where else problem.message
    return None


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


def _moved(seen: Seen, net: datetime, landing: datetime | None) -> timedelta:
    """How far the entry moved since ``seen``: a landing that disappears moved beyond
    any limit (the flight would reopen); a lost crew's stand-in end replaced by LL2's
    real one did not move."""
    moved = abs(datetime.fromisoformat(seen.launch) - net)
    if seen.landing is not None and landing is None:
        return timedelta.max
    if seen.landing is not None and landing is not None and not seen.end_unknown:
        moved = max(moved, abs(datetime.fromisoformat(seen.landing) - landing))
    return moved


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
