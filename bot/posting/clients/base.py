"""What every platform adapter offers the poster, and the errors it may raise.

An adapter is small: it reads its credentials from the environment (at start-up, so
a missing one stops the bot before the first post) and publishes one text.  Its facts
(length rule, limits, options, credentials, defaults) are its row in the platform table
(:mod:`bot.core.platforms`); its options are checked against that row when the config
is loaded.  Everything about retries, budgets and exactly-once lives in
:mod:`bot.posting.poster` and :mod:`bot.posting.outbox`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.core import platforms
from bot.files.targets import TargetConfig
from bot.images import png


@dataclass(frozen=True)
class PostRef:
    """Where a published post lives.

    ``id`` is the platform's id (Bluesky: the at:// URI); ``url`` a web link;
    ``cid``/``root_id``/``root_cid`` are only used by Bluesky threads (a reply
    names both its parent and the thread's root).  ``id`` is empty when the
    platform confirmed the post exists but did not say where (X's duplicate answer).
    """

    id: str
    url: str = ""
    cid: str = ""
    root_id: str = ""
    root_cid: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> PostRef:
        data = {k: str(v) for k, v in raw.items() if k in cls.__dataclass_fields__}
        data.setdefault("id", "")
        return cls(**data)


@dataclass(frozen=True)
class MediaRef:
    """An image uploaded to a platform, not yet in any post: what :meth:`Client.upload`
    returns and :meth:`Client.post` attaches.  Plain strings and numbers, so the outbox
    can record it (:meth:`to_json`) between the upload and the post, and a restarted bot
    post with it.

    ``id`` is the platform's handle on the upload (X: media id; Mastodon: attachment id;
    Bluesky: the blob's CID).  ``ttl_seconds`` is how long after the upload the platform
    keeps an unused upload (``None``: as long as it likes); past it, upload again.
    ``alt`` is the image description: X and Mastodon store it with the upload, Bluesky
    needs it (with ``width``/``height``, the aspect ratio) in the post itself.
    """

    id: str
    sha256: str  # the image's content hash, its name in the state directory
    ttl_seconds: int | None = None
    mime_type: str = png.MIME_TYPE
    size: int = 0  # bytes
    width: int = 0
    height: int = 0
    alt: str = ""

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> MediaRef:
        def number(key: str) -> int:
            value = raw.get(key)
            return int(value) if isinstance(value, int | float) else 0

        ttl = raw.get("ttl_seconds")
        return cls(
            id=str(raw.get("id", "")),
            sha256=str(raw.get("sha256", "")),
            ttl_seconds=int(ttl) if isinstance(ttl, int | float) else None,
            mime_type=str(raw.get("mime_type") or png.MIME_TYPE),
            size=number("size"),
            width=number("width"),
            height=number("height"),
            alt=str(raw.get("alt", "")),
        )


def retry_after(headers: Mapping[str, str]) -> tuple[float | None, datetime | None]:
    """A 429's ``Retry-After``: (seconds, None), or (None, instant) for an HTTP date, or
    (None, None) when the answer has none."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after", "").strip()
    if value.isdigit():
        return float(value), None
    if value:
        try:
            return None, parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            return None, None
    return None, None


class ClientError(Exception):
    """A post did not go through.  Messages never contain credentials."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(ClientError):
    """429: wait until ``reset_at`` (UTC) and at least ``wait`` seconds from now (the
    answer's Retry-After); both ``None`` when the platform did not say."""

    def __init__(
        self,
        message: str,
        reset_at: datetime | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        wait, date = retry_after(headers or {})
        known = [t for t in (reset_at, date) if t is not None]
        self.reset_at = max(known) if known else None
        self.wait = wait


class Transient(ClientError):
    """5xx, timeout, connection error: the post MAY have been published; retry later."""


class MediaNotReady(Transient):
    """The platform has the upload but is still processing it, so it refused the post
    (nothing was published): post again a little later (Mastodon's 422 "not finished
    processing")."""


class AuthFailed(ClientError):
    """401, or 403 other than duplicate: the credentials are wrong or lack permission."""


class Duplicate(ClientError):
    """The platform says this exact post already exists (so it was published)."""

    def __init__(self, message: str, existing: PostRef | None = None) -> None:
        super().__init__(message)
        self.existing = existing


class Rejected(ClientError):
    """4xx about the content itself (too long, invalid): retrying will not help."""


class MediaExpired(Rejected):
    """The platform no longer knows an uploaded image (its upload expired or was used):
    upload it again, then post.  ``maybe_published`` is true when the platform cannot
    tell "expired" from "already attached to a post" (Mastodon), so the post may have
    gone out: settle that (:meth:`Client.find_recent`) before posting again."""

    def __init__(self, message: str, *, maybe_published: bool = False) -> None:
        super().__init__(message)
        self.maybe_published = maybe_published


class Client(ABC):
    """One configured target (a platform account).

    Subclasses set the class attributes and implement :meth:`post`; they may
    override :meth:`find_recent` to let the poster settle a post whose fate is
    unknown (crash or timeout during the call) without publishing it twice.
    """

    platform: ClassVar[str]  # its row in bot.core.platforms.PLATFORMS holds every fact
    # True when sending the same text again with the same idempotency key cannot
    # publish a second copy (server-side idempotency or duplicate detection).
    resend_is_safe: ClassVar[bool] = False

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} target={self.name!r} platform={self.platform!r}>"

    # -- configuration -------------------------------------------------------------

    @classmethod
    @abstractmethod
    def create(
        cls,
        target: TargetConfig,
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        """Build the client for ``target`` (options checked, defaults filled in), reading
        credentials from ``env`` (``target.credential_vars``); no network access.

        Raises :class:`ConfigError` naming the variable when a credential is missing.
        """

    # -- publishing ----------------------------------------------------------------

    @abstractmethod
    def post(
        self,
        text: str,
        *,
        reply_to: PostRef | None,
        idempotency_key: str,
        media: Sequence[MediaRef] = (),
    ) -> PostRef:
        """Publish ``text`` (as a reply to ``reply_to`` for a thread's later parts), with
        the images ``media`` uploaded by :meth:`upload` (none by default).

        Raises :class:`MediaExpired` when the platform no longer has one of them."""

    def text_limit(self) -> int | None:
        """The account's own post length limit when the platform tells it (a Mastodon
        instance's ``max_characters``), else ``None``: the platform table's, or the
        target's override option.  May use the network once; must never raise."""
        return None

    def check_credentials(self) -> str:
        """Prove the credentials with one read-only call (``validate --online``): the
        account they open (e.g. ``@spacebot``), or :class:`AuthFailed` (refused),
        :class:`RateLimited` or :class:`Transient` (cannot tell now).  Publishes nothing."""
        return ""

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        """The account's recent post with this text/key, if the platform lets us look.

        Called only when an earlier attempt's outcome is unknown.  ``None`` means
        "not found, or cannot tell": the poster then relies on :attr:`resend_is_safe`.
        """
        return None

    def upload(self, image: bytes, alt: str, *, idempotency_key: str) -> MediaRef:
        """Upload one PNG with its alt text, without posting anything; attach the result
        to :meth:`post` (``media=``).

        Checked first against the platform table (image size, alt-text limit), so a
        picture the platform would refuse raises :class:`Rejected` with no network call.
        Raises the same typed errors as :meth:`post`.  Uploading the same image again is
        harmless on every platform (an unused upload is dropped after ``ttl_seconds``),
        so after a crash between upload and post, upload again unless the recorded
        :class:`MediaRef` is still within its ``ttl_seconds``.
        """
        raise Rejected(f"{self.name}: {self.platform} takes no pictures")

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections."""


def check_image(
    client: Client, image: bytes, alt: str, platform: str | None = None
) -> tuple[int, int]:
    """(width, height) of ``image`` if ``platform`` (default: the client's) would take it
    with ``alt``, else :class:`Rejected` saying why, before any network call (the limits
    are rows of the platform table)."""
    platform = platform or client.platform
    row = platforms.PLATFORMS[platform]
    try:
        width, height = png.size(image)
    except ValueError:
        raise Rejected(f"{client.name}: the image is not a PNG") from None
    if row.image_bytes and len(image) > row.image_bytes:
        raise Rejected(
            f"{client.name}: the image has {len(image):,} bytes, "
            f"{row.title} takes at most {row.image_bytes:,}"
        )
    limit = platforms.alt_text_limit(platform)
    if len(alt) > limit:
        raise Rejected(
            f"{client.name}: the alt text has {len(alt):,} characters, "
            f"{row.title} takes at most {limit:,}"
        )
    return width, height
