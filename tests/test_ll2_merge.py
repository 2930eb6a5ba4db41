"""The merge of one LL2 answer into the overlay (pure): what it keeps, refuses and holds.

Each test builds LL2's parsed answer by hand (the types of ``bot.sources.ll2.parse``)
and merges it, sync after sync, as ``spacebot sync`` would; the end-to-end paths through
the fake LL2 are in ``test_live.py``.  Every overlay a merge returns must load as the
loader reads it, alone and over the history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.model import Dataset, Flight, Person
from bot.core.overlay import apply_overlay
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


def refusals(result: SyncResult) -> str:
    return "\n".join(str(r) for r in result.refused)


def test_a_new_person_without_a_name_is_refused() -> None:
    # Regression: a blank name went into the overlay ("'name' must be non-empty text").
    result = Syncs()("2026-03-01T00:00:00", astronaut(8, "   ", [(CREW13, None)], in_space=True))
    assert result.overlay.people == ()
    assert "LL2 (id 8) gives no name" in refusals(result)


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
