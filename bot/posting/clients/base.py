"""What every platform adapter offers the poster, and the errors it may raise.

An adapter is small: it validates its options (pure, at config load), reads its
credentials from the environment (at start-up, so a missing one stops the bot
before the first post), and publishes one text.  Everything about retries,
budgets and exactly-once lives in :mod:`bot.posting.poster` and :mod:`bot.posting.outbox`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.core import text_length
from bot.errors import ConfigError, Problem

Counter = text_length.Counter


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


_OPTION_TYPES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
}


class Client(ABC):
    """One configured target (a platform account).

    Subclasses set the class attributes and implement :meth:`post`; they may
    override :meth:`find_recent` to let the poster settle a post whose fate is
    unknown (crash or timeout during the call) without publishing it twice.
    """

    platform: ClassVar[str]
    counter: ClassVar[Counter]
    default_limit: ClassVar[int]
    default_daily_cap: ClassVar[int] = 100
    default_min_interval: ClassVar[float] = 300.0
    # credential field -> what it is (variable: SPACEBOT_<TARGET>_<FIELD>)
    credentials: ClassVar[Mapping[str, str]] = {}
    # option name -> (type, default); ``...`` marks a required option
    options_spec: ClassVar[Mapping[str, tuple[type, object]]] = {}
    # True when sending the same text again with the same idempotency key cannot
    # publish a second copy (server-side idempotency or duplicate detection).
    resend_is_safe: ClassVar[bool] = False

    def __init__(self, name: str, *, limit: int) -> None:
        self.name = name
        self.limit = limit

    def __repr__(self) -> str:
        return f"<{type(self).__name__} target={self.name!r} platform={self.platform!r}>"

    # -- configuration -------------------------------------------------------------

    @classmethod
    def check_options(
        cls, options: Mapping[str, object], *, source: str, where: str
    ) -> tuple[dict[str, object], list[Problem]]:
        """Options with defaults filled in, and every problem found (pure: no I/O)."""
        problems: list[Problem] = []
        result: dict[str, object] = {}
        known = ", ".join(sorted(cls.options_spec)) or "none"
        for key in options:
            if key not in cls.options_spec:
                problems.append(
                    Problem(
                        source,
                        where,
                        f"unknown option {key!r} for platform {cls.platform!r}",
                        f"remove it; known options: {known}",
                    )
                )
        for key, (typ, default) in cls.options_spec.items():
            if key not in options:
                if default is ...:
                    problems.append(
                        Problem(
                            source,
                            where,
                            f"missing option {key!r}",
                            f"add options: {{{key}: ...}}",
                        )
                    )
                else:
                    result[key] = default
                continue
            value = options[key]
            ok = isinstance(value, typ) or (typ is float and isinstance(value, int))
            ok = ok and not (typ in (int, float) and isinstance(value, bool))
            if not ok:
                problems.append(
                    Problem(
                        source,
                        where,
                        f"option {key!r} must be {_OPTION_TYPES.get(typ, typ.__name__)}, "
                        f"not {value!r}",
                        f"fix options.{key}",
                    )
                )
                continue
            result[key] = value
        if not problems:
            problems.extend(cls.extra_checks(result, source=source, where=where))
        return result, problems

    @classmethod
    def extra_checks(
        cls, options: Mapping[str, object], *, source: str, where: str
    ) -> list[Problem]:
        """Platform-specific checks on options that have the right types."""
        return []

    @classmethod
    def credential_vars(cls, target: str) -> dict[str, str]:
        """Credential field -> environment variable for target ``target``."""
        prefix = "SPACEBOT_" + re.sub(r"[^A-Z0-9]", "_", target.upper())
        return {field: f"{prefix}_{field}" for field in cls.credentials}

    @classmethod
    def limit_for(cls, options: Mapping[str, object]) -> int:
        """The length limit with these options."""
        return cls.default_limit

    @classmethod
    @abstractmethod
    def create(
        cls,
        name: str,
        options: Mapping[str, object],
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        """Build the client, reading credentials from ``env``; no network access.

        Raises :class:`ConfigError` naming the variable when a credential is missing.
        """

    # -- publishing ----------------------------------------------------------------

    @property
    def text_counter(self) -> Counter:
        """How this target counts length (a dry run may mimic another platform)."""
        return self.counter

    def measure(self, text: str) -> int:
        """The length of ``text`` as this platform counts it."""
        return measure(text, self.text_counter)

    @abstractmethod
    def post(self, text: str, *, reply_to: PostRef | None, idempotency_key: str) -> PostRef:
        """Publish ``text`` (as a reply to ``reply_to`` for a thread's later parts)."""

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        """The account's recent post with this text/key, if the platform lets us look.

        Called only when an earlier attempt's outcome is unknown.  ``None`` means
        "not found, or cannot tell": the poster then relies on :attr:`resend_is_safe`.
        """
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections."""


def measure(text: str, counter: Counter) -> int:
    """The platform's own count: the renderer's counter, so a post it judged to fit fits."""
    return text_length.measure(text, counter)


def config_error(source: str, where: str, message: str, fix: str = "") -> ConfigError:
    return ConfigError(Problem(source, where, message, fix))
