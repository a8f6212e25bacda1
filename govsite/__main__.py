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
    a = sub.add_parser("audit", help="审计任意 HTML 目录（如现有网站的镜像），生成同样的报告")
    a.add_argument("directory")
    a.add_argument("--settings", default=None, help="站点设置文件（可选）")
    a.add_argument("--reports", default="reports")
    a.add_argument("--browser", action="store_true", help="同时运行浏览器无障碍检查")
    a.set_defaults(func=_audit)
    v = sub.add_parser("verify", help="防篡改核验：对比线上目录与 manifest.sha256")
    v.add_argument("deployed")
    v.add_argument("--manifest", default=None)
    v.set_defaults(func=_verify)
    from .checkfile import add_cli as add_checkfile

    add_checkfile(sub)
    m = sub.add_parser("mask", help="遮盖标准输入中的个人信息（与构建发布时的 Markdown 遮盖完全相同），输出到标准输出")
    m.add_argument("--root", default=".", help="项目根目录（读取 privacy_policy.yml 和站点设置）")
    m.set_defaults(func=_privacy)
    s = sub.add_parser("scan", help="检查文件或目录中未遮盖的个人信息（只显示遮盖后的值；发现问题时退出码为 1）")
    s.add_argument("paths", nargs="+", metavar="PATH", help="文件或目录（Markdown、附件、HTML、图片）")
    s.add_argument("--root", default=".", help="项目根目录（读取 privacy_policy.yml 和站点设置）")
    s.set_defaults(func=_privacy)
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


def _privacy(args: argparse.Namespace) -> int:
    """``mask`` (stdin → stdout) and ``scan PATH...`` with the project's mask policy (checks/privacy.py)."""
    import io

    from checks.privacy import project_policy, scan_for_cli

    state = project_policy(Path(args.root))
    if state.problems:
        for message, line in state.problems:
            print(f"{state.file}:{line or 1}: PRIV-007 {message}", file=sys.stderr)
        return 2
    if args.cmd == "mask":
        from .privacy.cli import mask_stream

        # Bytes in, bytes out (UTF-8, line endings untouched): exactly mask_markdown of the input.
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            mask_stream(stdin, stdout, state.policy)
        except UnicodeDecodeError:
            print("输入不是 UTF-8 文本", file=sys.stderr)
            return 2
        finally:
            stdout.flush()
            stdout.detach()
        return 0
    return 1 if scan_for_cli(args.paths, Path(args.root), state.policy) else 0


def _audit(args: argparse.Namespace) -> int:
    from .audit import audit_directory

    return audit_directory(Path(args.directory), settings_file=Path(args.settings) if args.settings else None,
                           reports_dir=Path(args.reports), browser=args.browser)


def _verify(args: argparse.Namespace) -> int:
    from .manifest import verify_manifest

    problems = verify_manifest(Path(args.deployed), Path(args.manifest) if args.manifest else None)
    for line in problems:
        print(line)
    print(f"核验失败：{len(problems)} 处与发布清单不一致。" if problems else "核验通过：线上文件与发布清单一致。")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
