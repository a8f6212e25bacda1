"""Command line: python -m govsite build|check|audit|mask|scan|check-file … (also wrapped by tasks.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govsite", description="政府网站合规构建工具 govsite")
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="构建网站（经过全部合规检查，通过后才发布到 output/）")
    b.add_argument("--root", default=".", help="项目根目录")
    b.add_argument("--settings", default="pelicanconf.py")
    b.add_argument("--output", default=None)
    b.add_argument("--reports", default=None)
    b.add_argument("--skip-browser", action="store_true", help="跳过浏览器无障碍检查（仅用于快速预览）")
    b.add_argument("--all-pages", action="store_true", help="浏览器检查覆盖全部页面")
    from .checkfile import add_cli as add_checkfile

    add_checkfile(sub)
    args = parser.parse_args(argv)
    if getattr(args, "func", None):  # subcommands that register their own handler
        return int(args.func(args))
    if args.cmd == "build":
        from .build import build

        result = build(
            Path(args.root), settings_file=args.settings, output=Path(args.output) if args.output else None,
            reports_dir=Path(args.reports) if args.reports else None, skip_browser=args.skip_browser,
            browser_all=args.all_pages,
        )
        return result.exit_code
    return 2


if __name__ == "__main__":
    sys.exit(main())
