"""Build real sites with Pelican in a temporary project for tests.

``make_project`` copies the sample portal (settings, content) and links the real theme and plugins;
``build`` runs the real govsite build in-process. Nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from govsite.build import BuildResult
from govsite.build import build as govsite_build
from govsite.columns import load_columns
from govsite.source import read_source

REPO = Path(__file__).resolve().parent.parent


def make_project(tmp: Path, *, sample: bool = True, files: dict[str, str | bytes] | None = None,
                 settings: str = "", remove: tuple[str, ...] = ()) -> Path:
    """A project directory: pelicanconf.py (+ ``settings`` appended), content/, theme and plugins.

    ``sample=True`` copies the whole sample portal content; otherwise a minimal compliant site:
    columns.yaml, the pages and one document per column (tests/fixtures/minimal).
    ``files`` maps project-relative paths to text (or bytes) to add or replace; ``remove`` deletes paths.
    """
    root = tmp / "site"
    root.mkdir(parents=True, exist_ok=True)
    for name in ("theme", "plugins"):
        (root / name).symlink_to(REPO / name)
    conf = (REPO / "pelicanconf.py").read_text(encoding="utf-8")
    (root / "pelicanconf.py").write_text(conf + "\n" + settings + "\n", encoding="utf-8")
    if sample:
        shutil.copytree(REPO / "content", root / "content")
    else:
        (root / "content").mkdir()
        shutil.copy(REPO / "tests" / "fixtures" / "minimal" / "columns.yaml", root / "content" / "columns.yaml")
        shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
        shutil.copytree(REPO / "tests" / "fixtures" / "minimal" / "articles", root / "content" / "articles")
        shutil.copytree(REPO / "tests" / "fixtures" / "minimal" / "upstream", root / "content" / "upstream")
    for rel in remove:
        target = root / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    for rel, data in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return root


def build(root: Path, **kwargs: Any) -> BuildResult:
    kwargs.setdefault("quiet", True)
    kwargs.setdefault("skip_browser", True)
    return govsite_build(root, **kwargs)


def findings(root: Path) -> list[dict[str, Any]]:
    return json.loads((root / "reports" / "findings.json").read_text(encoding="utf-8"))["findings"]


def rules_hit(result: BuildResult, severity: str | None = "error") -> set[str]:
    return {f.rule for f in result.findings if severity is None or f.severity == severity}


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove an output directory was not touched."""
    if not directory.exists():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def article(title: str = "示例县召开秋季安全生产工作会议", *, date: str = "2026-11-19 09:00", category: str = "工作动态",
            doc_type: str = "news", source: str = "示例县应急管理局", extra: str = "",
            body: str = "会议对全县安全生产工作进行了部署。") -> str:
    head = f"title: {title}\ndate: {date}\ncategory: {category}\ntype: {doc_type}\nsource: {source}\n"
    return head + (extra.strip() + "\n" if extra.strip() else "") + "\n" + body + "\n"

def fill_blank_columns(root: Path, date: str = "2026-11-19 12:00") -> None:
    """One document for every column the minimal fixture leaves blank (the sample's columns.yaml evolves)."""
    cols = load_columns(root / "content" / "columns.yaml")
    used = {read_source(p, root).category for p in (root / "content").rglob("*.md")}

    def names(name: str) -> set[str]:
        return {name}.union(*(names(c.name) for c in cols.children(name)))

    for col in cols.columns:
        if not col.link and not names(col.name) & used:
            text = article(f"{col.name}栏目信息", date=date, category=col.name, doc_type="notice")
            (root / "content" / "articles" / f"fill-{col.slug}.md").write_text(text, encoding="utf-8")


def hits(result: BuildResult, rule: str, severity: str | None = None) -> list[Any]:
    """Findings of one rule (optionally of one severity)."""
    return [f for f in result.findings if f.rule == rule and (severity is None or f.severity == severity)]


def vetoes(result: BuildResult, rule: str) -> list[Any]:
    """Findings of a rule that reached the 单项否决 threshold."""
    return [f for f in hits(result, rule) if dict(f.extra).get("veto")]
