"""The outbox's pictures (schema versions 3 and 4): what enqueue records per (post,
target), the uploads recorded between upload and post, the uploads each attempt carried,
the fallback's reason, and the migration from older outboxes (in one transaction)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from fakes import T0

from bot.core.post import Post
from bot.posting import outbox as outbox_module
from bot.posting.clients.base import MediaRef, PostRef
from bot.posting.outbox import (
    RELEASED,
    SCHEMA_VERSION,
    Attachment,
    MediaRecord,
    Outbox,
    Revision,
)

SHA_A = "a" * 64
SHA_B = "b" * 64

# The schema as version 2 wrote it (spacebot before pictures), written out here so that
# the test does not move with the code.
V2_SCHEMA = """
CREATE TABLE posts (
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
CREATE INDEX posts_by_due ON posts (target, state, due);
CREATE TABLE parts (
    post_key TEXT NOT NULL,
    target TEXT NOT NULL,
    idx INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending','posted')),
    ref TEXT,
    attempted_at TEXT NOT NULL,
    posted_at TEXT,
    PRIMARY KEY (post_key, target, idx)
);
CREATE INDEX parts_by_time ON parts (target, attempted_at);
CREATE TABLE targets (
    target TEXT PRIMARY KEY,
    blocked_at TEXT,
    blocked_reason TEXT NOT NULL DEFAULT '',
    rate_limited_until TEXT
);
"""
V3_SCHEMA = (
    V2_SCHEMA
    + """
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
)
V1_POSTS = V2_SCHEMA.replace(
    "('pending','sending','posted','failed','skipped','held','withdrawn')",
    "('pending','sending','posted','failed','skipped')",
)

T = T0.isoformat(timespec="microseconds")
ROWS = [  # post_key, target, state, parts, wording, attempts, reason
    ("waiting", "fedi", "pending", '["one"]', None, 0, ""),
    ("unknown", "fedi", "sending", '["two"]', "parts", 1, "timeout"),
    ("thread", "main-x", "posted", '["a", "b"]', "late_parts", 2, ""),
    ("rejected", "main-x", "failed", '["c"]', "parts", 1, "400: too long"),
]


def old_outbox(state_dir: Path, schema: str, version: int, *, held: bool = True) -> None:
    """An outbox as an older spacebot left it, with rows in several states."""
    state_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(state_dir / "outbox.sqlite3", isolation_level=None)
    conn.executescript(schema)
    rows = ROWS + ([("paused", "fedi", "held", '["d"]', None, 0, "held by the operator")] * held)
    for key, target, state, parts, wording, attempts, reason in rows:
        conn.execute(
            "INSERT INTO posts (post_key, target, state, due, crossing, kind, people, parts,"
            " late_parts, wording, attempts, created_at, updated_at, reason)"
            " VALUES (?, ?, ?, ?, ?, 'record_cumulative', '[\"scott-kelly\"]', ?, ?, ?, ?, ?,"
            " ?, ?)",
            (key, target, state, T, T, parts, parts, wording, attempts, T, T, reason),
        )
    conn.execute("INSERT INTO parts VALUES ('unknown', 'fedi', 0, 'sending', NULL, ?, NULL)", (T,))
    for idx in (0, 1):
        conn.execute(
            "INSERT INTO parts VALUES ('thread', 'main-x', ?, 'posted', ?, ?, ?)",
            (idx, f'{{"id": "{idx + 10}"}}', T, T),
        )
    conn.execute("INSERT INTO targets VALUES ('main-x', ?, 'X refused (401)', NULL)", (T,))
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def version_of(state_dir: Path) -> int:
    conn = sqlite3.connect(state_dir / "outbox.sqlite3")
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def columns(state_dir: Path, table: str) -> list[str]:
    conn = sqlite3.connect(state_dir / "outbox.sqlite3")
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def make_post(key: str = "k1", parts: tuple[str, ...] = ("hello",)) -> Post:
    return Post(key, T0, T0, parts, parts, kind="record_cumulative")


# ------------------------------------------------------------------ migration


