"""Sample milestones that templates are checked against at load time.

``typical`` is an ordinary post (a text that cannot fit even this is never used);
``longest`` is the realistic worst case (the last-resort fallbacks must fit it): a
crew of three with long names, several scopes, every standing notable, the longest
month name and a long mission name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.milestone import Holder, Kind, Milestone, Rank

DAY, HOUR = 86_400, 3_600

_LONG_NAMES = (
    ("sultan", "Sultan bin Salman bin Abdulaziz Al Saud", "SA", "male"),
    ("lopez-alegria", "Michael López-Alegría", "US", "male"),
    ("skvortsov", "Aleksandr Aleksandrovich Skvortsov", "RU", "male"),
)
_LONG_MISSION = "Soyuz TMA-16M / Soyuz TMA-18M (ISS Expedition 43-46)"
_LONG_AT = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
_LONG_LAUNCH = datetime(2025, 9, 30, 23, 59, 59, tzinfo=UTC)
_LONG_VALUE = 1_234 * DAY + 23 * HOUR
_LONG_SCOPES = ("world", "US", "women", "esa")
_LONG_RANKS = tuple(
    Rank(scope, measure, 10, 700)
    for measure in ("consecutive", "cumulative")
    for scope in ("world", "US", "women", "esa")
)


def _long(kind: Kind, pid: str, name: str, country: str, gender: str) -> Milestone:
    record = kind.is_record
    return Milestone(
        kind=kind,
        at=_LONG_AT,
        person=pid,
        name=name,
        country=country,
        gender=gender,
        mission=_LONG_MISSION,
        flight_launch=_LONG_LAUNCH,
        value_seconds=_LONG_VALUE,
        total_seconds=_LONG_VALUE + 1_000 * DAY,
        scopes=_LONG_SCOPES if record else (),
        previous=Holder("previous", "Jügderdemidiin Gürragchaa Bertalan", _LONG_VALUE)
        if record
        else None,
        threshold_days=1_100
        if kind in (Kind.MILESTONE_CONSECUTIVE, Kind.MILESTONE_CUMULATIVE)
        else None,
        ranks=_LONG_RANKS if kind is Kind.MISSION_END else (),
    )


def longest(kind: Kind) -> tuple[Milestone, ...]:
    """A crew of three long names crossing the same ``kind`` milestone together."""
    return tuple(_long(kind, *person) for person in _LONG_NAMES)


def typical(kind: Kind) -> tuple[Milestone, ...]:
    """One person, ordinary values."""
    at = datetime(2015, 10, 29, 4, 5, tzinfo=UTC)
    launch = datetime(2015, 3, 27, 19, 42, tzinfo=UTC)
    record = kind.is_record
    return (
        Milestone(
            kind=kind,
            at=at,
            person="scott-kelly",
            name="Scott Kelly",
            country="US",
            gender="male",
            mission="Soyuz TMA-16M / TMA-18M",
            flight_launch=launch,
            value_seconds=215 * DAY + 8 * HOUR,
            total_seconds=395 * DAY,
            scopes=("US",) if record else (),
            previous=Holder("michael-lopez-alegria", "Michael López-Alegría", 215 * DAY + 8 * HOUR)
            if record
            else None,
            threshold_days=300
            if kind in (Kind.MILESTONE_CONSECUTIVE, Kind.MILESTONE_CUMULATIVE)
            else None,
            ranks=(Rank("world", "cumulative", 2, 560), Rank("US", "cumulative", 1, 340))
            if kind is Kind.MISSION_END
            else (),
        ),
    )
