"""The ``targets:`` and ``posting:`` sections of the config: where posts go, and how.

Each target is one account on one platform.  Its options are checked against the
platform table (:mod:`bot.core.platforms`: types, choices, required options, bounds),
so no platform SDK is imported to validate a config.

Also which posts carry a chart (:class:`ImageSettings`): ``announcements.images`` for
every target, and a target's own ``images`` over it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core import platforms
from bot.core.milestone import Kind
from bot.core.platforms import PLATFORMS, Option, PlatformSpec
from bot.files.yamlfile import SectionReader

OldPosts = Literal["past_tense", "skip"]
ImagesFallback = Literal["text_only", "wait"]
POSTING_KEYS = (
    "max_age_hours",
    "old_posts",
    "retry",
    "images_fallback",
    "images_max_delay_minutes",
)

DEFAULT_LANGUAGE = "en"
# A BCP 47 language tag as Bluesky (langs) and Mastodon (language) take it: a language,
# then optionally a script and a region (en, pt-BR, zh-Hant-TW, yue).
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:-([A-Z][a-z]{3}))?(?:-([A-Z]{2}|[0-9]{3}))?$")

TARGET_KEYS = ("name", "platform", "daily_cap", "min_interval", "options", "images")
IMAGE_KEYS = ("records", "mission_ends", "milestones")
DEFAULT_TARGETS: list[dict[str, object]] = [{"name": "rehearsal", "platform": "dry-run"}]

_KIND_WORDS: dict[type, str] = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
}


@dataclass(frozen=True)
class ImageSettings:
    """Which posts carry a chart and its alt text: ``announcements.images``, with a
    target's ``images`` over it (:meth:`Config.images_for <bot.files.config.Config>`)."""

    records: bool = True  # record posts: the top of the scope at the crossing
    mission_ends: bool = True  # mission ends: the person's flights
    milestones: bool = False  # round numbers of days (the mission chart)

    def wants(self, kind: Kind) -> bool:
        """Whether a post of ``kind`` carries a chart."""
        if kind.is_record:
            return self.records
        if kind is Kind.MISSION_END:
            return self.mission_ends
        return self.milestones

    @property
    def any(self) -> bool:
        return self.records or self.mission_ends or self.milestones


@dataclass(frozen=True)
class TargetConfig:
    name: str
    platform: str
    daily_cap: int
    min_interval: float
    options: Mapping[str, object] = field(default_factory=dict)  # checked, defaults filled in
    images: Mapping[str, bool] = field(default_factory=dict)  # over announcements.images
    language: str = DEFAULT_LANGUAGE  # announcements.language, sent where a platform takes it

    @property
    def spec(self) -> PlatformSpec:
        """How this target's posts are worded and fitted."""
        return platforms.spec(self.platform, self.options)

    @property
    def credential_vars(self) -> dict[str, str]:
        return platforms.credential_vars(self.name, self.platform)


def rehearsal_target(name: str = "dry-run") -> TargetConfig:
    """The target that replaces all others under ``--dry-run``."""
    row = PLATFORMS[platforms.REHEARSAL]
    options = {key: opt.default for key, opt in row.options.items()}
    return TargetConfig(name, row.name, row.daily_cap, row.min_interval, options)


@dataclass(frozen=True)
class RetryConfig:
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    max_attempts: int = 8


@dataclass(frozen=True)
class PostingConfig:
    max_age_hours: float = 36.0
    old_posts: OldPosts = "past_tense"
    retry: RetryConfig = field(default_factory=RetryConfig)
    # When a post's pictures cannot be uploaded (the retries used up, or waiting would
    # send it more than images_max_delay_minutes after its due time): text_only sends
    # the text without them; wait keeps trying (only a picture the platform refuses for
    # good, or one missing from the state directory, is then given up).
    images_fallback: ImagesFallback = "text_only"
    images_max_delay_minutes: float = 15.0


