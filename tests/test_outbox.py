"""The outbox's state machine, and that it survives reopening from disk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fakes import T0

from bot.core.post import Post
from bot.posting.clients.base import PostRef
from bot.posting.outbox import RELEASED, Outbox, OutboxLocked


def make_post(key: str = "k1", parts: tuple[str, ...] = ("hello",), due_min: int = 0) -> Post:
    due = T0 + timedelta(minutes=due_min)
    return Post(key, due, due, parts, tuple(p + " (late)" for p in parts), kind="days")


@pytest.fixture
def box(tmp_path: Path) -> Outbox:
    return Outbox.open(tmp_path)


def reopen(box: Outbox) -> Outbox:
    state_dir = box.path.parent
    box.close()
    return Outbox.open(state_dir)


def test_enqueue_is_idempotent_and_never_resets(box: Outbox) -> None:
    assert box.enqueue(make_post(), ["a", "b"], T0) == 2
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.part_posted("k1", "a", 0, PostRef("1", "u"), total=1, now=T0)
    changed = Post("k1", T0, T0, ("other text",), ("other",))
    assert box.enqueue(changed, ["a", "b"], T0) == 0
    item = box.get("k1", "a")
    assert item is not None
    assert item.state == "posted"
    assert item.parts == ("hello",)


def test_pending_sending_posted_single(box: Outbox) -> None:
    box.enqueue(make_post(), ["a"], T0)
    assert box.get("k1", "a").state == "pending"  # type: ignore[union-attr]
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box = reopen(box)
    item = box.get("k1", "a")
    assert item is not None
    assert item.state == "sending"
    assert item.attempts == 1
    assert item.progress[0].state == "sending"  # an unknown outcome, visible after restart
    assert box.part_posted("k1", "a", 0, PostRef("9", "url9"), total=1, now=T0) == "posted"
    box = reopen(box)
    item = box.get("k1", "a")
    assert item is not None
    assert item.state == "posted"
    assert item.done_at == T0
    assert item.ref_of(0) == PostRef("9", "url9")
    assert box.open_items("a") == []


def test_thread_resumes_at_next_part(box: Outbox) -> None:
    box.enqueue(make_post(parts=("one", "two", "three")), ["a"], T0)
    box.begin_part("k1", "a", 0, wording="late_parts", now=T0)
    assert box.part_posted("k1", "a", 0, PostRef("1"), total=3, now=T0) == "pending"
    box = reopen(box)
    item = box.open_items("a")[0]
    assert item.next_part() == 1
    assert item.texts == ("one (late)", "two (late)", "three (late)")  # wording fixed
    box.begin_part("k1", "a", 1, wording="parts", now=T0)  # cannot change the wording
    assert box.get("k1", "a").wording == "late_parts"  # type: ignore[union-attr]


def test_not_sent_returns_to_pending(box: Outbox) -> None:
    box.enqueue(make_post(), ["a"], T0)
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.part_not_sent("k1", "a", 0, reason="429", now=T0)
    item = box.get("k1", "a")
    assert item is not None
    assert item.state == "pending"
    assert item.progress == {}
    assert item.attempts == 1


def test_uncertain_stays_sending(box: Outbox) -> None:
    box.enqueue(make_post(), ["a"], T0)
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.part_uncertain("k1", "a", reason="timeout", now=T0)
    item = box.get("k1", "a")
    assert item is not None
    assert item.state == "sending"
    assert item.reason == "timeout"
    assert item.progress[0].state == "sending"


def test_the_operators_release_outlives_every_later_reason(box: Outbox) -> None:
    # Regression: the release was kept only in the reason, which a 429, a timeout or a
    # failed upload overwrites; the post was then held again by the data.
    box.enqueue(make_post(), ["a"], T0, held="held by the operator: checking")
    assert box.release("k1", "a", now=T0, reason=RELEASED, by_operator=True)
    assert box.get("k1", "a").released  # type: ignore[union-attr]
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.part_not_sent("k1", "a", 0, reason="429", now=T0)
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.part_uncertain("k1", "a", reason="timeout", now=T0)
    box.upload_failed("k1", "a", reason="500", now=T0)
    box = reopen(box)
    item = box.get("k1", "a")
    assert item is not None
    assert item.reason == "500"
    assert item.released
    assert item.released_at == T0


def test_a_release_by_the_data_is_not_the_operators(box: Outbox) -> None:
    box.enqueue(make_post(), ["a"], T0, held="awaiting a second sync")
    assert box.release("k1", "a", now=T0)  # what the pipeline does when the data backs it
    item = box.get("k1", "a")
    assert item is not None
    assert (item.state, item.released) == ("pending", False)


def test_failed_and_skipped_are_final(box: Outbox) -> None:
    box.enqueue(make_post("k1"), ["a"], T0)
    box.enqueue(make_post("k2"), ["a"], T0)
    box.begin_part("k1", "a", 0, wording="parts", now=T0)
    box.mark_failed("k1", "a", reason="too long", now=T0)
    box.mark_skipped("k2", "a", reason="too old", now=T0)
    box = reopen(box)
    assert box.get("k1", "a").state == "failed"  # type: ignore[union-attr]
    assert box.get("k2", "a").reason == "too old"  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        box.begin_part("k1", "a", 0, wording="parts", now=T0)
    with pytest.raises(KeyError):
        box.mark_skipped("k1", "a", reason="again", now=T0)


def test_blocked_target_keeps_posts_pending(box: Outbox) -> None:
    box.enqueue(make_post(), ["a"], T0)
    box.block_target("a", reason="401", now=T0)
    box = reopen(box)
    (status,) = box.status()
    assert status.blocked_at == T0
    assert status.blocked_reason == "401"
    assert status.counts["pending"] == 1
    box.unblock_target("a")
    assert box.status()[0].blocked_at is None


def test_due_order_and_budget_queries(box: Outbox) -> None:
    box.enqueue(make_post("late", due_min=10), ["a"], T0)
    box.enqueue(make_post("early", due_min=5), ["a"], T0)
    assert [i.key for i in box.open_items("a")] == ["early", "late"]
    assert [i.key for i in box.open_items("a", T0 + timedelta(minutes=6))] == ["early"]
    box.begin_part("early", "a", 0, wording="parts", now=T0)
    box.part_posted("early", "a", 0, PostRef("1"), total=1, now=T0 + timedelta(minutes=1))
    assert box.sent_since("a", T0) == [T0 + timedelta(minutes=1)]
    assert box.last_post_finished("a", exclude_key="late") == T0 + timedelta(minutes=1)


def test_second_writer_is_refused_reader_is_not(tmp_path: Path) -> None:
    first = Outbox.open(tmp_path)
    first.enqueue(make_post(), ["a"], T0)
    with pytest.raises(OutboxLocked, match="another spacebot process"):
        Outbox.open(tmp_path)
    reader = Outbox.open(tmp_path, readonly=True)
    assert reader.status()[0].counts["pending"] == 1
    reader.close()
    first.close()
    Outbox.open(tmp_path).close()  # the lock is released on close


def test_durability_settings(box: Outbox) -> None:
    conn = box._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_status_command(tmp_path: Path) -> None:
    import io
    import json as jsonlib

    from bot.cli import Context, main

    box = Outbox.open(tmp_path)
    box.enqueue(make_post("k1"), ["main-x", "fedi"], T0)
    box.enqueue(make_post("k2", due_min=5), ["main-x", "fedi"], T0)
    box.begin_part("k1", "fedi", 0, wording="parts", now=T0)
    box.part_posted("k1", "fedi", 0, PostRef("1"), total=1, now=T0)
    box.block_target("main-x", reason="X authentication failed (401)", now=T0)
    # status works while the poster holds the lock
    out = io.StringIO()
    ctx = Context(stdout=out, stderr=io.StringIO(), env={}, clock=lambda: T0 + timedelta(hours=2))
    assert main(["status", "--state-dir", str(tmp_path)], ctx) == 0
    text = out.getvalue()
    assert "main-x" in text
    assert "blocked: main-x" in text
    assert "X authentication failed (401)" in text
    out.truncate(0)
    out.seek(0)
    assert main(["status", "--state-dir", str(tmp_path), "--format", "json"], ctx) == 0
    data = {row["target"]: row for row in jsonlib.loads(out.getvalue())["targets"]}
    assert data["fedi"]["counts"] == {
        "pending": 1,
        "sending": 0,
        "held": 0,
        "posted": 1,
        "failed": 0,
        "skipped": 0,
        "withdrawn": 0,
    }
    assert data["main-x"]["blocked"] is True
    assert data["main-x"]["oldest_pending_due"] == "2026-03-01T12:00:00Z"  # == T0
    box.close()
    err = io.StringIO()
    ctx.stderr = err
    assert main(["status", "--state-dir", str(tmp_path / "nowhere")], ctx) == 2
    assert "no outbox in" in err.getvalue()
