"""Writing mission data as YAML: the inverse of :mod:`bot.files.data`.

``dump_dataset`` writes a :class:`~bot.core.model.Dataset` in the format the loader
reads (``docs/data-format.md``): loading what it writes gives the same dataset.  Used
for the live overlay (``spacebot sync``).  The same input always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import yaml

from bot.core.model import Dataset, Flight, Person, Provenance, iso


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes instants as plain ``2015-03-27T19:42:57Z``, without aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", iso(value))


_Dumper.add_representer(datetime, _represent_datetime)


def dump_dataset(
    dataset: Dataset, *, header: str = "", top: Mapping[str, Any] | None = None
) -> str:
    """The YAML text of ``dataset``: ``header`` (comment lines), then ``as_of``, the
    ``top`` entries (``source``, ``corrections``...), then ``people``."""
    data: dict[str, Any] = {"as_of": dataset.as_of, **(top or {})}
    data["people"] = [person_dict(p) for p in dataset.people]
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body


def person_dict(p: Person) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "name": p.name, "country": p.country, "gender": p.gender}
    if p.source_id:
        out["source_id"] = p.source_id
    if p.ll2_id is not None:
        out["ll2_id"] = p.ll2_id
    if p.tags:
        out["tags"] = list(p.tags)
    out["flights"] = [flight_dict(f) for f in p.flights]
    return out


def flight_dict(f: Flight) -> dict[str, Any]:
    out: dict[str, Any] = {"mission": f.mission, "launch": f.launch}
    if f.landing is not None:
        out["landing"] = f.landing
    if f.planned_landing is not None:
        out["planned_landing"] = f.planned_landing
    if f.suborbital:
        out["suborbital"] = True
    if f.launch_vehicle:
        out["launch_vehicle"] = f.launch_vehicle
    if f.landing_vehicle and f.landing_vehicle != f.launch_vehicle:
        out["landing_vehicle"] = f.landing_vehicle
    if f.crew_lost:
        out["crew_lost"] = True
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
