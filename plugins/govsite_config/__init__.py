"""govsite config stage: site identity, domain and filing numbers checked before anything is rendered."""

from __future__ import annotations

from pelican import signals

from govsite.plugin_state import active, mark_registered
from govsite.settings_view import SettingsItem
from govsite.stages import run_stage

NAME = "govsite_config"


def _on_initialized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None:
        return
    run_stage(run, "config", [SettingsItem(pelican.settings, run.settings_file, run.root)], describe=lambda s: s.file)


def register() -> None:
    mark_registered(NAME)
    signals.initialized.connect(_on_initialized)
