"""govsite content model: strict reader, column registry, content and site stages, column pages, sitemaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from govsite import parallel
from govsite.columns import ColumnError, load_columns
from govsite.generators import ColumnGenerator
from govsite.pelican_glue import content_root, discover_sources, install_reader
from govsite.plugin_state import active, mark_registered
from govsite.site import SiteModel
from govsite.source import read_source
from govsite.stages import run_stage

NAME = "govsite_content"


def _on_initialized(pelican) -> None:  # type: ignore[no-untyped-def]
    run = active(pelican.settings, NAME)
    if run is None:
        return
    settings = pelican.settings
    columns_path = content_root(settings) / settings.get("GOVSITE_COLUMNS_FILE", "columns.yaml")
    try:
        run.data["columns"] = load_columns(columns_path, run.rel(columns_path))
    except ColumnError as exc:
        run.data["column_error"] = (str(exc), exc.line, run.rel(columns_path))
    docs = [read_source(p, run.root) for p in discover_sources(settings)]
    run.data["sources"] = {str(d.path.resolve()): d for d in docs}

    def content_stage() -> None:
        run_stage(run, "content", docs, describe=lambda d: d.rel)

    # The content checks read the sources, not Pelican's articles: on a large site they run in a worker
    # while Pelican reads and converts the same files here; their results are merged before the site stage.
    if not parallel.start_background(run, "content", content_stage, len(docs)):
        content_stage()


def _on_readers_init(readers) -> None:  # type: ignore[no-untyped-def]
    if active(readers.settings, NAME) is not None:
        install_reader(readers)


def _on_all_generators_finalized(generators: list[Any]) -> None:
    if not generators:
        return
    settings = generators[0].settings
    run = active(settings, NAME)
    if run is None:
        return
    parallel.join_background(run)
    sources = run.data.get("sources", {})
    docs = []
    for gen in generators:
        for content in list(getattr(gen, "articles", [])) + list(getattr(gen, "pages", [])):
            doc = sources.get(str(Path(content.source_path).resolve()))
            if doc is not None:
                doc.content = content
                docs.append(doc)
    docs.sort(key=lambda d: d.rel)
    columns = run.data.get("columns")
    if columns is None:
        return  # COLUMN-001 already explains why nothing can be placed
    model = SiteModel.build(columns, docs, settings)
    run.data["site"] = model
    generators[0].context["gov"] = model  # the context dict is shared by every generator and template
    run_stage(run, "site", model, describe=lambda d: d.rel)


def _get_generators(pelican) -> Any:  # type: ignore[no-untyped-def]
    return ColumnGenerator if active(pelican.settings, NAME) is not None else None


def register() -> None:
    mark_registered(NAME)
    signals.initialized.connect(_on_initialized)
    signals.readers_init.connect(_on_readers_init)
    signals.all_generators_finalized.connect(_on_all_generators_finalized)
    signals.get_generators.connect(_get_generators)
