"""govsite browser stage: axe-core (WCAG 2.1 A/AA) in headless Chromium over the built site (rule A11Y-013).

Runs at Pelican's ``finalized`` signal, after every page has been written. Targets: one page per
template (``<body data-template>``) in the desktop, mobile and 关怀版 views, plus — desktop only —
every page whose output changed since it was last checked (a miss in the result cache
``.govsite-cache/axe/`` at the project root, keyed on page + CSS/JS bytes + axe-core version).
``govsite build --all-pages`` checks every page on the desktop view; ``--skip-browser`` skips the stage
(the gate then warns, GATE-003).

Settings in pelicanconf.py (an environment variable of the same name wins):

- ``GOVSITE_SELENIUM_REMOTE``: Selenium Grid URL (e.g. ``http://grid:4444/wd/hub``) instead of the local
  ``/usr/bin/chromium`` + ``/usr/bin/chromedriver``; then set ``GOVSITE_GATE_SERVE_HOST`` to an address of
  this machine that the Grid's browsers can reach (the built site is served from there during the check).
- ``GOVSITE_CHROMIUM`` / ``GOVSITE_CHROMEDRIVER``: local binaries; ``GOVSITE_AXE_JS``: another axe.min.js.
- ``GOVSITE_BROWSER_WORKERS`` (default 2) and ``GOVSITE_BROWSER_TIMEOUT`` (seconds per page, default 30).

Statistics of the last run: ``run.data["browser_stats"] = {"targets", "cached", "ran", "seconds"}``.
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from govsite.htmlpage import OutputSite
from govsite.plugin_state import active, mark_registered
from govsite.stages import run_stage

NAME = "govsite_a11y"


def _on_finalized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None or "browser" in run.skipped_stages:
        return
    out = Path(pelican.settings["OUTPUT_PATH"])
    site = run.data.get("output_site")
    if not isinstance(site, OutputSite) or site.root.resolve() != out.resolve():
        # Pelican's signal receivers run in no fixed order: parse the output here if the page stage has not.
        site = OutputSite.load(out)
        run.data["output_site"] = site
    run_stage(run, "browser", site, describe=lambda p: p.url)


def register() -> None:
    mark_registered(NAME)
    signals.finalized.connect(_on_finalized)
