"""Content stage: raw HTML in Markdown must not carry scripts, frames, event handlers or hiding tricks.

Editors write Markdown; raw HTML is allowed for simple markup (tables, <br>, <img alt>), but anything
that runs code, embeds another site, redirects or hides content is rejected with file:line — unless a
maintainer reviewed it and listed the construct in the document's ``html_allow`` metadata.
"""

from __future__ import annotations

import re

from govsite.registry import rule
from govsite.run import RuleContext
from govsite.source import SourceDoc

CLAUSE = "《政府网站与政务新媒体检查指标》单项否决「页面被挂马、内容被篡改」；INTEG-004 禁止非模板产生的脚本"
FENCE_RE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
INLINE_CODE_RE = re.compile(r"`[^`\n]+`")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)

# (construct key for html_allow, pattern, Chinese description)
PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    ("script", re.compile(r"<\s*script\b", re.I), "<script> 脚本"),
    ("iframe", re.compile(r"<\s*i?frame\b", re.I), "<iframe>/<frame> 内嵌页面"),
    ("object", re.compile(r"<\s*(object|embed|applet)\b", re.I), "<object>/<embed> 插件"),
    ("style", re.compile(r"<\s*style\b", re.I), "<style> 样式块（可能隐藏内容）"),
    ("meta", re.compile(r"<\s*meta\b", re.I), "<meta> 标签（如自动跳转 refresh）"),
    ("base", re.compile(r"<\s*base\b", re.I), "<base> 标签（会改变全部链接）"),
    ("form", re.compile(r"<\s*form\b", re.I), "<form> 表单（提交到未知地址）"),
    ("link", re.compile(r"<\s*link\b", re.I), "<link> 外部资源"),
    ("svg", re.compile(r"<\s*(svg|math)\b", re.I), "<svg>/<math>（可携带脚本）"),
    ("event", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "内联事件处理器（onclick= 等）"),
    ("javascript", re.compile(r"(javascript|vbscript)\s*:", re.I), "javascript: 网址"),
    ("data-url", re.compile(r"""(?:\b(?:href|src|action|formaction)\s*=\s*["']?\s*data:|\]\(\s*data:)""", re.I),
     "data: 网址"),
    ("hidden", re.compile(r"""style\s*=\s*["'][^"']*(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|"""
                          r"""text-indent\s*:\s*-\d{3,}|left\s*:\s*-\d{3,}|top\s*:\s*-\d{3,})""", re.I),
     "用样式隐藏内容（暗链常用手法）"),
    ("marquee", re.compile(r"<\s*marquee\b", re.I), "<marquee> 滚动字幕"),
]


def _code_free(body: str) -> str:
    """Blank out code blocks, inline code and comments, keeping offsets (and so line numbers) intact."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    body = FENCE_RE.sub(blank, body)
    body = COMMENT_RE.sub(blank, body)
    return INLINE_CODE_RE.sub(blank, body)


def allowed_constructs(doc: SourceDoc) -> set[str]:
    raw = doc.get("html_allow")
    return {p.strip().lower() for p in re.split(r"[,，;；\s]+", raw) if p.strip()} if raw else set()


@rule("SEC-001", title="正文中不得含有脚本、内嵌页面、事件处理器等危险 HTML", stage="content", clause=CLAUSE,
      confidence="derived",
      fix="删除该 HTML，改用 Markdown 写法；确需使用时由维护人员审核后在 html_allow 中登记（如 html_allow: iframe 审核人：××）",
      why="政府网站被挂马、植入暗链多从正文 HTML 注入开始；生成器只发布模板产生的脚本。",
      example_bad='<a href="#" onclick="location=\'http://x\'">点击</a>', example_good="[县政府门户](https://www.example-county.gov.cn/)")
def hostile_html(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.fatal:
        return
    allowed = allowed_constructs(doc)
    body = _code_free(doc.body)
    for key, pattern, label in PATTERNS:
        if key in allowed:
            continue
        for m in pattern.finditer(body):
            snippet = doc.body[m.start(): m.start() + 40].splitlines()[0]
            ctx.report(f"正文含有{label}：「{snippet}」", file=doc.path, line=doc.body_line_of(m.start()))
    for key in ("title", "summary", "source", "author", "keywords"):
        mv = doc.meta.get(key)
        if mv and re.search(r"<\s*[a-z!/]", mv.value, re.I):
            ctx.report(f"元数据 {key} 中不能含有 HTML 标签", file=doc.path, line=mv.line, field=key,
                       fix="元数据只写纯文字")
