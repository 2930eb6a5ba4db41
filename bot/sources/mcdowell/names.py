"""Display names, ids and countries from McDowell's astro list (pure functions)."""

from __future__ import annotations

import re
import unicodedata

import pycountry

# McDowell's citizenship codes that are not ISO 3166-1 alpha-2, and what they mean.
# Every other code in his list is already an alpha-2 code (checked with pycountry).
COUNTRY_CODES: dict[str, str] = {
    "D": "DE",  # Germany (Deutschland)
    "F": "FR",  # France
    "I": "IT",  # Italy
    "E": "ES",  # Spain (España)
    "J": "JP",  # Japan
    "B": "BE",  # Belgium
    "S": "SE",  # Sweden
    "N": "NO",  # Norway
    "UK": "GB",  # United Kingdom
    "UAE": "AE",  # United Arab Emirates
    "PAR": "PA",  # Panama (his code for Jaime Alemán, the first Panamanian in space)
    "CSSR": "CZ",  # Czechoslovakia (Vladimír Remek, a Czech); ISO's "CS" is withdrawn
    "DD": "DE",  # East Germany (Sigmund Jähn); ISO's "DD" is withdrawn
}

# Given names in family-name-first order (no comma in McDowell's Name column) that
# followers know in Western order.  Chinese, Korean and Vietnamese names stay as given.
WESTERN_ORDER_CITIZENS = frozenset({"J", "HU"})

_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
_NICKNAME = re.compile(r"(?:(?<=\s)|^)'[^']+'(?=[\s,]|$)")
_PARENS = re.compile(r"\s*\([^)]*(?:\)|$)")


def country_code(citizen: str) -> tuple[str, str | None]:
    """ISO alpha-2 code for McDowell's citizenship code, plus a remark when it is a guess.

    Raises ``ValueError`` for a code that maps to no country.
    """
    remark: str | None = None
    code = citizen.strip()
    if code.endswith("?"):
        code = code.rstrip("?")
        remark = f"citizenship given as {citizen!r} (uncertain); taken as {code}"
    if "/" in code:
        first = code.split("/", 1)[0]
        remark = f"dual citizenship {citizen!r}; the first, {first}, is used"
        code = first
    iso = COUNTRY_CODES.get(code, code)
    if len(iso) != 2 or pycountry.countries.get(alpha_2=iso) is None:
        raise ValueError(f"citizenship code {citizen!r} maps to no ISO 3166-1 country")
    return iso, remark


# Letters that Unicode does not decompose into a base letter plus accent.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
)


def fold(text: str) -> str:
    """ASCII, lowercase: 'López-Alegría' -> 'lopez-alegria', 'Sławosz' -> 'slawosz'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def slug(text: str) -> str:
    """Lowercase ASCII id: 'Michael López-Alegría' -> 'michael-lopez-alegria'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def _is_cyrillic(text: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(ch, "") for ch in text)


def _western(name: str, citizen: str) -> str:
    """'Surname, Given Middle, Jr' -> 'Given Surname' (see :func:`display_name`)."""
    name = _NICKNAME.sub(" ", name)
    name = _PARENS.sub("", name)
    name = " ".join(name.split())
    if "," not in name:
        parts = name.split()
        if citizen in WESTERN_ORDER_CITIZENS and len(parts) >= 2:
            return " ".join([*parts[1:], parts[0]])
        return name
    surname, rest = (p.strip() for p in name.split(",", 1))
    given_part = rest.split(",", 1)[0]
    tokens = [t for t in given_part.split() if t not in _SUFFIXES]
    starred = [t for t in tokens if t.startswith("*")]
    if starred:
        given = starred[0].lstrip("*")
    elif tokens:
        given = tokens[0]
    else:
        return surname
    return f"{given} {surname}"


def display_name(name: str, uname: str, citizen: str) -> str:
    """The name as followers know it, from astro's ``Name`` (and ``UName`` for accents).

    ``"Carpenter, Malcolm *Scott"`` -> ``"Scott Carpenter"`` (``*`` marks the name used),
    middle names, patronymics, suffixes, quoted nicknames and parenthesised birth names
    go; ``"Yang Liwei"`` (no comma: family name first) stays; Japanese and Hungarian names
    are put in Western order (``"Wakata Koichi"`` -> ``"Koichi Wakata"``).  When ``UName`` is
    the same name in Latin script with accents, the accented form is used; when it is in
    Cyrillic, the apostrophes McDowell uses for the soft sign are dropped.
    """
    plain = _western(name, citizen)
    if _is_cyrillic(uname):
        # McDowell writes the soft sign as an apostrophe (Solov'yov); followers never do.
        plain = plain.replace("'", "")
    if uname and _is_latin(uname):
        accented = _western(uname, citizen)
        if accented != plain and fold(accented) == fold(plain):
            return accented
        # "Chang Díaz" in UName, "Chang-Diaz" in Name: the accents, with Name's hyphens.
        words, accented_words = _SEPARATORS.split(plain), _SEPARATORS.split(accented)
        if len(words) == len(accented_words) and all(
            fold(a) == fold(b) for a, b in zip(words, accented_words, strict=True)
        ):
            separators = _SEPARATORS.findall(plain)
            return "".join(
                w + sep for w, sep in zip(accented_words, [*separators, ""], strict=True)
            )
    return plain


_SEPARATORS = re.compile(r"[ -]")
