"""Length counters: each platform's own way of counting, and its reasons to refuse.

The platforms' conformance cases are in test_text_length_conformance.py; these are the
project's own examples, the operator-facing messages, and property tests.
"""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core import _entities, _tlds, text_length
from bot.core.text_length import COUNTERS, fits, measure, problem, x_length

NFD_NAME = unicodedata.normalize("NFD", "Michael López-Alegría")
URL = "https://www.nasa.gov/missions/station/iss-research/one-year-mission/"


@pytest.mark.parametrize(
    ("text", "x", "mastodon", "bluesky"),
    [
        ("Scott Kelly", 11, 11, 11),
        ("🚀", 2, 1, 1),
        ("👨‍🚀", 2, 1, 1),  # ZWJ sequence: one emoji, three code points
        ("🇺🇸", 2, 1, 1),  # a flag is two regional indicators
        ("杨利伟", 6, 3, 3),  # CJK counts double on X
        ("Michael López-Alegría", 21, 21, 21),
        (NFD_NAME, 21, 21, 21),  # combining accents: one grapheme each; X composes (NFC)
        (URL, 23, 23, len(URL)),  # X and Mastodon count every link as 23
        ("See nasa.gov today", 4 + 23 + 6, 18, 18),  # X also links bare domains
        ("Kelly.Today", 23, 11, 11),  # ... and .today is a TLD
        ("…", 2, 1, 1),  # the ellipsis is outside X's weight-1 ranges
        ("– — ’ “", 7, 7, 7),  # dashes and typographic quotes weigh 1
        ("© 2024 ®", 8, 8, 8),  # bare © and ® are no emoji for twitter-text: weight 1
        ("©\ufe0f", 2, 1, 1),  # with the emoji selector they are
        ("a\r\nb", 4, 3, 3),  # X weighs both code points; CR LF is one grapheme
        ("नमस्ते", 6, 3, 3),  # Unicode 15.1 conjuncts: 3 graphemes, as Bluesky counts
        ("@astro_kelly@mastodon.social hi", 31, 15, 31),  # Mastodon: @user only
    ],
)
def test_counts(text: str, x: int, mastodon: int, bluesky: int) -> None:
    assert (measure(text, "x"), measure(text, "mastodon"), measure(text, "bluesky")) == (
        x,
        mastodon,
        bluesky,
    )


def test_links_as_each_platform_sees_them() -> None:
    # Mastodon links need a scheme and a separation from the word before.
    assert measure(f"({URL}).", "mastodon") == 1 + 23 + 2
    assert measure(f"see{URL}", "mastodon") == 3 + len(URL)
    assert measure(f"see {URL}", "x") == 4 + 23
    # t.co slugs longer than 40 are no link on X.
    assert measure("https://t.co/" + "a" * 41, "x") == 13 + 41
    # A link longer than 4,096 characters is no link.
    long_link = "http://example.com/" + "a" * 4100
    assert measure(long_link, "x") == len(long_link)
    assert measure(long_link, "mastodon") == len(long_link)


def test_fits_at_the_exact_limit() -> None:
    text = "a" * 280
    assert fits(text, "x", 280)
    assert not fits(text + "b", "x", 280)
    assert fits("🚀" * 140, "x", 280)
    assert not fits("🚀" * 141, "x", 280)
    assert fits("🇺🇸" * 300, "bluesky", 300)
    assert not fits("🇺🇸" * 301, "bluesky", 300)
    assert fits("é" * 500, "mastodon", 500)
    assert fits(unicodedata.normalize("NFD", "é" * 500), "mastodon", 500)
    assert not fits("é" * 501, "mastodon", 500)


def test_fits_counts_links_on_x_and_mastodon() -> None:
    text = "x" * 250 + " " + URL
    assert fits(text, "x", 280)
    assert fits(text, "mastodon", 280)
    assert not fits(text, "bluesky", 280)


