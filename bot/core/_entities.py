"""Where X and Mastodon see links and mentions in a post: the entity extraction that
their length rules depend on.

Both platforms count a link as 23 characters however long it is, but only a link that
their own extractor finds.  The two extractors are the same code, twitter-text 3.1.0's
Ruby ``Extractor#extract_urls_with_indices`` (Twitter, Apache 2.0), run with two sets
of patterns:

* :data:`X_URLS`: twitter-text's own patterns (``rb/lib/twitter-text/regex.rb``,
  ``valid_url`` and its parts), links with or without ``http(s)://``;
* :data:`MASTODON_URLS`: the same patterns as Mastodon overrides them in
  ``config/initializers/twitter_regex.rb`` (more schemes, any non-space path
  character, Unicode query characters), links with a scheme only
  (``extract_url_without_protocol: false`` in ``StatusLengthValidator``).

Mastodon also shortens remote mentions (``@user@domain`` counts as ``@user``): see
:func:`mastodon_mentions` (Mastodon ``app/lib/extractor.rb`` and
``Account::MENTION_RE``).

Everything here is written from those rules, not translated line by line; indices are
code-point offsets into the text, as in Ruby.
"""

from __future__ import annotations

import re
import stringprep
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from bot.core import _tlds

if TYPE_CHECKING:
    import regex

# The ``regex`` module (Unicode properties, Ruby-like semantics) is imported when a
# pattern is first needed, not with this module: plain texts never need one (see
# :func:`tld_after_a_dot`), and importing it costs a command 7 ms.

# twitter-text Extractor: a link longer than this (with "https://" added when it has
# no scheme, and its host in punycode) is not a link; t.co slugs are at most 40 long.
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_SCHEME_LENGTH = len("https://")
# Mastodon Extractor::MAX_DOMAIN_LENGTH: a mention whose domain is longer is no mention.
MAX_MENTION_DOMAIN_LENGTH = 253


# -- character sets of twitter-text's regex.rb ---------------------------------------
_UNICODE_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
# PUNCTUATION_CHARS as Ruby reads it: the backslash is not among them.
_PUNCTUATION = r"""!"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"""
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
# regex.rb defines latin_accents without /i; embedded elsewhere it keeps that.
_LATIN_ACCENTS_RUN = f"(?-i:[{_LATIN_ACCENTS}]+)"

# A character that may be part of a domain label: anything but punctuation, spaces,
# controls, directional marks and invalid characters (so also letters of any script).
_SPACE_AND_CONTROL = " \t\n\x0b\f\r\x00-\x1f\x7f"
_DOMAIN_CHAR = (
    f"[^{_DIRECTIONAL}{_PUNCTUATION}{_SPACE_AND_CONTROL}{INVALID_CHARACTERS}{_UNICODE_SPACES}]"
)
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_TLD_END = "(?=[^0-9a-z@+-]|$)"
_GTLD = f"(?:(?:{'|'.join(map(re.escape, _tlds.GENERIC))}){_TLD_END})"
_CCTLD = f"(?:(?:{'|'.join(map(re.escape, _tlds.COUNTRY))}){_TLD_END})"
_PUNYCODE = "(?:xn--[0-9a-z]+)"
_TLD = f"(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}{_TLD})"
_ASCII_DOMAIN = f"(?:(?:[a-z0-9\\-_]|{_LATIN_ACCENTS_RUN})+\\.)+{_TLD}"
_PRECEDING = f"(?:[^A-Z0-9@\uff20$#\uff03{INVALID_CHARACTERS}]|[{_DIRECTIONAL}]|^)"
_PORT = "[0-9]+"


def _balanced_parens(path_char: str) -> str:
    """A parenthesised path part, one nested level allowed (``/Primer_(film)``)."""
    return f"(?:\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\))"


def _path(path_char: str, parens: str, ending: str) -> str:
    return f"(?:(?:{path_char}*(?:{parens}{path_char}*)*{ending})|(?:{path_char}+/))"


def _url_pattern(schemes: str, path: str, query_char: str, query_end: str) -> str:
    """twitter-text's ``valid_url``: groups before, url, scheme, domain, port, path, query."""
    return (
        f"(?P<before>{_PRECEDING})"
        f"(?P<url>(?P<scheme>(?:{schemes})://)?(?P<domain>{_DOMAIN})"
        f"(?::(?P<port>{_PORT}))?(?P<path>/{path}*)?(?P<query>\\?{query_char}*{query_end})?)"
    )


