"""``spacebot status``: what the outbox holds, per target (read-only, safe while posting)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of
from bot.core.model import iso
from bot.errors import UserError
from bot.posting.outbox import DB_NAME, STATES, Outbox, TargetStatus


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "status",
        "Show the outbox: how many posts are pending, posted, failed or skipped for each "
        "target, the oldest pending one, and targets stopped by refused credentials or "
        "rate limits.  Read-only: safe while the daemon posts.",
        "  spacebot status\n"
        "  spacebot status --config /etc/spacebot/config.yaml --format json\n"
        "  SPACEBOT_STATE_DIR=/data spacebot status\n",
    )
    add_config_args(p, data=False)
    p.add_argument(
        "--state-dir",
        type=Path,
        help="the state directory holding the outbox (default: $SPACEBOT_STATE_DIR, else "
        "the config's state_dir, else ./state)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    state_dir: Path = args.state_dir or config_of(args, ctx).state_dir
    try:
        outbox = Outbox.open(state_dir, readonly=True)
    except FileNotFoundError:
        raise UserError(
            f"no outbox in {state_dir} (looked for {state_dir / DB_NAME}); pass --config "
            "or --state-dir, or run the bot once to create it"
        ) from None
    try:
        statuses = outbox.status()
    finally:
        outbox.close()
    if args.format == "json":
        print(json.dumps([_as_json(s) for s in statuses], indent=2), file=ctx.stdout)
        return 0
    if not statuses:
        print("The outbox is empty.", file=ctx.stdout)
        return 0
    now = ctx.clock()
    width = max(len(s.target) for s in statuses)
    header = f"{'target':<{width}}  " + "  ".join(f"{state:>7}" for state in STATES)
    print(header + "  oldest pending", file=ctx.stdout)
    for s in statuses:
        counts = "  ".join(f"{s.counts.get(state, 0):>7}" for state in STATES)
        oldest = "-"
        if s.oldest_pending_due is not None:
            age = now - s.oldest_pending_due
            oldest = iso(s.oldest_pending_due)
            if age.total_seconds() > 0:
                oldest += f" ({age.total_seconds() / 3600:.1f} h ago)"
        print(f"{s.target:<{width}}  {counts}  {oldest}", file=ctx.stdout)
    for s in statuses:
        if s.blocked_at is not None:
            print(
                f"blocked: {s.target} since {iso(s.blocked_at)}: "
                f"{s.blocked_reason} (fix its credentials; its posts wait)",
                file=ctx.stdout,
            )
        if s.rate_limited_until is not None and s.rate_limited_until > now:
            print(
                f"rate limited: {s.target} until {iso(s.rate_limited_until)}",
                file=ctx.stdout,
            )
    return 0


def _as_json(s: TargetStatus) -> dict[str, object]:
    return {
        "target": s.target,
        "counts": s.counts,
        "oldest_pending_due": iso(s.oldest_pending_due) if s.oldest_pending_due else None,
        "blocked": s.blocked_at is not None,
        "blocked_at": iso(s.blocked_at) if s.blocked_at else None,
        "blocked_reason": s.blocked_reason or None,
        "rate_limited_until": iso(s.rate_limited_until) if s.rate_limited_until else None,
    }