@pytest.mark.parametrize(("schema", "version"), [(V3_SCHEMA, 3), (V2_SCHEMA, 2), (V1_POSTS, 0)])
def test_an_older_outbox_is_brought_to_the_current_version_with_every_row_kept(
    tmp_path: Path, schema: str, version: int
) -> None:
    old_outbox(tmp_path, schema, version, held=version >= 2)
    before = Outbox.open(tmp_path, readonly=True)  # status reads an old outbox as it is
    items_before = before.items()
    assert before.status()[0].media_waiting == 0
    before.close()

    box = Outbox.open(tmp_path)
    assert version_of(tmp_path) == SCHEMA_VERSION == 4
    assert {"media_fallback", "upload_failures"} <= set(columns(tmp_path, "posts"))
    assert "media" in columns(tmp_path, "parts")
    assert columns(tmp_path, "media")[:6] == ["post_key", "target", "idx", "pos", "sha256", "alt"]
    after = box.items()
    assert after == items_before  # same states, parts, refs, reasons, times
    assert all(i.media == () and i.media_fallback == "" and i.upload_failures == 0 for i in after)
    assert not any(i.released for i in after)
    unknown = box.get("unknown", "fedi")
    assert unknown is not None
    assert unknown.progress[0].state == "sending"  # its fate is still to be settled
    assert unknown.progress[0].media_ids is None  # what it carried was not recorded
    thread = box.get("thread", "main-x")
    assert thread is not None
    assert thread.ref_of(1) == PostRef("11")
    assert box.target_state("main-x")[1] == "X refused (401)"
    # the new version works on the old rows and takes new ones with pictures
    box.begin_part("waiting", "fedi", 0, wording="parts", now=T0)
    box.enqueue(make_post("new"), ["fedi"], T0, media=[Attachment(SHA_A, "alt")])
    new = box.get("new", "fedi")
    assert new is not None
    assert [m.sha256 for m in new.media] == [SHA_A]
    box.close()
    Outbox.open(tmp_path).close()  # opening again migrates nothing
    assert version_of(tmp_path) == 4


def test_a_version_3_outbox_keeps_the_operators_releases(tmp_path: Path) -> None:
    # Before version 4 a release by the operator was only the row's reason.
    old_outbox(tmp_path, V3_SCHEMA, 3)
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3", isolation_level=None)
    conn.execute(
        "UPDATE posts SET state = 'pending', reason = ?, updated_at = ? WHERE post_key = 'paused'",
        (RELEASED, (T0 + timedelta(hours=1)).isoformat(timespec="microseconds")),
    )
    conn.close()
    box = Outbox.open(tmp_path)
    assert "released_at" in columns(tmp_path, "posts")
    assert [(i.key, i.released_at) for i in box.items() if i.released] == [
        ("paused", T0 + timedelta(hours=1))
    ]
    box.close()


def test_a_migration_that_fails_leaves_the_old_outbox_as_it_was(tmp_path: Path) -> None:
    old_outbox(tmp_path, V2_SCHEMA, 2)
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3", isolation_level=None)
    conn.execute("CREATE VIEW media AS SELECT 1 AS anything")  # in the way of version 3
    conn.close()
    with pytest.raises(sqlite3.OperationalError, match="media"):
        Outbox.open(tmp_path)
    assert version_of(tmp_path) == 2
    assert "media_fallback" not in columns(tmp_path, "posts")  # the first step undone too
    reader = Outbox.open(tmp_path, readonly=True)
    assert len(reader.items()) == len(ROWS) + 1
    reader.close()
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3", isolation_level=None)
    conn.execute("DROP VIEW media")
    conn.close()
    Outbox.open(tmp_path).close()  # once out of the way, it goes through
    assert version_of(tmp_path) == 4


class _OpenedMeanwhile:
    """A connection whose ``BEGIN IMMEDIATE`` lets another process open (and migrate) the
    outbox first: what happens when the daemon and ``spacebot hold`` (which takes no
    lock) both open an old outbox at once."""

    def __init__(self, conn: sqlite3.Connection, state_dir: Path) -> None:
        self.conn = conn
        self.state_dir = state_dir

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "BEGIN IMMEDIATE":
            Outbox.open(self.state_dir, sender=False).close()  # the other process, first
        return self.conn.execute(sql, *args)


def test_two_processes_opening_an_old_outbox_at_once_both_open_it(tmp_path: Path) -> None:
    # Regression: the version was read before the write lock; the second process to get
    # the lock migrated again and failed on ALTER TABLE (duplicate column).
    old_outbox(tmp_path, V2_SCHEMA, 2)
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3", isolation_level=None)
    try:
        outbox_module._migrate(cast(sqlite3.Connection, _OpenedMeanwhile(conn, tmp_path)))
    finally:
        conn.close()
    assert version_of(tmp_path) == SCHEMA_VERSION
    box = Outbox.open(tmp_path)
    assert len(box.items()) == len(ROWS) + 1
    box.close()


def test_a_new_outbox_is_made_at_the_current_version(tmp_path: Path) -> None:
    Outbox.open(tmp_path).close()
    assert version_of(tmp_path) == 4
    assert "media_fallback" in columns(tmp_path, "posts")
    assert "media" in columns(tmp_path, "parts")