# twitter-text's own path and query rules.
_TT_PATH_CHAR = f"[a-z\\p{{Script=Cyrillic}}0-9!*';:=+,.$/%#\\[\\]\\p{{Pd}}_~&|@{_LATIN_ACCENTS}]"
_TT_PARENS = _balanced_parens(_TT_PATH_CHAR)
_TT_PATH_END = f"(?:[a-z\\p{{Script=Cyrillic}}0-9=_#/+\\-{_LATIN_ACCENTS}]|{_TT_PARENS})"
_TT_QUERY_CHAR = r"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]"
_TT_QUERY_END = r"[a-z0-9_&=#/\-]"
_TT_URL = _url_pattern(
    "https?", _path(_TT_PATH_CHAR, _TT_PARENS, _TT_PATH_END), _TT_QUERY_CHAR, _TT_QUERY_END
)
# A t.co link is its slug only; the Java and JS libraries keep a query after it, the
# Ruby gem (Mastodon's) does not.
_TCO_WITH_QUERY = f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_TT_QUERY_CHAR}*{_TT_QUERY_END})?"
_TCO_SLUG_ONLY = r"^https?://t\.co/([a-z0-9]+)"

# Mastodon's overrides (config/initializers/twitter_regex.rb).  Its path-ending rule
# was written before it replaced the parentheses rule, so it embeds twitter-text's.
_UCHARS = (
    "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_M_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_M_PATH_END = f"(?:[^\\p{{White_Space}}()?!*\"'\u300c\u300d<>;:=,.$%\\[\\]~&|@]|{_TT_PARENS})"
_M_PARENS = _balanced_parens(_M_PATH_CHAR)
_M_URL = _url_pattern(
    "https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini",
    _path(_M_PATH_CHAR, _M_PARENS, _M_PATH_END),
    f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@\\^{_UCHARS}]",
    f"[a-z0-9_&=#/\\-{_UCHARS}]",
)

_NO_SCHEME_BAD_BEFORE = r"[-_./]$"  # flags "v0-lines"

# Mastodon Account::MENTION_RE (USERNAME_RE is case-insensitive, [[:word:]] is
# Letter | Mark | Decimal_Number | Connector_Punctuation in Ruby).
_WORD = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"
_MENTION = (  # flags "v0"
    f"(?<![=/{_WORD[1:-1]}])@(?P<name>(?P<user>(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*))"
    f"(?:@(?P<domain>{_WORD}+(?:[.-]+{_WORD}+)*))?)"
)
# twitter-text end_mention_match: no mention when followed by these (Ruby's /i).
_MENTION_END_BAD = f"(?:[@\uff20]|{_LATIN_ACCENTS_RUN}|://)"


@dataclass(frozen=True)
class UrlRules:
    """One platform's link extractor: its ``valid_url`` pattern and its options."""

    name: str
    pattern: str
    tco_pattern: str
    without_scheme: bool  # twitter-text's extract_url_without_protocol
    allow_unassigned: bool  # IDNA: Java's IDN.ALLOW_UNASSIGNED (X) or libidn's default

    @property
    def compiled(self) -> regex.Pattern[str]:
        return _compile(self.pattern)

    @property
    def tco(self) -> regex.Pattern[str]:
        return _compile(self.tco_pattern)


Flags = Literal["ruby", "v0", "v0-lines"]


@cache
def _compile(pattern: str, flags: Flags = "ruby") -> regex.Pattern[str]:
    """``pattern`` compiled on first use, not at import (the TLD alternation is large):
    with Ruby's /i and per-line ^ $ (``ruby``), or regex's V0 alone (``v0``) or with
    per-line ^ $ (``v0-lines``)."""
    import regex

    return regex.compile(
        pattern,
        {
            "ruby": regex.V0 | regex.IGNORECASE | regex.MULTILINE,
            "v0": regex.V0,
            "v0-lines": regex.V0 | regex.MULTILINE,
        }[flags],
    )


# X: twitter-text's rules.  Hosts go through IDNA as Java's IDN.toASCII does with
# ALLOW_UNASSIGNED (twitter-text Java ``Extractor.isValidHostAndLength``), X being a
# Java service.
X_URLS = UrlRules("x", _TT_URL, _TCO_WITH_QUERY, without_scheme=True, allow_unassigned=True)
# Mastodon: links with a scheme only; Ruby's IDN::Idna.toASCII (libidn, no flags)
# refuses code points unassigned in Unicode 3.2.
MASTODON_URLS = UrlRules(
    "mastodon", _M_URL, _TCO_SLUG_ONLY, without_scheme=False, allow_unassigned=False
)


def punycode_length(domain: str, *, allow_unassigned: bool) -> int | None:
    """The length of ``domain`` after IDNA ToASCII (RFC 3490), or None when it fails
    (a label empty or longer than 63 after encoding, a prohibited character...)."""
    try:
        encoded = domain.encode("idna")  # Python's codec: IDNA 2003, unassigned allowed
    except UnicodeError:
        return None
    if not allow_unassigned and any(stringprep.in_table_a1(c) for c in domain):
        return None
    return len(encoded) or None


def _valid_length(url_length: int, domain: str, has_scheme: bool, rules: UrlRules) -> bool:
    """twitter-text ``is_valid_domain``: the host encodes, and the link is not too long."""
    encoded = punycode_length(domain, allow_unassigned=rules.allow_unassigned)
    if encoded is None:
        return False
    url_length += max(0, encoded - len(domain))
    if not has_scheme:
        url_length += _DEFAULT_SCHEME_LENGTH
    return url_length <= MAX_URL_LENGTH


def extract_urls(text: str, rules: UrlRules) -> list[tuple[int, int]]:
    """The (start, end) offsets of the links ``rules`` finds in ``text``, in order."""
    quick = "." if rules.without_scheme else ":"  # no link without one (twitter-text)
    if quick not in text or not tld_after_a_dot(text):
        return []
    return list(_extract_urls(text, rules))


_TLD_KEYS = frozenset(t.casefold() for t in _tlds.GENERIC + _tlds.COUNTRY)
_TLD_LENGTHS = sorted({len(t) for t in _TLD_KEYS})
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _word_run(text: str, start: int) -> str:
    r"""regex's ``\w{0,N}`` at ``start`` (N: the longest TLD); every TLD is made of word
    characters (tests check it), so one starts such a run.  ASCII is read here (regex's
    V0 ``\w`` on ASCII is exactly ``[A-Za-z0-9_]``), anything else by regex itself."""
    longest = _TLD_LENGTHS[-1]
    end = start
    stop = min(len(text), start + longest)
    while end < stop and text[end] in _ASCII_WORD:
        end += 1
    if end == stop or text[end].isascii():
        return text[start:end]
    run = _compile(rf"\w{{0,{longest}}}", "v0").match(text, start)
    return run.group() if run else ""


def tld_after_a_dot(text: str) -> bool:
    """Whether some "." in ``text`` is followed by a known TLD or ``xn--`` (ignoring
    case), which every link of both extractors has.  A cheap, safe filter: False means
    that no link can be found; True that one may be."""
    dot = text.find(".")
    while dot != -1:
        after_dot = text[dot + 1 : dot + 2]
        if not after_dot or (after_dot.isascii() and not after_dot.isalnum()):
            # The end, a space or ASCII punctuation (a sentence's end): no TLD starts here.
            dot = text.find(".", dot + 1)
            continue
        head = text[dot + 1 : dot + 5]
        if head.casefold() == "xn--" or len(head.casefold()) != len(head):
            return True  # punycode, or a character folding to several: full rule decides
        after = _word_run(text, dot + 1)
        folded = after.casefold()
        if len(folded) != len(after):
            return True
        if any(folded[:n] in _TLD_KEYS for n in _TLD_LENGTHS if n <= len(folded)):
            return True
        dot = text.find(".", dot + 1)
    return False


def _extract_urls(text: str, rules: UrlRules) -> Iterator[tuple[int, int]]:
    for m in rules.compiled.finditer(text):
        start, end = m.span("url")
        url, domain = m.group("url"), m.group("domain")
        if not m.group("scheme"):
            bad_before = _compile(_NO_SCHEME_BAD_BEFORE, "v0-lines")
            if not rules.without_scheme or bad_before.search(m.group("before")):
                continue
            # Without a scheme only ASCII(-and-Latin) host names count, one link each;
            # the last one takes the path with it.
            last: list[int] | None = None
            for ascii_host in _ascii_domains().finditer(domain):
                if _valid_length(len(url), ascii_host.group(), False, rules):
                    if last is not None:
                        yield last[0], last[1]
                    last = [start + ascii_host.start(), start + ascii_host.end()]
            if last is None:
                continue
            if m.group("path"):
                last[1] = end
            yield last[0], last[1]
        else:
            tco = rules.tco.search(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group()
                end = start + len(url)
            if _valid_length(len(url), domain, True, rules):
                yield start, end


def _ascii_domains() -> regex.Pattern[str]:
    return _compile(_ASCII_DOMAIN)


def mastodon_mentions(text: str) -> list[tuple[int, int, str]]:
    """Mastodon's mentions in ``text``: (start, end, username) for ``@user[@domain]``.

    Mastodon ``Extractor.extract_mentions_or_lists_with_indices``: ``Account::MENTION_RE``
    matches not followed by ``@``, a Latin accent or ``://``, and whose domain is at
    most 253 characters long.
    """
    if "@" not in text:
        return []
    found = []
    mention, end_bad = _compile(_MENTION, "v0"), _compile(_MENTION_END_BAD)
    for m in mention.finditer(text):
        if end_bad.match(text, m.end()):
            continue
        domain = m.group("domain")
        if domain and len(domain) > MAX_MENTION_DOMAIN_LENGTH:
            continue
        found.append((m.start(), m.end(), m.group("user")))
    return found


def remove_overlapping(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """twitter-text ``remove_overlapping_entities``: by start, dropping any entity that
    begins before the previous kept one ends."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: s[0]):
        if kept and kept[-1][1] > span[0]:
            continue
        kept.append(span)
    return kept
