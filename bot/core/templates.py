"""Post templates: the bundled wording, the operator's overrides, and their validation.

A template is a ``str.format`` string with named fields (``{name}``, ``{previous_days}``;
see :data:`bot.core.fields.FIELDS`).  For each milestone kind there are four
variants (:data:`VARIANTS`): ``text``, a shorter ``fallback``, a past-tense ``late``
and its ``late_fallback``; each may be replaced for one platform (:data:`PLATFORMS`).

Every problem is found at load time, never while posting: unknown kinds, variants or
fields, ``str.format`` syntax errors, and (``TemplateSet.check``) templates that cannot
fit a platform's length limit.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.core import samples, text_length
from bot.core.fields import FIELDS, build_fields
from bot.core.milestone import Kind, Milestone
from bot.errors import ConfigError, Problem

if TYPE_CHECKING:
    from bot.core.render import PlatformSpec, RenderSettings

__all__ = [
    "FIELDS",
    "KINDS",
    "PLATFORMS",
    "VARIANTS",
    "Template",
    "TemplateSet",
    "Wording",
    "build_fields",
    "fill",
    "load_templates",
]

KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
VARIANTS: tuple[str, ...] = ("text", "fallback", "late", "late_fallback")
PLATFORMS: tuple[str, ...] = ("x", "mastodon", "bluesky", "dry-run")
DEFAULT_SOURCE = "bot/files/default_templates.yaml (built in)"

_FORMATTER = string.Formatter()
_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +([.,;:!?)])")
_EMPTY_PARENS = re.compile(r" ?\(\s*\)")
_REPEATED_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")
_COMMA_BEFORE_PAREN = re.compile(r",\s*\(")
_COMMA_BEFORE_END = re.compile(r",\s*([.!?)]|$)")


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
    sources: tuple[str, ...] = (DEFAULT_SOURCE,)

    def wording(self, kind: Kind | str, platform: str) -> Wording:
        """The variants to use for ``kind`` on ``platform`` (platform wording first)."""
        k = kind.value if isinstance(kind, Kind) else kind
        picked = [
            self.entries.get((k, platform, v)) or self.entries[(k, None, v)] for v in VARIANTS
        ]
        return Wording(k, platform, *picked)

    def check(
        self, platforms: Iterable[PlatformSpec], settings: RenderSettings | None = None
    ) -> None:
        """Raise :class:`ConfigError` if some template cannot fit a platform.

        ``fallback`` and ``late_fallback`` must fit the realistic worst case (a crew of
        three long names, several scopes: :func:`samples.longest`); ``text`` and
        ``late`` must at least fit an ordinary post (:func:`samples.typical`), or they
        would never be used.  Hashtags are left out: they are dropped first anyway.
        """
        problems: list[Problem] = []
        for spec in platforms:
            for kind in Kind:
                wording = self.wording(kind, spec.platform)
                for variant, sample_name in (
                    ("text", "typical"),
                    ("fallback", "longest"),
                    ("late", "typical"),
                    ("late_fallback", "longest"),
                ):
                    members = (
                        samples.typical(kind) if sample_name == "typical" else samples.longest(kind)
                    )
                    problem = _fit_problem(
                        getattr(wording, variant), kind, variant, spec, members, settings
                    )
                    if problem is not None:
                        problems.append(problem)
        if problems:
            raise ConfigError(problems)


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
    text = _SPACES.sub(" ", text)
    text = _EMPTY_PARENS.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _COMMA_BEFORE_PAREN.sub(" (", text)
    text = _COMMA_BEFORE_END.sub(r"\1", text)
    text = _REPEATED_PERIOD.sub(".", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


# --------------------------------------------------------------------------- loading


def load_templates(path: Path | None = None) -> TemplateSet:
    """The bundled templates, with the operator's file (if any) laid over them.

    Raises :class:`ConfigError` listing every problem in the file: YAML errors,
    unknown kinds, variants or fields, ``str.format`` syntax errors.
    """
    default_text = (
        resources.files("bot.files").joinpath("default_templates.yaml").read_text("utf-8")
    )
    entries = _parse(default_text, DEFAULT_SOURCE)
    missing = [
        f"{kind}/{variant}"
        for kind in KINDS
        for variant in VARIANTS
        if (kind, None, variant) not in entries
    ]
    if missing:
        raise ConfigError(
            Problem(DEFAULT_SOURCE, ", ".join(missing), "built-in template missing", "reinstall")
        )
    sources: tuple[str, ...] = (DEFAULT_SOURCE,)
    if path is not None:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(
                Problem(
                    source,
                    "file",
                    "template file not found",
                    "create it, fix the templates path in the config, or remove the setting",
                )
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                Problem(source, "file", f"cannot read the template file: {exc}", "")
            ) from None
        entries = {**entries, **_parse(text, source)}
        sources = (DEFAULT_SOURCE, source)
    return TemplateSet(entries, sources)


def _parse(text: str, source: str) -> dict[tuple[str, str | None, str], Template]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            Problem(source, where, f"not valid YAML: {problem}", "fix the YAML syntax")
        ) from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(
            Problem(
                source,
                _line(root),
                "the template file must be a mapping of kinds",
                f"start with a kind name followed by a colon, e.g. 'mission_end:'; "
                f"kinds: {', '.join(KINDS)}",
            )
        )
    problems: list[Problem] = []
    entries: dict[tuple[str, str | None, str], Template] = {}
    for key_node, value_node in root.value:
        kind = str(key_node.value)
        if kind not in KINDS:
            problems.append(
                Problem(
                    source,
                    f"{_line(key_node)}: template '{kind}'",
                    f"unknown kind '{kind}'",
                    _choose("kind", kind, KINDS),
                )
            )
            continue
        if not isinstance(value_node, yaml.MappingNode):
            problems.append(
                Problem(
                    source,
                    f"{_line(value_node)}: template '{kind}'",
                    "a kind holds a mapping of variants, not a single text",
                    f"write e.g. '{kind}:' then an indented 'text: \"...\"'",
                )
            )
            continue
        for vkey, vnode in value_node.value:
            name = str(vkey.value)
            if name in VARIANTS:
                _add(entries, problems, source, kind, None, name, vnode)
            elif name in PLATFORMS:
                if isinstance(vnode, yaml.MappingNode):
                    for pkey, pnode in vnode.value:
                        pname = str(pkey.value)
                        if pname in VARIANTS:
                            _add(entries, problems, source, kind, name, pname, pnode)
                        else:
                            problems.append(
                                Problem(
                                    source,
                                    f"{_line(pkey)}: template '{kind}/{name}/{pname}'",
                                    f"unknown variant '{pname}'",
                                    _choose("variant", pname, VARIANTS),
                                )
                            )
                else:
                    _add(entries, problems, source, kind, name, "text", vnode)
            else:
                problems.append(
                    Problem(
                        source,
                        f"{_line(vkey)}: template '{kind}/{name}'",
                        f"unknown variant '{name}'",
                        _choose("variant or platform", name, VARIANTS + PLATFORMS),
                    )
                )
    if problems:
        raise ConfigError(problems)
    return entries


def _add(
    entries: dict[tuple[str, str | None, str], Template],
    problems: list[Problem],
    source: str,
    kind: str,
    platform: str | None,
    variant: str,
    node: yaml.Node,
) -> None:
    label = f"{kind}/{platform}/{variant}" if platform else f"{kind}/{variant}"
    where = f"{_line(node)}: template '{label}'"
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        problems.append(Problem(source, where, "a template must be text", 'quote it: text: "..."'))
        return
    text = str(node.value).strip()
    if not text:
        problems.append(
            Problem(source, where, "empty template", "write the text, or remove the entry")
        )
        return
    found = _check_fields(text, Kind(kind))
    if isinstance(found, Problem):
        problems.append(Problem(source, where, found.message, found.fix))
        return
    entries[(kind, platform, variant)] = Template(text, source, node.start_mark.line + 1, found)


def _check_fields(text: str, kind: Kind) -> frozenset[str] | Problem:
    """The fields ``text`` uses, or the first problem with them."""
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
                f"use a named field, e.g. {{name}}; fields: {_names(kind)}",
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
            return Problem(
                "", "", f"unknown field {shown}", _choose("field", field, tuple(FIELDS), kind)
            )
        if kind not in FIELDS[field].kinds:
            return Problem(
                "",
                "",
                f"field {shown} is not available for {kind.value}",
                f"fields for {kind.value}: {_names(kind)}",
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


def _names(kind: Kind) -> str:
    return ", ".join(name for name, f in FIELDS.items() if kind in f.kinds)


def _choose(what: str, got: str, choices: tuple[str, ...], kind: Kind | None = None) -> str:
    close = difflib.get_close_matches(got, choices, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    listed = _names(kind) if kind is not None else ", ".join(choices)
    return f"{hint}{what}s: {listed}"


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


# --------------------------------------------------------------------------- fitting


def _fit_problem(
    template: Template,
    kind: Kind,
    variant: str,
    spec: PlatformSpec,
    members: tuple[Milestone, ...],
    settings: RenderSettings | None,
) -> Problem | None:
    fields = build_fields(
        members,
        timezone=settings.timezone if settings else "UTC",
        scope_labels=settings.scope_labels if settings else None,
        scope_people=settings.scope_people if settings else None,
        rank_limit=settings.rank_limit if settings else 10,
    )
    text = fill(template, fields)
    length = text_length.measure(text, spec.counter)
    if length <= spec.limit:
        return None
    longest = max(template.fields, key=lambda f: len(fields.get(f, "")), default=None)
    detail = (
        f"; its longest field is {{{longest}}} ({len(fields[longest])} characters: "
        f"{fields[longest]!r})"
        if longest
        else ""
    )
    who = "an ordinary post" if variant in ("text", "late") else "a long realistic post"
    platform_key = spec.platform if spec.platform in PLATFORMS else "<platform>"
    return Problem(
        template.source,
        f"line {template.line}: template '{kind.value}/{variant}'"
        if template.line
        else f"template '{kind.value}/{variant}'",
        f"too long for {spec.platform} ({spec.limit}, counted as {spec.counter}): "
        f"{who} needs {length}{detail}",
        f"shorten it, or give {spec.platform} its own shorter wording under "
        f"'{kind.value}: {platform_key}: {variant}:'",
    )
