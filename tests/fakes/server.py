"""A fake social-media server on 127.0.0.1 (http.server in a thread).

It speaks just enough of three APIs for the REAL tweepy, Mastodon.py and atproto
code to run against it:

* X API v2: ``POST /2/tweets`` (403 "duplicate content" for a repeated text, until
  :meth:`FakeServer.forget_duplicates`), ``GET /2/users/42/tweets`` (newest first, the
  text as X gives it back: links as t.co, ``& < >`` escaped),
  ``POST /2/media/upload`` (one-shot, base64 in JSON), ``POST /2/media/metadata``,
  ``GET /2/users/me``;
* Mastodon: ``POST /api/v1/statuses`` (honours ``Idempotency-Key`` until
  :meth:`FakeServer.forget_idempotency_keys`, Mastodon's hour; the status's ``content``
  is HTML as Mastodon's formatter writes it, :func:`mastodon_html`), ``POST /api/v2/media``,
  ``GET /api/v1/accounts/verify_credentials``, ``GET /api/v1/accounts/42/statuses``
  (newest first, ``limit``), ``GET /api/v2/instance`` (its
  ``configuration.statuses.max_characters`` is :attr:`FakeServer.mastodon_max_characters`;
  ``None`` answers 500);
* Bluesky: ``com.atproto.server.createSession``/``refreshSession``,
  ``com.atproto.repo.createRecord``, ``com.atproto.repo.uploadBlob``,
  ``app.bsky.feed.getAuthorFeed``, ``com.atproto.server.getSession``.  A login as a
  handle other than :attr:`FakeServer.HANDLE` opens an account of its own
  (:meth:`FakeServer.did_of`), whose posts are created in its repository;
  :meth:`FakeServer.revoke_sessions` makes every token issued so far refused.

Every upload is in :attr:`FakeServer.uploads` (bytes and alt text); a post naming an
upload the platform does not have (never made, :meth:`FakeServer.expire_uploads`, or on
Mastodon already attached) is refused as the platform refuses it.  Every request's body
is kept in :attr:`FakeServer.bodies` (method, path, parsed JSON or form), so tests can
check what the SDKs sent.  ``auth_ok`` false makes every credentials check (and every
authenticated call) answer 401.

``faults`` decides, per publishing request (``read_faults``: per read-only request: the
credentials checks, Mastodon's instance limits and account statuses, Bluesky's
``getAuthorFeed``),
what goes wrong: ``"429"``, ``"429-retry-after"`` (Retry-After: 120 and no reset
headers), ``"500"``,
``"401"``, ``"403"``, ``"400"``, ``"reset"`` (connection dropped, nothing posted),
``"accept-reset"`` (posted, then connection dropped before the answer),
``"accept-500"`` (posted, then a 500), ``"accept-cut"`` (posted, then a 200 answer cut
short: no Content-Length, connection closed halfway), ``"timeout"`` (no answer in time, nothing
posted), ``"accept-timeout"`` (posted, then no answer in time) or ``None`` (normal).
Uploads take the same faults ("accept-": uploaded, answer lost).
Everything that was published is in :attr:`FakeServer.published`.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Fault = str | None


@dataclass
class Upload:
    platform: str
    id: str  # X media id, Mastodon attachment id, Bluesky CID
    data: bytes
    alt: str | None = None  # X: set by /2/media/metadata; Mastodon: the description
    mime_type: str = ""
    file_name: str = ""  # Mastodon: the multipart file name
    attached: bool = False
    expired: bool = False
    processed: bool = True  # Mastodon: False while the server still processes it


@dataclass
class Published:
    platform: str
    id: str
    text: str
    reply_to: str | None
    headers: dict[str, str] = field(default_factory=dict)
    at: object = None  # the (fake) clock's time when it was published
    media: list[Upload] = field(default_factory=list)
    embed: dict[str, Any] | None = None  # Bluesky: the record's embed as sent


def blob_cid(data: bytes) -> str:
    """The CID a PDS gives a blob: CIDv1, raw codec, SHA-256, base32."""
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def fake_jwt(sub: str, scope: str, lifetime: float = 7200, generation: int = 0) -> str:
    head = _b64({"alg": "HS256", "typ": "JWT"})
    now = int(time.time())
    body = _b64(
        {"sub": sub, "scope": scope, "iat": now, "exp": now + int(lifetime), "gen": generation}
    )
    return f"{head}.{body}.c2ln"


def _jwt_claims(authorization: str) -> dict[str, Any]:
    """The claims of a ``Bearer`` token (``{}`` when it is not one of ours)."""
    try:
        body = authorization.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


class FakeServer:
    HANDLE = "spacebot.test"
    DID = "did:plc:spacebottest"

    @classmethod
    def did_of(cls, handle: str) -> str:
        """The account a Bluesky login identifier opens (another handle: an account of
        its own)."""
        if handle == cls.HANDLE or handle.startswith("did:"):
            return cls.DID if handle == cls.HANDLE else handle
        return "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]

    def __init__(self) -> None:
        self.published: list[Published] = []
        self.uploads: list[Upload] = []
        self.mastodon_processing = False  # new Mastodon uploads are not processed yet
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self.faults: Callable[[str, str], Fault] = lambda platform, path: None
        # the same, for the read-only calls (instance limit, credentials checks)
        self.read_faults: Callable[[str, str], Fault] = lambda platform, path: None
        self.timeout_sleep = 0.6
        self.rate_limit_reset: int | None = None
        self.clock: Callable[[], object] = lambda: None
        self.logins = 0
        self.bodies: list[tuple[str, str, Any]] = []  # method, path, parsed body
        self.mastodon_max_characters: int | None = 500
        self.auth_ok = True
        self.session_generation = 0  # Bluesky tokens of an earlier generation are refused
        self._lock = threading.Lock()
        self._idempotent: dict[str, dict[str, Any]] = {}
        self._statuses: list[dict[str, Any]] = []  # Mastodon, oldest first
        self._x_remembered_from = 0  # X: duplicates among published[this:] only
        self._next_id = 1000
        self._records: list[dict[str, Any]] = []
        self._handles: dict[str, str] = {self.DID: self.HANDLE}  # Bluesky: did -> handle
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def texts(self, platform: str | None = None) -> list[str]:
        return [p.text for p in self.published if platform is None or p.platform == platform]

    def new_id(self) -> str:
        with self._lock:
            self._next_id += 1
            return str(self._next_id)

    def revoke_sessions(self) -> None:
        """Bluesky: every token issued so far is refused (400 ExpiredToken), refresh
        tokens too (an app password revoked and made again, a refresh token past its
        life); a login with the password works."""
        with self._lock:
            self.session_generation += 1

    def forget_duplicates(self) -> None:
        """What X does after a while (its window is undocumented): a text tweeted
        before this call may be tweeted again."""
        with self._lock:
            self._x_remembered_from = len(self.published)

    def forget_idempotency_keys(self) -> None:
        """What Mastodon does an hour after a status: a repeated ``Idempotency-Key``
        publishes a new status."""
        with self._lock:
            self._idempotent.clear()

    def expire_uploads(self) -> None:
        """What a platform does to uploads no post used, after their time."""
        with self._lock:
            for upload in self.uploads:
                if not upload.attached:
                    upload.expired = True

    def _upload(self, platform: str, upload_id: str) -> Upload | None:
        with self._lock:
            for upload in reversed(self.uploads):
                if upload.platform == platform and upload.id == upload_id and not upload.expired:
                    return upload
        return None

    # -- request handling -----------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Answer headers and body without waiting for the client's delayed ACK
                # (Nagle): 40 ms a request otherwise.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._dispatch(self, "GET")

            def do_POST(self) -> None:
                server._dispatch(self, "POST")

        return Handler

    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in h.headers.items()}
        path = urllib.parse.urlsplit(h.path).path
        with self._lock:
            self.requests.append((method, h.path, headers))
            self.bodies.append((method, path, _parse_body(body, headers)))
        try:
            if method == "POST" and path == "/2/tweets":
                self._x_post(h, json.loads(body or b"{}"), headers)
            elif method == "POST" and path in ("/2/media/upload", "/2/media/metadata"):
                self._x_media(h, path, json.loads(body or b"{}"))
            elif method == "POST" and path == "/api/v1/statuses":
                self._mastodon_post(h, body, headers)
            elif method == "POST" and path == "/api/v2/media":
                self._mastodon_media(h, body, headers)
            elif method == "GET" and path == "/api/v2/instance":
                self._mastodon_instance(h)
            elif method == "GET" and path == "/2/users/42/tweets":
                self._x_timeline(h, h.path, headers)
            elif method == "GET" and path == "/api/v1/accounts/42/statuses":
                self._mastodon_statuses(h, h.path, headers)
            elif method == "GET" and path in ("/2/users/me", "/api/v1/accounts/verify_credentials"):
                self._whoami(h, "x" if path.startswith("/2/") else "mastodon", headers)
            elif path.startswith("/xrpc/"):
                self._bsky(h, method, path[len("/xrpc/") :], body, headers)
            else:
                self._send(h, 404, {"error": "not found"})
        except _Dropped:
            pass

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        if getattr(h, "cut_answer", False):
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            self._drop(h)
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _drop(self, h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        try:
            h.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Dropped

    def _stall(self, h: BaseHTTPRequestHandler) -> None:
        time.sleep(self.timeout_sleep)
        self._drop(h)

    def _pre_fault(self, h: BaseHTTPRequestHandler, fault: Fault, platform: str) -> None:
        """Faults that happen before anything is published."""
        reset_headers = {}
        if self.rate_limit_reset is not None:
            reset_headers = {
                "x-rate-limit-reset": str(self.rate_limit_reset),
                "ratelimit-reset": str(self.rate_limit_reset),
                "X-RateLimit-Reset": str(self.rate_limit_reset),
            }
        if fault == "429":
            self._send(
                h, 429, {"error": "RateLimitExceeded", "title": "Too Many Requests"}, reset_headers
            )
            raise _Dropped
        if fault == "429-retry-after":  # a proxy's 429: Retry-After only, no reset headers
            self._send(
                h,
                429,
                {"error": "RateLimitExceeded", "title": "Too Many Requests"},
                {"Retry-After": "120"},
            )
            raise _Dropped
        if fault == "500":
            self._send(h, 500, {"error": "InternalServerError"})
            raise _Dropped
        if fault == "401":
            self._send(
                h,
                401,
                {
                    "error": "AuthenticationRequired",
                    "message": "bad token",
                    "title": "Unauthorized",
                },
            )
            raise _Dropped
        if fault == "403":
            self._send(
                h, 403, {"detail": "not permitted", "title": "Forbidden", "error": "Forbidden"}
            )
            raise _Dropped
        if fault == "400":
            self._send(
                h,
                400 if platform != "mastodon" else 422,
                {"error": "InvalidRequest", "message": "text too long"},
            )
            raise _Dropped
        if fault == "reset":
            self._drop(h)
        if fault == "timeout":
            self._stall(h)

    def _post_fault(self, h: BaseHTTPRequestHandler, fault: Fault) -> None:
        """Faults after the post is published, before the client learns it."""
        if fault == "accept-reset":
            self._drop(h)
        if fault == "accept-500":
            self._send(h, 500, {"error": "InternalServerError"})
            raise _Dropped
        if fault == "accept-timeout":
            self._stall(h)
        if fault == "accept-cut":  # the 200 answer is cut short: no length, closed halfway
            h.cut_answer = True  # type: ignore[attr-defined]

    # -- X ---------------------------------------------------------------------------

    def _x_post(
        self, h: BaseHTTPRequestHandler, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        fault = self.faults("x", "/2/tweets")
        self._pre_fault(h, fault, "x")
        text = str(body.get("text", ""))
        with self._lock:
            recent = self.published[self._x_remembered_from :]
            duplicate = any(p.platform == "x" and p.text == text for p in recent)
        if duplicate:
            self._send(
                h,
                403,
                {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
            return
        reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        media_ids = [str(i) for i in (body.get("media") or {}).get("media_ids", [])]
        media = [self._upload("x", i) for i in media_ids]
        if None in media:
            self._send(
                h,
                400,
                {
                    "errors": [
                        {
                            "parameters": {"media.media_ids": media_ids},
                            "message": "Your media IDs are invalid.",
                        }
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
            return
        tweet_id = self.new_id()
        with self._lock:
            found = [m for m in media if m is not None]
            for m in found:
                m.attached = True
            self.published.append(
                Published("x", tweet_id, text, reply, headers, self.clock(), media=found)
            )
        self._post_fault(h, fault)
        self._send(
            h, 201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}
        )

    def _x_media(self, h: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        fault = self.faults("x", path)
        self._pre_fault(h, fault, "x")
        if path == "/2/media/upload":
            if body.get("media_category") != "tweet_image" or not body.get("media"):
                self._send(h, 400, {"title": "Invalid Request", "detail": "media is required"})
                return
            data = base64.b64decode(body["media"])
            media_id = self.new_id()
            with self._lock:
                self.uploads.append(Upload("x", media_id, data, mime_type="image/png"))
            self._post_fault(h, fault)
            answer = {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(data),
                "expires_after_secs": 86400,
                "image": {"image_type": "image/png", "w": 1200, "h": 675},
            }
            self._send(h, 200, {"data": answer})
            return
        upload = self._upload("x", str(body.get("id")))
        if upload is None:
            self._send(h, 400, {"title": "Invalid Request", "detail": "unknown media id"})
            return
        upload.alt = str(body["metadata"]["alt_text"]["text"])
        self._post_fault(h, fault)
        self._send(h, 200, {"data": {"id": upload.id, "associated_metadata": body["metadata"]}})

    # -- Mastodon --------------------------------------------------------------------

    def _mastodon_media(
        self, h: BaseHTTPRequestHandler, body: bytes, headers: dict[str, str]
    ) -> None:
        fault = self.faults("mastodon", "/api/v2/media")
        self._pre_fault(h, fault, "mastodon")
        fields = _multipart(headers.get("content-type", ""), body)
        data, mime_type, file_name = fields.get("file", (b"", "", ""))
        description = fields.get("description", (b"", "", ""))[0].decode()
        media_id = self.new_id()
        upload = Upload("mastodon", media_id, data, description or None, mime_type, file_name)
        upload.processed = not self.mastodon_processing
        with self._lock:
            self.uploads.append(upload)
        self._post_fault(h, fault)
        self._send(
            h,
            200 if upload.processed else 202,
            {
                "id": media_id,
                "type": "image",
                "url": f"{self.url}/media/{media_id}.png" if upload.processed else None,
                "preview_url": f"{self.url}/media/{media_id}-small.png",
                "remote_url": None,
                "text_url": None,
                "meta": {"original": {"width": 1200, "height": 675}},
                "description": description or None,
                "blurhash": None,
            },
        )

    # -- credentials checks (read-only) ------------------------------------------------

    def _whoami(self, h: BaseHTTPRequestHandler, platform: str, headers: dict[str, str]) -> None:
        fault = self.read_faults(platform, "whoami")
        self._pre_fault(h, fault, platform)
        if not self.auth_ok or not headers.get("authorization"):
            self._send(h, 401, {"error": "The access token is invalid", "title": "Unauthorized"})
            return
        if platform == "x":
            self._send(h, 200, {"data": {"id": "42", "name": "spacebot", "username": "spacebot"}})
        else:
            self._send(h, 200, {"id": "42", "username": "spacebot", "acct": "spacebot"})

    def _mastodon_instance(self, h: BaseHTTPRequestHandler) -> None:
        fault = self.read_faults("mastodon", "/api/v2/instance")
        self._pre_fault(h, fault, "mastodon")
        if self.mastodon_max_characters is None:
            self._send(h, 500, {"error": "InternalServerError"})
            return
        statuses = {
            "max_characters": self.mastodon_max_characters,
            "characters_reserved_per_url": 23,
        }
        self._send(
            h,
            200,
            {"domain": "fake.example", "version": "4.3.0", "configuration": {"statuses": statuses}},
        )

    def _mastodon_post(
        self, h: BaseHTTPRequestHandler, body: bytes, headers: dict[str, str]
    ) -> None:
        fault = self.faults("mastodon", "/api/v1/statuses")
        self._pre_fault(h, fault, "mastodon")
        lists = urllib.parse.parse_qs(body.decode())
        form = {k: v[0] for k, v in lists.items()}
        key = headers.get("idempotency-key")
        with self._lock:
            existing = self._idempotent.get(key) if key else None
        if existing is not None:
            self._post_fault(h, fault)
            self._send(h, 200, existing)
            return
        media_ids = lists.get("media_ids[]", [])
        media = [self._upload("mastodon", i) for i in media_ids]
        missing = [i for i, m in zip(media_ids, media, strict=True) if m is None or m.attached]
        if missing:  # PostStatusService#validate_media!: media_attachments.validations.not_found
            message = f"Media {', '.join(missing)} not found or already attached to another post"
            self._send(h, 422, {"error": f"Validation failed: {message}"})
            return
        if any(m is not None and not m.processed for m in media):  # validations.not_ready
            message = (
                "Cannot attach files that have not finished processing. Try again in a moment!"
            )
            self._send(h, 422, {"error": f"Validation failed: {message}"})
            return
        status_id = self.new_id()
        status = {
            "id": status_id,
            "uri": f"{self.url}/users/bot/statuses/{status_id}",
            "url": f"{self.url}/@bot/{status_id}",
            "content": mastodon_html(form.get("status", ""), self.url),
            "created_at": "2026-01-01T00:00:00.000Z",
            "visibility": form.get("visibility", "public"),
            "in_reply_to_id": form.get("in_reply_to_id"),
        }
        with self._lock:
            found = [m for m in media if m is not None]
            for m in found:
                m.attached = True
            self.published.append(
                Published(
                    "mastodon",
                    status_id,
                    form.get("status", ""),
                    form.get("in_reply_to_id"),
                    headers,
                    self.clock(),
                    media=found,
                )
            )
            self._statuses.append(status)
            if key:
                self._idempotent[key] = status
        self._post_fault(h, fault)
        self._send(h, 200, status)

    def _x_timeline(
        self, h: BaseHTTPRequestHandler, raw_path: str, headers: dict[str, str]
    ) -> None:
        self._pre_fault(h, self.read_faults("x", "/2/users/tweets"), "x")
        if not self.auth_ok or not headers.get("authorization"):
            self._send(h, 401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query)
        limit = min(int(query.get("max_results", ["10"])[0]), 100)
        with self._lock:
            tweets = [p for p in reversed(self.published) if p.platform == "x"][:limit]
        data = [
            {"id": p.id, "text": x_text(p.text), "edit_history_tweet_ids": [p.id]} for p in tweets
        ]
        meta = {"result_count": len(data)}
        self._send(h, 200, {"data": data, "meta": meta} if data else {"meta": meta})

    def _mastodon_statuses(
        self, h: BaseHTTPRequestHandler, raw_path: str, headers: dict[str, str]
    ) -> None:
        self._pre_fault(h, self.read_faults("mastodon", "/api/v1/accounts/statuses"), "mastodon")
        if not self.auth_ok or not headers.get("authorization"):
            self._send(h, 401, {"error": "The access token is invalid"})
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query)
        limit = min(int(query.get("limit", ["20"])[0]), 40)
        with self._lock:
            newest = list(reversed(self._statuses))[:limit]
        self._send(h, 200, newest)

    # -- Bluesky ---------------------------------------------------------------------

    def _session(self, identifier: str) -> dict[str, Any]:
        did = self.did_of(identifier)
        with self._lock:
            if not identifier.startswith("did:"):
                self._handles[did] = identifier
            handle = self._handles.get(did, self.HANDLE)
        generation = self.session_generation
        return {
            "accessJwt": fake_jwt(did, "com.atproto.access", generation=generation),
            "refreshJwt": fake_jwt(did, "com.atproto.refresh", 86400, generation),
            "handle": handle,
            "did": did,
        }

    def _revoked(self, h: BaseHTTPRequestHandler, headers: dict[str, str]) -> bool:
        """Refuse a token of an earlier generation (see :meth:`revoke_sessions`)."""
        claims = _jwt_claims(headers.get("authorization", ""))
        if claims.get("gen", 0) == self.session_generation:
            return False
        self._send(h, 400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        return True

    def _bsky(
        self,
        h: BaseHTTPRequestHandler,
        method: str,
        nsid: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        if nsid == "com.atproto.server.createSession":
            with self._lock:
                self.logins += 1
            data = json.loads(body)
            if data.get("password") != self.bsky_password or not self.auth_ok:
                self._send(
                    h,
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
                return
            self._send(h, 200, self._session(str(data.get("identifier", ""))))
            return
        if nsid == "com.atproto.server.refreshSession":
            if not self._revoked(h, headers):
                claims = _jwt_claims(headers.get("authorization", ""))
                did = str(claims.get("sub", self.DID))
                self._send(h, 200, self._session(did))
            return
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth.count(".") != 2 or not self.auth_ok:
            self._send(h, 401, {"error": "AuthenticationRequired", "message": "no token"})
            return
        if self._revoked(h, headers):
            return
        if nsid == "com.atproto.server.getSession":
            self._pre_fault(h, self.read_faults("bluesky", nsid), "bluesky")
            self._send(h, 200, {"handle": self.HANDLE, "did": self.DID})
            return
        if nsid == "com.atproto.repo.uploadBlob":
            fault = self.faults("bluesky", nsid)
            self._pre_fault(h, fault, "bluesky")
            mime_type = "image/png" if body.startswith(b"\x89PNG") else "application/octet-stream"
            cid = blob_cid(body)
            with self._lock:
                self.uploads.append(Upload("bluesky", cid, body, mime_type=mime_type))
            self._post_fault(h, fault)
            blob = {
                "$type": "blob",
                "ref": {"$link": cid},
                "mimeType": mime_type,
                "size": len(body),
            }
            self._send(h, 200, {"blob": blob})
            return
        if nsid == "com.atproto.repo.createRecord":
            fault = self.faults("bluesky", nsid)
            self._pre_fault(h, fault, "bluesky")
            data = json.loads(body)
            record = data["record"]
            embed = record.get("embed")
            media: list[Upload] = []
            for image in (embed or {}).get("images", []):
                cid = image["image"]["ref"]["$link"]
                upload = self._upload("bluesky", cid)
                if upload is None:
                    self._send(
                        h, 400, {"error": "BlobNotFound", "message": f"Could not find blob: {cid}"}
                    )
                    return
                media.append(upload)
            rkey = f"3k{self.new_id()}"
            uri = f"at://{data.get('repo') or self.DID}/app.bsky.feed.post/{rkey}"
            cid = f"bafy{rkey}"
            reply = record.get("reply")
            with self._lock:
                for upload in media:
                    upload.attached = True  # the blob is now permanent
                self.published.append(
                    Published(
                        "bluesky",
                        uri,
                        record["text"],
                        reply["parent"]["uri"] if reply else None,
                        headers,
                        self.clock(),
                        media=media,
                        embed=embed,
                    )
                )
                self._records.append({"uri": uri, "cid": cid, "record": record})
            self._post_fault(h, fault)
            self._send(h, 200, {"uri": uri, "cid": cid})
            return
        if nsid == "app.bsky.feed.getAuthorFeed":
            self._pre_fault(h, self.read_faults("bluesky", nsid), "bluesky")
            with self._lock:
                records = list(reversed(self._records))
            feed = [
                {
                    "post": {
                        "uri": r["uri"],
                        "cid": r["cid"],
                        "author": {"did": self.DID, "handle": self.HANDLE},
                        "record": r["record"],
                        "indexedAt": r["record"]["createdAt"],
                    }
                }
                for r in records
            ]
            self._send(h, 200, {"feed": feed})
            return
        self._send(h, 400, {"error": "MethodNotImplemented", "message": nsid})

    bsky_password = "app-pass-1234"


def x_text(text: str) -> str:
    """A tweet's text as the API gives it back: each link as a t.co link, ``&``, ``<``
    and ``>`` as HTML entities."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(
        r"https?://[^\s]+",
        lambda m: "https://t.co/" + hashlib.sha256(m[0].encode()).hexdigest()[:10],
        escaped,
    )


