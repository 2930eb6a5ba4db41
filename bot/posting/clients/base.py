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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.files.targets import TargetConfig


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


class ClientError(Exception):
    """A post did not go through.  Messages never contain credentials."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(ClientError):
    """429: wait until ``reset_at`` (UTC; ``None`` when the platform did not say)."""

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class Transient(ClientError):
    """5xx, timeout, connection error: the post MAY have been published; retry later."""


class AuthFailed(ClientError):
    """401, or 403 other than duplicate: the credentials are wrong or lack permission."""


class Duplicate(ClientError):
    """The platform says this exact post already exists (so it was published)."""

    def __init__(self, message: str, existing: PostRef | None = None) -> None:
        super().__init__(message)
        self.existing = existing


class Rejected(ClientError):
    """4xx about the content itself (too long, invalid): retrying will not help."""


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
    def post(self, text: str, *, reply_to: PostRef | None, idempotency_key: str) -> PostRef:
        """Publish ``text`` (as a reply to ``reply_to`` for a thread's later parts)."""

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

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections."""
