"""The renderer: milestones in, posts that fit each platform out.

Pure: no clock, no files, no network.  For each post it picks the platform's wording
(else the normal text), adds the configured hashtags as far as they fit (they are the
first thing dropped), falls back to the shorter ``fallback`` when the text does not
fit, and as a last resort (or always, with ``overflow="thread"``) splits the text into
a thread at sentence, then word, boundaries with " (1/2)" markers.  Nothing is ever
cut silently, and rendering never raises on real data: template problems surface when
templates are loaded (:func:`bot.files.templates.load_templates`) and when they are
checked against the configured platforms (:func:`check_templates`).
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import datetime

from bot.core import samples, text_length
from bot.core.fields import Overflow, RenderSettings, build_fields
from bot.core.milestone import Kind, Milestone
from bot.core.platforms import PlatformSpec
from bot.core.post import Post
from bot.core.templates import Template, TemplateSet, fill
from bot.errors import Problem

__all__ = ["PlatformSpec", "RenderSettings", "check_templates", "group", "render", "split_thread"]

# Where a thread may break, best first: between paragraphs, lines, sentences, clauses,
# words; and what joins two pieces of that kind that stay in one part.
_BREAKS = (
    (re.compile(r"\n\s*\n"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?])\s+"), " "),
    (re.compile(r"(?<=[:;,])\s+"), " "),
    (re.compile(r"\s+"), " "),
)
_SPACES = re.compile(r"[^\S\n]+")  # white space other than a newline


def group(
    milestones: Sequence[Milestone], settings: RenderSettings | None = None
) -> list[tuple[Milestone, ...]]:
    """Milestones gathered into posts, in order of first appearance.

    With ``group_crew``, crewmates who crossed the same milestone together (same kind,
    instant, value, scopes, threshold and previous holder) share one post.
    """
    if settings is not None and not settings.group_crew:
        return [(m,) for m in milestones]
    groups: dict[tuple[object, ...], list[Milestone]] = {}
    for m in milestones:
        key = (m.kind, m.at, m.value_seconds, m.scopes, m.threshold_days, m.previous)
        members = groups.setdefault(key, [])
        if all(x.person != m.person for x in members):
            members.append(m)
    return [tuple(members) for members in groups.values()]


def post_key(members: Sequence[Milestone]) -> str:
    """One milestone: its key; a group: the sorted member keys joined by ``+``."""
    if len(members) == 1:
        return members[0].key
    return "+".join(sorted(m.key for m in members))


def render(
    milestones: Sequence[Milestone],
    templates: TemplateSet,
    spec: PlatformSpec,
    settings: RenderSettings | None = None,
    due: Callable[[Milestone], datetime] | None = None,
    *,
    late: bool = True,
) -> list[Post]:
    """One post per milestone (or crew group), every part fitting ``spec``; with its
    past-tense wording too unless ``late`` is false (a preview shows only the first)."""
    settings = settings or RenderSettings()
    tags = settings.tags

    def fits(text: str) -> bool:
        return text_length.fits(text, spec.counter, spec.limit)

    posts: list[Post] = []
    for members in group(milestones, settings):
        first = members[0]
        fields = build_fields(members, settings)
        words = templates.wording(first.kind, spec.platform)
        parts = _realize(words.text, words.fallback, fields, tags, fits, settings.overflow)
        late_parts = (
            _realize(words.late, words.late_fallback, fields, tags, fits, settings.overflow)
            if late
            else ()
        )
        posts.append(
            Post(
                key=post_key(members),
                crossing=first.at,
                due=min(due(m) for m in members) if due is not None else first.at,
                parts=parts,
                late_parts=late_parts,
                kind=first.kind.value,
                people=tuple(m.person for m in members),
            )
        )
    return posts


def _realize(
    primary: Template,
    fallback: Template,
    fields: Mapping[str, str],
    tags: tuple[str, ...],
    fits: Callable[[str], bool],
    overflow: Overflow,
) -> tuple[str, ...]:
    candidates = (primary,) if overflow == "thread" else (primary, fallback)
    for template in candidates:
        bare = _compose(template, fields, ())
        if not fits(bare):
            continue
        for count in range(len(tags), 0, -1):
            text = _compose(template, fields, tags[:count])
            if fits(text):
                return (text,)
        return (bare,)
    return split_thread(_compose(primary, fields, ()), fits, tags)


def _compose(template: Template, fields: Mapping[str, str], tags: tuple[str, ...]) -> str:
    if template.places_hashtags:
        tagged: MutableMapping[str, str] = {"hashtags": " ".join(tags)}
        return fill(template, ChainMap(tagged, fields))  # type: ignore[arg-type]
    text = fill(template, fields)
    return _append_tags(text, tags)


def _append_tags(text: str, tags: tuple[str, ...]) -> str:
    lowered = text.lower()
    new = [t for t in tags if not re.search(re.escape(t.lower()) + r"\b", lowered)]
    return f"{text} {' '.join(new)}" if new else text


def split_thread(
    text: str, fits: Callable[[str], bool], tags: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """``text`` as a thread whose every part (with its " (i/n)" marker) fits.

    Splits between paragraphs, else lines, sentences, clauses, words (a part keeps the
    line breaks of the text it holds); a single word longer than a whole part (never
    seen in real data) is split between graphemes rather than dropped.
    Hashtags go on the last part as far as they fit.
    """
    if fits(text):
        return (text,)
    parts: list[str] = []
    for widest in (9, 99, 999, 9999):
        parts = _pack(text, _with_marker(fits, f" ({widest}/{widest})"))
        if len(parts) <= widest:
            break
    n = len(parts)
    for count in range(len(tags), 0, -1):
        with_tags = _append_tags(parts[-1], tags[:count])
        if fits(f"{with_tags} ({n}/{n})"):
            parts[-1] = with_tags
            break
    if n == 1:
        return (parts[0],)
    return tuple(f"{part} ({i}/{n})" for i, part in enumerate(parts, 1))


def _with_marker(fits: Callable[[str], bool], marker: str) -> Callable[[str], bool]:
    return lambda text: fits(text + marker)


def _pack(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedy packing: whole paragraphs while they fit, else lines, sentences, clauses,
    words."""
    parts: list[str] = []
    current = ""

    def place(piece: str, level: int, joiner: str) -> None:
        nonlocal current
        candidate = f"{current}{joiner}{piece}" if current else piece
        if fits(candidate):
            current = candidate
            return
        if current:
            parts.append(current)
            current = ""
        if fits(piece):
            current = piece
        elif level < len(_BREAKS):
            pattern, sub_joiner = _BREAKS[level]
            for sub in pattern.split(piece):
                if sub:
                    place(sub, level + 1, sub_joiner)
        else:
            *whole, current = _hard_split(piece, fits)
            parts.extend(whole)

    lines = (_SPACES.sub(" ", line).strip() for line in text.strip().split("\n"))
    place("\n".join(lines), 0, "")
    if current:
        parts.append(current)
    return parts or [text]


