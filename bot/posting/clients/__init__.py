"""Platform adapters: one module per platform, each a :class:`~bot.posting.clients.base.Client`.

Which module serves a platform is written in the platform table
(:data:`bot.core.platforms.PLATFORMS`, its ``adapter``); a module is imported only when
a target of that platform is opened, so a command that never posts to Bluesky never
pays for importing atproto (0.5 s), nor tweepy or Mastodon.py.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.core.platforms import PLATFORMS, PlatformSpec
from bot.errors import ConfigError, Problem, UserError
from bot.files.targets import TargetConfig
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    ClientError,
    Duplicate,
    MediaExpired,
    MediaNotReady,
    MediaRef,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
)

__all__ = [
    "AuthFailed",
    "Client",
    "ClientError",
    "Duplicate",
    "MediaExpired",
    "MediaNotReady",
    "MediaRef",
    "PostRef",
    "RateLimited",
    "Rejected",
    "Transient",
    "adapter_class",
    "open_clients",
    "spec_of",
]


def spec_of(target: TargetConfig, client: Client) -> PlatformSpec:
    """How posts for ``target`` are fitted: the table's rule, with the account's own
    limit when its platform tells it (:meth:`Client.text_limit`) and the operator set
    no override option."""
    spec = target.spec
    row = PLATFORMS[target.platform]
    if row.limit_option is not None and target.options.get(row.limit_option) is not None:
        return spec  # the operator's override wins
    limit = client.text_limit()
    return replace(spec, limit=limit) if limit else spec


def adapter_class(platform: str) -> type[Client]:
    """The adapter class of a platform of the table (imports its module)."""
    module_name, _, class_name = PLATFORMS[platform].adapter.partition(":")
    cls: type[Client] = getattr(importlib.import_module(module_name), class_name)
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
        try:
            clients[target.name] = adapter_class(target.platform).create(
                target, env, state_dir=state_dir, stdout=stdout or sys.stdout, source=source
            )
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        for client in clients.values():
            client.close()
        raise ConfigError(problems)
    return clients
