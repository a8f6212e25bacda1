"""HTML5 conformance with the reference parser (html5lib): parse errors with line:column, duplicate ids.

html5lib costs ~4 ms per page (selectolax ~0.1 ms), so the build does not run it on every page every
time: rule A11Y-014 checks one page per template plus the pages whose bytes changed since they last
passed, remembered in a small content-hash cache (``.govsite-cache/conformance.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import html5lib
from html5lib.constants import E as HTML5LIB_MESSAGES

CACHE_SCHEMA = "govsite-conformance/1"

# Chinese wording for the parse errors templates and editors actually produce; others fall back to the code.
ZH: dict[str, str] = {
    "unexpected-end-tag": "多余的结束标签 </{name}>（没有对应的开始标签），已被忽略",
    "end-tag-too-early": "结束标签 </{name}> 出现得太早，还有未闭合的元素",
    "end-tag-too-early-named": "遇到结束标签 </{gotName}>，但应先闭合 <{expectedName}>",
    "end-tag-too-early-ignored": "结束标签 </{name}> 出现得太早，已被忽略",
    "expected-one-end-tag-but-got-another": "遇到结束标签 </{gotName}>，但 <{expectedName}> 还没有闭合",
    "missing-end-tag": "缺少结束标签 </{name}>",
    "missing-end-tags": "缺少结束标签 </{name}>",
    "expected-named-closing-tag-but-got-eof": "文件结束时 <{name}> 仍未闭合",
    "duplicate-attribute": "同一元素上重复的属性（后一个被丢弃）",
    "unexpected-start-tag": "不允许出现在此处的开始标签 <{name}>",
    "unexpected-start-tag-implies-end-tag": "开始标签 <{startName}> 隐式闭合了 <{endName}>（嵌套错误）",
    "unexpected-start-tag-ignored": "开始标签 <{name}> 不允许出现在此处，已被忽略",
    "unexpected-start-tag-treated-as": "开始标签 <{originalName}> 被当作 <{newName}> 处理",
    "unexpected-end-tag-treated-as": "结束标签 </{originalName}> 被当作 </{newName}> 处理",
    "adoption-agency-1.1": "结束标签 </{name}> 与开始标签交叉嵌套",
    "adoption-agency-1.2": "结束标签 </{name}> 与开始标签交叉嵌套",
    "adoption-agency-1.3": "结束标签 </{name}> 与开始标签交叉嵌套",
    "adoption-agency-4.4": "结束标签 </{name}> 与开始标签交叉嵌套",
    "unexpected-char-implies-table-voodoo": "表格中出现了不在单元格里的文字",
    "unexpected-start-tag-implies-table-voodoo": "表格中出现了不在单元格里的元素 <{name}>",
    "unexpected-end-tag-implies-table-voodoo": "表格中出现了不匹配的结束标签 </{name}>",
    "unexpected-cell-in-table-body": "单元格 <{name}> 不在表格行 <tr> 中",
    "expected-doctype-but-got-start-tag": "页面缺少 <!DOCTYPE html> 声明",
    "expected-doctype-but-got-chars": "页面缺少 <!DOCTYPE html> 声明",
    "expected-doctype-but-got-eof": "页面缺少 <!DOCTYPE html> 声明",
    "unknown-doctype": "DOCTYPE 不是 HTML5 的 <!DOCTYPE html>",
    "named-entity-without-semicolon": "字符实体缺少分号（如 &amp;nbsp 应写作 &amp;nbsp;）",
    "numeric-entity-without-semicolon": "数字字符实体缺少分号",
    "eof-in-comment": "注释没有结束（缺少 -->）",
    "eof-in-tag-name": "文件在标签中途结束",
    "unexpected-character-after-attribute-value": "属性值后面缺少空格",
    "unexpected-character-in-unquoted-attribute-value": "未加引号的属性值中有非法字符",
    "invalid-character-in-attribute-name": "属性名中有非法字符",
    "non-void-element-with-trailing-solidus": "非空元素 <{name}/> 不能自闭合",
    "unexpected-char-after-body": "</body> 之后还有内容",
    "unexpected-start-tag-after-body": "</body> 之后还有元素 <{name}>",
    "two-heads-are-not-better-than-one": "页面有两个 <head>",
    "unexpected-start-tag-out-of-my-head": "<{name}> 应在 <head> 中",
    "deprecated-tag": "已废弃的标签 <{name}>",
    "null-character": "页面中含有空字符（U+0000）",
    "invalid-codepoint": "页面中含有非法字符",
    "duplicate-id": "id「{id}」在页面中重复出现（第一次在第 {first} 行）",
}

_ID_RE = re.compile(r"""<[a-zA-Z][^<>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


@dataclass(frozen=True)
class ParseIssue:
    line: int
    col: int
    code: str
    message: str  # Chinese
    detail: str  # html5lib's English message

    def describe(self) -> str:
        return f"第 {self.line} 行第 {self.col} 列：{self.message}"


def _zh(code: str, data: dict[str, object]) -> str:
    template = ZH.get(code)
    if template is None:
        return f"HTML 语法错误（{code}）"
    try:
        return template.format(**{k: str(v) for k, v in data.items()})
    except (KeyError, IndexError, ValueError):
        return template


def _english(code: str, data: dict[str, object]) -> str:
    template = HTML5LIB_MESSAGES.get(code, code)
    try:
        return template % data
    except (KeyError, TypeError, ValueError):
        return template


def _duplicate_ids(text: str) -> list[ParseIssue]:
    """Repeated id attributes (html5lib does not report them; WCAG 4.1.1 / GB/T 37668 兼容性)."""
    seen: dict[str, int] = {}
    out: list[ParseIssue] = []
    # Scripts and comments cannot hold elements; blank them so their text is not mistaken for tags.
    masked = re.sub(r"(?is)<script\b.*?</script>|<!--.*?-->",
                    lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for m in _ID_RE.finditer(masked):
        ident = next(g for g in m.groups() if g is not None)
        line = masked.count("\n", 0, m.start()) + 1
        col = m.start() - (masked.rfind("\n", 0, m.start()) + 1) + 1
        if ident in seen:
            data = {"id": ident, "first": seen[ident]}
            out.append(ParseIssue(line, col, "duplicate-id", _zh("duplicate-id", data), f"Duplicate id {ident!r}"))
        else:
            seen[ident] = line
    return out


def check_html(text: str) -> list[ParseIssue]:
    """Every HTML5 parse error (html5lib, the spec's tokenizer and tree builder) plus duplicate ids."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    parser.parse(text)
    issues: list[ParseIssue] = []
    for (line, col), code, data in parser.errors:
        data = dict(data or {})
        issues.append(ParseIssue(int(line or 0), int(col or 0), str(code), _zh(str(code), data),
                                 _english(str(code), data)))
    issues.extend(_duplicate_ids(text))
    issues.sort(key=lambda i: (i.line, i.col, i.code))
    return issues


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


class ConformanceCache:
    """Pages (output path → sha256 of their HTML) that passed the last time they were checked."""

    def __init__(self, path: Path):
        self.path = path
        self.pages: dict[str, str] = {}
        self.version = getattr(html5lib, "__version__", "?")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") == CACHE_SCHEMA and data.get("html5lib") == self.version:
                self.pages = {str(k): str(v) for k, v in data.get("pages", {}).items()}
        except (OSError, ValueError, AttributeError):
            self.pages = {}  # absent or corrupt: everything counts as changed

    def passed(self, page_path: str, page_digest: str) -> bool:
        return self.pages.get(page_path) == page_digest

    def record(self, page_path: str, page_digest: str, clean: bool) -> None:
        if clean:
            self.pages[page_path] = page_digest
        else:
            self.pages.pop(page_path, None)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"schema": CACHE_SCHEMA, "html5lib": self.version, "pages": dict(sorted(self.pages.items()))}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=0), encoding="utf-8")
        os.replace(tmp, self.path)
