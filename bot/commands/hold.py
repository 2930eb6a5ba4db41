"""``spacebot hold``: keep posts back (a person's, or one post) until released."""

from __future__ import annotations

import argparse

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of


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
    with Outbox.open(config.state_dir, sender=False) as outbox:
        held = hold(outbox, config.state_dir, args.what, args.reason, ctx.clock())
    for line in held:
        print(f"held: {line}", file=ctx.stdout)
    kind = "a post key" if "/" in args.what else "a person: their later posts are held too"
    print(f"{len(held)} post(s) held ({args.what}: {kind})", file=ctx.stdout)
    return 0
