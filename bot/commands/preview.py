"""``spacebot preview``: the posts a date range would produce, in dry-run (nothing is stored)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    milestone_json,
    parse_instant,
    post_of,
    print_json,
    warn_stale,
)
from bot.core import platforms
from bot.core.engine import Result, find_milestones
from bot.core.milestone import Milestone
from bot.core.model import iso
from bot.core.post import Post
from bot.core.wording import days_hours, local
from bot.errors import UserError
from bot.files.config import Config


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "preview",
        "List the milestones of a date range and the posts they would become, in dry-run: "
        "nothing is posted or stored.",
        "  spacebot preview --from 2015-03-27 --to 2016-03-03\n"
        "  spacebot preview --from 2015-10-01 --to 2015-10-31 --platform bluesky\n"
        "  spacebot preview --from 1961-04-12 --to 2026-07-03 --format json > history.jsonl\n",
    )
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE",
        help="first day (in the configured time zone), or an exact instant",
    )
    p.add_argument(
        "--to",
        dest="end",
        required=True,
        metavar="DATE",
        help="last day, included (or an exact instant, excluded)",
    )
    p.add_argument(
        "--platform",
        action="append",
        metavar="NAME",
        help="render for this platform (repeatable; default: the configured "
        f"targets' platforms). Known: {', '.join(platforms.publishing())}",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_config_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.live import load_mission_data
    from bot.files.templates import load_templates
    from bot.pipeline import render_posts

    config = config_of(args, ctx)
    start = parse_instant(args.start, config)
    end = parse_instant(args.end, config, end_of_day=True)
    if end <= start:
        raise UserError(f"--to ({iso(end)}) must come after --from ({iso(start)})")
    dataset = load_mission_data(config)
    result = find_milestones(dataset, config.rules, start, end)
    warn_stale(ctx, result.horizon, end, [f"{s.name} ({s.mission})" for s in result.stale])
    templates = load_templates(config.templates)
    posts = render_posts(result.milestones, config, templates, args.platform or ())
    if args.format == "json":
        write_json(ctx, result.milestones, posts)
    else:
        write_text(ctx, config, result, posts, start, end)
    return 0


def write_json(ctx: Context, milestones: Sequence[Milestone], posts: dict[str, list[Post]]) -> None:
    by_platform = {platform: post_of(items) for platform, items in posts.items()}
    for m in milestones:
        for platform, index in by_platform.items():
            post = index.get(m.key)
            row = milestone_json(m)
            row["platform"] = platform
            row["text"] = "\n\n".join(post.parts) if post else ""
            row["parts"] = list(post.parts) if post else []
            print_json(ctx, row)


def write_text(
    ctx: Context,
    config: Config,
    result: Result,
    posts: dict[str, list[Post]],
    start: datetime,
    end: datetime,
) -> None:
    bold = (lambda s: f"\033[1m{s}\033[0m") if ctx.color else (lambda s: s)
    dim = (lambda s: f"\033[2m{s}\033[0m") if ctx.color else (lambda s: s)
    count = len(result.milestones)
    print(
        f"{count} milestone{'s' if count != 1 else ''} from {iso(start)} to {iso(end)} "
        f"(times in {config.timezone}); dry-run, nothing is posted.",
        file=ctx.stdout,
    )
    for platform, items in posts.items():
        print(
            f"\n== {platform}: {len(items)} post{'s' if len(items) != 1 else ''}", file=ctx.stdout
        )
        day = None
        index = post_of(items)
        by_post: dict[str, list[Milestone]] = {}
        for m in result.milestones:
            post = index.get(m.key)
            if post is not None:
                by_post.setdefault(post.key, []).append(m)
        for post in items:
            when = local(post.crossing, config.timezone)
            if when.date() != day:
                day = when.date()
                print("\n" + bold(when.strftime("%A %d %B %Y")), file=ctx.stdout)
            members = by_post.get(post.key, [])
            what = ", ".join(sorted({m.kind.value for m in members})) or post.kind
            detail = ""
            if members and members[0].previous:
                prev = members[0].previous
                detail = f" passing {prev.name} ({days_hours(prev.value_seconds)})"
                detail += f" [{', '.join(members[0].scopes)}]"
            print(dim(f"  {when:%H:%M:%S} {what}{detail}"), file=ctx.stdout)
            for i, part in enumerate(post.parts):
                prefix = "    " if i == 0 else "    ↳ "
                print(prefix + part.replace("\n", "\n    "), file=ctx.stdout)
