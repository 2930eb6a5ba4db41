"""Launch Library 2 (The Space Devs), the live source of flights after the bundled history.

Three layers, each usable alone:

* :mod:`.client`: the HTTP transport (paging, rate limit, one error type for every failure);
* :mod:`.parse`: pure functions from LL2 2.3.0 JSON to frozen dataclasses, strictly checked;
* :mod:`.fetch`: the requests of one sync, returning an :class:`~.parse.LL2Snapshot`.

Nothing here decides what is true: matching LL2 people to ours, merging and the trust
rules (plausibility, confirmation) are done on top of the snapshot.
"""

from bot.sources.ll2.errors import LL2Error, Throttled

__all__ = ["LL2Error", "Throttled"]
