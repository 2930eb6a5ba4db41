"""The requests of one sync with LL2, returning an :class:`~.parse.LL2Snapshot`.

What a sync must learn since the previous one (``since``): who is in space now, with
their launches and landings; who landed since, with the landing instants; crewed
launches since and due soon, with their crews (new flights, new people).

The request plan (LL2 2.3.0 filters, checked in its OpenAPI document)
-----------------------------------------------------------------------

0. ``GET api-throttle/``: the budget.  FREE (LL2 does not count it).  A sync that
   could not finish (fewer than :data:`MIN_REQUESTS` left) stops here with
   :class:`Throttled` rather than half-spend the hour.  When step 3 has ids to fetch,
   the budget is asked again before it: it must cover them and step 4.
1. ``GET astronauts/?in_space=true&is_human=true&mode=detailed&limit=100``: everyone in
   space now, with ``flights`` (launches) and ``landings``.  ~10-15 people: 1 page.
2. ``GET astronauts/?in_space=false&is_human=true&last_flight__gte=<since-lookback>
   &mode=detailed&limit=100``: everyone back on Earth whose last launch was within
   ``lookback`` (450 days, longer than any flight so far: Polyakov's 437) of ``since``.
   Whoever landed since the last sync is among them, with the landing's
   ``mission_end``, as is whoever launched AND landed between two syncs (suborbital
   hops, short private missions).  ``last_flight`` is the last LAUNCH instant.
   Orbital (~35 a year) and suborbital (~40 a year) flyers of 15 months: 1 page, 2 in a
   busy year.
3. ``GET astronauts/<id>/?mode=detailed``, only for ids the caller expected in space
   (``expected_in_space``: the people the history and the overlay together have in
   space) that neither 1 nor 2 returned (a flight longer than ``lookback``, or an id LL2
   renumbered).  Normally none.
4. ``GET launches/?is_crewed=true&net__gte=<since-2 days>&net__lte=<now+horizon>
   &mode=detailed&ordering=net&limit=100``: crewed launches since the last sync and
   due within ``horizon`` (30 days), with every spacecraft flight's launch, onboard and
   landing crews (a new person shows here first, as crew of an upcoming launch).
   ~1-3 launches: 1 page.

Not used, and why: ``spacecraft_flights/`` has no date filter (no ``mission_end__gte``:
only ``spacecraft``, ``search``, ``ordering``); ``landings/`` has no instant at all;
``expeditions/`` would add station crews, but not suborbital or free flyers and not
the landing instants; ``last_updated__gte`` exists only on launches and events, and
a landing edits the spacecraft flight, not necessarily the launch.

Count: a normal day makes 3 rate-limited requests (steps 1, 2, 4) plus the free
budget check; 4 when over 100 people flew within ``lookback`` (step 2's second page).
Run hourly that is 3-4 of the 15 allowed an hour.  Worst case: one request per page
(each query stops with :class:`LL2Error` beyond ``client.max_pages``, 10 by default)
plus one per missing expected id, plus retries after short 429 waits (``max_retries``,
2).  After a long outage (``since`` months ago) step 2 and 4 may take a page or two more.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime, timedelta

from bot.sources.ll2.client import MAX_WAIT, LL2Client, Param, endpoint_of
from bot.sources.ll2.errors import LL2Error, Throttled
from bot.sources.ll2.parse import (
    LL2Astronaut,
    LL2Launch,
    LL2Snapshot,
    parse_astronaut,
    parse_astronauts,
    parse_launches,
)

log = logging.getLogger("bot.sources.ll2")

LOOKBACK = timedelta(days=450)  # longer than any flight so far (Polyakov: 437 days)
LAUNCH_MARGIN = timedelta(days=2)  # a launch whose net moved back a little stays in view
HORIZON = timedelta(days=30)  # launches due this soon are fetched (crews, new people)
MIN_REQUESTS = 3  # steps 1, 2 and 4 of the plan
NORMAL_REQUESTS = 3  # what a normal day costs (see the module docstring)


def fetch_snapshot(
    client: LL2Client,
    *,
    since: datetime,
    lookback: timedelta = LOOKBACK,
    horizon: timedelta = HORIZON,
    expected_in_space: Collection[int] = (),
    check_budget: bool = True,
) -> LL2Snapshot:
    """One sync: the LL2 state of everyone in space or landed since ``since``.

    ``expected_in_space``: LL2 ids the caller believes in space (from its previous
    sync); any not found by the list queries is fetched alone (step 3).
    Raises :class:`Throttled` when the budget cannot cover a sync (nothing spent then)
    or LL2 keeps refusing, :class:`LL2Error` for anything else.
    """
    if since.tzinfo is None:
        raise ValueError("since must be an aware datetime")
    now = client.now()
    first_request, first_endpoint = client.requests, len(client.endpoints)
    if check_budget:
        _check_budget(client, now)
    skipped: list[str] = []
    people: dict[int, LL2Astronaut] = {}

    in_space: list[LL2Astronaut] = []
    for endpoint, a in _astronauts(
        client, {"in_space": True, "is_human": True, "mode": "detailed"}
    ):
        if not a.in_space:
            raise LL2Error(endpoint, f"filter in_space=true not applied: {_who(a)} is not in space")
        in_space.append(a)
    _keep(people, in_space, skipped)
    in_space_ids = frozenset(a.id for a in in_space if a.is_human)

    window = since - lookback
    recent: list[LL2Astronaut] = []
    for endpoint, a in _astronauts(
        client,
        {"in_space": False, "is_human": True, "last_flight__gte": window, "mode": "detailed"},
    ):
        if a.last_flight is None or a.last_flight < window:
            last = "never" if a.last_flight is None else f"{a.last_flight:%Y-%m-%d}"
            raise LL2Error(
                endpoint, f"filter last_flight__gte not applied: {_who(a)} last flew {last}"
            )
        recent.append(a)
    _keep(people, recent, skipped)

    missing = sorted(set(expected_in_space) - people.keys())
    if missing and check_budget:
        _check_budget(client, now, len(missing) + 1, "the rest of the sync")  # step 4 too
    for ll2_id in missing:
        try:
            endpoint, data = client.get(f"astronauts/{ll2_id}/", {"mode": "detailed"})
        except LL2Error as exc:
            if exc.status != 404:
                raise
            skipped.append(f"astronaut {ll2_id} (expected in space): not found in LL2 (HTTP 404)")
            continue
        _keep(people, [_detailed(endpoint, parse_astronaut(data, endpoint))], skipped)

    launches: dict[str, LL2Launch] = {}
    start, end = since - LAUNCH_MARGIN, now + horizon
    for page in client.pages(
        "launches/",
        {
            "is_crewed": True,
            "net__gte": start,
            "net__lte": end,
            "mode": "detailed",
            "ordering": "net",
        },
    ):
        for launch in parse_launches(page):
            if not start <= launch.net <= end:
                raise LL2Error(
                    page.endpoint,
                    f"filter not applied: launch {launch.name!r} at {launch.net:%Y-%m-%d} "
                    "is outside the window asked",
                )
            launches.setdefault(launch.id, launch)

    snapshot = LL2Snapshot(
        fetched_at=now,
        since=since,
        source=client.base_url,
        astronauts=tuple(people[i] for i in sorted(people)),
        in_space_ids=in_space_ids,
        launches=tuple(sorted(launches.values(), key=lambda x: (x.net, x.id))),
        skipped=tuple(skipped),
        requests=client.requests - first_request,
        endpoints=tuple(client.endpoints[first_endpoint:]),
    )
    log.info(
        "LL2 sync: %d in space, %d people in all, %d crewed launches, %d requests",
        len(in_space_ids),
        len(snapshot.astronauts),
        len(snapshot.launches),
        snapshot.requests,
    )
    return snapshot


def _check_budget(
    client: LL2Client, now: datetime, needed: int = MIN_REQUESTS, what: str = "a sync"
) -> None:
    """Throttled unless the budget (asked again: it is free) covers ``needed`` requests."""
    budget = client.budget()
    if budget.remaining >= needed:
        return
    wait = min(max(budget.next_use_seconds, 1), MAX_WAIT)  # a wait of 10**12 s: a day
    raise Throttled(
        endpoint_of(client.url("api-throttle/")),
        f"{budget.remaining} of {budget.limit} requests left, {what} needs {needed}",
        now + timedelta(seconds=wait),
    )


def _astronauts(client: LL2Client, params: dict[str, Param]) -> Iterator[tuple[str, LL2Astronaut]]:
    for page in client.pages("astronauts/", params):
        for a in parse_astronauts(page):
            yield page.endpoint, _detailed(page.endpoint, a)


def _who(a: LL2Astronaut) -> str:
    return f"astronaut {a.id} ({a.name!r})"


def _keep(
    people: dict[int, LL2Astronaut], found: Iterable[LL2Astronaut], skipped: list[str]
) -> None:
    for a in found:
        if not a.is_human:
            skipped.append(f"{_who(a)}: type {a.type}, not a person")
            continue
        people.setdefault(a.id, a)


def _detailed(endpoint: str, a: LL2Astronaut) -> LL2Astronaut:
    """``a``, when it carries its flights and landings (``mode=detailed``); else the
    answer is unusable: without them every flight of the person would look removed."""
    if not a.detailed:
        raise LL2Error(
            endpoint, f"mode=detailed not applied: {_who(a)} comes without flights and landings"
        )
    return a
