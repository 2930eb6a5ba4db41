"""Post templates as values: what a template may say, and filling it in.

A template is a ``str.format`` string with named fields (``{name}``, ``{previous_days}``;
see :data:`bot.core.fields.FIELDS`).  For each milestone kind there are four variants
(:data:`VARIANTS`): ``text``, a shorter ``fallback``, a past-tense ``late`` and its
``late_fallback``; each may be replaced for one platform (:func:`platform_keys`).

Reading template files is :mod:`bot.files.templates`'s job; checking that templates fit
each platform's limit is rendering (:func:`bot.core.render.check_templates`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core import platforms
from bot.core.fields import FIELDS
from bot.core.milestone import Kind
from bot.core.wording import capitalize
from bot.errors import Problem, did_you_mean

KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
VARIANTS: tuple[str, ...] = ("text", "fallback", "late", "late_fallback")

_FORMATTER = string.Formatter()
_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +([.,;:!?)])")
_EMPTY_PARENS = re.compile(r" ?\(\s*\)")
_REPEATED_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")
_COMMA_BEFORE_PAREN = re.compile(r",\s*\(")
_COMMA_BEFORE_END = re.compile(r",\s*([.!?)]|$)")


def platform_keys() -> tuple[str, ...]:
    """The platforms that may have wording of their own (a rehearsal uses the wording of
    the platform it mimics)."""
    return platforms.publishing()


@dataclass(frozen=True)
class Template:
    """One template string, where it came from, and what it uses."""

    text: str
    source: str  # file it was read from
    line: int | None  # 1-based line in that file
    fields: frozenset[str]

    @property
    def places_hashtags(self) -> bool:
        return "hashtags" in self.fields

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line else "built in"


@dataclass(frozen=True)
class Wording:
    """The four variants for one kind on one platform."""

    kind: str
    platform: str
    text: Template
    fallback: Template
    late: Template
    late_fallback: Template


@dataclass(frozen=True)
class TemplateSet:
    """Every template, keyed by (kind, platform or None for all platforms, variant)."""

    entries: Mapping[tuple[str, str | None, str], Template]
    sources: tuple[str, ...] = ()

    def wording(self, kind: Kind | str, platform: str) -> Wording:
        """The variants to use for ``kind`` on ``platform`` (platform wording first)."""
        k = kind.value if isinstance(kind, Kind) else kind
        picked = [
            self.entries.get((k, platform, v)) or self.entries[(k, None, v)] for v in VARIANTS
        ]
        return Wording(k, platform, *picked)

    def missing(self) -> list[str]:
        """``kind/variant`` of every general template this set lacks."""
        return [f"{k}/{v}" for k in KINDS for v in VARIANTS if (k, None, v) not in self.entries]


def fill(template: Template, fields: Mapping[str, str]) -> str:
    """The template with its fields filled in, spacing tidied.

    Empty optional fields leave no trace: doubled spaces, a space before punctuation
    and empty parentheses are removed.  Never raises (templates were checked at load).
    """
    try:
        text = template.text.format_map(fields)
    except (KeyError, ValueError, IndexError, AttributeError):  # pragma: no cover
        text = template.text
    return tidy(text)


def tidy(text: str) -> str:
    """Doubled spaces, a space before punctuation, empty parentheses, a comma before a
    parenthesis or the end, and a doubled period removed (each rule only runs when the
    text holds its trigger: a preview of all history tidies thousands of texts)."""
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if "(" in text:
        text = _EMPTY_PARENS.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    if "," in text:
        text = _COMMA_BEFORE_PAREN.sub(" (", text)
        text = _COMMA_BEFORE_END.sub(r"\1", text)
    if ".." in text:
        text = _REPEATED_PERIOD.sub(".", text)
    if "\n" in text:
        return capitalize("\n".join(line.strip() for line in text.split("\n")).strip())
    return capitalize(text.strip())


def fields_of(text: str, kind: Kind) -> frozenset[str] | Problem:
    """The fields ``text`` uses, or the first problem with them (a Problem without a
    source or place: the caller knows where the text came from)."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        return Problem(
            "",
            "",
            f"str.format syntax error: {exc}",
            "write fields as {name}; double a brace to print one: {{ or }}",
        )
    used: set[str] = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        shown = "{" + field + "}"
        if not field or field.isdigit():
            return Problem(
                "",
                "",
                f"field {shown} has no name",
                f"use a named field, e.g. {{name}}; fields: {field_names(kind)}",
            )
        if not field.isidentifier():
            base = re.match(r"\w*", field)
            return Problem(
                "",
                "",
                f"field {shown}: attribute and index access are not supported",
                f"use the plain field {{{base.group(0) if base else field}}}",
            )
        if field not in FIELDS:
            return Problem("", "", f"unknown field {shown}", choose("field", field, (), kind))
        if kind not in FIELDS[field].kinds:
            return Problem(
                "",
                "",
                f"field {shown} is not available for {kind.value}",
                f"fields for {kind.value}: {field_names(kind)}",
            )
        if conversion:
            return Problem(
                "", "", f"field {shown}: conversion !{conversion} is not supported", "remove it"
            )
        if spec:
            try:
                format("sample text", spec)
            except ValueError as exc:
                return Problem(
                    "",
                    "",
                    f"field {shown}: bad format spec ':{spec}': {exc}",
                    "remove the ':...' part (fields are text)",
                )
        used.add(field)
    return frozenset(used)


def field_names(kind: Kind) -> str:
    return ", ".join(name for name, f in FIELDS.items() if kind in f.kinds)


def choose(what: str, got: str, choices: tuple[str, ...], kind: Kind | None = None) -> str:
    """A fix naming the closest choice and listing them all (a kind's fields, if given)."""
    pool = tuple(name for name, f in FIELDS.items() if kind in f.kinds) if kind else choices
    close = did_you_mean(got, pool)
    hint = f"did you mean '{close}'? " if close else ""
    listed = field_names(kind) if kind is not None else ", ".join(choices)
    return f"{hint}{what}s: {listed}"
