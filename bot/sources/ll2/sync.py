"""One sync with Launch Library 2: fetch, merge under the trust rules, write the overlay.

The shell around :func:`.fetch.fetch_snapshot` (network) and :func:`.merge.merge`
(pure): it reads the bundled history, the previous overlay and the sync's memory from
the state directory (:mod:`bot.files.live`), and writes the new memory, then the new
overlay, each atomically (nothing with ``dry_run``).  The memory goes first: a crash
between the two leaves the last good overlay with a memory that has seen its entries
once more, never new entries whose memory is lost (their moves would go unchecked).
The overlay is written only when the loader reads it (the merge has quarantined what
it would refuse).  A failed sync writes only its failure into the memory (the last good
overlay stays), for ``status`` and ``health``.

The optional API key comes from ``$SPACEBOT_LL2_TOKEN`` (or the file named by
``$SPACEBOT_LL2_TOKEN_FILE``), is sent as ``Authorization: Token …`` and never logged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import httpx

from bot.core.model import Dataset, iso
from bot.core.overlay import apply_overlay
from bot.errors import DataError, UserError
from bot.files.atomic import write_atomic
from bot.files.config import LL2_TOKEN_ENV, TOKEN_WHERE, Config, token_given
from bot.files.data import load_dataset, load_text
from bot.files.data_writer import dump_dataset
from bot.files.live import overlay_path, read_state, state_path
from bot.files.secrets import Secret, check_secret, read_secret
from bot.sources.ll2.client import LL2Client
from bot.sources.ll2.errors import LL2Error
from bot.sources.ll2.fetch import fetch_snapshot
from bot.sources.ll2.merge import SyncResult, merge
from bot.sources.ll2.state import SyncState

CREDIT = "Launch Library 2 (The Space Devs, thespacedevs.com)"
HEADER = """\
The live overlay: what Launch Library 2 added to the bundled history.
Written by `spacebot sync`; rewritten at every sync (edit the data, not this file).
Same schema as schedules/ (docs/data-format.md); each flight says where it came from.
Live data: Launch Library 2 (The Space Devs). Human spaceflight data: Jonathan C.
McDowell, planet4589.org."""


@dataclass(frozen=True)
class SyncOutcome:
    result: SyncResult
    requests: int
    wrote: bool


def load_state(state_dir: Path) -> SyncState:
    """The sync's memory; DataError naming the file, the key and the fix when damaged."""
    path = state_path(state_dir)
    raw = read_state(path)
    return SyncState() if raw is None else SyncState.from_json(raw, str(path))


def token(env: Mapping[str, str]) -> Secret | None:
    """The API key when one is set (a bad setting is a UserError naming the variable)."""
    if not token_given(env):
        return None
    problem = check_secret(env, LL2_TOKEN_ENV, where=TOKEN_WHERE)
    if problem is not None:
        raise UserError(problem)
    return read_secret(env, LL2_TOKEN_ENV, where=TOKEN_WHERE)


def sync(
    config: Config,
    env: Mapping[str, str],
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
    dry_run: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> SyncOutcome:
    """Fetch, merge and (unless ``dry_run``) write.  LL2Error on a failed fetch (the last
    good overlay stays); UserError on bad local data or settings."""
    history = load_dataset(config.data)
    path = overlay_path(config.state_dir)
    previous = load_dataset(path) if path.is_file() else None
    state = load_state(config.state_dir)
    since = state.last_good or history.as_of
    expected = _expected_in_space(history, previous, state)
    try:
        with LL2Client(
            config.ll2.base_url,
            token=token(env),
            timeout=config.ll2.timeout,
            sleep=sleep,
            clock=clock,
            transport=transport,
        ) as client:
            snapshot = fetch_snapshot(client, since=since, expected_in_space=expected)
    except LL2Error as exc:
        if not dry_run:
            failed = replace(state, last_attempt=clock(), last_error=str(exc))
            write_atomic(state_path(config.state_dir), _json(failed))
        raise
    result = merge(history, previous, state, snapshot, config.ll2)
    text = overlay_text(result.overlay)
    try:
        load_text(text, str(path))  # the merge quarantines what would not load: a last check
    except DataError as exc:
        error = LL2Error("merge", f"the new overlay would not load ({exc.problems[0]})")
        if not dry_run:
            failed = replace(state, last_attempt=clock(), last_error=str(error))
            write_atomic(state_path(config.state_dir), _json(failed))
        raise error from None
    if not dry_run:
        # the memory first: a crash in between leaves the last good overlay with the new
        # memory (entries seen once more), never new entries without their memory
        write_atomic(state_path(config.state_dir), _json(result.state))
        write_atomic(path, text)
    return SyncOutcome(result, snapshot.requests, wrote=not dry_run)


def overlay_text(overlay: Dataset) -> str:
    return dump_dataset(
        overlay,
        header=HEADER,
        top={"source": f"{CREDIT}, fetched {iso(overlay.as_of)}"},
    )


def _expected_in_space(history: Dataset, previous: Dataset | None, state: SyncState) -> list[int]:
    """LL2 ids of the people our data (the history with the overlay laid over it: a
    flight the overlay landed is not open any more) has in space; fetched alone if the
    lists miss them."""
    data = history if previous is None else apply_overlay(history, previous)[0]
    open_people = {p.id for p in data.people if any(f.landing is None for f in p.flights)}
    ids = {p.ll2_id: p.id for p in data.people if p.ll2_id is not None}
    ids.update(state.ll2_ids)
    return sorted(ll2 for ll2, pid in ids.items() if pid in open_people)


def _json(state: SyncState) -> str:
    return json.dumps(state.to_json(), indent=2, ensure_ascii=False) + "\n"
