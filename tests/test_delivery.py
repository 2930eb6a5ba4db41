"""The poster: order, budget, retries, crashes and faults, against the real client libraries."""

from __future__ import annotations

import io
import itertools
import json
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import BLUESKY_ENV, ENV, T0, FakeClock, FakeServer

from bot.core.post import Post
from bot.files.config import parse_config
from bot.files.targets import PostingConfig, RetryConfig, TargetConfig
from bot.posting import holds
from bot.posting.clients import open_clients
from bot.posting.outbox import Outbox, OutboxItem
from bot.posting.poster import Poster, Verdict


def post(key: str, *parts: str, minutes: float = 0, crossing_minutes: float | None = None) -> Post:
    due = T0 + timedelta(minutes=minutes)
    crossing = T0 + timedelta(minutes=crossing_minutes if crossing_minutes is not None else minutes)
    return Post(key, crossing, due, tuple(parts), tuple(f"{p} [late]" for p in parts))


def target(platform: str, server: FakeServer | None, **kw: object) -> TargetConfig:
    names = {"x": "main-x", "mastodon": "fedi", "bluesky": "sky", "dry-run": "rehearsal"}
    options: dict[str, object] = {"timeout": 0.3} if platform != "dry-run" else {}
    if platform == "x" and server is not None:
        options["base_url"] = server.url
    if platform == "mastodon" and server is not None:
        options["api_base_url"] = server.url
    if platform == "bluesky" and server is not None:
        options.update(handle=FakeServer.HANDLE, base_url=server.url)
    if platform == "dry-run":
        options["file"] = "dry-run.jsonl"
    options.update(kw.pop("options", {}))  # type: ignore[call-overload]
    raw = {"name": names[platform], "platform": platform, "options": options, **kw}
    (config,) = parse_config({"targets": [raw]}, "test.yaml").targets
    return config


class Rig:
    """Outbox + clients + poster on a state dir, rebuilt from disk after a 'crash'."""

    def __init__(
        self,
        state_dir: Path,
        targets: list[TargetConfig],
        clock: FakeClock,
        posting: PostingConfig | None = None,
        seed: int = 1,
    ) -> None:
        self.state_dir = state_dir
        self.targets = targets
        self.clock = clock
        self.posting = posting or PostingConfig(retry=RetryConfig(1, 60, 5))
        self.seed = seed
        self.stdout = io.StringIO()
        self.open()

    def open(self, hook: Callable[[str, OutboxItem, int], None] | None = None) -> Poster:
        self.outbox = Outbox.open(self.state_dir)
        self.clients = open_clients(self.targets, ENV, state_dir=self.state_dir, stdout=self.stdout)
        self.poster = Poster(
            self.outbox,
            self.clients,
            self.targets,
            self.posting,
            clock=self.clock,
            sleep=self.clock.sleep,
            rng=random.Random(self.seed),
            hook=hook,
        )
        return self.poster

    def crash(self) -> None:
        """What a killed process leaves: the database on disk, nothing in memory."""
        for client in self.clients.values():
            client.close()
        self.outbox.close()

    def state(self, key: str, name: str) -> str:
        item = self.outbox.get(key, name)
        assert item is not None
        return item.state


# -- behaviour with a dry-run target (no network at all) -------------------------


def dry_lines(rig: Rig) -> list[dict[str, str]]:
    """The dry-run file's posts (not its pictures' upload lines)."""
    path = rig.state_dir / "dry-run.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines() if line]
    return [r for r in lines if "key" in r]


def test_dry_run_goes_through_outbox_in_due_order(tmp_path: Path, clock: FakeClock) -> None:
    rig = Rig(tmp_path, [target("dry-run", None)], clock)
    rig.poster.enqueue(post("b", "second", minutes=2))
    rig.poster.enqueue(post("a", "first", "first, part 2", minutes=1))
    rig.poster.enqueue(post("c", "not yet", minutes=60))
    clock.now = T0 + timedelta(minutes=5)
    wait = rig.poster.deliver_due()
    assert [r["text"] for r in dry_lines(rig)] == ["first", "first, part 2", "second"]
    assert dry_lines(rig)[1]["reply_to"] == dry_lines(rig)[0]["id"]
    assert wait == pytest.approx(55 * 60)
    assert rig.state("a", "rehearsal") == "posted"
    assert rig.state("c", "rehearsal") == "pending"