# ------------------------------------------------------------------ pictures of a post


@pytest.fixture
def box(tmp_path: Path) -> Outbox:
    return Outbox.open(tmp_path)


def reopen(box: Outbox) -> Outbox:
    state_dir = box.path.parent
    box.close()
    return Outbox.open(state_dir)


def test_enqueue_records_each_targets_pictures_and_alt_text(box: Outbox) -> None:
    post = make_post(parts=("one", "two"))
    box.enqueue(post, ["main-x"], T0, media=[Attachment(SHA_A, "short"), Attachment(SHA_B, "b")])
    box.enqueue(post, ["sky"], T0, media=[Attachment(SHA_A, "longer alt text")])
    box = reopen(box)
    x = box.get("k1", "main-x")
    sky = box.get("k1", "sky")
    assert x is not None
    assert sky is not None
    assert [(m.idx, m.pos, m.sha256, m.alt) for m in x.media] == [
        (0, 0, SHA_A, "short"),
        (0, 1, SHA_B, "b"),
    ]
    assert [m.alt for m in sky.media] == ["longer alt text"]
    assert x.media_of(0) == x.media
    assert x.media_of(1) == ()  # pictures go on the first part
    assert x.media_waiting == 2
    assert box.status()[0].media_waiting == 2


def test_enqueue_never_changes_the_pictures_of_a_queued_post(box: Outbox) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_A, "first")])
    assert box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_B, "second")]) == 0
    item = box.get("k1", "fedi")
    assert item is not None
    assert [(m.sha256, m.alt) for m in item.media] == [(SHA_A, "first")]


def test_held_posts_keep_their_pictures(box: Outbox) -> None:
    box.enqueue(make_post(), ["fedi"], T0, held="awaiting", media=[Attachment(SHA_A, "a")])
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.state == "held"
    assert item.media_waiting == 1


def test_an_upload_is_recorded_durably_and_forgotten_when_the_platform_drops_it(
    box: Outbox,
) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_A, "a"), Attachment(SHA_B, "b")])
    assert box.upload_failed("k1", "fedi", reason="500", now=T0) == 1
    assert box.upload_failed("k1", "fedi", reason="timeout", now=T0) == 2
    ref = MediaRef("109", SHA_A, 86_400, size=5, width=1200, height=675, alt="a")
    box.media_uploaded("k1", "fedi", 0, 0, ref, now=T0 + timedelta(seconds=1))
    box = reopen(box)  # a crash right after recording it
    item = box.get("k1", "fedi")
    assert item is not None
    first, second = item.media
    assert (first.ref, first.uploaded_at) == (ref, T0 + timedelta(seconds=1))
    assert second.ref is None
    assert item.upload_failures == 0  # an upload that worked ends the failures in a row
    assert item.media_waiting == 1
    box.forget_uploads("k1", "fedi", 0, now=T0)
    item = box.get("k1", "fedi")
    assert item is not None
    assert [m.ref for m in item.media] == [None, None]


def test_each_attempt_records_the_uploads_it_carries(box: Outbox) -> None:
    box.enqueue(make_post(parts=("one", "two")), ["fedi"], T0, media=[Attachment(SHA_A, "a")])
    box.begin_part("k1", "fedi", 0, wording="parts", now=T0, media=["109"])
    box = reopen(box)
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.progress[0].media_ids == ("109",)
    later = T0 + timedelta(hours=1)
    box.begin_part("k1", "fedi", 0, wording="parts", now=later, media=["110"])  # uploaded again
    box.part_posted("k1", "fedi", 0, PostRef("1"), total=2, now=later)
    box.begin_part("k1", "fedi", 1, wording="parts", now=later)
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.progress[0].media_ids == ("110",)  # the latest attempt's
    assert item.progress[1].media_ids == ()  # carried none


def test_giving_the_pictures_up_is_kept_with_its_reason_once(box: Outbox) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_A, "a")])
    assert box.drop_media("k1", "fedi", reason="8 uploads failed", now=T0)
    assert not box.drop_media("k1", "fedi", reason="again", now=T0)  # said once
    box = reopen(box)
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.media_fallback == "8 uploads failed"
    assert item.media_of(0) == ()  # the text goes alone
    assert item.media_waiting == 0
    (status,) = box.status()
    assert (status.media_waiting, status.without_media) == (0, 1)


