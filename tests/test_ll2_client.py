"""The LL2 transport against the fake server: paging, rate limit, every failure, the token."""

from __future__ import annotations

import json
import logging
import re
import socket
from datetime import timedelta

import httpx
import pytest
from fakes import FakeClock
from fakes.ll2_client import TOKEN_VALUE, client_for, token
from fakes.ll2_server import FakeLL2, Fault

from bot.sources.ll2.client import LL2Client
from bot.sources.ll2.errors import LL2Error, Throttled
from bot.sources.ll2.parse import parse_astronauts


def astronaut_pages(client: LL2Client) -> list[int]:
    ids: list[int] = []
    for page in client.pages("astronauts/", {"mode": "normal"}):
        ids.extend(a.id for a in parse_astronauts(page))
    return ids


def test_paging_follows_next_and_reads_every_result(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.max_limit = 5  # LL2 caps pages at 100; a smaller cap pages through 24 people
    with client_for(ll2, ll2_clock) as client:
        ids = astronaut_pages(client)
    assert ids == sorted(a["id"] for a in ll2.astronauts)
    assert len(ll2.counted) == 5  # 24 people, 5 a page
    offsets = [r.params.get("offset", "0") for r in ll2.counted]
    assert offsets == ["0", "5", "10", "15", "20"]
    assert all(r.params["limit"] == "100" for r in ll2.counted[:1])
    assert all(r.params["mode"] == "normal" for r in ll2.counted)  # next keeps the filters


def test_short_429_is_slept_through_then_retried(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.fail_next(Fault("429", wait=30))
    with client_for(ll2, ll2_clock, max_wait=60) as client:
        ids = astronaut_pages(client)
        assert client.requests == 2
    assert ll2_clock.slept == [30.0]
    assert len(ids) == len(ll2.astronauts)


def test_429_wait_read_from_the_body_when_no_retry_after(
    ll2: FakeLL2, ll2_clock: FakeClock
) -> None:
    ll2.fail_next(Fault("429", wait=12, header=False))
    with client_for(ll2, ll2_clock) as client:
        astronaut_pages(client)
    assert ll2_clock.slept == [12.0]


def test_long_429_raises_throttled_with_the_retry_instant(
    ll2: FakeLL2, ll2_clock: FakeClock
) -> None:
    ll2.fail_next(Fault("429", wait=1800))
    start = ll2_clock.now
    with client_for(ll2, ll2_clock, max_wait=60) as client, pytest.raises(Throttled) as caught:
        astronaut_pages(client)
    assert caught.value.retry_at == start + timedelta(seconds=1800)
    assert ll2_clock.slept == []
    message = str(caught.value)
    assert "GET /2.3.0/astronauts/?mode=normal&limit=100" in message
    assert "Expected available in 1800 seconds" in message
    assert "retry at 2026-11-20T12:30:00Z" in message


def test_429_again_after_the_retries_raises_throttled(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.fail_next(*[Fault("429", wait=5)] * 3)
    with client_for(ll2, ll2_clock, max_retries=2) as client, pytest.raises(Throttled):
        astronaut_pages(client)
    assert ll2_clock.slept == [5.0, 5.0]


def test_rate_limit_of_the_server_is_reported(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.limit = 1
    ll2.throttle_wait = 3000
    with client_for(ll2, ll2_clock) as client:
        client.get("astronauts/1001/")
        with pytest.raises(Throttled, match="3000 seconds"):
            client.get("astronauts/1001/")


FAILURES = [
    ("500", r"HTTP 500 Internal Server Error: Server Error \(500\)"),
    ("503", r"HTTP 503 Service Unavailable: 503 Service Temporarily Unavailable"),
    ("html", r"HTML page instead of JSON \(text/html\): 'Just a moment...'"),
    ("not-json", r"malformed JSON \(text/plain\) at line 1 column 1"),
    ("malformed", r"malformed JSON \(application/json\) at line 1 column \d+"),
    ("truncated", r"JSON answer cut short"),
    ("short-body", r"connection closed before the whole answer"),
    ("timeout", r"no answer within 1 s"),
    ("reset", r"(connection closed before the whole answer|request failed)"),
    ("401", r"HTTP 401 Unauthorized: Invalid token. \(check the LL2 API key"),
]


@pytest.mark.parametrize(("fault", "expected"), FAILURES, ids=[f for f, _ in FAILURES])
def test_every_failure_is_one_ll2error_naming_the_endpoint(
    ll2: FakeLL2, ll2_clock: FakeClock, fault: str, expected: str
) -> None:
    ll2.fail_next(fault)
    with client_for(ll2, ll2_clock, token=token()) as client, pytest.raises(LL2Error) as caught:
        astronaut_pages(client)
    message = str(caught.value)
    assert message.startswith("LL2 GET /2.3.0/astronauts/?mode=normal&limit=100: ")
    assert "\n" not in message
    assert TOKEN_VALUE not in message
    assert caught.value.__cause__ is None or TOKEN_VALUE not in str(caught.value.__cause__)
    assert re.search(expected, message), message


def test_connection_refused(ll2_clock: FakeClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens
    client = LL2Client(f"http://127.0.0.1:{port}/2.3.0/", timeout=0.5, clock=ll2_clock)
    with client, pytest.raises(LL2Error, match=r"GET /2.3.0/api-throttle/: cannot connect to"):
        client.budget()


def test_the_token_is_sent_as_the_header_and_never_logged(
    ll2: FakeLL2, ll2_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors = []
    with client_for(ll2, ll2_clock, token=token()) as client:
        client.budget()
        astronaut_pages(client)
        for fault in ("429", "500", "401", "malformed", "timeout", "reset"):
            ll2.fail_next(Fault(fault, wait=999) if fault == "429" else Fault(fault))
            try:
                client.get("astronauts/1001/")
            except LL2Error as exc:
                errors.append(exc)
    assert len(errors) == 6
    assert {r.headers.get("authorization") for r in ll2.requests} == {f"Token {TOKEN_VALUE}"}
    assert all(TOKEN_VALUE not in r.path + str(r.query) for r in ll2.requests)
    for exc in errors:
        for text in (str(exc), repr(exc), exc.endpoint, exc.reason, str(exc.problem())):
            assert TOKEN_VALUE not in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "LL2 GET /2.3.0/astronauts/" in logged  # we did log the requests
    assert TOKEN_VALUE not in logged
    assert TOKEN_VALUE not in caplog.text


def test_no_token_no_authorization_header(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    with client_for(ll2, ll2_clock) as client:
        client.get("astronauts/1001/")
    headers = ll2.requests[0].headers
    assert "authorization" not in headers
    assert headers["user-agent"].startswith("spacebot/")


def test_budget_is_read_and_not_counted(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.limit = 15
    with client_for(ll2, ll2_clock) as client:
        client.get("astronauts/1001/")
        budget = client.budget()
        assert client.requests == 1
    assert (budget.limit, budget.used, budget.remaining, budget.period_seconds) == (15, 1, 14, 3600)
    assert len(ll2.counted) == 1


def test_base_url_without_trailing_slash(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    client = LL2Client(ll2.url.rstrip("/"), clock=ll2_clock, timeout=1)
    with client:
        _endpoint, data = client.get("astronauts/1001/")
    assert isinstance(data, dict)
    assert data["name"] == "Anil Menon"
    assert ll2.requests[-1].path == "/2.3.0/astronauts/1001/"


def test_next_link_to_another_host_is_refused(ll2: FakeLL2, ll2_clock: FakeClock) -> None:
    ll2.max_limit = 5
    ll2.next_base = "http://evil.example:8080"
    with (
        client_for(ll2, ll2_clock) as client,
        pytest.raises(LL2Error, match="next page link leaves"),
    ):
        astronaut_pages(client)
    assert len(ll2.requests) == 1


def test_http_next_link_keeps_our_scheme() -> None:
    """LL2 behind its proxy may write http:// links: followed on https, never downgraded."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if "offset" not in str(request.url):
            nxt = "http://ll.example/2.3.0/astronauts/?limit=100&offset=100"
            return httpx.Response(200, json={"count": 2, "next": nxt, "results": [{}]})
        return httpx.Response(200, json={"count": 2, "next": None, "results": [{}]})

    client = LL2Client("https://ll.example/2.3.0/", transport=httpx.MockTransport(answer))
    with client:
        pages = list(client.pages("astronauts/"))
    assert len(pages) == 2
    assert seen[1] == "https://ll.example/2.3.0/astronauts/?limit=100&offset=100"


def mock_client(*pages: object) -> LL2Client:
    answers = iter(pages)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(next(answers)).encode())

    return LL2Client("https://ll.example/2.3.0/", transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        (
            [{"count": 3, "next": None, "previous": None, "results": [{}]}],
            "paging ended after 1 of 3 results",
        ),
        (
            [{"count": 3, "next": "https://ll.example/2.3.0/astronauts/?o=1", "results": []}],
            "empty page that names a next page",
        ),
        (
            [
                {"count": 9, "next": "https://ll.example/2.3.0/astronauts/?o=1", "results": [1]},
                {"count": 9, "next": "https://ll.example/2.3.0/astronauts/?o=1", "results": [1]},
            ],
            r"next page GET /2\.3\.0/astronauts/\?o=1 was already read",
        ),
        ([{"count": "3", "next": None, "results": []}], r"\$.count: expected an integer"),
        ([{"count": 0, "next": None}], r"\$: missing field 'results'"),
        ([[1, 2]], r"\$: expected an object, got \[1, 2\] \(list\)"),
    ],
)
def test_broken_paging_is_an_ll2error(pages: list[object], expected: str) -> None:
    with mock_client(*pages) as client, pytest.raises(LL2Error, match=expected) as caught:
        list(client.pages("astronauts/"))
    assert str(caught.value).startswith("LL2 GET /2.3.0/astronauts/")


def test_too_many_pages_is_refused() -> None:
    page = {"count": 99, "results": [1]}
    pages = [{**page, "next": f"https://ll.example/2.3.0/astronauts/?offset={i}"} for i in range(5)]
    client = mock_client(*pages)
    client.max_pages = 3
    with client, pytest.raises(LL2Error, match="more than 3 pages"):
        list(client.pages("astronauts/"))


def test_redirect_is_not_followed() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://ll.example/2.3.0/astronauts"})

    client = LL2Client("https://ll.example/2.3.0/", transport=httpx.MockTransport(answer))
    with client, pytest.raises(LL2Error, match="HTTP 301 Moved Permanently: redirected to"):
        client.get("astronauts")


def test_retry_after_as_an_http_date(ll2_clock: FakeClock) -> None:
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "Fri, 20 Nov 2026 12:00:40 GMT"})
        return httpx.Response(200, json={"ok": True})

    client = LL2Client(
        "https://ll.example/2.3.0/",
        transport=httpx.MockTransport(answer),
        sleep=ll2_clock.sleep,
        clock=ll2_clock,
    )
    with client:
        assert client.get("astronauts/1/")[1] == {"ok": True}
    assert ll2_clock.slept == [40.0]


def test_429_saying_nothing_assumes_an_hour(ll2_clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, text="Too Many Requests")

    client = LL2Client(
        "https://ll.example/2.3.0/", transport=httpx.MockTransport(answer), clock=ll2_clock
    )
    with client, pytest.raises(Throttled, match="assuming 3600 s") as caught:
        client.get("astronauts/1/")
    assert caught.value.retry_at == ll2_clock.now + timedelta(hours=1)


def test_a_malformed_next_link_is_an_ll2error() -> None:
    # Regression: urljoin's ValueError ("Invalid IPv6 URL") escaped as a traceback.
    page = {"count": 2, "next": "http://[ll.example/2.3.0/astronauts/?offset=1", "results": [1]}
    with mock_client(page) as client, pytest.raises(LL2Error, match="next page link") as caught:
        list(client.pages("astronauts/"))
    assert str(caught.value).startswith("LL2 GET /2.3.0/astronauts/")


@pytest.mark.parametrize(
    ("header", "body"),
    [
        ("inf", b'{"detail": "Request was throttled."}'),
        ("1e400", b'{"detail": "Request was throttled."}'),
        ("", b'{"detail": "Request was throttled. Expected available in 99999999999999 seconds."}'),
    ],
    ids=["inf", "overflowing", "huge-in-body"],
)
def test_an_absurd_wait_is_throttled_for_a_day_not_a_crash(
    ll2_clock: FakeClock, header: str, body: bytes
) -> None:
    # Regression: "Retry-After: inf" or a wait of 10**14 s raised OverflowError.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": header} if header else {}, content=body)

    client = LL2Client(
        "https://ll.example/2.3.0/",
        transport=httpx.MockTransport(answer),
        sleep=ll2_clock.sleep,
        clock=ll2_clock,
    )
    with client, pytest.raises(Throttled) as caught:
        client.get("astronauts/1/")
    assert caught.value.retry_at == ll2_clock.now + timedelta(days=1)
    assert ll2_clock.slept == []


def test_retry_after_nan_says_nothing(ll2_clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "nan"}, text="Too Many Requests")

    client = LL2Client(
        "https://ll.example/2.3.0/", transport=httpx.MockTransport(answer), clock=ll2_clock
    )
    with client, pytest.raises(Throttled, match="assuming 3600 s"):
        client.get("astronauts/1/")
