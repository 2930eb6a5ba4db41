"""Mastodon through Mastodon.py.

Credential (per target, e.g. target ``fedi``): ``SPACEBOT_FEDI_ACCESS_TOKEN``
(or ``SPACEBOT_FEDI_ACCESS_TOKEN_FILE``); options: ``api_base_url`` (required),
``max_chars`` (the instance's), ``visibility`` (public), ``timeout`` (30 s).

The post length limit is the instance's own, read once per process from
``/api/v2/instance`` (``configuration.statuses.max_characters``, no credentials needed)
when the target sets no ``max_chars``; if the instance does not answer, the platform
table's 500 is used and the reason logged once.  Posts carry the configured language
(``announcements.language``).

Exactly-once: every status is sent with an ``Idempotency-Key`` derived from the
outbox key; Mastodon returns the first status for a repeated key (for about an
hour, the server's cache lifetime), so a resend after an unknown outcome is safe.
Past that hour (the bot down, the instance unreachable) :meth:`MastodonClient.find_recent`
settles it first: it reads the account's 40 latest statuses and compares the text each
one shows (its HTML read back by :func:`shown_text`) with the text sent.

Pictures: ``media_post`` (``POST /api/v2/media``) with the alt text as ``description``,
then ``status_post(media_ids=...)``.  An attachment not used by a status is deleted
after a day (``Vacuum::MediaAttachmentsVacuum::TTL``); one already attached cannot be
attached again, and Mastodon gives the same 422 for both ("not found"), so that answer
raises :class:`MediaExpired` with ``maybe_published``.  Uploading again is harmless
(an instance allows 30 uploads per 30 minutes per account).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar, Self, TextIO, TypeVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bot.core.text_length import mastodon_short_mentions
from bot.files.secrets import Secret, read_secret
from bot.files.targets import TargetConfig
from bot.images import png
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    MediaExpired,
    MediaNotReady,
    MediaRef,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
    check_image,
)

T = TypeVar("T")
UNATTACHED_TTL = 86_400  # Vacuum::MediaAttachmentsVacuum::TTL = 1.day
log = logging.getLogger("spacebot.clients.mastodon")

RECENT_STATUSES = 40  # the most GET /api/v1/accounts/:id/statuses gives at once
INSTANCE_TIMEOUT = 5.0  # seconds, at most, to learn the instance's limit
# api_base_url -> the instance's max_characters (None: it did not tell); asked at most
# once per process, whatever the number of targets, clients and reloads.
_limits: dict[str, int | None] = {}
_limits_lock = threading.Lock()


class MastodonClient(Client):
    platform: ClassVar[str] = "mastodon"
    resend_is_safe: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        *,
        token: Secret,
        api_base_url: str,
        visibility: str,
        timeout: float,
        language: str | None = None,
    ) -> None:
        super().__init__(name)
        self.visibility = visibility
        self.api_base_url = api_base_url
        self.language = language
        self._timeout = timeout
        self._account_id: str | None = None  # learnt at the first look-up
        # No network here: no version check, no instance lookup; 429s are raised to us.
        # The version is taken as 4.0.0 without asking ("created": a method is refused
        # only if it is newer); with "none" Mastodon.py would take it as 0.0.0 and upload
        # media to the deprecated /api/v1/media.
        self._api = Mastodon(
            access_token=token.reveal(),
            api_base_url=api_base_url,
            request_timeout=timeout,
            ratelimit_method="throw",
            version_check_mode="created",
            mastodon_version="4.0.0",
        )
        # Mastodon.py raises on a 429 without the answer: keep its headers (Retry-After)
        self._last_headers: dict[str, str] = {}
        self._api.session.hooks["response"].append(self._remember_headers)

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
        var = target.credential_vars["ACCESS_TOKEN"]
        where = f"target {target.name!r} (mastodon)"
        token = read_secret(env, var, where=where, source=source)
        return cls(
            target.name,
            token=token,
            api_base_url=str(target.options["api_base_url"]),
            visibility=str(target.options["visibility"]),
            timeout=float(str(target.options["timeout"])),
            language=target.language,
        )

    def text_limit(self) -> int | None:
        key = self.api_base_url.rstrip("/")
        with _limits_lock:
            if key not in _limits:
                _limits[key] = self._read_limit(key)
            return _limits[key]

    def _read_limit(self, base: str) -> int | None:
        url = f"{base}/api/v2/instance"
        try:
            response = self._api.session.get(url, timeout=min(self._timeout, INSTANCE_TIMEOUT))
            response.raise_for_status()
            value = response.json()["configuration"]["statuses"]["max_characters"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            why = _short(exc) if isinstance(exc, requests.RequestException) else "no limit in it"
            log.warning(
                "%s: cannot read the instance's post length limit from %s (%s); using 500, "
                "or set options.max_chars",
                self.name,
                url,
                why,
            )
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            log.warning("%s: %s gave max_characters %r; using 500", self.name, url, value)
            return None
        return value

    def post(
        self,
        text: str,
        *,
        reply_to: PostRef | None,
        idempotency_key: str,
        media: Sequence[MediaRef] = (),
    ) -> PostRef:
        status = self._call(
            lambda: self._api.status_post(
                text,
                in_reply_to_id=reply_to.id if reply_to is not None and reply_to.id else None,
                media_ids=[m.id for m in media] or None,
                visibility=self.visibility,
                language=self.language,
                idempotency_key=idempotency_key,
            ),
            "post",
            media=bool(media),
        )
        status_id = str(_get(status, "id") or "")
        if not status_id:
            raise Transient(f"{self.name}: Mastodon accepted the request but returned no id")
        url = str(_get(status, "url") or _get(status, "uri") or "")
        return PostRef(status_id, url)

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        """The account's recent status showing ``text``, if there is one.

        Mastodon keeps no idempotency key past its hour and answers no search by text,
        so this reads the account's latest statuses (replies included: a thread's later
        parts) and compares what each shows with ``text`` by :func:`same_text`.

        A token that may not read (403: made without ``read:accounts`` and
        ``read:statuses``) cannot tell: ``None``, and a warning naming the scopes."""
        if self._account_id is None:
            account = self._read(self._api.account_verify_credentials, "read:accounts")
            if account is None:
                return None
            self._account_id = str(_get(account, "id") or "") or None
            if self._account_id is None:
                raise Transient(f"{self.name}: Mastodon gave the account without its id")
        account_id = self._account_id
        statuses = self._read(
            lambda: self._api.account_statuses(
                account_id, exclude_reblogs=True, limit=RECENT_STATUSES
            ),
            "read:statuses",
        )
        for status in statuses or ():
            if same_text(shown_text(str(_get(status, "content") or "")), text):
                status_id = str(_get(status, "id") or "")
                url = str(_get(status, "url") or _get(status, "uri") or "")
                return PostRef(status_id, url)
        return None

    def _read(self, func: Callable[[], T], scope: str) -> T | None:
        """``func()`` for :meth:`find_recent`; ``None`` when the token lacks ``scope``."""
        refused = False

        def guarded() -> T | None:
            nonlocal refused
            try:
                return func()
            except MastodonAPIError as exc:
                if _status(exc) != 403:  # 401: the token itself is refused
                    raise
                refused = True
                return None

        result = self._call(guarded, f"read ({scope})")
        if refused:
            log.warning(
                "%s: the access token may not read the account (403; it needs %s): a post "
                "whose answer was lost is sent again, which Mastodon de-duplicates for an "
                "hour only; add the read:accounts and read:statuses scopes",
                self.name,
                scope,
            )
        return result

    def upload(self, image: bytes, alt: str, *, idempotency_key: str) -> MediaRef:
        width, height = check_image(self, image, alt)
        sha = png.content_hash(image)
        attachment = self._call(
            lambda: self._api.media_post(
                image,
                mime_type=png.MIME_TYPE,
                description=alt or None,
                file_name=f"{sha[:16]}.png",
            ),
            "upload the image",
        )
        media_id = str(_get(attachment, "id") or "")
        if not media_id:
            raise Transient(f"{self.name}: Mastodon accepted the image but returned no id")
        return MediaRef(
            media_id,
            sha,
            UNATTACHED_TTL,
            size=len(image),
            width=width,
            height=height,
            alt=alt,
        )

    def _call(self, func: Callable[[], T], what: str, *, media: bool = False) -> T:
        """``func()`` with Mastodon.py's errors as the typed errors (one mapping for every
        call: post, upload, the credentials check)."""
        try:
            return func()
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except MastodonNetworkError as exc:
            raise Transient(f"{self.name}: cannot reach Mastodon ({_short(exc)})") from None
        except MastodonServerError as exc:
            raise Transient(f"{self.name}: Mastodon server error {_status(exc)}") from None
        except MastodonUnauthorizedError as exc:
            raise AuthFailed(
                f"{self.name}: Mastodon refused to {what} (401): {_message(exc)}"
            ) from None
        except MastodonAPIError as exc:
            status_code = _status(exc)
            if not isinstance(status_code, int) or 200 <= status_code < 300:
                # An answer cut short or not JSON: a status may well be published; "maybe
                # posted" is settled like a crash (idempotency key), never "failed".
                raise Transient(
                    f"{self.name}: Mastodon's answer could not be read ({_message(exc)}); "
                    f"it may have done it ({what})"
                ) from None
            if status_code == 403:
                raise AuthFailed(
                    f"{self.name}: Mastodon refused to {what} (403): {_message(exc)}"
                ) from None
            if status_code >= 500:
                raise Transient(f"{self.name}: Mastodon server error {status_code}") from None
            problem = _media_problem(self.name, _message(exc)) if media else None
            if problem is not None and status_code == 422:
                raise problem from None
            raise Rejected(
                f"{self.name}: Mastodon refused to {what} ({status_code}): {_message(exc)}"
            ) from None
        except MastodonError as exc:
            raise Transient(f"{self.name}: Mastodon error ({type(exc).__name__})") from None

    def _remember_headers(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self._last_headers = dict(getattr(response, "headers", None) or {})

    def _rate_limited(self) -> RateLimited:
        """Mastodon's 429: X-RateLimit-Reset, and Retry-After when the answer has one."""
        reset = self._api.ratelimit_reset
        reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
        message = f"{self.name}: Mastodon rate limit (429)"
        return RateLimited(message, reset_at, headers=self._last_headers)

    def check_credentials(self) -> str:
        account = self._call(self._api.account_verify_credentials, "check the access token")
        acct = _get(account, "acct")
        return f"@{acct}" if acct else ""

    def close(self) -> None:
        self._api.session.close()


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # &lt; &#39; ... read back as < ' ...
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown_text(html: str) -> str:
    """The text a status's ``content`` shows.  Mastodon's formatter (``TextFormatter``)
    escapes the text, wraps each link, hashtag and mention in tags that keep its text (a
    URL's in three spans: scheme, the first 30 characters, the rest), and makes a
    paragraph (``<p>``) of each run of text between blank lines, ``<br />`` of each other
    newline."""
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def same_text(shown: str, sent: str) -> bool:
    """Whether a status showing ``shown`` is the one sent as ``sent``: the same words in
    the same order, whatever the white space (paragraphs, line breaks), with mentions
    compared by user name (the domain may or may not be shown)."""

    def words(text: str) -> list[str]:
        return mastodon_short_mentions(text).split()

    return bool(sent.strip()) and words(shown) == words(sent)


def _get(obj: Any, key: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError, IndexError):
        return getattr(obj, key, None)


def _status(exc: MastodonError) -> int | str:
    args = exc.args
    if len(args) >= 2 and isinstance(args[1], int):
        return args[1]
    return "?"


def _message(exc: MastodonError) -> str:
    args = exc.args
    if len(args) >= 4 and args[3]:
        return str(args[3])[:300]
    return "no details"


def _media_problem(name: str, message: str) -> MediaNotReady | MediaExpired | None:
    """The typed error for Mastodon's 422 about a status's media, if it is one."""
    lowered = message.lower()
    if "processing" in lowered:  # media_attachments.validations.not_ready
        return MediaNotReady(f"{name}: Mastodon is still processing the image ({message})")
    if "not found" in lowered:  # media_attachments.validations.not_found
        return MediaExpired(
            f"{name}: Mastodon no longer has the image, or it is attached already ({message})",
            maybe_published=True,
        )
    return None


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
