"""``spacebot check``: one check and the deliveries due by then, then exit (cron jobs)."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from bot.commands.common import (
    add_config_args,
    add_parser,
    iso,
    load_config_from,
    parse_instant,
)
from bot.commands.run import add_log_format, log_format
from bot.daemon.scheduler import (
    HEARTBEAT_NAME,
    Heartbeat,
    InstanceLock,
    deliver_due,
    load_pipeline_factory,
    log_report,
    opened,
    stuck_targets_of,
    with_state_dir,
)
from bot.logs import setup_logging

if TYPE_CHECKING:
    from bot.cli import Context


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        help="check as of this instant (2024-03-10T09:00:00Z; a date means its local "
        "midnight; default: now)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="post through the dry-run adapter whatever the configuration says",
    )
    add_log_format(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    setup_logging(
        ctx.stderr,
        "json" if log_format(args, ctx) == "json" else "text",
        debug=bool(ctx.env.get("SPACEBOT_DEBUG")),
    )
    config = with_state_dir(load_config_from(args, ctx), ctx.env)
    wall = ctx.clock  # the heartbeat says when the check really ran (for `health`)
    at = parse_instant(args.at, config) if args.at else wall()
    # The pipeline checks "as if it were" --at: delivery and past-tense ages see that
    # instant, so a rehearsal of a past day posts what that day would have posted.
    # (The heartbeat keeps the wall clock: it tells when the check really ran.)
    pipeline_ctx = dataclasses.replace(ctx, clock=lambda: at) if args.at else ctx
    make_pipeline = load_pipeline_factory()
    # the lock first: make_pipeline opens the outbox
    with (
        InstanceLock(config.state_dir),
        opened(make_pipeline(config, pipeline_ctx, args.dry_run)) as pipeline,
    ):
        state = Heartbeat(mode="check", dry_run=args.dry_run, started_at=wall())
        report = pipeline.check(at)
        state.checks, state.last_check = 1, wall()
        state.last_check_result = log_report(report, at, "one-shot")
        if args.at:  # time stands still at --at: no waiting for a post due seconds later
            pending = deliver_due(pipeline, at, elapsed=lambda: 0.0, short_wait=0.0)
        else:
            pending = deliver_due(pipeline, at)
        state.deliveries, state.last_delivery, state.next_delivery = 1, at, pending
        state.stuck_targets = stuck_targets_of(pipeline)
        state.write(config.state_dir / HEARTBEAT_NAME, wall())
    counts = state.last_check_result
    line = (
        f"checked {iso(at)}: found {counts['found']}, enqueued {counts['enqueued']}, "
        f"skipped {counts['skipped']}"
    )
    line += f"; next post due {iso(pending)} (left pending)" if pending else "; nothing pending"
    print(line, file=ctx.stdout)
    return 0
