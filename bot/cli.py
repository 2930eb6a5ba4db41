"""The ``spacebot`` command line: parses arguments, runs one command, maps errors to exit codes.

Exit codes: 0 success, 2 bad input (data, config, templates, credentials, arguments),
1 any other failure.  Bad input never shows a traceback.

Only the command that runs is imported (``spacebot --help`` imports none): each command
is a module of :mod:`bot.commands` with ``register(subparsers)``, listed once in
:data:`COMMANDS` with its one-line summary.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Protocol

from bot import __version__
from bot.commands.common import Context
from bot.errors import UserError

__all__ = ["COMMANDS", "Context", "main"]

# The one place commands are registered: name -> summary (module: bot.commands.<name>).
COMMANDS: dict[str, str] = {
    "run": "run as a daemon: a check every day, each post at its instant",
    "check": "one check and the posts due by then, then exit (for cron)",
    "preview": "the posts a date range would produce, per platform (dry-run)",
    "upcoming": "milestones the flights in progress will cross in the next days",
    "leaderboard": "the standings behind a record, at any instant",
    "validate": "check data, config, templates, targets and credentials",
    "status": "the outbox: pending, posted, failed posts per target",
    "health": "exit 0 when the daemon checked recently and no target is stuck",
    "sync": "fetch live mission data from Launch Library 2 and merge it, with safeguards",
    "hold": "hold posts about a person (or one post) until released",
    "release": "release held posts (the operator's decision)",
    "import-mcdowell": "regenerate the bundled history from McDowell's lists",
}


class CommandFunc(Protocol):
    def __call__(self, args: argparse.Namespace, ctx: Context) -> int: ...


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser, with the full options of the command named in ``argv`` (if any) and a
    one-line entry for each of the others."""
    parser = argparse.ArgumentParser(
        prog="spacebot",
        description="Announces human-spaceflight milestones (records, round numbers of days, "
        "mission ends) on social media.",
        epilog="Run 'spacebot COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"spacebot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, summary in COMMANDS.items():
        if name == chosen:
            module = importlib.import_module(f"bot.commands.{name.replace('-', '_')}")
            module.register(sub)
        else:
            sub.add_parser(name, help=summary, description=summary)
    return parser


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
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
        from bot.files.secrets import redact

        logging.getLogger("spacebot").debug("unexpected failure", exc_info=True)
        print(f"error: {type(exc).__name__}: {redact(str(exc))}", file=ctx.stderr)
        print(
            "This is a bug in spacebot or a failure of the machine; rerun with "
            "SPACEBOT_DEBUG=1 for the details.",
            file=ctx.stderr,
        )
        if ctx.debug:
            raise
        return 1
