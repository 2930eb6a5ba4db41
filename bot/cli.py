"""The ``spacebot`` command line: parses arguments, runs one command, maps errors to exit codes.

Exit codes: 0 success, 2 bad input (data, config, templates, credentials, arguments),
1 any other failure.  Bad input never shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TextIO

from bot import __version__
from bot.errors import UserError

# The one place where commands are registered: module names under bot.commands.
COMMANDS: tuple[str, ...] = (
    "run",
    "check",
    "preview",
    "upcoming",
    "leaderboard",
    "validate",
    "status",
    "health",
    "import_mcdowell",
)


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


class CommandFunc(Protocol):
    def __call__(self, args: argparse.Namespace, ctx: Context) -> int: ...


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments, which matches our 'bad input' code."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spacebot",
        description="Announces human-spaceflight milestones (records, round numbers of days, "
        "mission ends) on social media.",
        epilog="Run 'spacebot COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"spacebot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"bot.commands.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name == f"bot.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    parser = build_parser()
    args = parser.parse_args(argv)
    func: CommandFunc | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(ctx.stdout)
        return 2
    try:
        return func(args, ctx)
    except UserError as exc:
        print(exc.render(), file=ctx.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `spacebot preview | head`
        return 0
    except Exception as exc:
        logging.getLogger("spacebot").debug("unexpected failure", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}", file=ctx.stderr)
        print(
            "This is a bug in spacebot or a failure of the machine; rerun with "
            "SPACEBOT_DEBUG=1 for the details.",
            file=ctx.stderr,
        )
        if ctx.env.get("SPACEBOT_DEBUG"):
            raise
        return 1
