"""``spacebot run``: the daemon (daily check, each post at its instant, until SIGTERM)."""

from __future__ import annotations

import argparse

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_log_format,
    add_parser,
    config_of,
    log_format,
)
from bot.files.config import Config


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "run",
        "Run as a daemon: a check at start-up (catch-up after downtime), then one check a "
        "day at schedule.check_time, each post sent at its due instant.  SIGTERM or "
        "SIGINT stops cleanly (exit 0) once a post in flight is out; SIGHUP reloads data, "
        "templates and configuration and re-plans (bad new input is refused and the last "
        "good one kept).  One daemon per state directory (exit 2 if another holds it).",
        "  spacebot run --dry-run                 # a rehearsal: posts are only logged\n"
        "  spacebot run --config /etc/spacebot/config.yaml\n"
        "  spacebot run --log-format json         # for journald, Loki, CloudWatch...\n"
        "  kill -HUP $(pidof spacebot)            # reload after editing the data\n",
    )
    add_config_args(p, data=False)
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
    from bot.daemon.scheduler import Daemon
    from bot.files.lock import StateLock
    from bot.logs import setup_logging

    setup_logging(ctx.stderr, log_format(args, ctx), debug=ctx.debug)

    def load() -> Config:
        return config_of(args, ctx)

    config = load()
    with StateLock(config.state_dir) as lock:
        opened = pipeline.open_pipeline(
            config, env=ctx.env, clock=ctx.clock, stdout=ctx.stdout, dry_run=args.dry_run, lock=lock
        )
        try:
            daemon = Daemon(opened, config, clock=ctx.clock, dry_run=args.dry_run, load_config=load)
            return daemon.run()
        finally:
            opened.close()
