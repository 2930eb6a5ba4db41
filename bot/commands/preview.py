"""``spacebot preview``: the posts a date range would produce, in dry-run (nothing is stored).

With ``--images DIR`` it also draws each post's chart(s) as the targets would post them
(``announcements.images``, a target's own ``images``): ``DIR/<sha256>.png`` and its alt
text in ``DIR/<sha256>.txt``.  matplotlib is imported only then.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.common import (
    Context,
    Subparsers,
    add_config_args,
    add_parser,
    config_of,
    is_date,
    milestone_json,
    parse_instant,
    post_of,
    print_json,
    warn_stale,
)
from bot.core import platforms
from bot.core.engine import Result, find_milestones
from bot.core.milestone import Milestone
from bot.core.model import iso
from bot.core.post import Post
from bot.core.wording import days_hours, local
from bot.errors import UserError
from bot.files.config import Config
from bot.files.targets import IMAGE_KEYS, ImageSettings

if TYPE_CHECKING:
    from bot.core.model import Dataset


@dataclass(frozen=True)
class Written:
    """One picture of one post, as written by ``--images``."""

    file: str  # <sha256>.png
    alt: str  # the alt text this platform takes
    alt_file: str  # <sha256>.txt, or <sha256>.<platform>.txt when this platform's differs


# platform label -> post key -> its pictures
Pictures = Mapping[str, Mapping[str, Sequence[Written]]]


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "preview",
        "List the milestones of a date range and the posts they would become, in dry-run: "
        "nothing is posted or stored.",
        "  spacebot preview --from 2015-03-27 --to 2016-03-03\n"
        "  spacebot preview --from 2015-10-01 --to 2015-10-31 --platform bluesky\n"
        "  spacebot preview --from 1961-04-12 --to 2026-07-03 --format json > history.jsonl\n"
        "  spacebot preview --from 2015-10-15 --to 2015-10-15 --images charts/\n",
    )
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE",
        help="first day (in the configured time zone), or an exact instant",
    )
    p.add_argument(
        "--to",
        dest="end",
        required=True,
        metavar="DATE",
        help="last day, included (or an exact instant, excluded)",
    )
    p.add_argument(
        "--platform",
        action="append",
        metavar="NAME",
        help="render for this platform (repeatable; default: the configured "
        f"targets' platforms). Known: {', '.join(platforms.publishing())}",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--images",
        metavar="DIR",
        type=Path,
        help="also draw each post's chart as it would be posted: DIR/<sha256>.png, "
        "its alt text in DIR/<sha256>.txt (DIR/<sha256>.<platform>.txt where a "
        "platform's limit shortens it)",
    )
    add_config_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.live import load_mission_data
    from bot.files.templates import load_templates
    from bot.preflight import render_posts

    config = config_of(args, ctx)
    start = parse_instant(args.start, config)
    end = parse_instant(args.end, config, end_of_day=True)
    if end <= start:
        whole_day = " (a date as --to takes in that whole day)" if is_date(args.end) else ""
        raise UserError(
            f"--to {args.end} must come after --from {args.start}: the window is empty{whole_day}"
        )
    dataset = load_mission_data(config)
    result = find_milestones(dataset, config.rules, start, end)
    warn_stale(ctx, result.horizon, end, [f"{s.name} ({s.mission})" for s in result.stale])
    templates = load_templates(config.templates)
    # the wording due now only: the past tense is the outbox's, for a post gone late
    posts = render_posts(result.milestones, config, templates, args.platform or (), late=False)
    pictures: Pictures | None = None
    if args.images is not None:
        wanted = {label: wanted_images(config, label, bool(args.platform)) for label in posts}
        pictures = write_images(args.images, dataset, config, result.milestones, posts, wanted)
    if args.format == "json":
        write_json(ctx, result.milestones, posts, pictures)
    else:
        window = (
            f"from {args.start} through {args.end}"
            if is_date(args.start) and is_date(args.end)
            else f"from {iso(start)} to {iso(end)}"
        )
        write_text(ctx, config, result, posts, window, pictures)
        if pictures is not None:
            count = len(
                {w.file for by_post in pictures.values() for ws in by_post.values() for w in ws}
            )
            print(f"\n{count} picture{'s' if count != 1 else ''} in {args.images}", file=ctx.stdout)
    return 0


def wanted_images(config: Config, label: str, named: bool) -> ImageSettings:
    """Which posts of platform ``label`` get pictures: ``announcements.images`` for a
    platform named with ``--platform``, else what any target rendered under that label
    wants (its own ``images`` over ``announcements.images``)."""
    if named:
        return config.images
    platform, _, limit = label.partition(" (")
    chosen = [
        config.images_for(t)
        for t in config.targets
        if t.spec.platform == platform and (not limit or f"{t.spec.limit})" == limit)
    ]
    return ImageSettings(**{k: any(getattr(c, k) for c in chosen) for k in IMAGE_KEYS})


def write_images(
    folder: Path,
    dataset: Dataset,
    config: Config,
    milestones: Sequence[Milestone],
    posts: Mapping[str, Sequence[Post]],
    wanted: Mapping[str, ImageSettings],
) -> Pictures:
    """Draw every post's chart(s) into ``folder`` (each distinct chart once, named by
    content) with their alt text; what was written, per platform label and post."""
    from bot.images import png
    from bot.images.draw import draw  # matplotlib: only now
    from bot.images.pictures import alt_for, post_charts

    if folder.exists() and not folder.is_dir():
        raise UserError(f"--images {folder}: not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--images {folder}: cannot create it ({exc.strerror})") from None
    by_key = {m.key: m for m in milestones}
    drawn: dict[object, tuple[str, bytes]] = {}  # chart -> (content hash, PNG)
    alts: dict[str, dict[str, str]] = {}  # content hash -> platform -> alt text
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}  # label -> post -> (hash, platform)
    for label, items in posts.items():
        platform = label.partition(" (")[0]
        for post in items:
            members = [by_key[k] for k in post.key.split("+") if k in by_key]
            if not members or not wanted[label].wants(members[0].kind):
                continue
            charts = post_charts(members, dataset, config.rules, config.render)
            for chart in charts:
                if chart not in drawn:
                    data = draw(chart)
                    drawn[chart] = (png.content_hash(data), data)
                digest = drawn[chart][0]
                alts.setdefault(digest, {})[platform] = alt_for(chart, platform)
                found.setdefault(label, {}).setdefault(post.key, []).append((digest, platform))
    alt_files: dict[tuple[str, str], str] = {}
    for digest, data in drawn.values():
        _write(folder / f"{digest}.png", data)
        per_platform = alts[digest]
        roomiest = max(per_platform.values(), key=len)
        _write(folder / f"{digest}.txt", (roomiest + "\n").encode())
        for platform, alt in per_platform.items():
            name = f"{digest}.txt" if alt == roomiest else f"{digest}.{platform}.txt"
            if alt != roomiest:
                _write(folder / name, (alt + "\n").encode())
            alt_files[digest, platform] = name
    return {
        label: {
            key: [Written(f"{d}.png", alts[d][p], alt_files[d, p]) for d, p in pairs]
            for key, pairs in by_post.items()
        }
        for label, by_post in found.items()
    }


def _write(path: Path, data: bytes) -> None:
    try:
        if path.is_file() and path.read_bytes() == data:
            return
        path.write_bytes(data)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None


def write_json(
    ctx: Context,
    milestones: Sequence[Milestone],
    posts: dict[str, list[Post]],
    pictures: Pictures | None = None,
) -> None:
    by_platform = {platform: post_of(items) for platform, items in posts.items()}
    rows: list[dict[str, object]] = []
    for m in milestones:
        for platform, index in by_platform.items():
            post = index.get(m.key)
            row = milestone_json(m)
            row["platform"] = platform
            row["text"] = "\n\n".join(post.parts) if post else ""
            row["parts"] = list(post.parts) if post else []
            if pictures is not None:
                written = pictures.get(platform, {}).get(post.key, []) if post else []
                row["images"] = [
                    {"file": w.file, "alt": w.alt, "alt_file": w.alt_file} for w in written
                ]
            rows.append(row)
    print_json(ctx, *rows)


def write_text(
    ctx: Context,
    config: Config,
    result: Result,
    posts: dict[str, list[Post]],
    window: str,
    pictures: Pictures | None = None,
) -> None:
    """The posts as text; ``window`` says which span they cover ("from 2015-10-15
    through 2015-10-16", or two instants)."""
    bold = (lambda s: f"\033[1m{s}\033[0m") if ctx.color else (lambda s: s)
    dim = (lambda s: f"\033[2m{s}\033[0m") if ctx.color else (lambda s: s)
    count = len(result.milestones)
    print(
        f"{count} milestone{'s' if count != 1 else ''} {window} "
        f"(times in {config.timezone}); dry-run, nothing is posted.",
        file=ctx.stdout,
    )
    for platform, items in posts.items():
        print(
            f"\n== {platform}: {len(items)} post{'s' if len(items) != 1 else ''}", file=ctx.stdout
        )
        day = None
        index = post_of(items)
        by_post: dict[str, list[Milestone]] = {}
        for m in result.milestones:
            post = index.get(m.key)
            if post is not None:
                by_post.setdefault(post.key, []).append(m)
        for post in items:
            when = local(post.crossing, config.timezone)
            if when.date() != day:
                day = when.date()
                print("\n" + bold(when.strftime("%A %d %B %Y")), file=ctx.stdout)
            members = by_post.get(post.key, [])
            what = ", ".join(sorted({m.kind.value for m in members})) or post.kind
            detail = ""
            if members and members[0].previous:
                prev = members[0].previous
                detail = f" passing {prev.name} ({days_hours(prev.value_seconds)})"
                detail += f" [{', '.join(members[0].scopes)}]"
            print(dim(f"  {when:%H:%M:%S} {what}{detail}"), file=ctx.stdout)
            for i, part in enumerate(post.parts):
                prefix = "    " if i == 0 else "    ↳ "
                print(prefix + part.replace("\n", "\n    "), file=ctx.stdout)
            for w in (pictures or {}).get(platform, {}).get(post.key, []):
                where = "" if w.alt_file == w.file[:-4] + ".txt" else f" in {w.alt_file}"
                line = f"    [picture {w.file}, alt text {len(w.alt)} characters{where}]"
                print(dim(line), file=ctx.stdout)
