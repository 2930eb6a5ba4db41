"""X (Twitter) through tweepy's API v2 client, OAuth 1.0a user context.

Credentials (per target, e.g. target ``main-x``): ``SPACEBOT_MAIN_X_API_KEY``,
``SPACEBOT_MAIN_X_API_SECRET``, ``SPACEBOT_MAIN_X_ACCESS_TOKEN``,
``SPACEBOT_MAIN_X_ACCESS_TOKEN_SECRET`` (or the same names with ``_FILE``).

Exactly-once: after an unknown outcome :meth:`XClient.find_recent` reads the
account's 20 latest tweets (``GET /2/users/:id/tweets``) and compares their text (links
come back as t.co, ``& < >`` as entities) with the text sent; found, it is recorded
with its id.  Otherwise the tweet is sent again: X refuses a second tweet with the same
text ("duplicate content", 403) for a while, which tells us the first one went out
(but not its id).  An access level that may not read tweets (403) cannot look: the
resend alone decides, as before, and a warning says so.

Pictures: ``POST /2/media/upload`` (the one-shot upload, base64 in JSON,
``media_category: tweet_image``), then ``POST /2/media/metadata`` with the alt text, both
signed OAuth 1.0a user context like ``POST /2/tweets`` (X's OpenAPI lists the
``UserToken`` scheme for all three).  tweepy (4.17, the latest) has no method for these
v2 endpoints (only v1.1 ``API.media_upload``, on ``upload.twitter.com/1.1``, which X
retired for self-serve tiers in 2025), so they are sent through tweepy's own signed
request (``Client.request``), which maps the answers onto tweepy's exceptions as for a
tweet.  An unused media id lasts ``expires_after_secs`` (the upload's answer; a day for
images); uploading again is harmless.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self, TextIO, TypeVar

import requests
import tweepy

from bot.core.platforms import PLATFORMS
from bot.core.text_length import x_links_as
from bot.files.secrets import Secret, read_secrets
from bot.files.targets import TargetConfig
from bot.images import png
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    Duplicate,
    MediaExpired,
    MediaRef,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
    check_image,
)

T = TypeVar("T")
log = logging.getLogger("spacebot.clients.x")
RECENT_TWEETS = 20  # read after an unknown outcome (each read counts on paid tiers)
MEDIA_TTL = 86_400  # an unused media id's life when the answer does not say

# The host tweepy hard-codes, which is also the table's default for option base_url.
TWITTER_HOST = str(PLATFORMS["x"].options["base_url"].default)

# At DEBUG these two log the consumer key and access token of every signed request
# (signature base string, Authorization header).  Credentials never go to a log, so
# they are held at INFO whatever the root level; nothing else of theirs is useful.
for _noisy in ("oauthlib", "requests_oauthlib"):
    logging.getLogger(_noisy).setLevel(logging.INFO)


class _Session(requests.Session):
    """tweepy's session with a timeout on every request, and an optional other host.

    tweepy hard-codes https://api.twitter.com and sets no timeout; this is the one
    seam it leaves (``Client.session``).  ``base_url`` exists for tests (127.0.0.1).
    """

    def __init__(self, timeout: float, base_url: str) -> None:
        super().__init__()
        self.timeout = timeout
        self.base_url = base_url.rstrip("/")

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        if isinstance(url, str) and url.startswith(TWITTER_HOST):
            url = self.base_url + url[len(TWITTER_HOST) :]
        return super().request(method, url, *args, **kwargs)


class XClient(Client):
    platform: ClassVar[str] = "x"
    resend_is_safe: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        *,
        creds: Mapping[str, Secret],
        base_url: str,
        timeout: float,
    ) -> None:
        super().__init__(name)
        self._api = tweepy.Client(
            consumer_key=creds["API_KEY"].reveal(),
            consumer_secret=creds["API_SECRET"].reveal(),
            access_token=creds["ACCESS_TOKEN"].reveal(),
            access_token_secret=creds["ACCESS_TOKEN_SECRET"].reveal(),
            wait_on_rate_limit=False,
        )
        self._api.session = _Session(timeout, base_url)
        self._user_id: str | None = None  # learnt at the first look-up

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
        where = f"target {target.name!r} (x)"
        creds = read_secrets(env, target.credential_vars, where=where, source=source)
        return cls(
            target.name,
            creds=creds,
            base_url=str(target.options["base_url"]),
            timeout=float(str(target.options["timeout"])),
        )

    def post(
        self,
        text: str,
        *,
        reply_to: PostRef | None,
        idempotency_key: str,
        media: Sequence[MediaRef] = (),
    ) -> PostRef:
        kwargs: dict[str, Any] = {"text": text, "user_auth": True}
        if reply_to is not None and reply_to.id:
            kwargs["in_reply_to_tweet_id"] = reply_to.id
        if media:
            kwargs["media_ids"] = [m.id for m in media]
        try:
            response = self._api.create_tweet(**kwargs)
        except tweepy.TooManyRequests as exc:
            raise _rate_limited(self.name, exc) from None
        except tweepy.TwitterServerError as exc:
            raise Transient(f"{self.name}: X server error {_status(exc)}") from None
        except tweepy.Forbidden as exc:
            if _is_duplicate(exc):
                raise Duplicate(f"{self.name}: X says this is duplicate content") from None
            raise AuthFailed(f"{self.name}: X refused (403): {_detail(exc)}") from None
        except tweepy.Unauthorized as exc:
            msg = f"{self.name}: X authentication failed (401): {_detail(exc)}"
            raise AuthFailed(msg) from None
        except tweepy.HTTPException as exc:
            if media and _media_refused(exc):
                msg = f"{self.name}: X no longer has the media ({_detail(exc)})"
                raise MediaExpired(msg) from None
            msg = f"{self.name}: X rejected the post ({_status(exc)}): {_detail(exc)}"
            raise Rejected(msg) from None
        except requests.Timeout:
            raise Transient(f"{self.name}: X request timed out") from None
        except requests.RequestException as exc:
            raise Transient(f"{self.name}: cannot reach X ({type(exc).__name__})") from None
        data = getattr(response, "data", None) or {}
        tweet_id = str(data.get("id", "")) if isinstance(data, dict) else ""
        if not tweet_id:
            raise Transient(f"{self.name}: X accepted the request but returned no tweet id")
        return PostRef(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

    def check_credentials(self) -> str:
        response = self._call(lambda: self._api.get_me(user_auth=True), "check the credentials")
        data = getattr(response, "data", None)
        username = getattr(data, "username", None) or (
            data.get("username") if isinstance(data, dict) else None
        )
        return f"@{username}" if username else ""

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        """The account's recent tweet with this text (links compared as links), if any."""
        if self._user_id is None:
            me = self._read(lambda: self._api.get_me(user_auth=True), "read its account")
            data = getattr(me, "data", None)
            user_id = getattr(data, "id", None) if data is not None else None
            if me is None or user_id is None:
                return None
            self._user_id = str(user_id)
        user_id = self._user_id
        found = self._read(
            lambda: self._api.get_users_tweets(user_id, max_results=RECENT_TWEETS, user_auth=True),
            "read recent tweets",
        )
        wanted = _comparable(text)
        for tweet in getattr(found, "data", None) or ():
            if wanted and _comparable(html.unescape(str(tweet.text))) == wanted:
                tweet_id = str(tweet.id)
                return PostRef(tweet_id, f"https://x.com/i/web/status/{tweet_id}")
        return None

    def _read(self, func: Callable[[], T], what: str) -> T | None:
        """``func()`` for :meth:`find_recent`; ``None`` when X refuses the read (403: an
        access level or app permission without reading tweets)."""
        refused: list[tweepy.Forbidden] = []

        def guarded() -> T | None:
            try:
                return func()
            except tweepy.Forbidden as exc:  # 401 stays a refusal of the credentials
                refused.append(exc)
                return None

        result = self._call(guarded, what)
        if refused:
            log.warning(
                "%s: X refused to %s (403: %s): a tweet whose answer was lost is sent "
                "again, and only X's duplicate check keeps it from going out twice",
                self.name,
                what,
                _detail(refused[0]),
            )
        return result

    def upload(self, image: bytes, alt: str, *, idempotency_key: str) -> MediaRef:
        width, height = check_image(self, image, alt)
        body = {"media": base64.b64encode(image).decode("ascii"), "media_category": "tweet_image"}
        answer = self._call(
            lambda: self._api.request("POST", "/2/media/upload", json=body, user_auth=True),
            "upload the image",
        )
        data = _json(answer).get("data")
        media_id = str(data.get("id") or "") if isinstance(data, dict) else ""
        if not media_id:
            raise Transient(f"{self.name}: X accepted the image but returned no media id")
        ttl = data.get("expires_after_secs") if isinstance(data, dict) else None
        if alt:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": alt}}}
            self._call(
                lambda: self._api.request(
                    "POST", "/2/media/metadata", json=metadata, user_auth=True
                ),
                "set the alt text",
            )
        return MediaRef(
            media_id,
            png.content_hash(image),
            ttl if isinstance(ttl, int) and ttl > 0 else MEDIA_TTL,
            size=len(image),
            width=width,
            height=height,
            alt=alt,
        )

    def _call(self, func: Callable[[], T], what: str) -> T:
        """``func()`` with tweepy's and requests' errors as the typed errors."""
        try:
            return func()
        except tweepy.TooManyRequests as exc:
            raise _rate_limited(self.name, exc) from None
        except tweepy.TwitterServerError as exc:
            raise Transient(f"{self.name}: X server error {_status(exc)}") from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            msg = f"{self.name}: X refused to {what} ({_status(exc)}): {_detail(exc)}"
            raise AuthFailed(msg) from None
        except tweepy.HTTPException as exc:
            msg = f"{self.name}: X refused to {what} ({_status(exc)}): {_detail(exc)}"
            raise Rejected(msg) from None
        except requests.Timeout:
            raise Transient(f"{self.name}: X request timed out") from None
        except requests.RequestException as exc:
            raise Transient(f"{self.name}: cannot reach X ({type(exc).__name__})") from None

    def close(self) -> None:
        self._api.session.close()


