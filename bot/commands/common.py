"""What several commands share: the --config/--data options, loading, dates, formats."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil import parser as dateparser

from bot.core.model import Dataset
from bot.errors import UserError
from bot.files.config import Config, find_config, load_config
from bot.files.data import load_dataset

if TYPE_CHECKING:
    from bot.cli import Context

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


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


@dataclass(frozen=True)
class Loaded:
    config: Config
    dataset: Dataset


def load_config_from(args: argparse.Namespace, ctx: Context) -> Config:
    return load_config(find_config(getattr(args, "config", None), ctx.env))


def load_all(args: argparse.Namespace, ctx: Context) -> Loaded:
    config = load_config_from(args, ctx)
    data = getattr(args, "data", None)
    dataset = load_dataset(Path(data) if data else config.data)
    return Loaded(config, dataset)


def parse_instant(text: str, config: Config, *, end_of_day: bool = False) -> datetime:
    """A date (a whole day in the configured time zone) or an instant (UTC unless an offset)."""
    try:
        if len(text) == 10 and text[4] == "-":
            day = date.fromisoformat(text)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=config.zone).astimezone(UTC)
        value = dateparser.isoparse(text)
    except ValueError:
        raise UserError(
            f"'{text}' is not a date or an instant: write 2015-10-15 or 2015-10-15T09:02:00Z"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=config.zone)
    return value.astimezone(UTC)


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
