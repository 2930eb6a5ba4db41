"""The platform table: every fact about each platform, in one place.

One row per platform: how it counts a post's length and its limit, the per-target
defaults (daily cap, pacing), the credentials it needs, the options a target may set,
and where its adapter lives.  Pure data: nothing here imports a platform's SDK, so
``validate``, ``preview --platform`` and the renderer ask this table and never pay
for importing tweepy, Mastodon.py or atproto.

Adding a platform is one adapter module under ``bot/posting/clients/`` and one row
in :data:`PLATFORMS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.core.text_length import Counter


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()  # an option's default when the operator must set it


@dataclass(frozen=True)
class Option:
    """One option a target of this platform may set under ``options:``."""

    kind: type  # str, int, float or bool
    default: object = REQUIRED
    help: str = ""
    choices: tuple[str, ...] = ()  # allowed values (strings)
    positive: bool = False  # numbers must be > 0
    url: bool = False  # strings must start with http:// or https://

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Platform:
    name: str  # as written in the config: "x", "mastodon"...
    title: str  # as written in messages: "X", "Mastodon"...
    adapter: str  # "module:Class", imported only when a target of it posts
    counter: Counter | None  # how it counts length; None: as the platform it rehearses
    limit: int  # post length limit, in the counter's unit
    daily_cap: int  # default posts per rolling 24 hours for one target
    min_interval: float  # default seconds between two posts of one target
    credentials: Mapping[str, str] = field(default_factory=dict)  # field -> what it is
    options: Mapping[str, Option] = field(default_factory=dict)
    limit_option: str | None = None  # the option that overrides ``limit``
    rehearsal: bool = False  # publishes nothing (the dry-run platform)
    # Pictures (sources at the rows): the longest alt text, in code points (never more
    # lenient than any platform's own count); the largest image file; the longest side
    # kept without downscaling (None: none that matters).
    alt_text_limit: int = 0
    image_bytes: int = 0
    image_max_side: int | None = None


@dataclass(frozen=True)
class PlatformSpec:
    """What the renderer needs to fit a post: whose wording, counted how, within what."""

    platform: str  # the wording to use: a publishing platform's name
    counter: Counter
    limit: int


_TIMEOUT = Option(float, 30.0, "seconds to wait for the platform's answer", positive=True)

PLATFORMS: Mapping[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="dry-run",
            title="dry run",
            adapter="bot.posting.clients.dry_run:DryRunClient",
            counter=None,
            limit=0,
            daily_cap=1000,
            min_interval=0.0,
            options={
                "file": Option(str, "", "append posts as JSON lines to this file"),
                "mimic": Option(
                    str,
                    "x",
                    "the platform whose wording and length rule the rehearsal uses",
                    choices=("x", "mastodon", "bluesky"),
                ),
            },
            rehearsal=True,
        ),
        Platform(
            name="x",
            title="X",
            adapter="bot.posting.clients.x:XClient",
            counter="x",
            limit=280,
            daily_cap=17,  # X API free tier: 17 posts per 24 hours per user
            min_interval=300.0,
            credentials={
                "API_KEY": "consumer (API) key",
                "API_SECRET": "consumer (API) secret",
                "ACCESS_TOKEN": "user access token",
                "ACCESS_TOKEN_SECRET": "user access token secret",
            },
            options={
                "base_url": Option(str, "https://api.twitter.com", "API host", url=True),
                "timeout": _TIMEOUT,
            },
            # POST media/metadata/create: alt_text "Must be <= 1000 chars"
            # (developer.x.com ... /post-media-metadata-create; v2 /2/media/metadata takes
            # the same object); docs.x.com/x-api/media: "Image: 5 MB" (5,000,000 taken)
            alt_text_limit=1000,
            image_bytes=5_000_000,
        ),
        Platform(
            name="mastodon",
            title="Mastodon",
            adapter="bot.posting.clients.mastodon:MastodonClient",
            counter="mastodon",
            limit=500,  # Mastodon's default; instances may allow more
            daily_cap=100,
            min_interval=300.0,
            credentials={
                "ACCESS_TOKEN": (
                    "access token (write:statuses, write:media, read:accounts, read:statuses)"
                )
            },
            options={
                "api_base_url": Option(str, help="the instance, https://...", url=True),
                "max_chars": Option(int, None, "the instance's post length limit", positive=True),
                "visibility": Option(
                    str, "public", choices=("public", "unlisted", "private", "direct")
                ),
                "timeout": _TIMEOUT,
            },
            limit_option="max_chars",
            # app/models/media_attachment.rb: MAX_DESCRIPTION_LENGTH = 1_500 (from 420 in
            # PR #11819); IMAGE_LIMIT = ENV['MAX_IMAGE_SIZE'] || 16.megabytes (an instance
            # may change both)
            alt_text_limit=1500,
            image_bytes=16 * 1024 * 1024,
        ),
        Platform(
            name="bluesky",
            title="Bluesky",
            adapter="bot.posting.clients.bluesky:BlueskyClient",
            counter="bluesky",
            limit=300,  # graphemes (app.bsky.feed.post lexicon)
            daily_cap=100,
            min_interval=300.0,
            credentials={"APP_PASSWORD": "app password"},
            options={
                "handle": Option(str, help="the account's handle, e.g. spacebot.bsky.social"),
                "base_url": Option(str, "https://bsky.social", "the PDS", url=True),
                "timeout": _TIMEOUT,
            },
            # social-app src/lib/constants.ts: MAX_ALT_TEXT = 2000 (the lexicon sets none);
            # lexicon app.bsky.embed.images: image blob maxSize 1000000; the app
            # downscales to 2000 px (IMAGE_SIZE_CONFIG_2K_1MB)
            alt_text_limit=2000,
            image_bytes=1_000_000,
            image_max_side=2000,
        ),
    )
}

REHEARSAL = "dry-run"


def names() -> list[str]:
    """Every platform a target may use, sorted."""
    return sorted(PLATFORMS)


def publishing() -> tuple[str, ...]:
    """The platforms that really publish (those with wording of their own)."""
    return tuple(name for name, p in PLATFORMS.items() if not p.rehearsal)


def spec(platform: str, options: Mapping[str, object] | None = None) -> PlatformSpec:
    """How posts for a target of ``platform`` with ``options`` are worded and fitted.

    A rehearsal renders exactly as the platform it mimics would; an option such as
    Mastodon's ``max_chars`` replaces the default limit.
    """
    options = options or {}
    row = PLATFORMS[platform]
    if row.rehearsal:
        mimic = options.get("mimic") or row.options["mimic"].default
        return spec(str(mimic))
    assert row.counter is not None
    limit = row.limit
    if row.limit_option is not None:
        value = options.get(row.limit_option)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            limit = value
    return PlatformSpec(row.name, row.counter, limit)


def alt_text_limit(platform: str) -> int:
    """The alt-text limit of ``platform``; for a rehearsal (or a name not in the table)
    the strictest of the publishing platforms'."""
    row = PLATFORMS.get(platform)
    if row is not None and row.alt_text_limit:
        return row.alt_text_limit
    return min(PLATFORMS[name].alt_text_limit for name in publishing())


def credential_vars(target: str, platform: str) -> dict[str, str]:
    """Credential field -> environment variable, for one target: ``SPACEBOT_<TARGET>_<FIELD>``
    (target ``main-x`` -> ``SPACEBOT_MAIN_X_API_KEY``)."""
    prefix = "SPACEBOT_" + re.sub(r"[^A-Z0-9]", "_", target.upper())
    return {name: f"{prefix}_{name}" for name in PLATFORMS[platform].credentials}
