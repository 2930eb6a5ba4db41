"""Posting pictures through the outbox and the poster, against the real client libraries
and the fake server: upload, record, post; re-use or re-upload after a crash; the
fallback that sends the text alone; and, in the slow matrices, a crash at every step
between upload and post on every platform (every post published exactly once, with
its pictures unless the fallback fired, which is then logged and recorded)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import random
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from fakes import T0, FakeClock, FakeServer
from test_clients_media import make_png
from test_delivery import Crash, Rig, post, target

from bot.core.post import Post
from bot.files.targets import PostingConfig, RetryConfig, TargetConfig
from bot.posting.media import ImageStore
from bot.posting.outbox import Attachment, OutboxItem

# atproto's upload_blob passes raw bytes as httpx's data=, which httpx deprecates
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

PLATFORMS = ["x", "mastodon", "bluesky", "dry-run"]
PNG_A = make_png(shade=10)
PNG_B = make_png(shade=200)
UPLOAD_PATHS = {"/2/media/upload", "/2/media/metadata", "/api/v2/media"}
UPLOAD_PATHS |= {"com.atproto.repo.uploadBlob"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def alt(name: str, data: bytes) -> str:
    return f"Bar chart {sha(data)[:8]} for {name}"


def enqueue(rig: Rig, p: Post, pictures: Sequence[bytes] = ()) -> None:
    """What Pipeline.check does: the files first, then the row naming them."""
    store = ImageStore(rig.state_dir)
    for t in rig.targets:
        media = [Attachment(store.write(data), alt(t.name, data)) for data in pictures]
        rig.outbox.enqueue(p, [t.name], rig.clock(), media=media)


Attached = list[tuple[str, str]]  # (picture's sha256, alt text) as published


def published(rig: Rig, server: FakeServer, platform: str) -> list[tuple[str, Attached]]:
    """Every post published on ``platform``: its text and its pictures."""
    if platform == "dry-run":
        path = rig.state_dir / "dry-run.jsonl"
        lines = [json.loads(line) for line in path.read_text().splitlines() if line]
        return [
            (r["text"], [(m["name"].removesuffix(".png"), m["alt"]) for m in r.get("media", [])])
            for r in lines
            if "key" in r
        ]
    out = []
    for p in server.published:
        if p.platform != platform:
            continue
        if platform == "bluesky":
            alts = [i["alt"] for i in (p.embed or {}).get("images", [])]
        else:
            alts = [u.alt or "" for u in p.media]
        out.append((p.text, [(sha(u.data), a) for u, a in zip(p.media, alts, strict=True)]))
    return out


def uploads(server: FakeServer, platform: str) -> int:
    return sum(1 for u in server.uploads if u.platform == platform)


def die_at(rig: Rig, where: str) -> None:
    """Deliver until the hook point ``where``, die there (as ``kill -9``), and leave only
    what is on disk."""

    def hook(point: str, it: OutboxItem, idx: int) -> None:
        if point == where:
            raise Crash

    with pytest.raises(Crash):
        rig.open(hook).drain()
    rig.crash()


def rig_for(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    platform: str,
    posting: PostingConfig | None = None,
    **kw: object,
) -> Rig:
    server.clock = clock
    return Rig(tmp_path, [target(platform, server, min_interval=0, **kw)], clock, posting=posting)


def item(rig: Rig, key: str) -> OutboxItem:
    found = rig.outbox.get(key, rig.targets[0].name)
    assert found is not None
    return found


def on_uploads(server: FakeServer, decide: Callable[[int], str | None]) -> list[int]:
    """Faults for upload requests only: ``decide(n)`` for the n-th (0-based)."""
    count: list[int] = []

    def faults(platform: str, path: str) -> str | None:
        if path not in UPLOAD_PATHS or path == "/2/media/metadata":
            return None
        count.append(1)
        return decide(len(count) - 1)

    server.faults = faults
    return count


# ------------------------------------------------------------------ the normal way


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_post_goes_out_once_with_its_pictures_and_their_alt_text(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    name = rig.targets[0].name
    enqueue(rig, post("rec", "Kelly passes Fincke (1/2)", "the rest (2/2)"), [PNG_A, PNG_B])
    enqueue(rig, post("plain", "no picture", minutes=1))
    clock.advance(minutes=1)
    result = rig.poster.drain()
    assert result.posted == 2
    assert published(rig, server, platform) == [
        (
            "Kelly passes Fincke (1/2)",
            [(sha(PNG_A), alt(name, PNG_A)), (sha(PNG_B), alt(name, PNG_B))],
        ),
        ("the rest (2/2)", []),  # pictures go on the first part only
        ("no picture", []),
    ]
    done = item(rig, "rec")
    assert done.state == "posted"
    assert all(m.ref is not None for m in done.media)  # each upload recorded
    assert done.media_fallback == ""
    if platform == "dry-run":  # the rehearsal records each upload too
        lines = (tmp_path / "dry-run.jsonl").read_text().splitlines()
        images = [json.loads(line)["image"] for line in lines if "upload_key" in line]
        assert [(i["sha256"], i["alt"], i["width"]) for i in images] == [
            (sha(PNG_A), alt(name, PNG_A), 1200),
            (sha(PNG_B), alt(name, PNG_B), 1200),
        ]
    else:
        assert uploads(server, platform) == 2


def test_a_picture_drawn_for_two_posts_is_uploaded_for_each(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "mastodon")
    enqueue(rig, post("a", "first"), [PNG_A])
    enqueue(rig, post("b", "second"), [PNG_A])  # Mastodon attaches an upload to one status
    rig.poster.drain()
    assert [len(media) for _, media in published(rig, server, "mastodon")] == [1, 1]
    assert uploads(server, "mastodon") == 2


# ------------------------------------------------------------------ between upload and post


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_restart_between_recording_and_posting_re_uses_the_upload(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    rig.crash()
    die_at(rig, "after_record")
    rig.open().drain()
    assert published(rig, server, platform) == [
        ("a record", [(sha(PNG_A), alt(rig.targets[0].name, PNG_A))])
    ]
    if platform != "dry-run":
        assert uploads(server, platform) == 1  # the recorded upload was attached


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_a_restart_after_the_uploads_life_uploads_again(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    rig.crash()
    die_at(rig, "after_record")
    clock.advance(hours=22)  # past 90 % of a day (X, Mastodon) and of 5 minutes (Bluesky)
    server.expire_uploads()
    rig.open().drain()
    assert published(rig, server, platform) == [
        ("a record", [(sha(PNG_A), alt(rig.targets[0].name, PNG_A))])
    ]
    assert uploads(server, platform) == 2  # made again, not refused first


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_an_upload_the_platform_dropped_early_is_made_again_once(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    rig.crash()
    die_at(rig, "after_record")
    server.expire_uploads()  # gone before the life we count on (Bluesky: "minutes")
    result = rig.open().drain()
    assert result.posted == 1
    ((text, media),) = published(rig, server, platform)
    assert text == "a record"
    assert [s for s, _ in media] == [sha(PNG_A)]
    assert uploads(server, platform) == 2
    assert item(rig, "rec").media_fallback == ""


def test_mastodon_a_lost_answer_is_settled_by_its_attached_picture(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # The status was published but its answer lost; the bot comes back after Mastodon
    # forgot the Idempotency-Key (an hour).  The upload, still within its day, is
    # "not found or already attached": attached, to that status.  Sending it again with
    # a new upload would publish it twice.
    rig = rig_for(tmp_path, clock, server, "mastodon")
    enqueue(rig, post("rec", "a record"), [PNG_A])
    server.faults = lambda p, path: "accept-reset" if path == "/api/v1/statuses" else None
    rig.poster.deliver_due()
    assert item(rig, "rec").state == "sending"  # fate unknown
    server.faults = lambda p, path: None
    server.forget_idempotency_keys()  # the key's hour is over
    clock.advance(hours=3)
    rig.crash()
    result = rig.open().drain()
    assert result.posted == 1
    assert server.texts() == ["a record"]  # once
    assert item(rig, "rec").state == "posted"
    assert uploads(server, "mastodon") == 1


def test_mastodon_the_attached_proof_holds_when_the_upload_takes_time(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # Regression: the upload was recorded at the clock after it returned, the attempt
    # that carried it at the step's earlier instant; so a fresh upload always looked
    # younger than its attempt, the "attached" proof never held in real use, and the
    # status was published twice.  (The test above passes with a clock that stands still
    # during the upload.)
    rig = rig_for(tmp_path, clock, server, "mastodon")
    enqueue(rig, post("rec", "a record"), [PNG_A])

    def slow_upload(point: str, it: OutboxItem, idx: int) -> None:
        if point == "after_upload":
            clock.advance(seconds=1)  # an upload takes time

    rig.crash()
    rig.open(slow_upload)
    server.faults = lambda p, path: "accept-reset" if path == "/api/v1/statuses" else None
    rig.poster.deliver_due()
    assert item(rig, "rec").state == "sending"  # fate unknown
    server.faults = lambda p, path: None
    server.forget_idempotency_keys()  # the key's hour is over
    clock.advance(hours=3)
    rig.crash()
    result = rig.open(slow_upload).drain()
    assert result.posted == 1
    assert server.texts() == ["a record"]  # once
    assert uploads(server, "mastodon") == 1


def test_mastodon_an_upload_the_earlier_attempt_did_not_carry_proves_nothing(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # The other side of the proof: the attempt whose fate is unknown carried an upload
    # that is gone; the one made since was never sent with it.  "Not found or attached"
    # about the newer one says nothing of that attempt: upload again and send.
    rig = rig_for(tmp_path, clock, server, "mastodon")
    enqueue(rig, post("rec", "a record"), [PNG_A])
    server.faults = lambda p, path: "reset" if path == "/api/v1/statuses" else None
    rig.poster.deliver_due()  # dropped before Mastodon did anything: nothing published
    first = item(rig, "rec")
    assert first.state == "sending"
    assert first.progress[0].media_ids == (server.uploads[0].id,)
    server.faults = lambda p, path: None
    rig.crash()
    clock.advance(hours=22)  # past the upload's life: made again...
    die_at(rig, "after_record")  # ...recorded, and the process killed before the attempt
    server.expire_uploads()  # the instance dropped that one early too
    result = rig.open().drain()
    assert result.posted == 1
    assert [len(m) for _, m in published(rig, server, "mastodon")] == [1]
    assert uploads(server, "mastodon") == 3
    assert item(rig, "rec").media_fallback == ""


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_a_lost_answer_with_pictures_is_posted_once(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    paths = {"/2/tweets", "/api/v1/statuses", "com.atproto.repo.createRecord"}
    server.faults = lambda p, path: "accept-reset" if path in paths else None
    rig.poster.deliver_due()
    server.faults = lambda p, path: None
    rig.crash()
    rig.open().drain()
    assert [t for t, _ in published(rig, server, platform)] == ["a record"]
    assert len(published(rig, server, platform)[0][1]) == 1


# ------------------------------------------------------------------ the fallback


def posting(**kw: object) -> PostingConfig:
    retry = kw.pop("retry", RetryConfig(base_seconds=60, cap_seconds=3600, max_attempts=8))
    return PostingConfig(retry=retry, **kw)  # type: ignore[arg-type]


def dropped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "without its pictures" in r.getMessage()]


def test_uploads_failing_past_the_margin_send_the_text_alone_on_time(
    tmp_path: Path, clock: FakeClock, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    rig = rig_for(tmp_path, clock, server, "x", posting(images_max_delay_minutes=10))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    on_uploads(server, lambda n: "500")
    caplog.set_level(logging.WARNING, "spacebot")
    result = rig.poster.drain()
    assert result.posted == 1
    assert result.without_pictures == 1
    assert published(rig, server, "x") == [("a record", [])]
    done = item(rig, "rec")
    assert done.done_at is not None
    assert done.done_at <= T0 + timedelta(minutes=10)  # never later than due + margin
    assert "due + images_max_delay_minutes" in done.media_fallback
    assert len(dropped_lines(caplog)) == 1


def test_uploads_failing_max_attempts_times_send_the_text_alone(
    tmp_path: Path, clock: FakeClock, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = posting(retry=RetryConfig(1, 10, 3), images_max_delay_minutes=600)
    rig = rig_for(tmp_path, clock, server, "bluesky", config)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    count = on_uploads(server, lambda n: "reset")
    result = rig.poster.drain()
    assert result.posted == 1
    assert len(count) == 3
    assert published(rig, server, "bluesky") == [("a record", [])]
    assert item(rig, "rec").media_fallback.startswith("3 picture uploads failed in a row")
    assert len(dropped_lines(caplog)) == 1


def test_a_failure_then_success_keeps_the_picture(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "mastodon", posting(retry=RetryConfig(1, 10, 5)))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    on_uploads(server, lambda n: {0: "500", 1: "accept-reset"}.get(n))
    result = rig.poster.drain()
    assert result.posted == 1
    assert [len(m) for _, m in published(rig, server, "mastodon")] == [1]
    assert uploads(server, "mastodon") == 2  # the orphan of the lost answer, and the one used
    assert [u.attached for u in server.uploads] == [False, True]
    assert item(rig, "rec").upload_failures == 0


def test_images_fallback_wait_holds_the_text_for_its_picture(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    config = posting(
        retry=RetryConfig(60, 600, 3), images_fallback="wait", images_max_delay_minutes=0
    )
    rig = rig_for(tmp_path, clock, server, "x", config)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    count = on_uploads(server, lambda n: "500" if n < 4 else None)
    result = rig.poster.drain()
    assert result.left_pending == {"main-x": 1}  # 3 failures: rests until the next run
    assert server.published == []
    rig.crash()
    result = rig.open().drain()
    assert result.posted == 1
    assert len(count) == 5
    assert [len(m) for _, m in published(rig, server, "x")] == [1]  # late, with its picture
    assert item(rig, "rec").media_fallback == ""


@pytest.mark.parametrize(("reset_minutes", "with_picture"), [(5, True), (30, False)])
def test_a_rate_limited_upload_waits_within_the_margin_only(
    tmp_path: Path, clock: FakeClock, server: FakeServer, reset_minutes: int, with_picture: bool
) -> None:
    rig = rig_for(tmp_path, clock, server, "x", posting(images_max_delay_minutes=15))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    server.rate_limit_reset = int((T0 + timedelta(minutes=reset_minutes)).timestamp())
    on_uploads(server, lambda n: "429" if n == 0 else None)
    result = rig.poster.drain()
    assert result.posted == 1
    assert [len(m) for _, m in published(rig, server, "x")] == [int(with_picture)]
    done = item(rig, "rec").done_at
    assert done == T0 + timedelta(minutes=reset_minutes if with_picture else 0)


@pytest.mark.parametrize("fallback", ["text_only", "wait"])
def test_a_picture_the_platform_refuses_never_holds_the_text(
    tmp_path: Path, clock: FakeClock, server: FakeServer, fallback: str
) -> None:
    rig = rig_for(tmp_path, clock, server, "mastodon", posting(images_fallback=fallback))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    on_uploads(server, lambda n: "400")
    result = rig.poster.drain()
    assert result.posted == 1
    assert published(rig, server, "mastodon") == [("a record", [])]
    assert "refused the picture" in item(rig, "rec").media_fallback


def test_a_picture_missing_from_the_state_directory_sends_the_text_alone(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "bluesky")
    enqueue(rig, post("rec", "a record"), [PNG_A])
    (tmp_path / "images" / f"{sha(PNG_A)}.png").write_bytes(PNG_A[:100])  # damaged
    result = rig.poster.drain()
    assert result.posted == 1
    assert published(rig, server, "bluesky") == [("a record", [])]
    assert "damaged" in item(rig, "rec").media_fallback
    assert server.uploads == []


def test_a_late_post_does_not_wait_for_its_picture(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # After an outage the post is already past due + margin: one failed upload is enough.
    rig = rig_for(tmp_path, clock, server, "x")
    enqueue(rig, post("rec", "a record"), [PNG_A])
    clock.advance(hours=2)
    count = on_uploads(server, lambda n: "500")
    rig.poster.drain()
    assert len(count) == 1
    assert published(rig, server, "x") == [("a record", [])]


def test_mastodon_still_processing_the_picture_is_waited_for_then_posted(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "mastodon", posting(retry=RetryConfig(1, 10, 5)))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    server.mastodon_processing = True
    calls = {"n": 0}

    def processed_by_the_second_try(point: str, it: OutboxItem, idx: int) -> None:
        if point == "before_call":
            calls["n"] += 1
            if calls["n"] == 2:
                for upload in server.uploads:
                    upload.processed = True

    rig.crash()
    result = rig.open(processed_by_the_second_try).drain()
    assert result.posted == 1
    assert [len(m) for _, m in published(rig, server, "mastodon")] == [1]
    assert uploads(server, "mastodon") == 1  # the same upload, once processed
    assert item(rig, "rec").media_fallback == ""


def test_mastodon_never_done_processing_sends_the_text_alone_in_time(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "mastodon", posting(images_max_delay_minutes=10))
    enqueue(rig, post("rec", "a record"), [PNG_A])
    server.mastodon_processing = True
    result = rig.poster.drain()
    assert result.posted == 1
    assert published(rig, server, "mastodon") == [("a record", [])]
    done = item(rig, "rec")
    assert "still processing" in done.media_fallback
    assert done.done_at is not None
    assert done.done_at <= T0 + timedelta(minutes=10)


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_credentials_refused_for_an_upload_block_the_target(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    platform: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rig = rig_for(tmp_path, clock, server, platform)
    enqueue(rig, post("rec", "a record"), [PNG_A])
    on_uploads(server, lambda n: "401" if n == 0 else None)
    result = rig.poster.drain()
    name = rig.targets[0].name
    assert result.blocked == [name]
    assert item(rig, "rec").state == "pending"
    assert len([r for r in caplog.records if "credentials refused" in r.getMessage()]) == 1
    rig.crash()
    rig.open().drain()  # the next run, credentials fixed
    assert [len(m) for _, m in published(rig, server, platform)] == [1]


def test_a_post_refused_with_its_picture_goes_again_as_text(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    rig = rig_for(tmp_path, clock, server, "bluesky")
    enqueue(rig, post("rec", "a record"), [PNG_A])
    enqueue(rig, post("bad", "refused either way", minutes=1), [PNG_B])
    refusals = {"n": 0}

    def faults(platform: str, path: str) -> str | None:
        if path != "com.atproto.repo.createRecord":
            return None
        refusals["n"] += 1
        return "400" if refusals["n"] in (1, 3, 4) else None

    server.faults = faults
    clock.advance(minutes=1)
    result = rig.poster.drain()
    assert (result.posted, result.failed) == (1, 1)
    assert published(rig, server, "bluesky") == [("a record", [])]
    assert "refused with its pictures" in item(rig, "rec").media_fallback
    assert item(rig, "bad").state == "failed"  # the text alone was refused too


# ------------------------------------------------------------------ crash matrices (slow)

# Where the process dies: at a hook of the poster, or right after a request whose
# answer was lost ("during"): the platform did it, the bot never heard.
CRASH_POINTS = [
    "before_upload",  # nothing uploaded yet
    "during_upload",  # uploaded, the answer lost, then killed
    "after_upload",  # uploaded, not recorded
    "after_record",  # recorded, not posted
    "before_call",  # recorded, the part's attempt written, not posted
    "during_call",  # posted, the answer lost, then killed
    "after_call",  # posted, not recorded
]


def picture_posts() -> list[tuple[Post, list[bytes]]]:
    return [
        (post("p1", "one", minutes=0), [PNG_A]),
        (post("p2", "two a", "two b", "two c", minutes=1), [PNG_A, PNG_B]),
        (post("p3", "three", minutes=2), []),
        (post("p4", "four", minutes=3), [PNG_B]),
    ]


EXPECTED_TEXTS = ["one", "two a", "two b", "two c", "three", "four"]


def check_exactly_once_with_pictures(
    rig: Rig,
    server: FakeServer,
    platform: str,
    caplog: pytest.LogCaptureFixture,
    name: str | None = None,
) -> None:
    """The property: every post published exactly once, in order, with its pictures
    unless the fallback fired, which is then on its row and in the log, once."""
    name = name or rig.targets[0].name
    got = published(rig, server, platform)
    assert [text for text, _ in got] == EXPECTED_TEXTS
    by_text = dict(got)
    dropped = dropped_lines(caplog)
    for p, pictures in picture_posts():
        row = rig.outbox.get(p.key, name)
        assert row is not None
        assert row.state == "posted"
        want = [(sha(data), alt(name, data)) for data in pictures]
        if row.media_fallback:
            assert by_text[p.parts[0]] == []
            assert len([line for line in dropped if f"{name}: {p.key} " in line]) == 1
        else:
            assert by_text[p.parts[0]] == want, p.key
        for later in p.parts[1:]:
            assert by_text[later] == []
    if platform in ("x", "mastodon"):  # no upload attached twice
        ids = [u.id for pub in server.published if pub.platform == platform for u in pub.media]
        assert len(ids) == len(set(ids))


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.parametrize("nth", range(3))
@pytest.mark.parametrize("late", [False, True])
def test_crash_at_every_step_with_pictures_posts_each_once_with_its_pictures(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
    platform: str,
    point: str,
    nth: int,
    late: bool,
) -> None:
    if platform == "dry-run" and point in ("during_upload", "during_call"):
        pytest.skip("the dry run makes no request")
    caplog.set_level(logging.INFO, "spacebot")
    rig = rig_for(tmp_path, clock, server, platform)
    for p, pictures in picture_posts():
        enqueue(rig, p, pictures)
    # "during": the process dies at the next step after the request whose answer was lost
    hook_point = {"during_upload": "before_upload", "during_call": "before_call"}.get(point, point)
    seen = {"n": 0, "crashed": False}
    if point.startswith("during"):
        paths = UPLOAD_PATHS - {"/2/media/metadata"} if point == "during_upload" else None
        posting_paths = {"/2/tweets", "/api/v1/statuses", "com.atproto.repo.createRecord"}
        wanted = paths or posting_paths
        calls = {"n": 0}

        def faults(plat: str, path: str) -> str | None:
            if path not in wanted:
                return None
            calls["n"] += 1
            return "accept-reset" if calls["n"] == nth + 1 else None

        server.faults = faults

    def hook(where: str, it: OutboxItem, idx: int) -> None:
        if seen["crashed"] or where != hook_point:
            return
        if point.startswith("during"):
            if calls["n"] >= nth + 1:  # the answer to the faulty request was lost
                seen["crashed"] = True
                raise Crash
            return
        if seen["n"] == nth:
            seen["crashed"] = True
            raise Crash
        seen["n"] += 1

    rig.crash()
    clock.advance(minutes=5)
    with contextlib.suppress(Crash):
        rig.open(hook).drain()
    assert seen["crashed"]
    rig.crash()
    if late:  # back after every upload's life (and Mastodon's idempotency keys')
        clock.advance(hours=22)
        server.expire_uploads()
        server.forget_idempotency_keys()
        server.forget_duplicates()
    rig.open().drain()
    check_exactly_once_with_pictures(rig, server, platform, caplog)
    assert all(item(rig, p.key).media_fallback == "" for p, _ in picture_posts())


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_random_faults_with_pictures_each_post_once_with_its_pictures_or_a_reason(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
    seed: int,
) -> None:
    caplog.set_level(logging.INFO, "spacebot")
    server.clock = clock
    server.timeout_sleep = 0.45
    rnd = random.Random(seed)
    kinds = ["429", "500", "timeout", "reset", "accept-reset", "accept-500", "accept-timeout"]

    def decide(platform: str, path: str) -> str | None:
        return rnd.choice(kinds) if rnd.random() < 0.3 else None

    server.faults = decide
    targets: list[TargetConfig] = [
        target("x", server, min_interval=0),
        target("mastodon", server, min_interval=0),
        target("bluesky", server, min_interval=0),
    ]
    config = PostingConfig(max_age_hours=1000, retry=RetryConfig(5, 600, 50))
    rig = Rig(tmp_path, targets, clock, posting=config, seed=seed)
    for p, pictures in picture_posts():
        enqueue(rig, p, pictures)
    clock.advance(minutes=5)
    rig.poster.drain(max_sleep=3 * 86400)
    for platform, t in zip(("x", "mastodon", "bluesky"), targets, strict=True):
        check_exactly_once_with_pictures(rig, server, platform, caplog, t.name)