def parse_targets(r: SectionReader, raw: Any) -> tuple[TargetConfig, ...]:
    """The ``targets:`` list (absent: one dry-run target); problems go to ``r``."""
    if raw is None:
        raw = DEFAULT_TARGETS
    if not isinstance(raw, list) or not raw:
        r.fail(
            "targets",
            "must be a non-empty list of targets",
            "add e.g. targets: [{name: rehearsal, platform: dry-run}]",
        )
        return ()
    out: list[TargetConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"targets[{i}]"
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            where = f"targets[{i}] ({entry['name']})"
        sec = r.section(entry, where, TARGET_KEYS)
        if not sec and not isinstance(entry, Mapping):
            continue
        name = r.slug(sec.get("name"), f"{where}.name", "a target's name")
        if name is not None and name in seen:
            r.fail(f"{where}.name", f"target name {name!r} is used twice", "rename one")
        platform = sec.get("platform")
        row = PLATFORMS.get(platform) if isinstance(platform, str) else None
        if row is None:
            r.fail(
                f"{where}.platform",
                f"unknown platform {platform!r}",
                f"use one of: {', '.join(platforms.names())}",
            )
            continue
        before = len(r.problems)
        daily_cap = r.number(sec, "daily_cap", where, row.daily_cap, positive=True, integer=True)
        min_interval = r.number(sec, "min_interval", where, row.min_interval)
        options = _options(r, sec.get("options"), f"{where}.options", row)
        images = parse_images(r, sec.get("images"), f"{where}.images")
        if name is not None and name not in seen and len(r.problems) == before:
            out.append(TargetConfig(name, row.name, int(daily_cap), min_interval, options, images))
        if name is not None:
            seen.add(name)
    return tuple(out)


def parse_images(r: SectionReader, raw: Any, where: str) -> dict[str, bool]:
    """An ``images`` setting as the switches it sets: ``false`` (no charts), ``true``
    (charts for every kind, round numbers too), or a mapping of ``records``,
    ``mission_ends`` and ``milestones``; absent: ``{}`` (nothing set)."""
    if raw is None:
        return {}
    if isinstance(raw, bool):
        return dict.fromkeys(IMAGE_KEYS, raw)
    if not isinstance(raw, Mapping):
        r.fail(
            where,
            f"must be true, false or a mapping, not {raw!r}",
            "e.g. images: {records: true, mission_ends: true, milestones: false}",
        )
        return {}
    sec = r.section(raw, where, IMAGE_KEYS)
    out: dict[str, bool] = {}
    for key in IMAGE_KEYS:
        if key in sec:
            out[key] = r.boolean(sec, key, where, bool(getattr(ImageSettings, key)))
    return out


def _options(r: SectionReader, raw: Any, where: str, row: platforms.Platform) -> dict[str, object]:
    sec = r.section(raw, where, row.options)
    out: dict[str, object] = {}
    for key, opt in row.options.items():
        if key not in sec:
            if opt.required:
                r.fail(f"{where}.{key}", f"missing (a {row.title} target needs it)", opt.help)
            else:
                out[key] = opt.default
            continue
        problem = _option_problem(sec[key], opt)
        if problem:
            r.fail(f"{where}.{key}", problem, opt.help)
            continue
        value = sec[key]
        out[key] = float(value) if opt.kind is float else value
    return out


def _option_problem(value: object, opt: Option) -> str | None:
    if opt.default is None and value is None:
        return None
    kind_ok = isinstance(value, opt.kind) or (opt.kind is float and isinstance(value, int))
    if isinstance(value, bool) and opt.kind is not bool:
        kind_ok = False
    if not kind_ok:
        return f"must be {_KIND_WORDS.get(opt.kind, opt.kind.__name__)}, not {value!r}"
    if opt.choices and value not in opt.choices:
        return f"must be one of {', '.join(opt.choices)}, not {value!r}"
    if opt.positive and isinstance(value, int | float) and not value > 0:
        return f"must be more than 0, not {value!r}"
    if opt.url and isinstance(value, str) and not value.startswith(("https://", "http://")):
        return f"must be a URL (https://...), not {value!r}"
    return None


def language_problem(tag: object) -> str | None:
    """Why ``tag`` is not a language tag a platform takes (``None`` if it is one): an ISO
    639 language (``en``, ``fr``, ``yue``), optionally a script and a region."""
    if not isinstance(tag, str):
        return f"must be a language tag such as en or pt-BR, not {tag!r}"
    match = _LANGUAGE_TAG.match(tag)
    if match is None:
        return f"'{tag}' is not a language tag"
    import pycountry  # only when a config sets a language

    code = match.group(1)
    known = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
    )
    if known is None:
        return f"'{code}' is not an ISO 639 language code"
    return None


def parse_posting(r: SectionReader, raw: Any) -> PostingConfig:
    """The ``posting:`` section (absent or empty: the defaults)."""
    default = PostingConfig()
    sec = r.section(raw, "posting", POSTING_KEYS)
    retry_sec = r.section(
        sec.get("retry"), "posting.retry", ("base_seconds", "cap_seconds", "max_attempts")
    )
    d = default.retry
    retry = RetryConfig(
        base_seconds=r.number(
            retry_sec, "base_seconds", "posting.retry", d.base_seconds, positive=True
        ),
        cap_seconds=r.number(
            retry_sec, "cap_seconds", "posting.retry", d.cap_seconds, positive=True
        ),
        max_attempts=int(
            r.number(
                retry_sec,
                "max_attempts",
                "posting.retry",
                d.max_attempts,
                positive=True,
                integer=True,
            )
        ),
    )
    old_posts = r.choice(sec, "old_posts", "posting", ("past_tense", "skip"))
    fallback = r.choice(sec, "images_fallback", "posting", ("text_only", "wait"))
    return PostingConfig(
        max_age_hours=r.number(
            sec, "max_age_hours", "posting", default.max_age_hours, positive=True
        ),
        old_posts="skip" if old_posts == "skip" else "past_tense",
        retry=retry,
        images_fallback="wait" if fallback == "wait" else "text_only",
        images_max_delay_minutes=r.number(
            sec, "images_max_delay_minutes", "posting", default.images_max_delay_minutes
        ),
    )
