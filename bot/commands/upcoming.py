"""``spacebot upcoming``: milestones the flights in progress will cross in the next N days."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import timedelta

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    milestone_json,
    post_of,
    print_json,
)
from bot.core.engine import find_milestones
from bot.core.model import iso
from bot.core.wording import local


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "upcoming",
        "Forecast the milestones of the next N days from the flights in progress and their "
        "planned landings; flag those reached only if a crew stays longer than planned.",
        "  spacebot upcoming\n  spacebot upcoming --days 30 --format json\n",
    )
    p.add_argument("--days", type=int, default=90, metavar="N", help="how far ahead (default 90)")
    p.add_argument(
        "--platform", action="append", metavar="NAME", help="also render the post for this platform"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_config_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.data import load_dataset

    config = config_of(args, ctx)
    dataset = load_dataset(config.data)
    now = ctx.clock()
    end = now + timedelta(days=max(args.days, 0))
    # As planned: ongoing flights end at their planned landing (or at as_of without one).
    planned_rules = dataclasses.replace(config.rules, grace=timedelta(0))
    planned = find_milestones(dataset, planned_rules, now, end)
    # If extended: every ongoing flight goes on until the end of the window.
    stretch = end - min(dataset.as_of, now) + timedelta(days=1)
    extended_rules = dataclasses.replace(config.rules, grace=stretch)
    extended = find_milestones(dataset, extended_rules, now, end)
    planned_keys = {m.key for m in planned.milestones}
    rows = [(m, m.key not in planned_keys) for m in extended.milestones]
    if dataset.as_of + config.rules.grace < now and any(
        f.landing is None for p in dataset.people for f in p.flights
    ):
        print(
            f"warning: the data is as of {iso(dataset.as_of)}; flights still open in it may "
            "have ended. Update the mission data before trusting this forecast.",
            file=ctx.stderr,
        )
    posts = {}
    if args.platform:
        from bot.files.templates import load_templates
        from bot.pipeline import render_posts

        posts = render_posts(
            [m for m, _ in rows], config, load_templates(config.templates), args.platform
        )
    indexes = {platform: post_of(items) for platform, items in posts.items()}
    if args.format == "json":
        for m, if_extended in rows:
            row = milestone_json(m)
            row["if_extended"] = if_extended
            for platform, index in indexes.items():
                post = index.get(m.key)
                row[f"text_{platform}"] = "\n\n".join(post.parts) if post else ""
            print_json(ctx, row)
        return 0
    print(
        f"Milestones from {iso(now)} to {iso(end)} ({args.days} days, times in {config.timezone}):",
        file=ctx.stdout,
    )
    if not rows:
        print("  none expected.", file=ctx.stdout)
    for m, if_extended in rows:
        when = local(m.at, config.timezone)
        flag = "  (only if the crew stays longer than planned)" if if_extended else ""
        print(f"  {when:%Y-%m-%d %H:%M}  {m.kind.value:<22} {m.name}{flag}", file=ctx.stdout)
        for index in indexes.values():
            post = index.get(m.key)
            if post:
                print("      " + post.parts[0].replace("\n", "\n      "), file=ctx.stdout)
    return 0
