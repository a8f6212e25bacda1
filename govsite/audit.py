"""Audit mode: run every page-stage rule on any directory of HTML and write the usual reports.

Works on our own ``output/`` (``invoke check``) and on a mirror of an existing portal that govsite did
not build (``invoke audit DIR``): 指引 meta tags, footer identifiers, links, hidden links, harmful
keywords, external resources… With a settings file the identity rules compare against it (标识码,
备案号, 域名); without one they only check formats. Nothing in the audited directory is modified.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from . import clock, gate, report
from .findings import Finding
from .htmlpage import OutputSite
from .profiles import ProfileError, load_profile
from .registry import load_all_rules
from .run import BuildRun
from .stages import run_stage

AUDIT_PLUGINS = {"govsite_pages"}
SKIP_REASON = "审计模式：只检查已生成的 HTML 页面，{what}不适用（没有源文件和构建过程）。"
SKIPPED = {"config": "站点设置检查", "content": "内容源文件检查", "site": "全站内容模型检查"}


def _load_settings(settings_file: Path) -> dict[str, Any]:
    from .build import load_settings

    settings_file = Path(settings_file).resolve()
    settings = load_settings(settings_file.parent, settings_file.name)
    site_url = str(settings.get("SITEURL", "")).rstrip("/")
    settings["GOVSITE_SITEURL"] = site_url
    return settings


def _load_columns(run: BuildRun, settings: dict[str, Any]) -> None:
    """Our own sites: the column registry, so LAYOUT-006 can check the site map lists every column."""
    if not settings.get("PATH"):
        return
    from .columns import ColumnError, load_columns

    path = Path(settings["PATH"]) / settings.get("GOVSITE_COLUMNS_FILE", "columns.yaml")
    if path.is_file():
        try:
            run.data["columns"] = load_columns(path, run.rel(path))
        except ColumnError:
            pass  # COLUMN-001 reports it in a real build


def audit_directory(directory: Path, *, settings_file: Path | None, reports_dir: Path, browser: bool = False,
                    quiet: bool = False) -> int:
    """Check ``directory``; write reports to ``reports_dir``. Returns 0 when no page-stage rule found an error."""
    started = time.monotonic()
    load_all_rules()
    directory = Path(directory).resolve()
    reports_dir = Path(reports_dir).resolve()
    settings: dict[str, Any] = {}
    early: list[Finding] = []
    if settings_file is not None:
        try:
            settings = _load_settings(Path(settings_file))
        except Exception as exc:  # pelicanconf.py is code: anything can go wrong in it
            early.append(Finding(rule="CONFIG-001", severity="error", message=f"无法读取站点设置 {settings_file}：{type(exc).__name__}: {exc}",
                                 fix="检查设置文件路径和语法", file=str(settings_file), clause="govsite 构建约定", stage="config"))
    if not directory.is_dir():
        early.append(Finding(rule="AUDIT-001", severity="error", message=f"要检查的目录不存在：{directory}",
                             fix="确认目录路径", clause="govsite 审计模式", stage="page"))
    try:
        profile = load_profile(str(settings.get("GOVSITE_PROFILE", "national")), settings.get("GOVSITE_RULES") or {})
    except ProfileError as exc:
        early.append(Finding(rule="CONFIG-001", severity="error", message=str(exc), fix="检查 GOVSITE_PROFILE / GOVSITE_RULES",
                             clause="govsite 构建约定", stage="config"))
        profile = None
    if early or profile is None:
        report.write_minimal(early, reports_dir)
        if not quiet:
            report.print_summary(early, None, reports_dir=reports_dir, audit=True)
        return 1
    try:
        now = clock.now(settings)
    except clock.ClockError:
        now = clock.now({})
    # Caches (e.g. the browser stage's) live under the run's root: never inside the audited directory.
    root = Path(settings_file).resolve().parent if settings_file is not None else Path.cwd()
    run = BuildRun(root=root, settings=settings, profile=profile, now=now,
                   settings_file=Path(settings_file).name if settings_file is not None else "（无）")
    run.loaded_plugins = set(AUDIT_PLUGINS)
    run.data["audit"] = True
    run.data["output_dir"] = directory
    for stage, what in SKIPPED.items():
        run.skipped_stages[stage] = SKIP_REASON.format(what=what)
    if browser:
        run.loaded_plugins.add("govsite_a11y")
    else:
        run.skipped_stages["browser"] = "审计模式未运行浏览器无障碍检查（axe-core）；需要时加 --browser。"
    if settings:
        _load_columns(run, settings)
    site = OutputSite.load(directory)
    run.data["output_site"] = site
    run_stage(run, "page", site, describe=lambda p: p.url)
    if browser:
        run_stage(run, "browser", site, describe=lambda p: p.url)
    gate.check(run)
    run.findings = sorted(set(run.findings), key=Finding.sort_key)
    elapsed = time.monotonic() - started
    report.write_all(run, reports_dir, elapsed)
    counted = [f for f in run.findings
               if f.severity == "error" and (f.stage in ("page", "browser") or f.rule == "GATE-001")]
    if not quiet:
        report.print_summary(run.findings, run, published=False, reports_dir=reports_dir, audit=True)
        print(f"审计目录：{directory}（{len(site.pages)} 个页面，{len(site.files)} 个文件，用时 {elapsed:.2f} 秒）")
    return 1 if counted else 0
