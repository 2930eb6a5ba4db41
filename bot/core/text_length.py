"""How long a post is, and whether a platform would take it, as each platform counts.

One counter per platform rule:

``x``
    X's weighted length, twitter-text v3 (``config/v3.json``, twitter-text 3.1.0,
    Twitter, Apache 2.0): the text is NFC-normalised; each code point weighs 1 in the
    ranges U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F, U+2032-U+2037 and 2 elsewhere;
    every link twitter-text's extractor finds counts 23, with or without ``https://``
    (``nasa.gov`` is a link, and so is ``Kelly.Today``: ``.today`` is a TLD); each
    emoji twitter-text recognises counts 2 however many code points it has.  A post
    with U+FFFE, U+FEFF or U+FFFF is refused, and so is one with nothing but spaces.
``mastodon``
    Mastodon's ``StatusLengthValidator``: grapheme clusters, after replacing each link
    Mastodon would turn into a link by 23 characters and each ``@user@domain`` by
    ``@user``.  A link glued to the word before it, or longer than 4,096 characters,
    is no link and counts in full.  A blank post is refused.
``bluesky``
    The ``app.bsky.feed.post`` lexicon: at most 300 grapheme clusters and at most
    3,000 UTF-8 bytes.  :func:`measure` gives the graphemes.

Grapheme clusters are Unicode's extended clusters as implemented by the ``regex``
module (15.1 rules or later: नमस्ते is 3, as on Bluesky).

Speed: the renderer calls :func:`fits` thousands of times.  Each counter has an exact
fast path for plain texts (``_*_fast``, returning ``None`` when the text needs the
full rule); the full rules are memoised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal, get_args

from bot.core import _entities, _x_emoji

if TYPE_CHECKING:
    import regex

Counter = Literal["x", "mastodon", "bluesky"]
COUNTERS: tuple[Counter, ...] = get_args(Counter)

# Every platform counts a link as this many characters.
URL_LENGTH = 23
# app.bsky.feed.post "text": maxLength (UTF-8 bytes) and maxGraphemes.
BLUESKY_MAX_BYTES = 3000
BLUESKY_MAX_GRAPHEMES = 300


@cache
def _grapheme() -> regex.Pattern[str]:
    """One extended grapheme cluster (the ``regex`` module, imported on first need: an
    ASCII text never needs it)."""
    import regex

    return regex.compile(r"\X", regex.V1)


@dataclass(frozen=True)
class XConfig:
    """A twitter-text weighting configuration (``config/v*.json``)."""

    max_weighted_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    emoji_parsing: bool
    ranges: tuple[tuple[int, int, int], ...]  # (first, last, weight), first match wins

    def weight(self, code_point: int) -> int:
        for first, last, weight in self.ranges:
            if first <= code_point <= last:
                return weight
        return self.default_weight


# twitter-text config/v3.json, the one X uses.
X_V3 = XConfig(
    max_weighted_length=280,
    scale=100,
    default_weight=200,
    transformed_url_length=23,
    emoji_parsing=True,
    ranges=((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100)),
)
# Code points outside X_V3's weight-1 ranges.
_X_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_X_INVALID = re.compile(f"[{_entities.INVALID_CHARACTERS}]")
_JAVA_TRIM = "".join(map(chr, range(0x21)))  # Java String.trim() strips these


def _x_emoji_possible(text: str) -> bool:
    """Whether ``text`` has ©, ® or a code point from U+203C on: every emoji twitter-text
    knows has one (tests/test_text_length.py checks it against the table).  Not a
    regex: a class up to U+10FFFF takes 6 ms to compile."""
    return bool(text) and ("\u00a9" in text or "\u00ae" in text or max(text) >= "\u203c")


# -- public interface ------------------------------------------------------------------


def measure(text: str, counter: Counter) -> int:
    """The length of ``text`` as the platform of ``counter`` counts it."""
    if counter == "x":
        return x_length(text)
    if counter == "mastodon":
        return mastodon_length(text)
    if counter == "bluesky":
        return grapheme_count(text)
    raise ValueError(f"unknown length counter {counter!r}: use one of {', '.join(COUNTERS)}")


def problem(text: str, counter: Counter, limit: int) -> str | None:
    """Why the platform of ``counter`` would refuse ``text`` under a limit of ``limit``,
    in words for an operator; ``None`` when it would take it."""
    if counter == "x":
        return _x_problem(text, limit)
    if counter == "mastodon":
        return _mastodon_problem(text, limit)
    if counter == "bluesky":
        return _bluesky_problem(text, limit)
    raise ValueError(f"unknown length counter {counter!r}: use one of {', '.join(COUNTERS)}")


def fits(text: str, counter: Counter, limit: int) -> bool:
    """Whether the platform would take ``text``: exactly ``problem(...) is None``."""
    return problem(text, counter, limit) is None


def graphemes(text: str) -> list[str]:
    """``text`` cut into grapheme clusters (the units Bluesky and Mastodon count)."""
    return list(_grapheme().findall(text))


def grapheme_count(text: str) -> int:
    """The number of extended grapheme clusters in ``text`` (Unicode UAX #29)."""
    if text.isascii():
        return len(text) - text.count("\r\n")  # the only ASCII cluster of two
    return _grapheme_count(text)


@lru_cache(maxsize=8192)
def _grapheme_count(text: str) -> int:
    return sum(1 for _ in _grapheme().finditer(text))


# -- X ---------------------------------------------------------------------------------


def x_length(text: str) -> int:
    """X's weighted length of ``text`` (twitter-text ``parseTweet`` with config v3)."""
    fast = _x_fast(text)
    return fast if fast is not None else x_weighted_length(text, X_V3)


def _x_fast(text: str) -> int | None:
    """The weighted length of an ASCII text with no possible link, else None.

    Exact: ASCII is NFC already, holds no emoji (every emoji sequence twitter-text
    knows has a non-ASCII code point) and weighs 1 a character.
    """
    if text.isascii() and not _entities.tld_after_a_dot(text):
        return len(text)
    return None


def x_weighted_length(text: str, config: XConfig = X_V3) -> int:
    """twitter-text ``parseTweet``'s ``weightedLength`` under ``config``.

    NFC first; then, left to right, a link found by the extractor weighs
    ``transformed_url_length``, an emoji (when ``emoji_parsing``) the default weight,
    any other code point its range's weight; the sum is divided by ``scale``.
    """
    return _x_weighted_length(text, config)


@lru_cache(maxsize=8192)
def _x_weighted_length(text: str, config: XConfig) -> int:
    text = unicodedata.normalize("NFC", text)
    starts: dict[int, tuple[int, int]] = {}
    url_weight = config.transformed_url_length * config.scale
    if config.emoji_parsing and _x_emoji_possible(text):
        for m in _x_emoji_pattern().finditer(text):
            starts[m.start()] = (m.end(), config.default_weight)
    for start, end in _entities.extract_urls(text, _entities.X_URLS):
        starts[start] = (end, url_weight)  # a link wins over an emoji at the same place
    total = 0
    offset = 0
    plain_from = 0
    for start in sorted(starts):
        if start < offset:
            continue  # inside a link or emoji already counted
        total += _weigh(text[plain_from:start], config)
        offset, weight = starts[start]
        total += weight
        plain_from = offset
    total += _weigh(text[plain_from:], config)
    return total // config.scale


def _weigh(plain: str, config: XConfig) -> int:
    if config is X_V3 or config == X_V3:
        return 100 * (len(plain) + len(_X_HEAVY.findall(plain)))
    return sum(config.weight(ord(c)) for c in plain)


@lru_cache(maxsize=1)
def _x_emoji_pattern() -> re.Pattern[str]:
    # The standard engine: this pattern needs nothing more, and it runs it twice as fast.
    return re.compile(_x_emoji.PATTERN, re.IGNORECASE if _x_emoji.FLAGS_IGNORECASE else 0)


def x_invalid_character(text: str) -> tuple[int, str] | None:
    """The first character twitter-text refuses (U+FFFE, U+FEFF, U+FFFF) and its
    0-based position in ``text``, or None."""
    m = _X_INVALID.search(text)
    return (m.start(), m.group()) if m else None


def _x_problem(text: str, limit: int) -> str | None:
    if text.isascii():
        fast = _x_fast(text)
        if fast is not None and 0 < fast <= limit and text.strip(_JAVA_TRIM):
            return None
    if not text.strip(_JAVA_TRIM):
        return "empty text (X takes no post without a visible character)"
    invalid = x_invalid_character(text)
    if invalid:
        position, char = invalid
        return f"invalid character U+{ord(char):04X} at position {position + 1} (X refuses it)"
    length = x_length(text)
    if length > limit:
        return f"{length:,} weighted characters, over X's {limit:,}"
    return None


# -- Mastodon --------------------------------------------------------------------------

_URL_PLACEHOLDER = "x" * URL_LENGTH


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Mastodon ``StatusLengthValidator``'s count of a status (its content warning
    ``spoiler_text`` counts too)."""
    fast = _mastodon_fast(text)
    if fast is not None and not spoiler_text:
        return fast
    return _mastodon_length(text, spoiler_text)


def _mastodon_fast(text: str) -> int | None:
    """The count of a text with no link scheme (``://``) and no ``@``, else None."""
    if "://" in text or "@" in text:
        return None
    if _blank(text):
        return 0
    return grapheme_count(text)


@lru_cache(maxsize=8192)
def _mastodon_length(text: str, spoiler_text: str) -> int:
    return grapheme_count(spoiler_text + _mastodon_countable_text(text))


def _mastodon_countable_text(text: str) -> str:
    """``StatusLengthValidator#countable_text``: links become 23 x's, remote mentions
    their ``@user`` part; overlapping entities keep the first."""
    if _blank(text):
        return ""
    spans = [(s, e, "") for s, e in _entities.extract_urls(text, _entities.MASTODON_URLS)]
    spans += _entities.mastodon_mentions(text)
    out: list[str] = []
    last = 0
    for start, end, user in _entities.remove_overlapping(spans):
        out.append(text[last:start])
        out.append("@" + user if user else _URL_PLACEHOLDER)
        last = end
    out.append(text[last:])
    return "".join(out)


def x_links_as(text: str, token: str) -> str:
    """``text`` with every link X would wrap in t.co (twitter-text's extraction) replaced
    by ``token``: how a tweet sent compares with the tweet X gives back."""
    if "." not in text:
        return text
    out: list[str] = []
    last = 0
    for start, end in _entities.extract_urls(text, _entities.X_URLS):
        out += [text[last:start], token]
        last = end
    out.append(text[last:])
    return "".join(out)


def mastodon_short_mentions(text: str) -> str:
    """``text`` with each remote mention ``@user@domain`` as ``@user``: what Mastodon
    counts, and what a status shows of a mention whose account the instance knows."""
    if "@" not in text:
        return text
    out: list[str] = []
    last = 0
    for start, end, user in _entities.mastodon_mentions(text):
        out += [text[last:start], "@" + user]
        last = end
    out.append(text[last:])
    return "".join(out)


def _blank(text: str) -> bool:
    """Ruby on Rails ``String#blank?``: empty or only whitespace."""
    return not text or text.isspace()


def _mastodon_problem(text: str, limit: int) -> str | None:
    if _blank(text):
        return "empty text (Mastodon takes no post without text or media)"
    if "://" not in text and "@" not in text and len(text) <= limit:
        return None  # a grapheme has at least one code point
    length = mastodon_length(text)
    if length > limit:
        return f"{length:,} characters, over Mastodon's {limit:,}"
    return None


# -- Bluesky ---------------------------------------------------------------------------


def utf8_length(text: str) -> int:
    """UTF-8 bytes of ``text`` (a lone surrogate counts 3, as the JS encoder's U+FFFD)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _bluesky_problem(text: str, limit: int) -> str | None:
    if len(text) <= limit and len(text) * 4 <= BLUESKY_MAX_BYTES:
        return None  # graphemes <= code points; bytes <= 4 a code point
    reasons = []
    count = grapheme_count(text)
    if count > limit:
        reasons.append(f"{count:,} graphemes, over Bluesky's {limit:,}")
    size = utf8_length(text)
    if size > BLUESKY_MAX_BYTES:
        reasons.append(f"{size:,} bytes, over Bluesky's {BLUESKY_MAX_BYTES:,} per post")
    return "; ".join(reasons) or None
