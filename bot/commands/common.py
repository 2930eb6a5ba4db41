"""What the commands share: the outside world (:class:`Context`), options, loading the
configuration, dates, and the JSON shape of a milestone.

Commands never import each other: what two of them need lives here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from bot.core.milestone import Milestone
from bot.core.model import iso
from bot.core.post import Post
from bot.errors import UserError
from bot.logs import LOG_FORMATS

if TYPE_CHECKING:
    from pathlib import Path

    from bot.files.config import Config

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction

LOG_FORMAT_ENV = "SPACEBOT_LOG_FORMAT"
DEBUG_ENV = "SPACEBOT_DEBUG"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """Everything a command needs from the outside world, so tests can pass their own."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], datetime] = _utc_now

    @property
    def color(self) -> bool:
        """Colours only on a terminal, and never when NO_COLOR is set."""
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty()) and "NO_COLOR" not in self.env

    @property
    def debug(self) -> bool:
        from bot.env import flag

        return flag(self.env, DEBUG_ENV) is True


# --- options ------------------------------------------------------------------------------


def add_parser(sub: Subparsers, name: str, help: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=help,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def add_config_args(parser: argparse.ArgumentParser, data: bool = True) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $SPACEBOT_CONFIG, else ./config.yaml if present, "
        "else built-in defaults)",
    )
    if data:
        parser.add_argument(
            "--data",
            metavar="PATH",
            help="mission data: a YAML file or a directory of them (default: the config's "
            "'data', else the bundled schedules/)",
        )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="make no request to a data source: use what was synced (also: $SPACEBOT_OFFLINE=1)",
    )


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


def config_of(args: argparse.Namespace, ctx: Context) -> Config:
    """The configuration, the one way every command reads it (see
    :func:`bot.files.config.load_config`): ``--config`` and ``--data`` when the command
    has them, the environment, the defaults."""
    from bot.files.config import load_config

    return load_config(
        getattr(args, "config", None),
        ctx.env,
        data=getattr(args, "data", None),
        offline=bool(getattr(args, "offline", False)),
    )


# --- dates --------------------------------------------------------------------------------


def writable_state_dir(config: Config) -> Path:
    """The state directory, created if need be; :class:`UserError` (exit 2) naming the
    problem and the fix when it is a file, cannot be created or is not writable."""
    from bot.files.lock import state_dir_problem

    problem = state_dir_problem(config.state_dir)
    if problem is not None:
        raise UserError(problem)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return config.state_dir


def is_date(text: str) -> bool:
    """Whether a ``--from``/``--to``/``--at`` value is a date (``2015-10-15``), which
    :func:`parse_instant` reads as a whole day, rather than an instant."""
    return len(text) == 10 and text[4] == "-"


def parse_instant(text: str, config: Config, *, end_of_day: bool = False) -> datetime:
    """A date (a whole day in the configured time zone) or an instant (UTC unless an offset)."""
    try:
        if is_date(text):
            day = date.fromisoformat(text)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=config.zone).astimezone(UTC)
        from dateutil import parser as dateparser  # only for an instant (6 ms to import)

        value = dateparser.isoparse(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=config.zone)
        return value.astimezone(UTC)
    except ValueError:
        raise UserError(
            f"'{text}' is not a date or an instant: write 2015-10-15 or 2015-10-15T09:02:00Z"
        ) from None
    except OverflowError:
        raise UserError(f"'{text}' is out of range: give a date between 1900 and 9998") from None


def warn_stale(
    ctx: Context, stale_horizon: datetime | None, until: datetime, stale: list[str]
) -> None:
    if stale_horizon is not None and until > stale_horizon:
        print(
            f"warning: the data is known only until {iso(stale_horizon)} (as_of or planned "
            f"landing, plus grace) for {', '.join(stale)}; records after that are withheld. "
            "Update the mission data (see README: 'Refreshing the data').",
            file=ctx.stderr,
        )


# --- milestones as JSON -------------------------------------------------------------------


def milestone_json(m: Milestone) -> dict[str, Any]:
    return {
        "at": iso(m.at),
        "kind": m.kind.value,
        "person": m.person,
        "name": m.name,
        "country": m.country,
        "scopes": list(m.scopes),
        "value_seconds": m.value_seconds,
        "total_seconds": m.total_seconds,
        "previous": (
            {
                "person": m.previous.person,
                "name": m.previous.name,
                "value_seconds": m.previous.value_seconds,
            }
            if m.previous
            else None
        ),
        "threshold_days": m.threshold_days,
        "mission": m.mission,
        "ranks": [
            {"scope": r.scope, "measure": r.measure, "rank": r.rank, "of": r.of} for r in m.ranks
        ],
        "key": m.key,
    }


def post_of(posts: Sequence[Post]) -> dict[str, Post]:
    """Milestone key -> the post that announces it (a crew post announces several)."""
    out: dict[str, Post] = {}
    for post in posts:
        for key in post.key.split("+"):
            out[key] = post
    return out


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False) makes one a call


def print_json(ctx: Context, *rows: Mapping[str, Any]) -> None:
    """JSON lines, one per row, written at once."""
    if rows:
        ctx.stdout.write("".join(_JSON.encode(row) + "\n" for row in rows))
