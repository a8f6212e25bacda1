"""govsite privacy: personal information is masked before rendering, and published images lose their metadata.

- ``initialized``: registers the masking transform (``checks.privacy.make_transform``) in
  ``run.data["transforms"]``; the strict reader applies it to every Markdown body and every metadata value that
  reaches the output, so pages, feeds, sitemap.xml, search-index.json and meta tags see masked values only.
- ``static_generator_init``: wraps *this build's* StaticGenerator so that, right after it copied the static
  files, EXIF/XMP/GPS are stripped from every published JPEG/PNG/WebP copy (the originals under content/ are
  never touched). Doing it there — not at ``finalized`` — guarantees it happens before the page stage, whose
  receivers run in no fixed order (blinker), so the INTEG-004 manifest and PRIV-009 see the stripped copies.
- ``finalized``: safety net for builds without a StaticGenerator (idempotent).

The rules (PRIV-001…010, ``checks/privacy.py``) name this plugin as their owner: without it they do not run
and the gate fails the build (GATE-001) instead of publishing unmasked sources.
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from govsite.plugin_state import active, mark_registered

NAME = "govsite_privacy"


def _on_initialized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None:
        return
    from checks.privacy import install_transform, policy_state

    policy_state(run)  # load privacy_policy.yml once (PRIV-007 reports problems)
    install_transform(run)


def _on_static_init(generator) -> None:  # type: ignore[no-untyped-def]
    run = active(generator.settings, NAME)
    if run is None:
        return
    original = generator.generate_output

    def generate_output(writer) -> None:  # type: ignore[no-untyped-def]
        original(writer)
        from checks.privacy import strip_published_images

        strip_published_images(run, Path(generator.output_path))

    generator.generate_output = generate_output  # this generator instance only


def _on_finalized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None or run.data.get("audit"):
        return
    from checks.privacy import strip_published_images

    strip_published_images(run, Path(pelican.settings["OUTPUT_PATH"]))


def register() -> None:
    mark_registered(NAME)
    signals.initialized.connect(_on_initialized)
    signals.static_generator_init.connect(_on_static_init)
    signals.finalized.connect(_on_finalized)
