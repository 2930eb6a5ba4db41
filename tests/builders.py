"""Small hand-made datasets for engine tests (times in days from an arbitrary origin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.model import Dataset, Flight, Person

ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
DAY = 86_400


def at(days: float) -> datetime:
    return ORIGIN + timedelta(seconds=round(days * DAY))


def flight(launch: float, landing: float | None, mission: str = "", **kw: object) -> Flight:
    return Flight(
        mission=mission or f"M{launch:g}",
        launch=at(launch),
        landing=at(landing) if landing is not None else None,
        **kw,  # type: ignore[arg-type]
    )


def person(pid: str, *flights: Flight, country: str = "US", gender: str = "male") -> Person:
    return Person(
        id=pid,
        name=pid.replace("-", " ").title(),
        country=country,
        gender=gender,  # type: ignore[arg-type]
        flights=tuple(flights),
    )


def dataset(*people: Person, as_of: float = 10_000) -> Dataset:
    return Dataset(as_of=at(as_of), people=tuple(people))