def test_status_counts_agree_with_the_items(box: Outbox) -> None:
    two = [Attachment(SHA_A, "a"), Attachment(SHA_B, "b")]
    box.enqueue(make_post("open", ("one", "two")), ["t"], T0, media=two)
    box.enqueue(make_post("half"), ["t"], T0, media=two)
    box.media_uploaded("half", "t", 0, 0, MediaRef("1", SHA_A), now=T0)
    box.enqueue(make_post("held"), ["t"], T0, held="awaiting", media=two[:1])
    box.enqueue(make_post("gave-up"), ["t"], T0, media=two)
    box.drop_media("gave-up", "t", reason="refused", now=T0)
    box.enqueue(make_post("done"), ["t"], T0, media=two[:1])
    box.begin_part("done", "t", 0, wording="parts", now=T0)
    box.part_posted("done", "t", 0, PostRef("9"), total=1, now=T0)
    box.enqueue(make_post("dropped-late"), ["t"], T0, media_fallback="not drawn")
    (status,) = box.status()
    items = box.items("t")
    assert status.media_waiting == sum(i.media_waiting for i in items) == 2 + 1 + 1
    assert status.without_media == sum(1 for i in items if i.media_fallback) == 2


def test_a_chart_that_could_not_be_drawn_is_recorded_at_enqueue(box: Outbox) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media_fallback="its chart could not be drawn")
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.media == ()
    assert item.media_fallback == "its chart could not be drawn"


def test_a_posted_part_has_no_picture_waiting(box: Outbox) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_A, "a")])
    box.begin_part("k1", "fedi", 0, wording="parts", now=T0)
    box.part_posted("k1", "fedi", 0, PostRef("1"), total=1, now=T0)
    item = box.get("k1", "fedi")
    assert item is not None
    assert item.media_waiting == 0


def test_a_recorded_upload_is_used_again_only_well_within_its_life() -> None:
    ref = MediaRef("1", SHA_A, 300)
    record = MediaRecord(0, 0, SHA_A, "a", ref, T0)
    assert record.usable(T0)
    assert record.usable(T0 + timedelta(seconds=269))
    assert not record.usable(T0 + timedelta(seconds=270))  # 90 % of 300 s
    assert record.usable(T0 - timedelta(seconds=30))  # the caller's instant, a bit behind
    assert not record.usable(T0 - timedelta(minutes=5))  # a clock set back: upload again
    forever = replace(record, ref=MediaRef("1", SHA_A, None))
    assert forever.usable(T0 + timedelta(days=365))
    assert not replace(record, ref=None).usable(T0)


def test_a_revision_replaces_the_texts_and_pictures_of_a_post_not_yet_started(
    box: Outbox,
) -> None:
    box.enqueue(make_post(), ["fedi"], T0, media=[Attachment(SHA_A, "old chart")])
    ref = MediaRef("109", SHA_A, 86_400, size=5, width=1200, height=675, alt="old chart")
    box.media_uploaded("k1", "fedi", 0, 0, ref, now=T0)  # uploaded, not posted yet
    later = T0 + timedelta(hours=1)
    revision = Revision(("new words",), ("new words, past",), (Attachment(SHA_B, "new chart"),))
    assert box.reschedule("k1", "fedi", crossing=later, due=later, now=T0, revision=revision)
    box = reopen(box)
    item = box.get("k1", "fedi")
    assert item is not None
    assert (item.crossing, item.due) == (later, later)
    assert (item.parts, item.late_parts) == (("new words",), ("new words, past",))
    assert [(m.sha256, m.alt, m.ref) for m in item.media] == [(SHA_B, "new chart", None)]
    assert item.media_fallback == ""
    # a revision that cannot draw its chart says why; one without pictures has none
    box.reschedule(
        "k1",
        "fedi",
        crossing=later,
        due=later,
        now=T0,
        revision=Revision(("a",), ("a",), (), "no fonts"),
    )
    item = box.get("k1", "fedi")
    assert item is not None
    assert (item.media, item.media_fallback) == ((), "no fonts")


def test_a_started_post_is_never_revised(box: Outbox) -> None:
    box.enqueue(make_post(parts=("one", "two")), ["fedi"], T0, media=[Attachment(SHA_A, "a")])
    box.begin_part("k1", "fedi", 0, wording="parts", now=T0)
    later = T0 + timedelta(hours=1)
    revision = Revision(("other",), ("other",), ())
    assert not box.reschedule("k1", "fedi", crossing=later, due=later, now=T0, revision=revision)
    item = box.get("k1", "fedi")
    assert item is not None
    assert (item.crossing, item.parts) == (T0, ("one", "two"))
    assert [m.sha256 for m in item.media] == [SHA_A]
