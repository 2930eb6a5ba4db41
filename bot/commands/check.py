"""``spacebot check``: one check and the deliveries due by then, then exit (cron jobs)."""

from __future__ import annotations

import argparse
import time

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_log_format,
    add_parser,
    config_of,
    log_format,
    parse_instant,
)
from bot.core import platforms
from bot.core.model import iso
from bot.errors import UserError

# A one-shot run waits for a thread's next part, never for a post due later.
THREAD_WAIT = 5.0  # seconds between two parts, at most
TOTAL_WAIT = 30.0  # seconds of waiting in all


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "check",
        "One check (milestones since the last check, enqueued in the outbox), then post "
        "what is due by then, and exit; posts due later stay pending for the next run.  "
        "For cron or a Kubernetes CronJob instead of 'spacebot run'.  Refused (exit 2) "
        "while another spacebot process uses the same state directory.",
        "  spacebot check                          # now\n"
        "  spacebot check --dry-run --at 2024-03-10T09:00:00Z\n"
        "  spacebot check --config /etc/spacebot/config.yaml\n"
        "  # crontab: every day at 09:00\n"
        "  0 9 * * *  spacebot check --config /etc/spacebot/config.yaml\n",
    )
    add_config_args(p, data=False)
    p.add_argument(
        "--at",
        metavar="INSTANT",
        help="rehearse a check as of this instant (2024-03-10T09:00:00Z; a date means "
        "its local midnight; default: now): it looks back catch_up_days, moves no check "
        "position, and needs --dry-run when a target is a real platform",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="post through the dry-run adapter whatever the configuration says "
        "(the configuration is still checked in full; only credentials are not needed)",
    )
    add_log_format(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot import pipeline
    from bot.daemon.heartbeat import HEARTBEAT_NAME, Heartbeat
    from bot.daemon.scheduler import log_report, stuck_targets_of
    from bot.files.lock import StateLock
    from bot.logs import setup_logging

    setup_logging(ctx.stderr, log_format(args, ctx), debug=ctx.debug)
    config = config_of(args, ctx)
    wall = ctx.clock  # the heartbeat says when the check really ran (for `health`)
    at = parse_instant(args.at, config) if args.at else wall()
    live = [t.name for t in config.targets if t.platform != platforms.REHEARSAL]
    if args.at and live and not args.dry_run:
        raise UserError(
            f"check --at rehearses another instant: add --dry-run (target(s) "
            f"{', '.join(live)} would post now, as news, what was due at {iso(at)})"
        )
    # The pipeline checks "as if it were" --at: delivery and past-tense ages see that
    # instant, and time stands still there (no waiting for a post due seconds later).
    clock = (lambda: at) if args.at else wall
    with StateLock(config.state_dir) as lock:
        opened = pipeline.open_pipeline(
            config,
            env=ctx.env,
            clock=clock,
            stdout=ctx.stdout,
            dry_run=args.dry_run,
            lock=lock,
            sleep=(lambda _s: None) if args.at else time.sleep,
        )
        try:
            state = Heartbeat(mode="check", dry_run=args.dry_run, started_at=wall())
            report = opened.check(at, rehearsal=bool(args.at))
            state.checks, state.last_check = 1, wall()
            state.last_check_result = log_report(report, at, "one-shot")
            result = opened.drain(
                max_sleep=0.0 if args.at else THREAD_WAIT,
                max_total=0.0 if args.at else TOTAL_WAIT,
            )
            pending = result.next_due
            state.deliveries, state.last_delivery, state.next_delivery = 1, at, pending
            state.stuck_targets = stuck_targets_of(opened)
            state.write(config.state_dir / HEARTBEAT_NAME, wall())
        finally:
            opened.close()
    counts = state.last_check_result
    line = (
        f"checked {iso(at)}: found {counts['found']}, enqueued {counts['enqueued']}, "
        f"skipped {counts['skipped']}"
    )
    line += f"; next post due {iso(pending)} (left pending)" if pending else "; nothing pending"
    print(line, file=ctx.stdout)
    for name, reason in sorted(state.stuck_targets.items()):
        print(
            f"error: target '{name}': {reason}; its posts stay pending: fix its credentials "
            "and run again",
            file=ctx.stderr,
        )
    return 1 if state.stuck_targets else 0
