"""Privacy tasks: masked copies of attachments for the editor to review, masking text, scanning files."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent


def _policy():  # type: ignore[no-untyped-def]
    from checks.privacy import project_policy

    state = project_policy(ROOT)
    if state.problems:
        for message, line in state.problems:
            print(f"{state.file}:{line or 1}: PRIV-007 {message}", file=sys.stderr)
        sys.exit(2)
    return state.policy


@task(name="mask-file", help={"src": "原附件（.xlsx .xlsm .docx .csv .txt）", "dst": "脱敏副本的保存路径（不能与原文件相同）"})
def mask_file(c, src, dst):
    """生成附件的脱敏副本，核对后替换原附件 / Write a masked copy of an attachment for review."""
    from checks.privacy import safe
    from govsite.privacy import AttachmentError, write_masked_copy

    policy = _policy()
    s, d = Path(src), Path(dst)
    if s.resolve() == d.resolve():
        print("脱敏副本不能覆盖原文件：请指定另一个 --dst，核对后再替换原附件", file=sys.stderr)
        sys.exit(2)
    try:
        count = write_masked_copy(s, d, policy)
    except AttachmentError as exc:
        print(f"未生成：{safe(str(exc), policy)}", file=sys.stderr)
        sys.exit(1)
    print(f"已生成脱敏副本 {safe(str(d), policy)}：遮盖 {count} 处。请打开核对（尤其是合并单元格、图片和批注），"
          "确认无误后用它替换原附件，再重新构建。")


@task(help={"root": "项目根目录（默认本项目）"})
def mask(c, root=None):
    """遮盖标准输入中的个人信息，输出到标准输出（与发布时完全相同）/ Mask stdin to stdout."""
    from govsite.__main__ import main

    sys.exit(main(["mask", "--root", str(root or ROOT)]))


@task(iterable=["path"], help={"path": "要检查的文件或目录（可重复），默认 content/"})
def scan(c, path=None):
    """检查文件中未遮盖的个人信息（只显示遮盖后的值）/ Scan files for unmasked personal data."""
    from checks.privacy import scan_for_cli

    lines = scan_for_cli(path or [ROOT / "content"], ROOT, _policy())
    if lines:
        print(f"发现 {len(lines)} 处问题。", file=sys.stderr)
        sys.exit(1)
    print("未发现未遮盖的个人信息。")
