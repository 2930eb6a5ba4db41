"""Charts and their alt text (bot.images): contents, alt-text limits, PNG limits,
determinism, a golden image, colour contrast, lazy import of matplotlib, and names in
every script."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import platforms
from bot.core.engine import Standing
from bot.core.milestone import Holder, Kind, Milestone, Rank
from bot.core.model import Flight, Person
from bot.images import (
    MissionChart,
    RecordChart,
    alt_text,
    mission_chart,
    record_chart,
)
from bot.images import style as s
from bot.images.charts import MAX_FLIGHT_ROWS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "fixtures" / "images"
DAY, HOUR = 86_400, 3_600
AT = datetime(2015, 10, 15, 9, 2, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- samples


def record(
    *,
    scopes: tuple[str, ...] = ("US",),
    kind: Kind = Kind.RECORD_CUMULATIVE,
    person: str = "scott-kelly",
    name: str = "Scott Kelly",
    previous: Holder | None = None,
) -> Milestone:
    value = 381 * DAY + 15 * HOUR
    return Milestone(
        kind=kind,
        at=AT,
        person=person,
        name=name,
        country="US",
        gender="male",
        mission="Soyuz TMA-16M / TMA-18M",
        flight_launch=datetime(2015, 3, 27, 19, 42, 57, tzinfo=UTC),
        value_seconds=value,
        total_seconds=value,
        scopes=scopes,
        previous=previous or Holder("michael-fincke", "Michael Fincke", value),
    )


TOP = [
    ("michael-fincke", "Michael Fincke", 381 * DAY + 15 * HOUR, False),
    ("scott-kelly", "Scott Kelly", 381 * DAY + 15 * HOUR, True),
    ("peggy-whitson", "Peggy Whitson", 376 * DAY + 17 * HOUR, False),
    ("michael-foale", "Michael Foale", 373 * DAY + 18 * HOUR, False),
    ("donald-pettit", "Donald Pettit", 369 * DAY + 16 * HOUR, False),
    ("jeffrey-williams", "Jeffrey Williams", 361 * DAY + 12 * HOUR, False),
    ("sunita-williams", "Sunita Williams", 321 * DAY + 17 * HOUR, False),
    ("michael-lopez-alegria", "Michael López-Alegría", 257 * DAY + 22 * HOUR, False),
    ("carl-walz", "Carl Walz", 230 * DAY + 13 * HOUR, False),
    ("leroy-chiao", "Leroy Chiao", 229 * DAY + 8 * HOUR, False),
    ("daniel-tani", "Daniel Tani", 131 * DAY + 19 * HOUR, False),
    ("kjell-lindgren", "Kjell Lindgren", 85 * DAY, True),
]


def standings(rows: list[tuple[str, str, int, bool]] | None = None) -> list[Standing]:
    rows = TOP if rows is None else rows
    out: list[Standing] = []
    for i, (pid, name, value, in_space) in enumerate(rows):
        rank = out[-1].rank if out and out[-1].value_seconds == value else i + 1
        out.append(Standing(pid, name, "US", value, in_space, rank))
    return out


def day(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


KELLY = Person(
    id="scott-kelly",
    name="Scott Kelly",
    country="US",
    gender="male",
    flights=(
        Flight("STS-103", day(1999, 12, 20), day(1999, 12, 28)),
        Flight("STS-118", day(2007, 8, 8), day(2007, 8, 21)),
        Flight("Soyuz TMA-01M", day(2010, 10, 7), day(2011, 3, 16)),
        Flight(
            "Soyuz TMA-16M / TMA-18M",
            datetime(2015, 3, 27, 19, 42, 57, tzinfo=UTC),
            datetime(2016, 3, 2, 4, 25, 51, tzinfo=UTC),
        ),
        Flight("Future flight", day(2030, 1, 1), day(2030, 2, 1)),
        Flight("A hop", day(2001, 1, 1), day(2001, 1, 1) + timedelta(minutes=10), suborbital=True),
    ),
)
LANDING = datetime(2016, 3, 2, 4, 25, 51, tzinfo=UTC)


def landing(person: Person = KELLY) -> Milestone:
    this = person.flights[3] if person is KELLY else person.flights[-1]
    assert this.landing is not None
    length = int((this.landing - this.launch).total_seconds())
    return Milestone(
        kind=Kind.MISSION_END,
        at=this.landing,
        person=person.id,
        name=person.name,
        country=person.country,
        gender=person.gender,
        mission=this.mission,
        flight_launch=this.launch,
        value_seconds=length,
        total_seconds=520 * DAY + 10 * HOUR,
        ranks=(
            Rank("world", "consecutive", 5, 543),
            Rank("US", "consecutive", 1, 335),
            Rank("world", "cumulative", 17, 543),
            Rank("US", "cumulative", 1, 335),
        ),
    )


def us_record_chart(**kw: object) -> RecordChart:
    return record_chart(record(), standings(), timezone="UTC", **kw)  # type: ignore[arg-type]


def kelly_mission_chart() -> MissionChart:
    return mission_chart(landing(), KELLY, timezone="UTC")


def draw(chart: RecordChart | MissionChart) -> bytes:
    from bot.images.draw import draw as draw_png

    return draw_png(chart)


# --------------------------------------------------------------------------- record charts


def test_record_chart_top_ten_longest_first_with_the_new_holder_first_among_equals() -> None:
    chart = us_record_chart()
    assert chart.title == "Most time in space by an American"
    assert chart.subtitle == "Scott Kelly passed Michael Fincke's 381 days 15 hours"
    assert chart.note == ""
    assert [b.label for b in chart.bars][:3] == ["Scott Kelly", "Michael Fincke", "Peggy Whitson"]
    assert len(chart.bars) == 10
    assert chart.gap_before is None
    assert [b.role for b in chart.bars[:3]] == ["holder", "previous", "other"]
    assert chart.bars[0].in_space
    assert not chart.bars[1].in_space
    assert chart.bars[0].value == "381 days 15 hours"
    assert chart.bars[7].label == "Michael López-Alegría"
    assert chart.instant == "October 15, 2015, 09:02 UTC"
    assert chart.credit == "Human spaceflight data: Jonathan C. McDowell, planet4589.org"


def test_record_chart_footer_in_the_configured_zone_and_live_credit() -> None:
    chart = us_record_chart(live=True)
    assert chart.credit.endswith(" · Launch Library 2")
    chart = record_chart(record(), standings(), timezone="Europe/Paris")
    assert chart.instant == "October 15, 2015, 11:02 CEST"


def test_record_chart_world_title_and_narrower_scopes_noted() -> None:
    chart = record_chart(record(scopes=("world", "RU")), standings())
    assert chart.title == "Most time in space"
    assert chart.note == "Also the Russian record."
    single = record_chart(record(kind=Kind.RECORD_CONSECUTIVE, scopes=("women",)), standings())
    assert single.title == "Longest single spaceflight by a woman"
    labelled = record_chart(
        record(scopes=("esa",)), standings(), scope_labels={"esa": "the European record"}
    )
    assert labelled.title == "Most time in space by a European astronaut"


def test_a_holder_outside_the_top_is_shown_after_a_gap() -> None:
    rows = standings()
    chart = record_chart(
        record(person="kjell-lindgren", name="Kjell Lindgren"), rows, top=5
    )  # e.g. standings of a wider scope than the record's
    assert next(b.label for b in chart.bars[:5]) == "Michael Fincke"
    assert chart.gap_before == 5
    assert [b.label for b in chart.bars[5:]] == ["Kjell Lindgren"]
    assert chart.bars[5].role == "holder"
    # Not in the standings at all: built from the milestone itself.
    chart = record_chart(record(person="someone", name="Some One"), rows[2:6], top=3)
    assert chart.gap_before == 3
    assert [(b.label, b.role) for b in chart.bars[3:]] == [
        ("Some One", "holder"),
        ("Michael Fincke", "previous"),
    ]


def test_crewmates_sharing_a_record_are_all_highlighted() -> None:
    a = record()
    b = dataclasses.replace(a, person="peggy-whitson", name="Peggy Whitson")
    chart = record_chart([a, b], standings())
    assert chart.subtitle.startswith("Scott Kelly and Peggy Whitson passed")
    assert {x.label for x in chart.bars if x.role == "holder"} == {"Scott Kelly", "Peggy Whitson"}


def test_record_chart_refuses_what_is_not_a_record() -> None:
    with pytest.raises(ValueError, match="record"):
        record_chart(landing(), standings())
    with pytest.raises(ValueError, match="needs a milestone"):
        record_chart([], standings())


# --------------------------------------------------------------------------- mission charts


def test_mission_chart_flights_oldest_first_this_one_highlighted_totals_and_ranks() -> None:
    chart = kelly_mission_chart()
    assert chart.title == "Scott Kelly is back on Earth"
    assert chart.subtitle == "340 days 8 hours in space aboard Soyuz TMA-16M / TMA-18M"
    # Later flights and (by default) suborbital hops are not shown.
    assert [b.label for b in chart.bars] == [
        "STS-103",
        "STS-118",
        "Soyuz TMA-01M",
        "Soyuz TMA-16M / TMA-18M",
    ]
    assert [b.detail for b in chart.bars] == ["1999", "2007", "2010–2011", "2015–2016"]
    assert [b.value for b in chart.bars] == ["8 days", "13 days", "160 days", "340 days 8 hours"]
    assert [b.role for b in chart.bars] == ["other", "other", "other", "holder"]
    assert not any(b.in_space for b in chart.bars)
    assert chart.stats[0].value == "520 days 10 hours"
    assert chart.stats[0].ranks == "1st in the US"  # 17th in the world is not worth saying
    assert chart.stats[1].value == "340 days 8 hours"
    assert chart.stats[1].ranks == "5th in the world (1st in the US)"
    assert chart.instant == "Landed March 2, 2016, 04:25 UTC"
    assert len(chart.timeline) == 4
    assert chart.timeline[-1].this
    with_hop = mission_chart(landing(), KELLY, include_suborbital=True)
    assert "A hop" in [b.label for b in with_hop.bars]


def test_round_number_chart_shows_the_flight_so_far_in_space() -> None:
    at = KELLY.flights[3].launch + timedelta(days=300)
    m = dataclasses.replace(
        landing(),
        kind=Kind.MILESTONE_CONSECUTIVE,
        at=at,
        value_seconds=300 * DAY,
        threshold_days=300,
        total_seconds=480 * DAY,
        ranks=(),
    )
    chart = mission_chart(m, KELLY)
    assert chart.title == "Scott Kelly: 300 days on one flight"
    assert chart.subtitle == "Aboard Soyuz TMA-16M / TMA-18M since March 27, 2015"
    assert chart.bars[-1].in_space
    assert chart.bars[-1].value == "300 days"
    assert chart.stats[1].label == "this flight so far"
    assert alt_text(chart, 1000).startswith(
        "Scott Kelly: 300 days on one flight. Aboard Soyuz TMA-16M / TMA-18M since March 27, "
        "2015. Bar chart of Scott Kelly's spaceflights, oldest first:"
    )
    assert "300 days (this flight, in space)." in alt_text(chart, 1000)
    total = dataclasses.replace(m, kind=Kind.MILESTONE_CUMULATIVE, threshold_days=365)
    assert mission_chart(total, KELLY).title == "Scott Kelly: one year in space in total"


def test_many_flights_merge_the_oldest_into_one_bar() -> None:
    flights = tuple(
        Flight(f"STS-{i}", day(1985 + 2 * i, 1, 1), day(1985 + 2 * i, 1, 10)) for i in range(11)
    )
    person = Person("ross", "Jerry Ross", "US", "male", flights)
    chart = mission_chart(landing(person), person)
    assert len(chart.bars) == MAX_FLIGHT_ROWS
    assert chart.bars[0].label == "4 earlier flights"
    assert chart.bars[0].value == "36 days"
    assert chart.bars[0].detail == "1985–1991"
    assert chart.bars[-1].role == "holder"
    assert len(chart.timeline) == 11  # the timeline still shows every flight
    draw(chart)


def test_mission_chart_refuses_another_person_or_a_record() -> None:
    with pytest.raises(ValueError, match="someone-else"):
        mission_chart(landing(), dataclasses.replace(KELLY, id="someone-else"))
    with pytest.raises(ValueError, match="record_chart"):
        mission_chart(record(), KELLY)
    with pytest.raises(ValueError, match="in memoriam"):
        mission_chart(dataclasses.replace(landing(), kind=Kind.IN_MEMORIAM), KELLY)


# --------------------------------------------------------------------------- alt text


def test_alt_text_names_every_bar_and_what_changed() -> None:
    text = alt_text(us_record_chart(), 10_000)
    assert text.startswith(
        "Bar chart, longest first: Most time in space by an American, at October 15, 2015, "
        "09:02 UTC. Scott Kelly, 381 days 15 hours (new record holder, in space); Michael "
        "Fincke, 381 days 15 hours (previous record holder); Peggy Whitson, 376 days 17 hours;"
    )
    for bar in us_record_chart().bars:
        assert f"{bar.label}, {bar.value}" in text
    assert "Scott Kelly passed Michael Fincke's 381 days 15 hours." in text
    assert text.endswith("Jonathan C. McDowell, planet4589.org.")


def test_mission_alt_text() -> None:
    text = alt_text(kelly_mission_chart(), 10_000)
    assert text == (
        "Scott Kelly is back on Earth: 340 days 8 hours in space aboard Soyuz TMA-16M / "
        "TMA-18M. Bar chart of Scott Kelly's spaceflights, oldest first: STS-103 (1999), "
        "8 days; STS-118 (2007), 13 days; Soyuz TMA-01M (2010–2011), 160 days; "
        "Soyuz TMA-16M / TMA-18M (2015–2016), 340 days 8 hours (this flight). "
        "In space in total: 520 days 10 hours, 1st in the US. "
        "This flight: 340 days 8 hours, 5th in the world (1st in the US). "
        "Landed March 2, 2016, 04:25 UTC. "
        "Human spaceflight data: Jonathan C. McDowell, planet4589.org."
    )


@pytest.mark.parametrize("platform", platforms.publishing())
def test_alt_text_fits_every_platform_in_full(platform: str) -> None:
    limit = platforms.alt_text_limit(platform)
    for chart in (us_record_chart(), kelly_mission_chart()):
        text = alt_text(chart, limit)
        assert len(text) <= limit
        assert text == alt_text(chart, 100_000)  # real charts need no shortening


def test_alt_text_limits_match_the_table() -> None:
    assert platforms.alt_text_limit("x") == 1000
    assert platforms.alt_text_limit("mastodon") == 1500
    assert platforms.alt_text_limit("bluesky") == 2000
    assert platforms.alt_text_limit("dry-run") == 1000  # the strictest


def long_chart() -> RecordChart:
    rows = [
        (f"p{i}", f"Aleksandr Aleksandrovich Skvortsov-{i:02d}", (900 - 7 * i) * DAY, False)
        for i in range(15)
    ]
    m = record(person="p5", name=rows[5][1], previous=Holder("p0", rows[0][1], rows[0][2]))
    return record_chart(m, standings(rows), top=15)


def test_alt_text_shortening_rule() -> None:
    chart = long_chart()
    full = alt_text(chart, 100_000)
    assert len(full) > 1000
    # 1. The credit goes first.
    no_credit = alt_text(chart, len(full) - 1)
    assert "McDowell" not in no_credit
    assert no_credit.count("Skvortsov") == 15 + 2  # every bar, and the subtitle's two names
    # 2. Then bars, from the end, the highlighted ones kept.
    short = alt_text(chart, 800)
    assert len(short) <= 800
    assert re.search(r"\d+ more bars not described\.", short)
    assert "Skvortsov-05, 865 days (new record holder)" in short
    assert "Skvortsov-00, 900 days (previous record holder)" in short
    assert "Skvortsov-14" not in short
    assert short.endswith("passed Aleksandr Aleksandrovich Skvortsov-00's 900 days.")
    # 3. Last resort: the title and what changed, cut between words.
    tiny = alt_text(chart, 60)
    assert len(tiny) <= 60
    assert tiny.endswith("…")
    assert full.startswith(tiny.removesuffix("…"))
    assert alt_text(chart, 0) == ""


@settings(max_examples=150, deadline=None)
@given(limit=st.integers(min_value=0, max_value=2500))
def test_alt_text_never_exceeds_the_limit_nor_cuts_a_word(limit: int) -> None:
    chart = long_chart()
    full = alt_text(chart, 100_000)
    text = alt_text(chart, limit)
    assert len(text) <= limit
    if limit >= len(full):
        assert text == full
    whole = set(re.findall(r"[\w'-]+", full + " more bar bars not described"))
    whole |= {str(n) for n in range(100)}
    for word in re.findall(r"[\w'-]+", text):
        assert word in whole or limit < len("Bar") + 1, word


# --------------------------------------------------------------------------- PNG


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        chunks.append(data[i + 4 : i + 8])
        i += 12 + length
    return chunks


def test_png_within_every_platform_limit() -> None:
    from PIL import Image

    for chart in (us_record_chart(), kelly_mission_chart()):
        data = draw(chart)
        image = Image.open(io.BytesIO(data))
        assert image.size == (s.WIDTH_PX, s.HEIGHT_PX)
        assert s.WIDTH_PX * 9 == s.HEIGHT_PX * 16
        for name in platforms.publishing():
            row = platforms.PLATFORMS[name]
            assert len(data) <= row.image_bytes, name
            assert row.image_max_side is None or max(image.size) <= row.image_max_side, name


def test_png_is_deterministic_and_carries_no_time_or_version() -> None:
    chart = us_record_chart()
    first, second = draw(chart), draw(chart)
    assert first == second
    assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(png_chunks(first))
    assert draw(kelly_mission_chart()) == draw(kelly_mission_chart())


@pytest.mark.slow
def test_png_is_the_same_in_a_fresh_process() -> None:
    code = textwrap.dedent(
        """
        import hashlib, sys
        sys.path.insert(0, "tests")
        from test_images import draw, us_record_chart
        print(hashlib.sha256(draw(us_record_chart())).hexdigest())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(draw(us_record_chart())).hexdigest()


