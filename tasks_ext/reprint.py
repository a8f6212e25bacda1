"""Reprint tasks: import an upstream feed (RSS 2.0 / Atom / JSON Feed) into content/upstream/."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent


@task(name="upstream-import",
      help={"source": "订阅源文件路径或 http(s) 网址（RSS 2.0 / Atom / JSON Feed）",
            "publisher": "发布单位（默认取订阅源标题），如 中国政府网",
            "level": "层级：国务院 / 省政府 / 市政府（默认 国务院）",
            "dest": "上级信息清单目录（默认 content/upstream）",
            "filename": "写入的文件名（默认按最新一条的年月，如 2026-11.yaml）"})
def upstream_import(c, source, publisher=None, level="国务院", dest="content/upstream", filename=None):
    """导入上级网站订阅源到上级信息清单 / Merge an upstream feed into content/upstream/*.yaml."""
    from govsite.upstream import UpstreamError, import_feed

    src: str | Path = source if source.lower().startswith(("http://", "https://")) else Path(source)
    dest_dir = Path(dest) if Path(dest).is_absolute() else ROOT / dest
    notes: list[str] = []
    try:
        path = import_feed(src, dest_dir, publisher, level, filename=filename, notes=notes)
    except UpstreamError as exc:
        print(f"导入失败：{exc}", file=sys.stderr)
        sys.exit(1)
    for note in notes:
        print(note)
    try:
        shown = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        shown = str(path)
    print(f"已写入 {shown}。请核对后提交；构建时将检查其中每一条是否按时转载（REPRINT-001）。")
