"""govsite page stage: every written file is parsed and checked (footer, 指引 meta tags, links, leaks…)."""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from govsite import pagestream
from govsite.htmlpage import OutputSite
from govsite.plugin_state import active, mark_registered
from govsite.run import current
from govsite.stages import run_stage

NAME = "govsite_pages"


def _on_finalized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None:
        return
    site = OutputSite.load(Path(pelican.settings["OUTPUT_PATH"]))
    run.data["output_site"] = site
    run_stage(run, "page", site, describe=lambda p: p.url)


def _on_get_writer(pelican) -> None:  # type: ignore[no-untyped-def]
    """Writing starts: everything the per-page checks read is final, so they may start on written pages."""
    run = active(pelican.settings, NAME)
    if run is None:
        return
    pagestream.start(run, Path(pelican.settings["OUTPUT_PATH"]).resolve(), len(run.data.get("sources", {})))


def _on_content_written(path: str, context=None) -> None:  # type: ignore[no-untyped-def]
    run = current()
    if run is not None:
        pagestream.announce(run, path)


def register() -> None:
    mark_registered(NAME)
    signals.get_writer.connect(_on_get_writer)
    signals.content_written.connect(_on_content_written)
    signals.finalized.connect(_on_finalized)
