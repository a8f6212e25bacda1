"""Inspection tasks: audit any directory of HTML, verify a deployed site against its manifest."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent


@task(positional=["directory"],
      help={"directory": "要检查的 HTML 目录（如现有门户网站的镜像）",
            "settings": "站点设置文件（可选；提供后核对标识码、备案号、域名等）",
            "reports": "报告输出目录", "browser": "同时运行浏览器无障碍检查"})
def audit(c, directory, settings=None, reports="reports", browser=False):
    """审计任意 HTML 目录（页面阶段全部规则）/ Run every page-stage rule on a directory of HTML."""
    from govsite.audit import audit_directory

    code = audit_directory(Path(directory), settings_file=Path(settings) if settings else None,
                           reports_dir=Path(reports), browser=browser)
    if code:
        sys.exit(code)


@task(help={"deployed": "线上（已部署）网站目录", "manifest": "构建时的 manifest.sha256（默认用目录内的那份）"})
def verify(c, deployed, manifest=None):
    """防篡改核验：对比线上文件与 manifest.sha256 / Verify a deployed directory against its manifest."""
    from govsite.manifest import verify_manifest

    problems = verify_manifest(Path(deployed), Path(manifest) if manifest else None)
    if problems:
        for line in problems:
            print(line)
        print(f"核验失败：发现 {len(problems)} 处与发布清单不一致，网站可能被篡改。")
        sys.exit(1)
    print("核验通过：线上文件与发布清单完全一致。")
