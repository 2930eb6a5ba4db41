"""Words for posts: durations, numbers, names and scopes, as an editor would write them.

Pure functions, no clock and no I/O.  House style (close to AP's, stated once here):

* thousands separators in numbers: "1,111 days";
* durations, one rule everywhere (:func:`duration`): a day or more is days and hours
  ("373 days 20 hours"), under a day hours and minutes ("1 hour 48 minutes"), under an
  hour minutes ("10 minutes"); each part floored, a zero part left out ("215 days",
  "2 hours"), never "0 hours".  Never rounded up past the true value, and never a whole
  number of days lower than the one an agency announces (Roscosmos said 374 days for
  Kononenko's 373 d 20 h; the post says "373 days 20 hours"), because the hours are shown;
* whole years are spelled out where a number of days is a round number of years:
  365 days is "one year", 730 days "two years" (round-number milestones, exact);
* lists have no serial comma: "A, B and C";
* possessives: "'s", except after a final s, which takes a bare apostrophe
  (AP): "Scott Kelly's", "Thomas Reiter's", "Jeffrey Williams'";
* "the US record" (no periods), "the Russian record", "the record for women";
* countries as they were: "the Soviet record" (to 1991), "East German", "West German"
  (to 3 October 1990), "Czechoslovakia" (to 1992);
* a sentence never starts with a lowercase letter: "De Vries' total" (:func:`capitalize`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.milestone import Rank

DAY = 86_400
HOUR = 3_600
MINUTE = 60

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


# --------------------------------------------------------------------------- numbers


def number(n: int) -> str:
    """``1111`` -> ``"1,111"``."""
    return f"{n:,}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "day")`` -> ``"1 day"``; ``plural(1111, "day")`` -> ``"1,111 days"``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``2`` -> ``"2nd"``, ``11`` -> ``"11th"``, ``22`` -> ``"22nd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{number(n)}{suffix}"


# --------------------------------------------------------------------------- durations


def duration(seconds: int) -> str:
    """A duration by the house rule: ``"373 days 20 hours"``, ``"215 days"``, ``"1 day 1 hour"``,
    ``"1 hour 48 minutes"``, ``"2 hours"``, ``"10 minutes"`` (each part floored, a zero part
    left out); under a minute, seconds."""
    seconds = max(seconds, 0)
    if seconds < MINUTE:
        return plural(seconds, "second")
    if seconds >= DAY:
        big, small = divmod(seconds // HOUR, 24)
        units = ("day", "hour")
    else:
        big, small = divmod(seconds // MINUTE, 60)
        units = ("hour", "minute")
    if big == 0:
        return plural(small, units[1])
    if small == 0:
        return plural(big, units[0])
    return f"{plural(big, units[0])} {plural(small, units[1])}"


def days_hours(seconds: int) -> str:
    """:func:`duration` (the name fields and callers have used since records had hours)."""
    return duration(seconds)


def days(seconds: int) -> str:
    """:func:`duration` too: a whole number of days alone could be lower than the one an
    agency announces (373 days for Roscosmos' 374), so hours are always shown."""
    return duration(seconds)


def whole_days(seconds: int) -> str:
    """Whole days, floored, for a chart's scale (never a post): ``"215 days"``."""
    return plural(max(seconds, 0) // DAY, "day")


def round_days(count: int) -> str:
    """A round number of days as people say it: ``365`` -> ``"one year"``,
    ``730`` -> ``"two years"``, ``300`` -> ``"300 days"``, ``1000`` -> ``"1,000 days"``."""
    years, rest = divmod(count, 365)
    if rest == 0 and 1 <= years < len(_SMALL):
        return f"{_SMALL[years]} year" + ("s" if years > 1 else "")
    return plural(count, "day")


# --------------------------------------------------------------------------- names


def join(items: Iterable[str]) -> str:
    """``["A"]`` -> ``"A"``, ``["A", "B"]`` -> ``"A and B"``,
    ``["A", "B", "C"]`` -> ``"A, B and C"`` (no serial comma)."""
    seq = [i for i in items if i]
    if len(seq) <= 1:
        return "".join(seq)
    return f"{', '.join(seq[:-1])} and {seq[-1]}"


def possessive(name: str) -> str:
    """``"Scott Kelly's"``, ``"Thomas Reiter's"``; after a final s only an apostrophe
    (AP style): ``"Jeffrey Williams'"``."""
    name = name.rstrip()
    if not name:
        return name
    return name + ("'" if name[-1] in "sS" else "'s")


# Family name first in these countries' names as usually written in English.
_FAMILY_NAME_FIRST = frozenset({"CN", "TW", "HK", "MO", "KR", "KP"})
_PARTICLES = frozenset(
    {"de", "da", "das", "do", "dos", "di", "du", "del", "della", "der", "den", "van", "von", "le"}
    | {"la", "bin", "ibn", "al", "el", "ter", "ten", "zu", "st.", "mac"}
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"})
# Kana, CJK ideographs, Hangul, CJK compatibility ideographs (ranges, not a regex
# character class: that one took 3 ms to compile in every command).
_CJK = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))


def _has_cjk(text: str) -> bool:
    return not text.isascii() and any(lo <= ord(c) <= hi for c in text for lo, hi in _CJK)


def short_name(name: str, country: str = "") -> str:
    """The name for a second mention: the family name.

    ``"Scott Kelly"`` -> ``"Kelly"``, ``"Frank De Winne"`` -> ``"De Winne"``,
    ``"Charles Conrad Jr."`` -> ``"Conrad"``, ``"Yang Liwei"`` (CN) -> ``"Yang"``;
    names written without spaces (``"杨利伟"``) stay whole.
    """
    tokens = name.replace(",", " ").split()
    while len(tokens) > 1 and tokens[-1].lower() in _SUFFIXES:
        tokens.pop()
    if len(tokens) <= 1:
        return " ".join(tokens) or name
    if country.upper() in _FAMILY_NAME_FIRST or _has_cjk(tokens[0]):
        return tokens[0]
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(tokens[start:])


def capitalize(text: str) -> str:
    """The text with its first letter in capitals, for the start of a sentence:
    ``"de Vries"`` -> ``"De Vries"``; the rest, and a text starting with anything but a
    letter (``"#iss"``), are left alone."""
    if text[:1].islower():
        return text[0].upper() + text[1:]
    return text


def holders(names: Sequence[str], mission: str | None = None) -> str:
    """Record holders who flew together: ``"Vladimir Titov and Musa Manarov"``, or for a
    whole crew named by its flight ``"the Skylab 4 crew"``."""
    if mission:
        return f"the {mission} crew"
    return join(names)


def pronoun_possessive(genders: Sequence[str]) -> str:
    """``"his"``, ``"her"``, or ``"their"`` (a group, a nonbinary person, or a gender
    not recorded)."""
    if len(genders) == 1:
        return {"male": "his", "female": "her"}.get(genders[0], "their")
    return "their"


def article(noun: str) -> str:
    """``"an"`` before a vowel sound, ``"a"`` otherwise ("an American", "a Ukrainian",
    "a European astronaut", "an ESA astronaut")."""
    if not noun:
        return "a"
    if noun[:2].lower() in ("eu", "uk", "un", "ur", "us", "ut"):
        return "a"
    return "an" if noun[0].lower() in "aeiou" else "a"


# --------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class CountryWords:
    adjective: str  # "the <adjective> record": "US", "Russian"
    noun: str  # one citizen: "American", "Chinese astronaut"
    place: str  # "in <place>", "from <place>": "the US", "Russia"


def _cw(adjective: str, noun: str | None, place: str) -> CountryWords:
    return CountryWords(adjective, noun or adjective, place)


# Every country (and former country) whose citizens have flown to space, orbital or
# suborbital (a test checks the bundled history against it: a country missing here
# costs every command that renders it pycountry's database, ~35 ms).  Adjectives that
# are not also nouns ("Chinese", "French") get "astronaut" so that "no Chinese
# astronaut", "by a French astronaut" read well.
COUNTRIES: Mapping[str, CountryWords] = {
    "US": _cw("US", "American", "the US"),
    "RU": _cw("Russian", None, "Russia"),
    "SU": _cw("Soviet", "Soviet cosmonaut", "the Soviet Union"),
    "CN": _cw("Chinese", "Chinese astronaut", "China"),
    "JP": _cw("Japanese", "Japanese astronaut", "Japan"),
    "DE": _cw("German", None, "Germany"),
    "DD": _cw("East German", None, "East Germany"),
    "FR": _cw("French", "French astronaut", "France"),
    "CA": _cw("Canadian", None, "Canada"),
    "IT": _cw("Italian", None, "Italy"),
    "GB": _cw("British", "British astronaut", "the UK"),
    "BG": _cw("Bulgarian", None, "Bulgaria"),
    "CS": _cw("Czechoslovak", "Czechoslovak cosmonaut", "Czechoslovakia"),
    "CZ": _cw("Czech", "Czech astronaut", "the Czech Republic"),
    "SK": _cw("Slovak", "Slovak astronaut", "Slovakia"),
    "PL": _cw("Polish", "Polish astronaut", "Poland"),
    "HU": _cw("Hungarian", None, "Hungary"),
    "VN": _cw("Vietnamese", "Vietnamese astronaut", "Vietnam"),
    "CU": _cw("Cuban", None, "Cuba"),
    "MN": _cw("Mongolian", None, "Mongolia"),
    "RO": _cw("Romanian", None, "Romania"),
    "IN": _cw("Indian", None, "India"),
    "SA": _cw("Saudi", None, "Saudi Arabia"),
    "NL": _cw("Dutch", "Dutch astronaut", "the Netherlands"),
    "MX": _cw("Mexican", None, "Mexico"),
    "SY": _cw("Syrian", None, "Syria"),
    "AF": _cw("Afghan", None, "Afghanistan"),
    "AT": _cw("Austrian", None, "Austria"),
    "BE": _cw("Belgian", None, "Belgium"),
    "CH": _cw("Swiss", "Swiss astronaut", "Switzerland"),
    "ES": _cw("Spanish", "Spanish astronaut", "Spain"),
    "SE": _cw("Swedish", "Swedish astronaut", "Sweden"),
    "DK": _cw("Danish", "Danish astronaut", "Denmark"),
    "NO": _cw("Norwegian", None, "Norway"),
    "KZ": _cw("Kazakh", "Kazakh cosmonaut", "Kazakhstan"),
    "UA": _cw("Ukrainian", None, "Ukraine"),
    "BY": _cw("Belarusian", None, "Belarus"),
    "IL": _cw("Israeli", None, "Israel"),
    "MY": _cw("Malaysian", None, "Malaysia"),
    "KR": _cw("South Korean", None, "South Korea"),
    "BR": _cw("Brazilian", None, "Brazil"),
    "ZA": _cw("South African", None, "South Africa"),
    "AE": _cw("Emirati", None, "the UAE"),
    "TR": _cw("Turkish", "Turkish astronaut", "Türkiye"),
    "EG": _cw("Egyptian", None, "Egypt"),
    "PT": _cw("Portuguese", "Portuguese astronaut", "Portugal"),
    "PK": _cw("Pakistani", None, "Pakistan"),
    "AG": _cw("Antiguan", None, "Antigua and Barbuda"),
    "AU": _cw("Australian", None, "Australia"),
    "NZ": _cw("New Zealand", "New Zealander", "New Zealand"),
    "IE": _cw("Irish", "Irish astronaut", "Ireland"),
    "MT": _cw("Maltese", "Maltese astronaut", "Malta"),
    "AR": _cw("Argentine", None, "Argentina"),
    "TH": _cw("Thai", "Thai astronaut", "Thailand"),
    "CR": _cw("Costa Rican", None, "Costa Rica"),
    "PE": _cw("Peruvian", None, "Peru"),
    "IR": _cw("Iranian", None, "Iran"),
    "PA": _cw("Panamanian", None, "Panama"),
    "NG": _cw("Nigerian", None, "Nigeria"),
    "KN": _cw("Kittitian", None, "Saint Kitts and Nevis"),
    "CY": _cw("Cypriot", None, "Cyprus"),
}


# Names a country had for part of its history: (until, words).  Germany's scope before
# reunification holds West Germans only (East Germans count in DD until then).
_FORMER_NAMES: Mapping[str, tuple[datetime, CountryWords]] = {
    "DE": (datetime(1990, 10, 3, tzinfo=UTC), _cw("West German", None, "West Germany")),
}


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A country's short English name from its ISO code (table first, then pycountry);
    the code itself when nothing knows it."""
    code = code.upper()
    if code in COUNTRIES:
        return COUNTRIES[code].place
    import pycountry  # its database loads in ~25 ms: only for a country not in the table

    found = pycountry.countries.get(alpha_2=code) or pycountry.historic_countries.get(alpha_2=code)
    if found is None:
        return code
    name = str(getattr(found, "common_name", None) or found.name)
    # "Iran, Islamic Republic of" -> "Iran"; "Holy See (Vatican City State)" -> "Holy See"
    return name.split(",")[0].split(" (")[0].strip()


# Country names that take "the" in English: "the Philippines", "the Dominican Republic",
# "the Marshall Islands" (the table's places carry theirs already).
_TAKES_THE = re.compile(
    r"\b(?:Republic|Kingdom|States|Emirates|Federation|Union|Islands|Isles|Antilles)\b"
    r"|^(?:Bahamas|Gambia|Philippines|Maldives|Seychelles|Comoros|Netherlands|Holy See)\b"
)


def country_place(code: str) -> str:
    """A country as a place in a sentence: ``"the Philippines"``, ``"Luxembourg"``."""
    name = country_name(code)
    return f"the {name}" if name != code.upper() and _TAKES_THE.search(name) else name


# --------------------------------------------------------------------------- scopes

WORLD = "world"
WOMEN = "women"
_LABEL = re.compile(r"^the (.+?) records?$", re.IGNORECASE)


@dataclass(frozen=True)
class ScopeWords:
    """Everything a post says about one scope."""

    record: str  # "the world record", "the record for women"
    adjective: str | None  # "world", "Russian": lets scopes share "the A and B records"
    noun: str | None  # one member: "American", "woman"; None for the world
    nouns: str | None  # members: "Americans", "women"
    place: str | None  # "the US", "Luxembourg": for "from <place>" when there is no noun
    rank_place: str  # "in the world", "in the US", "among women"

    @property
    def no_one(self) -> str:
        """``"no one"``, ``"no American"``, ``"no woman"``, ``"no one from Luxembourg"``."""
        if self.noun:
            return f"no {self.noun}"
        return f"no one from {self.place}" if self.place else "no one"

    @property
    def by_whom(self) -> str:
        """``"by anyone"``, ``"by an American"``, ``"by anyone from Luxembourg"``."""
        if self.noun:
            return f"by {article(self.noun)} {self.noun}"
        return f"by anyone from {self.place}" if self.place else "by anyone"

    @property
    def than_anyone(self) -> str:
        """``"than anyone else"``, ``"than any other American"``, ``"than anyone else from
        Luxembourg"``."""
        if self.noun:
            return f"than any other {self.noun}"
        return f"than anyone else from {self.place}" if self.place else "than anyone else"


def scope_words(
    scope: str,
    labels: Mapping[str, str] | None = None,
    people: Mapping[str, str] | None = None,
    at: datetime | None = None,
) -> ScopeWords:
    """The words for one scope (at the instant ``at``, for a country whose name changed).

    ``labels`` gives operator scopes their record wording ("the European record");
    ``people`` optionally names one of their members ("European astronaut").  Without
    them an operator scope ``esa`` reads "the ESA record", "by an ESA astronaut".
    """
    label = (labels or {}).get(scope, "").strip()
    person = (people or {}).get(scope, "").strip()
    if not person:
        former = _FORMER_NAMES.get(scope)
        builtin = _builtin_scope(scope, bool(former and at is not None and at < former[0]))
        if builtin is not None:  # a label words its record; the rest stays built-in
            return replace(builtin, record=label) if label else builtin
    return _operator_scope(scope, label, person)


def label_adjective(label: str) -> str | None:
    """``"the European record"`` -> ``"European"``; ``None`` for a label of another shape."""
    match = _LABEL.match(label.strip())
    return match.group(1) if match else None


@lru_cache(maxsize=512)
def _builtin_scope(scope: str, former: bool = False) -> ScopeWords | None:
    if scope == WORLD:
        return ScopeWords("the world record", "world", None, None, None, "in the world")
    if scope == WOMEN:
        return ScopeWords("the record for women", None, "woman", "women", None, "among women")
    if len(scope) == 2 and scope.isalpha() and scope.isupper():
        words = _FORMER_NAMES[scope][1] if former else COUNTRIES.get(scope)
        if words is not None:
            return ScopeWords(
                f"the {words.adjective} record",
                words.adjective,
                words.noun,
                words.noun + "s",
                words.place,
                f"in {words.place}",
            )
        name = country_place(scope)
        if name != scope:
            return ScopeWords(f"the record for {name}", None, None, None, name, f"in {name}")
    return None


def _operator_scope(scope: str, label: str, person: str) -> ScopeWords:
    adjective: str | None
    if label:
        adjective = label_adjective(label)
    else:
        adjective = scope.upper() if len(scope) <= 4 else scope.replace("-", " ").title()
    record = label or f"the {adjective} record"
    noun = person or (f"{adjective} astronaut" if adjective else f"{scope} astronaut")
    return ScopeWords(record, adjective, noun, noun + "s", None, f"among {noun}s")


def scopes_phrase(
    scopes: Sequence[str],
    labels: Mapping[str, str] | None = None,
    people: Mapping[str, str] | None = None,
    at: datetime | None = None,
) -> str:
    """Several scopes in one phrase, widest first as given:
    ``("world", "RU")`` -> ``"the world and Russian records"``,
    ``("US", "women")`` -> ``"the US record and the record for women"``."""
    adjectives: list[str] = []
    parts: list[str] = []
    slot: int | None = None
    for scope in scopes:
        words = scope_words(scope, labels, people, at)
        if words.adjective is None:
            parts.append(words.record)
            continue
        if slot is None:
            slot = len(parts)
            parts.append("")
        adjectives.append(words.adjective)
    if slot is not None:
        plural_s = "s" if len(adjectives) > 1 else ""
        parts[slot] = f"the {join(adjectives)} record{plural_s}"
    return join(parts)


def ranks_phrase(
    ranks: Iterable[Rank],
    measure: str,
    labels: Mapping[str, str] | None = None,
    people: Mapping[str, str] | None = None,
    limit: int = 10,
    at: datetime | None = None,
) -> str:
    """Places worth mentioning (``rank <= limit``) in one measure, first one first and the
    others in parentheses: ``"2nd in the world (1st in the US)"``; ``""`` if none."""
    places = [
        f"{ordinal(r.rank)} {scope_words(r.scope, labels, people, at).rank_place}"
        for r in ranks
        if r.measure == measure and 1 <= r.rank <= limit
    ]
    if not places:
        return ""
    if len(places) == 1:
        return places[0]
    return f"{places[0]} ({', '.join(places[1:])})"


# --------------------------------------------------------------------------- dates


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name; raises ``ValueError`` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local(instant: datetime, tz: str) -> datetime:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone(tz))


def date_words(instant: datetime, tz: str = "UTC") -> str:
    """``"October 29, 2015"`` in the given zone (month names are not locale-dependent)."""
    t = local(instant, tz)
    return f"{calendar.month_name[t.month]} {t.day}, {t.year}"


def time_words(instant: datetime, tz: str = "UTC") -> str:
    """``"04:05 UTC"``, ``"06:05 CEST"``; zones without a letter abbreviation give
    ``"07:05 UTC+3"``."""
    t = local(instant, tz)
    abbr = t.tzname() or ""
    if not abbr or abbr[0] in "+-":
        offset = t.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        h, m = divmod(abs(minutes), 60)
        abbr = "UTC" if minutes == 0 else f"UTC{sign}{h}" + (f":{m:02d}" if m else "")
    return f"{t:%H:%M} {abbr}"
