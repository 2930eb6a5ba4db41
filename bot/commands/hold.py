"""``spacebot hold``: keep posts back (a person's, or one post) until released."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    writable_state_dir,
)
from bot.errors import UserError, did_you_mean

if TYPE_CHECKING:
    from bot.files.config import Config


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "hold",
        "Hold the open posts about a person (and every later one, until released), or one "
        "post by its key: they stay in the outbox, state 'held', and are not sent.  For "
        "example while the fate of a crew is unclear.  Safe while the daemon runs.",
        "  spacebot hold sunita-williams --reason 'return date unclear'\n"
        "  spacebot hold 'scott-kelly/record_cumulative/US/32976480'\n"
        "  spacebot status                 # shows what is held, and why\n"
        "  spacebot release sunita-williams\n",
    )
    p.add_argument("what", metavar="PERSON|KEY", help="a person id, or a post key (status)")
    p.add_argument("--reason", default="", help="why (shown by status)")
    add_config_args(p, data=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.posting.holds import hold
    from bot.posting.outbox import Outbox

    config = config_of(args, ctx)
    what = args.what.strip()
    state_dir = writable_state_dir(config)
    with Outbox.open(state_dir, sender=False) as outbox:
        if "/" in what:  # a post key: it must be queued already
            if not any(item.key == what or what in item.key.split("+") for item in outbox.items()):
                raise UserError(
                    f"no post with key '{what}' in the outbox: nothing to hold (spacebot "
                    "status lists them; to hold posts not queued yet, hold the person)"
                )
        else:
            known_person(config, what)
        held = hold(outbox, state_dir, what, args.reason, ctx.clock())
    for line in held:
        print(f"held: {line}", file=ctx.stdout)
    kind = "a post key" if "/" in what else "a person: their later posts are held too"
    print(f"{len(held)} post(s) held ({what}: {kind})", file=ctx.stdout)
    return 0


def known_person(config: Config, person: str) -> None:
    """:class:`UserError` unless ``person`` is the id of someone in the mission data."""
    from bot.files.live import load_mission_data

    ids = {p.id for p in load_mission_data(config).people}
    if person in ids:
        return
    close = did_you_mean(person, ids) if person else None
    hint = f"did you mean '{close}'? " if close else ""
    raise UserError(
        f"'{person}' is no person id in the mission data: {hint}give a person id "
        "(as in `spacebot upcoming --format json`, field person) or a post key "
        "(spacebot status)"
    )