def test_bluesky_bytes_limit() -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    assert fits(family * 120, "bluesky", 300)  # 3,000 bytes
    assert problem(family * 121, "bluesky", 300) == "3,025 bytes, over Bluesky's 3,000 per post"


def test_problems_in_words() -> None:
    assert problem("a" * 312, "x", 280) == "312 weighted characters, over X's 280"
    assert problem("a" * 512, "mastodon", 500) == "512 characters, over Mastodon's 500"
    assert problem("a" * 312, "bluesky", 300) == "312 graphemes, over Bluesky's 300"
    assert problem("Launch at 12:00\ufffe", "x", 280) == (
        "invalid character U+FFFE at position 16 (X refuses it)"
    )
    assert problem(" \n", "x", 280) == "empty text (X takes no post without a visible character)"
    assert (
        problem(" ", "mastodon", 500) == "empty text (Mastodon takes no post without text or media)"
    )
    assert problem("a" * 280, "x", 280) is None


def test_directional_marks_are_valid_on_x() -> None:
    # twitter-text 3 dropped U+202A-U+202E from its invalid characters.
    assert fits("\u202aJAXA\u202c", "x", 280)
    assert fits("\u2066ISS\u2069", "x", 280)


def test_fits_agrees_with_measure_even_when_nfc_lengthens() -> None:
    qa = "\u0958"  # DEVANAGARI QA: a composition exclusion, two code points after NFC
    assert measure(qa * 3, "bluesky") == 3
    assert fits(qa * 3, "bluesky", 3)
    assert fits(qa * 3, "mastodon", 3)
    assert measure(qa * 3, "x") == 6


def test_graphemes_split() -> None:
    assert text_length.graphemes("a👨‍🚀é\r\n") == ["a", "👨‍🚀", "é", "\r\n"]


def test_unknown_counter() -> None:
    with pytest.raises(ValueError, match="unknown length counter"):
        measure("a", "tweets")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown length counter"):
        problem("a", "chars", 5)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------

_PLAIN = [*"abcXYZ019 .,:;'\"#@/-()!?\n\r", *"éñł–’日本ıЖשع한\u0301\u2028"]
_EMOJI_PARTS = [*"🚀©®™‼☀🇺🇸🏽👨", "\ufe0f", "\u200d", "\u20e3", "\U000e0067"]
_LINKISH = [
    "nasa.gov",
    "http://",
    "https://x.com/a",
    "t.co/",
    ".today",
    "@a@b.social",
    "://",
    ".ſe",
    ".РФ",
    ".xn--p1ai",
]
_texts = st.lists(st.sampled_from(_PLAIN + _EMOJI_PARTS + _LINKISH), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_texts)
@example("Kelly.Today")
@example("a" * 300)
def test_fast_paths_agree_with_the_full_rules(text: str) -> None:
    fast_x = text_length._x_fast(text)
    if fast_x is not None:
        assert fast_x == text_length.x_weighted_length(text)
    fast_m = text_length._mastodon_fast(text)
    if fast_m is not None:
        assert fast_m == text_length._mastodon_length(text, "")
    if text.isascii():
        assert text_length.grapheme_count(text) == text_length._grapheme_count(text)


