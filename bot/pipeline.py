"""One check and its deliveries: the imperative shell around the pure engine and renderer.

:class:`Pipeline` is built from a :class:`~bot.files.config.Config`, the environment
(credentials), a clock and an output stream.  A check finds the milestones since the
last check (persisted in the state directory), renders them for every target, and
writes them to the durable outbox before any network call, with the chart(s) each
target wants for them (drawn then, written to ``<state_dir>/images/<sha256>.png`` before
the outbox row that names them commits).  Delivery then posts what is
due, each at its crossing instant (``post_at: crossing``) or at the check
(``post_at: check``).  :meth:`Pipeline.reload` swaps in a new configuration and what it
points at (data, templates), or keeps the last good one when anything is wrong.

What several commands need before any of this (the setup check, rendering for the
configured or named platforms) is in :mod:`bot.preflight`.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.core.engine import Result, find_milestones
from bot.core.milestone import Milestone
from bot.core.model import Dataset, iso
from bot.core.post import Post
from bot.core.render import render
from bot.core.rules import Rules
from bot.core.templates import TemplateSet
from bot.core.trust import AWAITING_CONFIRMATION, hold_reason
from bot.errors import ConfigError, Problem, UserError
from bot.files.atomic import write_atomic
from bot.files.config import Config
from bot.files.live import load_mission_data
from bot.files.lock import StateLock
from bot.files.targets import TargetConfig
from bot.posting.clients import Client, open_clients, spec_of
from bot.posting.holds import held_people, operator_reason
from bot.posting.media import KEEP_AFTER_POSTED, ImageStore
from bot.posting.outbox import Attachment, Outbox, OutboxItem, Revision
from bot.posting.poster import DrainResult, Poster, Verdict
from bot.preflight import setup_problems

if TYPE_CHECKING:
    from bot.images.charts import Chart

log = logging.getLogger("spacebot.pipeline")
CHECKED_FILE = "checked_until.json"
CHECKED_FILE_DRY_RUN = "checked_until.dry-run.json"  # rehearsals never move the live one
STALE = "the data is too old to back it (no sync vouches for the crew at that instant)"
AUTOMATIC_HOLDS = (AWAITING_CONFIRMATION, STALE)  # released by the data; others by hand
VERIFY_SPAN = timedelta(days=30)  # verify's engine run reaches this far around a post

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


Drawer = Callable[[Sequence["Chart"]], list[bytes | str]]  # each PNG, or why not


def draw_charts(charts: Sequence[Chart]) -> list[bytes | str]:
    """The check's drawer: :func:`bot.images.draw.draw_apart`, in a child process."""
    from bot.images.draw import draw_apart  # matplotlib: only when a picture is due

    return draw_apart(charts)


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _undrawn(target: TargetConfig, key: str, why: str) -> str:
    text = f"its chart could not be drawn ({why})"
    log.error("%s: %s: %s", target.name, key, text)
    return text


# --- the pipeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    found: int = 0
    enqueued: int = 0
    skipped: int = 0  # already in the outbox (seen by an earlier check)
    start: datetime | None = None
    end: datetime | None = None
    details: tuple[str, ...] = ()
    held: int = 0  # enqueued (or kept) held: awaiting confirmation, stale data, crew lost
    released: int = 0  # held posts the data now backs
    withdrawn: int = 0  # posts whose milestone no longer holds


@dataclass(frozen=True)
class SyncReport:
    """What the sync before a check did (``None`` in a report: no sync was due)."""

    ok: bool
    at: datetime
    summary: str  # one line


@dataclass(frozen=True)
class Loaded:
    """Everything read for one configuration; swapped whole on reload."""

    config: Config
    dataset: Dataset
    templates: TemplateSet


def load(config: Config, env: Mapping[str, str], *, dry_run: bool) -> Loaded:
    """Read data and templates and check the set-up; UserError naming every problem."""
    problems: list[Problem] = []
    dataset: Dataset | None = None
    try:
        dataset = load_mission_data(config)
    except UserError as exc:
        problems.extend(exc.problems)
    templates, more = setup_problems(config, env, credentials=not dry_run)
    problems.extend(more)
    if problems:
        raise ConfigError(problems)
    assert dataset is not None
    assert templates is not None
    return Loaded(config, dataset, templates)


