"""Charts for record and mission-end posts, with their alt text.

Importing this package does not import matplotlib: only :func:`draw` does, when a
chart is actually drawn.

API::

    from bot.images import alt_text, mission_chart, record_chart
    from bot.images.draw import draw

    # A record: the top of its widest scope at the crossing instant.
    rows = standings(dataset, rules, m.kind.measure, m.scopes[0], m.at)
    chart = record_chart(m, rows, timezone="Europe/Paris", top=10,
                         scope_labels=None, scope_people=None, live=False)

    # A mission end (or a round number of days): the person's flights and totals.
    chart = mission_chart(m, dataset.person(m.person), timezone="UTC", live=False,
                          scope_labels=None, scope_people=None, rank_limit=10,
                          include_suborbital=False)

    png: bytes = draw(chart)                 # 1200 x 675 PNG, same bytes for same chart
    text: str = alt_text(chart, limit=1000)  # at most ``limit`` characters

* :func:`record_chart` ``(milestone | [crewmates' milestones], standings, *, timezone,
  top, scope_labels, scope_people, live) -> RecordChart``
* :func:`mission_chart` ``(milestone, person, *, timezone, live, scope_labels,
  scope_people, rank_limit, include_suborbital) -> MissionChart``
* :func:`alt_text` ``(chart, limit) -> str``: title, every bar, what changed, credit;
  shortened by the rule in its docstring when over ``limit``.
* :func:`bot.images.draw.draw` ``(chart) -> bytes``: the PNG.  (Not re-exported here, so
  that ``bot.images.draw`` always names the module.)
* :func:`bot.images.pictures.pictures` ``(members, dataset, rules, platform, settings)
  -> (Picture(chart, alt), ...)``: the chart(s) of one post from the data (a record: its
  widest scope's standings at the crossing; a mission end or round number: each
  person's flights, at most four) with the alt text ``platform`` takes
  (:func:`~bot.images.pictures.post_charts`, :func:`~bot.images.pictures.alt_for`).
* :mod:`bot.images.png`: an image's name (``<sha256>.png``) and pixel size.
* The alt-text and image limits of each platform are rows of the platform table
  (:mod:`bot.core.platforms`, :func:`~bot.core.platforms.alt_text_limit`).

The charts are frozen dataclasses of plain strings and numbers
(:class:`RecordChart`, :class:`MissionChart`, :class:`Bar`, :class:`Stat`): every word
is written when the chart is built (:mod:`bot.core.wording` for durations, names,
scopes and dates; :mod:`bot.images.words` for the chart's own phrases), so drawing and
alt text read the same values.
"""

from __future__ import annotations

from bot.images.charts import (
    Bar,
    Chart,
    MissionChart,
    RecordChart,
    Stat,
    alt_text,
    mission_chart,
    record_chart,
)

__all__ = [
    "Bar",
    "Chart",
    "MissionChart",
    "RecordChart",
    "Stat",
    "alt_text",
    "mission_chart",
    "record_chart",
]