def test_daily_cap_and_pace_spread_a_backlog(tmp_path: Path, clock: FakeClock) -> None:
    rig = Rig(tmp_path, [target("dry-run", None, daily_cap=3, min_interval=300)], clock)
    for i in range(7):
        rig.poster.enqueue(post(f"p{i}", f"post {i}", minutes=i))
    clock.now = T0 + timedelta(hours=2)  # after an outage: all 7 are due
    result = rig.poster.drain(max_sleep=2 * 86400)
    assert result.posted == 7
    times = [
        rig.outbox.get(f"p{i}", "rehearsal").done_at  # type: ignore[union-attr]
        for i in range(7)
    ]
    assert times == sorted(times)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]  # type: ignore[operator]
    assert min(gaps) >= 300
    for start in times:
        window = [t for t in times if start <= t < start + timedelta(hours=24)]  # type: ignore[operator]
        assert len(window) <= 3
    assert all(s > 0 for s in clock.slept)


def test_drain_stops_when_cap_wait_is_long(tmp_path: Path, clock: FakeClock) -> None:
    rig = Rig(tmp_path, [target("dry-run", None, daily_cap=2, min_interval=0)], clock)
    for i in range(4):
        rig.poster.enqueue(post(f"p{i}", f"post {i}"))
    result = rig.poster.drain(max_sleep=3600)
    assert result.posted == 2
    assert result.left_pending == {"rehearsal": 2}


def test_old_posts_use_past_tense_or_are_skipped(tmp_path: Path, clock: FakeClock) -> None:
    rig = Rig(tmp_path, [target("dry-run", None, min_interval=0)], clock)
    rig.poster.enqueue(post("old", "Day 100 today", minutes=0))
    rig.poster.enqueue(post("fresh", "Day 101 today", minutes=47 * 60))
    clock.now = T0 + timedelta(hours=48)
    rig.poster.drain()
    assert [r["text"] for r in dry_lines(rig)] == ["Day 100 today [late]", "Day 101 today"]

    skip = PostingConfig(max_age_hours=36, old_posts="skip")
    rig2 = Rig(tmp_path / "2", [target("dry-run", None, min_interval=0)], clock, posting=skip)
    rig2.poster.enqueue(post("old", "Day 100 today", minutes=0))
    rig2.poster.drain()
    item = rig2.outbox.get("old", "rehearsal")
    assert item is not None
    assert item.state == "skipped"
    assert "too old" in item.reason


def test_too_long_text_fails_without_a_call(tmp_path: Path, clock: FakeClock) -> None:
    rig = Rig(tmp_path, [target("dry-run", None, min_interval=0)], clock)
    rig.poster.enqueue(post("long", "x" * 281))
    rig.poster.enqueue(post("ok", "fine"))
    result = rig.poster.drain()
    assert (result.failed, result.posted) == (1, 1)
    item = rig.outbox.get("long", "rehearsal")
    assert item is not None
    assert "281 weighted characters, over X's 280" in item.reason
    assert item.attempts == 0


def test_dry_run_to_stream(tmp_path: Path, clock: FakeClock) -> None:
    config = parse_config({"targets": [{"name": "show", "platform": "dry-run"}]}, "t.yaml").targets
    rig = Rig(tmp_path, config, clock)
    rig.poster.enqueue(post("a", "hello world"))
    rig.poster.drain()
    assert "hello world" in rig.stdout.getvalue()
    assert rig.state("a", "show") == "posted"


# -- against the fake server: errors, crashes, faults -----------------------------


