"""``spacebot status``: what the outbox holds, per target (read-only, safe while posting)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of
from bot.core.model import iso
from bot.errors import UserError
from bot.files.config import Config
from bot.posting.outbox import DB_NAME, STATES, Outbox, OutboxItem, TargetStatus


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "status",
        "Show the outbox: how many posts are pending, posted, failed or skipped for each "
        "target, the oldest pending one, targets stopped by refused credentials or "
        "rate limits, pictures waiting to be uploaded, and posts that went out without "
        "their pictures.  Read-only: safe while the daemon posts.",
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
    from bot.posting.holds import held_people

    config = config_of(args, ctx)
    state_dir: Path = args.state_dir or config.state_dir
    if state_dir.exists() and not state_dir.is_dir():
        raise UserError(
            f"{state_dir} is a file, not a state directory: pass --config or --state-dir "
            "naming the directory the bot writes to"
        )
    damaged: UserError | None = None  # a damaged sync memory: shown, the rest still shown
    try:
        live = _live(config, state_dir) if config.ll2.enabled else None
    except UserError as exc:
        damaged, live = exc, {"error": str(exc), "last_attempt": None}
    people = held_people(state_dir)
    statuses: list[TargetStatus] = []
    held: list[OutboxItem] = []
    withdrawn: list[OutboxItem] = []
    without: list[OutboxItem] = []  # posts whose pictures were given up
    try:
        outbox = Outbox.open(state_dir, readonly=True)
    except FileNotFoundError:
        if damaged is not None:
            raise damaged from None
        if (live is None or live["last_attempt"] is None) and not people:
            raise UserError(
                f"no outbox in {state_dir} (looked for {state_dir / DB_NAME}); pass --config "
                "or --state-dir, or run the bot once to create it"
            ) from None
    else:
        try:
            statuses = outbox.status()
            held = outbox.held_items()
            items = outbox.items()
            withdrawn = [i for i in items if i.state == "withdrawn"]
            without = [i for i in items if i.media_fallback]
        finally:
            outbox.close()
    if args.format == "json":
        data = {
            "targets": [_as_json(s) for s in statuses],
            "held": [_item_json(i) for i in held],
            "held_people": dict(people),
            "withdrawn": [_item_json(i) for i in withdrawn],
            "without_pictures": [
                _item_json(i) | {"pictures_reason": i.media_fallback} for i in without
            ],
            "live": live,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False), file=ctx.stdout)
        if damaged is not None:
            raise damaged
        return 0
    now = ctx.clock()
    out = ctx.stdout
    if live is not None and damaged is None:
        _print_live(ctx, live, now)
    for person, reason in people.items():
        why = f": {reason}" if reason else ""
        print(f"held person: {person}{why} (spacebot release {person})", file=out)
    if not statuses:
        print("The outbox is empty.", file=out)
        if damaged is not None:
            raise damaged
        return 0
    width = max(len(s.target) for s in statuses)
    header = f"{'target':<{width}}  " + "  ".join(f"{state:>9}" for state in STATES)
    print(header + "  oldest pending", file=out)
    for s in statuses:
        counts = "  ".join(f"{s.counts.get(state, 0):>9}" for state in STATES)
        oldest = "-"
        if s.oldest_pending_due is not None:
            age = now - s.oldest_pending_due
            oldest = iso(s.oldest_pending_due)
            if age.total_seconds() > 0:
                oldest += f" ({age.total_seconds() / 3600:.1f} h ago)"
        print(f"{s.target:<{width}}  {counts}  {oldest}", file=out)
    for s in statuses:
        if s.blocked_at is not None:
            print(
                f"blocked: {s.target} since {iso(s.blocked_at)}: "
                f"{s.blocked_reason} (fix its credentials; its posts wait)",
                file=out,
            )
        if s.rate_limited_until is not None and s.rate_limited_until > now:
            print(f"rate limited: {s.target} until {iso(s.rate_limited_until)}", file=out)
        if s.media_waiting:
            n = s.media_waiting
            print(
                f"pictures: {s.target}: {n} picture{'s' if n != 1 else ''} waiting to be "
                "uploaded (right before their post goes out)",
                file=out,
            )
    for item in held:
        print(f"held: {item.target} {item.key} ({iso(item.crossing)}): {item.reason}", file=out)
    for item in withdrawn:
        print(f"withdrawn: {item.target} {item.key}: {item.reason}", file=out)
    for item in without:
        print(f"without pictures: {item.target} {item.key}: {item.media_fallback}", file=out)
    if damaged is not None:
        raise damaged
    return 0


def _live(config: Config, state_dir: Path) -> dict[str, Any]:
    """What the live data is and how fresh (from the sync's memory and the overlay)."""
    from bot.files.data import load_dataset
    from bot.files.live import overlay_path
    from bot.sources.ll2.sync import load_state

    state = load_state(state_dir)
    path = overlay_path(state_dir)
    people = flights = 0
    if path.is_file():
        overlay = load_dataset(path)
        people = len(overlay.people)
        flights = sum(len(p.flights) for p in overlay.people)
    return {
        "source": config.ll2.base_url,
        "last_good_sync": iso(state.last_good) if state.last_good else None,
        "last_attempt": iso(state.last_attempt) if state.last_attempt else None,
        "last_error": state.last_error,
        "overlay": str(path) if path.is_file() else None,
        "overlay_people": people,
        "overlay_flights": flights,
        "quarantined": [str(r) for r in state.quarantined],
        "launches_due": [iso(t) for t in state.launches_due],
    }


def _print_live(ctx: Context, live: dict[str, Any], now: datetime) -> None:
    out = ctx.stdout
    good = live["last_good_sync"]
    if good is None:
        print(f"live data: no good sync yet with {live['source']}", file=out)
    else:
        age = (now - datetime.fromisoformat(good)).total_seconds() / 3600
        print(
            f"live data: last good sync {good} ({age:.1f} h ago); overlay "
            f"{live['overlay_people']} people, {live['overlay_flights']} flights",
            file=out,
        )
    if live["last_error"]:
        print(
            f"live data: last attempt {live['last_attempt']} failed: {live['last_error']}", file=out
        )
    for line in live["quarantined"]:
        print(f"quarantined: {line}", file=out)


def _item_json(item: OutboxItem) -> dict[str, object]:
    return {
        "target": item.target,
        "key": item.key,
        "kind": item.kind,
        "people": list(item.people),
        "crossing": iso(item.crossing),
        "due": iso(item.due),
        "state": item.state,
        "reason": item.reason,
    }


def _as_json(s: TargetStatus) -> dict[str, object]:
    return {
        "target": s.target,
        "counts": s.counts,
        "oldest_pending_due": iso(s.oldest_pending_due) if s.oldest_pending_due else None,
        "blocked": s.blocked_at is not None,
        "blocked_at": iso(s.blocked_at) if s.blocked_at else None,
        "blocked_reason": s.blocked_reason or None,
        "rate_limited_until": iso(s.rate_limited_until) if s.rate_limited_until else None,
        "pictures_waiting": s.media_waiting,
        "without_pictures": s.without_media,
    }
