"""Writing mission data as YAML: the inverse of :mod:`bot.files.data`.

:func:`dump_dataset` turns any :class:`~bot.core.model.Dataset` into the YAML text of a
data file (``docs/data-format.md``) that the loader reads back as an equal dataset: same
people, flights and values, in the same order.  It writes only what differs from a
field's default, in the order the format documents, instants as ``2015-03-27T19:42:57Z``,
without aliases, so the same dataset always gives the same bytes.  The McDowell importer
writes the bundled history with it, ``spacebot sync`` the live overlay.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import yaml

from bot.core.model import Dataset, Flight, Person, Provenance, iso

__all__ = ["dump_dataset", "flight_dict", "person_dict"]


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes instants as plain ``2015-03-27T19:42:57Z``, without aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", iso(value))


_Dumper.add_representer(datetime, _represent_datetime)


def dump_dataset(
    dataset: Dataset,
    *,
    header: str = "",
    top: Mapping[str, Any] | None = None,
    width: int = 100,
) -> str:
    """The YAML text of ``dataset``: ``header`` (each line written as a ``#`` comment), then
    ``as_of``, the ``top`` entries the loader accepts and ignores (``source``,
    ``corrections``), then ``people``."""
    data: dict[str, Any] = {"as_of": dataset.as_of}
    for key, value in (top or {}).items():
        if key in ("as_of", "people"):
            raise ValueError(f"top cannot replace {key!r}")
        data[key] = value
    data["people"] = [person_dict(p) for p in dataset.people]
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=width,
        default_flow_style=False,
    )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body


def person_dict(p: Person) -> dict[str, Any]:
    """One person as the data format writes it (fields at their default are left out)."""
    out: dict[str, Any] = {"id": p.id, "name": p.name}
    if p.common_name:
        out["common_name"] = p.common_name
    if p.short_name:
        out["short_name"] = p.short_name
    out["country"] = p.country
    if p.countries != (p.country,):
        out["countries"] = list(p.countries)
    out["gender"] = p.gender
    if p.source_id:
        out["source_id"] = p.source_id
    if p.ll2_id is not None:
        out["ll2_id"] = p.ll2_id
    if p.tags:
        out["tags"] = list(p.tags)
    out["flights"] = [flight_dict(f) for f in p.flights]
    return out


def flight_dict(f: Flight) -> dict[str, Any]:
    """One flight as the data format writes it (fields at their default are left out)."""
    out: dict[str, Any] = {"mission": f.mission, "launch": f.launch}
    if f.landing is not None:
        out["landing"] = f.landing
    if f.planned_landing is not None:
        out["planned_landing"] = f.planned_landing
    if f.suborbital:
        out["suborbital"] = True
    if f.aborted:
        out["aborted"] = True
    if f.crew_lost:
        out["crew_lost"] = True
    if f.flag:
        out["flag"] = f.flag
    if f.launch_vehicle:
        out["launch_vehicle"] = f.launch_vehicle
    if f.landing_vehicle and f.landing_vehicle != f.launch_vehicle:
        out["landing_vehicle"] = f.landing_vehicle
    if f.landing_vehicle_launch is not None:
        out["landing_vehicle_launch"] = f.landing_vehicle_launch
    if f.note:
        out["note"] = f.note
    if f.provenance is not None:
        out["provenance"] = _provenance(f.provenance)
    return out


def _provenance(p: Provenance) -> dict[str, Any]:
    out: dict[str, Any] = {"source": p.source}
    if p.ids:
        out["ids"] = list(p.ids)
    out["fetched_at"] = p.fetched_at
    out["confirmed"] = p.confirmed
    return out
