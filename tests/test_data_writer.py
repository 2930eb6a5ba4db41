"""The data writer is the loader's inverse: what it writes loads back as an equal dataset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.model import GENDERS, Dataset, Flight, Person, Provenance
from bot.files.data import default_data_path, load_dataset, load_text
from bot.files.data_writer import dump_dataset

EPOCH = datetime(1961, 1, 1, tzinfo=UTC)

# Text the loader keeps as written: non-empty, no surrounding blanks, no control characters.
_TEXT = (
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_SLUG = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
_COUNTRIES = ["US", "RU", "GB", "FR", "CN", "KZ", "UA", "DE"]


def _instant(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


@st.composite
def provenances(draw: st.DrawFn) -> Provenance:
    return Provenance(
        source=draw(st.sampled_from(["ll2", "other"])),
        ids=tuple(draw(st.lists(_SLUG, max_size=2))),
        fetched_at=_instant(draw(st.integers(0, 2 * 10**9))),
        confirmed=draw(st.booleans()),
    )


@st.composite
def flights(draw: st.DrawFn) -> tuple[Flight, ...]:
    out: list[Flight] = []
    t = draw(st.integers(0, 10**9))
    count = draw(st.integers(1, 4))
    for i in range(count):
        length = draw(st.integers(1, 400 * 86_400))
        last = i == count - 1
        landed = not last or draw(st.booleans())
        up = draw(st.none() | _TEXT)
        down = draw(st.none() | _TEXT.filter(lambda v, up=up: v != up))
        down_launch = None
        if down is not None and draw(st.booleans()):
            down_launch = _instant(t + draw(st.integers(-(10**7), length)))
        out.append(
            Flight(
                mission=draw(_TEXT),
                launch=_instant(t),
                landing=_instant(t + length) if landed else None,
                planned_landing=None
                if landed or not draw(st.booleans())
                else _instant(t + length + draw(st.integers(1, 10**6))),
                suborbital=draw(st.booleans()),
                launch_vehicle=up,
                landing_vehicle=down,
                note=draw(st.none() | _TEXT),
                crew_lost=landed and draw(st.booleans()),
                flag=draw(st.none() | st.sampled_from(["SU", "CS", "DD", "DE", "US"])),
                landing_vehicle_launch=down_launch,
                aborted=draw(st.booleans()),
                provenance=draw(st.none() | provenances()),
            )
        )
        t += length + draw(st.integers(1, 10**7))
    return tuple(out)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    ids = draw(st.lists(_SLUG, min_size=0, max_size=5, unique=True))
    people = []
    for pid in ids:
        countries = draw(st.lists(st.sampled_from(_COUNTRIES), min_size=1, max_size=3, unique=True))
        people.append(
            Person(
                id=pid,
                name=draw(_TEXT),
                country=countries[0],
                gender=draw(st.sampled_from(GENDERS)),
                flights=draw(flights()),
                source_id=draw(st.none() | _TEXT),
                tags=tuple(draw(st.lists(_SLUG, max_size=3))),
                countries=tuple(countries) if len(countries) > 1 or draw(st.booleans()) else (),
                common_name=draw(st.none() | _TEXT),
                short_name=draw(st.none() | _TEXT),
                ll2_id=draw(st.none() | st.integers(1, 10**6)),
            )
        )
    return Dataset(as_of=_instant(draw(st.integers(0, 2 * 10**9))), people=tuple(people))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_what_is_written_loads_back_equal(dataset: Dataset) -> None:
    text = dump_dataset(dataset, header="a test", top={"source": "hypothesis"})
    loaded = load_text(text, "written.yaml")
    assert loaded.as_of == dataset.as_of
    assert loaded.people == dataset.people
    assert dump_dataset(loaded, header="a test", top={"source": "hypothesis"}) == text


@pytest.mark.slow
def test_the_bundled_history_round_trips() -> None:
    dataset = load_dataset(default_data_path())
    assert load_text(dump_dataset(dataset)).people == dataset.people


def test_the_header_is_comments_and_top_cannot_replace_people() -> None:
    empty = Dataset(as_of=EPOCH, people=())
    assert dump_dataset(empty, header="one\n\ntwo").startswith("# one\n#\n# two\nas_of: ")
    with pytest.raises(ValueError, match="people"):
        dump_dataset(empty, top={"people": []})
    assert dump_dataset(empty) == "as_of: 1961-01-01T00:00:00Z\npeople: []\n"