# -- Mastodon's HTML ---------------------------------------------------------------------
# The shape of Mastodon's TextFormatter output (app/lib/text_formatter.rb), for the
# links, hashtags and mentions a post of ours may hold; the entity rules are simpler
# than Mastodon's (twitter-text's extractor), the HTML around each is Mastodon's.

_ENTITY = re.compile(
    r"(?P<url>https?://[^\s<>\"']*[^\s<>\"'.,!?)])"
    r"|(?<![\w/])#(?P<tag>\w+)"
    r"|(?<![=/\w])@(?P<user>[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)"
    r"(?:@(?P<domain>\w+(?:[.-]+\w+)*))?"
)


def _h(text: str) -> str:
    """Rails' ``h``: ``& < > " '`` escaped, the quote as ``&#39;``."""
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(raw, escaped)
    return text.replace("'", "&#39;")


def _link(match: re.Match[str], base: str) -> str:
    if match["url"]:
        url = match["url"]
        prefix = re.match(r"https?://(www\.)?", url)
        start = prefix.end() if prefix else 0
        shown, rest = url[start : start + 30], url[start + 30 :]
        return (
            f'<a href="{_h(url)}" target="_blank" rel="nofollow noopener noreferrer">'
            f'<span class="invisible">{_h(url[:start])}</span>'
            f'<span class="{"ellipsis" if rest else ""}">{_h(shown)}</span>'
            f'<span class="invisible">{_h(rest)}</span></a>'
        )
    if match["tag"]:
        tag = match["tag"]
        return (
            f'<a href="{base}/tags/{tag}" class="mention hashtag" rel="tag">'
            f"#<span>{_h(tag)}</span></a>"
        )
    user, domain = match["user"], match["domain"] or "fake.example"
    return (  # a resolved account: its user name alone, the domain only in the link
        f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
        f'class="u-url mention">@<span>{_h(user)}</span></a></span>'
    )