# --------------------------------------------------------------------------- golden images


STORED = 8  # goldens are stored at 1/8 of the size (150 x 84): small, still readable
COMPARED = 16  # and compared at 1/16, where a glyph drawn differently is a faint blur
# Mean absolute difference per RGB channel (0-255) at 1/16 size.  Measured: the same
# chart under matplotlib 3.9 (FreeType 2.6.1) against 3.11 (FreeType 2.14): 2.3; another
# person as the new holder: 8.3; three bars fewer: 27.
GOLDEN_TOLERANCE = 4.0


def reduced(data: bytes, factor: int) -> bytes:
    """The image at 1/``factor`` of its size (box filter), as RGB PNG bytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    size = (s.WIDTH_PX // factor, s.HEIGHT_PX // factor)
    image.resize(size, Image.Resampling.BOX).save(out, format="PNG", optimize=True)
    return out.getvalue()


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two images (any size) at 1/COMPARED of a chart's size."""
    from PIL import Image

    size = (s.WIDTH_PX // COMPARED, s.HEIGHT_PX // COMPARED)
    pa, pb = (
        Image.open(io.BytesIO(x)).convert("RGB").resize(size, Image.Resampling.BOX).tobytes()
        for x in (a, b)
    )
    return sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)


@pytest.mark.parametrize(
    ("name", "make"), [("record.png", us_record_chart), ("mission.png", kelly_mission_chart)]
)
def test_golden_image(name: str, make: object) -> None:
    """A font rendering a pixel differently passes, a wrong chart does not.
    ``SPACEBOT_UPDATE_GOLDEN=1 pytest tests/test_images.py`` rewrites them."""
    data = draw(make())  # type: ignore[operator]
    path = GOLDEN / name
    if os.environ.get("SPACEBOT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(reduced(data, STORED))
    diff = difference(path.read_bytes(), data)
    assert diff <= GOLDEN_TOLERANCE, f"{name} differs from the golden image by {diff:.2f}"


def test_golden_comparison_catches_a_wrong_chart() -> None:
    golden = (GOLDEN / "record.png").read_bytes()
    wrong = record_chart(
        record(person="peggy-whitson", name="Peggy Whitson"), standings(), timezone="UTC"
    )
    assert difference(golden, draw(wrong)) > 1.5 * GOLDEN_TOLERANCE
    fewer = record_chart(record(), standings(), timezone="UTC", top=7)
    assert difference(golden, draw(fewer)) > 1.5 * GOLDEN_TOLERANCE


# --------------------------------------------------------------------------- contrast


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of "#RRGGBB"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    r, g, b = linear
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", s.TEXT_COLOURS)
def test_text_colours_reach_4_5_to_1(colour: str) -> None:
    assert contrast(colour, s.BACKGROUND) >= 4.5


@pytest.mark.parametrize("colour", s.BAR_COLOURS)
def test_bar_colours_reach_3_to_1(colour: str) -> None:
    assert contrast(colour, s.BACKGROUND) >= 3.0


# --------------------------------------------------------------------------- lazy import


def test_building_charts_and_alt_text_does_not_import_matplotlib() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, "tests")
        import bot.images, bot.images.charts, bot.images.draw
        import bot.images.style, bot.images.words
        from test_images import alt_text, kelly_mission_chart, us_record_chart
        alt_text(us_record_chart(), 1000)
        alt_text(kelly_mission_chart(), 1000)
        assert not [m for m in sys.modules if m.split(".")[0] == "matplotlib"], "imported"
        from bot.images.draw import draw
        draw(us_record_chart())
        assert "matplotlib" in sys.modules
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# --------------------------------------------------------------------------- scripts


