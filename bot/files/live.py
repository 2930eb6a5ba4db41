"""The live data's files in the state directory, and the mission data every command reads.

``<state_dir>/live/overlay.yaml``  what ``spacebot sync`` added to the bundled history,
                                   in the same schema (``validate --data`` reads it);
``<state_dir>/live/sync.json``     the sync's memory: the last good sync, the LL2 ids it
                                   matched, the instants it has seen (for confirmation),
                                   what it quarantined and why.

:func:`load_mission_data` is how every command gets its data: the configured data (the
bundled history by default), with the overlay laid over it unless ``--data`` replaced
both or live data is off.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bot.core.model import Dataset
from bot.core.overlay import Ignored, apply_overlay
from bot.errors import DataError, Problem
from bot.files.config import Config
from bot.files.data import load_dataset

log = logging.getLogger("spacebot.data")

LIVE_DIR = "live"
OVERLAY_FILE = "overlay.yaml"
STATE_FILE = "sync.json"


def overlay_path(state_dir: Path) -> Path:
    return state_dir / LIVE_DIR / OVERLAY_FILE


def state_path(state_dir: Path) -> Path:
    return state_dir / LIVE_DIR / STATE_FILE


def load_mission_data(config: Config) -> Dataset:
    """The data the configuration asks for: history plus the live overlay (see module)."""
    return load_mission_data_with_notes(config)[0]


def load_mission_data_with_notes(config: Config) -> tuple[Dataset, list[Ignored]]:
    base = load_dataset(config.data)
    path = overlay_path(config.state_dir)
    if not config.live or not path.is_file():
        return base, []
    overlay = load_dataset(path)
    merged, ignored = apply_overlay(base, overlay)
    for item in ignored:
        log.warning("live overlay entry left out: %s", item)
    return merged, ignored


def read_state(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` when there is none; DataError when damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DataError(
            Problem(
                str(path),
                "file",
                f"cannot be read: {exc}",
                "delete it: the next sync starts afresh from the bundled history "
                "(records then wait for a second sync again)",
            )
        ) from None
    if not isinstance(data, dict):
        raise DataError(Problem(str(path), "file", "is not a JSON object", "delete it"))
    return data
