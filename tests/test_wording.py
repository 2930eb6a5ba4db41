"""Words for posts: durations, numbers, names, scopes and dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core import wording as w
from bot.core.milestone import Rank

D, H, M = 86_400, 3_600, 60


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(215 * D + 8 * H + 22 * M, "215 days"), (D, "1 day"), (1111 * D, "1,111 days"), (0, "0 days")],
)
def test_whole_days_for_a_chart_scale(seconds: int, expected: str) -> None:
    assert w.whole_days(seconds) == expected


def test_the_whole_days_fields_follow_the_one_rule_too() -> None:
    # A whole number of days alone could be lower than an agency's (Kononenko: 374).
    assert w.days(373 * D + 20 * H + 14 * M) == "373 days 20 hours"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (215 * D + 8 * H + 22 * M, "215 days 8 hours"),  # floored, not rounded
        (381 * D + 15 * H + 8 * M, "381 days 15 hours"),
        (803 * D + 9 * H + 41 * M, "803 days 9 hours"),
        (215 * D + 8 * H + 59 * M + 59, "215 days 8 hours"),  # never rounds up
        (D + H, "1 day 1 hour"),
        (12 * H, "12 hours"),
        (5 * D + 30 * M, "5 days"),
        (1234 * D + 2 * H, "1,234 days 2 hours"),
        (-5, "0 seconds"),
    ],
)
def test_days_hours(seconds: int, expected: str) -> None:
    assert w.days_hours(seconds) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (365, "one year"),
        (730, "two years"),
        (1095, "three years"),
        (300, "300 days"),
        (1000, "1,000 days"),
        (1, "1 day"),
        (366, "366 days"),
    ],
)
def test_round_days(count: int, expected: str) -> None:
    assert w.round_days(count) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (340 * D + 8 * H, "340 days 8 hours"),
        (373 * D + 20 * H + 14 * M, "373 days 20 hours"),  # Roscosmos: 374; never "373 days"
        (12 * H + 5, "12 hours"),
        (108 * M, "1 hour 48 minutes"),  # Vostok 1: never "1 hour"
        (H, "1 hour"),
        (D + 59 * M, "1 day"),  # never "1 day 0 hours"
        (10 * M + 7, "10 minutes"),
        (15 * M + 22, "15 minutes"),  # Shepard's: never "0 hours"
        (45, "45 seconds"),
        (1, "1 second"),
    ],
)
def test_duration(seconds: int, expected: str) -> None:
    assert w.duration(seconds) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (1002, "1,002nd"),
    ],
)
def test_ordinal(n: int, expected: str) -> None:
    assert w.ordinal(n) == expected


def test_plural() -> None:
    assert w.plural(1, "day") == "1 day"
    assert w.plural(2, "day") == "2 days"
    assert w.plural(0, "hour") == "0 hours"
    assert w.plural(2, "woman", "women") == "2 women"


@pytest.mark.parametrize(
    ("names", "expected"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_join(names: list[str], expected: str) -> None:
    assert w.join(names) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Michael López-Alegría", "Michael López-Alegría's"),
        ("Chris Hadfield", "Chris Hadfield's"),
        ("Scott Kelly", "Scott Kelly's"),
        ("Thomas Reiter", "Thomas Reiter's"),
        ("Jeffrey Williams", "Jeffrey Williams'"),  # AP: bare apostrophe after a final s
        ("Sergei Krikalev", "Sergei Krikalev's"),
        ("", ""),
    ],
)
def test_possessive(name: str, expected: str) -> None:
    assert w.possessive(name) == expected


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("Scott Kelly", "US", "Kelly"),
        ("Michael López-Alegría", "US", "López-Alegría"),
        ("Frank De Winne", "BE", "De Winne"),
        ("Charles Conrad Jr.", "US", "Conrad"),
        ("Sultan bin Salman Al Saud", "SA", "Al Saud"),
        ("Yang Liwei", "CN", "Yang"),
        ("Yi So-yeon", "KR", "Yi"),
        ("杨利伟", "CN", "杨利伟"),
        ("Gagarin", "SU", "Gagarin"),
        ("Al Worden", "US", "Worden"),
    ],
)
def test_short_name(name: str, country: str, expected: str) -> None:
    assert w.short_name(name, country) == expected


def test_pronoun_and_article() -> None:
    assert w.pronoun_possessive(["male"]) == "his"
    assert w.pronoun_possessive(["female"]) == "her"
    assert w.pronoun_possessive(["male", "female"]) == "their"
    assert w.pronoun_possessive(["x"]) == "their"
    assert [
        w.article(n) for n in ("American", "Ukrainian", "European astronaut", "ESA", "woman")
    ] == [
        "an",
        "a",
        "a",
        "an",
        "a",
    ]


@pytest.mark.parametrize(
    ("scope", "record"),
    [
        ("world", "the world record"),
        ("US", "the US record"),
        ("RU", "the Russian record"),
        ("JP", "the Japanese record"),
        ("women", "the record for women"),
        ("LU", "the record for Luxembourg"),  # not in the table: pycountry's name
        ("FM", "the record for Micronesia"),  # "Micronesia, Federated States of", trimmed
        # names that take "the" in English (regression: "no one from Philippines")
        ("PH", "the record for the Philippines"),
        ("DO", "the record for the Dominican Republic"),
        ("MH", "the record for the Marshall Islands"),
        ("BS", "the record for the Bahamas"),
        ("VA", "the record for the Holy See"),  # "Holy See (Vatican City State)", trimmed
        ("AN", "the record for the Netherlands Antilles"),  # a former country
        ("esa", "the ESA record"),  # operator scope without a label
    ],
)
def test_scope_record(scope: str, record: str) -> None:
    assert w.scope_words(scope).record == record


def test_country_table_covers_spacefaring_nations() -> None:
    assert len(w.COUNTRIES) >= 45
    for code, words in w.COUNTRIES.items():
        assert words.adjective, code
        assert words.noun, code
        assert words.place, code


def test_scope_people_phrases() -> None:
    us, world, women, lu = (w.scope_words(s) for s in ("US", "world", "women", "LU"))
    assert (us.no_one, us.by_whom, us.than_anyone) == (
        "no American",
        "by an American",
        "than any other American",
    )
    assert (world.no_one, world.by_whom, world.than_anyone) == (
        "no one",
        "by anyone",
        "than anyone else",
    )
    assert (women.no_one, women.by_whom, women.than_anyone) == (
        "no woman",
        "by a woman",
        "than any other woman",
    )
    assert (lu.no_one, lu.by_whom, lu.than_anyone) == (
        "no one from Luxembourg",
        "by anyone from Luxembourg",
        "than anyone else from Luxembourg",
    )
    ph = w.scope_words("PH")
    assert (ph.no_one, ph.rank_place) == ("no one from the Philippines", "in the Philippines")


def test_operator_scope_labels() -> None:
    labels = {"esa": "the European record", "vets": "the veterans' mark"}
    esa = w.scope_words("esa", labels)
    assert esa.record == "the European record"
    assert esa.by_whom == "by a European astronaut"
    assert esa.rank_place == "among European astronauts"
    vets = w.scope_words("vets", labels, {"vets": "veteran"})
    assert vets.record == "the veterans' mark"
    assert vets.no_one == "no veteran"
    assert (
        w.scopes_phrase(("world", "RU", "esa"), labels) == "the world, Russian and European records"
    )


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (("world",), "the world record"),
        (("world", "RU"), "the world and Russian records"),
        (("US", "women"), "the US record and the record for women"),
        (("world", "women", "US"), "the world and US records and the record for women"),
        (("women",), "the record for women"),
        (("LU", "women"), "the record for Luxembourg and the record for women"),
        ((), ""),
    ],
)
def test_scopes_phrase(scopes: tuple[str, ...], expected: str) -> None:
    assert w.scopes_phrase(scopes) == expected


def test_ranks_phrase() -> None:
    ranks = (
        Rank("world", "consecutive", 14, 600),
        Rank("US", "consecutive", 1, 350),
        Rank("world", "cumulative", 2, 600),
        Rank("US", "cumulative", 1, 350),
    )
    assert w.ranks_phrase(ranks, "cumulative") == "2nd in the world (1st in the US)"
    assert w.ranks_phrase(ranks, "consecutive") == "1st in the US"
    assert w.ranks_phrase(ranks, "consecutive", limit=20) == "14th in the world (1st in the US)"
    assert w.ranks_phrase((Rank("world", "cumulative", 40, 600),), "cumulative") == ""
    women = (Rank("world", "cumulative", 9, 600), Rank("women", "cumulative", 1, 70))
    assert w.ranks_phrase(women, "cumulative") == "9th in the world (1st among women)"


def test_dates_in_the_configured_zone() -> None:
    t = datetime(2015, 10, 29, 4, 5, 33, tzinfo=UTC)
    assert w.date_words(t) == "October 29, 2015"
    assert w.time_words(t) == "04:05 UTC"
    assert w.time_words(t, "Europe/Paris") == "05:05 CET"
    assert w.time_words(t, "America/New_York") == "00:05 EDT"
    assert w.date_words(t, "America/Los_Angeles") == "October 28, 2015"
    assert w.time_words(t, "Asia/Dubai") == "08:05 UTC+4"
    assert w.time_words(t, "Asia/Kolkata") == "09:35 IST"
    with pytest.raises(ValueError, match="unknown time zone"):
        w.date_words(t, "Mars/Olympus")


_UNITS = {"day": D, "hour": H, "minute": M, "second": 1}


@given(st.integers(0, 4000 * D))
def test_a_duration_is_never_more_nor_a_unit_less_than_the_truth(seconds: int) -> None:
    text = w.duration(seconds)
    assert not re.search(r"\b0 (days|hours|minutes)\b", text)
    parts = re.findall(r"([\d,]+) (day|hour|minute|second)s?", text)
    assert text == " ".join(f"{n} {u}{'' if n == '1' else 's'}" for n, u in parts)
    shown = sum(int(n.replace(",", "")) * _UNITS[u] for n, u in parts)
    step = H if seconds >= D else M if seconds >= M else 1  # hours, else minutes, else seconds
    assert shown <= seconds < shown + step  # floored, never rounded up
    if seconds >= D:
        assert parts[0][1] == "day"  # and the hours are there whenever there are any
        assert (seconds % D) // H == (int(parts[1][0]) if len(parts) > 1 else 0)


def test_every_country_of_the_bundled_history_has_its_words() -> None:
    # Regression: seven countries (Costa Rica, Peru, Iran, Panama, Nigeria, Saint Kitts
    # and Nevis, Cyprus) fell back to pycountry, whose database every preview of all
    # history then loaded (35 ms), and whose names are not the house style's.
    from bot.files.data import default_data_path, load_dataset

    codes = set()
    for person in load_dataset(default_data_path()).people:
        codes.update(person.countries)
        codes.update(f.flag for f in person.flights if f.flag)
    assert sorted(codes - set(w.COUNTRIES)) == []


@given(st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0xFB00), max_size=4))
@example("杨利伟")
@example("Yang")
@example("\u303f\u3100\u33ff\ua000\uabff\ud7b0\uf8ff\ufb00")  # just outside every range
def test_the_cjk_test_is_the_character_class_it_replaces(text: str) -> None:
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
    assert w._has_cjk(text) == (cjk.search(text) is not None)