NAMES = {
    "diacritics": ["Michael López-Alegría", "Sigmund Jähn", "Phạm Tuân", "Mirosław Hermaszewski"],
    "cyrillic": ["Геннадий Падалка", "Валентина Терешкова"],
    "cjk": ["杨利伟", "若田光一", "이소연"],
}


def renamed(names: list[str]) -> RecordChart:
    rows = [(f"p{i}", name, (500 - 20 * i) * DAY, i == 0) for i, name in enumerate(names)]
    m = record(person="p0", name=names[0], previous=Holder("p1", names[1], rows[1][2]))
    return record_chart(m, standings(rows))


@pytest.mark.parametrize("script", ["diacritics", "cyrillic"])
def test_latin_and_cyrillic_names_have_every_glyph(script: str) -> None:
    from bot.images.draw import missing_glyphs

    assert missing_glyphs(" ".join(NAMES[script])) == ""
    assert draw(renamed(NAMES[script]))[:4] == b"\x89PNG"


def test_cjk_names_drawn_with_the_installed_fallback() -> None:
    from bot.images.draw import font_families, missing_glyphs

    if len(font_families()) < 2:
        pytest.skip("no CJK font installed (e.g. apt-get install fonts-noto-cjk)")
    assert missing_glyphs(" ".join(NAMES["cjk"])) == ""
    assert draw(renamed(NAMES["cjk"]))[:4] == b"\x89PNG"


