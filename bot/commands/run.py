"""``spacebot run``: the daemon (daily check, each post at its instant, until SIGTERM)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.commands.common import add_config_args, add_parser, load_config_from
from bot.daemon.scheduler import Daemon, InstanceLock, load_pipeline_factory, opened, with_state_dir
from bot.files.config import Config
from bot.logs import LOG_FORMATS, setup_logging

if TYPE_CHECKING:
    from bot.cli import Context

LOG_FORMAT_ENV = "SPACEBOT_LOG_FORMAT"


def add_log_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help=f"log lines on stderr: human-readable text, or one JSON object per line "
        f"(default: ${LOG_FORMAT_ENV}, else text)",
    )


def log_format(args: argparse.Namespace, ctx: Context) -> str:
    chosen: str = args.log_format or ctx.env.get(LOG_FORMAT_ENV) or "text"
    return chosen if chosen in LOG_FORMATS else "text"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(
        sub,
        "run",
        "Run as a daemon: a check at start-up (catch-up after downtime), then one check a "
        "day at schedule.check_time, each post sent at its due instant.  SIGTERM or "
        "SIGINT stops cleanly (exit 0) once a post in flight is out; SIGHUP reloads data, "
        "templates and configuration (bad new input is refused and the last good one "
        "kept).  One daemon per state directory (exit 2 if another holds it).",
        "  spacebot run --dry-run                 # a rehearsal: posts are only logged\n"
        "  spacebot run --config /etc/spacebot/config.yaml\n"
        "  spacebot run --log-format json         # for journald, Loki, CloudWatch...\n"
        "  kill -HUP $(pidof spacebot)            # reload after editing the data\n",
    )
    add_config_args(p, data=False)
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

    def load() -> Config:
        return with_state_dir(load_config_from(args, ctx), ctx.env)

    config = load()
    make_pipeline = load_pipeline_factory()
    # the lock first: make_pipeline opens the outbox
    with (
        InstanceLock(config.state_dir),
        opened(make_pipeline(config, ctx, args.dry_run)) as pipeline,
    ):
        daemon = Daemon(pipeline, config, clock=ctx.clock, dry_run=args.dry_run, config_loader=load)
        return daemon.run()