def _comparable(text: str) -> list[str]:
    """A tweet's words, its links as one token (X gives them back as t.co links)."""
    return x_links_as(text, "\x00link").split()


def _rate_limited(name: str, exc: tweepy.TooManyRequests) -> RateLimited:
    """X's 429: its x-rate-limit-reset, and Retry-After when the answer has one."""
    response = getattr(exc, "response", None)
    headers = dict(getattr(response, "headers", None) or {})
    reset = headers.get("x-rate-limit-reset", "")
    reset_at = datetime.fromtimestamp(int(reset), UTC) if str(reset).isdigit() else None
    return RateLimited(f"{name}: X rate limit (429)", reset_at, headers=headers)


def _status(exc: tweepy.HTTPException) -> str:
    response = getattr(exc, "response", None)
    return str(getattr(response, "status_code", "?"))


def _detail(exc: tweepy.HTTPException) -> str:
    messages = [str(m) for m in getattr(exc, "api_messages", [])]
    if not messages:
        response = getattr(exc, "response", None)
        try:
            body = response.json() if response is not None else {}
        except ValueError:
            body = {}
        if isinstance(body, dict):
            messages = [str(body[k]) for k in ("detail", "title") if k in body][:1]
    return "; ".join(messages)[:300] or "no details"


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _media_refused(exc: tweepy.HTTPException) -> bool:
    """X's 400 for media ids it does not know (expired, or never uploaded)."""
    if _status(exc) != "400":
        return False
    text = " ".join(str(m) for m in getattr(exc, "api_messages", []))
    response = getattr(exc, "response", None)
    if response is not None:
        text += " " + str(getattr(response, "text", ""))
    return "media" in text.lower()


def _is_duplicate(exc: tweepy.HTTPException) -> bool:
    text = " ".join(str(m) for m in getattr(exc, "api_messages", []))
    response = getattr(exc, "response", None)
    if response is not None:
        text += " " + str(getattr(response, "text", ""))
    return "duplicate content" in text.lower()
