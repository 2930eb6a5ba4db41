"""The poster: drains the outbox to every target, in due order, within budget.

Per target, strictly in due order (a post never overtakes an older one):

* 429 -> the target rests until the platform's reset time (no attempt is burnt);
* 5xx, timeout, connection error -> exponential backoff with full jitter
  (``base * 2**n`` capped, uniformly drawn below that); after ``max_attempts``
  failures in a row the target rests until the next run (posts stay pending);
* 401/403 -> the target stops for this run, one log line, posts stay pending;
* content rejected -> that post is ``failed`` (with the reason), the next goes on;
* daily cap (rolling 24 h) and a minimum interval between posts spread a backlog
  out after an outage instead of bursting it;
* a post older than ``max_age`` uses its past-tense wording, or is skipped;
* right before a post's first part goes out, ``verify`` (the pipeline's) recomputes its
  milestone from the current data: still true -> send; its instant moved ->
  rescheduled; no longer true -> ``withdrawn``; not to go out now (awaiting
  confirmation, a crew lost) -> ``held``;
* ``should_stop`` (SIGTERM) is asked between posts: the post in flight is finished,
  nothing more is started.

Time, sleep and randomness are injected.  :meth:`Poster.deliver_due` is the one step
(never sleeps; says how long until the next useful call); the daemon schedules it,
and :meth:`Poster.drain` loops over it for one-shot runs (``spacebot check``, tests).
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.core import text_length
from bot.core.post import Post
from bot.files.targets import PostingConfig, TargetConfig
from bot.posting.clients import spec_of
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    ClientError,
    Duplicate,
    PostRef,
    RateLimited,
    Rejected,
)
from bot.posting.outbox import Outbox, OutboxItem, Wording

log = logging.getLogger("spacebot.delivery")

DAY = timedelta(hours=24)
DEFAULT_RATE_LIMIT_WAIT = 15 * 60.0  # when a 429 carries no reset time (X's window)
MIN_WAIT = 0.1  # never tell a caller to spin

Hook = Callable[[str, OutboxItem, int], None]
# A rate-limit reset further ahead than this is not about this run (a rehearsal of a past
# instant with ``check --at`` sees the real reset years ahead): it is ignored.
MAX_REST = timedelta(hours=25)


@dataclass(frozen=True)
class Verdict:
    """What the data says of a post about to go out (see the module docstring)."""

    action: Literal["send", "move", "hold", "withdraw"] = "send"
    reason: str = ""
    crossing: datetime | None = None  # "move": the new instant
    due: datetime | None = None  # "move": when it should go out now


Verify = Callable[[OutboxItem, datetime], Verdict]


def idempotency_key(post_key: str, target: str, idx: int) -> str:
    """Stable per (post, target, part): the same across retries and restarts."""
    digest = hashlib.sha256(f"{post_key}\x00{target}\x00{idx}".encode()).hexdigest()
    return f"spacebot-{digest[:40]}"


@dataclass
class DrainResult:
    posted: int = 0
    failed: int = 0
    skipped: int = 0
    withdrawn: int = 0
    held: int = 0
    left_pending: dict[str, int] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    next_due: datetime | None = None  # when drain() stopped: the next post's due instant


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Poster:
    """Delivers the outbox's due posts to each target's client."""

    def __init__(
        self,
        outbox: Outbox,
        clients: Mapping[str, Client],
        targets: Sequence[TargetConfig],
        posting: PostingConfig | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        hook: Hook | None = None,
        verify: Verify | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.outbox = outbox
        self.clients = clients
        self.targets = list(targets)
        self.posting = posting or PostingConfig()
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._hook = hook
        self._verify = verify
        self.should_stop = should_stop
        self._failures: dict[str, int] = {}
        self._resting_until: dict[str, datetime] = {}
        self._exhausted: set[str] = set()
        self.blocked: dict[str, str] = {}  # target -> reason, for this process
        self._draining = False
        self.result = DrainResult()
        for target in self.targets:
            if target.name not in clients:
                raise ValueError(f"no client for target {target.name!r}")

    def enqueue(self, post: Post, now: datetime | None = None) -> int:
        """Put ``post`` in the outbox for every target (idempotent)."""
        return self.outbox.enqueue(post, [t.name for t in self.targets], now or self._clock())

    # -- the loop ------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> float | None:
        """Send what may be sent now; seconds until another call is useful, ``None`` if idle.

        Never sleeps.  ``None`` means no target has open posts it can work on
        (all sent, or its credentials were refused).
        """
        waits = []
        for target in self.targets:
            wait = self._deliver_target(target, now or self._clock())
            if wait is not None:
                waits.append(max(wait, MIN_WAIT))
        return min(waits) if waits else None

    def drain(self, *, max_sleep: float = 3600.0, max_total: float = float("inf")) -> DrainResult:
        """Deliver until nothing more can go out in this run (sleeping in between).

        Stops when everything is sent, when the next useful moment is more than
        ``max_sleep`` seconds away (daily cap reached, a post due later...), when
        sleeping would take the run past ``max_total`` seconds of sleep, or when every
        target with open posts is blocked or has used its ``max_attempts``.
        ``result.next_due`` then says when the next post is due (``None``: nothing open).
        """
        if self._sleep is None:
            raise ValueError("drain() needs a sleep function")
        self._draining = True
        slept = 0.0
        try:
            while True:
                now = self._clock()
                wait = self.deliver_due(now)
                self.result.next_due = None if wait is None else now + timedelta(seconds=wait)
                if wait is None or wait > max_sleep or slept + wait > max_total:
                    break
                self._sleep(wait)
                slept += wait
        finally:
            self._draining = False
        for target in self.targets:
            left = len(self.outbox.open_items(target.name))
            if left:
                self.result.left_pending[target.name] = left
        self.result.blocked = sorted(self.blocked)
        return self.result

    def _deliver_target(self, target: TargetConfig, now: datetime) -> float | None:
        name = target.name
        client = self.clients[name]
        while True:
            if name in self.blocked or self.should_stop():
                return None
            if name in self._exhausted and self._draining:
                return None
            rest = self._resting_until.get(name)
            _, _, limited = self.outbox.target_state(name)
            if limited is not None and limited - now > MAX_REST:
                limited = None  # not about this instant (see MAX_REST)
            if limited is not None and (rest is None or limited > rest):
                rest = limited
            if rest is not None and rest > now:
                return (rest - now).total_seconds()
            items = self.outbox.open_items(name)
            if not items:
                return None
            item = items[0]
            if item.due > now:
                return (item.due - now).total_seconds()
            outcome = self._step(target, client, item, now)
            if outcome is not None:
                return outcome
            now = max(now, self._clock())

    def _step(
        self, target: TargetConfig, client: Client, item: OutboxItem, now: datetime
    ) -> float | None:
        """One action on the head post; ``None`` to go on, else seconds to wait."""
        name = target.name
        if not item.started and self._verify is not None:
            verdict = self._verify(item, now)
            if verdict.action != "send":
                self._apply(verdict, item, name, now)
                return None
        wording: Wording = item.wording or "parts"
        if item.wording is None and not item.started:
            age = now - item.crossing
            if age > timedelta(hours=self.posting.max_age_hours):
                hours = age.total_seconds() / 3600
                if self.posting.old_posts == "skip":
                    reason = (
                        f"too old to post: {hours:.1f} h after the crossing "
                        f"(max_age_hours {self.posting.max_age_hours:g}, old_posts: skip)"
                    )
                    self.outbox.mark_skipped(item.key, name, reason=reason, now=now)
                    self.result.skipped += 1
                    log.info("%s: skipped %s: %s", name, item.key, reason)
                    return None
                wording = "late_parts"
        texts = item.late_parts if wording == "late_parts" else item.parts
        if not item.started:
            spec = spec_of(target, client)
            for i, text in enumerate(texts):
                why = text_length.problem(text, spec.counter, spec.limit)
                if why is not None:
                    self._fail(item, name, f"part {i + 1} is {why}", now)
                    return None
        idx = item.next_part()
        if idx is None:  # every part posted but the row was not closed: close it
            last = len(texts) - 1
            ref = item.ref_of(last) or PostRef("")
            self.outbox.part_posted(item.key, name, last, ref, total=len(texts), now=now)
            return None

        wait = self._budget_wait(target, item, idx, len(texts), now)
        if wait is not None:
            return wait

        text = texts[idx]
        key = idempotency_key(item.key, name, idx)
        reply_to = item.ref_of(idx - 1) if idx > 0 else None
        if reply_to is not None and not reply_to.id:
            log.warning(
                "%s: %s part %d: the previous part's id is unknown; posting it unthreaded",
                name,
                item.key,
                idx + 1,
            )
            reply_to = None
        record = item.progress.get(idx)
        uncertain = record is not None and record.state == "sending"
        if uncertain:
            try:
                found = client.find_recent(text, idempotency_key=key)
            except ClientError as exc:
                return self._on_error(target, item, idx, exc, uncertain=True, now=now)
            if found is not None:
                log.info(
                    "%s: %s part %d was already published: %s", name, item.key, idx + 1, found.url
                )
                self._posted(item, name, idx, found, len(texts), now)
                return None
            log.info(
                "%s: %s part %d: outcome of the last attempt unknown; sending again%s",
                name,
                item.key,
                idx + 1,
                " (the platform de-duplicates)" if client.resend_is_safe else "",
            )

        try:
            self.outbox.begin_part(item.key, name, idx, wording=wording, now=now)
        except KeyError:  # held or withdrawn meanwhile (by `spacebot hold`): look again
            return None
        self._call_hook("before_call", item, idx)
        try:
            ref = client.post(text, reply_to=reply_to, idempotency_key=key)
        except Duplicate as exc:
            ref = exc.existing or PostRef("")
            log.info("%s: %s part %d already on the platform (%s)", name, item.key, idx + 1, exc)
        except ClientError as exc:
            return self._on_error(target, item, idx, exc, uncertain=uncertain, now=now)
        self._call_hook("after_call", item, idx)
        self._posted(item, name, idx, ref, len(texts), max(now, self._clock()))
        return None

    def _apply(self, verdict: Verdict, item: OutboxItem, name: str, now: datetime) -> None:
        """Act on a verdict other than "send" (the loop then looks at the outbox again)."""
        if verdict.action == "move" and verdict.crossing and verdict.due:
            self.outbox.reschedule(
                item.key, name, crossing=verdict.crossing, due=verdict.due, now=now
            )
            log.info(
                "%s: %s rescheduled: the data moved it to %s",
                name,
                item.key,
                verdict.crossing.isoformat(timespec="seconds"),
            )
        elif verdict.action == "hold":
            self.outbox.hold(item.key, name, reason=verdict.reason, now=now)
            self.result.held += 1
            log.warning("%s: %s held: %s", name, item.key, verdict.reason)
        else:
            self.outbox.withdraw(item.key, name, reason=verdict.reason, now=now)
            self.result.withdrawn += 1
            log.warning("%s: %s withdrawn: %s", name, item.key, verdict.reason)

    def _budget_wait(
        self, target: TargetConfig, item: OutboxItem, idx: int, total: int, now: datetime
    ) -> float | None:
        name = target.name
        if idx == 0 and target.min_interval > 0:
            last = self.outbox.last_post_finished(name, exclude_key=item.key)
            if last is not None:
                ready = last + timedelta(seconds=target.min_interval)
                if ready > now:
                    return (ready - now).total_seconds()
        need = 1 if item.started else min(total, target.daily_cap)
        sent = self.outbox.sent_since(name, now - DAY)
        over = len(sent) + need - target.daily_cap
        if over > 0:
            ready = sent[over - 1] + DAY
            log.debug(
                "%s: daily cap of %d reached; next post at %s",
                name,
                target.daily_cap,
                ready.isoformat(timespec="seconds"),
            )
            return max((ready - now).total_seconds(), MIN_WAIT)
        return None

    # -- outcomes ------------------------------------------------------------------

    def _posted(
        self, item: OutboxItem, name: str, idx: int, ref: PostRef, total: int, now: datetime
    ) -> None:
        state = self.outbox.part_posted(item.key, name, idx, ref, total=total, now=now)
        self._failures[name] = 0
        self._exhausted.discard(name)
        blocked_at, _, limited = self.outbox.target_state(name)
        if blocked_at is not None:
            self.outbox.unblock_target(name)
        if limited is not None:
            self.outbox.set_rate_limited(name, None)
        if state == "posted":
            self.result.posted += 1
            log.info("%s: posted %s%s", name, item.key, f" {ref.url}" if ref.url else "")

    def _fail(self, item: OutboxItem, name: str, reason: str, now: datetime) -> None:
        self.outbox.mark_failed(item.key, name, reason=reason, now=now)
        self.result.failed += 1
        log.error("%s: %s failed for good: %s", name, item.key, reason)

    def _on_error(
        self,
        target: TargetConfig,
        item: OutboxItem,
        idx: int,
        exc: ClientError,
        *,
        uncertain: bool,
        now: datetime,
    ) -> float | None:
        name = target.name
        reason = exc.message.removeprefix(f"{name}: ")

        def not_sent() -> None:
            # a definite "no" to THIS call; an earlier unknown outcome stays unknown
            if uncertain:
                self.outbox.part_uncertain(item.key, name, reason=reason, now=now)
            else:
                self.outbox.part_not_sent(item.key, name, idx, reason=reason, now=now)

        if isinstance(exc, RateLimited):
            not_sent()
            waits = [t for t in (exc.reset_at,) if t is not None]
            if exc.wait is not None:
                waits.append(now + timedelta(seconds=exc.wait))
            until = max(waits) if waits else now + timedelta(seconds=DEFAULT_RATE_LIMIT_WAIT)
            until = max(until, now + timedelta(seconds=1))
            self.outbox.set_rate_limited(name, until)
            log.warning(
                "%s: rate limited; waiting until %s", name, until.isoformat(timespec="seconds")
            )
            return (until - now).total_seconds()
        if isinstance(exc, AuthFailed):
            not_sent()
            self.outbox.block_target(name, reason=reason, now=now)
            self.blocked[name] = reason
            pending = len(self.outbox.open_items(name))
            log.error(
                "%s: credentials refused (%s); its %d post(s) stay pending: fix the "
                "credentials (%s) and run again",
                name,
                reason,
                pending,
                ", ".join(target.credential_vars.values()) or "see docs",
            )
            return None
        if isinstance(exc, Rejected):
            if uncertain or idx > 0:
                reason += f" (part {idx + 1} of the thread)"
            self._fail(item, name, reason, now)
            return None
        # Transient (and anything unexpected from an adapter): maybe published
        self.outbox.part_uncertain(item.key, name, reason=reason, now=now)
        failures = self._failures.get(name, 0) + 1
        self._failures[name] = failures
        retry = self.posting.retry
        if failures >= retry.max_attempts:
            self._failures[name] = 0
            self._exhausted.add(name)
            until = now + timedelta(seconds=retry.cap_seconds)
            self._resting_until[name] = until
            log.warning(
                "%s: %d failed attempts in a row (%s); posts stay pending for the next run",
                name,
                failures,
                reason,
            )
            return None if self._draining else retry.cap_seconds
        ceiling = min(retry.cap_seconds, retry.base_seconds * 2 ** (failures - 1))
        delay = self._rng.uniform(0, ceiling)
        self._resting_until[name] = now + timedelta(seconds=delay)
        log.warning("%s: %s; retry %d in %.0f s", name, reason, failures, delay)
        return delay

    def _call_hook(self, point: str, item: OutboxItem, idx: int) -> None:
        if self._hook is not None:
            self._hook(point, item, idx)
