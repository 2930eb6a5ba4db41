"""The durable outbox: every post for every target, and how far each one got.

One SQLite file (``outbox.sqlite3``) in the state directory, WAL journal with
``synchronous=FULL``: once a method returns, its change survives a crash or a
power cut.  The poster writes *before* each network call ("sending", attempt
counted) and *after* it ("posted" with the platform's id), so at restart a part
found in ``sending`` is exactly the set of posts whose fate is unknown.

States of a (post key, target) row:

``pending``  waiting (also: a thread whose first parts are out; see ``parts``)
``sending``  a part's call is (or was, before a crash or timeout) in flight
``posted``   every part is out; ids and URLs per part in ``parts``
``failed``   the platform rejected the content for good (reason kept)
``skipped``  too old and the operator chose ``old_posts: skip`` (reason kept)
``held``     not to be sent now: awaiting confirmation by a second sync, a crew lost,
             or held by the operator (reason kept); released back to ``pending``
``withdrawn`` its milestone no longer holds on the current data (the crew landed
             early, instants moved, the person was removed): never sent (reason kept)

A target whose credentials were refused is recorded in ``targets`` as blocked;
its rows stay ``pending``.  See docs/outbox.md for the exactly-once argument.

Pictures (schema version 3): ``media`` holds, per (post key, target, part), the pictures
that part carries (``images/<sha256>.png`` in the state directory, and the alt text for
the target's platform), written with the row by :meth:`Outbox.enqueue`.  The poster
uploads each before the part's call and records the platform's
:class:`~bot.posting.clients.base.MediaRef` right after the upload returns
(:meth:`Outbox.media_uploaded`), so a restart re-uses it while the platform keeps it.
When the pictures are given up (``posting.images_fallback``), ``media_fallback`` on the
post's row keeps why, and the text goes out alone.  Each attempt at a part records the
ids of the uploads it carries on its ``parts`` row (schema version 4), so that the
poster can tell whether an upload the platform calls used was used by that attempt.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from bot.core.post import Post
from bot.files.lock import AlreadyRunning, StateLock
from bot.files.secrets import redact
from bot.posting.clients.base import MediaRef, PostRef

DB_NAME = "outbox.sqlite3"

PostState = Literal["pending", "sending", "posted", "failed", "skipped", "held", "withdrawn"]
PartState = Literal["sending", "posted"]
Wording = Literal["parts", "late_parts"]
STATES: tuple[PostState, ...] = (
    "pending",
    "sending",
    "held",
    "posted",
    "failed",
    "skipped",
    "withdrawn",
)
SCHEMA_VERSION = 4
# The reason a release by the operator leaves on its row (bot.posting.holds); what makes
# it the operator's is ``released_at`` (schema version 4), which no later reason clears.
RELEASED = "released by the operator"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    post_key TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('pending','sending','posted','failed','skipped','held','withdrawn')),
    due TEXT NOT NULL,
    crossing TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    people TEXT NOT NULL DEFAULT '[]',
    parts TEXT NOT NULL,
    late_parts TEXT NOT NULL,
    wording TEXT CHECK (wording IN ('parts','late_parts')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_attempt_at TEXT,
    done_at TEXT,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (post_key, target)
);
CREATE INDEX IF NOT EXISTS posts_by_due ON posts (target, state, due);
CREATE TABLE IF NOT EXISTS parts (
    post_key TEXT NOT NULL,
    target TEXT NOT NULL,
    idx INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending','posted')),
    ref TEXT,
    attempted_at TEXT NOT NULL,
    posted_at TEXT,
    PRIMARY KEY (post_key, target, idx)
);
CREATE INDEX IF NOT EXISTS parts_by_time ON parts (target, attempted_at);
CREATE TABLE IF NOT EXISTS targets (
    target TEXT PRIMARY KEY,
    blocked_at TEXT,
    blocked_reason TEXT NOT NULL DEFAULT '',
    rate_limited_until TEXT
);
"""


