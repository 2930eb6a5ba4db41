"""A fake Launch Library 2 (2.3.0) on 127.0.0.1: http.server in a thread.

It serves a scenario (astronauts and launches in their ``mode=detailed`` JSON) under
``/2.3.0/`` so that the real client works by changing only the base URL:

* ``astronauts/`` with ``in_space``, ``is_human``, ``last_flight__gte``, ``mode``
  (``list``/``normal``/``detailed``), ``limit`` (at most 100, default 10), ``offset``;
  ``astronauts/<id>/``;
* ``launches/`` with ``is_crewed``, ``net__gte``, ``net__lte``, ``ordering=net``,
  ``mode``, ``limit``, ``offset``; ``launches/<uuid>/``;
* ``api-throttle/`` (never counted, never faulted unless asked);
* real paging: ``{count, next, previous, results}``, ``next`` keeping every parameter,
  as Django REST Framework's LimitOffsetPagination does.  Like django-filter, unknown
  parameters are silently ignored (the tests check every parameter sent against the
  OpenAPI document instead).

Rate limit: with ``limit`` set, the request after ``limit`` counted ones gets DRF's 429.
Per-request faults are queued with :meth:`FakeLL2.fail_next` and hit the next counted
requests in order: see :class:`Fault`.  Every request is in :attr:`FakeLL2.requests`,
every JSON answer in :attr:`FakeLL2.answers` (to validate against the schema).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fakes.ll2_schema import project

JSON = dict[str, Any]
PREFIX = "/2.3.0/"
FAULT_KINDS = (
    "429",  # HTTP 429, DRF's body; Retry-After unless header=False; wait seconds
    "500",  # Django's HTML "Server Error (500)"
    "503",  # an nginx HTML 503 page
    "html",  # HTTP 200 with an HTML page (a proxy's challenge page)
    "not-json",  # HTTP 200, text/plain "OK"
    "malformed",  # HTTP 200, application/json that is not JSON
    "truncated",  # HTTP 200, the real answer cut in half (Content-Length of the cut)
    "short-body",  # HTTP 200, Content-Length of the whole answer, half sent, closed
    "timeout",  # no answer before the client's timeout
    "reset",  # connection reset without an answer
    "401",  # DRF's "Invalid token."
)


@dataclass
class Fault:
    kind: str
    wait: int = 30  # for 429: the seconds the server asks for
    header: bool = True  # for 429: send Retry-After (the body always says it)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")


@dataclass
class Request:
    path: str  # e.g. /2.3.0/astronauts/
    query: list[tuple[str, str]]
    headers: dict[str, str]
    counted: bool

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)


@dataclass
class FakeLL2:
    astronauts: list[JSON] = field(default_factory=list)
    launches: list[JSON] = field(default_factory=list)
    limit: int | None = None  # requests allowed before 429 (None: no rate limit)
    throttle_wait: int = 1800  # the wait a rate-limited request is told
    ignore: set[str] = field(default_factory=set)  # filters to pretend not to know
    next_base: str | None = None  # write next links with this base (default: our URL)
    max_limit: int = 100  # LL2's page-size ceiling (lower it to test paging cheaply)
    timeout_sleep: float = 1.5  # longer than the tests clients' timeout (1 s)

    def __post_init__(self) -> None:
        self.requests: list[Request] = []
        self.answers: list[tuple[str, object]] = []  # (path, JSON) of every 200 answer
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- control ------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The base URL to give the client."""
        return self.origin + PREFIX

    def start(self) -> FakeLL2:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail_next(self, *faults: Fault | str) -> None:
        with self._lock:
            self._faults.extend(f if isinstance(f, Fault) else Fault(f) for f in faults)

    @property
    def counted(self) -> list[Request]:
        """The requests that count against LL2's rate limit."""
        return [r for r in self.requests if r.counted]

    # -- HTTP -------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                with contextlib.suppress(_Dropped):
                    server._dispatch(self)

        return Handler

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in h.headers.items()}
        free = parts.path == PREFIX + "api-throttle/"
        with self._lock:
            request = Request(parts.path, query, headers, counted=not free)
            self.requests.append(request)
            fault = self._faults.pop(0) if self._faults and not free else None
            used = len([r for r in self.requests if r.counted])
        if fault is not None:
            self._fault(h, fault, request)
            return
        if not free and self.limit is not None and used > self.limit:
            self._fault(h, Fault("429", wait=self.throttle_wait), request)
            return
        status, payload = self._route(request, used)
        if status == 200:
            with self._lock:
                self.answers.append((request.path, payload))
        self._send_json(h, status, payload)

    def _route(self, request: Request, used: int) -> tuple[int, object]:
        path = request.path
        if not path.startswith(PREFIX):
            return 404, {"detail": "Not found."}
        parts = [p for p in path[len(PREFIX) :].split("/") if p]
        params = request.params
        if parts == ["api-throttle"]:
            counted = used - 0
            return 200, [
                {
                    "your_request_limit": self.limit if self.limit is not None else 100000,
                    "limit_frequency_secs": 3600,
                    "current_use": counted,
                    "next_use_secs": 0
                    if self.limit is None or counted < self.limit
                    else self.throttle_wait,
                    "ident": "127.0.0.1",
                }
            ]
        if parts and parts[0] in ("astronauts", "launches"):
            kind = parts[0]
            items = self.astronauts if kind == "astronauts" else self.launches
            if len(parts) == 2:
                for item in items:
                    if str(item["id"]) == parts[1]:
                        return 200, item
                name = "Astronaut" if kind == "astronauts" else "Launch"
                return 404, {"detail": f"No {name} matches the given query."}
            if len(parts) == 1:
                chosen = self._filter(kind, items, params)
                mode = "normal" if "mode" in self.ignore else params.get("mode", "normal")
                return 200, self._page(request, chosen, kind, mode)
        return 404, {"detail": "Not found."}

    # -- filters and paging -------------------------------------------------------------

    def _on(self, name: str, params: dict[str, str]) -> bool:
        return name in params and name not in self.ignore

    def _filter(self, kind: str, items: list[JSON], params: dict[str, str]) -> list[JSON]:
        chosen = list(items)
        if kind == "astronauts":
            if self._on("in_space", params):
                want = params["in_space"] == "true"
                chosen = [a for a in chosen if a["in_space"] is want]
            if self._on("is_human", params):
                want = params["is_human"] == "true"
                chosen = [a for a in chosen if (a["type"]["name"] != "Non-Human") is want]
            if self._on("last_flight__gte", params):
                floor = _instant(params["last_flight__gte"])
                chosen = [
                    a for a in chosen if a["last_flight"] and _instant(a["last_flight"]) >= floor
                ]
            chosen.sort(key=lambda a: a["id"])
        else:
            if self._on("is_crewed", params):
                want = params["is_crewed"] == "true"
                chosen = [la for la in chosen if _crewed(la) is want]
            if self._on("net__gte", params):
                floor = _instant(params["net__gte"])
                chosen = [la for la in chosen if _instant(la["net"]) >= floor]
            if self._on("net__lte", params):
                ceiling = _instant(params["net__lte"])
                chosen = [la for la in chosen if _instant(la["net"]) <= ceiling]
            chosen.sort(key=lambda la: (la["net"], la["id"]))
        return chosen

    def _page(self, request: Request, items: list[JSON], kind: str, mode: str) -> JSON:
        params = request.params
        limit = min(int(params.get("limit") or 10), self.max_limit)
        offset = int(params.get("offset") or 0)
        page = items[offset : offset + limit]
        schema = {
            ("astronauts", "detailed"): "AstronautEndpointDetailed",
            ("astronauts", "normal"): "AstronautEndpointNormal",
            ("astronauts", "list"): "AstronautDetailed",
            ("launches", "detailed"): "LaunchDetailed",
            ("launches", "normal"): "LaunchNormal",
            ("launches", "list"): "LaunchBasic",
        }[kind, mode if mode in ("list", "normal", "detailed") else "normal"]
        base = (self.next_base or self.origin) + request.path

        def link(new_offset: int) -> str:
            query = [(k, v) for k, v in request.query if k not in ("limit", "offset")]
            query += [("limit", str(limit))]
            if new_offset > 0:
                query += [("offset", str(new_offset))]
            return base + "?" + urllib.parse.urlencode(query)

        return {
            "count": len(items),
            "next": link(offset + limit) if offset + limit < len(items) else None,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "results": [project(item, schema) for item in page],
        }

    # -- sending ------------------------------------------------------------------------

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: bytes, kind: str, extra: dict[str, str]
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()

    def _send_json(self, h: BaseHTTPRequestHandler, status: int, payload: object) -> None:
        self._send(h, status, json.dumps(payload).encode(), "application/json", {"Allow": "GET"})

    def _fault(self, h: BaseHTTPRequestHandler, fault: Fault, request: Request) -> None:
        kind = fault.kind
        if kind == "429":
            extra = {"Retry-After": str(fault.wait)} if fault.header else {}
            detail = f"Request was throttled. Expected available in {fault.wait} seconds."
            body = json.dumps({"detail": detail}).encode()
            self._send(h, 429, body, "application/json", extra)
        elif kind == "401":
            self._send(h, 401, b'{"detail":"Invalid token."}', "application/json", {})
        elif kind == "500":
            page = (
                b'<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n'
                b"</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
            )
            self._send(h, 500, page, "text/html; charset=utf-8", {})
        elif kind == "503":
            page = (
                b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
                b"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
                b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            )
            self._send(h, 503, page, "text/html", {})
        elif kind == "html":
            page = (
                b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                b"<body><p>Checking your browser before accessing the site.</p></body></html>"
            )
            self._send(h, 200, page, "text/html; charset=UTF-8", {})
        elif kind == "not-json":
            self._send(h, 200, b"OK", "text/plain", {})
        elif kind == "malformed":
            body = b'{"count": 2, "next": null, "previous": null, "results": [{"id": 1,, }]}'
            self._send(h, 200, body, "application/json", {})
        elif kind in ("truncated", "short-body"):
            _status, payload = self._route(request, 0)
            whole = json.dumps(payload).encode()
            half = whole[: len(whole) // 2]
            if kind == "truncated":
                self._send(h, 200, half, "application/json", {})
            else:
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(whole)))
                h.end_headers()
                h.wfile.write(half)
                h.wfile.flush()
                self._drop(h)
        elif kind == "timeout":
            time.sleep(self.timeout_sleep)
            self._drop(h)
        elif kind == "reset":
            self._drop(h)

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


class _Dropped(Exception):
    """The connection was dropped on purpose."""


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _crewed(launch: JSON) -> bool:
    rocket = launch.get("rocket") or {}
    return any(sf.get("launch_crew") for sf in rocket.get("spacecraft_stage") or [])


def make_ll2(**kw: Any) -> FakeLL2:
    return FakeLL2(**kw).start()
