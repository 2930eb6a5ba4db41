"""Length counters: each platform's own way of counting characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from bot.core.text_length import COUNTERS, fits, measure, x_length

NFD_NAME = unicodedata.normalize("NFD", "Michael López-Alegría")
URL = "https://www.nasa.gov/missions/station/iss-research/one-year-mission/"


@pytest.mark.parametrize(
    ("text", "x", "graphemes", "chars"),
    [
        ("Scott Kelly", 11, 11, 11),
        ("🚀", 2, 1, 1),
        ("👨‍🚀", 2, 1, 3),  # ZWJ sequence: one emoji, three code points
        ("🇺🇸", 2, 1, 2),  # a flag is two regional indicators
        ("杨利伟", 6, 3, 3),  # CJK counts double on X
        ("Michael López-Alegría", 21, 21, 21),
        (NFD_NAME, 21, 21, 21),  # combining accents: NFC first, one grapheme each
        (URL, 23, len(URL), 23),  # X and Mastodon count every link as 23
        ("See nasa.gov today", 4 + 23 + 6, 18, 18),  # X also links bare domains
        ("…", 2, 1, 1),  # the ellipsis is outside X's weight-1 ranges
        ("– — ’ “", 7, 7, 7),  # dashes and typographic quotes weigh 1
    ],
)
def test_counts(text: str, x: int, graphemes: int, chars: int) -> None:
    assert measure(text, "x") == x
    assert measure(text, "bluesky") == graphemes
    assert measure(text, "mastodon") == chars


def test_nfd_is_longer_in_code_points_but_not_for_any_counter() -> None:
    assert len(NFD_NAME) == 23
    assert {c: measure(NFD_NAME, c) for c in COUNTERS} == {"x": 21, "bluesky": 21, "mastodon": 21}


def test_mastodon_url_trailing_punctuation_counts_apart() -> None:
    assert measure(f"({URL}).", "mastodon") == 1 + 23 + 2


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


def test_fits_agrees_with_measure_even_when_nfc_lengthens() -> None:
    qa = "\u0958"  # DEVANAGARI QA: a composition exclusion, two code points after NFC
    assert measure(qa * 3, "mastodon") == 6
    assert not fits(qa * 3, "mastodon", 5)
    assert fits(qa * 3, "bluesky", 3)


def test_unknown_counter() -> None:
    with pytest.raises(ValueError, match="unknown length counter"):
        measure("a", "tweets")  # type: ignore[arg-type]


_MIXED = [
    *"abcXYZ019 .,:;'\"#@/-()!?\n\r",
    *"éñł–’…日本。ıЖשع한\u0301\u2028\u3030\u3299",
]
_EMOJI_PARTS = [*"🚀©®™‼☀🇺🇸🏽👨", "\ufe0f", "\u200d", "\u20e3", "\U000e0067"]


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MIXED), max_size=40))
def test_x_shortcut_agrees_with_the_reference_parser(text: str) -> None:
    assert x_length(text) == parse_tweet(text).weightedLength


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MIXED + _EMOJI_PARTS), max_size=30))
def test_x_length_with_emoji_agrees_with_the_reference_parser(text: str) -> None:
    assert x_length(text) == parse_tweet(text).weightedLength
