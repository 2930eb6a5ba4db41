"""Settling a post whose answer was lost by reading the account's latest posts.

Mastodon keeps an ``Idempotency-Key`` for an hour, X refuses a duplicate text for a
while: past that, the client reads the account's latest posts and compares the text
each one shows (Mastodon: HTML, as its ``TextFormatter`` writes it; X: links as t.co,
``& < >`` escaped) with the text sent.  (Bluesky's look-up: tests/test_clients_errors.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeServer
from fakes.clients import client_for
from fakes.server import mastodon_html, x_text
from hypothesis import given
from hypothesis import strategies as st

from bot.posting.clients import AuthFailed, Transient
from bot.posting.clients.mastodon import same_text, shown_text

# What Mastodon's formatter writes (spec/lib/text_formatter_spec.rb and the HTML of
# app/lib/text_formatter.rb), and the text each one shows.
FORMATTED = [
    ("<p>text</p>", "text"),
    ("<p>line<br />feed</p>", "line\nfeed"),
    ("<p>one</p><p>two</p>", "one\n\ntwo"),
    (
        "<p>&lt;script&gt;alert(&quot;Hello&quot;)&lt;/script&gt;</p>",
        '<script>alert("Hello")</script>',
    ),
    (
        "<p>&lt;img src=&quot;javascript:alert(&#39;XSS&#39;);&quot;&gt;</p>",
        "<img src=\"javascript:alert('XSS');\">",
    ),
    ("<p>http://www\\.google\\.com</p>", "http://www\\.google\\.com"),
    (
        '<p><span class="h-card"><a href="http://cb6e6126.ngrok.io/@alice" '
        'class="u-url mention">@<span>alice</span></a></span></p>',
        "@alice",
    ),
    (
        '<p><a href="https://cb6e6126.ngrok.io/tags/hashtag" class="mention hashtag" '
        'rel="tag">#<span>hashtag</span></a></p>',
        "#hashtag",
    ),
    (
        '<p><a href="https://nic.みんな/" target="_blank" rel="nofollow noopener noreferrer">'
        '<span class="invisible">https://</span><span class="">nic.みんな/</span>'
        '<span class="invisible"></span></a></p>',
        "https://nic.みんな/",
    ),
    (
        '<p><a href="https://www.nasa.gov/missions/station/iss-research/a-long-path" '
        'target="_blank" rel="nofollow noopener noreferrer"><span class="invisible">'
        'https://www.</span><span class="ellipsis">nasa.gov/missions/station/iss-r'
        '</span><span class="invisible">esearch/a-long-path</span></a></p>',
        "https://www.nasa.gov/missions/station/iss-research/a-long-path",
    ),
]


@pytest.mark.parametrize(("html", "shown"), FORMATTED)
def test_the_text_a_status_shows(html: str, shown: str) -> None:
    assert shown_text(html) == shown


def test_same_text_is_the_same_words_whatever_the_white_space_and_mention_domains() -> None:
    sent = "Today Scott Kelly passed 382 days.\n\nCongratulations @nasa@mastodon.social!"
    assert same_text("Today Scott Kelly passed 382 days. Congratulations @nasa!", sent)
    assert same_text(
        "Today Scott Kelly passed 382 days.\nCongratulations @nasa@mastodon.social!", sent
    )
    assert not same_text("Today Scott Kelly passed 383 days. Congratulations @nasa!", sent)
    assert not same_text("Today Scott Kelly passed 382 days.", sent)  # words missing
    assert not same_text("Congratulations @nasa! Today Scott Kelly passed 382 days.", sent)
    assert not same_text("", "   ")  # nothing sent matches nothing


PIECES = [*"ab Zé日\n\r&<>\"'#@./:_-", "https://", "www.", "@x@y.z", "nasa.gov/"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join).filter(str.strip)


@given(TEXTS)
def test_every_text_is_recognised_in_mastodons_html(text: str) -> None:
    assert same_text(shown_text(mastodon_html(text, "https://fake.example")), text)


def test_find_recent_finds_the_status_a_text_became(tmp_path: Path, server: FakeServer) -> None:
    client = client_for("mastodon", server, tmp_path)
    first = (
        "Today Oleg Kononenko passed Gennady Padalka's 878 days 11 hours: the most "
        "time in space, in total.\n\nhttps://www.nasa.gov/missions/station/a-very-long-path "
        "#space @esa@esa.social it's <1,000 days & counting"
    )
    root = client.post(first, reply_to=None, idempotency_key="a/0")
    reply = client.post("Part two.", reply_to=root, idempotency_key="a/1")
    client.post("Another post.", reply_to=None, idempotency_key="b/0")
    server.forget_idempotency_keys()
    assert client.find_recent(first, idempotency_key="a/0") == root
    assert client.find_recent("Part two.", idempotency_key="a/1") == reply  # replies too
    assert client.find_recent("Part three.", idempotency_key="a/2") is None
    assert client.find_recent(first.replace("878", "879"), idempotency_key="c/0") is None
    looked = [path for method, path, _ in server.requests if method == "GET"]
    assert looked.count("/api/v1/accounts/verify_credentials") == 1  # the account, once
    assert looked[-1] == "/api/v1/accounts/42/statuses?exclude_reblogs=1&limit=40"
    assert server.texts() == [first, "Part two.", "Another post."]  # looking posts nothing


def test_find_recent_failing_is_an_error_never_not_found(
    tmp_path: Path, server: FakeServer
) -> None:
    client = client_for("mastodon", server, tmp_path)
    client.post("hello", reply_to=None, idempotency_key="a/0")
    server.read_faults = lambda platform, path: "500" if "statuses" in path else None
    with pytest.raises(Transient):
        client.find_recent("hello", idempotency_key="a/0")


@pytest.mark.parametrize("path", ["whoami", "/api/v1/accounts/statuses"])
def test_a_token_that_may_not_read_cannot_tell_and_says_which_scopes(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    # A token made with the write scopes only: Mastodon answers 403 "outside the
    # authorized scopes".  The look-up cannot tell (the poster resends under the
    # idempotency key, as before), and never blocks a target whose token can post.
    client = client_for("mastodon", server, tmp_path)
    client.post("hello", reply_to=None, idempotency_key="a/0")
    server.read_faults = lambda platform, p: "403" if p == path else None
    assert client.find_recent("hello", idempotency_key="a/0") is None
    assert "add the read:accounts and read:statuses scopes" in caplog.text


def test_a_refused_token_is_refused_for_the_look_up_too(tmp_path: Path, server: FakeServer) -> None:
    client = client_for("mastodon", server, tmp_path)
    client.post("hello", reply_to=None, idempotency_key="a/0")
    server.read_faults = lambda platform, p: "401" if "statuses" in p else None
    with pytest.raises(AuthFailed):
        client.find_recent("hello", idempotency_key="a/0")


# -- X -------------------------------------------------------------------------------------


def test_x_find_recent_finds_the_tweet_a_text_became(tmp_path: Path, server: FakeServer) -> None:
    client = client_for("x", server, tmp_path)
    first = "Kononenko: 1,000 days in space & counting <3 https://www.nasa.gov/a/long/path #ISS"
    root = client.post(first, reply_to=None, idempotency_key="a/0")
    reply = client.post("Part two.", reply_to=root, idempotency_key="a/1")
    assert x_text(first) != first  # X gives it back otherwise: t.co, &amp; &lt;
    server.forget_duplicates()
    assert client.find_recent(first, idempotency_key="a/0") == root
    assert client.find_recent("Part two.", idempotency_key="a/1") == reply
    assert client.find_recent("Part three.", idempotency_key="a/2") is None
    other_link = first.replace("long/path", "other/path")  # a link is a link: same words
    assert client.find_recent(first.replace("1,000", "1,001"), idempotency_key="b") is None
    assert client.find_recent(other_link, idempotency_key="c") == root
    looked = [path for method, path, _ in server.requests if method == "GET"]
    assert looked.count("/2/users/me") == 1
    assert looked[-1].startswith("/2/users/42/tweets?max_results=20")
    assert server.texts() == [first, "Part two."]


def test_x_an_access_level_that_may_not_read_cannot_tell(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for("x", server, tmp_path)
    client.post("hello", reply_to=None, idempotency_key="a/0")
    server.read_faults = lambda platform, p: "403" if p == "/2/users/tweets" else None
    assert client.find_recent("hello", idempotency_key="a/0") is None
    assert "only X's duplicate check keeps it from going out twice" in caplog.text
    server.read_faults = lambda platform, p: "401" if p == "/2/users/tweets" else None
    with pytest.raises(AuthFailed):
        client.find_recent("hello", idempotency_key="a/0")
