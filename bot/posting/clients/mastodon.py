"""Mastodon through Mastodon.py.

Credential (per target, e.g. target ``fedi``): ``SPACEBOT_FEDI_ACCESS_TOKEN``
(or ``SPACEBOT_FEDI_ACCESS_TOKEN_FILE``); options: ``api_base_url`` (required),
``max_chars`` (500), ``visibility`` (public), ``timeout`` (30 s).

Exactly-once: every status is sent with an ``Idempotency-Key`` derived from the
outbox key; Mastodon returns the first status for a repeated key (for about an
hour, the server's cache lifetime), so a resend after an unknown outcome is safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self, TextIO

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bot.errors import Problem
from bot.files.secrets import Secret, read_secret
from bot.posting.clients.base import (
    AuthFailed,
    Client,
    Counter,
    PostRef,
    RateLimited,
    Rejected,
    Transient,
)

VISIBILITIES = ("public", "unlisted", "private", "direct")


class MastodonClient(Client):
    platform: ClassVar[str] = "mastodon"
    counter: ClassVar[Counter] = "mastodon"
    default_limit: ClassVar[int] = 500
    default_daily_cap: ClassVar[int] = 100
    credentials: ClassVar[Mapping[str, str]] = {"ACCESS_TOKEN": "access token (write:statuses)"}
    options_spec: ClassVar[Mapping[str, tuple[type, object]]] = {
        "api_base_url": (str, ...),
        "max_chars": (int, 500),
        "visibility": (str, "public"),
        "timeout": (float, 30.0),
    }
    resend_is_safe: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        *,
        token: Secret,
        api_base_url: str,
        max_chars: int = 500,
        visibility: str = "public",
        timeout: float = 30,
    ) -> None:
        super().__init__(name, limit=max_chars)
        self.visibility = visibility
        self.api_base_url = api_base_url
        # No network here: no version check, no instance lookup; 429s are raised to us.
        self._api = Mastodon(
            access_token=token.reveal(),
            api_base_url=api_base_url,
            request_timeout=timeout,
            ratelimit_method="throw",
            version_check_mode="none",
            mastodon_version="4.0.0",
        )

    @classmethod
    def extra_checks(
        cls, options: Mapping[str, object], *, source: str, where: str
    ) -> list[Problem]:
        problems = []
        url = str(options["api_base_url"])
        if not url.startswith(("https://", "http://")):
            problems.append(
                Problem(
                    source,
                    where,
                    f"option 'api_base_url' must be a URL (https://...), not {url!r}",
                    "fix options.api_base_url",
                )
            )
        if options["visibility"] not in VISIBILITIES:
            problems.append(
                Problem(
                    source,
                    where,
                    f"option 'visibility' must be one of {', '.join(VISIBILITIES)}, "
                    f"not {options['visibility']!r}",
                    "fix options.visibility",
                )
            )
        max_chars = options["max_chars"]
        if not isinstance(max_chars, int) or max_chars < 1:
            problems.append(Problem(source, where, "option 'max_chars' must be positive", "fix it"))
        return problems

    @classmethod
    def limit_for(cls, options: Mapping[str, object]) -> int:
        value = options.get("max_chars", cls.default_limit)
        return value if isinstance(value, int) else cls.default_limit

    @classmethod
    def create(
        cls,
        name: str,
        options: Mapping[str, object],
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        var = cls.credential_vars(name)["ACCESS_TOKEN"]
        token = read_secret(env, var, where=f"target {name!r} (mastodon)", source=source)
        return cls(
            name,
            token=token,
            api_base_url=str(options["api_base_url"]),
            max_chars=cls.limit_for(options),
            visibility=str(options.get("visibility", "public")),
            timeout=float(str(options.get("timeout", 30))),
        )

    def post(self, text: str, *, reply_to: PostRef | None, idempotency_key: str) -> PostRef:
        try:
            status = self._api.status_post(
                text,
                in_reply_to_id=reply_to.id if reply_to is not None and reply_to.id else None,
                visibility=self.visibility,
                idempotency_key=idempotency_key,
            )
        except MastodonRatelimitError:
            reset = self._api.ratelimit_reset
            reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
            raise RateLimited(f"{self.name}: Mastodon rate limit (429)", reset_at) from None
        except MastodonNetworkError as exc:
            raise Transient(f"{self.name}: cannot reach Mastodon ({_short(exc)})") from None
        except MastodonServerError as exc:
            raise Transient(f"{self.name}: Mastodon server error {_status(exc)}") from None
        except MastodonUnauthorizedError as exc:
            raise AuthFailed(
                f"{self.name}: Mastodon authentication failed (401): {_message(exc)}"
            ) from None
        except MastodonAPIError as exc:
            status_code = _status(exc)
            if status_code == 403:
                raise AuthFailed(f"{self.name}: Mastodon refused (403): {_message(exc)}") from None
            if isinstance(status_code, int) and status_code >= 500:
                raise Transient(f"{self.name}: Mastodon server error {status_code}") from None
            raise Rejected(
                f"{self.name}: Mastodon rejected the post ({status_code}): {_message(exc)}"
            ) from None
        except MastodonError as exc:
            raise Transient(f"{self.name}: Mastodon error ({type(exc).__name__})") from None
        status_id = str(_get(status, "id") or "")
        if not status_id:
            raise Transient(f"{self.name}: Mastodon accepted the request but returned no id")
        url = str(_get(status, "url") or _get(status, "uri") or "")
        return PostRef(status_id, url)

    def close(self) -> None:
        self._api.session.close()


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


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
