"""The build driver: settings → Pelican into a staging directory → gate → reports → atomic publish.

Every path out of here either publishes a site that passed the gate or leaves the previous
``output/`` byte-for-byte as it was.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import clock, gate, ledger, parallel, report, scorecard
from .findings import Finding
from .profiles import Profile, ProfileError, load_profile
from .publish import BuildLock, publish, recover
from .registry import load_all_rules
from .run import BuildRun, set_current

log = logging.getLogger("govsite")

PELICAN_ERROR_HINTS = (
    ("Cannot load plugin", "插件无法加载"),
    ("Cannot register plugin", "插件注册失败"),
    ("Could not process", "Pelican 无法处理该文件"),
)


@dataclass
class BuildResult:
    ok: bool
    run: BuildRun | None
    findings: list[Finding] = field(default_factory=list)
    published: bool = False
    exit_code: int = 0
    reports_dir: Path | None = None
    seconds: float = 0.0


class _PelicanLogCapture(logging.Handler):
    """Pelican logs and carries on when a plugin or a file fails (getpelican/pelican#3172): catch that."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pelican") and record.levelno >= logging.ERROR:
            self.records.append(record)


def _settings_finding(message: str, fix: str, line: int | None = None, field_name: str | None = None,
                      settings_file: str = "pelicanconf.py") -> Finding:
    return Finding(rule="CONFIG-001", severity="error", message=message, file=settings_file, line=line,
                   field=field_name, fix=fix, clause="govsite 构建约定：站点设置必须完整有效", stage="config")


def load_settings(root: Path, settings_file: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    from pelican.settings import read_settings

    path = (root / settings_file).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    return read_settings(str(path), override=overrides or {})


def build(
    root: Path,
    *,
    settings_file: str = "pelicanconf.py",
    output: Path | None = None,
    reports_dir: Path | None = None,
    skip_browser: bool = False,
    browser_all: bool = False,
    preview: bool = False,
    overrides: dict[str, Any] | None = None,
    quiet: bool = False,
) -> BuildResult:
    started = time.monotonic()
    root = root.resolve()
    reports_dir = (reports_dir or root / "reports").resolve()
    lock = BuildLock(root / ".govsite.lock")
    if not lock.acquire():
        msg = f"另一个构建正在进行（进程 {lock.holder()}），请等它结束后再构建。"
        print(msg)
        return BuildResult(ok=False, run=None, exit_code=3)
    try:
        return _build_locked(root, settings_file, output, reports_dir, skip_browser, browser_all, preview,
                             overrides or {}, quiet, started)
    finally:
        set_current(None)
        lock.release()


def _fail_early(findings: list[Finding], reports_dir: Path, root: Path, quiet: bool, started: float) -> BuildResult:
    report.write_minimal(findings, reports_dir)
    if not quiet:
        report.print_summary(findings, None)
    return BuildResult(ok=False, run=None, findings=findings, exit_code=1, reports_dir=reports_dir,
                       seconds=time.monotonic() - started)


def _build_locked(root: Path, settings_file: str, output: Path | None, reports_dir: Path, skip_browser: bool,
                  browser_all: bool, preview: bool, overrides: dict[str, Any], quiet: bool,
                  started: float) -> BuildResult:
    load_all_rules()
    try:
        settings = load_settings(root, settings_file, overrides)
    except FileNotFoundError:
        return _fail_early([_settings_finding(f"找不到站点设置文件 {settings_file}", "在项目根目录创建 pelicanconf.py",
                                              settings_file=settings_file)], reports_dir, root, quiet, started)
    except SyntaxError as exc:
        return _fail_early([_settings_finding(f"站点设置文件有语法错误：{exc.msg}", "按提示的行号修正 Python 语法",
                                              line=exc.lineno, settings_file=settings_file)],
                           reports_dir, root, quiet, started)
    except Exception as exc:  # pelicanconf.py is code: anything can go wrong in it
        return _fail_early([_settings_finding(f"站点设置文件无法执行：{type(exc).__name__}: {exc}",
                                              "修正 pelicanconf.py 中出错的语句", settings_file=settings_file)],
                           reports_dir, root, quiet, started)

    problems: list[Finding] = []
    try:
        now = clock.now(settings)
    except clock.ClockError as exc:
        problems.append(_settings_finding(str(exc), "改成 ISO 8601 时间，例如 2026-11-20T10:00",
                                          field_name="GOVSITE_NOW", settings_file=settings_file))
        now = None
    profile: Profile | None = None
    extra_rules = settings.get("GOVSITE_RULES") or {}
    try:
        if not isinstance(extra_rules, dict):
            raise ProfileError("GOVSITE_RULES 必须是字典：{'规则编号': {'severity': 'warning', 'reason': '…'}}")
        profile_name = settings.get("GOVSITE_PROFILE", "national")
        if not isinstance(profile_name, str):
            raise ProfileError(f"GOVSITE_PROFILE 必须是字符串（如 'national'、'fujian'），而不是 {type(profile_name).__name__}")
        profile = load_profile(profile_name, extra_rules)
    except ProfileError as exc:
        problems.append(_settings_finding(str(exc), "检查 GOVSITE_PROFILE / GOVSITE_RULES 及 profiles/ 目录",
                                          field_name="GOVSITE_PROFILE", settings_file=settings_file))
    if problems or profile is None or now is None:
        return _fail_early(problems, reports_dir, root, quiet, started)

    out_dir = Path(output).resolve() if output else Path(settings["OUTPUT_PATH"]).resolve()
    recover(out_dir)
    staging = out_dir.with_name(f".govsite-staging-{out_dir.name}")
    shutil.rmtree(staging, ignore_errors=True)  # leftovers of a killed build are never published
    staging.parent.mkdir(parents=True, exist_ok=True)

    site_url = str(settings.get("SITEURL", "")).rstrip("/")
    settings["GOVSITE_SITEURL"] = site_url
    # Internal links are root-relative so that previews, mirrors and the browser gate work off-host;
    # SITEURL stays the canonical origin for meta Url, feeds and sitemap.xml.
    settings["SITEURL"] = ""
    settings["FEED_DOMAIN"] = site_url
    settings["OUTPUT_PATH"] = str(staging)
    settings["DELETE_OUTPUT_DIRECTORY"] = False
    settings["GOVSITE_PREVIEW"] = preview
    settings["GOVSITE_NOW_ISO"] = now.isoformat()

    run = BuildRun(root=root, settings=settings, profile=profile, now=now, settings_file=settings_file,
                   preview=preview)
    run.data["output_dir"] = staging
    run.data["browser_all"] = browser_all
    if skip_browser:
        run.skipped_stages["browser"] = "本次构建使用了 --skip-browser，未运行浏览器无障碍检查（axe-core）。正式发布前必须完整构建。"
    set_current(run)

    capture = _PelicanLogCapture()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(capture)
    try:
        from pelican import Pelican

        pelican = Pelican(settings)
        pelican.run()
    except SystemExit as exc:  # a plugin asked Pelican to stop
        run.add(Finding(rule="BUILD-001", severity="error", message=f"构建被中止：{exc}", fix="查看上面的错误信息",
                        clause="govsite 构建约定", stage="gate"))
    except Exception as exc:
        run.add(Finding(rule="BUILD-001", severity="error",
                        message=f"Pelican 构建失败：{type(exc).__name__}: {exc}",
                        fix="通常是模板或插件的问题，请联系技术维护人员；输出目录未被改动。",
                        clause="govsite 构建约定", stage="gate"))
    finally:
        pelican_logger.removeHandler(capture)
        parallel.join_background(run)  # a stage still running beside Pelican (normally joined already)

    for record in capture.records:
        text = record.getMessage().strip()
        zh = next((z for key, z in PELICAN_ERROR_HINTS if text.startswith(key)), "Pelican 报告错误")
        src = None
        if text.startswith("Could not process"):
            src = text.split("Could not process", 1)[1].strip().splitlines()[0]
            if run.data.get("reported_sources", set()) and src in run.data["reported_sources"]:
                continue  # already explained by a content finding with file:line
        run.add(Finding(rule="BUILD-001", severity="error", message=f"{zh}：{text.splitlines()[0]}",
                        file=src, fix="查看错误信息修正；若是插件问题请联系技术维护人员。",
                        clause="govsite 构建约定", stage="gate"))

    gate.check(run)
    run.findings = sorted(set(run.findings), key=Finding.sort_key)
    elapsed = time.monotonic() - started
    scorecard.compute(run)
    report.write_all(run, reports_dir, elapsed)
    ok = not run.errors
    if ok:
        publish(staging, out_dir)
        ledger.commit(run)  # first-published dates are recorded only for a site that was published
    else:
        shutil.rmtree(staging, ignore_errors=True)
    if not quiet:
        report.print_summary(run.findings, run, published=ok, output=out_dir, reports_dir=reports_dir)
    return BuildResult(ok=ok, run=run, findings=run.findings, published=ok, exit_code=0 if ok else 1,
                       reports_dir=reports_dir, seconds=elapsed)
