"""LL2 2.3.0 schemas for tests: validate JSON against them, and project objects between modes.

The schemas are the trimmed official OpenAPI 3.0 components in
``tests/fixtures/ll2/openapi-2.3.0-trimmed.json``.  OpenAPI 3.0 is not quite JSON Schema,
so they are converted on loading:

* ``nullable: true`` becomes "this schema, or null";
* ``oneOf`` + ``discriminator`` (the polymorphic ``list``/``normal``/``detailed`` answers,
  which would otherwise match several branches) becomes "the branch named by
  ``response_mode``";
* STRICT: every object schema gets ``additionalProperties: false``, so a fixture that
  still carries a 2.2.0 field (``twitter``, ``profile_image``, a string ``nationality``...)
  or a typo fails;
* formats ``date-time`` (with an offset), ``date``, ``uri`` and ``uuid`` are checked.
"""

from __future__ import annotations

import copy
import json
import urllib.parse
import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

TRIMMED = Path(__file__).parent.parent / "fixtures" / "ll2" / "openapi-2.3.0-trimmed.json"


@cache
def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TRIMMED.read_text(encoding="utf-8"))
    return data


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: v for k, v in node.items() if k not in ("example", "readOnly")}
    nullable = node.pop("nullable", False)
    if "discriminator" in node:
        disc = node.pop("discriminator")
        prop, mapping = disc["propertyName"], disc["mapping"]
        node.pop("oneOf", None)
        node = {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"enum": sorted(mapping)}},
            "allOf": [
                {"if": {"properties": {prop: {"const": key}}}, "then": {"$ref": ref}}
                for key, ref in sorted(mapping.items())
            ],
        }
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _convert(v) for name, v in value.items()}
        else:
            out[key] = _convert(value)
    if "properties" in out and out.get("type") == "object":
        out["additionalProperties"] = False
    if nullable:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    checker.checks("date")(_date)
    checker.checks("uri")(_uri)
    checker.checks("uuid")(_uuid)
    return checker


@cache
def _components() -> dict[str, Any]:
    converted: dict[str, Any] = _convert(document()["components"])
    return converted


@cache
def validator_for(schema: str) -> jsonschema.Draft202012Validator:
    """A validator for a component name (``LaunchDetailed``) or an endpoint path
    (``/2.3.0/astronauts/``, whose 200 answer is checked)."""
    if schema.startswith("/"):
        root = _convert(document()["answers"][schema])
    else:
        root = {"$ref": f"#/components/schemas/{schema}"}
    root = {**root, "components": _components()}
    return jsonschema.Draft202012Validator(root, format_checker=_format_checker())


def errors(data: object, schema: str) -> list[str]:
    """Every violation, as ``$.path: message`` lines (empty when valid)."""
    found = []
    for err in sorted(validator_for(schema).iter_errors(data), key=lambda e: list(e.path)):
        deepest = _deepest(err)
        where = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in deepest.absolute_path
        )
        found.append(f"{where}: {deepest.message[:200]}")
    return found


def _deepest(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Inside "this or null" (anyOf), the error of the non-null branch, which says why."""
    if not err.context:
        return err
    branches = [e for e in err.context if e.validator != "type" or e.validator_value != "null"]
    return _deepest(max(branches or err.context, key=lambda e: len(e.absolute_path)))


def answer_schema(path: str) -> str:
    """The endpoint schema key for a request path (``/2.3.0/astronauts/545/``)."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    if (
        len(parts) == 3
        and parts[2].strip("-").replace("-", "").isalnum()
        and parts[1]
        in (
            "astronauts",
            "launches",
        )
    ):
        return f"/{parts[0]}/{parts[1]}/{{id}}/"
    return "/" + "/".join(parts) + "/"


# -- projection: a detailed object as its normal or list variant -----------------------


def _target(node: dict[str, Any]) -> dict[str, Any] | None:
    """The referenced schema of a property (through allOf/nullable), or None."""
    if "$ref" in node:
        return schema(node["$ref"].rsplit("/", 1)[1])
    if "allOf" in node and len(node["allOf"]) == 1:
        return _target(node["allOf"][0])
    return None


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = document()["components"]["schemas"][name]
    return found


def project(data: Any, name: str) -> Any:
    """``data`` (a richer variant) cut down to the fields of schema ``name``, recursively.

    ``response_mode`` takes the value the target schema declares, so a ``LaunchDetailed``
    object projected on ``LaunchNormal`` is a valid normal launch.
    """
    return _project(data, schema(name))


def _project(data: Any, node: dict[str, Any]) -> Any:
    if data is None or isinstance(data, str | int | float):  # bool is an int
        return data  # immutable: nothing to cut down or copy
    target = _target(node)
    if target is not None:
        return _project(data, target)
    if node.get("type") == "array" and isinstance(data, list):
        return [_project(x, node["items"]) for x in data]
    if "properties" in node and isinstance(data, dict):
        out = {}
        for key, sub in node["properties"].items():
            if key == "response_mode" and key in data:
                out[key] = sub.get("default", data[key])
            elif key in data:
                out[key] = _project(data[key], sub)
        return out
    return copy.deepcopy(data)
