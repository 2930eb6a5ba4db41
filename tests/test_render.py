"""The renderer: golden posts for the acceptance cases, grouping, fitting, threads."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import platforms
from bot.core.fields import build_fields
from bot.core.milestone import Holder, Kind, Milestone, Rank
from bot.core.post import Post
from bot.core.render import PlatformSpec, RenderSettings, group, post_key, render, split_thread
from bot.core.templates import fill
from bot.core.text_length import fits, measure
from bot.files.templates import load_templates

D, H, M = 86_400, 3_600, 60
TEMPLATES = load_templates(None)
X = platforms.spec("x")
BLUESKY = platforms.spec("bluesky")
MASTODON = platforms.spec("mastodon")
PLATFORMS = (X, BLUESKY, MASTODON)

TMA16M = datetime(2015, 3, 27, 19, 42, 57, tzinfo=UTC)
TMA18M_LANDING = datetime(2016, 3, 2, 4, 25, 51, tzinfo=UTC)

PADALKA = Milestone(
    kind=Kind.RECORD_CUMULATIVE,
    at=datetime(2015, 6, 28, 23, 2, tzinfo=UTC),
    person="gennady-padalka",
    name="Gennady Padalka",
    country="RU",
    gender="male",
    mission="Soyuz TMA-16M / TMA-16M",
    flight_launch=TMA16M,
    value_seconds=803 * D + 9 * H + 41 * M,
    total_seconds=803 * D + 9 * H + 41 * M,
    scopes=("world", "RU"),
    previous=Holder("sergei-krikalev", "Sergei Krikalev", 803 * D + 9 * H + 41 * M),
)
KELLY_FINCKE = Milestone(
    kind=Kind.RECORD_CUMULATIVE,
    at=datetime(2015, 10, 15, 9, 2, tzinfo=UTC),
    person="scott-kelly",
    name="Scott Kelly",
    country="US",
    gender="male",
    mission="Soyuz TMA-16M / TMA-18M",
    flight_launch=TMA16M,
    value_seconds=381 * D + 15 * H + 8 * M,
    total_seconds=381 * D + 15 * H + 8 * M,
    scopes=("US",),
    previous=Holder("michael-fincke", "Mike Fincke", 381 * D + 15 * H + 8 * M),
)
KELLY_LOPEZ_ALEGRIA = Milestone(
    kind=Kind.RECORD_CONSECUTIVE,
    at=datetime(2015, 10, 29, 4, 5, tzinfo=UTC),
    person="scott-kelly",
    name="Scott Kelly",
    country="US",
    gender="male",
    mission="Soyuz TMA-16M / TMA-18M",
    flight_launch=TMA16M,
    value_seconds=215 * D + 8 * H + 22 * M,
    total_seconds=395 * D + 13 * H,
    scopes=("US",),
    previous=Holder("michael-lopez-alegria", "Michael López-Alegría", 215 * D + 8 * H + 22 * M),
)
_FLIGHT = int((TMA18M_LANDING - TMA16M).total_seconds())
KELLY_END = Milestone(
    kind=Kind.MISSION_END,
    at=TMA18M_LANDING,
    person="scott-kelly",
    name="Scott Kelly",
    country="US",
    gender="male",
    mission="Soyuz TMA-16M / TMA-18M",
    flight_launch=TMA16M,
    value_seconds=_FLIGHT,
    total_seconds=520 * D + 10 * H + 31 * M + 58,
    ranks=(
        Rank("world", "consecutive", 6, 545),
        Rank("US", "consecutive", 1, 340),
        Rank("world", "cumulative", 2, 545),
        Rank("US", "cumulative", 1, 340),
    ),
)
KORNIENKO_END = replace(
    KELLY_END,
    person="mikhail-kornienko",
    name="Mikhail Kornienko",
    country="RU",
    total_seconds=516 * D + 10 * H,
    ranks=(Rank("world", "cumulative", 19, 545), Rank("RU", "cumulative", 15, 120)),
)


def only(posts: list[Post]) -> Post:
    assert len(posts) == 1
    return posts[0]


def text(milestones: list[Milestone], spec: PlatformSpec = X, **kw: object) -> str:
    post = render(milestones, TEMPLATES, spec, RenderSettings(**kw))  # type: ignore[arg-type]
    assert len(post) == 1
    assert len(post[0].parts) == 1
    return post[0].parts[0]


# --------------------------------------------------------------------------- golden posts


def test_padalka_passes_krikalev() -> None:
    assert text([PADALKA], hashtags=("ISS",)) == (
        "Gennady Padalka just passed Sergei Krikalev's 803 days 9 hours: "
        "no one has spent more time in space. #ISS"
    )
    assert text([PADALKA], MASTODON) == (
        "At 23:02 UTC today, Gennady Padalka passed Sergei Krikalev's 803 days 9 hours: "
        "no one has spent more time in space. Also the Russian record."
    )


def test_kelly_passes_fincke() -> None:
    assert text([KELLY_FINCKE]) == (
        "Scott Kelly just passed Mike Fincke's 381 days 15 hours: "
        "no American has spent more time in space."
    )


def test_kelly_passes_lopez_alegria() -> None:
    assert text([KELLY_LOPEZ_ALEGRIA]) == (
        "Today Scott Kelly passed Michael López-Alegría's 215 days 8 hours: "
        "the longest single spaceflight by an American."
    )
    assert text([KELLY_LOPEZ_ALEGRIA], MASTODON, timezone="America/Chicago") == (
        "Today at 23:05 CDT, Scott Kelly passed Michael López-Alegría's 215 days 8 hours "
        "aboard Soyuz TMA-16M / TMA-18M: the longest single spaceflight by an American."
    )


def test_kelly_and_kornienko_land_together() -> None:
    post = only(render([KELLY_END, KORNIENKO_END], TEMPLATES, X))
    assert post.parts == (
        "Scott Kelly and Mikhail Kornienko are back on Earth after 340 days 8 hours in space "
        "(Soyuz TMA-16M / TMA-18M). Kelly's total: 520 days 10 hours, 2nd in the world "
        "(1st in the US). Kornienko's total: 516 days 10 hours.",
    )
    assert post.late_parts == (
        "On March 2, 2016, Scott Kelly and Mikhail Kornienko returned to Earth after 340 days "
        "8 hours in space (Soyuz TMA-16M / TMA-18M). Kelly's total: 520 days 10 hours, 2nd in "
        "the world (1st in the US). Kornienko's total: 516 days 10 hours.",
    )
    assert post.people == ("scott-kelly", "mikhail-kornienko")
    assert post.kind == "mission_end"
    assert post.key == "+".join(sorted([KELLY_END.key, KORNIENKO_END.key]))


def test_late_wording_for_each_record() -> None:
    late = {m.kind: render([m], TEMPLATES, X)[0].late_parts for m in (PADALKA, KELLY_LOPEZ_ALEGRIA)}
    assert late[Kind.RECORD_CUMULATIVE] == (
        "On June 28, 2015, Gennady Padalka passed Sergei Krikalev's 803 days 9 hours, "
        "setting the record for the most time in space.",
    )
    assert late[Kind.RECORD_CONSECUTIVE] == (
        "On October 29, 2015, Scott Kelly passed Michael López-Alegría's 215 days 8 hours, "
        "setting the record for the longest single spaceflight by an American.",
    )


def round_number(kind: Kind, days: int, **kw: object) -> Milestone:
    return replace(
        KELLY_LOPEZ_ALEGRIA,
        kind=kind,
        value_seconds=days * D,
        threshold_days=days,
        scopes=(),
        previous=None,
        **kw,  # type: ignore[arg-type]
    )


def test_round_number_milestones() -> None:
    assert text([round_number(Kind.MILESTONE_CONSECUTIVE, 300)]) == (
        "Scott Kelly has now spent 300 days in space on this flight (Soyuz TMA-16M / TMA-18M)."
    )
    assert text([round_number(Kind.MILESTONE_CONSECUTIVE, 365)]) == (
        "Scott Kelly has now spent one year in space on this flight (Soyuz TMA-16M / TMA-18M)."
    )
    kononenko = round_number(
        Kind.MILESTONE_CUMULATIVE,
        1000,
        person="oleg-kononenko",
        name="Oleg Kononenko",
        country="RU",
        mission="Soyuz MS-24",
    )
    assert text([kononenko]) == (
        "Oleg Kononenko has now spent 1,000 days in space in total, across all his flights "
        "(currently aboard Soyuz MS-24)."
    )
    whitson = replace(kononenko, person="peggy-whitson", name="Peggy Whitson", gender="female")
    assert "across all her flights" in text([whitson])


def test_first_flight_mission_end_does_not_repeat_the_total() -> None:
    rookie = replace(KELLY_END, total_seconds=_FLIGHT)
    assert text([rookie]).endswith(
        "Kelly now ranks 2nd in the world (1st in the US) for time in space."
    )
    nobody = replace(rookie, ranks=(Rank("world", "cumulative", 80, 545),))
    assert text([nobody]) == (
        "Scott Kelly is back on Earth after 340 days 8 hours in space (Soyuz TMA-16M / TMA-18M)."
    )


def test_first_flight_cumulative_milestone_says_so() -> None:
    rookie = round_number(Kind.MILESTONE_CUMULATIVE, 300, total_seconds=300 * D)
    rookie = replace(rookie, flight_launch=rookie.at - timedelta(days=300))
    assert text([rookie]) == (
        "Scott Kelly has now spent 300 days in space in total, all of it on this flight "
        "(currently aboard Soyuz TMA-16M / TMA-18M)."
    )
    veteran = replace(rookie, person="b", name="Mikhail Kornienko", total_seconds=300 * D)
    veteran = replace(veteran, flight_launch=rookie.at - timedelta(days=100))
    # a crew with a rookie and a veteran: no claim either way, and no stray comma
    assert text([rookie, veteran]) == (
        "Scott Kelly and Mikhail Kornienko have now spent 300 days in space in total "
        "(currently aboard Soyuz TMA-16M / TMA-18M)."
    )


def test_crewmates_share_the_common_part_of_their_flight_names() -> None:
    base = round_number(Kind.MILESTONE_CONSECUTIVE, 200, mission="Soyuz MS-13")
    morgan = replace(
        base, person="andrew-morgan", name="Andrew Morgan", mission="Soyuz MS-13 / MS-15"
    )
    assert text([base, morgan]).endswith("on this flight (Soyuz MS-13).")
    other = replace(morgan, mission="Dragon Crew-1")
    assert text([base, other]).endswith("on this flight (Soyuz MS-13 and Dragon Crew-1).")


def test_rookies_in_the_same_standing_share_a_sentence() -> None:
    leonov = replace(
        KELLY_END,
        person="alexei-leonov",
        name="Alexei Leonov",
        country="RU",
        mission="Voskhod 2",
        value_seconds=26 * H,
        total_seconds=26 * H,
        ranks=(Rank("world", "cumulative", 6, 10), Rank("RU", "cumulative", 5, 6)),
    )
    belyaev = replace(leonov, person="pavel-belyaev", name="Pavel Belyaev")
    assert text([leonov, belyaev]) == (
        "Alexei Leonov and Pavel Belyaev are back on Earth after 1 day 2 hours in space "
        "(Voskhod 2). "
        "Leonov and Belyaev now rank 6th in the world (5th in Russia) for time in space."
    )


def test_short_flight_totals_are_not_zero_days() -> None:
    grissom = replace(KELLY_END, value_seconds=4 * H, total_seconds=4 * H + 15 * M, ranks=())
    assert text([grissom]).endswith("Kelly's total: 4 hours 15 minutes.")


def test_suborbital_mission_end_in_minutes() -> None:
    hop = replace(KELLY_END, value_seconds=10 * M + 7, total_seconds=10 * M + 7, ranks=())
    assert "after 10 minutes in space" in text([hop])


# --------------------------------------------------------------------------- scopes


@pytest.mark.parametrize(
    ("scopes", "claim"),
    [
        (("world", "US"), "no one has spent more time in space. Also the US record."),
        (("US", "women"), "no American has spent more time in space. Also the record for women."),
        (("women",), "no woman has spent more time in space."),
        (("JP",), "no Japanese astronaut has spent more time in space."),
        (("LU",), "no one from Luxembourg has spent more time in space."),
        (("esa",), "no European astronaut has spent more time in space."),
    ],
)
def test_scope_aware_claims(scopes: tuple[str, ...], claim: str) -> None:
    m = replace(KELLY_FINCKE, scopes=scopes)
    out = text([m], MASTODON, scope_labels={"esa": "the European record"})
    assert out.endswith(claim)


@pytest.mark.parametrize(
    ("scopes", "claim"),
    [
        (("world", "RU"), "the longest single spaceflight ever."),
        (("women",), "the longest single spaceflight by a woman."),
        (("IT",), "the longest single spaceflight by an Italian."),
        (("LU",), "the longest single spaceflight by anyone from Luxembourg."),
    ],
)
def test_scope_aware_consecutive_claims(scopes: tuple[str, ...], claim: str) -> None:
    assert text([replace(KELLY_LOPEZ_ALEGRIA, scopes=scopes)]).endswith(claim)


def test_scope_field_for_several_scopes(tmp_path: object) -> None:
    fields = build_fields([PADALKA])
    assert fields["scope"] == "the world and Russian records"
    assert fields["scope_note"] == "Also the Russian record."
    fields = build_fields(
        [replace(PADALKA, scopes=("world", "RU", "esa"))], RenderSettings(scope_labels={})
    )
    assert fields["scope"] == "the world, Russian and ESA records"


# --------------------------------------------------------------------------- grouping


def test_crewmates_crossing_together_share_one_post() -> None:
    kelly = round_number(Kind.MILESTONE_CONSECUTIVE, 300)
    kornienko = replace(kelly, person="mikhail-kornienko", name="Mikhail Kornienko")
    post = only(render([kelly, kornienko], TEMPLATES, X))
    assert post.parts == (
        "Scott Kelly and Mikhail Kornienko have now spent 300 days in space on this flight "
        "(Soyuz TMA-16M / TMA-18M).",
    )
    assert post.key == f"{kornienko.key}+{kelly.key}"
    three = replace(kelly, person="gennady-padalka", name="Gennady Padalka")
    assert group([kelly, kornienko, three])[0] == (kelly, kornienko, three)
    assert text([kelly, kornienko, three]).startswith(
        "Scott Kelly, Mikhail Kornienko and Gennady Padalka have now"
    )


def test_grouping_needs_the_same_milestone() -> None:
    kelly = round_number(Kind.MILESTONE_CONSECUTIVE, 300)
    other_instant = replace(kelly, person="b", at=kelly.at + timedelta(seconds=1))
    other_threshold = replace(kelly, person="c", threshold_days=200, value_seconds=200 * D)
    other_kind = replace(kelly, person="d", kind=Kind.MILESTONE_CUMULATIVE)
    groups = group([kelly, other_instant, other_threshold, other_kind])
    assert [len(g) for g in groups] == [1, 1, 1, 1]


def test_grouping_can_be_turned_off_and_keeps_order() -> None:
    kelly = round_number(Kind.MILESTONE_CONSECUTIVE, 300)
    kornienko = replace(kelly, person="mikhail-kornienko", name="Mikhail Kornienko")
    posts = render([kelly, kornienko], TEMPLATES, X, RenderSettings(group_crew=False))
    assert [p.key for p in posts] == [kelly.key, kornienko.key]
    assert [p.people for p in posts] == [("scott-kelly",), ("mikhail-kornienko",)]


def test_same_milestone_twice_is_one_member() -> None:
    post = only(render([KELLY_FINCKE, KELLY_FINCKE], TEMPLATES, X))
    assert post.key == KELLY_FINCKE.key


def test_post_times() -> None:
    post = render([KELLY_FINCKE], TEMPLATES, X)[0]
    assert post.crossing == post.due == KELLY_FINCKE.at
    check = datetime(2015, 10, 15, 7, 0, tzinfo=UTC)
    post = render([KELLY_FINCKE], TEMPLATES, X, due=lambda m: check)[0]
    assert post.due == check
    assert post.crossing == KELLY_FINCKE.at
    assert post_key([KELLY_FINCKE]) == KELLY_FINCKE.key


# --------------------------------------------------------------------------- fitting


def test_hashtags_are_dropped_first_last_one_first() -> None:
    base = text([KELLY_LOPEZ_ALEGRIA])
    room = X.limit - measure(base, "x")
    tags = ("#YearInSpace", "#ISS", "#" + "A" * (room - len(" #YearInSpace #ISS #")))
    full = text([KELLY_LOPEZ_ALEGRIA], hashtags=tags)
    assert full == base + " " + " ".join(tags)
    assert measure(full, "x") == X.limit
    too_many = (*tags[:2], tags[2] + "B")
    assert text([KELLY_LOPEZ_ALEGRIA], hashtags=too_many) == base + " #YearInSpace #ISS"


def test_hashtags_are_normalised_and_not_repeated(tmp_path: object) -> None:
    out = text([PADALKA], hashtags=("ISS", "#iss", "Soyuz"))
    assert out.endswith("space. #ISS #Soyuz")


def test_hashtags_placed_by_the_template(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "t.yaml"
    path.write_text('mission_end:\n  text: "{hashtags} {name} {is} home."\n', encoding="utf-8")
    templates = load_templates(path)
    post = render([KELLY_END], templates, X, RenderSettings(hashtags=("#ISS",)))[0]
    assert post.parts == ("#ISS Scott Kelly is home.",)
    post = render([KELLY_END], templates, X)[0]
    assert post.parts == ("Scott Kelly is home.",)


def test_fallback_when_the_text_does_not_fit() -> None:
    text_length = len(text([KELLY_FINCKE]))
    small = PlatformSpec("tiny", "mastodon", text_length - 1)
    out = text([KELLY_FINCKE], small)
    assert out == (
        "Scott Kelly passed Mike Fincke's 381 days 15 hours: no American has spent more time "
        "in space."
    )


def test_thread_when_nothing_fits() -> None:
    small = PlatformSpec("tiny", "mastodon", 60)
    post = render([KELLY_END, KORNIENKO_END], TEMPLATES, small)[0]
    assert len(post.parts) > 1
    for i, part in enumerate(post.parts, 1):
        assert part.endswith(f" ({i}/{len(post.parts)})")
        assert measure(part, "mastodon") <= 60
    # the thread carries the full text, not the fallback
    assert "Kornienko's total: 516 days 10 hours." in " ".join(post.parts)


def test_overflow_thread_keeps_the_full_text() -> None:
    spec = PlatformSpec("x", "x", 120)
    as_fallback = render([KELLY_END], TEMPLATES, spec)[0]
    as_thread = render([KELLY_END], TEMPLATES, spec, RenderSettings(overflow="thread"))[0]
    assert len(as_fallback.parts) == 1
    assert "total" not in as_fallback.parts[0]
    assert as_thread.parts == (
        "Scott Kelly is back on Earth after 340 days 8 hours in space (Soyuz TMA-16M / TMA-18M). "
        "(1/2)",
        "Kelly's total: 520 days 10 hours, 2nd in the world (1st in the US). (2/2)",
    )


def test_split_thread_at_words_and_graphemes() -> None:
    def fits20(s: str) -> bool:
        return fits(s, "mastodon", 20)

    parts = split_thread("one two three four five six seven eight nine ten", fits20)
    assert all(fits20(p) for p in parts)
    assert [re.sub(r" \(\d+/\d+\)$", "", p) for p in parts] == [
        "one two three",
        "four five six",
        "seven eight",
        "nine ten",
    ]
    # one word longer than a part: split between graphemes, never dropped
    word = "Ло́пес" * 5
    parts = split_thread(word, fits20)
    assert "".join(re.sub(r" \(\d+/\d+\)$", "", p) for p in parts) == word
    assert all(fits20(p) for p in parts)
    assert split_thread("short", fits20) == ("short",)


def test_a_thread_keeps_the_line_breaks_of_the_text() -> None:
    # Regression: an overflow joined a multi-line template's lines into one
    def fits40(s: str) -> bool:
        return fits(s, "mastodon", 40)

    text = (
        "Today Scott Kelly passed 382 days.\nAboard the ISS.\n\nHis total:   520 days.\nMore soon"
    )
    parts = split_thread(text, fits40)
    assert all(fits40(p) for p in parts)
    assert [re.sub(r" \(\d+/\d+\)$", "", p) for p in parts] == [
        "Today Scott Kelly passed 382 days.",
        "Aboard the ISS.",
        "His total: 520 days.\nMore soon",  # a paragraph that fits stays whole
    ]
    # a line too long for a part is split like any text, its words kept in order
    parts = split_thread("a\n" + "word " * 12, fits40)
    assert _unmarked(parts) == ["a"] + ["word"] * 12


def test_markers_grow_with_ten_or_more_parts() -> None:
    words = " ".join(f"w{i:02d}" for i in range(40))
    parts = split_thread(words, lambda s: len(s) <= 16)
    assert len(parts) >= 10
    assert parts[-1].endswith(f"({len(parts)}/{len(parts)})")
    assert all(len(p) <= 16 for p in parts)


# --------------------------------------------------------------------------- properties

_LETTERS = "abcdefghijklmnopqrstuvwxyzéíóúñçøåäöüłśžčšğıș"
_WORD = st.one_of(
    st.text(st.sampled_from(_LETTERS), min_size=1, max_size=14).map(str.capitalize),
    st.text(st.sampled_from("杨利伟王亚平聂海胜刘洋景海鹏若田光一"), min_size=2, max_size=4),
    st.sampled_from(["López-Alegría", "Jean-Loup", "bin", "Al", "De", "Jr.", "Gürragchaa"]),
)
_NAME = st.lists(_WORD, min_size=1, max_size=5).map(" ".join).filter(lambda n: len(n) <= 48)
_COUNTRY = st.sampled_from(["US", "RU", "CN", "JP", "LU", "SU", "IT", "AE", "XX"])
_SCOPE = st.sampled_from(["world", "US", "RU", "women", "CN", "LU", "esa"])
_MEASURE = st.sampled_from(["consecutive", "cumulative"])


@st.composite
def crews(draw: st.DrawFn) -> list[Milestone]:
    kind = draw(st.sampled_from(list(Kind)))
    at = datetime(1961, 4, 12, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 2_300_000_000)))
    value = draw(st.integers(0, 900 * D))
    record = kind.is_record
    scopes = tuple(dict.fromkeys(draw(st.lists(_SCOPE, min_size=1, max_size=4)))) if record else ()
    previous = Holder("prev", draw(_NAME), value) if record else None
    threshold = (
        draw(st.sampled_from([100, 365, 730, 1000, 2000]))
        if kind.measure != "flight" and not record
        else None
    )
    mission = draw(st.text(st.sampled_from("Soyuz TMA-0123456789 /MSCrewDragon"), max_size=50))
    size = draw(st.integers(1, 3))
    out = []
    for i in range(size):
        ranks = (
            tuple(
                Rank(
                    draw(_SCOPE),
                    draw(st.sampled_from(["consecutive", "cumulative"])),
                    draw(st.integers(1, 30)),
                    600,
                )
                for _ in range(draw(st.integers(0, 4)))
            )
            if kind is Kind.MISSION_END
            else ()
        )
        out.append(
            Milestone(
                kind=kind,
                at=at,
                person=f"p{i}",
                name=draw(_NAME),
                country=draw(_COUNTRY),
                gender=draw(st.sampled_from(["male", "female"])),
                mission=mission,
                flight_launch=at - timedelta(seconds=value),
                value_seconds=value,
                total_seconds=value + draw(st.integers(0, 900 * D)),
                scopes=scopes,
                previous=previous,
                threshold_days=threshold,
                ranks=ranks,
            )
        )
    return out


_SETTINGS = st.builds(
    RenderSettings,
    timezone=st.sampled_from(["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"]),
    hashtags=st.sampled_from([(), ("ISS",), ("ISS", "YearInSpace", "Expedition46", "NASA")]),
    overflow=st.sampled_from(["fallback", "thread"]),
    scope_labels=st.just({"esa": "the European record"}),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crews(), _SETTINGS, st.sampled_from(PLATFORMS))
def test_every_part_fits_on_real_platforms(
    crew: list[Milestone], render_settings: RenderSettings, spec: PlatformSpec
) -> None:
    for post in render(crew, TEMPLATES, spec, render_settings):
        for part in post.parts + post.late_parts:
            assert part
            assert fits(part, spec.counter, spec.limit), (spec, part)
            assert "{" not in part


def _unmarked(parts: tuple[str, ...]) -> list[str]:
    n = len(parts)
    if n == 1:
        return parts[0].split()
    words: list[str] = []
    for i, part in enumerate(parts, 1):
        marker = f" ({i}/{n})"
        assert part.endswith(marker)
        words.extend(part[: -len(marker)].split())
    return words


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crews(),
    st.sampled_from(["x", "bluesky", "mastodon"]),
    st.integers(min_value=110, max_value=320),
)
def test_threads_fit_and_never_cut_a_word(crew: list[Milestone], counter: str, limit: int) -> None:
    spec = PlatformSpec("tiny", counter, limit)  # type: ignore[arg-type]
    post = render(crew, TEMPLATES, spec, RenderSettings(overflow="thread"))[0]
    members = group(crew)[0]
    fields = build_fields(members)
    words = TEMPLATES.wording(members[0].kind, "tiny")
    for parts, template in ((post.parts, words.text), (post.late_parts, words.late)):
        assert all(fits(p, counter, limit) for p in parts), parts  # type: ignore[arg-type]
        assert _unmarked(parts) == fill(template, fields).split()


def test_a_short_name_opening_a_sentence_is_capitalised() -> None:
    # "de Vries" mid-sentence, "De Vries" when it starts one (issue 10: it read "al Masrie now")
    de_vries = replace(KELLY_END, person="glen-de-vries", name="Glen de Vries", short_name=None)
    assert "De Vries' total: 520 days 10 hours" in text([de_vries])
    rookie = replace(de_vries, total_seconds=de_vries.value_seconds)
    assert text([rookie]).endswith(
        "De Vries now ranks 2nd in the world (1st in the US) for time in space."
    )
    # the data's short_name comes before the family-name rule
    assert "Van den Berg's total" in text([replace(de_vries, short_name="Van den Berg")])


def test_a_field_that_fails_stops_the_render_instead_of_posting_braces() -> None:
    # Regression: fields are worked out inside str.format_map, whose caller took any
    # KeyError/ValueError for a template problem and posted the raw template.
    from bot.core import samples

    with pytest.raises(RuntimeError, match=r"field \{\w+\} could not be worked out"):
        render(
            samples.typical(Kind.RECORD_CONSECUTIVE),
            TEMPLATES,
            X,
            RenderSettings(timezone="Mars/Olympus"),
        )