def _hard_split(word: str, fits: Callable[[str], bool]) -> list[str]:
    pieces: list[str] = []
    current = ""
    for g in text_length.graphemes(word):
        if current and not fits(current + g):
            pieces.append(current)
            current = ""
        current += g
    if current:
        pieces.append(current)
    return pieces


# --------------------------------------------------------------------------- checking


def check_templates(
    templates: TemplateSet, specs: Iterable[PlatformSpec], settings: RenderSettings | None = None
) -> list[Problem]:
    """Every template that cannot fit one of ``specs`` (the configured targets' platforms).

    ``fallback`` and ``late_fallback`` must fit the realistic worst case (a crew of three
    long names, several scopes: :func:`samples.longest`); ``text`` and ``late`` must at
    least fit an ordinary post (:func:`samples.typical`), or they would never be used.
    Hashtags are left out: they are dropped first anyway.
    """
    settings = settings or RenderSettings()
    problems: list[Problem] = []
    for spec in dict.fromkeys(specs):
        for kind in Kind:
            wording = templates.wording(kind, spec.platform)
            for variant, members in (
                ("text", samples.typical(kind)),
                ("fallback", samples.longest(kind)),
                ("late", samples.typical(kind)),
                ("late_fallback", samples.longest(kind)),
            ):
                problem = _fit_problem(
                    getattr(wording, variant), kind, variant, spec, members, settings
                )
                if problem is not None:
                    problems.append(problem)
    return problems


def _fit_problem(
    template: Template,
    kind: Kind,
    variant: str,
    spec: PlatformSpec,
    members: tuple[Milestone, ...],
    settings: RenderSettings,
) -> Problem | None:
    fields = build_fields(members, settings)
    text = fill(template, fields)
    why = text_length.problem(text, spec.counter, spec.limit)
    if why is None:
        return None
    longest = max(template.fields, key=lambda f: len(fields.get(f, "")), default=None)
    detail = (
        f"; its longest field is {{{longest}}} ({len(fields[longest])} characters: "
        f"{fields[longest]!r})"
        if longest
        else ""
    )
    who = "an ordinary post" if variant in ("text", "late") else "a long realistic post"
    return Problem(
        template.source,
        f"{template.where}: template '{kind.value}/{variant}'",
        f"too long for {spec.platform} (limit {spec.limit}): {who} gives {why}{detail}",
        f"shorten it, or give {spec.platform} its own shorter wording under "
        f"'{kind.value}: {spec.platform}: {variant}:'",
    )
