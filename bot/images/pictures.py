"""The pictures of one post, built from the data: which chart(s), and the alt text each
platform takes.  Pure: the core's standings and people in, chart values out; drawing
stays in :func:`bot.images.draw.draw`.

A post announces one milestone, or crewmates' identical ones (as
:func:`bot.core.render.group` gathers them):

* a record gets one chart, the top of its widest scope at the crossing instant
  (:func:`bot.core.engine.standings`), every crewmate who shares it highlighted;
* a mission end, or a round number of days, gets one chart per person (their flights,
  :func:`~bot.images.charts.mission_chart`), at most :data:`MAX_PER_POST`.

The credit names Launch Library 2 as well as McDowell's lists when live data went into
the chart: a flight from the live overlay (``Flight.live``) launched by the chart's
instant, of anyone in the record's standings, or of the person of a mission chart.

Which kinds get pictures at all is the operator's choice (``announcements.images``,
:class:`bot.files.targets.ImageSettings`), made by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core import platforms
from bot.core import wording as w
from bot.core.engine import standings
from bot.core.fields import RenderSettings
from bot.core.milestone import Milestone
from bot.core.model import Dataset, Person
from bot.core.rules import Rules
from bot.images.charts import Chart, alt_text, mission_chart, record_chart

# Images one post may carry: X 4 photos, Mastodon 4 attachments (MAX_MEDIA_ATTACHMENTS),
# Bluesky 4 (app.bsky.embed.images maxLength).
MAX_PER_POST = 4
TOP = 10  # people shown in a record chart


@dataclass(frozen=True)
class Picture:
    """One chart of a post, with the alt text one platform takes."""

    chart: Chart
    alt: str


def post_charts(
    members: Sequence[Milestone],
    dataset: Dataset,
    rules: Rules,
    settings: RenderSettings | None = None,
    *,
    top: int = TOP,
    live: bool | None = None,
) -> tuple[Chart, ...]:
    """The chart(s) of the post announcing ``members`` (see the module's docstring),
    worded in ``settings``' time zone and scope labels.  ``live`` says whether Launch
    Library 2 joins the credit (``None``: as the data says).  A person missing from
    ``dataset`` gets no chart."""
    if not members:
        return ()
    settings = settings or RenderSettings()
    first = members[0]
    people = {p.id: p for p in dataset.people}
    if first.kind.is_record:
        scope = first.scopes[0] if first.scopes else w.WORLD
        rows = standings(dataset, rules, first.kind.measure, scope, first.at)
        if live is None:
            ids = [r.person for r in rows] + [m.person for m in members]
            live = _live(people, ids, first.at)
        chart: Chart = record_chart(
            members,
            rows,
            timezone=settings.timezone,
            top=top,
            scope_labels=settings.scope_labels,
            scope_people=settings.scope_people,
            live=live,
        )
        return (chart,)
    charts: list[Chart] = []
    for m in members:
        person = people.get(m.person)
        if person is None:
            continue
        charts.append(
            mission_chart(
                m,
                person,
                timezone=settings.timezone,
                live=_live(people, [m.person], m.at) if live is None else live,
                scope_labels=settings.scope_labels,
                scope_people=settings.scope_people,
                rank_limit=settings.rank_limit,
                include_suborbital=rules.include_suborbital,
            )
        )
    return tuple(charts[:MAX_PER_POST])


def _live(people: dict[str, Person], ids: Iterable[str], at: datetime) -> bool:
    """Whether any of these people has a flight from live data launched by ``at``."""
    for pid in ids:
        person = people.get(pid)
        if person is not None and any(f.live and f.launch <= at for f in person.flights):
            return True
    return False


def alt_for(chart: Chart, platform: str) -> str:
    """``chart``'s alt text within ``platform``'s limit (a rehearsal: the strictest)."""
    return alt_text(chart, platforms.alt_text_limit(platform))


def pictures(
    members: Sequence[Milestone],
    dataset: Dataset,
    rules: Rules,
    platform: str,
    settings: RenderSettings | None = None,
    *,
    top: int = TOP,
    live: bool | None = None,
) -> tuple[Picture, ...]:
    """The post's charts, each with the alt text ``platform`` takes."""
    charts = post_charts(members, dataset, rules, settings, top=top, live=live)
    return tuple(Picture(chart, alt_for(chart, platform)) for chart in charts)