def _insert_media(
    db: sqlite3.Connection, key: str, target: str, media: Sequence[Attachment]
) -> None:
    """The pictures of (key, target), numbered by their place among their part's."""
    places: dict[int, int] = {}
    for picture in media:
        pos = places.get(picture.idx, 0)
        places[picture.idx] = pos + 1
        db.execute(
            "INSERT INTO media (post_key, target, idx, pos, sha256, alt) VALUES (?, ?, ?, ?, ?, ?)",
            (key, target, picture.idx, pos, picture.sha256, picture.alt),
        )


OutboxLocked = AlreadyRunning  # another process delivers from the same state directory


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


# Version 3: the pictures of each post part, and why a post went out without them.
_SCHEMA_V3 = """
ALTER TABLE posts ADD COLUMN media_fallback TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN upload_failures INTEGER NOT NULL DEFAULT 0;
CREATE TABLE media (
    post_key TEXT NOT NULL,
    target TEXT NOT NULL,
    idx INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    ref TEXT,
    uploaded_at TEXT,
    PRIMARY KEY (post_key, target, idx, pos)
);
"""

# Version 4: the uploads each part's latest attempt carried (their ids, as JSON; NULL for
# an attempt made before version 4), so that a refusal of those very uploads can prove
# that attempt published the part; and when the operator released a post, apart from its
# reason (which a 429 or a failed upload overwrites): a row whose reason still says so
# was released by the operator.
_SCHEMA_V4 = f"""
ALTER TABLE parts ADD COLUMN media TEXT;
ALTER TABLE posts ADD COLUMN released_at TEXT;
UPDATE posts SET released_at = updated_at WHERE reason = '{RELEASED}';
"""


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection) -> None:
    """Create the tables, or bring an older outbox up to :data:`SCHEMA_VERSION`, in one
    transaction (all or nothing: a failure leaves the old version as it was).

    The version is read again once the write lock is held (``BEGIN IMMEDIATE``): another
    process (``spacebot hold`` beside the daemon) may have migrated the outbox between the
    first look and the lock, and its work must not be done twice.

    A new outbox is made as version 2 and then goes the same way as an old one:
    1 -> 2 allows more states (SQLite cannot change a CHECK constraint in place, so the
    posts table is rebuilt); 2 -> 3 adds the pictures (``media``, and two columns of
    ``posts`` with defaults, so every existing row stays as it was); 3 -> 4 adds the
    uploads each part's attempt carried (``parts.media``) and the operator's release
    (``posts.released_at``)."""
    if _version(conn) >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)  # again, under the lock
        if version < SCHEMA_VERSION:
            _upgrade(conn, version)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _upgrade(conn: sqlite3.Connection, version: int) -> None:
    """The steps from ``version`` to :data:`SCHEMA_VERSION` (inside the caller's
    transaction)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'posts'"
    ).fetchone()
    if not exists or version < 2:
        if exists:
            conn.execute("ALTER TABLE posts RENAME TO posts_v1")
            conn.execute("DROP INDEX IF EXISTS posts_by_due")
        for statement in _statements(_SCHEMA):
            conn.execute(statement)
        if exists:
            conn.execute("INSERT INTO posts SELECT * FROM posts_v1")
            conn.execute("DROP TABLE posts_v1")
    if version < 3:
        for statement in _statements(_SCHEMA_V3):
            conn.execute(statement)
    for statement in _statements(_SCHEMA_V4):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _ts(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PartRecord:
    idx: int
    state: PartState
    ref: PostRef | None
    attempted_at: datetime
    posted_at: datetime | None
    # the ids of the uploads the latest attempt carried (None: not recorded, before v4)
    media_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Attachment:
    """A picture a post part carries, given to :meth:`Outbox.enqueue`: its file
    (``images/<sha256>.png`` in the state directory) and its alt text for the target."""

    sha256: str
    alt: str
    idx: int = 0  # the part that carries it (pictures go on a thread's first part)


@dataclass(frozen=True)
class Revision:
    """What the current data and wording say a post not yet started should be (its
    instant moved, or a value it names changed): its texts and its pictures."""

    parts: tuple[str, ...]
    late_parts: tuple[str, ...]
    media: tuple[Attachment, ...] = ()
    media_fallback: str = ""  # why it carries no pictures although it should


# A recorded upload is used again while younger than this share of its life
# (MediaRef.ttl_seconds): an upload that is about to expire is made again instead.
REUSE_SHARE = 0.9
# ...and not "from the future" by more than this (a clock set back: upload again)
CLOCK_SKEW = 60.0


@dataclass(frozen=True)
class MediaRecord:
    """A picture of one post part for one target, and its latest upload (if any)."""

    idx: int
    pos: int  # its place among the part's pictures
    sha256: str
    alt: str
    ref: MediaRef | None
    uploaded_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Whether the recorded upload can still be attached (see :data:`REUSE_SHARE`)."""
        if self.ref is None or self.uploaded_at is None:
            return False
        if self.ref.ttl_seconds is None:
            return True
        age = (now - self.uploaded_at).total_seconds()
        return -CLOCK_SKEW <= age < self.ref.ttl_seconds * REUSE_SHARE


