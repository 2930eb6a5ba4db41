"""``spacebot validate``: check data, config, templates and targets; report every problem."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.common import Subparsers, add_config_args, add_parser, load_config_from
from bot.errors import Problem, UserError
from bot.files.data import load_dataset
from bot.setup import check_posting_setup

if TYPE_CHECKING:
    from bot.cli import Context


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "validate",
        "Check the mission data, the configuration, the templates and the targets' settings "
        "and credentials; report every problem at once (exit 0 only when all is well).",
        "  spacebot validate\n"
        "  spacebot validate --data schedules/\n"
        "  spacebot validate --config /etc/spacebot/config.yaml --data my-flights.yaml\n",
    )
    add_config_args(p)
    p.add_argument(
        "--no-credentials",
        action="store_true",
        help="do not check that every target's credentials are set",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    problems: list[Problem] = []
    try:
        config = load_config_from(args, ctx)
    except UserError as exc:
        problems.extend(exc.problems)
        config = None
    data_path = Path(args.data) if args.data else (config.data if config else None)
    dataset = None
    if data_path is not None:
        try:
            dataset = load_dataset(data_path)
        except UserError as exc:
            problems.extend(exc.problems)
    if config is not None:
        problems.extend(check_posting_setup(config, ctx.env, credentials=not args.no_credentials))
    if problems:
        raise UserError(problems)
    assert config is not None
    assert dataset is not None
    flights = sum(len(p.flights) for p in dataset.people)
    ongoing = sum(1 for p in dataset.people for f in p.flights if f.landing is None)
    print(
        f"ok: {len(dataset.people)} people, {flights} flights ({ongoing} in space), "
        f"data as of {dataset.as_of:%Y-%m-%d %H:%M}Z, from {', '.join(dataset.sources)}",
        file=ctx.stdout,
    )
    print(f"ok: configuration {config.source}", file=ctx.stdout)
    return 0
