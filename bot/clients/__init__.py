"""Platform adapters, registered in one place: :data:`PLATFORMS`.

Adding a platform means one new module with a :class:`~bot.clients.base.Client`
subclass and one line here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.clients.base import (
    AuthFailed,
    Client,
    ClientError,
    Duplicate,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
)
from bot.clients.bluesky import BlueskyClient
from bot.clients.dry_run import DryRunClient
from bot.clients.mastodon import MastodonClient
from bot.clients.x import XClient
from bot.errors import ConfigError, Problem, UserError

if TYPE_CHECKING:
    from bot.delivery import TargetConfig

PLATFORMS: dict[str, type[Client]] = {
    DryRunClient.platform: DryRunClient,
    XClient.platform: XClient,
    MastodonClient.platform: MastodonClient,
    BlueskyClient.platform: BlueskyClient,
}

__all__ = [
    "PLATFORMS",
    "AuthFailed",
    "Client",
    "ClientError",
    "Duplicate",
    "PostRef",
    "RateLimited",
    "Rejected",
    "Transient",
    "open_clients",
    "platform_class",
]


def platform_class(platform: object, *, source: str, where: str) -> type[Client]:
    """The adapter class for ``platform``; :class:`ConfigError` listing the known ones."""
    cls = PLATFORMS.get(platform) if isinstance(platform, str) else None
    if cls is None:
        raise ConfigError(
            Problem(
                source,
                where,
                f"unknown platform {platform!r}",
                f"use one of: {', '.join(sorted(PLATFORMS))}",
            )
        )
    return cls


def open_clients(
    targets: Sequence[TargetConfig],
    env: Mapping[str, str],
    *,
    state_dir: Path,
    stdout: TextIO | None = None,
    source: str = "<environment>",
) -> dict[str, Client]:
    """One client per target, reading every credential now (no network).

    Every missing credential of every target is reported in one :class:`ConfigError`.
    """
    clients: dict[str, Client] = {}
    problems: list[Problem] = []
    for target in targets:
        cls = platform_class(target.platform, source=source, where=f"target {target.name!r}")
        try:
            clients[target.name] = cls.create(
                target.name,
                target.options,
                env,
                state_dir=state_dir,
                stdout=stdout or sys.stdout,
                source=source,
            )
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        for client in clients.values():
            client.close()
        raise ConfigError(problems)
    return clients
