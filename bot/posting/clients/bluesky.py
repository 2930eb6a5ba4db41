"""Bluesky through the atproto SDK.

Credential (per target, e.g. target ``sky``): ``SPACEBOT_SKY_APP_PASSWORD`` (an app
password, or ``..._FILE``); options: ``handle`` (required), ``base_url``
(https://bsky.social), ``timeout`` (30 s).

Login is rate-limited (createSession: 30 per 5 minutes, 300 per day), so the
session is saved in the state directory (``bluesky-<target>.session``, mode 0600,
JSON: the configured handle it was opened for and the session) and reused across runs;
the password is only used when there is no usable session.  A session saved for
another handle (the operator pointed the target at another account) is not used: it
would post as the old account.

Links and hashtags become facets (detected locally, no network).  A thread's later
parts reply to the previous part with the thread's root.

Exactly-once: Bluesky has no idempotency key, so after an unknown outcome the
poster asks :meth:`BlueskyClient.find_recent`, which reads the account's recent
posts for the same text before sending again.

Pictures: ``upload_blob`` (``com.atproto.repo.uploadBlob``), then the post carries an
``app.bsky.embed.images`` embed with the alt text and the aspect ratio.  The lexicon
caps an image blob at 1,000,000 bytes (the table's ``image_bytes``, checked before any
upload).  A blob no record uses is deleted "if it is not referenced within a time
window (eg, minutes)" (the uploadBlob reference), and a post naming a deleted one is
refused with ``BlobNotFound`` (:class:`MediaExpired`).  Blobs are named by their
content (CID), so uploading the same image again returns the same reference: always
harmless.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Self, TextIO, TypeVar

import httpx
from atproto import Client as AtClient
from atproto import models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.blob_ref import BlobRef, IpldLink
from atproto_client.request import Request
from atproto_client.utils import facet_detection

from bot.files.atomic import write_atomic
from bot.files.secrets import Secret, read_secret
from bot.files.targets import TargetConfig
from bot.images import png
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    MediaExpired,
    MediaRef,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
    check_image,
)

T = TypeVar("T")

# How long to count on an unused blob: the PDS keeps it "minutes" (uploadBlob's
# reference); re-uploading the same bytes gives the same CID, so err short.
BLOB_TTL = 300

_SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}


class BlueskyClient(Client):
    platform: ClassVar[str] = "bluesky"
    resend_is_safe: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        *,
        handle: str,
        password: Secret,
        session_file: Path,
        base_url: str,
        timeout: float,
        language: str | None = None,
    ) -> None:
        super().__init__(name)
        self.language = language
        self.handle = handle
        self._password = password
        self.session_file = session_file
        self.base_url = base_url
        self._timeout = timeout
        self._api: AtClient | None = None

    @classmethod
    def create(
        cls,
        target: TargetConfig,
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        var = target.credential_vars["APP_PASSWORD"]
        where = f"target {target.name!r} (bluesky)"
        password = read_secret(env, var, where=where, source=source)
        return cls(
            target.name,
            handle=str(target.options["handle"]),
            password=password,
            session_file=state_dir / f"bluesky-{target.name}.session",
            base_url=str(target.options["base_url"]),
            timeout=float(str(target.options["timeout"])),
            language=target.language,
        )

    # -- session -------------------------------------------------------------------

    def _new_api(self) -> AtClient:
        api = AtClient(self.base_url, request=Request(timeout=self._timeout))
        api.on_session_change(self._save_session)
        return api

    def _save_session(self, event: SessionEvent, session: Session) -> None:
        if event not in (SessionEvent.CREATE, SessionEvent.REFRESH):
            return
        saved = {"handle": self.handle, "session": session.export()}
        write_atomic(self.session_file, json.dumps(saved) + "\n")  # 0600: it logs in

    def _saved_session(self) -> str:
        """The saved session if it was opened for the configured handle, else ``""``
        (none, unreadable, another account's, or saved before the handle was kept)."""
        try:
            saved = json.loads(self.session_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        if not isinstance(saved, dict):
            return ""
        handle, session = saved.get("handle"), saved.get("session")
        if not isinstance(handle, str) or not isinstance(session, str):
            return ""
        if _handle_key(handle) != _handle_key(self.handle):
            return ""
        return session.strip()

    def _login(self) -> AtClient:
        """A logged-in client: the saved session if there is one, else the password."""
        if self._api is not None:
            return self._api
        api = self._new_api()
        saved = self._saved_session()
        if saved:
            try:
                api.login(session_string=saved, fetch_bsky_profile=False)
                self._api = api
                return api
            except (AtProtocolError, ValueError):
                _close(api)
                api = self._new_api()  # unusable session: fall back to the password
        self._call(
            lambda: api.login(self.handle, self._password.reveal(), fetch_bsky_profile=False),
            what="log in",
        )
        self._api = api
        return api

    def _forget_session(self) -> None:
        if self._api is not None:
            _close(self._api)
        self._api = None
        with contextlib.suppress(OSError):
            self.session_file.unlink()

    # -- publishing ----------------------------------------------------------------

    def post(
        self,
        text: str,
        *,
        reply_to: PostRef | None,
        idempotency_key: str,
        media: Sequence[MediaRef] = (),
    ) -> PostRef:
        return self._logged_in(lambda api: self._send(api, text, reply_to, media))

    def check_credentials(self) -> str:
        session = self._logged_in(
            lambda api: self._call(api.com.atproto.server.get_session, what="read the session")
        )
        return f"@{session.handle}"

    def _logged_in(self, call: Callable[[AtClient], T]) -> T:
        """``call(api)`` on a logged-in client; a saved session the server no longer takes
        is forgotten and the password tried once more, then the refusal stands."""
        for attempt in (1, 2):
            api = self._login()
            try:
                return call(api)
            except AuthFailed:
                if attempt == 2 or not self._session_was_saved():
                    raise
                self._forget_session()
        raise AssertionError("unreachable")

    def _session_was_saved(self) -> bool:
        return self.session_file.exists()

    def _send(
        self, api: AtClient, text: str, reply_to: PostRef | None, media: Sequence[MediaRef] = ()
    ) -> PostRef:
        session = api._session
        did = session.did if session is not None else ""
        reply = None
        root_id = root_cid = ""
        if reply_to is not None and reply_to.id:
            root_id = reply_to.root_id or reply_to.id
            root_cid = reply_to.root_cid or reply_to.cid
            reply = models.AppBskyFeedPost.ReplyRef(
                root=models.ComAtprotoRepoStrongRef.Main(uri=root_id, cid=root_cid),
                parent=models.ComAtprotoRepoStrongRef.Main(uri=reply_to.id, cid=reply_to.cid),
            )
        facets = facet_detection.detect_facets(text) or None
        embed = _images_embed(media) if media else None
        langs = [self.language] if self.language else None
        created = self._call(
            lambda: api.send_post(
                text,
                profile_identify=did,
                reply_to=reply,
                facets=facets,
                embed=embed,
                langs=langs,
            ),
            what="post",
        )
        return self._ref(str(created.uri), str(created.cid), root_id, root_cid)

    def _ref(self, uri: str, cid: str, root_id: str = "", root_cid: str = "") -> PostRef:
        rkey = uri.rsplit("/", 1)[-1]
        return PostRef(
            uri,
            f"https://bsky.app/profile/{self.handle}/post/{rkey}",
            cid=cid,
            root_id=root_id,
            root_cid=root_cid,
        )

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        feed = self._logged_in(self._recent_posts)
        for item in feed.feed:
            post = item.post
            record = post.record
            if getattr(record, "text", None) != text:
                continue
            root_id = root_cid = ""
            reply = getattr(record, "reply", None)
            if reply is not None:
                root_id, root_cid = str(reply.root.uri), str(reply.root.cid)
            return self._ref(str(post.uri), str(post.cid), root_id, root_cid)
        return None

    def _recent_posts(self, api: AtClient) -> models.AppBskyFeedGetAuthorFeed.Response:
        session = api._session
        actor = session.did if session is not None else self.handle
        return self._call(
            lambda: api.get_author_feed(actor=actor, limit=50, filter="posts_with_replies"),
            what="read recent posts",
        )

    def upload(self, image: bytes, alt: str, *, idempotency_key: str) -> MediaRef:
        width, height = check_image(self, image, alt)
        blob, link = self._logged_in(lambda api: self._upload_blob(api, image))
        return MediaRef(
            link,
            png.content_hash(image),
            BLOB_TTL,
            mime_type=str(blob.mime_type),
            size=int(blob.size),
            width=width,
            height=height,
            alt=alt,
        )

    def _upload_blob(self, api: AtClient, image: bytes) -> tuple[BlobRef, str]:
        answer = self._call(lambda: api.upload_blob(image), what="upload the image")
        blob: BlobRef = answer.blob
        link = blob.ref.link if isinstance(blob.ref, IpldLink) else str(blob.cid)
        return blob, link

    def _call(self, func: Callable[[], T], *, what: str) -> T:
        try:
            return func()
        except RateLimitExceededError as exc:
            headers = dict(exc.response.headers) if exc.response is not None else {}
            message = f"{self.name}: Bluesky rate limit (429)"
            raise RateLimited(message, exc.reset_at, headers=headers) from None
        except UnauthorizedError as exc:
            raise AuthFailed(f"{self.name}: Bluesky refused to {what} ({_describe(exc)})") from None
        except BadRequestError as exc:
            if _xrpc_error(exc) == "BlobNotFound":
                msg = f"{self.name}: Bluesky no longer has the image ({_describe(exc)})"
                raise MediaExpired(msg) from None
            if _xrpc_error(exc) in _SESSION_ERRORS:
                msg = f"{self.name}: Bluesky session rejected ({_describe(exc)})"
                raise AuthFailed(msg) from None
            raise Rejected(f"{self.name}: Bluesky rejected the {what} ({_describe(exc)})") from None
        except NetworkError as exc:
            raise Transient(f"{self.name}: cannot {what} on Bluesky ({_describe(exc)})") from None
        except RequestErrorBase as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500 or status == 0:
                raise Transient(f"{self.name}: Bluesky server error ({_describe(exc)})") from None
            raise Rejected(f"{self.name}: Bluesky rejected the {what} ({_describe(exc)})") from None
        except httpx.HTTPError as exc:
            raise Transient(f"{self.name}: cannot reach Bluesky ({type(exc).__name__})") from None
        except LoginRequiredError:
            raise AuthFailed(f"{self.name}: Bluesky session unusable; log in again") from None
        except (AtProtocolError, ValueError) as exc:  # e.g. an answer cut short
            msg = (
                f"{self.name}: Bluesky answer not understood ({type(exc).__name__}); "
                f"the {what} may have happened"
            )
            raise Transient(msg) from None

    def close(self) -> None:
        if self._api is not None:
            _close(self._api)


def _close(api: AtClient) -> None:
    """Close a client's HTTP connections (one given up, or at the end)."""
    with contextlib.suppress(Exception):
        api.request.close()


def _handle_key(handle: str) -> str:
    """A handle as compared: handles are case-insensitive, "@" is only a way to write one."""
    return handle.strip().removeprefix("@").lower()


def _images_embed(media: Sequence[MediaRef]) -> models.AppBskyEmbedImages.Main:
    """The ``app.bsky.embed.images`` embed: each blob with its alt text and aspect ratio."""
    images = []
    for m in media:
        ratio = None
        if m.width > 0 and m.height > 0:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=m.width, height=m.height)
        blob = BlobRef(mime_type=m.mime_type, size=m.size, ref=IpldLink(link=m.id))
        images.append(models.AppBskyEmbedImages.Image(alt=m.alt, image=blob, aspect_ratio=ratio))
    return models.AppBskyEmbedImages.Main(images=images)


def _xrpc_error(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    return str(getattr(content, "error", "") or "")


def _describe(exc: RequestErrorBase) -> str:
    if exc.response is None:
        cause = exc.__cause__
        return type(cause).__name__ if cause is not None else type(exc).__name__
    content = exc.response.content
    error = getattr(content, "error", None)
    message = getattr(content, "message", None)
    text = f"{exc.response.status_code} {error or ''} {message or ''}".strip()
    return text[:300]
