"""Pictures through the adapters: upload one image with its alt text, then post with it.

The real tweepy, Mastodon.py and atproto code runs against the fake server, which keeps
every upload (bytes, alt text) and refuses a post naming an upload it no longer has, as
each platform does.  Also: the typed errors of a failed upload, the checks made before
any network call, a restart between upload and post (the recorded MediaRef is used
again), and the dry-run adapter's records.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes import ENV, FakeServer
from fakes.clients import client_for

from bot.core import platforms
from bot.files.config import parse_config
from bot.posting.clients import (
    AuthFailed,
    Client,
    MediaExpired,
    MediaRef,
    RateLimited,
    Rejected,
    Transient,
    open_clients,
)

# atproto's upload_blob passes raw bytes as httpx's data=, which httpx deprecates
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

PLATFORMS = ["x", "mastodon", "bluesky"]
ALT = "Bar chart, longest first: Most time in space by an American. Scott Kelly, 382 days."


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(width: int = 1200, height: int = 675, shade: int = 255, padding: int = 0) -> bytes:
    """A valid grey PNG (``padding`` bytes of an ancillary chunk make it as big as needed)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    extra = chunk(b"tEXt", b"pad\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = make_png()


def make(platform: str, server: FakeServer, tmp_path: Path, **options: object) -> Client:
    return client_for(platform, server, tmp_path, **options)


def upload_paths(platform: str) -> set[str]:
    return {
        "x": {"/2/media/upload", "/2/media/metadata"},
        "mastodon": {"/api/v2/media"},
        "bluesky": {"com.atproto.repo.uploadBlob"},
    }[platform]


# ------------------------------------------------------------------ upload, then post


@pytest.mark.parametrize("platform", PLATFORMS)
def test_upload_then_post_with_the_image_and_its_alt_text(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    client = make(platform, server, tmp_path)
    ref = client.upload(PNG, ALT, idempotency_key="post-1/0/image-0")
    assert server.published == []  # uploading posts nothing
    assert (ref.sha256, ref.size) == (hashlib.sha256(PNG).hexdigest(), len(PNG))
    assert (ref.width, ref.height, ref.mime_type, ref.alt) == (1200, 675, "image/png", ALT)
    assert ref.ttl_seconds == {"x": 86_400, "mastodon": 86_400, "bluesky": 300}[platform]

    posted = client.post(
        "Scott Kelly passes Michael Fincke", reply_to=None, idempotency_key="k", media=[ref]
    )

    (upload,) = server.uploads
    assert upload.data == PNG
    (published,) = server.published
    assert published.id == posted.id
    assert [m.id for m in published.media] == [ref.id]
    if platform == "bluesky":  # the alt text and the aspect ratio are in the post
        assert upload.id == ref.id  # the blob's CID
        (image,) = published.embed["images"]  # type: ignore[index]
        assert image["alt"] == ALT
        assert image["aspectRatio"] == {
            "width": 1200,
            "height": 675,
            "$type": "app.bsky.embed.defs#aspectRatio",
        }
        assert published.embed["$type"] == "app.bsky.embed.images"  # type: ignore[index]
    else:  # X: /2/media/metadata; Mastodon: the upload's description
        assert upload.alt == ALT


def test_x_upload_is_v2_signed_oauth1_base64_tweet_image(
    tmp_path: Path, server: FakeServer
) -> None:
    client = make("x", server, tmp_path)
    ref = client.upload(PNG, ALT, idempotency_key="k")
    client.post("with a picture", reply_to=None, idempotency_key="k", media=[ref])
    assert [(m, p) for m, p, _ in server.requests] == [
        ("POST", "/2/media/upload"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
    ]
    for _, _, headers in server.requests:
        assert headers["authorization"].startswith("OAuth ")  # OAuth 1.0a user context


def test_x_no_alt_text_no_metadata_call(tmp_path: Path, server: FakeServer) -> None:
    make("x", server, tmp_path).upload(PNG, "", idempotency_key="k")
    assert [p for _, p, _ in server.requests] == ["/2/media/upload"]


def test_mastodon_upload_is_v2_multipart_with_a_hash_file_name(
    tmp_path: Path, server: FakeServer
) -> None:
    make("mastodon", server, tmp_path).upload(PNG, ALT, idempotency_key="k")
    ((method, path, headers),) = server.requests
    # v2, not v1: Mastodon.py takes the version as 0.0.0 under version_check_mode "none"
    assert (method, path) == ("POST", "/api/v2/media")
    assert headers["content-type"].startswith("multipart/form-data")
    (upload,) = server.uploads
    assert (upload.mime_type, upload.alt) == ("image/png", ALT)
    assert upload.file_name == hashlib.sha256(PNG).hexdigest()[:16] + ".png"  # not random


def test_several_images_in_one_post(tmp_path: Path, server: FakeServer) -> None:
    client = make("bluesky", server, tmp_path)
    refs = [client.upload(make_png(shade=s), f"chart {s}", idempotency_key=f"k{s}") for s in (1, 2)]
    client.post("two landings", reply_to=None, idempotency_key="k", media=refs)
    (published,) = server.published
    assert [i["alt"] for i in published.embed["images"]] == ["chart 1", "chart 2"]  # type: ignore[index]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_thread_reply_carries_its_own_image(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    client = make(platform, server, tmp_path)
    first = client.post("part 1", reply_to=None, idempotency_key="a")
    ref = client.upload(PNG, ALT, idempotency_key="b")
    client.post("part 2", reply_to=first, idempotency_key="b", media=[ref])
    assert [len(p.media) for p in server.published] == [0, 1]
    assert server.published[1].reply_to == first.id


# ------------------------------------------------------------------ errors of an upload

EXPECTED = {
    "429": RateLimited,
    "500": Transient,
    "accept-500": Transient,
    "reset": Transient,
    "accept-reset": Transient,
    "timeout": Transient,
    "401": AuthFailed,
    "403": AuthFailed,
    "400": Rejected,
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_upload_error_mapping(
    tmp_path: Path, server: FakeServer, platform: str, fault: str
) -> None:
    client = make(platform, server, tmp_path)
    if platform == "bluesky":
        client.post("log in first", reply_to=None, idempotency_key="k0")
        if fault == "401":  # a stale saved session is retried once with the password
            server.bsky_password = "changed"
    server.rate_limit_reset = 1_900_000_000
    server.timeout_sleep = 0.45
    paths = upload_paths(platform)
    server.faults = lambda p, path: fault if path in paths else None
    with pytest.raises(EXPECTED[fault]) as err:
        client.upload(PNG, ALT, idempotency_key="k1")
    assert type(err.value) is EXPECTED[fault]
    assert client.name in str(err.value)
    if fault == "429" and platform != "mastodon":
        assert isinstance(err.value, RateLimited)
        assert err.value.reset_at == datetime.fromtimestamp(1_900_000_000, UTC)
    # whatever happened, nothing was posted, and uploading again works
    server.faults = lambda p, path: None
    server.bsky_password = FakeServer.bsky_password
    ref = client.upload(PNG, ALT, idempotency_key="k1")
    client.post("after the fault", reply_to=None, idempotency_key="k2", media=[ref])
    assert server.texts(platform)[-1:] == ["after the fault"]
    assert [len(p.media) for p in server.published] == [0] * (platform == "bluesky") + [1]


def test_x_alt_text_refused_fails_the_upload(tmp_path: Path, server: FakeServer) -> None:
    client = make("x", server, tmp_path)
    server.faults = lambda p, path: "400" if path == "/2/media/metadata" else None
    with pytest.raises(Rejected, match="set the alt text"):
        client.upload(PNG, ALT, idempotency_key="k")


def test_bluesky_stale_session_is_renewed_for_an_upload(tmp_path: Path, server: FakeServer) -> None:
    client = make("bluesky", server, tmp_path)
    client.post("log in", reply_to=None, idempotency_key="a")
    again = make("bluesky", server, tmp_path)  # next run: the saved session...
    calls = []

    def expired_once(platform: str, path: str) -> str | None:
        if path == "com.atproto.repo.uploadBlob" and not calls:
            calls.append(path)
            return "401"  # ...which the PDS no longer accepts
        return None

    server.faults = expired_once
    ref = again.upload(PNG, ALT, idempotency_key="b")
    assert server.logins == 2  # logged in again with the password, once
    assert ref.id == server.uploads[0].id


# ------------------------------------------------------------------ checked before the network


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_image_the_platform_would_refuse_never_leaves(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    client = make(platform, server, tmp_path)
    row = platforms.PLATFORMS[platform]
    too_big = make_png(width=4, height=4, padding=row.image_bytes)
    with pytest.raises(Rejected, match="bytes"):
        client.upload(too_big, ALT, idempotency_key="k")
    with pytest.raises(Rejected, match="alt text"):
        client.upload(PNG, "x" * (row.alt_text_limit + 1), idempotency_key="k")
    with pytest.raises(Rejected, match="not a PNG"):
        client.upload(b"GIF89a...", ALT, idempotency_key="k")
    assert server.requests == []
    client.upload(PNG, "x" * row.alt_text_limit, idempotency_key="k")  # at the limit: fine
    assert len(server.uploads) == 1


def test_checks_come_from_the_platform_table(tmp_path: Path, server: FakeServer) -> None:
    client = make("bluesky", server, tmp_path)
    just_fits = make_png(width=4, height=4, padding=1)
    size = len(just_fits)
    padded = make_png(width=4, height=4, padding=1 + 1_000_000 - size)
    assert len(padded) == 1_000_000 == platforms.PLATFORMS["bluesky"].image_bytes
    client.upload(padded, ALT, idempotency_key="k")
    assert len(server.uploads) == 1


# ------------------------------------------------------------------ crash between upload and post


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_restart_between_upload_and_post_uses_the_recorded_ref(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    ref = make(platform, server, tmp_path).upload(PNG, ALT, idempotency_key="k")
    recorded = json.dumps(ref.to_json())  # what the outbox keeps, durably
    # ... crash; a new process reads it back and posts, without uploading again
    restarted = make(platform, server, tmp_path)
    restored = MediaRef.from_json(json.loads(recorded))
    assert restored == ref
    restarted.post("after the restart", reply_to=None, idempotency_key="k", media=[restored])
    assert len(server.uploads) == 1
    assert [m.id for m in server.published[0].media] == [ref.id]


@pytest.mark.parametrize("platform", ["x", "bluesky"])
def test_an_expired_upload_is_refused_then_uploaded_again(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    client = make(platform, server, tmp_path)
    ref = client.upload(PNG, ALT, idempotency_key="k")
    server.expire_uploads()  # the platform dropped it: the restart came too late
    with pytest.raises(MediaExpired) as err:
        client.post("late", reply_to=None, idempotency_key="k", media=[ref])
    assert isinstance(err.value, Rejected)  # a poster that knows only Rejected still stops
    assert not err.value.maybe_published
    assert server.published == []
    again = client.upload(PNG, ALT, idempotency_key="k")
    client.post("late", reply_to=None, idempotency_key="k", media=[again])
    assert server.texts() == ["late"]
    if platform == "bluesky":  # content-addressed: the same bytes, the same blob
        assert again.id == ref.id


def test_mastodon_cannot_tell_expired_from_attached(tmp_path: Path, server: FakeServer) -> None:
    client = make("mastodon", server, tmp_path)
    ref = client.upload(PNG, ALT, idempotency_key="k")
    client.post("first", reply_to=None, idempotency_key="a", media=[ref])
    with pytest.raises(MediaExpired) as err:  # same media, another post (another key)
        client.post("second", reply_to=None, idempotency_key="b", media=[ref])
    assert err.value.maybe_published
    assert server.texts() == ["first"]


def test_mastodon_resend_with_the_same_key_is_one_status(
    tmp_path: Path, server: FakeServer
) -> None:
    client = make("mastodon", server, tmp_path)
    ref = client.upload(PNG, ALT, idempotency_key="k")
    server.faults = lambda p, path: "accept-reset" if path == "/api/v1/statuses" else None
    with pytest.raises(Transient):
        client.post("toot", reply_to=None, idempotency_key="same", media=[ref])
    server.faults = lambda p, path: None
    a = client.post("toot", reply_to=None, idempotency_key="same", media=[ref])
    assert [p.id for p in server.published] == [a.id]


def test_mastodon_image_still_processing_is_transient(tmp_path: Path, server: FakeServer) -> None:
    client = make("mastodon", server, tmp_path)
    server.mastodon_processing = True
    ref = client.upload(PNG, ALT, idempotency_key="k")
    with pytest.raises(Transient, match="processing"):
        client.post("toot", reply_to=None, idempotency_key="k", media=[ref])
    server.uploads[0].processed = True
    client.post("toot", reply_to=None, idempotency_key="k", media=[ref])
    assert server.texts() == ["toot"]


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_uploading_again_leaves_the_first_upload_unused(
    tmp_path: Path, server: FakeServer, platform: str
) -> None:
    client = make(platform, server, tmp_path)
    first = client.upload(PNG, ALT, idempotency_key="k")
    second = client.upload(PNG, ALT, idempotency_key="k")
    assert first.id != second.id
    client.post("once", reply_to=None, idempotency_key="k", media=[second])
    assert [u.attached for u in server.uploads] == [False, True]  # dropped in time
    assert server.texts() == ["once"]


def test_media_ref_json_round_trip_and_tolerance() -> None:
    ref = MediaRef("1", "ab" * 32, None, size=3, width=2, height=1, alt="é")
    assert MediaRef.from_json(json.loads(json.dumps(ref.to_json()))) == ref
    assert MediaRef.from_json({"id": 7, "sha256": "x"}) == MediaRef("7", "x")
    assert MediaRef.from_json({"id": "1", "sha256": "x", "size": "big"}).size == 0


# ------------------------------------------------------------------ dry run


def test_dry_run_records_the_image_and_the_post_that_carries_it(tmp_path: Path) -> None:
    server = FakeServer()  # never started: the dry run uses no network
    client = make("dry-run", server, tmp_path, file="dry-run.jsonl")
    ref = client.upload(PNG, ALT, idempotency_key="post-1/0/image-0")
    client.post("A record", reply_to=None, idempotency_key="post-1/0", media=[ref])
    lines = [json.loads(x) for x in (tmp_path / "dry-run.jsonl").read_text().splitlines()]
    digest = hashlib.sha256(PNG).hexdigest()
    assert lines[0]["upload_key"] == "post-1/0/image-0"
    assert lines[0]["image"] == {
        "name": f"{digest}.png",
        "sha256": digest,
        "bytes": len(PNG),
        "width": 1200,
        "height": 675,
        "alt": ALT,
    }
    assert lines[1]["media"] == [
        {"id": ref.id, "name": f"{digest}.png", "bytes": len(PNG), "alt": ALT}
    ]
    # the upload's line is never taken for a post
    assert client.find_recent("A record", idempotency_key="post-1/0/image-0") is None
    assert client.find_recent("A record", idempotency_key="post-1/0") is not None


def test_dry_run_prints_the_image_name_and_alt_text(tmp_path: Path) -> None:
    raw = {"targets": [{"name": "rehearsal", "platform": "dry-run"}]}
    targets = parse_config(raw, "t.yaml").targets
    out = io.StringIO()
    client = open_clients(targets, ENV, state_dir=tmp_path, stdout=out)["rehearsal"]
    ref = client.upload(PNG, ALT, idempotency_key="k")
    client.post("A record", reply_to=None, idempotency_key="k", media=[ref])
    digest = hashlib.sha256(PNG).hexdigest()
    text = out.getvalue()
    assert f"image {digest}.png: {len(PNG):,} bytes, 1200x675" in text
    assert f"alt text ({len(ALT)} characters): {ALT}" in text
    assert f"[image {digest}.png: {ALT}]" in text


def test_dry_run_checks_as_the_platform_it_mimics(tmp_path: Path) -> None:
    server = FakeServer()
    x_like = make("dry-run", server, tmp_path, mimic="x")
    mastodon_like = make("dry-run", server, tmp_path, mimic="mastodon")
    alt = "a" * 1200  # over X's 1000, within Mastodon's 1500
    with pytest.raises(Rejected, match="X takes at most 1,000"):
        x_like.upload(PNG, alt, idempotency_key="k")
    mastodon_like.upload(PNG, alt, idempotency_key="k")
