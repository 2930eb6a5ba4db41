"""``spacebot import-mcdowell``: regenerate the bundled history from McDowell's lists."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.commands.common import Context, Subparsers
from bot.errors import DataError, Problem
from bot.sources.mcdowell.build import build, render, report
from bot.sources.mcdowell.corrections import parse_corrections
from bot.sources.mcdowell.parse import (
    parse_astro,
    parse_missions_tsv,
    parse_missions_txt,
    parse_rides,
)

BUNDLED_CORRECTIONS = (
    Path(__file__).resolve().parents[1] / "sources" / "mcdowell" / "corrections.yaml"
)
DEFAULT_OUT = Path("schedules/history.yaml")

# The kinds of list, with the file name patterns of planet4589.org's downloads.
PATTERNS: dict[str, re.Pattern[str]] = {
    "rides": re.compile(r"^rides_(\d{4}-\d{2}-\d{2})\.tsv$"),
    "missions": re.compile(r"^missions_(\d{4}-\d{2}-\d{2})\.tsv$"),
    "astro": re.compile(r"^astro_(\d{4}-\d{2}-\d{2})\.txt$"),
    "missions_new": re.compile(r"^missions_(\d{4}-\d{2}-\d{2})\.txt$"),
}

DESCRIPTION = """\
Convert Jonathan McDowell's human-spaceflight lists (planet4589.org) into the bundled
mission data: every person who has flown and every ride, up to the lists' date.

Rides up to the rides list's date come from rides_*.tsv; later flights, and landings of
rides still in flight then, from astro_*.txt's mission tags and missions_*.txt.  The
corrections file is applied on top, and every person's total time in space is compared
with astro's (the cross-check).  See docs/data-sources.md."""

EPILOG = """\
examples:
  spacebot import-mcdowell --dir ~/mcdowell
  spacebot import-mcdowell --dir ~/mcdowell --check
  spacebot import-mcdowell --rides rides_2024-05-19.tsv --missions missions_2024-05-19.tsv \\
      --astro astro_2026-07-03.txt --missions-new missions_2026-07-03.txt --out /tmp/h.yaml

exit codes: 0 written (or --check: up to date), 1 --check found a difference,
            2 unreadable input (the message names the file and line)"""


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "import-mcdowell",
        help="regenerate schedules/history.yaml from McDowell's lists",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="folder holding the lists; the newest file of each kind is used",
    )
    p.add_argument("--rides", type=Path, metavar="PATH", help="rides_YYYY-MM-DD.tsv")
    p.add_argument("--missions", type=Path, metavar="PATH", help="missions_YYYY-MM-DD.tsv")
    p.add_argument("--astro", type=Path, metavar="PATH", help="astro_YYYY-MM-DD.txt")
    p.add_argument(
        "--missions-new",
        type=Path,
        metavar="PATH",
        dest="missions_new",
        help="missions_YYYY-MM-DD.txt (the newer, fixed-width list)",
    )
    p.add_argument(
        "--corrections",
        type=Path,
        metavar="PATH",
        default=BUNDLED_CORRECTIONS,
        help="corrections file (default: the bundled one)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        default=DEFAULT_OUT,
        help=f"where to write (default: {DEFAULT_OUT})",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the output would differ from --out",
    )
    p.set_defaults(func=run)


def newest(folder: Path, kind: str) -> Path:
    """The file of a kind with the latest date in its name."""
    pattern = PATTERNS[kind]
    try:
        names = list(folder.iterdir())
    except OSError as exc:
        raise DataError(
            Problem(
                str(folder),
                "--dir",
                f"cannot list it: {exc.strerror or type(exc).__name__}",
                "pass the folder that holds McDowell's lists",
            )
        ) from None
    found = sorted((m[1], path) for path in names if (m := pattern.match(path.name)))
    if not found:
        raise DataError(
            Problem(
                str(folder),
                "folder",
                f"no {kind.replace('_new', '')} list "
                f"(a file named like {pattern.pattern.strip('^$')})",
                f"download it from planet4589.org or pass --{kind.replace('_', '-')} PATH",
            )
        )
    return found[-1][1]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(
            Problem(
                str(path),
                "file",
                f"cannot read: {exc}",
                "check the path and that the file is UTF-8 text",
            )
        ) from exc


def _paths(args: argparse.Namespace) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for kind in PATTERNS:
        given: Path | None = getattr(args, kind)
        if given is not None:
            paths[kind] = given
        elif args.dir is not None:
            paths[kind] = newest(args.dir, kind)
        else:
            raise DataError(
                Problem(
                    "<arguments>",
                    f"--{kind.replace('_', '-')}",
                    "no file given",
                    "pass --dir DIR, or all of --rides, --missions, --astro and --missions-new",
                )
            )
    return paths


def run(args: argparse.Namespace, ctx: Context) -> int:
    paths = _paths(args)
    rides = parse_rides(_read(paths["rides"]), str(paths["rides"]))
    missions = parse_missions_tsv(_read(paths["missions"]), str(paths["missions"]))
    astro = parse_astro(_read(paths["astro"]), str(paths["astro"]))
    missions_new = parse_missions_txt(_read(paths["missions_new"]), str(paths["missions_new"]))
    corrections = parse_corrections(_read(args.corrections), str(args.corrections))
    result = build(
        rides, missions, astro, missions_new, corrections, astro_source=str(paths["astro"])
    )
    text = render(result)
    for kind, path in paths.items():
        print(f"{kind}: {path}", file=ctx.stdout)
    print(report(result), file=ctx.stdout)
    out: Path = args.out
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current == text:
            print(f"{out} is up to date", file=ctx.stdout)
            return 0
        print(
            f"{out} differs from what the lists give; rerun without --check to update it",
            file=ctx.stderr,
        )
        return 1
    from bot.files.atomic import write_atomic

    try:
        write_atomic(out, text, mode=0o644)  # a crash leaves the old history, never half
    except OSError as exc:
        raise DataError(
            Problem(
                str(out),
                "--out",
                f"cannot write it: {exc.strerror or exc}",
                "pass a path you may write",
            )
        ) from None
    print(f"wrote {out}", file=ctx.stdout)
    return 0
