"""The publication-date ledger (FRESH-007 part 2, LIFE-001): first-seen dates of every published document.

The ledger is a committed JSON file (setting ``GOVSITE_LEDGER_FILE``, default ``data/published_dates.json``)
keyed by the document's source path relative to ``content/``. Each entry records the publication date the
document was first published with and the build "now" at which it was first seen::

    {"version": 1, "documents": {"articles/gzdt/x.md": {"date": "2026-11-19 10:30",
                                                       "first_seen": "2026-11-20 18:00", "title": "…"}}}

The site-stage FRESH-007 check compares the current content with the ledger and stores new entries in
``run.data["ledger_updates"]``; the driver calls :func:`commit` after a passing build has been published,
so a failing build never changes the ledger. :func:`init` (re)creates the ledger from the current content
(``python -m govsite.ledger init [--root .]``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from .source import SourceDoc

DEFAULT_FILE = "data/published_dates.json"
VERSION = 1
FMT = "%Y-%m-%d %H:%M"


def ledger_path(root: Path, settings: Mapping[str, Any]) -> Path:
    name = str(settings.get("GOVSITE_LEDGER_FILE") or DEFAULT_FILE)
    path = Path(name)
    return path if path.is_absolute() else Path(root) / path


def content_root(settings: Mapping[str, Any], root: Path) -> Path:
    return (Path(root) / str(settings.get("PATH", "content"))).resolve()


def doc_key(doc: SourceDoc, croot: Path) -> str:
    """Stable document key: the source path relative to content/ (posix)."""
    try:
        return doc.path.resolve().relative_to(croot).as_posix()
    except ValueError:
        return doc.rel


def fmt(value: datetime) -> str:
    return value.strftime(FMT)


def entry_for(doc: SourceDoc, first_seen: datetime) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": fmt(doc.date), "first_seen": fmt(first_seen), "title": doc.title}  # type: ignore[arg-type]
    if doc.get("offline_notice"):
        entry["offline_notice"] = doc.get("offline_notice")
    return entry


def ledgered(doc: SourceDoc) -> bool:
    """Documents the ledger tracks: published, dated, not single pages."""
    return doc.published and not doc.fatal and doc.doc_type != "page" and doc.date is not None


class LedgerError(ValueError):
    pass


def read(path: Path) -> dict[str, dict[str, Any]] | None:
    """The ledger's documents, or None when the file does not exist."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LedgerError(f"发布日期台账 {path.name} 无法读取：{exc}") from exc
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, dict) or not all(isinstance(v, dict) and isinstance(v.get("date"), str)
                                             for v in docs.values()):
        raise LedgerError(f"发布日期台账 {path.name} 格式不对：应为 {{\"version\": 1, \"documents\": {{路径: {{date, first_seen}}}}}}")
    return docs


def dumps(documents: Mapping[str, Mapping[str, Any]]) -> str:
    data = {"version": VERSION, "documents": {k: dict(sorted(v.items())) for k, v in sorted(documents.items())}}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(path: Path, documents: Mapping[str, Mapping[str, Any]]) -> None:
    """Atomic, deterministic write (sorted keys, UTF-8, trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dumps(documents)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode | 0o644)  # mkstemp creates 0600; the ledger is a committed, world-readable file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def commit(run: Any) -> bool:
    """Apply ``run.data["ledger_updates"]`` to the ledger file — only for a passing, non-preview build.

    The driver calls this right after ``publish(...)``. Returns True when the file was written.
    """
    updates: dict[str, dict[str, Any]] | None = run.data.get("ledger_updates")
    if run.errors or getattr(run, "preview", False) or updates is None or run.data.get("ledger_committed"):
        return False
    path = ledger_path(run.root, run.settings)
    try:
        documents = read(path) or {}
    except LedgerError:
        return False  # FRESH-007 reported it; never overwrite a file we cannot read
    if updates:
        for key, entry in updates.items():
            documents[key] = {**documents.get(key, {}), **entry}
    elif path.is_file():
        return False
    write(path, documents)
    run.data["ledger_committed"] = True  # updates stay in run.data for the report and tests
    return True


def init(root: Path | str = ".", settings_file: str = "pelicanconf.py") -> Path:
    """(Re)create the ledger from the current content; keeps first_seen of documents whose date is unchanged."""
    from . import clock
    from .build import load_settings
    from .pelican_glue import discover_sources
    from .source import read_source

    root = Path(root).resolve()
    settings = load_settings(root, settings_file)
    now = clock.now(settings)
    croot = Path(settings["PATH"]).resolve()
    path = ledger_path(root, settings)
    try:
        old = read(path) or {}
    except LedgerError:
        old = {}
    documents: dict[str, dict[str, Any]] = {}
    for src in discover_sources(settings):
        doc = read_source(src, root)
        if not ledgered(doc):
            continue
        key = doc_key(doc, croot)
        entry = entry_for(doc, now)
        prev = old.get(key)
        if prev and prev.get("date") == entry["date"] and prev.get("first_seen"):
            entry["first_seen"] = prev["first_seen"]
        documents[key] = entry
    write(path, documents)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govsite.ledger", description="发布日期台账（防伪造发稿日期）")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("init", help="按当前内容重新生成台账（保留日期未变信息的首次入库时间）")
    p.add_argument("--root", default=".")
    p.add_argument("--settings", default="pelicanconf.py")
    args = parser.parse_args(argv)
    path = init(Path(args.root), args.settings)
    n = len(read(path) or {})
    print(f"已生成发布日期台账 {path}（{n} 篇信息）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