def faults_on(server: FakeServer, plan: Mapping[int, str]) -> None:
    """Fault number ``n`` of the publishing requests (0-based)."""
    count = {"n": 0}

    def decide(platform: str, path: str) -> str | None:
        n = count["n"]
        count["n"] += 1
        return plan.get(n)

    server.faults = decide


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_rate_limit_waits_without_burning_attempts(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    server.clock = clock
    server.rate_limit_reset = int((T0 + timedelta(minutes=7)).timestamp())
    faults_on(server, {0: "429", 1: "429", 2: "429", 3: "429", 4: "429", 5: "429"})
    rig = Rig(tmp_path, [target(platform, server)], clock)
    rig.poster.enqueue(post("a", "hello"))
    result = rig.poster.drain(max_sleep=3600)
    assert result.posted == 1
    assert server.texts() == ["hello"]
    assert len(clock.slept) == 6  # more 429s than max_attempts (5): never given up
    if platform != "mastodon":  # Mastodon.py drops a reset time that is in the real past
        assert clock.slept[0] == pytest.approx(7 * 60)


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_a_429_with_only_retry_after_waits_the_time_given(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    # Regression: a 429 giving only Retry-After waited the default 15 minutes.
    faults_on(server, {0: "429-retry-after"})
    rig = Rig(tmp_path, [target(platform, server)], clock)
    rig.poster.enqueue(post("a", "hello"))
    assert rig.poster.deliver_due() == 120.0


def test_a_rate_limit_in_real_time_does_not_block_a_rehearsal_of_the_past(
    tmp_path: Path, clock: FakeClock
) -> None:
    # Regression: a 429's reset time (wall clock) blocked later `check --at` rehearsals
    # of past instants until it passed, years after their frozen clock.
    rig = Rig(tmp_path, [target("dry-run", None)], clock)
    rig.outbox.set_rate_limited("rehearsal", datetime.now(UTC) + timedelta(minutes=10))
    clock.now = datetime(2015, 10, 15, 10, tzinfo=UTC)
    rig.poster.enqueue(Post("a", clock.now, clock.now, ("hello",), ("hello",)), now=clock.now)
    result = rig.poster.drain()
    assert result.posted == 1


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_auth_failure_blocks_target_and_keeps_posts(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    platform: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if platform == "bluesky":  # a 401 on a post only drops the saved session: bad password
        server.bsky_password = "not-the-password"
    else:
        faults_on(server, {0: "401"})
    rig = Rig(tmp_path, [target(platform, server), target("dry-run", None)], clock)
    rig.poster.enqueue(post("a", "hello"))
    rig.poster.enqueue(post("b", "again", minutes=1))
    clock.now += timedelta(minutes=1)
    result = rig.poster.drain()
    name = rig.targets[0].name
    assert result.blocked == [name]
    assert result.left_pending == {name: 2}
    assert rig.state("a", name) == "pending"
    assert rig.state("a", "rehearsal") == "posted"  # the other target goes on
    lines = [r for r in caplog.records if "credentials refused" in r.getMessage()]
    assert len(lines) == 1
    assert {s.target: s.blocked_reason for s in rig.outbox.status()}[name]
    # next run with working credentials: unblocked, everything goes out once
    rig.crash()
    server.faults = lambda p, q: None
    server.bsky_password = BLUESKY_ENV["SPACEBOT_SKY_APP_PASSWORD"]
    rig.open().drain()
    assert server.texts() == ["hello", "again"]
    assert rig.outbox.target_state(name)[0] is None


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_an_answer_cut_short_is_maybe_posted_never_failed(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    # Regression: Mastodon accepted part 1 of a thread but its 200 answer was cut short;
    # the post was marked failed and part 2 never went out.
    faults_on(server, {0: "accept-cut"})
    rig = Rig(tmp_path, [target(platform, server, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "part one (1/2)", "part two (2/2)"))
    result = rig.poster.drain()
    assert result.failed == 0
    assert rig.state("a", rig.targets[0].name) == "posted"
    assert server.texts() == ["part one (1/2)", "part two (2/2)"]  # each once


def test_sigterm_stops_after_the_post_in_flight(tmp_path: Path, clock: FakeClock) -> None:
    # Regression: after SIGTERM the poster went on through every due post (a backlog
    # ran past systemd's and compose's stop timeouts and ended in SIGKILL).
    rig = Rig(tmp_path, [target("dry-run", None, min_interval=0)], clock)
    for key in "abcde":
        rig.poster.enqueue(post(key, f"post {key}"))
    stop = {"now": False}
    rig.poster.should_stop = lambda: stop["now"]

    def after_first(point: str, item: object, idx: int) -> None:
        if point == "after_call":
            stop["now"] = True  # SIGTERM arrives while the first post is in flight

    rig.crash()
    rig.open(hook=after_first).should_stop = lambda: stop["now"]
    assert rig.poster.deliver_due() is None
    assert [line["text"] for line in dry_lines(rig)] == ["post a"]  # finished, no more


def test_sigterm_during_a_thread_finishes_every_part_of_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    # Regression: SIGTERM was checked before every part, so a thread in flight stopped
    # halfway (its first part out, the rest waiting for the next start).
    rig = Rig(tmp_path, [target("dry-run", None, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "part one (1/2)", "part two (2/2)"))
    rig.poster.enqueue(post("b", "not started"))
    stop = {"now": False}

    def during_part_one(point: str, item: object, idx: int) -> None:
        if point == "after_call" and idx == 0:
            stop["now"] = True

    rig.crash()
    rig.open(hook=during_part_one).should_stop = lambda: stop["now"]
    assert rig.poster.deliver_due() is None
    assert [line["text"] for line in dry_lines(rig)] == ["part one (1/2)", "part two (2/2)"]
    assert rig.state("a", "rehearsal") == "posted"
    assert rig.state("b", "rehearsal") == "pending"


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_rejected_content_fails_and_queue_moves_on(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    faults_on(server, {0: "400"})
    rig = Rig(tmp_path, [target(platform, server, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "bad"))
    rig.poster.enqueue(post("b", "good"))
    result = rig.poster.drain()
    assert (result.failed, result.posted) == (1, 1)
    assert rig.state("a", rig.targets[0].name) == "failed"
    assert server.texts() == ["good"]


def test_a_look_up_refused_leaves_the_outcome_unknown_never_failed(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # Regression: a 4xx from the read-only look-up (Bluesky's getAuthorFeed) was taken
    # for a refusal of the post, which was marked failed for good: never published.
    faults_on(server, {0: "reset"})  # the first call: dropped, nothing published
    looks: list[str] = []

    def refused_once(platform: str, path: str) -> str | None:
        if path != "app.bsky.feed.getAuthorFeed":
            return None
        looks.append(path)
        return "400" if len(looks) == 1 else None

    server.read_faults = refused_once
    rig = Rig(tmp_path, [target("bluesky", server, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "hello"))
    result = rig.poster.drain()
    assert result.failed == 0
    assert len(looks) == 2  # refused, then looked up again after a backoff
    assert rig.state("a", "sky") == "posted"
    assert server.texts() == ["hello"]  # once


def test_bluesky_an_unknown_outcome_is_settled_after_the_saved_session_went_stale(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # Regression: the look-up that settles an unknown outcome used the saved session
    # only; once the server refused it, every start blocked the target (credentials
    # refused) although the password worked, and the post never went out.
    faults_on(server, {0: "reset"})  # nothing published, the outcome unknown
    rig = Rig(tmp_path, [target("bluesky", server, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "hello"))
    rig.poster.deliver_due()
    assert rig.state("a", "sky") == "sending"
    rig.crash()
    server.revoke_sessions()  # the saved session stops working
    logins = server.logins
    result = rig.open().drain()
    assert result.blocked == []
    assert server.logins == logins + 1  # the password, once
    assert rig.state("a", "sky") == "posted"
    assert server.texts() == ["hello"]


def test_bluesky_a_new_handle_is_never_posted_to_with_the_old_accounts_session(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # Regression: the saved session was keyed by the target's name only; after the
    # operator pointed the target at another account, the bot went on posting as the
    # old one (and never tried the new app password).
    rig = Rig(tmp_path, [target("bluesky", server, min_interval=0)], clock)
    rig.poster.enqueue(post("a", "first"))
    rig.poster.drain()
    rig.crash()
    logins = server.logins
    rig.targets = [target("bluesky", server, min_interval=0, options={"handle": "new.example"})]
    rig.open()
    rig.poster.enqueue(post("b", "second"))
    rig.poster.drain()
    first, second = server.published
    assert first.id.startswith(f"at://{FakeServer.DID}/")
    assert second.id.startswith(f"at://{FakeServer.did_of('new.example')}/")  # the new account
    assert server.logins == logins + 1  # its password, once
    rig.crash()
    rig.open()  # the next run: the new account's session, saved
    rig.poster.enqueue(post("c", "third"))
    rig.poster.drain()
    assert server.published[-1].id.startswith(f"at://{FakeServer.did_of('new.example')}/")
    assert server.logins == logins + 1


def test_a_post_the_operator_released_is_not_held_again_after_a_429(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    # Regression: the release was kept only in the row's reason, which the 429
    # overwrote; the next check held the post again (docs: "not held again").
    faults_on(server, {0: "429"})
    server.rate_limit_reset = int((T0 + timedelta(minutes=1)).timestamp())

    def as_the_pipeline(item: OutboxItem, now: datetime) -> Verdict:
        # Pipeline.verify: a post about a held person is held, unless the operator said
        if not item.released:
            return Verdict("hold", holds.operator_reason("crew status unclear"))
        return Verdict()

    rig = Rig(tmp_path, [target("x", server, min_interval=0)], clock)
    rig.poster._verify = as_the_pipeline
    rig.outbox.enqueue(post("a/1", "hello"), ["main-x"], T0, held=holds.operator_reason("x"))
    assert holds.release(rig.outbox, tmp_path, "a/1", clock()) == ["a/1 (main-x)"]
    result = rig.poster.drain()
    assert clock.slept == [60.0]  # the 429: nothing published, waited for the reset
    assert result.held == 0
    assert rig.state("a/1", "main-x") == "posted"
    assert server.texts() == ["hello"]


def test_transient_errors_back_off_with_jitter_then_give_up_for_the_run(
    tmp_path: Path, clock: FakeClock, server: FakeServer
) -> None:
    faults_on(server, dict.fromkeys(range(100), "500"))
    posting = PostingConfig(retry=RetryConfig(base_seconds=10, cap_seconds=100, max_attempts=5))
    rig = Rig(tmp_path, [target("mastodon", server)], clock, posting=posting)
    rig.poster.enqueue(post("a", "hello"))
    result = rig.poster.drain()
    assert result.left_pending == {"fedi": 1}
    assert len(clock.slept) == 4  # 5 attempts, 4 waits between them
    for n, waited in enumerate(clock.slept):
        assert 0 <= waited <= min(100, 10 * 2**n)
    item = rig.outbox.get("a", "fedi")
    assert item is not None
    assert item.attempts == 5
    assert item.state == "sending"  # a 500 may have published it: settled next run
    server.faults = lambda p, q: None
    rig.crash()
    rig.open().drain()
    assert server.texts() == ["hello"]  # the next run sends it, once
    assert rig.state("a", "fedi") == "posted"


CRASH_POINTS = ["before_call", "during", "after_call"]
PLATFORMS = ["x", "mastodon", "bluesky", "dry-run"]


class Crash(BaseException):
    """Stands for the process being killed at a hook point."""


def thread_posts() -> list[Post]:
    return [
        post("p1", "one", minutes=0),
        post("p2", "two a", "two b", "two c", minutes=1),
        post("p3", "three", minutes=2),
    ]


def published(rig: Rig, server: FakeServer, platform: str) -> list[str]:
    if platform == "dry-run":
        return [r["text"] for r in dry_lines(rig)]
    return server.texts(platform)


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.parametrize("at_call", range(5))
@pytest.mark.parametrize("late", [False, True])
def test_crash_at_every_step_posts_everything_exactly_once(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    platform: str,
    point: str,
    at_call: int,
    late: bool,
) -> None:
    server.clock = clock
    if point == "during":  # the platform publishes, the answer never arrives, then we die
        faults_on(server, {at_call: "accept-reset"})
    calls = {"n": 0, "crashed": False}

    def hook(where: str, item: OutboxItem, idx: int) -> None:
        if calls["crashed"]:
            return
        if point == "during":
            if where == "before_call" and calls["n"] == at_call + 1:
                calls["crashed"] = True
                raise Crash
        elif where == point and calls["n"] - (point == "after_call") == at_call:
            calls["crashed"] = True
            raise Crash
        if where == "before_call":
            calls["n"] += 1

    rig = Rig(tmp_path, [target(platform, server, min_interval=0)], clock)
    for p in thread_posts():
        rig.poster.enqueue(p)
    rig.crash()
    clock.now += timedelta(minutes=5)
    poster = rig.open(hook)
    try:
        poster.drain()
    except Crash:
        pass
    else:  # only when the dropped answer was on the last call and nothing came after
        assert point == "during"
    rig.crash()
    if late:  # back later: Mastodon's idempotency keys and X's duplicate check are gone
        clock.now += timedelta(hours=3)
        server.forget_idempotency_keys()
        server.forget_duplicates()
    rig.open().drain()  # restart, no crash
    assert published(rig, server, platform) == ["one", "two a", "two b", "two c", "three"]
    for key in ("p1", "p2", "p3"):
        assert rig.state(key, rig.targets[0].name) == "posted"
    if platform in ("mastodon", "bluesky"):  # threads stay threaded across the crash
        by_text = {p.text: p for p in server.published}
        assert by_text["two b"].reply_to == by_text["two a"].id
        assert by_text["two c"].reply_to == by_text["two b"].id


@pytest.mark.parametrize("platform", ["mastodon", "x"])
def test_a_lost_answer_is_settled_after_the_platform_forgot_it(
    tmp_path: Path, clock: FakeClock, server: FakeServer, platform: str
) -> None:
    # Regression: Mastodon forgets an Idempotency-Key after an hour, X its duplicate
    # check after a while.  A post whose answer was lost, when the next run came later
    # than that, was sent again and published twice (and on X, had it been refused as a
    # duplicate, the thread's next part went out unthreaded, its id unknown); the client
    # now finds it among the account's latest posts.
    server.clock = clock
    first = (
        "Today Oleg Kononenko passed Gennady Padalka's 878 days 11 hours: the most time "
        "in space, in total.\n\nhttps://www.nasa.gov/missions/station/a-long-path #space"
    )
    rig = Rig(tmp_path, [target(platform, server, min_interval=0)], clock)
    name = rig.targets[0].name
    rig.poster.enqueue(post("a", first, "He flew five times."))
    faults_on(server, {0: "accept-reset"})
    rig.poster.deliver_due()
    assert rig.state("a", name) == "sending"  # fate unknown
    assert server.texts() == [first]
    rig.crash()
    clock.now += timedelta(hours=3)
    server.forget_idempotency_keys()
    server.forget_duplicates()
    rig.open().drain()
    assert server.texts() == [first, "He flew five times."]  # each once
    assert rig.state("a", name) == "posted"
    root, reply = server.published
    assert reply.reply_to == root.id  # the thread goes on from the post found


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_random_faults_every_post_once_in_order_within_cap(
    tmp_path: Path, clock: FakeClock, server: FakeServer, seed: int
) -> None:
    server.clock = clock
    server.timeout_sleep = 0.45
    rnd = random.Random(seed)
    kinds = ["429", "500", "timeout", "reset", "accept-reset", "accept-500", "accept-timeout"]

    def decide(platform: str, path: str) -> str | None:
        return rnd.choice(kinds) if rnd.random() < 0.35 else None

    server.faults = decide
    cap = 4
    targets = [
        target("x", server, daily_cap=cap, min_interval=300),
        target("mastodon", server, daily_cap=cap, min_interval=300),
        target("bluesky", server, daily_cap=cap, min_interval=300),
    ]
    posting = PostingConfig(max_age_hours=1000, retry=RetryConfig(5, 600, 50))
    rig = Rig(tmp_path, targets, clock, posting=posting, seed=seed)
    expected = []
    for i in range(8):
        rig.poster.enqueue(post(f"p{i}", f"post number {i}", minutes=i))
        expected.append(f"post number {i}")
    clock.now += timedelta(hours=1)
    rig.poster.drain(max_sleep=3 * 86400)
    for platform in ("x", "mastodon", "bluesky"):
        got = [p for p in server.published if p.platform == platform]
        assert [p.text for p in got] == expected, platform
        times = [p.at for p in got]
        for start in times:
            window = [t for t in times if start <= t < start + timedelta(hours=24)]  # type: ignore[operator]
            assert len(window) <= cap, platform
