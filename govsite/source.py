"""Strict reader for editors' Markdown: metadata with line numbers, clear Chinese problems, never a traceback.

Pelican's own reader accepts many date spellings and silently skips files it cannot read; this
parser is stricter and remembers where every value came from, so every finding can name file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .clock import SHANGHAI
from .contract import ALL_KEYS, keys_for

MAX_SOURCE_BYTES = 5 * 1024 * 1024
KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)$")
DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$", re.ASCII)
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class MetaValue:
    value: str
    line: int


@dataclass(frozen=True)
class Problem:
    message: str
    fix: str
    line: int | None = None
    field: str | None = None
    fatal: bool = True  # the file cannot be published at all


@dataclass
class SourceDoc:
    path: Path
    rel: str
    meta: dict[str, MetaValue] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    # set later by the build: the Pelican content object and its output URL
    content: Any = None

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)

    def get(self, key: str, default: str = "") -> str:
        mv = self.meta.get(key)
        return mv.value if mv else default

    def line_of(self, key: str) -> int | None:
        mv = self.meta.get(key)
        return mv.line if mv else None

    @property
    def doc_type(self) -> str:
        return self.get("type") or ("page" if "/pages/" in f"/{self.rel}" else "news")

    @property
    def title(self) -> str:
        return self.get("title")

    @property
    def date(self) -> datetime | None:
        return parse_datetime(self.get("date"))

    @property
    def category(self) -> str:
        return self.get("category")

    @property
    def published(self) -> bool:
        return self.get("status", "published") == "published"

    def body_line_of(self, offset: int) -> int:
        """1-based file line of a character offset in the body."""
        return self.body_line + self.body.count("\n", 0, offset)


def parse_datetime(value: str) -> datetime | None:
    m = DATETIME_RE.match(value.strip()) if value else None
    if not m:
        return None
    y, mo, d, h, mi = (int(x) for x in m.groups())
    try:
        return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    m = DATE_RE.match(value.strip()) if value else None
    if not m:
        return None
    try:
        return date(*(int(x) for x in m.groups()))
    except ValueError:
        return None


def datetime_problem(value: str) -> str | None:
    """Why a date-time value is wrong, in Chinese, or None when it is fine."""
    v = value.strip()
    if parse_datetime(v):
        return None
    if DATETIME_RE.match(v):
        return f"「{v}」不是真实存在的日期或时间（如 2 月 30 日、24:00）"
    if re.match(r"^\d{4}-\d{2}-\d{2}$", v):
        return f"「{v}」缺少时分，应写成 YYYY-MM-DD HH:MM"
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", v):
        return f"「{v}」带了秒或时区，应写成 YYYY-MM-DD HH:MM（北京时间）"
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", v):
        return f"「{v}」带了时区，发布时间一律按北京时间写成 YYYY-MM-DD HH:MM"
    return f"「{v}」格式不对，应写成 YYYY-MM-DD HH:MM（例如 2026-11-20 09:30）"


def read_source(path: Path, root: Path) -> SourceDoc:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    doc = SourceDoc(path=path, rel=rel)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem(f"无法读取文件：{exc.strerror or exc}", "检查文件权限或是否为损坏的链接"))
        return doc
    if not raw.strip():
        doc.problems.append(Problem("文件是空的", "删除该文件，或写入元数据（title、date 等）和正文"))
        return doc
    if len(raw) > MAX_SOURCE_BYTES:
        doc.problems.append(Problem(
            f"文件过大（{len(raw) // 1024 // 1024} MB，上限 {MAX_SOURCE_BYTES // 1024 // 1024} MB）",
            "把大段数据放进附件（如 .xlsx），正文只保留说明",
        ))
        return doc
    if b"\x00" in raw[:8192]:
        doc.problems.append(Problem("这不是文本文件（含二进制内容），却用了 .md 扩展名", "附件请放到 content/attachments/，并改用正确的扩展名"))
        return doc
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # UTF-8 with BOM is common from Windows editors: accept it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(Problem(
            "文件不是 UTF-8 编码（可能是 GBK/GB2312）",
            "用编辑器「另存为 UTF-8」后重新提交", line=line,
        ))
        return doc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _parse_text(doc, text)
    return doc


def parse_text(text: str, rel: str = "<stdin>") -> SourceDoc:
    doc = SourceDoc(path=Path(rel), rel=rel)
    _parse_text(doc, text.replace("\r\n", "\n").replace("\r", "\n"))
    return doc


def _parse_text(doc: SourceDoc, text: str) -> None:
    lines = text.split("\n")
    i = 0
    last_key: str | None = None
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        if not line.strip():
            break
        if line[0] in " \t" and last_key:  # continuation of the previous value
            prev = doc.meta[last_key]
            doc.meta[last_key] = MetaValue((prev.value + " " + line.strip()).strip(), prev.line)
            i += 1
            continue
        m = KEY_RE.match(line)
        if not m:
            if i == 0:
                doc.problems.append(Problem(
                    "文件开头没有元数据",
                    "第一行起按「键: 值」写元数据（如 title: 标题），空一行后再写正文",
                    line=1,
                ))
                doc.body, doc.body_line = text, 1
                return
            doc.problems.append(Problem(
                f"元数据行格式不对：「{line.strip()[:40]}」",
                "每行写成「键: 值」，键用英文（如 title、date），元数据与正文之间空一行",
                line=lineno,
            ))
            i += 1
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key in doc.meta:
            doc.problems.append(Problem(
                f"元数据 {key} 重复出现（第 {doc.meta[key].line} 行已写过）",
                f"删除多余的一行，只保留一个 {key}", line=lineno, field=key,
            ))
        elif key not in ALL_KEYS:
            from difflib import get_close_matches

            near = get_close_matches(key, list(ALL_KEYS), n=1)
            hint = f"是不是 {near[0]}？" if near else "可用的键见《编辑手册》。"
            doc.problems.append(Problem(f"未知的元数据键「{key}」", f"{hint}拼写错误的键会被忽略，导致信息缺失", line=lineno,
                                        field=key))
        else:
            doc.meta[key] = MetaValue(value, lineno)
        last_key = key if key in doc.meta else None
        i += 1
    doc.body = "\n".join(lines[i + 1:]) if i < len(lines) else ""
    doc.body_line = i + 2
    doc_type = doc.get("type")
    if doc_type:
        allowed = keys_for(doc_type)
        for key, mv in doc.meta.items():
            if key not in allowed:
                doc.problems.append(Problem(
                    f"元数据 {key} 不适用于信息类型 {doc_type}",
                    "删除该行，或检查 type 是否填写正确", line=mv.line, field=key, fatal=False,
                ))
