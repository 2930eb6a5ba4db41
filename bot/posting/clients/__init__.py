"""Platform adapters, registered in one place: :data:`PLATFORMS`.

Adding a platform means one new module with a :class:`~bot.posting.clients.base.Client`
subclass and one line here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import ConfigError, Problem, UserError
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    ClientError,
    Duplicate,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
)

if TYPE_CHECKING:
    from bot.posting.poster import TargetConfig

# The one place platforms are registered: name -> "module:Class".  Modules are
# imported on first use, so a command that never posts to Bluesky never pays for
# importing atproto (0.75 s), nor tweepy or Mastodon.py.
_REGISTRY: dict[str, str] = {
    "dry-run": "bot.posting.clients.dry_run:DryRunClient",
    "x": "bot.posting.clients.x:XClient",
    "mastodon": "bot.posting.clients.mastodon:MastodonClient",
    "bluesky": "bot.posting.clients.bluesky:BlueskyClient",
}


class _Platforms(Mapping[str, "type[Client]"]):
    """A read-only mapping that imports an adapter's module when it is first looked up."""

    def __getitem__(self, name: str) -> type[Client]:
        module_name, _, class_name = _REGISTRY[name].partition(":")
        cls: type[Client] = getattr(importlib.import_module(module_name), class_name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)


PLATFORMS: Mapping[str, type[Client]] = _Platforms()

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
