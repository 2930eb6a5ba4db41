"""How long a text is, as each platform counts it.

Three counters:

``x``
    X's weighted length (``twitter-text``): most Latin, Greek and Cyrillic
    characters count 1; CJK characters and emoji count 2; every URL counts 23,
    however long or short it is.  Text is NFC-normalised first, so a name typed
    with combining accents ("López" as ``o`` + U+0301) counts like the composed one.
``bluesky``
    Bluesky's count: user-perceived characters (grapheme clusters), so a flag,
    a ZWJ emoji sequence or a letter with combining accents each count 1.
``mastodon``
    Mastodon's count, on the safe side: Unicode code points after NFC (never fewer
    than Mastodon's grapheme count), with every ``http(s)://`` link counted as
    23, as Mastodon does.

The X counter is the slow one (the reference parser runs an emoji regular expression
over every text, about 1 ms a call), so texts with nothing that could be read as a
link or be part of an emoji take an exact shortcut: each code point weighs 1 or 2 by
X's published ranges.  Anything else goes through the reference parser, memoised.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal, get_args

import grapheme
from twitter_text import parse_tweet

Counter = Literal["x", "mastodon", "bluesky"]
COUNTERS: tuple[Counter, ...] = get_args(Counter)

# Mastodon counts every link as this many characters, whatever its real length.
URL_LENGTH = 23

# X weighs 1 for code points in these ranges and 2 for all others...
_X_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
# ... except that an emoji counts 2 however many code points it has, and that
# (c) and (r) are emoji though they sit in a weight-1 range.  Texts with any code
# point that can start or join an emoji sequence take the exact road.
_X_EMOJI_RISK = re.compile("[\u00a9\u00ae\u200d\u20e3\ufe0e\ufe0f\r\U0001f000-\U0010ffff]")
# Anything the URL extractor might take for a link: "://", or a dot followed by a
# non-space ("nasa.gov", "Kelly.Today").  Texts with one take the exact road too.
_X_LINKISH = re.compile(r"://|\.[^\s.]")
_MASTODON_URL = re.compile(r"https?://\S+")
_URL_TRAILING = ".,;:!?)]}'\"»”’"


def measure(text: str, counter: Counter) -> int:
    """The length of ``text`` as the platform using ``counter`` counts it."""
    if counter == "x":
        return x_length(text)
    if counter == "bluesky":
        return int(grapheme.length(text))
    if counter == "mastodon":
        return _chars_length(text)
    raise ValueError(f"unknown length counter {counter!r}: use one of {', '.join(COUNTERS)}")


_UNITS = {"x": "weighted characters", "mastodon": "characters", "bluesky": "graphemes"}


def problem(text: str, counter: Counter, limit: int) -> str | None:
    """Why the platform using ``counter`` would refuse ``text`` within ``limit``, or None."""
    if fits(text, counter, limit):
        return None
    return f"{measure(text, counter):,} {_UNITS[counter]}, over the limit of {limit:,}"


def fits(text: str, counter: Counter, limit: int) -> bool:
    """Whether ``text`` fits a platform limit of ``limit`` under ``counter``."""
    if counter == "mastodon":
        # Cheap bound first (NFC can lengthen a few non-ASCII texts, so ASCII only).
        if len(text) <= limit and text.isascii() and "://" not in text:
            return True
    elif counter == "bluesky" and len(text) <= limit:
        return True  # a grapheme is at least one code point
    return measure(text, counter) <= limit


def x_length(text: str) -> int:
    """X's weighted length (see the module docstring)."""
    if _X_LINKISH.search(text) or _X_EMOJI_RISK.search(text):
        return _x_length_exact(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return len(text) + len(_X_HEAVY.findall(text))


@lru_cache(maxsize=8192)
def _x_length_exact(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


def _chars_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = len(text)
    for match in _MASTODON_URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        total += URL_LENGTH - len(url)
    return total
