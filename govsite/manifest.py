"""INTEG-004 防篡改 manifest: the SHA-256 of every published file, written into the output itself.

The format is ``sha256sum``'s (``<hex>  <path>``, one file a line, sorted by path), so a server can
also check it with ``sha256sum -c manifest.sha256``. It is deterministic: same output → same bytes.
``verify_manifest`` compares a deployed directory with the manifest and lists every added, removed
or changed file (a web shell dropped next to the pages is an *added* file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MANIFEST_NAME = "manifest.sha256"


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def compute(directory: Path) -> dict[str, str]:
    """``{relative posix path: sha256}`` for every regular file except the manifest itself."""
    directory = Path(directory)
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(directory).as_posix()
            if rel == MANIFEST_NAME or not path.is_file():
                continue
            out[rel] = file_sha256(path)
    return dict(sorted(out.items()))


def render(entries: dict[str, str]) -> str:
    return "".join(f"{digest}  {rel}\n" for rel, digest in sorted(entries.items()))


def parse(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, rel = line.partition("  ")
        if not sep:
            digest, sep, rel = line.partition(" *")  # sha256sum binary-mode marker
        if sep and len(digest) == 64:
            out[rel] = digest.lower()
    return out


def write_manifest(directory: Path) -> Path:
    """Write ``manifest.sha256`` into ``directory`` (atomically) and return its path."""
    directory = Path(directory)
    target = directory / MANIFEST_NAME
    text = render(compute(directory))
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, target)
    return target


def diff(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    problems = []
    for rel in sorted(set(actual) - set(expected)):
        problems.append(f"新增文件（清单中没有）：{rel}")
    for rel in sorted(set(expected) - set(actual)):
        problems.append(f"缺少文件（已被删除）：{rel}")
    for rel in sorted(set(expected) & set(actual)):
        if expected[rel] != actual[rel]:
            problems.append(f"文件内容被修改：{rel}")
    return problems


def verify_manifest(deployed_dir: Path, manifest: Path | None = None) -> list[str]:
    """Differences between ``deployed_dir`` and its manifest (default: the one published inside it).

    An empty list means the deployed files are exactly the built ones. Pass ``manifest`` to verify
    against a copy kept off the web server, so that an attacker cannot rewrite both.
    """
    deployed_dir = Path(deployed_dir)
    if not deployed_dir.is_dir():
        return [f"目录不存在：{deployed_dir}"]
    source = Path(manifest) if manifest else deployed_dir / MANIFEST_NAME
    if not source.is_file():
        return [f"找不到文件清单 {source}（网站可能不是 govsite 构建的，或清单已被删除）"]
    expected = parse(source.read_text(encoding="utf-8", errors="replace"))
    if not expected:
        return [f"文件清单 {source} 是空的或格式错误"]
    return diff(expected, compute(deployed_dir))
