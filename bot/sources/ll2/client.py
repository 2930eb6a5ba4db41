"""The HTTP transport to Launch Library 2: GET, paging, rate limit, one error type.

* Base URL configurable (default :data:`DEFAULT_BASE_URL`): the development server
  ``https://lldev.thespacedevs.com/2.3.0/`` or a test server work by changing only it.
* An optional API key, a :class:`~bot.files.secrets.Secret`, is sent as the header
  ``Authorization: Token <key>``; it never appears in a URL, a log line or an error.
* Lists are read page by page (``limit=100``, the most LL2 allows), following ``next``
  only to the same host under the same base path, with our own scheme (LL2 behind its
  proxy may write ``http://`` links; we never downgrade).
* Rate limit (15 requests an hour without a key): HTTP 429 says how long to wait, in a
  ``Retry-After`` header and in Django REST Framework's body ``{"detail": "Request was
  throttled. Expected available in 3599 seconds."}``.  A short wait (up to ``max_wait``)
  is slept through the injected ``sleep`` and the request retried; a longer one raises
  :class:`Throttled` carrying ``retry_at``.  :meth:`LL2Client.budget` asks
  ``/api-throttle/``, which does not count against the limit.
* Every failure (connection refused, timeout, connection dropped, HTTP error, HTML page,
  non-JSON, truncated or malformed JSON, wrong JSON types, broken paging) raises one
  :class:`LL2Error` whose message is one line naming the endpoint and what was wrong.
"""

from __future__ import annotations

import json
import logging
import math
import re
import ssl
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache

import httpx

from bot import __version__
from bot.files.config import LL2Settings
from bot.files.secrets import Secret
from bot.sources.ll2.errors import LL2Error, Throttled, one_line
from bot.sources.ll2.parse import LL2Budget, LL2Page, parse_budget, parse_page

DEFAULT_BASE_URL = LL2Settings.base_url  # one home: the config's default
DEV_BASE_URL = "https://lldev.thespacedevs.com/2.3.0/"  # no rate limit, stale data
PAGE_LIMIT = 100  # LL2's maximum page size
UNKNOWN_WAIT = 3600.0  # a 429 that says nothing: LL2 counts requests per hour
MAX_WAIT = 86400.0  # a longer wait (or "inf") is taken as a day: the next sync retries anyway

log = logging.getLogger("bot.sources.ll2")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
Param = str | int | bool | datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def _param(value: Param) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} in an LL2 query")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def endpoint_of(url: str) -> str:
    """``GET <path>?<query>`` of a URL: what errors and logs name (no host, no header)."""
    parts = urllib.parse.urlsplit(url)
    return f"GET {parts.path}" + (f"?{parts.query}" if parts.query else "")


@cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying TLS context, built once per process: loading the CA
    bundle costs about 20 ms, and the daemon makes a client for every sync."""
    return httpx.create_ssl_context()


_WAIT_IN_BODY = re.compile(r"available in\s+(\d+(?:\.\d+)?)\s+second", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


class LL2Client:
    """A connection to one LL2 server.  Use as a context manager, or call :meth:`close`.

    ``requests`` counts the rate-limited requests sent (``/api-throttle/`` is free and
    not counted; a request retried after a 429 counts twice).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        token: Secret | None = None,
        timeout: float = 30.0,
        max_wait: float = 60.0,
        max_retries: int = 2,
        max_pages: int = 10,
        sleep: Sleep = time.sleep,
        clock: Clock = utc_now,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"LL2 base URL must be http(s)://host/...: {base_url!r}")
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.base_url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        self._scheme, self._netloc, self._base_path = parts.scheme, parts.netloc, path
        self._token = token
        self.timeout = timeout
        self.max_wait = max_wait
        self.max_retries = max_retries
        self.max_pages = max_pages
        self._sleep = sleep
        self._clock = clock
        self.requests = 0
        self.endpoints: list[str] = []
        self._http = httpx.Client(
            timeout=timeout,
            verify=_tls_context(),
            transport=transport,
            follow_redirects=False,
            headers={
                "User-Agent": f"spacebot/{__version__} (human-spaceflight milestones bot)",
                "Accept": "application/json",
            },
        )

    def __enter__(self) -> LL2Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- public -------------------------------------------------------------------

    def now(self) -> datetime:
        """The injected clock's time (aware UTC)."""
        return self._clock()

    def url(self, path: str, params: Mapping[str, Param] | None = None) -> str:
        """The absolute URL of ``path`` (relative to the base URL) with ``params``."""
        url = urllib.parse.urljoin(self.base_url, path.lstrip("/"))
        if params:
            url += "?" + urllib.parse.urlencode({k: _param(v) for k, v in params.items()})
        return url

    def get(self, path: str, params: Mapping[str, Param] | None = None) -> tuple[str, object]:
        """One object endpoint (``astronauts/545/``): the endpoint name and its JSON."""
        return self._get_json(self.url(path, params))

    def pages(self, path: str, params: Mapping[str, Param] | None = None) -> Iterator[LL2Page]:
        """Every page of a list endpoint, ``limit=100``, following ``next``.

        Raises :class:`LL2Error` when a page is broken, ``next`` leaves the server or
        loops, paging stops before ``count`` results, or there are over ``max_pages``.
        """
        url = self.url(path, {**(params or {}), "limit": PAGE_LIMIT})
        first = endpoint_of(url)
        seen: set[str] = set()
        read = 0
        while True:
            if len(seen) >= self.max_pages:
                raise LL2Error(first, f"more than {self.max_pages} pages: narrow the query")
            seen.add(url)
            endpoint, data = self._get_json(url)
            page = parse_page(data, endpoint)
            read += len(page.results)
            yield page
            if page.next is None:
                if read < page.count:
                    raise LL2Error(endpoint, f"paging ended after {read} of {page.count} results")
                return
            if not page.results:
                raise LL2Error(endpoint, "empty page that names a next page")
            url = self._follow(page.next, endpoint)
            if url in seen:
                raise LL2Error(endpoint, f"next page {endpoint_of(url)} was already read")

    def budget(self) -> LL2Budget:
        """The rate-limit budget from ``/api-throttle/`` (free: not counted by LL2)."""
        endpoint, data = self._get_json(self.url("api-throttle/"), counted=False)
        return parse_budget(data, endpoint)

    # -- internals --------------------------------------------------------------------

    def _follow(self, link: str, endpoint: str) -> str:
        """The ``next`` link, on our host and scheme, or an error."""
        try:
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(self.base_url, link))
        except ValueError as exc:
            raise LL2Error(endpoint, f"next page link {link!r} is not a URL ({exc})") from None
        if parts.netloc != self._netloc or not parts.path.startswith(self._base_path):
            where = parts.netloc + parts.path
            raise LL2Error(endpoint, f"next page link leaves {self.base_url}: {where!r} refused")
        return urllib.parse.urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            return {}
        return {"Authorization": f"Token {self._token.reveal()}"}

    def _get_json(self, url: str, *, counted: bool = True) -> tuple[str, object]:
        endpoint = endpoint_of(url)
        attempt = 0
        while True:
            response = self._send(url, endpoint, counted)
            if response.status_code != 429:
                break
            wait, said = self._throttle_wait(response)
            retry_at = self._clock() + timedelta(seconds=wait)
            if wait > self.max_wait or attempt >= self.max_retries:
                raise Throttled(endpoint, f"rate limited (HTTP 429: {said})", retry_at)
            attempt += 1
            log.warning("LL2 %s: rate limited (%s); waiting %.0f s", endpoint, said, wait)
            self._sleep(wait)
        if response.status_code != 200:
            raise LL2Error(endpoint, _http_failure(response), status=response.status_code)
        return endpoint, _json_body(response, endpoint)

    def _send(self, url: str, endpoint: str, counted: bool) -> httpx.Response:
        if counted:
            self.requests += 1
        self.endpoints.append(endpoint)
        try:
            response = self._http.get(url, headers=self._headers())
        except httpx.TimeoutException as exc:
            what = "no connection" if isinstance(exc, httpx.ConnectTimeout) else "no answer"
            raise LL2Error(endpoint, f"{what} within {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise LL2Error(endpoint, f"cannot connect to {self._netloc}: {exc}") from None
        except httpx.RemoteProtocolError as exc:
            raise LL2Error(endpoint, f"connection closed before the whole answer: {exc}") from None
        except httpx.HTTPError as exc:
            raise LL2Error(endpoint, f"request failed ({type(exc).__name__}: {exc})") from None
        log.info("LL2 %s -> HTTP %d", endpoint, response.status_code)
        return response

    def _throttle_wait(self, response: httpx.Response) -> tuple[float, str]:
        """Seconds to wait from ``Retry-After`` or the body's text, and what was said.

        A wait beyond :data:`MAX_WAIT` (even ``inf``) is cut to it; ``nan`` says nothing."""
        waits: list[float] = []
        header = response.headers.get("Retry-After", "").strip()
        if header:
            try:
                seconds = float(header)
                if not math.isnan(seconds):
                    waits.append(seconds)
            except ValueError:
                try:
                    when = parsedate_to_datetime(header)
                except (TypeError, ValueError):
                    when = None
                if when is not None and when.tzinfo is not None:
                    waits.append((when - self._clock()).total_seconds())
        detail = _detail(response)
        match = _WAIT_IN_BODY.search(detail)
        if match:
            waits.append(float(match.group(1)))
        said = detail or (f"Retry-After: {header}" if header else "no wait given")
        if not waits:
            return UNKNOWN_WAIT, f"{said}; assuming {UNKNOWN_WAIT:.0f} s"
        return min(MAX_WAIT, max(0.0, *waits)), said


def _detail(response: httpx.Response) -> str:
    """The ``detail`` text of a DRF error body, else a one-line excerpt of the body."""
    text = response.content[:4000].decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return one_line(data["detail"], 160)
    return _excerpt(text)


def _excerpt(text: str) -> str:
    title = _TITLE.search(text)
    if title:
        return one_line(title.group(1), 120)
    return one_line(_TAGS.sub(" ", text), 120)


def _http_failure(response: httpx.Response) -> str:
    status = response.status_code
    head = f"HTTP {status} {response.reason_phrase}".rstrip()
    if 300 <= status < 400:
        where = endpoint_of(response.headers.get("Location", "?"))
        return f"{head}: redirected to {where.removeprefix('GET ')}, not followed"
    detail = _detail(response)
    if status in (401, 403):
        return f"{head}: {detail or 'refused'} (check the LL2 API key, or leave it unset)"
    return f"{head}: {detail}" if detail else head


def _json_body(response: httpx.Response, endpoint: str) -> object:
    body = response.content
    kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise LL2Error(endpoint, f"answer is not UTF-8 text ({kind}, {len(body)} bytes)") from None
    stripped = text.lstrip()
    if not stripped:
        raise LL2Error(endpoint, f"empty answer ({kind})")
    if stripped.startswith("<"):
        raise LL2Error(endpoint, f"HTML page instead of JSON ({kind}): {_excerpt(text)!r}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # at the very end, or a string running to the end: the answer stops mid-way
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise LL2Error(
                endpoint, f"JSON answer cut short (truncated after {len(body)} bytes)"
            ) from None
        raise LL2Error(
            endpoint,
            f"malformed JSON ({kind}) at line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from None