@settings(max_examples=400, deadline=None)
@given(_texts, st.integers(min_value=0, max_value=400))
def test_fits_is_problem_is_none_and_agrees_with_measure(text: str, limit: int) -> None:
    for counter in COUNTERS:
        assert fits(text, counter, limit) == (problem(text, counter, limit) is None)
    if text.strip() and "\ufffe" not in text:
        assert fits(text, "x", limit) == (x_length(text) <= limit)
        assert fits(text, "mastodon", limit) == (measure(text, "mastodon") <= limit)
    if len(text.encode("utf-8")) <= 3000:
        assert fits(text, "bluesky", limit) == (measure(text, "bluesky") <= limit)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_nfc_equivalent_texts_measure_the_same_on_x(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert x_length(nfc) == x_length(nfd) == x_length(text)


_NO_ENTITIES = st.text(
    alphabet=st.sampled_from([*"abc XYZ019,;'\"-()!?\n", *"éñł–’日本ıЖשع한\u0301"]), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_NO_ENTITIES, _NO_ENTITIES)
def test_appending_never_shortens_a_text_without_links_mentions_or_emoji(a: str, b: str) -> None:
    # No "." (so no link), no "@" and no emoji: X's length is monotonic, and so is the
    # grapheme count (Bluesky, Mastodon) at worst by merging a combining mark.
    assert x_length(a + b) >= x_length(a)
    assert measure(a + b, "bluesky") >= measure(a, "bluesky")
    assert measure(a + b, "mastodon") >= measure(a, "mastodon")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_measured_without_error(text: str) -> None:
    for counter in COUNTERS:
        assert measure(text, counter) >= 0
        problem(text, counter, 10)


# -- the filters that let plain texts skip the full rules ----------------------------


def test_every_tld_is_word_characters() -> None:
    word = regex.compile(r"\w", regex.V0)
    assert all(word.match(c) for t in _tlds.GENERIC + _tlds.COUNTRY for c in t)
    # tld_after_a_dot skips a dot followed by ASCII that is not a letter or a digit.
    assert not any(t[0].isascii() and not t[0].isalnum() for t in _tlds.GENERIC + _tlds.COUNTRY)


def test_every_emoji_has_a_code_point_the_filter_looks_for() -> None:
    pattern = text_length._x_emoji_pattern()
    low = "".join(chr(c) for c in range(0x203C) if c not in (0xA9, 0xAE))
    assert pattern.search(low) is None
    assert pattern.search("#\u200d*0\u200d9#0\ufe0e") is None
    assert all(text_length._x_emoji_possible(m) for m in ("©\ufe0f", "1\u20e3", "\ufe0f"))
    assert not text_length._x_emoji_possible("")
    assert not text_length._x_emoji_possible("a\u203b")


@settings(max_examples=400, deadline=None)
@given(_texts)
@example("visit NASA.GOV")
@example("www.example.xn--p1ai")
def test_no_tld_after_a_dot_means_no_link(text: str) -> None:
    if "." in text and not _entities.tld_after_a_dot(text):
        assert list(_entities._extract_urls(text, _entities.X_URLS)) == []
        assert list(_entities._extract_urls(text, _entities.MASTODON_URLS)) == []


@given(st.text(max_size=40), st.integers(min_value=0, max_value=40))
@example("ab.ÄbC_9x", 3)
@example("a.comé", 2)
def test_the_word_run_after_a_dot_is_regexs_own(text: str, start: int) -> None:
    # tld_after_a_dot reads ASCII word characters itself (so a plain text never imports
    # the regex module); it must read exactly what regex's V0 \w{0,N} reads.
    start = min(start, len(text))
    longest = max(len(t) for t in _tlds.GENERIC + _tlds.COUNTRY)
    expected = regex.compile(rf"\w{{0,{longest}}}", regex.V0).match(text, start)
    assert _entities._word_run(text, start) == (expected.group() if expected else "")


def test_measuring_plain_text_with_accents_never_imports_regex() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bot.core import text_length as t\n"
        "text = 'Today Michael López-Alegría passed 215 days — Soyuz TMA-9. Done.'\n"
        "assert t.fits(text, 'x', 280)\n"
        "assert 'regex' not in sys.modules, 'imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@given(st.text(max_size=20))
@example("\u203c")
@example("\u203b")
def test_the_emoji_filter_is_the_character_class_it_replaces(text: str) -> None:
    import re

    expected = re.search("[\u00a9\u00ae\u203c-\U0010ffff]", text) is not None
    assert text_length._x_emoji_possible(text) == expected
