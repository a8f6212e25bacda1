"""govsite page stage: every written file is parsed and checked (footer, 指引 meta tags, links, leaks…)."""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from govsite.htmlpage import OutputSite
from govsite.plugin_state import active, mark_registered
from govsite.stages import run_stage

NAME = "govsite_pages"


def _on_finalized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None:
        return
    site = OutputSite.load(Path(pelican.settings["OUTPUT_PATH"]))
    run.data["output_site"] = site
    run_stage(run, "page", site, describe=lambda p: p.url)


def register() -> None:
    mark_registered(NAME)
    signals.finalized.connect(_on_finalized)
