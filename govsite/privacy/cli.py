"""Helpers for ``python -m govsite mask`` / ``invoke mask`` (wired by the CLI module).

Output never contains a raw value: findings show the masked form only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from govsite.privacy.attachments import SCANNABLE, AttachmentError, _read_text, scan_attachment
from govsite.privacy.detect import PiiMatch
from govsite.privacy.mask import mask_html, mask_markdown
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy

MARKDOWN = frozenset({".md", ".markdown"})
HTML = frozenset({".html", ".htm"})
IMAGES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
SUPPORTED = MARKDOWN | HTML | IMAGES | SCANNABLE


def mask_stream(stdin: TextIO, stdout: TextIO, policy: MaskPolicy = DEFAULT_POLICY) -> int:
    """Mask stdin as Markdown (exactly the build's masking) to stdout; returns the match count."""
    masked, matches = mask_markdown(stdin.read(), policy)
    stdout.write(masked)
    return len(matches)


def _display(m: PiiMatch) -> str:
    shown = m.masked if m.masked else "（门牌级地址，已截断）"
    return shown if m.where == "text" else f"{shown}（{m.where}）"


def format_finding(path: str, location: str | int, m: PiiMatch) -> str:
    return f"{path}:{location}: {m.rule} {m.label} {_display(m)}"


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and f.suffix.lower() in SUPPORTED and not any(x.startswith(".") for x in rel):
                    yield f
        else:
            yield p


def _scan_one(path: Path, policy: MaskPolicy) -> list[str]:
    suffix = path.suffix.lower()
    name = str(path)
    if suffix in MARKDOWN or suffix in HTML:
        text, _enc = _read_text(path)
        _out, found = (mask_markdown if suffix in MARKDOWN else mask_html)(text, policy)
        return [format_finding(name, text.count("\n", 0, m.start) + 1, m) for m in found]
    if suffix in IMAGES:
        from govsite.privacy.images import has_gps

        try:
            gps = has_gps(path)
        except Exception as exc:
            raise AttachmentError(f"图片 {path.name} 无法读取（{type(exc).__name__}）") from exc
        return [f"{name}:EXIF: PRIV-001 图片含GPS位置信息（行踪轨迹），发布前须清除"] if gps else []
    return [format_finding(name, h.location, h.match) for h in scan_attachment(path, policy)]


def scan_paths(
    paths: Iterable[str | Path], policy: MaskPolicy = DEFAULT_POLICY, *, out: TextIO | None = None
) -> list[str]:
    """Scan files/directories; print and return lines like
    ``path:line: PRIV-002 身份证号 110105********002X`` (errors: ``path: 错误 …``)."""
    stream = sys.stdout if out is None else out
    lines: list[str] = []
    for path in _expand(paths):
        try:
            found = _scan_one(path, policy)
        except AttachmentError as exc:
            found = [f"{path}: 错误 {exc}"]
        for line in found:
            print(line, file=stream)
        lines.extend(found)
    return lines