def mastodon_html(text: str, base: str) -> str:
    """``text`` as Mastodon's ``content``: escaped, links, hashtags and mentions wrapped,
    a ``<p>`` per run between blank lines, ``<br />`` for each other newline (Rails'
    ``simple_format``), then every newline deleted."""
    out, last = [], 0
    for match in _ENTITY.finditer(text):
        if match["user"] and re.match(r"@|://|[À-ÖØ-öø-ÿ]", text[match.end() :]):
            continue  # Extractor: no mention when followed by these
        out += [_h(text[last : match.start()]), _link(match, base)]
        last = match.end()
    out.append(_h(text[last:]))
    paragraphs = re.split(r"\n\n+", "".join(out).replace("\r\n", "\n").replace("\r", "\n"))
    marked = [re.sub(r"([^\n]\n)(?=[^\n])", r"\1<br />", p) for p in paragraphs]
    return "".join(f"<p>{p}</p>" for p in marked).replace("\n", "")


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str, str]]:
    """A multipart/form-data body: field name -> (value, content type, file name)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    out: dict[str, tuple[bytes, str, str]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            out[name] = (payload, part.get_content_type(), part.get_filename() or "")
    return out


def _parse_body(body: bytes, headers: dict[str, str]) -> Any:
    if not body:
        return None
    if "json" in headers.get("content-type", ""):
        try:
            return json.loads(body)
        except ValueError:
            return body
    if "multipart/form-data" in headers.get("content-type", ""):
        return {k: v[0] for k, v in _multipart(headers["content-type"], body).items()}
    if "x-www-form-urlencoded" in headers.get("content-type", ""):
        return {
            k: v if len(v) > 1 else v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()
        }
    return body


class _Dropped(Exception):
    """The handler answered (or dropped the connection) already."""


def make_server() -> FakeServer:
    return FakeServer().start()