@dataclass(frozen=True)
class OutboxItem:
    """One (post, target) row, with its parts' progress."""

    key: str
    target: str
    state: PostState
    due: datetime
    crossing: datetime
    kind: str
    people: tuple[str, ...]
    parts: tuple[str, ...]
    late_parts: tuple[str, ...]
    wording: Wording | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    last_attempt_at: datetime | None
    done_at: datetime | None
    reason: str
    progress: dict[int, PartRecord] = field(default_factory=dict)
    media: tuple[MediaRecord, ...] = ()  # every part's pictures, in (part, place) order
    media_fallback: str = ""  # why the pictures were given up ("": they were not)
    upload_failures: int = 0  # failed uploads in a row (reset by one that works)
    released_at: datetime | None = None  # when the operator released it (None: never)

    @property
    def released(self) -> bool:
        """Released by the operator: the data never holds it again (whatever the reason
        on its row says since)."""
        return self.released_at is not None

    @property
    def texts(self) -> tuple[str, ...]:
        """The wording chosen at the first attempt (present tense before any)."""
        return self.late_parts if self.wording == "late_parts" else self.parts

    @property
    def started(self) -> bool:
        return bool(self.progress)

    def next_part(self) -> int | None:
        """Index of the first part not known to be posted, or ``None`` when all are."""
        for idx in range(len(self.texts)):
            rec = self.progress.get(idx)
            if rec is None or rec.state != "posted":
                return idx
        return None

    def ref_of(self, idx: int) -> PostRef | None:
        rec = self.progress.get(idx)
        return rec.ref if rec is not None else None

    def media_of(self, idx: int) -> tuple[MediaRecord, ...]:
        """The pictures part ``idx`` goes out with: none once they were given up."""
        if self.media_fallback:
            return ()
        return tuple(m for m in self.media if m.idx == idx)

    @property
    def media_waiting(self) -> int:
        """Pictures not uploaded yet (of a post whose pictures were not given up)."""
        if self.media_fallback or self.state not in ("pending", "sending", "held"):
            return 0
        done = {i for i, rec in self.progress.items() if rec.state == "posted"}
        return sum(1 for m in self.media if m.ref is None and m.idx not in done)


@dataclass(frozen=True)
class TargetStatus:
    target: str
    counts: dict[str, int]
    oldest_pending_due: datetime | None
    blocked_at: datetime | None
    blocked_reason: str
    rate_limited_until: datetime | None
    media_waiting: int = 0  # pictures of open posts not uploaded yet
    without_media: int = 0  # posts that went out (or will) without their pictures


