"""Core tasks: build, check, serve, test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent


@task(help={"skip_browser": "跳过浏览器无障碍检查（仅快速预览；报告会醒目提示）", "all_pages": "浏览器检查覆盖全部页面",
            "settings": "站点设置文件", "output": "输出目录"})
def build(c, skip_browser=False, all_pages=False, settings="pelicanconf.py", output=None):
    """构建网站：全部合规检查通过后才发布到 output/ / Build through the compliance gate into output/."""
    from govsite.build import build as run_build

    result = run_build(ROOT, settings_file=settings, output=Path(output) if output else None,
                       skip_browser=skip_browser, browser_all=all_pages)
    if result.exit_code:
        sys.exit(result.exit_code)


@task(help={"output": "要检查的已构建输出目录"})
def check(c, output="output"):
    """对已有输出目录重新运行页面检查 / Re-run the page-stage checks on an existing output directory."""
    from govsite.audit import audit_directory

    code = audit_directory(ROOT / output, settings_file=ROOT / "pelicanconf.py", reports_dir=ROOT / "reports")
    if code:
        sys.exit(code)


@task(help={"k": "只运行名称匹配的测试", "fast": "跳过浏览器测试"})
def test(c, k="", fast=False):
    """运行全部测试（含真实 Chromium 浏览器测试）/ Run the full test suite."""
    args = [sys.executable, "-m", "pytest", "-q"]
    if k:
        args += ["-k", k]
    if fast:
        args += ["-m", "not browser"]
    os.chdir(ROOT)
    sys.exit(c.run(" ".join(args), pty=False, warn=True).exited)
