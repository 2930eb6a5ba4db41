"""The merge of one LL2 answer into the overlay (pure): what it keeps, refuses and holds.

Each test builds LL2's parsed answer by hand (the types of ``bot.sources.ll2.parse``)
and merges it, sync after sync, as ``spacebot sync`` would; the end-to-end paths through
the fake LL2 are in ``test_live.py``.  Every overlay a merge returns must load as the
loader reads it, alone and over the history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.engine import find_milestones
from bot.core.model import Dataset, Flight, Person
from bot.core.overlay import apply_overlay
from bot.core.rules import Rules
from bot.core.trust import CREW_LOST, hold_reason
from bot.files.config import LL2Settings
from bot.files.data import default_data_path, load_dataset, load_text
from bot.sources.ll2.merge import SyncResult, SyncState, merge
from bot.sources.ll2.parse import LL2Astronaut, LL2Landing, LL2Launch, LL2Snapshot
from bot.sources.ll2.sync import overlay_text

SETTINGS = LL2Settings()  # max_shift 1 h, confirm_after 12 h


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def launch(uuid: str, net: str, mission: str, status_id: int = 3) -> LL2Launch:
    return LL2Launch(
        id=uuid, name=f"Falcon 9 | {mission}", net=t(net), status="Launch Successful",
        status_id=status_id, status_abbrev=None, net_precision="Second", mission=mission,
        mission_type=None, orbit="Low Earth Orbit", rocket=None, provider=None,
        location=None, last_updated=None,
    )  # fmt: skip


def landing(
    flight_id: int, end: str | None, up: LL2Launch, success: bool | None = None
) -> LL2Landing:
    return LL2Landing(
        spacecraft_flight_id=flight_id, spacecraft="Crew Dragon Grace", serial_number=None,
        config="Dragon 2", destination=None, mission_end=t(end) if end else None,
        success=success, attempted=None, location=None, launch=up,
    )  # fmt: skip


def astronaut(
    ll2_id: int,
    name: str,
    rides: list[tuple[LL2Launch, LL2Landing | None]],
    *,
    in_space: bool,
    died: date | None = None,
    nationality: tuple[str, ...] = ("US",),
) -> LL2Astronaut:
    return LL2Astronaut(
        id=ll2_id, name=name, aliases=(), nationality=nationality, in_space=in_space,
        time_in_space_seconds=None, status="Active", type="Government", agency=None,
        date_of_birth=None, date_of_death=died, wiki=None, first_flight=None,
        last_flight=None, flights_count=None, landings_count=None,
        flights=tuple(up for up, _ in rides),
        landings=tuple(down for _, down in rides if down is not None), detailed=True,
    )  # fmt: skip


HISTORY = Dataset(
    as_of=t("2026-01-01T00:00:00"),
    people=(
        Person(
            "old-timer",
            "Old Timer",
            "US",
            "male",
            flights=(Flight("X-1", t("2020-01-01T00:00:00"), t("2020-02-01T00:00:00")),),
        ),
    ),
)
CREW13 = launch("L1", "2026-02-01T12:00:00", "Crew-13")


class Syncs:
    """Merges one answer after another, each over the last overlay and memory."""

    def __init__(self, history: Dataset = HISTORY) -> None:
        self.history = history
        self.overlay: Dataset | None = None
        self.state = SyncState()

    def __call__(self, now: str, *people: LL2Astronaut) -> SyncResult:
        snapshot = LL2Snapshot(
            fetched_at=t(now), since=t(now) - timedelta(days=1), source="fake",
            astronauts=tuple(people),
            in_space_ids=frozenset(a.id for a in people if a.in_space), launches=(),
        )  # fmt: skip
        result = merge(self.history, self.overlay, self.state, snapshot, SETTINGS)
        assert_loads(self.history, result)
        self.overlay, self.state = result.overlay, result.state
        return result

    def flights(self, pid: str = "jane-roe") -> list[Flight]:
        assert self.overlay is not None
        return [f for p in self.overlay.people if p.id == pid for f in p.flights]


def assert_loads(history: Dataset, result: SyncResult) -> None:
    """The overlay loads as the loader reads it, and over the history nothing is left out."""
    load_text(overlay_text(result.overlay))
    _, ignored = apply_overlay(history, result.overlay)
    assert ignored == []


def confirmed(flight: Flight) -> bool:
    assert flight.provenance is not None
    return flight.provenance.confirmed


def refusals(result: SyncResult) -> str:
    return "\n".join(str(r) for r in result.refused)


def milestones(history: Dataset, overlay: Dataset, start: str, end: str) -> list[str]:
    """Each milestone in the window, with why it is held ("" when it may be posted)."""
    data, _ = apply_overlay(history, overlay)
    found = find_milestones(data, Rules(), t(start), t(end)).milestones
    return [f"{m.key} {hold_reason([m], data) or ''}".strip() for m in found]


# -- every overlay the merge returns loads -------------------------------------------------


def test_a_failed_landing_before_ll2_has_its_end_or_in_space_holds_the_flight() -> None:
    # Regression: crew_lost on a flight without a landing: the loader refused the overlay
    # and every check stopped (history included).
    syncs = Syncs()
    syncs("2026-03-01T00:00:00", astronaut(7, "Jane Roe", [(CREW13, landing(70, None, CREW13))],
          in_space=True))  # fmt: skip
    lost = landing(70, None, CREW13, success=False)
    result = syncs("2026-03-02T00:00:00", astronaut(7, "Jane Roe", [(CREW13, lost)], in_space=True))
    (flight,) = syncs.flights()
    assert flight.crew_lost
    assert flight.landing == t("2026-03-02T00:00:00")  # the stand-in: closed at this sync
    assert "crew lost: Jane Roe, Crew-13, LL2 gives no end yet" in "\n".join(result.changes)
    # later syncs keep the stand-in; LL2's real end replaces it, whatever the distance
    syncs("2026-03-02T13:00:00", astronaut(7, "Jane Roe", [(CREW13, lost)], in_space=True))
    assert syncs.flights()[0].landing == t("2026-03-02T00:00:00")
    assert not confirmed(syncs.flights()[0])  # a stand-in is ours, not LL2's
    ended = landing(70, "2026-03-01T09:00:00", CREW13, success=False)
    result = syncs("2026-03-03T00:00:00", astronaut(7, "Jane Roe", [(CREW13, ended)],
                   in_space=False))  # fmt: skip
    assert result.refused == ()
    (flight,) = syncs.flights()
    assert (flight.landing, flight.crew_lost) == (t("2026-03-01T09:00:00"), True)


def test_a_corrected_launch_and_a_new_flight_never_make_two_open_flights() -> None:
    # Regression: the corrected flight was refused but kept open, the new one accepted open:
    # "more than one ongoing flight", and the loader refused the overlay.
    syncs = Syncs()
    syncs("2026-03-01T00:00:00", astronaut(7, "Jane Roe", [(CREW13, landing(70, None, CREW13))],
          in_space=True))  # fmt: skip
    moved = launch("L1", "2026-02-01T15:00:00", "Crew-13")
    crew14 = launch("L2", "2026-02-25T12:00:00", "Crew-14")
    result = syncs(
        "2026-03-02T00:00:00",
        astronaut(7, "Jane Roe", [(moved, landing(70, "2026-02-20T00:00:00", moved)),
                                  (crew14, landing(71, None, crew14))], in_space=True),
    )  # fmt: skip
    text = refusals(result)
    assert "jane-roe, Crew-13: an instant moved by 3 h" in text
    assert "jane-roe, Crew-14: they would be in two flights at once (with Crew-13)" in text
    assert [(f.mission, f.landing) for f in syncs.flights()] == [("Crew-13", None)]


def test_a_new_person_without_a_name_is_refused() -> None:
    # Regression: a blank name went into the overlay ("'name' must be non-empty text").
    result = Syncs()("2026-03-01T00:00:00", astronaut(8, "   ", [(CREW13, None)], in_space=True))
    assert result.overlay.people == ()
    assert "LL2 (id 8) gives no name" in refusals(result)


def test_an_entry_the_loader_would_refuse_is_quarantined_and_the_rest_applies() -> None:
    # The loader's own checks run on the new overlay: a country code it does not know
    # (LL2's "XK") keeps that person out, reported, and everyone else in.
    syncs = Syncs()
    result = syncs(
        "2026-03-01T00:00:00",
        astronaut(7, "Jane Roe", [(CREW13, None)], in_space=True),
        astronaut(9, "Kosovar Flyer", [(CREW13, None)], in_space=True, nationality=("XK",)),
    )
    assert [p.id for p in result.overlay.people] == ["jane-roe"]
    assert (
        "kosovar-flyer, the person: the overlay would not load: person 'kosovar-flyer': "
        "unknown country code 'XK'"
    ) in refusals(result)


def test_what_the_history_now_closes_leaves_the_overlay_reported() -> None:
    # Checked over the history too: an overlay flight a newer history closes (here for a
    # person LL2 no longer reports) would be left out by every command: it is left out
    # of the overlay now, and said so once.
    open_flight = Flight("X-2", t("2025-12-01T00:00:00"))
    before = Dataset(t("2026-01-01T00:00:00"), (Person("old-timer", "Old Timer", "US", "male",
                     flights=(open_flight,)),))  # fmt: skip
    syncs = Syncs(before)
    up = launch("L9", "2025-12-01T00:00:00", "X-2")
    home = astronaut(5, "Old Timer", [(up, landing(90, "2026-02-01T00:00:00", up))], in_space=False)
    syncs("2026-02-02T00:00:00", home)
    assert [f.landing for f in syncs.flights("old-timer")] == [t("2026-02-01T00:00:00")]
    closed = replace(open_flight, landing=t("2026-02-01T06:00:00"))
    syncs.history = Dataset(t("2026-03-01T00:00:00"), (replace(before.people[0],
                            flights=(closed,)),))  # fmt: skip
    result = syncs("2026-03-02T00:00:00")
    assert syncs.flights("old-timer") == []
    assert "old-timer, X-2: the history closes this flight" in refusals(result)


# -- a crew lost before LL2 has its end ----------------------------------------------------

UP = launch("L1", "2026-01-02T12:00:00", "Crew-13")


@pytest.mark.parametrize("in_space", [False, True], ids=["in_space-false", "in_space-true"])
def test_a_crew_lost_without_an_end_yet_holds_everything_about_the_flight(in_space: bool) -> None:
    # Regression: success false with no mission_end was refused as "not in space but no
    # landing"; the open flight was kept, and its 100th day posted 30 h after the loss.
    syncs = Syncs()
    in_flight = astronaut(7, "Jane Roe", [(UP, landing(70, None, UP))], in_space=True)
    syncs("2026-04-10T00:00:00", in_flight)
    syncs("2026-04-11T00:00:00", in_flight)
    lost = astronaut(7, "Jane Roe", [(UP, landing(70, None, UP, success=False))],
                     in_space=in_space, died=date(2026, 4, 11))  # fmt: skip
    result = syncs("2026-04-12T00:00:00", lost)
    assert result.refused == ()
    (flight,) = syncs.flights()
    assert flight.crew_lost
    assert syncs.overlay is not None
    found = milestones(HISTORY, syncs.overlay, "2026-04-10T00:00:00", "2026-04-20T00:00:00")
    assert [line for line in found if not line.endswith(CREW_LOST)] == []  # no 100th day


def test_a_death_date_after_launch_marks_an_open_flight_lost() -> None:
    # Regression: _lost compared the death date with the launch date only when the flight
    # had no end, so a death on day 3 of an open flight went unnoticed.
    syncs = Syncs()
    syncs("2026-01-03T00:00:00", astronaut(7, "Jane Roe", [(UP, None)], in_space=True))
    dead = astronaut(7, "Jane Roe", [(UP, None)], in_space=False, died=date(2026, 1, 5))
    result = syncs("2026-01-06T00:00:00", dead)
    assert result.refused == ()
    (flight,) = syncs.flights()
    assert flight.crew_lost
    assert flight.landing == t("2026-01-06T00:00:00")


# -- a landing never disappears on LL2's word alone ----------------------------------------


def test_a_landing_that_disappears_is_refused_and_the_flight_stays_closed() -> None:
    # Regression: a landing removed in LL2 (mission_end gone, in_space true) reopened the
    # flight: a false 100th day was posted two months after the crew came home.
    syncs = Syncs()
    home = astronaut(7, "Jane Roe", [(UP, landing(70, "2026-02-20T13:00:00", UP))], in_space=False)
    syncs("2026-02-21T00:00:00", home)
    syncs("2026-02-21T13:00:00", home)
    reopened = astronaut(7, "Jane Roe", [(UP, landing(70, None, UP))], in_space=True)
    # never accepted by itself, however many syncs far apart agree: the operator decides
    for now in ("2026-04-10T00:00:00", "2026-04-10T13:00:00", "2026-04-12T00:00:00"):
        result = syncs(now, reopened)
        assert "LL2 no longer gives its landing 2026-02-20T13:00:00Z" in refusals(result)
        assert "delete that landing from live/overlay.yaml by hand" in refusals(result)
        assert [f.landing for f in syncs.flights()] == [t("2026-02-20T13:00:00")]
        assert result.changes == ()
    assert syncs.overlay is not None
    assert milestones(HISTORY, syncs.overlay, "2026-04-10T00:00:00", "2026-04-20T00:00:00") == []


# -- the sync never forgets what it saw ----------------------------------------------------


def test_a_renamed_mission_with_a_moved_landing_stays_refused() -> None:
    # Regression: refused flights were kept only when the mission NAME matched: renamed and
    # moved 5 h, the flight was dropped with its memory, and the next sync accepted it.
    syncs = Syncs()
    good = landing(70, "2026-02-20T13:00:00", UP)
    syncs("2026-02-21T00:00:00", astronaut(7, "Jane Roe", [(UP, good)], in_space=False))
    renamed = launch("L1", "2026-01-02T12:00:00", "Crew-13 (edited)")
    moved = astronaut(7, "Jane Roe", [(renamed, landing(70, "2026-02-20T18:00:00", renamed))],
                      in_space=False)  # fmt: skip
    for now in ("2026-02-21T13:00:00", "2026-02-22T00:00:00"):
        result = syncs(now, moved)
        assert "jane-roe, Crew-13 (edited): an instant moved by 5 h" in refusals(result)
        assert [(f.mission, f.landing) for f in syncs.flights()] == [
            ("Crew-13", t("2026-02-20T13:00:00"))
        ]
        assert "jane-roe:L1" in syncs.state.seen


def test_flights_ll2_stops_listing_are_kept_and_reported() -> None:
    # Regression: a person LL2 reported with no flights was dropped whole, the removal was
    # reported nowhere, and the flight came back moved 6 h as new (accepted).
    syncs = Syncs()
    good = astronaut(7, "Jane Roe", [(UP, landing(70, "2026-02-20T13:00:00", UP))], in_space=False)
    syncs("2026-02-21T00:00:00", good)
    syncs("2026-02-21T13:00:00", good)
    result = syncs("2026-02-21T14:00:00", replace(good, flights=(), landings=()))
    assert "jane-roe, Crew-13: LL2 no longer lists this flight; kept the last good" in refusals(
        result
    )
    (flight,) = syncs.flights()
    assert flight.landing == t("2026-02-20T13:00:00")
    assert confirmed(flight)
    back = astronaut(7, "Jane Roe", [(UP, landing(70, "2026-02-20T19:00:00", UP))], in_space=False)
    result = syncs("2026-02-21T15:00:00", back)
    assert "an instant moved by 6 h" in refusals(result)
    assert [f.landing for f in syncs.flights()] == [t("2026-02-20T13:00:00")]


def test_a_flight_the_operator_deletes_from_the_overlay_stays_gone() -> None:
    # The way out the refusal names, when LL2 is right to have dropped the flight.
    syncs = Syncs()
    good = astronaut(7, "Jane Roe", [(UP, landing(70, "2026-02-20T13:00:00", UP))], in_space=False)
    syncs("2026-02-21T00:00:00", good)
    emptied = replace(good, flights=(), landings=())
    assert syncs("2026-02-21T14:00:00", emptied).refused != ()
    assert syncs.overlay is not None
    syncs.overlay = replace(syncs.overlay, people=())  # the operator's edit
    result = syncs("2026-02-21T15:00:00", emptied)
    assert result.refused == ()
    assert syncs.flights() == []


# -- a correction is accepted once two syncs far enough apart agree ------------------------


def test_a_correction_is_accepted_once_two_syncs_far_enough_apart_agree() -> None:
    # Regression: the shift was measured from the first value ever seen, never replaced:
    # a wrong landing corrected 3 h later was refused forever.
    syncs = Syncs()
    wrong = landing(70, "2026-02-20T10:00:00", UP)
    right = landing(70, "2026-02-20T13:00:00", UP)
    syncs("2026-02-21T00:00:00", astronaut(7, "Jane Roe", [(UP, wrong)], in_space=False))
    corrected = astronaut(7, "Jane Roe", [(UP, right)], in_space=False)
    first = syncs("2026-02-21T06:00:00", corrected)
    assert "an instant moved by 3 h" in refusals(first)
    assert "at least 12 h after 2026-02-21T06:00:00Z" in refusals(first)
    too_soon = syncs("2026-02-21T17:00:00", corrected)  # 11 h later: not yet
    assert too_soon.refused != ()
    assert syncs.flights()[0].landing == t("2026-02-20T10:00:00")
    agreed = syncs("2026-02-21T18:00:00", corrected)
    assert agreed.refused == ()
    assert "changed: Jane Roe, Crew-13, landing 2026-02-20T10:00:00Z -> 2026-02-20T13:00:00Z" in (
        agreed.changes
    )
    (flight,) = syncs.flights()
    assert flight.landing == t("2026-02-20T13:00:00")
    assert not confirmed(flight)  # as any new value: records wait for a second sync
    syncs("2026-02-22T06:00:00", corrected)
    assert confirmed(syncs.flights()[0])


def test_a_third_value_starts_the_wait_again() -> None:
    syncs = Syncs()
    syncs("2026-02-21T00:00:00", astronaut(7, "Jane Roe", [(UP, landing(70, "2026-02-20T10:00:00",
          UP))], in_space=False))  # fmt: skip
    for now, end in [("2026-02-21T06:00:00", "2026-02-20T13:00:00"),
                     ("2026-02-21T19:00:00", "2026-02-20T16:00:00")]:  # fmt: skip
        result = syncs(now, astronaut(7, "Jane Roe", [(UP, landing(70, end, UP))], in_space=False))
        assert "kept the last good" in refusals(result)
    assert syncs.flights()[0].landing == t("2026-02-20T10:00:00")


# -- same family name, same flight ---------------------------------------------------------


def test_couples_on_one_flight_are_told_apart_by_their_given_names() -> None:
    # Regression: Marc and Sharon Hagle (and the Bezos brothers, the Besses, the Kuehners)
    # share a flight and a family name: refused as ambiguous at every sync.
    history = load_dataset(default_data_path())
    sharon = history.person("sharon-hagle")
    ups = [launch(f"H{i}", iso(f.launch), f.mission) for i, f in enumerate(sharon.flights)]
    downs = [landing(500 + i, iso(f.landing), up) for i, (f, up) in  # type: ignore[arg-type]
             enumerate(zip(sharon.flights, ups, strict=True))]  # fmt: skip
    ns40 = launch("NEW", "2026-08-01T14:00:00", "New Shepard NS-40")
    rides = [*zip(ups, downs, strict=True), (ns40, landing(600, "2026-08-01T14:10:00", ns40))]
    syncs = Syncs(history)
    result = syncs("2026-08-02T00:00:00", astronaut(55, "Sharon Hagle", rides, in_space=False))
    assert result.refused == ()
    assert syncs.state.ll2_ids == {55: "sharon-hagle"}
    assert [f.mission for f in syncs.flights("sharon-hagle")] == ["New Shepard NS-40"]


def test_a_lone_family_name_match_with_other_given_names_is_refused() -> None:
    history = load_dataset(default_data_path())
    marc = history.person("marc-hagle")
    up = launch("H0", iso(marc.flights[0].launch), marc.flights[0].mission)
    someone = astronaut(56, "Robert Hagle", [(up, None)], in_space=False)
    trimmed = Dataset(history.as_of, (marc,))
    result = Syncs(trimmed)("2026-08-02T00:00:00", someone)
    assert "the family name matches marc-hagle" in refusals(result)
    assert "the given names differ" in refusals(result)
    assert result.state.ll2_ids == {}


def iso(instant: datetime | None) -> str:
    assert instant is not None
    return instant.strftime("%Y-%m-%dT%H:%M:%S")