@dataclass
class Pipeline:
    """Checks and deliveries for one state directory (see the module docstring)."""

    loaded: Loaded
    env: Mapping[str, str]
    dry_run: bool
    clock: Clock
    stdout: TextIO
    outbox: Outbox
    sleep: Callable[[float], None] = time.sleep
    clients: dict[str, Client] = field(default_factory=dict)
    poster: Poster | None = None
    should_stop: Callable[[], bool] = lambda: False  # the daemon's SIGTERM
    draw: Drawer | None = None  # charts to PNGs (None: draw_charts, in a child process)
    # (dataset, rules, from, to, result): the engine run verify answers from
    _around: tuple[Dataset, Rules, datetime, datetime, Result] | None = field(
        default=None, init=False, repr=False
    )
    last_sync: SyncReport | None = None

    def __post_init__(self) -> None:
        self._open_poster()

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def state_dir(self) -> Path:
        return self.config.state_dir

    @property
    def images(self) -> ImageStore:
        return ImageStore(self.state_dir)

    def _open_poster(self) -> None:
        for client in self.clients.values():
            client.close()
        config = self.config
        self.clients = open_clients(
            config.targets,
            self.env,
            state_dir=config.state_dir,
            stdout=self.stdout,
            source=config.source,
        )
        self.poster = Poster(
            self.outbox,
            self.clients,
            config.targets,
            config.posting,
            clock=self.clock,
            sleep=self.sleep,
            rng=random.Random(),
            verify=self.verify,
            should_stop=lambda: self.should_stop(),
        )

    def _poster(self) -> Poster:
        assert self.poster is not None
        return self.poster

    # -- the Pipeline interface of bot.daemon --------------------------------------

    def reload(self, config: Config) -> None:
        """Swap in ``config`` and what it points at; on bad input keep the last good ones
        (UserError, naming every problem).  The state directory stays (the lock is
        held on it)."""
        if config.state_dir != self.state_dir:
            log.warning(
                "state_dir changed to %s: takes effect only after a restart", config.state_dir
            )
        if self.dry_run:
            config = config.rehearsal()
        new = load(config, self.env, dry_run=self.dry_run)
        new = Loaded(_with_state_dir(new.config, self.state_dir), new.dataset, new.templates)
        old = self.loaded
        self.loaded = new
        if (new.config.targets, new.config.posting) != (old.config.targets, old.config.posting):
            try:
                self._open_poster()
            except UserError:
                self.loaded = old
                self._open_poster()
                raise

    def sync(self, now: datetime) -> SyncReport | None:
        """Fetch live data (unless it is off or offline) and reload the mission data; on
        failure keep the last good data and say why (logged, and in the report).  Nothing
        a sync meets (a bad answer, a damaged sync.json, an overlay that no longer loads)
        escapes: the check goes on with the data it had."""
        cfg = self.config
        if not cfg.live or cfg.offline:
            return None
        from bot.sources.ll2.errors import LL2Error
        from bot.sources.ll2.sync import sync

        def said(exc: Exception) -> str:  # one line, with the fix when there is one
            if isinstance(exc, UserError) and exc.problems:
                p = exc.problems[0]
                return f"{p.source}: {p.where}: {p.message}" + (f" (fix: {p.fix})" if p.fix else "")
            return " ".join(str(exc).split()) or type(exc).__name__

        def failed(text: str) -> SyncReport:
            log.error(
                "sync with Launch Library 2 failed: %s; going on with the last good data",
                text,
                extra={"event": "sync_failed"},
            )
            self.last_sync = SyncReport(False, now, text)
            return self.last_sync

        try:
            outcome = sync(cfg, self.env, clock=self.clock, sleep=self.sleep)
        except (LL2Error, UserError) as exc:
            return failed(said(exc))
        except Exception as exc:  # a bug must not stop the checks: the last good data stays
            log.debug("sync failure", exc_info=True)
            return failed(f"unexpected {type(exc).__name__}: {said(exc)}")
        result = outcome.result
        for line in result.changes:
            log.info("sync: %s", line, extra={"event": "sync_change"})
        for refusal in result.refused:
            log.warning("sync refused: %s", refusal, extra={"event": "sync_refused"})
        summary = (
            f"{len(result.changes)} change(s), {len(result.refused)} refused, "
            f"{outcome.requests} request(s)"
        )
        try:
            dataset = load_mission_data(cfg)
        except UserError as exc:
            return failed(f"the data after it cannot be read: {said(exc)}")
        log.info("synced with Launch Library 2: %s", summary, extra={"event": "sync"})
        self.loaded = replace(self.loaded, dataset=dataset)
        self.last_sync = SyncReport(True, now, summary)
        return self.last_sync

    def check(self, now: datetime, *, rehearsal: bool = False) -> CheckReport:
        """Find what is due around ``now``, queue it, settle held posts.  The window
        starts at the last check's position (catch-up after downtime), or
        ``catch_up_days`` back for a first check and for a ``rehearsal`` (``check --at``
        of another instant), which remembers no position either: a rehearsal of 2015
        must not make the next real check catch up eleven years."""
        self.sync(now)
        cfg = self.config
        checked = None if rehearsal else self._checked_until()
        # A position after `now`: the clock went back; look back as a first check does.
        if checked is None or checked > now:
            start = now - timedelta(days=cfg.schedule.catch_up_days)
        else:
            start = checked
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
                iso(result.horizon),
                stale,
            )

        def due(m: Milestone) -> datetime:
            return max(m.at, now) if cfg.schedule.post_at == "crossing" else now

        dataset = self.loaded.dataset
        by_key = {m.key: m for m in result.milestones}
        # (target, post, its milestones, why it is held): pictures for all of them are
        # drawn at once, then every post enters the outbox in order.
        entering: list[tuple[TargetConfig, Post, list[Milestone], str]] = []
        for target in cfg.targets:
            posts = render(
                result.milestones,
                self.loaded.templates,
                spec_of(target, self.clients[target.name]),
                cfg.render,
                due=due,
            )
            for post in posts:
                members = [by_key[k] for k in post.key.split("+") if k in by_key]
                reason = hold_reason(members, dataset) or self._operator_hold(members) or ""
                entering.append((target, post, members, reason))
        pictures = self._pictures(
            [
                (target, post.key, members)
                for target, post, members, _ in entering
                if members
                and cfg.images_for(target).wants(members[0].kind)
                and self.outbox.get(post.key, target.name) is None
            ]
        )
        enqueued = skipped = held = 0
        for target, post, _, reason in entering:
            media, undrawn = pictures.get((target.name, post.key), ((), ""))
            added = self.outbox.enqueue(
                post, [target.name], now, held=reason, media=media, media_fallback=undrawn
            )
            enqueued += added
            held += added if reason else 0
            skipped += 1 - min(added, 1)
        released, withdrawn = self._settle_held(now)
        self._prune_pictures(now)
        # The next check starts from now, not from `end`: it recomputes the look-ahead
        # with whatever data it has then (the outbox refuses what is already queued).
        # Never backwards: a rehearsal of a past instant must not make the next check
        # post years of old milestones.
        if not rehearsal and (checked is None or min(now, end) > checked):
            self._save_checked_until(min(now, end))
        return CheckReport(
            len(result.milestones),
            enqueued,
            skipped,
            start,
            end,
            held=held,
            released=released,
            withdrawn=withdrawn,
        )

    def _pictures(
        self, wanted: Sequence[tuple[TargetConfig, str, Sequence[Milestone]]]
    ) -> dict[tuple[str, str], tuple[tuple[Attachment, ...], str]]:
        """(target name, post key) -> the post's pictures for that target, with the alt
        text its platform takes; or ``((), why)`` when a chart could not be drawn: the
        text goes out whatever the chart does.  Each chart is drawn once, all of them in
        one call of ``self.draw``, and written to the state directory."""
        if not wanted:
            return {}
        from bot.images.pictures import alt_for, post_charts

        cfg = self.config
        out: dict[tuple[str, str], tuple[tuple[Attachment, ...], str]] = {}
        charts: list[tuple[TargetConfig, str, tuple[Chart, ...]]] = []
        for target, key, members in wanted:
            try:
                found = post_charts(members, self.loaded.dataset, cfg.rules, cfg.render)
            except Exception as exc:  # noqa: BLE001 - the text goes out whatever the chart does
                out[target.name, key] = (), _undrawn(target, key, _why(exc))
            else:
                charts.append((target, key, found))
        unique = list(dict.fromkeys(chart for _, _, found in charts for chart in found))
        try:
            pngs = (self.draw or draw_charts)(unique)
        except Exception as exc:  # noqa: BLE001 - the child could not start, or died
            pngs = [_why(exc)] * len(unique)
        shas: dict[Chart, str] = {}
        failed: dict[Chart, str] = {}
        for chart, png in zip(unique, pngs, strict=True):
            if isinstance(png, str):
                failed[chart] = png
                continue
            try:
                shas[chart] = self.images.write(png)
            except OSError as exc:
                failed[chart] = _why(exc)
        for target, key, found in charts:
            why = next((failed[c] for c in found if c in failed), None)
            if why is not None:
                out[target.name, key] = (), _undrawn(target, key, why)
                continue
            platform = target.spec.platform
            attached = tuple(Attachment(shas[c], alt_for(c, platform)) for c in found)
            out[target.name, key] = attached, ""
        return out

    def _prune_pictures(self, now: datetime) -> None:
        """Remove the pictures no post needs any more (see :meth:`ImageStore.prune`)."""
        in_use = self.outbox.pictures_in_use(now - KEEP_AFTER_POSTED)
        removed = self.images.prune(in_use, now)
        if removed:
            log.info(
                "removed %d picture(s) no post needs any more from %s",
                len(removed),
                self.images.dir,
            )

    # -- trust: held posts and the check before sending ------------------------------

    def _settle_held(self, now: datetime) -> tuple[int, int]:
        """Held posts the data now backs go back to pending; those it no longer backs are
        withdrawn.  Posts held for a lost crew or by the operator stay held."""
        released = withdrawn = 0
        for item in self.outbox.held_items():
            if item.reason not in AUTOMATIC_HOLDS:
                continue
            verdict = self.verify(item, now)
            if verdict.action == "send":
                released += self.outbox.release(
                    item.key, item.target, now=now, due=max(item.due, now)
                )
            elif verdict.action == "move" and verdict.crossing and verdict.due:
                self.outbox.reschedule(
                    item.key,
                    item.target,
                    crossing=verdict.crossing,
                    due=verdict.due,
                    now=now,
                    revision=verdict.revision,
                )
                released += self.outbox.release(item.key, item.target, now=now)
            elif verdict.action == "withdraw":
                withdrawn += self.outbox.withdraw(
                    item.key, item.target, reason=verdict.reason, now=now
                )
        return released, withdrawn

    def _operator_hold(self, members: Sequence[Milestone]) -> str | None:
        people = held_people(self.state_dir)
        for m in members:
            if m.person in people:
                return operator_reason(people[m.person])
        return None

    def verify(self, item: OutboxItem, now: datetime) -> Verdict:
        """Recompute a post's milestone(s) from the current data, right before it goes out
        (and for held posts at each check): see :class:`bot.posting.poster.Verdict`."""
        keys = item.key.split("+")
        cfg = self.config
        margin = cfg.ll2.max_shift + timedelta(days=2)
        start = min(item.crossing, now) - margin
        end = max(item.crossing, now) + margin
        milestones, horizon = self._milestones_between(start, end)
        found = [m for m in milestones if m.key in keys]
        if len(found) < len(keys):
            if horizon is not None and item.crossing >= horizon:
                return Verdict("hold", STALE)
            return Verdict(
                "withdraw",
                "its milestone no longer holds on the current data (landed early, instants "
                "moved, or the person was removed)",
            )
        reason = hold_reason(found, self.loaded.dataset) or self._operator_hold(found)
        if reason is not None and not item.released:
            return Verdict("hold", reason)
        at = found[0].at
        revision = self._revision(item, found)
        if at != item.crossing:
            due = max(at, now) if cfg.schedule.post_at == "crossing" else now
            why = f"the data moved it to {iso(at)}"
            return Verdict("move", why, crossing=at, due=due, revision=revision)
        if revision is not None:
            why = "the data words it otherwise now (a value it names changed)"
            return Verdict("move", why, crossing=at, due=item.due, revision=revision)
        return Verdict()

    def _revision(self, item: OutboxItem, found: Sequence[Milestone]) -> Revision | None:
        """The post as the current data and wording make it for the item's target, when
        its texts differ from the queued ones (its pictures drawn again); ``None`` when
        they are the same, or the target or the grouping of crewmates is gone."""
        cfg = self.config
        target = next((t for t in cfg.targets if t.name == item.target), None)
        if target is None or target.name not in self.clients:
            return None
        spec = spec_of(target, self.clients[target.name])
        posts = render(found, self.loaded.templates, spec, cfg.render, due=lambda m: m.at)
        post = next((p for p in posts if p.key == item.key), None)
        if post is None:
            return None
        late = post.late_parts or post.parts
        if post.parts == item.parts and late == item.late_parts:
            return None
        media: tuple[Attachment, ...] = ()
        undrawn = ""
        if cfg.images_for(target).wants(found[0].kind):
            pictures = self._pictures([(target, item.key, found)])
            media, undrawn = pictures.get((target.name, item.key), ((), ""))
        return Revision(post.parts, late, media, undrawn)

    def _milestones_between(
        self, start: datetime, end: datetime
    ) -> tuple[list[Milestone], datetime | None]:
        """The milestones crossed in [start, end) and the data's horizon, from one engine
        run over a wider window kept while the dataset and the rules stay the same: a
        delivery verifies post after post, each in a window of a few days (the engine's
        milestones of a window are those of any wider one that fall in it)."""
        ds, rules = self.loaded.dataset, self.config.rules
        kept = self._around
        if (
            kept is None
            or kept[0] is not ds
            or kept[1] != rules
            or not (kept[2] <= start and end <= kept[3])
        ):
            lo, hi = start - VERIFY_SPAN, end + VERIFY_SPAN
            kept = self._around = (ds, rules, lo, hi, find_milestones(ds, rules, lo, hi))
        result = kept[4]
        return [m for m in result.milestones if start <= m.at < end], result.horizon

    def next_sync(self, now: datetime) -> datetime | None:
        """When to sync again before the next daily check: soon while a landing is
        expected (a flight within a day of its planned landing, or past it) or a crewed
        launch is due; ``None`` otherwise (the daily check syncs).  A damaged sync.json
        plans no extra sync (logged): the daily check still syncs and reports it."""
        cfg = self.config
        if not cfg.live or cfg.offline:
            return None
        soon = now + timedelta(days=1)
        expected = any(
            flight.landing is None
            and flight.planned_landing is not None
            and flight.planned_landing <= soon
            for person in self.loaded.dataset.people
            for flight in person.flights
        )
        from bot.sources.ll2.sync import load_state

        try:
            due = [t for t in load_state(self.state_dir).launches_due if t <= soon]
        except UserError as exc:  # a damaged sync.json: the daemon's scheduling goes on
            p = exc.problems[0]
            text = f"{p.source}: {p.where}: {p.message} (fix: {p.fix})"
            log.error("cannot plan the next sync: %s", text, extra={"event": "sync_failed"})
            due = []
        if expected or due:
            return now + cfg.ll2.frequent_sync
        return None

    def deliver(self, now: datetime) -> datetime | None:
        wait = self._poster().deliver_due(now)
        return None if wait is None else now + timedelta(seconds=wait)

    def drain(self, *, max_sleep: float, max_total: float) -> DrainResult:
        """Deliver what is due now, waiting at most ``max_sleep`` at a time (a thread's
        next part) and ``max_total`` in all (``spacebot check``)."""
        return self._poster().drain(max_sleep=max_sleep, max_total=max_total)

    def stuck_targets(self) -> Mapping[str, str]:
        return dict(self._poster().blocked)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.outbox.close()

    # -- state ------------------------------------------------------------------------

    def _checked_path(self) -> Path:
        return self.state_dir / (CHECKED_FILE_DRY_RUN if self.dry_run else CHECKED_FILE)

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
        write_atomic(self._checked_path(), json.dumps({"checked_until": iso(until)}))


def _with_state_dir(config: Config, state_dir: Path) -> Config:
    return replace(config, state_dir=state_dir)


def open_pipeline(
    config: Config,
    *,
    env: Mapping[str, str],
    clock: Clock = _utc_now,
    stdout: TextIO,
    dry_run: bool,
    lock: StateLock,
    sleep: Callable[[float], None] = time.sleep,
) -> Pipeline:
    """Load everything for ``config`` and open the outbox and the clients (no network).

    ``lock`` must be held on ``config.state_dir``; with ``dry_run`` every post goes to a
    dry-run target and credentials are not needed.
    """
    if dry_run:
        config = config.rehearsal()
    loaded = load(config, env, dry_run=dry_run)
    outbox = Outbox.open(config.state_dir, lock=lock)
    try:
        return Pipeline(loaded, env, dry_run, clock, stdout, outbox, sleep)
    except BaseException:
        outbox.close()
        raise
