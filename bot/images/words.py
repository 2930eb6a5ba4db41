"""Every word a chart or its alt text says that :mod:`bot.core.wording` does not.

English for now.  Durations, names, scopes, dates and ranks come from
:mod:`bot.core.wording` (the posts' house style); this module only holds the chart's
own phrases, as ``str.format`` strings, so that a translation replaces this one file.
"""

from __future__ import annotations

from typing import Final

# Data credit (footer and alt text).
CREDIT: Final = "Human spaceflight data: Jonathan C. McDowell, planet4589.org"
CREDIT_LIVE: Final = "Launch Library 2"
CREDIT_JOIN: Final = " · "
ALT_CREDIT: Final = "{credit}."

# Record charts.
TITLE_CUMULATIVE: Final = "Most time in space"
TITLE_CONSECUTIVE: Final = "Longest single spaceflight"
TITLE_BY: Final = "{title} {by_whom}"  # "Most time in space by an American"
RECORD_SUBTITLE: Final = "{names} passed {previous_possessive} {previous_value}"
RECORD_ALSO: Final = "Also {scopes}."
LEGEND_HOLDER: Final = "new record"
LEGEND_PREVIOUS: Final = "previous record"
ROLE_HOLDER: Final = "new record holder"
ROLE_PREVIOUS: Final = "previous record holder"
IN_SPACE: Final = "in space"  # after a value: "381 days · in space"
GAP: Final = "…"

# Mission and round-number charts.
MISSION_TITLE: Final = "{name} is back on Earth"
MISSION_SUBTITLE: Final = "{value} in space aboard {mission}"
ROUND_CONSECUTIVE_TITLE: Final = "{name}: {value} on one flight"
ROUND_CUMULATIVE_TITLE: Final = "{name}: {value} in space in total"
ROUND_SUBTITLE: Final = "Aboard {mission} since {launch_date}"
STAT_TOTAL: Final = "in space in total"
STAT_FLIGHT: Final = "this flight"
STAT_SO_FAR: Final = "this flight so far"
THIS_FLIGHT: Final = "this flight"
EARLIER_FLIGHTS: Final = "{count} earlier flights"
YEARS: Final = "{first}–{last}"
LANDED: Final = "Landed {date}, {time}"

# Footer and alt text.
AT: Final = "{date}, {time}"
ALT_RECORD_HEAD: Final = "Bar chart, longest first: {title}, at {instant}."
ALT_MISSION_HEAD: Final = "Bar chart of {possessive} spaceflights, oldest first:"
ALT_BAR: Final = "{label}, {value}"
ALT_BAR_NOTES: Final = "{label}, {value} ({notes})"
ALT_FLIGHT: Final = "{label} ({years}), {value}"
ALT_STAT: Final = "{label}: {value}"
ALT_STAT_RANKS: Final = "{label}: {value}, {ranks}"
ALT_BARS_JOIN: Final = "; "
ALT_BARS_END: Final = "."
ALT_MORE_ONE: Final = "1 more bar not described"
ALT_MORE: Final = "{count} more bars not described"
ELLIPSIS: Final = "…"
