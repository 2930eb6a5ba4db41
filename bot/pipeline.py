"""One check and its deliveries: the imperative shell around the pure engine and renderer.

A check reloads nothing by itself (the daemon calls :meth:`BotPipeline.reload`); it
finds the milestones since the last check (persisted in the state directory), renders
them for every target, and writes them to the durable outbox before any network call.
Delivery then posts what is due, each at its crossing instant (``post_at: crossing``)
or at the check (``post_at: check``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.engine import find_milestones
from bot.core.model import Dataset
from bot.core.render import render
from bot.core.templates import TemplateSet
from bot.errors import UserError
from bot.files.config import Config, find_config, load_config
from bot.files.data import load_dataset
from bot.posting.clients import Client, open_clients
from bot.posting.outbox import Outbox
from bot.posting.poster import Poster, PostingConfig, TargetConfig
from bot.setup import (
    check_posting_setup,
    load_template_set,
    posting_of,
    render_settings,
    require,
    target_spec,
    targets_of,
)

if TYPE_CHECKING:
    from bot.cli import Context

log = logging.getLogger("spacebot.pipeline")
CHECKED_FILE = "checked_until.json"
DRY_RUN_TARGET = TargetConfig("dry-run", "dry-run", daily_cap=1000, min_interval=0.0)


@dataclass(frozen=True)
class CheckReport:
    found: int = 0
    enqueued: int = 0
    skipped: int = 0  # already in the outbox (seen by an earlier check)
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Loaded:
    """Everything read from disk for one configuration; swapped whole on reload."""

    config: Config
    dataset: Dataset
    templates: TemplateSet
    targets: tuple[TargetConfig, ...]
    posting: PostingConfig


def load_everything(config: Config, env: Mapping[str, str], dry_run: bool) -> Loaded:
    """Read data, templates and targets; UserError (naming every problem) on bad input."""
    dataset = load_dataset(config.data)
    targets = (DRY_RUN_TARGET,) if dry_run else tuple(targets_of(config))
    if not dry_run:
        require(check_posting_setup(config, env, credentials=True))
    return Loaded(config, dataset, load_template_set(config), targets, posting_of(config))


class BotPipeline:
    def __init__(
        self, loaded: Loaded, ctx: Context, dry_run: bool, config_path: Path | None
    ) -> None:
        self.ctx = ctx
        self.dry_run = dry_run
        self.config_path = config_path
        self.loaded = loaded
        state_dir = loaded.config.state_dir
        self.outbox = Outbox.open(state_dir)
        self.clients: dict[str, Client] = {}
        self.poster = self._poster(loaded)

    def _poster(self, loaded: Loaded) -> Poster:
        for client in self.clients.values():
            client.close()
        self.clients = open_clients(
            loaded.targets,
            self.ctx.env,
            state_dir=loaded.config.state_dir,
            stdout=self.ctx.stdout,
            source=loaded.config.source,
        )
        return Poster(
            self.outbox, self.clients, loaded.targets, loaded.posting, clock=self.ctx.clock
        )

    # -- the Pipeline interface of bot.daemon.scheduler ---------------------------------------

    def reload(self) -> None:
        """Re-read config, data and templates; on bad input keep the last good ones."""
        config = load_config(self.config_path)
        config = replace(config, state_dir=self.loaded.config.state_dir)
        new = load_everything(config, self.ctx.env, self.dry_run)
        if new.targets != self.loaded.targets or new.posting != self.loaded.posting:
            self.poster = self._poster(new)
        self.loaded = new

    def check(self, now: datetime) -> CheckReport:
        cfg = self.loaded.config
        start = self._checked_until() or now - timedelta(days=cfg.schedule.catch_up_days)
        if cfg.schedule.post_at == "crossing":
            # Up to the next check (and a margin), so each post can wait for its instant.
            end = now + timedelta(days=1) + cfg.schedule.misfire_grace
        else:
            end = now
        end = max(end, start)
        result = find_milestones(self.loaded.dataset, cfg.rules, start, end)
        if result.horizon is not None and end > result.horizon:
            stale = ", ".join(f"{s.name} ({s.mission})" for s in result.stale)
            log.warning(
                "data known only until %s for %s: records after that are withheld; "
                "update the mission data",
                result.horizon.isoformat(),
                stale,
            )
        settings = render_settings(cfg)
        enqueued = skipped = 0

        def due(m_at: datetime) -> datetime:
            return max(m_at, now) if cfg.schedule.post_at == "crossing" else now

        for target in self.loaded.targets:
            posts = render(
                result.milestones,
                self.loaded.templates,
                target_spec(target),
                settings,
                due=lambda m: due(m.at),
            )
            for post in posts:
                added = self.outbox.enqueue(post, [target.name], now)
                enqueued += added
                skipped += 1 - min(added, 1)
        # The next check starts from now, not from `end`: it recomputes the look-ahead
        # with whatever data it has then (the outbox refuses what is already queued).
        self._save_checked_until(min(now, end))
        return CheckReport(len(result.milestones), enqueued, skipped, start, end)

    def deliver(self, now: datetime) -> datetime | None:
        wait = self.poster.deliver_due(now)
        return None if wait is None else now + timedelta(seconds=wait)

    def stuck_targets(self) -> Mapping[str, str]:
        return dict(self.poster.blocked)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.outbox.close()

    # -- state ------------------------------------------------------------------------

    def _checked_path(self) -> Path:
        return self.loaded.config.state_dir / CHECKED_FILE

    def _checked_until(self) -> datetime | None:
        try:
            raw = json.loads(self._checked_path().read_text(encoding="utf-8"))
            return datetime.fromisoformat(raw["checked_until"]).astimezone(UTC)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(
                f"{self._checked_path()} is damaged ({exc}); delete it to "
                "re-check the last catch_up_days (the outbox prevents repeats)"
            ) from None

    def _save_checked_until(self, until: datetime) -> None:
        path = self._checked_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"checked_until": until.isoformat()}), encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def make_pipeline(config: Config, ctx: Context, dry_run: bool) -> BotPipeline:
    config_path = (
        find_config(None, ctx.env) if config.source == "<defaults>" else Path(config.source)
    )
    loaded = load_everything(config, ctx.env, dry_run)
    return BotPipeline(loaded, ctx, dry_run, config_path)
