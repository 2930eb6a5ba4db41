"""``spacebot sync``: fetch Launch Library 2, merge under the trust rules, show what changed."""

from __future__ import annotations

import argparse

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of
from bot.core.model import iso
from bot.errors import UserError


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "sync",
        "Fetch the live mission data from Launch Library 2 (launches, landings, crews, "
        "people since the last sync), merge it under the trust rules (history wins; "
        "implausible entries are quarantined; records wait for a second sync), and write "
        "the live overlay in the state directory.  Prints what changed and what was "
        "refused.  Exit 1 when LL2 cannot be read (the last good overlay stays), 2 on a "
        "bad configuration.",
        "  spacebot sync --dry-run                 # what would change; writes nothing\n"
        "  spacebot sync --config /etc/spacebot/config.yaml\n"
        "  SPACEBOT_LL2_TOKEN=... spacebot sync    # with an API key (higher rate limit)\n",
    )
    add_config_args(p, data=False)
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.lock import StateLock
    from bot.sources.ll2.errors import LL2Error
    from bot.sources.ll2.sync import sync

    config = config_of(args, ctx)
    if not config.ll2.enabled:
        raise UserError("live data is off (sources.ll2.enabled: false): nothing to sync")
    if config.offline:
        raise UserError(
            "offline (--offline or SPACEBOT_OFFLINE): nothing to sync; drop the option or "
            "unset the variable to fetch from Launch Library 2"
        )
    try:
        if args.dry_run:
            outcome = sync(config, ctx.env, clock=ctx.clock, dry_run=True)
        else:
            with StateLock(config.state_dir):
                outcome = sync(config, ctx.env, clock=ctx.clock)
    except LL2Error as exc:
        print(f"error: {exc}", file=ctx.stderr)
        print("The last good live data stays in use; the next sync tries again.", file=ctx.stderr)
        return 1
    result = outcome.result
    out = ctx.stdout
    head = "would change" if args.dry_run else "changed"
    print(
        f"synced with Launch Library 2 at {iso(result.overlay.as_of)} "
        f"({outcome.requests} requests); {len(result.changes)} {head}, "
        f"{len(result.refused)} refused",
        file=out,
    )
    for line in result.changes:
        print(f"  {line}", file=out)
    for refusal in result.refused:
        print(f"  refused: {refusal}", file=out)
    for line in result.ignored:
        print(f"  ignored: {line}", file=out)
    if args.dry_run:
        print("dry run: nothing written", file=out)
    return 0
