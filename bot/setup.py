"""Assembles the posting side from the configuration: templates, platforms, targets.

Kept apart from :mod:`bot.files.config` so that the config stays plain data, and each part
(templates, clients, delivery) parses its own section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.milestone import Milestone
from bot.core.post import Post
from bot.core.render import PlatformSpec, RenderSettings, render
from bot.core.templates import TemplateSet, load_templates
from bot.errors import ConfigError, Problem, UserError
from bot.files.config import Config
from bot.files.secrets import check_secret
from bot.posting.clients import PLATFORMS, platform_class
from bot.posting.poster import PostingConfig, TargetConfig, parse_posting, parse_targets

DEFAULT_TARGETS: list[dict[str, object]] = [{"name": "rehearsal", "platform": "dry-run"}]


def known_platforms() -> list[str]:
    return sorted(PLATFORMS)


def platform_spec(platform: str, options: Mapping[str, object] | None = None) -> PlatformSpec:
    cls = platform_class(platform, source="--platform", where=platform)
    return PlatformSpec(platform, cls.counter, cls.limit_for(options or {}))


def targets_of(config: Config) -> list[TargetConfig]:
    raw = config.targets_raw if config.targets_raw is not None else DEFAULT_TARGETS
    return parse_targets(raw, config.source)


def posting_of(config: Config) -> PostingConfig:
    return parse_posting(config.posting_raw or {}, config.source)


def render_settings(config: Config) -> RenderSettings:
    ann = config.announcements
    return RenderSettings(
        timezone=config.timezone,
        hashtags=ann.hashtags,
        group_crew=ann.group_crew,
        overflow=ann.overflow,
        scope_labels=config.scope_labels(),
    )


def load_template_set(config: Config) -> TemplateSet:
    return load_templates(config.announcements.templates)


def target_spec(target: TargetConfig) -> PlatformSpec:
    return platform_spec(target.platform, target.options)


def render_for(
    milestones: Sequence[Milestone],
    config: Config,
    templates: TemplateSet,
    platforms: Sequence[str] | None = None,
) -> dict[str, list[Post]]:
    """Posts per platform: the named platforms, else every configured target's platform."""
    settings = render_settings(config)
    specs: dict[str, PlatformSpec] = {}
    if platforms:
        for name in platforms:
            specs[name] = platform_spec(name)
    else:
        for target in targets_of(config):
            specs.setdefault(target.platform, target_spec(target))
    return {name: render(milestones, templates, spec, settings) for name, spec in specs.items()}


def check_posting_setup(
    config: Config, env: Mapping[str, str], *, credentials: bool
) -> list[Problem]:
    """Every problem with templates, targets, posting settings and credentials."""
    problems: list[Problem] = []
    targets: list[TargetConfig] = []
    for step in (lambda: targets.extend(targets_of(config)), lambda: posting_of(config)):
        try:
            step()
        except UserError as exc:
            problems.extend(exc.problems)
    try:
        templates = load_template_set(config)
        settings = render_settings(config)
        specs = {t.platform: target_spec(t) for t in targets}
        specs.update({p: platform_spec(p) for p in ("x", "mastodon", "bluesky")})
        templates.check(specs.values(), settings)
    except UserError as exc:
        problems.extend(exc.problems)
    if credentials:
        for target in targets:
            cls = PLATFORMS[target.platform]
            for var in cls.credential_vars(target.name).values():
                problem = check_secret(env, var, where=f"target '{target.name}'")
                if problem is not None:
                    problems.append(problem)
    return problems


def require(problems: list[Problem]) -> None:
    if problems:
        raise ConfigError(problems)