class Outbox:
    """The outbox database.  Open with :meth:`open`; one writer at a time."""

    def __init__(self, conn: sqlite3.Connection, path: Path, lock: StateLock | None) -> None:
        self._conn = conn
        self.path = path
        self._lock = lock  # ours to release (None: read-only, or the caller's lock)
        # a read-only look (status) at an outbox no sender has brought to version 3 yet
        self._pictures = (
            conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'media'"
            ).fetchone()
            is not None
        )

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        state_dir: Path,
        *,
        readonly: bool = False,
        lock: StateLock | None = None,
        sender: bool = True,
    ) -> Outbox:
        """Open (creating if needed) the outbox in ``state_dir``.

        A sender needs the state directory's lock (:class:`~bot.files.lock.StateLock`) so
        two pollers can never send the same post at once: pass the one the process holds,
        or the outbox takes it (:class:`OutboxLocked` if another process holds it).
        ``sender=False`` (``hold``, ``release``) writes without the lock, beside a running
        daemon (SQLite serialises the writes; the poster skips a post changed under it).
        ``readonly`` (for ``status``) takes no lock and never creates anything.
        """
        path = state_dir / DB_NAME
        owned: StateLock | None = None
        if readonly:
            if not path.exists():
                raise FileNotFoundError(path)
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        else:
            if sender and (lock is None or not lock.held):
                owned = StateLock(state_dir).acquire()
            try:
                conn = sqlite3.connect(path, isolation_level=None)
            except BaseException:
                if owned is not None:
                    owned.release()
                raise
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                _migrate(conn)
            return cls(conn, path, owned)
        except BaseException:  # e.g. a migration that failed: nothing held
            conn.close()
            if owned is not None:
                owned.release()
            raise

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- writing -------------------------------------------------------------------

    def enqueue(
        self,
        post: Post,
        targets: Sequence[str],
        now: datetime,
        *,
        held: str = "",
        media: Sequence[Attachment] = (),
        media_fallback: str = "",
    ) -> int:
        """Add ``post`` for each target not already holding its key; returns how many added.

        Idempotent: an existing (key, target) row is never re-added, reset or updated.
        With ``held`` (the reason), the new rows wait in state ``held``.  ``media``: the
        pictures the post carries (their files already in the state directory), in
        order; ``media_fallback``: why it carries none although it should (a chart that
        could not be drawn).
        """
        added = 0
        state = "held" if held else "pending"
        with self._tx() as db:
            for target in targets:
                cur = db.execute(
                    "INSERT OR IGNORE INTO posts (post_key, target, state, due, crossing, kind,"
                    " people, parts, late_parts, created_at, updated_at, reason, media_fallback)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        post.key,
                        target,
                        state,
                        _ts(post.due),
                        _ts(post.crossing),
                        post.kind,
                        json.dumps(list(post.people)),
                        json.dumps(list(post.parts)),
                        json.dumps(list(post.late_parts or post.parts)),
                        _ts(now),
                        _ts(now),
                        held,
                        redact(media_fallback),
                    ),
                )
                added += cur.rowcount
                if cur.rowcount == 1:
                    _insert_media(db, post.key, target, media)
        return added

    def hold(self, key: str, target: str, *, reason: str, now: datetime) -> bool:
        """A ``pending`` post waits (``held``) with ``reason``; False when it was not pending
        (a post whose first part is out cannot be held: its thread goes on)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET state = 'held', reason = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state = 'pending'"
                " AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.post_key = posts.post_key"
                " AND parts.target = posts.target)",
                (redact(reason), _ts(now), key, target),
            )
            return cur.rowcount == 1

    def release(
        self,
        key: str,
        target: str,
        *,
        now: datetime,
        due: datetime | None = None,
        reason: str = "",
        by_operator: bool = False,
    ) -> bool:
        """A ``held`` post goes back to ``pending`` (due at ``due`` when given; ``reason``
        kept).  ``by_operator``: the operator's decision, kept apart from the reason
        (``released_at``) so that no later reason makes the data hold it again."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET state = 'pending', reason = ?, updated_at = ?,"
                " due = COALESCE(?, due),"
                " released_at = CASE WHEN ? THEN ? ELSE released_at END"
                " WHERE post_key = ? AND target = ? AND state = 'held'",
                (
                    reason,
                    _ts(now),
                    _ts(due) if due else None,
                    by_operator,
                    _ts(now),
                    key,
                    target,
                ),
            )
            return cur.rowcount == 1

    def withdraw(self, key: str, target: str, *, reason: str, now: datetime) -> bool:
        """A post not yet started whose milestone no longer holds: never sent."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET state = 'withdrawn', reason = ?, done_at = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state IN ('pending', 'held')"
                " AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.post_key = posts.post_key"
                " AND parts.target = posts.target)",
                (redact(reason), _ts(now), _ts(now), key, target),
            )
            return cur.rowcount == 1

    def reschedule(
        self,
        key: str,
        target: str,
        *,
        crossing: datetime,
        due: datetime,
        now: datetime,
        revision: Revision | None = None,
    ) -> bool:
        """The milestone's instant moved, or its wording changed (``revision``): a post not
        yet started goes at the new instant, with the new texts and pictures (uploads of
        the old pictures are forgotten)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET crossing = ?, due = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state IN ('pending', 'held')"
                " AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.post_key = posts.post_key"
                " AND parts.target = posts.target)",
                (_ts(crossing), _ts(due), _ts(now), key, target),
            )
            if cur.rowcount != 1 or revision is None:
                return cur.rowcount == 1
            db.execute(
                "UPDATE posts SET parts = ?, late_parts = ?, media_fallback = ?,"
                " upload_failures = 0 WHERE post_key = ? AND target = ?",
                (
                    json.dumps(list(revision.parts)),
                    json.dumps(list(revision.late_parts or revision.parts)),
                    redact(revision.media_fallback),
                    key,
                    target,
                ),
            )
            db.execute("DELETE FROM media WHERE post_key = ? AND target = ?", (key, target))
            _insert_media(db, key, target, revision.media)
            return True

    def held_items(self, target: str | None = None) -> list[OutboxItem]:
        """The ``held`` rows (of one target, or all), in due order."""
        sql = "SELECT * FROM posts WHERE state = 'held'"
        args: list[Any] = []
        if target is not None:
            sql += " AND target = ?"
            args.append(target)
        sql += " ORDER BY due, crossing, post_key"
        return [self._item(row) for row in self._conn.execute(sql, args)]

    def begin_part(
        self,
        key: str,
        target: str,
        idx: int,
        *,
        wording: Wording,
        now: datetime,
        media: Sequence[str] = (),
    ) -> None:
        """Record an attempt at part ``idx`` BEFORE the network call (state ``sending``),
        with the ids of the uploads it carries (``media``).

        The wording is fixed at the first attempt so a resumed thread never mixes tenses.
        """
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET state = 'sending', attempts = attempts + 1,"
                " wording = COALESCE(wording, ?), last_attempt_at = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state IN ('pending', 'sending')",
                (wording, _ts(now), _ts(now), key, target),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no open outbox row for {key!r} on {target!r}")
            db.execute(
                "INSERT INTO parts (post_key, target, idx, state, attempted_at, media)"
                " VALUES (?, ?, ?, 'sending', ?, ?)"
                " ON CONFLICT (post_key, target, idx)"
                " DO UPDATE SET attempted_at = excluded.attempted_at, media = excluded.media"
                " WHERE state = 'sending'",
                (key, target, idx, _ts(now), json.dumps(list(media))),
            )

    def part_posted(
        self, key: str, target: str, idx: int, ref: PostRef, *, total: int, now: datetime
    ) -> PostState:
        """Record that part ``idx`` is published; the row becomes ``posted`` after the last."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO parts (post_key, target, idx, state, ref, attempted_at, posted_at)"
                " VALUES (?, ?, ?, 'posted', ?, ?, ?)"
                " ON CONFLICT (post_key, target, idx) DO UPDATE SET state = 'posted',"
                " ref = excluded.ref, posted_at = excluded.posted_at",
                (key, target, idx, json.dumps(ref.to_json()), _ts(now), _ts(now)),
            )
            done = db.execute(
                "SELECT COUNT(*) FROM parts WHERE post_key = ? AND target = ? AND state = 'posted'",
                (key, target),
            ).fetchone()[0]
            state: PostState = "posted" if done >= total else "pending"
            db.execute(
                "UPDATE posts SET state = ?, updated_at = ?, reason = '',"
                " done_at = CASE WHEN ? = 'posted' THEN ? ELSE done_at END"
                " WHERE post_key = ? AND target = ?",
                (state, _ts(now), state, _ts(now), key, target),
            )
        return state

    def part_not_sent(self, key: str, target: str, idx: int, *, reason: str, now: datetime) -> None:
        """The platform definitely did not publish part ``idx`` (429, 401/403): back to pending."""
        reason = redact(reason)  # a message that quotes a credential must not keep it
        with self._tx() as db:
            db.execute(
                "DELETE FROM parts"
                " WHERE post_key = ? AND target = ? AND idx = ? AND state = 'sending'",
                (key, target, idx),
            )
            db.execute(
                "UPDATE posts SET state = 'pending', reason = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state = 'sending'",
                (reason, _ts(now), key, target),
            )

    def part_uncertain(self, key: str, target: str, *, reason: str, now: datetime) -> None:
        """The call failed in a way that may have published it (timeout, 5xx): stays ``sending``."""
        reason = redact(reason)  # a message that quotes a credential must not keep it
        with self._tx() as db:
            db.execute(
                "UPDATE posts SET reason = ?, updated_at = ? WHERE post_key = ? AND target = ?",
                (reason, _ts(now), key, target),
            )

    def mark_failed(self, key: str, target: str, *, reason: str, now: datetime) -> None:
        """Permanent content rejection: never retried."""
        self._finish(key, target, "failed", reason, now)

    def mark_skipped(self, key: str, target: str, *, reason: str, now: datetime) -> None:
        """Not sent on purpose (too old with ``old_posts: skip``)."""
        self._finish(key, target, "skipped", reason, now)

    def _finish(self, key: str, target: str, state: PostState, reason: str, now: datetime) -> None:
        reason = redact(reason)  # a message that quotes a credential must not keep it
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET state = ?, reason = ?, done_at = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND state IN ('pending', 'sending')",
                (state, reason, _ts(now), _ts(now), key, target),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no open outbox row for {key!r} on {target!r}")
            db.execute(
                "DELETE FROM parts WHERE post_key = ? AND target = ? AND state = 'sending'",
                (key, target),
            )

    def media_uploaded(
        self, key: str, target: str, idx: int, pos: int, ref: MediaRef, *, now: datetime
    ) -> None:
        """Record an upload right after it returned (before the post that attaches it),
        so a restart attaches it instead of uploading again; failures in a row reset."""
        with self._tx() as db:
            db.execute(
                "UPDATE media SET ref = ?, uploaded_at = ?"
                " WHERE post_key = ? AND target = ? AND idx = ? AND pos = ?",
                (json.dumps(ref.to_json()), _ts(now), key, target, idx, pos),
            )
            db.execute(
                "UPDATE posts SET upload_failures = 0, updated_at = ?"
                " WHERE post_key = ? AND target = ?",
                (_ts(now), key, target),
            )

    def forget_uploads(self, key: str, target: str, idx: int, *, now: datetime) -> None:
        """The platform no longer has part ``idx``'s uploads: they are made again."""
        with self._tx() as db:
            db.execute(
                "UPDATE media SET ref = NULL, uploaded_at = NULL"
                " WHERE post_key = ? AND target = ? AND idx = ?",
                (key, target, idx),
            )
            db.execute(
                "UPDATE posts SET updated_at = ? WHERE post_key = ? AND target = ?",
                (_ts(now), key, target),
            )

    def upload_failed(self, key: str, target: str, *, reason: str, now: datetime) -> int:
        """An upload failed (and may be retried): returns the failures in a row so far."""
        with self._tx() as db:
            db.execute(
                "UPDATE posts SET upload_failures = upload_failures + 1, reason = ?,"
                " updated_at = ? WHERE post_key = ? AND target = ?",
                (redact(reason), _ts(now), key, target),
            )
            row = db.execute(
                "SELECT upload_failures FROM posts WHERE post_key = ? AND target = ?",
                (key, target),
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def drop_media(self, key: str, target: str, *, reason: str, now: datetime) -> bool:
        """The post goes out without its pictures; ``reason`` stays on the row.  False
        when they were given up already (or the row is gone)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE posts SET media_fallback = ?, updated_at = ?"
                " WHERE post_key = ? AND target = ? AND media_fallback = ''",
                (redact(reason) or "given up", _ts(now), key, target),
            )
            return cur.rowcount == 1

    def pictures_in_use(self, finished_since: datetime) -> set[str]:
        """The content hashes of the pictures of every post still open (pending,
        sending, held) or finished since ``finished_since``."""
        rows = self._conn.execute(
            "SELECT DISTINCT media.sha256 FROM media JOIN posts"
            " ON posts.post_key = media.post_key AND posts.target = media.target"
            " WHERE posts.state IN ('pending', 'sending', 'held')"
            " OR COALESCE(posts.done_at, posts.updated_at) >= ?",
            (_ts(finished_since),),
        )
        return {str(row[0]) for row in rows}

    def block_target(self, target: str, *, reason: str, now: datetime) -> None:
        """Credentials refused: the target's posts stay pending until it is unblocked."""
        reason = redact(reason)  # a message that quotes a credential must not keep it
        with self._tx() as db:
            db.execute(
                "INSERT INTO targets (target, blocked_at, blocked_reason) VALUES (?, ?, ?)"
                " ON CONFLICT (target) DO UPDATE SET blocked_at = excluded.blocked_at,"
                " blocked_reason = excluded.blocked_reason",
                (target, _ts(now), reason),
            )

    def unblock_target(self, target: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE targets SET blocked_at = NULL, blocked_reason = '' WHERE target = ?",
                (target,),
            )

    def set_rate_limited(self, target: str, until: datetime | None) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO targets (target, rate_limited_until) VALUES (?, ?)"
                " ON CONFLICT (target)"
                " DO UPDATE SET rate_limited_until = excluded.rate_limited_until",
                (target, _ts(until) if until else None),
            )

    # -- reading -------------------------------------------------------------------

    def get(self, key: str, target: str) -> OutboxItem | None:
        row = self._conn.execute(
            "SELECT * FROM posts WHERE post_key = ? AND target = ?", (key, target)
        ).fetchone()
        return self._item(row) if row is not None else None

    def open_items(self, target: str, now: datetime | None = None) -> list[OutboxItem]:
        """Pending/sending rows of ``target`` in due order (only those due by ``now``)."""
        sql = "SELECT * FROM posts WHERE target = ? AND state IN ('pending', 'sending')"
        args: list[Any] = [target]
        if now is not None:
            sql += " AND due <= ?"
            args.append(_ts(now))
        sql += " ORDER BY due, crossing, post_key"
        return [self._item(row) for row in self._conn.execute(sql, args)]

    def next_due(self, target: str) -> datetime | None:
        row = self._conn.execute(
            "SELECT MIN(due) FROM posts WHERE target = ? AND state IN ('pending', 'sending')",
            (target,),
        ).fetchone()
        return _dt(row[0])

    def sent_since(self, target: str, since: datetime) -> list[datetime]:
        """Times of calls (posted or maybe-posted parts) on ``target`` since ``since``, sorted."""
        rows = self._conn.execute(
            "SELECT COALESCE(posted_at, attempted_at) AS at FROM parts"
            " WHERE target = ? AND COALESCE(posted_at, attempted_at) >= ? ORDER BY at",
            (target, _ts(since)),
        )
        return [datetime.fromisoformat(r[0]) for r in rows]

    def last_post_finished(self, target: str, *, exclude_key: str = "") -> datetime | None:
        """When the latest part of another post was published on ``target`` (for pacing)."""
        row = self._conn.execute(
            "SELECT MAX(COALESCE(posted_at, attempted_at)) FROM parts"
            " WHERE target = ? AND post_key != ?",
            (target, exclude_key),
        ).fetchone()
        return _dt(row[0])

    def target_state(self, target: str) -> tuple[datetime | None, str, datetime | None]:
        """(blocked_at, blocked_reason, rate_limited_until) for ``target``."""
        row = self._conn.execute(
            "SELECT blocked_at, blocked_reason, rate_limited_until FROM targets WHERE target = ?",
            (target,),
        ).fetchone()
        if row is None:
            return None, "", None
        return _dt(row[0]), str(row[1] or ""), _dt(row[2])

    def items(self, target: str | None = None) -> list[OutboxItem]:
        sql = "SELECT * FROM posts"
        args: list[Any] = []
        if target is not None:
            sql += " WHERE target = ?"
            args.append(target)
        sql += " ORDER BY target, due, post_key"
        return [self._item(row) for row in self._conn.execute(sql, args)]

    def status(self) -> list[TargetStatus]:
        """Counts per state, oldest pending and block/rate-limit state, per target."""
        names = [
            r[0]
            for r in self._conn.execute(
                "SELECT target FROM posts UNION SELECT target FROM targets ORDER BY 1"
            )
        ]
        result = []
        for name in names:
            counts: dict[str, int] = dict.fromkeys(STATES, 0)
            for state, count in self._conn.execute(
                "SELECT state, COUNT(*) FROM posts WHERE target = ? GROUP BY state", (name,)
            ):
                counts[state] = count
            blocked_at, reason, limited = self.target_state(name)
            waiting = without = 0
            if self._pictures:
                waiting, without = self._picture_counts(name)
            result.append(
                TargetStatus(
                    name,
                    counts,
                    self.next_due(name),
                    blocked_at,
                    reason,
                    limited,
                    waiting,
                    without,
                )
            )
        return result

    def _picture_counts(self, target: str) -> tuple[int, int]:
        """(pictures of open posts not uploaded yet, posts whose pictures were given up):
        what :attr:`OutboxItem.media_waiting` and ``media_fallback`` say, counted here."""
        waiting = self._conn.execute(
            "SELECT COUNT(*) FROM media JOIN posts USING (post_key, target)"
            " WHERE media.target = ? AND media.ref IS NULL AND posts.media_fallback = ''"
            " AND posts.state IN ('pending', 'sending', 'held')"
            " AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.post_key = media.post_key"
            " AND parts.target = media.target AND parts.idx = media.idx"
            " AND parts.state = 'posted')",
            (target,),
        ).fetchone()[0]
        without = self._conn.execute(
            "SELECT COUNT(*) FROM posts WHERE target = ? AND media_fallback != ''", (target,)
        ).fetchone()[0]
        return int(waiting), int(without)

    def _item(self, row: sqlite3.Row) -> OutboxItem:
        progress = {}
        for p in self._conn.execute(
            "SELECT * FROM parts WHERE post_key = ? AND target = ? ORDER BY idx",
            (row["post_key"], row["target"]),
        ):
            part_columns = p.keys()  # an outbox before version 4 has no parts.media
            ref = PostRef.from_json(json.loads(p["ref"])) if p["ref"] else None
            carried = p["media"] if "media" in part_columns else None
            progress[int(p["idx"])] = PartRecord(
                int(p["idx"]),
                p["state"],
                ref,
                datetime.fromisoformat(p["attempted_at"]),
                _dt(p["posted_at"]),
                tuple(str(i) for i in json.loads(carried)) if carried is not None else None,
            )
        media: list[MediaRecord] = []
        if self._pictures:
            for m in self._conn.execute(
                "SELECT * FROM media WHERE post_key = ? AND target = ? ORDER BY idx, pos",
                (row["post_key"], row["target"]),
            ):
                media.append(
                    MediaRecord(
                        int(m["idx"]),
                        int(m["pos"]),
                        m["sha256"],
                        m["alt"],
                        MediaRef.from_json(json.loads(m["ref"])) if m["ref"] else None,
                        _dt(m["uploaded_at"]),
                    )
                )
        columns = row.keys()
        return OutboxItem(
            key=row["post_key"],
            target=row["target"],
            state=row["state"],
            due=datetime.fromisoformat(row["due"]),
            crossing=datetime.fromisoformat(row["crossing"]),
            kind=row["kind"],
            people=tuple(json.loads(row["people"])),
            parts=tuple(json.loads(row["parts"])),
            late_parts=tuple(json.loads(row["late_parts"])),
            wording=row["wording"],
            attempts=int(row["attempts"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            last_attempt_at=_dt(row["last_attempt_at"]),
            done_at=_dt(row["done_at"]),
            reason=row["reason"],
            progress=progress,
            media=tuple(media),
            media_fallback=row["media_fallback"] if "media_fallback" in columns else "",
            upload_failures=int(row["upload_failures"]) if "upload_failures" in columns else 0,
            released_at=_dt(row["released_at"]) if "released_at" in columns else None,
        )
