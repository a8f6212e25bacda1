"""Fast path for editors and hooks: run the content-stage rules on a few Markdown files, without a build.

``python -m govsite check-file FILE...`` (also ``python -m govsite.checkfile``, ``invoke check-file``)
reads the settings, the profile and the column registry like a build does, then runs exactly the
content-stage checks of the registry: per-file rules on the given files, per-site rules (e.g. unique
URLs) on every source so that clashes with existing documents are found. Nothing is rendered.

``strict_privacy`` (pre-commit) runs the privacy rules (checks/privacy.py, PRIV-001…005 and PRIV-010 on the
file names) with the setting ``GOVSITE_PRIVACY_STRICT = True``: an unmasked value in a source, which a build
masks at publish and only warns about, then blocks. Any other PRIV-* warning is made blocking too; "info"
notes (a recorded 惩戒公示 exemption) stay notes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from .findings import SEVERITY_ZH, Finding

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
IGNORED_DIRS = {"upstream", "attachments", "images", "holidays"}


def load_project_settings(root: Path, settings_file: str = "pelicanconf.py") -> dict[str, Any]:
    """The site settings as a build reads them. Nothing is rendered, so the theme need not exist
    (a pre-commit hook checks a bare checkout of the staged files): Pelican's built-in theme stands in."""
    from .build import load_settings

    return load_settings(root, settings_file, {"THEME": "simple"})


def expand_paths(paths: Iterable[str | Path], *, cwd: Path | None = None) -> list[Path]:
    """Files as given; directories expand to their Markdown sources (like the build, skipping attachments etc.)."""
    out: list[Path] = []
    base = cwd or Path.cwd()
    for raw in paths:
        p = Path(raw)
        p = p if p.is_absolute() else base / p
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if (f.suffix.lower() in MARKDOWN_SUFFIXES and f.is_file()
                        and not any(part in IGNORED_DIRS or part.startswith(".") for part in rel[:-1])):
                    out.append(f)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def _config_finding(message: str, fix: str, settings_file: str, field: str | None = None) -> Finding:
    return Finding(rule="CONFIG-001", severity="error", message=message, file=settings_file, field=field, fix=fix,
                   clause="govsite 构建约定：站点设置必须完整有效", stage="config")


def check_files(paths: Iterable[str | Path], *, root: Path, strict_privacy: bool = False,
                settings_file: str = "pelicanconf.py") -> tuple[list[Finding], int]:
    """Run the content-stage checks on ``paths``. Returns the findings and the exit code (1 = blocking errors)."""
    from . import clock
    from .columns import ColumnError, load_columns
    from .pelican_glue import discover_sources
    from .profiles import ProfileError, load_profile
    from .registry import all_checks, load_all_rules
    from .run import BuildRun, current, set_current
    from .source import read_source
    from .stages import run_stage

    root = root.resolve()
    files = [Path(p).resolve() for p in paths]
    load_all_rules()
    try:
        settings = load_project_settings(root, settings_file)
    except FileNotFoundError:
        return [_config_finding(f"找不到站点设置文件 {settings_file}", "在项目根目录运行，或用 --root 指定项目目录",
                                settings_file)], 1
    except SyntaxError as exc:
        f = _config_finding(f"站点设置文件有语法错误：{exc.msg}", "按提示的行号修正 Python 语法", settings_file)
        return [dataclasses.replace(f, line=exc.lineno)], 1
    except Exception as exc:  # pelicanconf.py is code; Pelican raises bare Exception for a missing content path
        return [_config_finding(f"站点设置无法读取：{type(exc).__name__}: {exc}", "修正 pelicanconf.py 中出错的语句",
                                settings_file)], 1
    try:
        now = clock.now(settings)
        profile = load_profile(str(settings.get("GOVSITE_PROFILE", "national")), settings.get("GOVSITE_RULES") or {})
    except (clock.ClockError, ProfileError) as exc:
        return [_config_finding(str(exc), "检查 GOVSITE_NOW / GOVSITE_PROFILE / GOVSITE_RULES", settings_file)], 1

    if strict_privacy:
        settings["GOVSITE_PRIVACY_STRICT"] = True  # the privacy rules report unmasked sources as errors
    content_checks = [c for c in all_checks() if c.stage == "content"]
    run = BuildRun(root=root, settings=settings, profile=profile, now=now, settings_file=settings_file)
    run.loaded_plugins = {c.plugin for c in content_checks}
    run.data["check_file"] = True
    columns_path = Path(settings["PATH"]) / str(settings.get("GOVSITE_COLUMNS_FILE", "columns.yaml"))
    try:
        run.data["columns"] = load_columns(columns_path, run.rel(columns_path))
    except ColumnError as exc:
        run.data["column_error"] = (str(exc), exc.line, run.rel(columns_path))

    docs = [read_source(p, root) for p in files]
    given = {str(p): d for p, d in zip(files, docs, strict=True)}
    every = {str(p.resolve()): None for p in discover_sources(settings)}
    sources = {key: given.get(key) or read_source(Path(key), root) for key in every}
    sources.update(given)
    run.data["sources"] = sources

    item_rules = {c.rule_id for c in content_checks if c.per != "site"}
    site_rules = {c.rule_id for c in content_checks if c.per == "site"}
    previous = current()
    set_current(run)
    try:
        run_stage(run, "content", docs, describe=lambda d: d.rel, only=item_rules)
        # Given files last, so that a clash with an existing document is reported on the file being checked.
        others = sorted((d for k, d in sources.items() if k not in given), key=lambda d: d.rel)
        run_stage(run, "content", others + docs, describe=lambda d: d.rel, only=site_rules)
    finally:
        set_current(previous)

    rels = {d.rel for d in docs}
    md_other = {d.rel for d in sources.values()} - rels
    findings = [f for f in run.findings if f.file not in md_other]
    if strict_privacy:
        # Every PRIV-* problem blocks; an "info" note (e.g. a recorded 惩戒公示 exemption) is not a problem.
        findings = [dataclasses.replace(f, severity="error") if f.rule.startswith("PRIV-") and f.severity == "warning"
                    else f for f in findings]
    from .report import safe_findings

    # What the terminal / --json shows: masked values only, whatever a rule quoted (PRIV safety net).
    findings = sorted(set(safe_findings(findings, run)), key=Finding.sort_key)
    return findings, 1 if any(f.blocking for f in findings) else 0


