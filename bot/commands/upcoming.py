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
from bot.core.rules import staleness_horizon
from bot.core.trust import hold_reason
from bot.core.wording import local


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if not 0 <= value <= 36_500:
        raise argparse.ArgumentTypeError("must be 0 to 36500 days (a hundred years)")
    return value


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "upcoming",
        "Forecast the milestones of the next N days from the flights in progress and their "
        "planned landings; flag those reached only if a crew stays longer than planned.",
        "  spacebot upcoming\n  spacebot upcoming --days 30 --format json\n",
    )
    p.add_argument("--days", type=_days, default=90, metavar="N", help="how far ahead (default 90)")
    p.add_argument(
        "--platform", action="append", metavar="NAME", help="also render the post for this platform"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_config_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.live import load_mission_data

    config = config_of(args, ctx)
    dataset = load_mission_data(config)
    now = ctx.clock()
    end = now + timedelta(days=args.days)
    # Crews whose fate the data does not know (no sync vouches for them lately): no
    # forecast for them at all.
    unknown = {
        person.id: horizon
        for person in dataset.people
        for flight in person.flights
        if (horizon := staleness_horizon(flight, dataset.as_of, config.rules.grace)) is not None
        and horizon < now
    }
    # As planned: ongoing flights end at their planned landing (or when last vouched for).
    planned_rules = dataclasses.replace(config.rules, grace=timedelta(0))
    planned = find_milestones(dataset, planned_rules, now, end)
    # If extended: every ongoing flight goes on until the end of the window.
    stretch = end - min(dataset.as_of, now) + timedelta(days=1)
    extended_rules = dataclasses.replace(config.rules, grace=stretch)
    extended = find_milestones(dataset, extended_rules, now, end)
    planned_keys = {m.key for m in planned.milestones}
    rows = [
        (m, m.key not in planned_keys, hold_reason([m], dataset))
        for m in extended.milestones
        if m.person not in unknown
    ]
    if unknown:
        names = ", ".join(
            f"{dataset.person(pid).name} (known until {iso(when)})"
            for pid, when in sorted(unknown.items(), key=lambda i: i[1])
        )
        print(
            f"warning: the data no longer vouches for these people in space: {names}. "
            "Their fate is unknown, so nothing is forecast for them: run 'spacebot sync' "
            "(or update the mission data).",
            file=ctx.stderr,
        )
    posts = {}
    if args.platform:
        from bot.files.templates import load_templates
        from bot.preflight import render_posts

        posts = render_posts(
            [m for m, _, _ in rows],
            config,
            load_templates(config.templates),
            args.platform,
            late=False,
        )
    indexes = {platform: post_of(items) for platform, items in posts.items()}
    if args.format == "json":
        for m, if_extended, held in rows:
            row = milestone_json(m)
            row["if_extended"] = if_extended
            row["held"] = held
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
    for m, if_extended, held in rows:
        when = local(m.at, config.timezone)
        flag = "  (only if the crew stays longer than planned)" if if_extended else ""
        flag += f"  [held: {held}]" if held else ""
        print(f"  {when:%Y-%m-%d %H:%M}  {m.kind.value:<22} {m.name}{flag}", file=ctx.stdout)
        for index in indexes.values():
            post = index.get(m.key)
            if post:
                print("      " + post.parts[0].replace("\n", "\n      "), file=ctx.stdout)
    return 0
