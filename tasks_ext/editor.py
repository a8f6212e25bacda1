"""Editor tasks: new (scaffolds), serve (live preview with findings on the page), docs, check-file."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent


@task(positional=["doc_type"], help={
    "doc_type": "信息类型：news / notice / policy / interpretation / reprint / guide / public-notice / report",
    "title": "标题",
    "for_": "政策解读：被解读文件的文号；转载：原文网址",
    "category": "栏目名称（默认按信息类型选择）",
    "settings": "站点设置文件",
})
def new(c, doc_type, title="", for_=None, category=None, settings="pelicanconf.py"):
    """新建一篇稿件（含全部必填元数据和填写说明）/ Scaffold a new Markdown source."""
    from govsite.scaffold import ScaffoldError, create

    try:
        sc = create(ROOT, doc_type, title, for_=for_, category=category, settings_file=settings)
    except ScaffoldError as exc:
        print(f"未创建：{exc}", file=sys.stderr)
        sys.exit(1)
    print(f"已创建 {sc.rel}（栏目：{sc.column.name}）")
    print("下一步：按文件中的填写说明修改元数据、撰写正文，然后删除说明；预览：invoke serve")


@task(help={"port": "端口（默认 8000）", "settings": "站点设置文件", "no_watch": "只构建一次，不监视文件变化"})
def serve(c, port=8000, settings="pelicanconf.py", no_watch=False):
    """本地预览：构建到 output.preview/，页面上显示本页的检查结果，修改后自动重建 / Live preview."""
    from govsite.preview import serve as run_serve

    run_serve(ROOT, port=int(port), settings_file=settings, watch=not no_watch)


@task(help={"check": "只检查生成的文档是否最新（不写文件）"})
def docs(c, check=False):
    """生成规则说明 docs/rules/*.md 和编辑手册中的元数据表 / Generate the rule docs."""
    from govsite.docs import generate

    changed = generate(ROOT, check=check)
    if check and changed:
        print("以下文档不是最新的，请运行 invoke docs：\n  " + "\n  ".join(changed), file=sys.stderr)
        sys.exit(1)
    print(f"规则说明已{'核对' if check else '生成'}：docs/rules/（{'无变化' if not changed else f'{len(changed)} 个文件更新'}）")


@task(name="check-file", iterable=["path"], help={
    "path": "要检查的 Markdown 文件或目录（可重复）", "strict_privacy": "个人信息问题一律阻断", "settings": "站点设置文件"})
def check_file(c, path=None, strict_privacy=False, settings="pelicanconf.py"):
    """只检查指定稿件（内容阶段规则，不构建）/ Check Markdown files fast, without a build."""
    from govsite.checkfile import check_files, expand_paths, print_findings

    files = expand_paths(path or [])
    if not files:
        print("请用 --path 指定要检查的文件，例如：invoke check-file --path content/articles/gzdt/x.md", file=sys.stderr)
        sys.exit(2)
    findings, code = check_files(files, root=ROOT, strict_privacy=strict_privacy, settings_file=settings)
    print_findings(findings, len(files))
    if code:
        sys.exit(code)
