"""``spacebot release``: let held posts go (the operator's decision)."""

from __future__ import annotations

import argparse

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    writable_state_dir,
)


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "release",
        "Release held posts about a person (and stop holding their later ones), or one "
        "post by its key, whatever held them: awaiting confirmation, a crew lost, or an "
        "operator's hold.  A released post is the operator's decision: it is not held "
        "again, but it is still withdrawn if its milestone no longer holds on the data.  "
        "An old post goes out in the past tense (or is skipped: posting.old_posts).",
        "  spacebot release sunita-williams\n"
        "  spacebot release 'scott-kelly/record_cumulative/US/32976480'\n",
    )
    p.add_argument("what", metavar="PERSON|KEY", help="a person id, or a post key (status)")
    add_config_args(p, data=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.posting.holds import release
    from bot.posting.outbox import Outbox

    config = config_of(args, ctx)
    state_dir = writable_state_dir(config)
    with Outbox.open(state_dir, sender=False) as outbox:
        released = release(outbox, state_dir, args.what.strip(), ctx.clock())
    for line in released:
        print(f"released: {line}", file=ctx.stdout)
    print(f"{len(released)} post(s) released ({args.what})", file=ctx.stdout)
    return 0
