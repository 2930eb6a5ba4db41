"""The poster: drains the outbox to every target, in due order, within budget.

Per target, strictly in due order (a post never overtakes an older one):

* 429 -> the target rests until the platform's reset time (no attempt is burnt);
* 5xx, timeout, connection error -> exponential backoff with full jitter
  (``base * 2**n`` capped, uniformly drawn below that); after ``max_attempts``
  failures in a row the target rests until the next run (posts stay pending);
* 401/403 -> the target stops for this run, one log line, posts stay pending;
* content rejected -> that post is ``failed`` (with the reason), the next goes on;
  never for an error of the look-up that settles an unknown outcome (``find_recent``):
  the part stays ``sending`` and the target backs off (429 and 401/403 as above);
* daily cap (rolling 24 h) and a minimum interval between posts spread a backlog
  out after an outage instead of bursting it;
* a post older than ``max_age`` uses its past-tense wording, or is skipped;
* right before a post's first part goes out, ``verify`` (the pipeline's) recomputes its
  milestone from the current data: still true -> send; its instant moved or its words
  changed (a value it names) -> rescheduled, with the new texts and pictures; no longer
  true -> ``withdrawn``; not to go out now (awaiting
  confirmation, a crew lost) -> ``held``;
* ``should_stop`` (SIGTERM) is asked before a post is started: the post in flight (all
  its parts: a thread already begun) is finished, nothing more is started;
* pictures: right before a part that carries pictures goes out, each one not uploaded
  yet (or whose upload the platform may have dropped) is uploaded, and its
  :class:`MediaRef` recorded in the outbox at once; the part is then posted with them.
  Upload failures follow the rules above (rest, backoff, block); when they go on
  (``max_attempts``) or waiting would send the post more than
  ``images_max_delay_minutes`` after its due time, the text goes out without them
  (``images_fallback: text_only``), logged once and kept on the outbox row.  A platform
  that no longer has an upload (:class:`MediaExpired`) gets it again, once.  See
  docs/outbox.md ("Pictures") for why this never posts twice.

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
    MediaExpired,
    MediaNotReady,
    MediaRef,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
)
from bot.posting.media import ImageMissing, ImageStore
from bot.posting.outbox import MediaRecord, Outbox, OutboxItem, PartRecord, Revision, Wording

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
    revision: Revision | None = None  # "move": new texts and pictures (None: the same)


Verify = Callable[[OutboxItem, datetime], Verdict]


def idempotency_key(post_key: str, target: str, idx: int) -> str:
    """Stable per (post, target, part): the same across retries and restarts."""
    digest = hashlib.sha256(f"{post_key}\x00{target}\x00{idx}".encode()).hexdigest()
    return f"spacebot-{digest[:40]}"


@dataclass(frozen=True)
class _Stop:
    """Uploading stopped the step: ``wait`` seconds until useful again (``None``: go on
    to the next target or the next run, as :meth:`Poster._step` returns)."""

    wait: float | None


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
    without_pictures: int = 0  # posts whose pictures were given up (images_fallback)


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
        images: ImageStore | None = None,
    ) -> None:
        self.outbox = outbox
        self.images = images or ImageStore(outbox.path.parent)
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
            if name in self.blocked:
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
            if not item.started and self.should_stop():
                return None  # SIGTERM: a thread begun goes on to its last part, no new post
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
                return self._on_lookup_error(target, item, idx, exc, now)
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

        pictures = item.media_of(idx)
        for again in (False, True):
            media: list[MediaRef] = []
            if pictures:
                got = self._uploads(target, client, item, idx, pictures, now, again)
                if isinstance(got, _Stop):
                    return got.wait
                media = got
            try:
                self.outbox.begin_part(
                    item.key, name, idx, wording=wording, now=now, media=[m.id for m in media]
                )
            except KeyError:  # held or withdrawn meanwhile (by `spacebot hold`): look again
                return None
            self._call_hook("before_call", item, idx)
            try:
                ref = client.post(text, reply_to=reply_to, idempotency_key=key, media=media)
            except Duplicate as exc:
                ref = exc.existing or PostRef("")
                log.info(
                    "%s: %s part %d already on the platform (%s)", name, item.key, idx + 1, exc
                )
            except MediaExpired as exc:
                if not media:  # not about pictures after all: content refused
                    return self._on_error(target, item, idx, exc, uncertain=uncertain, now=now)
                settled = self._media_refused(
                    target,
                    client,
                    item,
                    idx,
                    exc,
                    text=text,
                    total=len(texts),
                    prior=record if uncertain else None,
                    media=media,
                    last=again,
                    now=now,
                )
                if settled is not None:
                    return settled.wait
                continue  # upload them again, and post
            except MediaNotReady as exc:
                # Refused (422) until the platform has processed the upload: nothing is out;
                # waiting for it follows the upload rules (never past due + the margin).
                self._not_sent(item, name, idx, exc, uncertain=uncertain, now=now)
                waited = self._on_upload_error(target, item, exc, now)
                return waited.wait if isinstance(waited, _Stop) else None
            except Rejected as exc:
                if not media:
                    return self._on_error(target, item, idx, exc, uncertain=uncertain, now=now)
                # Refused with its pictures: never let them hold the text back for good.
                self._not_sent(item, name, idx, exc, uncertain=uncertain, now=now)
                why = exc.message.removeprefix(f"{name}: ")
                self._drop_media(item, name, f"refused with its pictures ({why})", now)
                return None
            except ClientError as exc:
                return self._on_error(target, item, idx, exc, uncertain=uncertain, now=now)
            self._call_hook("after_call", item, idx)
            self._posted(item, name, idx, ref, len(texts), max(now, self._clock()))
            return None
        return None

    # -- pictures ------------------------------------------------------------------

    def _uploads(
        self,
        target: TargetConfig,
        client: Client,
        item: OutboxItem,
        idx: int,
        pictures: Sequence[MediaRecord],
        now: datetime,
        again: bool,
    ) -> list[MediaRef] | _Stop:
        """The uploads part ``idx`` goes out with: each recorded one the platform still
        keeps (unless ``again``), the others uploaded now and recorded at once.  ``[]``
        when the pictures were given up; :class:`_Stop` when the step must end."""
        name = target.name
        refs: list[MediaRef] = []
        for picture in pictures:
            if not again and picture.ref is not None and picture.usable(now):
                refs.append(picture.ref)
                continue
            try:
                data = self.images.read(picture.sha256)
            except ImageMissing as exc:
                self._drop_media(item, name, str(exc), now)
                return []
            key = f"{idempotency_key(item.key, name, idx)}-image-{picture.pos}"
            self._call_hook("before_upload", item, idx)
            try:
                ref = client.upload(data, picture.alt, idempotency_key=key)
            except ClientError as exc:
                return self._on_upload_error(target, item, exc, now)
            self._call_hook("after_upload", item, idx)
            self.outbox.media_uploaded(
                item.key, name, idx, picture.pos, ref, now=max(now, self._clock())
            )
            self._call_hook("after_record", item, idx)
            refs.append(ref)
        return refs

    def _media_refused(
        self,
        target: TargetConfig,
        client: Client,
        item: OutboxItem,
        idx: int,
        exc: MediaExpired,
        *,
        text: str,
        total: int,
        prior: PartRecord | None,
        media: Sequence[MediaRef],
        last: bool,
        now: datetime,
    ) -> _Stop | None:
        """The platform does not have part ``idx``'s uploads any more.  ``None``: upload
        them again and post; else the step ends (settled, given up, or an error)."""
        name = target.name
        reason = exc.message.removeprefix(f"{name}: ")
        if exc.maybe_published and prior is not None:
            # "Not found, or attached already" (Mastodon), for a part an earlier attempt
            # may have published: settle that first, as after any unknown outcome.
            key = idempotency_key(item.key, name, idx)
            try:
                found = client.find_recent(text, idempotency_key=key)
            except ClientError as error:
                return _Stop(self._on_lookup_error(target, item, idx, error, now))
            if found is None and _carried_before(media, prior):
                # These very uploads (re-used: within their life) went with that earlier
                # attempt: "not found" can only mean attached, to the post it published.
                found = PostRef("")
            if found is not None:
                log.info(
                    "%s: %s part %d was already published (its pictures are attached)%s",
                    name,
                    item.key,
                    idx + 1,
                    f": {found.url}" if found.url else "",
                )
                self._posted(item, name, idx, found, total, now)
                return _Stop(None)
        # this call published nothing
        self._not_sent(item, name, idx, exc, uncertain=prior is not None, now=now)
        self.outbox.forget_uploads(item.key, name, idx, now=now)
        if last:
            self._drop_media(item, name, f"refused its pictures after a new upload ({reason})", now)
            return _Stop(None)
        log.info("%s: %s: %s; uploading the pictures again", name, item.key, reason)
        return None

    def _on_upload_error(
        self, target: TargetConfig, item: OutboxItem, exc: ClientError, now: datetime
    ) -> list[MediaRef] | _Stop:
        """An upload failed: rest, back off or block as for a post, or give the pictures
        up (``[]``: the text goes out now without them)."""
        name = target.name
        reason = exc.message.removeprefix(f"{name}: ")
        posting = self.posting
        text_only = posting.images_fallback == "text_only"
        deadline = item.due + timedelta(minutes=posting.images_max_delay_minutes)
        if isinstance(exc, AuthFailed):
            self._block(target, f"uploading a picture: {reason}", now)
            return _Stop(None)
        if isinstance(exc, RateLimited):
            until = _rate_limit_until(exc, now)
            if text_only and until > deadline:
                why = (
                    f"picture uploads are rate limited until {_iso(until)}, past "
                    f"{_iso(deadline)} (due + images_max_delay_minutes)"
                )
                self._drop_media(item, name, why, now)
                return []
            self.outbox.set_rate_limited(name, until)
            log.warning("%s: rate limited uploading a picture; waiting until %s", name, _iso(until))
            return _Stop((until - now).total_seconds())
        if isinstance(exc, Rejected):  # for good: this picture will never go
            self._drop_media(item, name, f"the platform refused the picture ({reason})", now)
            return []
        # Transient (or anything unexpected): an orphan upload at worst, which is dropped
        failures = self.outbox.upload_failed(item.key, name, reason=reason, now=now)
        retry = posting.retry
        ceiling = min(retry.cap_seconds, retry.base_seconds * 2 ** (failures - 1))
        delay = self._rng.uniform(0, ceiling)
        if text_only and failures >= retry.max_attempts:
            why = f"{failures} picture uploads failed in a row ({reason})"
            self._drop_media(item, name, why, now)
            return []
        if text_only and now + timedelta(seconds=delay) > deadline:
            why = (
                f"the picture upload failed ({reason}) and a retry would send the post "
                f"after {_iso(deadline)} (due + images_max_delay_minutes)"
            )
            self._drop_media(item, name, why, now)
            return []
        if failures % retry.max_attempts == 0:  # images_fallback: wait
            self._exhausted.add(name)
            self._resting_until[name] = now + timedelta(seconds=retry.cap_seconds)
            log.warning(
                "%s: %d picture uploads failed in a row (%s); %s waits for the next run",
                name,
                failures,
                reason,
                item.key,
            )
            return _Stop(None if self._draining else retry.cap_seconds)
        self._resting_until[name] = now + timedelta(seconds=delay)
        log.warning(
            "%s: picture upload failed (%s); retry %d in %.0f s", name, reason, failures, delay
        )
        return _Stop(delay)

    def _drop_media(self, item: OutboxItem, name: str, reason: str, now: datetime) -> None:
        """The post goes out without its pictures: said once, and kept on its row."""
        if self.outbox.drop_media(item.key, name, reason=reason, now=now):
            self.result.without_pictures += 1
            log.warning(
                "%s: %s goes out without its pictures: %s",
                name,
                item.key,
                reason,
                extra={"event": "pictures_dropped"},
            )

    def _apply(self, verdict: Verdict, item: OutboxItem, name: str, now: datetime) -> None:
        """Act on a verdict other than "send" (the loop then looks at the outbox again)."""
        if verdict.action == "move" and verdict.crossing and verdict.due:
            self.outbox.reschedule(
                item.key,
                name,
                crossing=verdict.crossing,
                due=verdict.due,
                now=now,
                revision=verdict.revision,
            )
            log.info("%s: %s rescheduled: %s", name, item.key, verdict.reason)
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
            self._not_sent(item, name, idx, exc, uncertain=uncertain, now=now)

        if isinstance(exc, RateLimited):
            not_sent()
            until = _rate_limit_until(exc, now)
            self.outbox.set_rate_limited(name, until)
            log.warning("%s: rate limited; waiting until %s", name, _iso(until))
            return (until - now).total_seconds()
        if isinstance(exc, AuthFailed):
            not_sent()
            self._block(target, reason, now)
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

    def _on_lookup_error(
        self, target: TargetConfig, item: OutboxItem, idx: int, exc: ClientError, now: datetime
    ) -> float | None:
        """:meth:`Client.find_recent` failed: the part's outcome stays unknown (``sending``).
        A 429 rests and refused credentials block as for a post; anything else, a 4xx
        too, is about the look-up, not the post: back off, never ``failed``."""
        if not isinstance(exc, RateLimited | AuthFailed):
            exc = Transient(f"{exc.message} (settling an unknown outcome)")
        return self._on_error(target, item, idx, exc, uncertain=True, now=now)

    def _not_sent(
        self,
        item: OutboxItem,
        name: str,
        idx: int,
        exc: ClientError,
        *,
        uncertain: bool,
        now: datetime,
    ) -> None:
        """A definite "no" to THIS call; an earlier unknown outcome stays unknown."""
        reason = exc.message.removeprefix(f"{name}: ")
        if uncertain:
            self.outbox.part_uncertain(item.key, name, reason=reason, now=now)
        else:
            self.outbox.part_not_sent(item.key, name, idx, reason=reason, now=now)

    def _block(self, target: TargetConfig, reason: str, now: datetime) -> None:
        name = target.name
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

    def _call_hook(self, point: str, item: OutboxItem, idx: int) -> None:
        if self._hook is not None:
            self._hook(point, item, idx)


def _rate_limit_until(exc: RateLimited, now: datetime) -> datetime:
    """When a 429 says to try again (its reset time and Retry-After; 15 min if neither)."""
    waits = [t for t in (exc.reset_at,) if t is not None]
    if exc.wait is not None:
        waits.append(now + timedelta(seconds=exc.wait))
    until = max(waits) if waits else now + timedelta(seconds=DEFAULT_RATE_LIMIT_WAIT)
    return max(until, now + timedelta(seconds=1))


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _carried_before(media: Sequence[MediaRef], prior: PartRecord) -> bool:
    """Whether every upload sent now was carried by the earlier attempt at its part, as
    that attempt recorded (by id: an upload made in this step has a new one).  An attempt
    recorded before schema version 4 says nothing of its uploads: never proven."""
    return (
        bool(media)
        and prior.media_ids is not None
        and {m.id for m in media} <= set(prior.media_ids)
    )
