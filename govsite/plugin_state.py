"""Which govsite plugins Pelican actually registered for the current build.

Blinker signals are process-global: a plugin dropped from PLUGINS in a later build would still be
connected. Handlers therefore act only when their plugin registered for *this* run.
"""

from __future__ import annotations

from typing import Any

from .pelican_glue import ensure_run
from .run import BuildRun, current

_PENDING: set[str] = set()


def mark_registered(name: str) -> None:
    run = current()
    if run is not None:
        run.loaded_plugins.add(name)
    else:
        _PENDING.add(name)


def active(settings: dict[str, Any], name: str) -> BuildRun | None:
    run = ensure_run(settings)
    if _PENDING:
        run.loaded_plugins |= _PENDING
        _PENDING.clear()
    return run if name in run.loaded_plugins else None