def test_without_a_cjk_font_cjk_names_are_boxes_not_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import warnings

    from bot.images import draw as draw_module

    monkeypatch.setattr(draw_module, "_font_families", lambda: (s.FONT,))
    assert draw_module.missing_glyphs("杨利伟") == "杨利伟"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and says nothing about it
        data = draw_module.draw(renamed(NAMES["cjk"] + NAMES["cyrillic"]))
    assert data[:4] == b"\x89PNG"


def test_long_names_and_missions_are_fitted_not_overflowing() -> None:
    names = ["Sultan bin Salman bin Abdulaziz Al Saud", "Aleksandr Aleksandrovich Skvortsov"]
    assert draw(renamed([*names, "A B"]))[:4] == b"\x89PNG"
    long_mission = Flight(
        "Soyuz TMA-16M / Soyuz TMA-18M (ISS Expedition 43-46, a very long name indeed)",
        day(2015, 3, 27),
        day(2016, 3, 2),
    )
    person = dataclasses.replace(KELLY, flights=(long_mission,))
    assert draw(mission_chart(landing(person), person))[:4] == b"\x89PNG"


def test_a_record_held_by_a_crew_shows_the_whole_crew_as_previous_holders() -> None:
    from bot.core.engine import find_milestones, standings
    from bot.core.rules import Rules
    from bot.files.data import default_data_path, load_dataset

    dataset = load_dataset(default_data_path())
    day = datetime(1978, 2, 2, tzinfo=UTC)
    (grechko,) = [
        m
        for m in find_milestones(dataset, Rules(), day, day + timedelta(days=1)).milestones
        if m.kind.is_record
    ]
    table = standings(dataset, Rules(), "cumulative", "world", grechko.at)
    chart = record_chart(grechko, table)
    assert chart.subtitle == "Georgy Grechko passed the Skylab 4 crew's 84 days 1 hour"
    previous = sorted(b.label for b in chart.bars if b.role == "previous")
    assert previous == ["Bill Pogue", "Ed Gibson", "Jerry Carr"]