def print_findings(findings: Sequence[Finding], files: int, stream: TextIO | None = None) -> None:
    """Editor-friendly text: grouped by file, each finding with its fix and rule document."""
    from .report import rule_doc

    out = stream or sys.stdout
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file or "（全站）", []).append(f)
    for name, items in by_file.items():
        print(name, file=out)
        for f in items:
            where = f"第 {f.line} 行 " if f.line else ""
            fld = f"[{f.field}] " if f.field else ""
            print(f"  {SEVERITY_ZH[f.severity]} {f.rule} {where}{fld}{f.message}", file=out)
            if f.fix:
                print(f"      修改建议：{f.fix}", file=out)
            print(f"      规则说明：{rule_doc(f.rule)}", file=out)
    errors = sum(1 for f in findings if f.blocking)
    warnings = sum(1 for f in findings if f.severity == "warning")
    verdict = "未通过" if errors else "通过"
    print(f"检查了 {files} 个文件：{verdict}，{errors} 项阻断性错误，{warnings} 项警告。", file=out)


def _run_cli(args: argparse.Namespace) -> int:
    files = expand_paths(args.paths)
    if not files:
        print("没有找到要检查的 Markdown 文件。", file=sys.stderr)
        return 0
    findings, code = check_files(files, root=Path(args.root), strict_privacy=args.strict_privacy,
                                 settings_file=args.settings)
    if args.json:
        json.dump({"passed": code == 0, "findings": [f.to_dict() for f in findings]}, sys.stdout, ensure_ascii=False,
                  indent=2)
        print()
    else:
        print_findings(findings, len(files))
    return code


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE", help="Markdown 源文件或目录")
    p.add_argument("--root", default=".", help="项目根目录（含 pelicanconf.py）")
    p.add_argument("--settings", default="pelicanconf.py")
    p.add_argument("--strict-privacy", action="store_true", help="个人信息（PRIV-*）问题一律阻断（pre-commit 使用）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=_run_cli)


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``check-file`` on ``python -m govsite``'s sub-parsers (dispatch: ``args.func(args)``)."""
    p = subparsers.add_parser("check-file", help="只检查指定的 Markdown 文件（内容阶段规则，不构建网站）")
    _configure(p)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govsite check-file", description="只检查指定的 Markdown 文件（内容阶段规则）")
    _configure(parser)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
