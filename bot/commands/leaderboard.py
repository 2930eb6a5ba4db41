"""``spacebot leaderboard``: the standings behind a record, to check before it is announced."""

from __future__ import annotations

import argparse

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    parse_instant,
    print_json,
)
from bot.core.engine import known_scopes, standings
from bot.core.model import iso
from bot.core.wording import days_hours
from bot.errors import UserError


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "leaderboard",
        "Show the standings for consecutive or cumulative time in space, in one scope, at one "
        "instant.",
        "  spacebot leaderboard --kind cumulative\n"
        "  spacebot leaderboard --kind consecutive --scope US --at 2015-10-29T05:00:00Z\n"
        "  spacebot leaderboard --kind cumulative --scope women --top 5 --format json\n",
    )
    p.add_argument("--kind", choices=("consecutive", "cumulative"), default="cumulative")
    p.add_argument(
        "--scope",
        default="world",
        help="world, a country code (US, RU, ...), women, or one of your own scopes",
    )
    p.add_argument("--at", metavar="INSTANT", help="date or instant (default: now)")
    p.add_argument("--top", type=int, default=10, metavar="N")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_config_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.live import load_mission_data

    config = config_of(args, ctx)
    dataset = load_mission_data(config)
    at = parse_instant(args.at, config) if args.at else ctx.clock()
    scopes = known_scopes(dataset, config.rules)
    if args.scope not in scopes:
        raise UserError(f"unknown scope '{args.scope}': known scopes are {', '.join(scopes)}")
    rows = standings(dataset, config.rules, args.kind, args.scope, at)[: max(args.top, 0)]
    if args.format == "json":
        for row in rows:
            print_json(
                ctx,
                {
                    "rank": row.rank,
                    "person": row.person,
                    "name": row.name,
                    "country": row.country,
                    "value_seconds": row.value_seconds,
                    "in_space": row.in_space,
                    "followed_until": iso(row.followed_until) if row.followed_until else None,
                    "at": iso(at),
                },
            )
        return 0
    label = "single flight" if args.kind == "consecutive" else "total time in space"
    print(f"Longest {label}, {args.scope}, at {iso(at)}:", file=ctx.stdout)
    for row in rows:
        flag = "  (in space)" if row.in_space else ""
        if row.followed_until is not None:
            flag = f"  (in space when the data ends, {iso(row.followed_until)})"
        print(
            f"{row.rank:>4}. {row.name:<32} {row.country}  {days_hours(row.value_seconds):>22}"
            f"  {row.value_seconds:>11} s{flag}",
            file=ctx.stdout,
        )
    stale = [row for row in rows if row.followed_until is not None]
    if stale:
        print(
            f"note: the data does not follow {len(stale)} of these past their planned landing: "
            "their values stop where the data ends.  `spacebot sync` brings newer data "
            "(or update the mission data).",
            file=ctx.stdout,
        )
    return 0
