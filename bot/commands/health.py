"""``spacebot health``: is the daemon alive and posting?  For Docker's HEALTHCHECK."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of
from bot.core.model import iso
from bot.errors import UserError
from bot.files.config import Config

DEFAULT_MAX_AGE_HOURS = 26.0  # a day plus slack (a fall-back day lasts 25 h)


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None
    if not 0 < value <= 100_000:  # also refuses inf and nan
        raise argparse.ArgumentTypeError("must be more than 0 and at most 100000 hours")
    return value


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "health",
        "Exit 0 when the heartbeat (written by 'spacebot run' and 'spacebot check' in the "
        "state directory) shows a check within the last --max-age hours and no stuck "
        "target; else exit 1 with a one-line reason.  Never exits 2 on a bad configuration "
        "(Docker reserves that code): that is exit 1 too.",
        "  spacebot health\n"
        "  spacebot health --max-age 50            # a cron job that runs every other day\n"
        '  HEALTHCHECK CMD ["spacebot", "health"]  # in a Dockerfile\n',
    )
    add_config_args(p, data=False)
    p.add_argument(
        "--max-age",
        metavar="HOURS",
        type=_hours,
        default=DEFAULT_MAX_AGE_HOURS,
        help=f"how old the last check may be (default: {DEFAULT_MAX_AGE_HOURS:g})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.daemon.heartbeat import HEARTBEAT_NAME, assess_health, read_heartbeat

    try:
        config = config_of(args, ctx)
    except UserError as exc:
        print(f"unhealthy: bad configuration: {exc.problems[0]}".splitlines()[0], file=ctx.stderr)
        return 1
    path = config.state_dir / HEARTBEAT_NAME
    try:
        data = read_heartbeat(path)
    except FileNotFoundError:
        print(
            f"unhealthy: no heartbeat at {path} (no check has completed yet, or another "
            "state directory)",
            file=ctx.stderr,
        )
        return 1
    except (OSError, ValueError) as exc:
        print(f"unhealthy: cannot read {path}: {exc}", file=ctx.stderr)
        return 1
    now = ctx.clock()
    reason = assess_health(data, now, timedelta(hours=args.max_age))
    warnings: list[str] = []
    if reason is None:
        reason, warnings = _live_health(config, now)
    if reason:
        print(f"unhealthy: {reason}", file=ctx.stderr)
        return 1
    nxt = data.get("next_delivery")
    pending = f"next post due {nxt}" if nxt else "nothing pending"
    print(
        f"ok: last check {data.get('last_check')}, {pending}, pid {data.get('pid')}",
        file=ctx.stdout,
    )
    for warning in warnings:
        print(f"warning: {warning}", file=ctx.stdout)
    return 0


def _live_health(config: Config, now: datetime) -> tuple[str | None, list[str]]:
    """Unhealthy when no good sync is recent enough while a crew is in space; warnings
    for what the last sync quarantined."""
    if not config.live:
        return None, []
    from bot.files.live import load_mission_data
    from bot.sources.ll2.sync import load_state

    try:
        state = load_state(config.state_dir)
        dataset = load_mission_data(config)
    except UserError as exc:
        return f"live data unreadable: {exc.problems[0]}".splitlines()[0], []
    warnings = [f"quarantined by the last sync: {r}" for r in state.quarantined]
    in_space = any(f.landing is None for p in dataset.people for f in p.flights)
    if not in_space:
        return None, warnings
    limit = config.ll2.stale_after
    last = state.last_good
    if last is None or now - last > limit:
        when = f"since {iso(last)}" if last else "yet"
        why = f" (last attempt: {state.last_error})" if state.last_error else ""
        return (
            f"no good sync with Launch Library 2 {when} while crews are in space "
            f"(limit {limit.days} days){why}: records are withheld until one succeeds",
            warnings,
        )
    return None, warnings
