"""What a command checks and prepares from the configuration before it does any work.

* :func:`setup_problems`: the templates against the configured targets' platforms, and
  the targets' credentials (``validate``, and every check's load);
* :func:`render_posts`: the posts a set of milestones becomes, per configured or named
  platform (``preview``, ``upcoming``, a check).

Apart from :mod:`bot.pipeline` so that the commands that only render (a preview) never
import the outbox, the poster or the platforms' adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.core import platforms
from bot.core.milestone import Milestone
from bot.core.platforms import PlatformSpec
from bot.core.post import Post
from bot.core.render import check_templates, render
from bot.core.templates import TemplateSet
from bot.errors import Problem, UserError
from bot.files.config import LL2_TOKEN_ENV, TOKEN_WHERE, Config, token_given
from bot.files.secrets import check_secret
from bot.files.templates import load_templates


def setup_problems(
    config: Config, env: Mapping[str, str], *, credentials: bool
) -> tuple[TemplateSet | None, list[Problem]]:
    """The templates, and every problem with them and the targets' credentials.

    Templates are checked against the configured targets' platforms only (a Mastodon
    target with ``max_chars: 5000`` may carry long wording; an unconfigured X may not
    matter).  Credentials are checked unless ``credentials`` is false (a dry run).
    """
    problems: list[Problem] = []
    templates: TemplateSet | None = None
    try:
        templates = load_templates(config.templates)
    except UserError as exc:
        problems.extend(exc.problems)
    else:
        specs = [target.spec for target in config.targets]
        problems.extend(check_templates(templates, specs, config.render))
    if credentials:
        for target in config.targets:
            for var in target.credential_vars.values():
                problem = check_secret(env, var, where=f"target '{target.name}'")
                if problem is not None:
                    problems.append(problem)
    if config.live and token_given(env):  # optional: checked only when given
        problem = check_secret(env, LL2_TOKEN_ENV, where=TOKEN_WHERE)
        if problem is not None:
            problems.append(problem)
    return templates, problems


def render_posts(
    milestones: Sequence[Milestone],
    config: Config,
    templates: TemplateSet,
    platform_names: Iterable[str] = (),
    *,
    late: bool = True,
) -> dict[str, list[Post]]:
    """Posts per platform: the named platforms (with their default limits), else every
    configured target's (a rehearsal renders as the platform it mimics); ``late``: with
    their past-tense wording too."""
    names = list(platform_names)
    for name in names:
        if name not in platforms.PLATFORMS:
            raise UserError(f"unknown platform '{name}': use one of {', '.join(platforms.names())}")
    specs = [platforms.spec(n) for n in names] or [t.spec for t in config.targets]
    labels = _labels(specs)
    return {
        labels[spec]: render(milestones, templates, spec, config.render, late=late)
        for spec in dict.fromkeys(specs)
    }


def _labels(specs: Sequence[PlatformSpec]) -> dict[PlatformSpec, str]:
    unique = list(dict.fromkeys(specs))
    clash = {s.platform for s in unique if sum(o.platform == s.platform for o in unique) > 1}
    return {s: f"{s.platform} ({s.limit})" if s.platform in clash else s.platform for s in unique}
