"""Accessibility and 适老化 (rulebook §15): fast static checks on every page, axe-core in a real browser.

Page stage (selectolax, every page, every build):
  A11Y-001 关怀版 and 无障碍 entries in the header / top bar;  A11Y-002 关怀版 text ≥ 24px (18pt);
  A11Y-004 line spacing;  A11Y-005 no ads / pop-ups;  A11Y-007 focus outlines, big cursor, keyboard;
  A11Y-009 text alternatives and semantics (lang, unique title, headings, alt, labels, link text, th,
  autoplay, skip link) — with a content-stage twin that points at the Markdown file:line;
  A11Y-014 HTML5 conformance (html5lib; one page per template + changed pages).
Browser stage (plugin govsite_a11y):
  A11Y-013 axe-core WCAG 2.1 A/AA in headless Chromium, desktop / mobile / 关怀版 views.

CSS rules read the theme's stylesheets as written to the output (the cascade is evaluated statically
for ``html``, ``body``, ``.article-body`` and ``.article-body p`` in the standard and 关怀版 modes).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from govsite.htmlpage import OutputSite, Page, css_path, norm_ws
from govsite.registry import check, finish, rule
from govsite.run import BuildRun, RuleContext
from govsite.source import SourceDoc

if TYPE_CHECKING:
    from govsite.conformance import ConformanceCache

GBT = "GB/T 37668-2019《信息技术 互联网内容无障碍可访问性技术要求与测试方法》"
AGED = "《互联网网站适老化通用设计规范》（工信厅信管函〔2021〕67号 附件1）"
NOTICE = "国办公开办函〔2021〕28号（政府网站适老化与无障碍改造）"
PROJECT = "govsite 项目规则：以 axe-core 的 WCAG 2.1 A/AA 规则集作为 GB/T 37668 二级要求的代理（GB/T 37668 指标与 WCAG 2.x 对应）"

CARE_RE = re.compile(r"关怀版|长者模式|适老版|长辈版|老年人模式|关爱版|亲情版")
A11Y_RE = re.compile(r"无障碍")
CARE_PX = 24.0  # 18pt
VIEW_ZH = {"desktop": "桌面版", "mobile": "手机版", "care": "关怀版"}
CONTENT_FLAGS = "a11y_content_flags"  # run.data: {(doc.rel, kind, key)} already reported at the content stage
CACHE_DIR = ".govsite-cache"


# ---------------------------------------------------------------- page helpers


def is_redirect_stub(page: Page) -> bool:
    return page.is_redirect


def checked_pages(site: OutputSite) -> list[Page]:
    """Pages the accessibility rules look at: every HTML page except theme files and redirect stubs."""
    return [p for p in site if not p.path.startswith("theme/") and not is_redirect_stub(p)]


def template_of(page: Page) -> str:
    return page.template


def skipped(page: Page) -> bool:
    """Per-page checks skip what :func:`checked_pages` leaves out: theme files and redirect stubs."""
    return page.path.startswith("theme/") or is_redirect_stub(page)


def output_site(ctx: RuleContext) -> OutputSite | None:
    """The output site for a ``finish``: the page stage's own (build and audit set it), else the output directory."""
    site = ctx.run.data.get("output_site")
    if isinstance(site, OutputSite):
        return site
    cached = ctx.run.data.get("_a11y_output_site")  # "_": a per-process cache, never sent between processes
    if cached is None:
        out = ctx.run.data.get("output_dir")
        if out is None or not Path(out).is_dir():
            return None
        cached = ctx.run.data["_a11y_output_site"] = OutputSite.load(Path(out))
    return cached


def representatives(pages: Iterable[Page]) -> dict[str, Page]:
    """One page per template: the largest (most markup exercised), ties by path; stable across builds."""
    reps: dict[str, Page] = {}
    for page in pages:
        key = template_of(page)
        cur = reps.get(key)
        if cur is None or (page.size, page.path) > (cur.size, cur.path):
            reps[key] = page
    return dict(sorted(reps.items()))


def _attr(node: Any, name: str) -> str | None:
    return (node.attributes or {}).get(name)


def _hidden(node: Any) -> bool:
    attrs = node.attributes or {}
    return (attrs.get("aria-hidden") or "").strip().lower() == "true" or "hidden" in attrs


def _text_of(node: Any) -> str:
    """Text content for an accessible name: aria-hidden/hidden subtrees skipped, <img alt> included."""
    parts: list[str] = []
    child = node.child
    while child is not None:
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.is_element_node and not _hidden(child):
            if child.tag in ("img", "area") or (child.tag == "input" and _attr(child, "type") == "image"):
                parts.append(_attr(child, "alt") or "")
            elif child.tag not in ("script", "style", "template"):
                parts.append(_text_of(child))
        child = child.next
    return "".join(parts)


def _by_id(page: Page, ident: str) -> Any:
    if not ident or '"' in ident or "\\" in ident:
        return None
    try:
        return page.tree.css_first(f'[id="{ident}"]')
    except Exception:  # selectolax rejects odd ids
        return None


def accessible_name(node: Any, page: Page) -> str:
    """Simplified accname: aria-labelledby > aria-label > content (incl. img alt) > title."""
    ids = (_attr(node, "aria-labelledby") or "").split()
    if ids:
        texts = [norm_ws(_text_of(n)) for n in (_by_id(page, i) for i in ids) if n is not None]
        if any(texts):
            return " ".join(t for t in texts if t)
    label = norm_ws(_attr(node, "aria-label"))
    if label:
        return label
    text = norm_ws(_text_of(node))
    if text:
        return text
    return norm_ws(_attr(node, "title"))


def _ancestors(node: Any) -> Iterator[Any]:
    cur = node.parent
    while cur is not None and cur.tag not in ("html", "-undef", None):
        yield cur
        cur = cur.parent


def _has_class(node: Any, cls: str) -> bool:
    return cls in (_attr(node, "class") or "").split()


def in_article_body(node: Any) -> bool:
    return any(_has_class(a, "article-body") for a in _ancestors(node))


def docs_by_path(run: BuildRun) -> dict[str, SourceDoc]:
    """Output path (e.g. ``gzdt/202611/t20261118_x.html``) → the Markdown source it was rendered from."""
    # "_": a per-process cache; parallel page workers do not send the documents back to the main process.
    cached = run.data.get("_a11y_docs_by_path")
    if cached is not None:
        return cached
    out: dict[str, SourceDoc] = {}
    model = run.data.get("site")
    for doc in getattr(model, "docs", None) or []:
        url = getattr(doc.content, "url", None)
        if url:
            out[unquote(str(url)).lstrip("/")] = doc
    run.data["_a11y_docs_by_path"] = out
    return out


def _line_in_doc(doc: SourceDoc, needles: Iterable[str | None]) -> int | None:
    for needle in needles:
        if needle:
            pos = doc.body.find(needle)
            if pos >= 0:
                return doc.body_line_of(pos)
    return None


def _src_key(src: str | None) -> str:
    path = urlsplit((src or "").strip()).path
    return unquote(path.rsplit("/", 1)[-1]).lower()


def report_page_fault(ctx: RuleContext, page: Page, node: Any, message: str, *, kind: str, key: str = "",
                      needles: Iterable[str | None] = (), severity: str | None = None, fix: str | None = None) -> None:
    """Report a page fault; one inside ``.article-body`` is the editor's: point at the Markdown source.

    A fault the content stage already reported with file:line (same document, kind and key) is not repeated.
    """
    selector = css_path(node) if node is not None else None
    doc = docs_by_path(ctx.run).get(page.path) if node is not None and in_article_body(node) else None
    if doc is None:
        ctx.report(message, url=page.url, selector=selector, severity=severity, fix=fix)
        return
    if (doc.rel, kind, key) in ctx.run.data.get(CONTENT_FLAGS, set()):
        return
    ctx.report(f"正文内容：{message}", file=doc.path, line=_line_in_doc(doc, needles), url=page.url,
               selector=selector, severity=severity, fix=fix)


# ---------------------------------------------------------------- CSS (static cascade)

CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
GROUPING_AT = ("@media", "@supports", "@layer", "@container", "@document", "@scope")


@dataclass(frozen=True)
class CssRule:
    selectors: tuple[str, ...]
    decls: tuple[tuple[str, str, bool], ...]  # (property, value, !important)
    media: tuple[str, ...]  # enclosing grouping at-rule preludes, outermost first
    line: int
    sheet: str  # output-relative path of the stylesheet


def _block_end(text: str, open_pos: int) -> int:
    depth = 0
    i = open_pos
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            i = n if end < 0 else end + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return n


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, cur, quote = [], 0, [], ""
    for c in text:
        if quote:
            cur.append(c)
            if c == quote:
                quote = ""
            continue
        if c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    parts.append("".join(cur))
    return parts


def _decls(body: str) -> tuple[tuple[str, str, bool], ...]:
    out = []
    for part in _split_top(body, ";"):
        if ":" not in part or "{" in part:
            continue
        prop, _, value = part.partition(":")
        prop = prop.strip()
        prop = prop if prop.startswith("--") else prop.lower()
        value = value.strip()
        important = bool(re.search(r"!\s*important\s*$", value, re.I))
        value = re.sub(r"!\s*important\s*$", "", value, flags=re.I).strip()
        if prop:
            out.append((prop, value, important))
    return tuple(out)


def norm_selector(sel: str) -> str:
    sel = re.sub(r"\s+", " ", sel.strip())
    return re.sub(r"\s*([>+~])\s*", r" \1 ", sel).strip()


def parse_css(text: str, sheet: str = "") -> list[CssRule]:
    """Style rules with their selectors, declarations, enclosing @media and line; other at-rules skipped."""
    text = CSS_COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    rules: list[CssRule] = []
    stack: list[str] = []
    i, start, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            i = n if end < 0 else end + 1
            continue
        if c == ";":
            start = i + 1  # end of an @import / @charset statement
        elif c == "{":
            prelude = text[start:i].strip()
            head = prelude.split(None, 1)[0].lower() if prelude else ""
            if head.startswith("@") and any(head == g for g in GROUPING_AT):
                stack.append(prelude)
                i += 1
                start = i
                continue
            end = _block_end(text, i)
            if prelude and not head.startswith("@"):
                lead = start + (len(text[start:i]) - len(text[start:i].lstrip()))
                selectors = tuple(norm_selector(s) for s in _split_top(prelude, ",") if s.strip())
                rules.append(CssRule(selectors, _decls(text[i + 1:end]), tuple(stack),
                                     text.count("\n", 0, lead) + 1, sheet))
            i = end + 1
            start = i
            continue
        elif c == "}":
            if stack:
                stack.pop()
            start = i + 1
        i += 1
    return rules


_MEDIA_FEATURE = re.compile(r"\(\s*(min|max)-width\s*:\s*([\d.]+)(px|em|rem)\s*\)")


def _query_matches(query: str, width: int) -> bool:
    q = query.strip().lower()
    if not q:
        return True
    if q.startswith("not ") or q.startswith("only print") or re.match(r"^(print|speech)\b", q):
        return False
    if re.search(r"prefers-|orientation|hover|pointer|forced-colors|resolution|aspect-ratio|height", q):
        return False  # conservative: not part of the views the checks evaluate
    for kind, num, unit in _MEDIA_FEATURE.findall(q):
        px = float(num) * (16.0 if unit in ("em", "rem") else 1.0)
        if (kind == "max" and width > px) or (kind == "min" and width < px):
            return False
    return True


def media_applies(media: tuple[str, ...], width: int) -> bool:
    for prelude in media:
        head, _, query = prelude.partition(" ")
        if head.lower() != "@media":
            continue
        if not any(_query_matches(part, width) for part in _split_top(query, ",")):
            return False
    return True


_CARE_SEL = re.compile(r"^(?:html|:root)?(?:\.care|:has\(\s*#care:target\s*\))(?=$|[\s>+~])\s*(?:>\s*)?(?P<rest>.*)$")


def care_base(selector: str) -> str | None:
    """``html.care body`` → ``body``; ``html:has(#care:target)`` → ``html``; not a 关怀版 selector → None."""
    m = _CARE_SEL.match(selector)
    if not m:
        return None
    return m.group("rest").strip() or "html"


def is_care_rule(r: CssRule) -> bool:
    return any(care_base(s) is not None for s in r.selectors)


KEYWORD_PX = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0,
              "xx-large": 32.0, "xxx-large": 48.0}
CHAIN = ("html", "body", ".article-body", ".article-body p")


class Cascade:
    """The winning declarations for a few selectors in one mode (standard / 关怀版) at one viewport width."""

    def __init__(self, rules: list[CssRule], *, care: bool, width: int):
        self.care = care
        self.width = width
        self.rules = [r for r in rules if media_applies(r.media, width)]

    def decl(self, target: str, prop: str) -> tuple[str, CssRule] | None:
        best: tuple[tuple[bool, bool, int], str, CssRule] | None = None
        for idx, r in enumerate(self.rules):
            for sel in r.selectors:
                base = care_base(sel)
                is_care = base is not None
                if is_care and not self.care:
                    continue
                b = base if is_care else sel
                if b != target and not (target == "html" and b == ":root"):
                    continue
                for p, v, imp in r.decls:
                    if p == prop:
                        rank = (imp, is_care, idx)
                        if best is None or rank >= best[0]:
                            best = (rank, v, r)
        return (best[1], best[2]) if best else None

    def resolve(self, value: str, depth: int = 0) -> str:
        if "var(" not in value or depth > 8:
            return value

        def sub(m: re.Match[str]) -> str:
            name, fallback = m.group(1), (m.group(2) or "").strip()
            found = self.decl("html", name) or self.decl("body", name)
            return self.resolve(found[0], depth + 1) if found else fallback

        return self.resolve(re.sub(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)", sub, value), depth + 1)

    @staticmethod
    def length_px(value: str, parent_px: float, root_px: float) -> float | None:
        v = value.strip().lower()
        if v in KEYWORD_PX:
            return KEYWORD_PX[v]
        m = re.fullmatch(r"(-?[\d.]+)(px|pt|em|rem|%)?", v)
        if not m:
            return None
        num = float(m.group(1))
        unit = m.group(2) or ""
        if unit == "px" or (unit == "" and num == 0):
            return num
        return {"pt": num * 4 / 3, "em": num * parent_px, "rem": num * root_px, "%": num / 100 * parent_px}.get(unit)

    def metrics(self, target: str = ".article-body p") -> dict[str, Any]:
        """Computed font-size (px) and line-height (ratio) of ``target`` along html → body → … → target."""
        chain = CHAIN[: CHAIN.index(target) + 1] if target in CHAIN else ("html", "body", target)
        root_px = 16.0
        font_px = 16.0
        font_rule: CssRule | None = None
        lh: tuple[str, float] = ("number", 1.2)  # "normal"
        lh_rule: CssRule | None = None
        unknown: list[str] = []
        for i, sel in enumerate(chain):
            found = self.decl(sel, "font-size")
            if found is not None:
                value = self.resolve(found[0])
                parent = 16.0 if i == 0 else font_px
                px = self.length_px(value, parent, root_px if i else 16.0)
                if px is None:
                    unknown.append(f"{sel} {{ font-size: {found[0]} }}")
                else:
                    font_px, font_rule = px, found[1]
            if i == 0:
                root_px = font_px
            found = self.decl(sel, "line-height")
            if found is not None:
                value = self.resolve(found[0]).strip().lower()
                if value == "normal":
                    lh, lh_rule = ("number", 1.2), found[1]
                elif re.fullmatch(r"[\d.]+", value):
                    lh, lh_rule = ("number", float(value)), found[1]
                else:
                    px = self.length_px(value, font_px, root_px)
                    if px is None:
                        unknown.append(f"{sel} {{ line-height: {found[0]} }}")
                    else:
                        lh, lh_rule = ("px", px), found[1]
        ratio = lh[1] if lh[0] == "number" else lh[1] / font_px if font_px else 0.0
        return {"font_px": font_px, "font_rule": font_rule, "line_height": ratio, "lh_rule": lh_rule,
                "unknown": unknown}

    def margin_bottom_px(self, target: str, font_px: float, root_px: float) -> float | None:
        found = self.decl(target, "margin-bottom") or self.decl(target, "margin-block-end")
        value: str | None = self.resolve(found[0]) if found else None
        if value is None:
            short = self.decl(target, "margin")
            block = self.decl(target, "margin-block")
            if short is not None:
                parts = self.resolve(short[0]).split()
                value = (parts[2] if len(parts) >= 3 else parts[0]) if parts else None
            elif block is not None:
                parts = self.resolve(block[0]).split()
                value = parts[-1] if parts else None
        return self.length_px(value, font_px, root_px) if value else None


@dataclass
class Sheet:
    rel: str  # output-relative path
    path: Path  # file in the output
    source: Path | None  # theme source file, when the stylesheet comes from the theme
    rules: list[CssRule]


def stylesheets(site: OutputSite, ctx: RuleContext) -> list[Sheet]:
    cache = ctx.run.data.setdefault("a11y_css", {})
    key = str(site.root)
    if key in cache:
        return cache[key]
    static_dir = str(ctx.settings.get("THEME_STATIC_DIR", "theme")).strip("/")
    theme = Path(str(ctx.settings.get("THEME", "theme")))
    if not theme.is_absolute():
        theme = ctx.run.root / theme
    sheets = []
    for rel in site.files:
        if not rel.endswith(".css"):
            continue
        path = site.root / rel
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        source = None
        if rel.startswith(static_dir + "/"):
            for sub in ctx.settings.get("THEME_STATIC_PATHS", ["static"]) or ["static"]:
                cand = theme / str(sub) / rel[len(static_dir) + 1:]
                if cand.is_file():
                    source = cand
                    break
        sheets.append(Sheet(rel, path, source, parse_css(text, rel)))
    cache[key] = sheets
    return sheets


def all_rules(sheets: list[Sheet]) -> list[CssRule]:
    return [r for s in sheets for r in s.rules]


def report_css(ctx: RuleContext, sheets: list[Sheet], r: CssRule | None, message: str, *,
               severity: str | None = None, fix: str | None = None) -> None:
    sheet = next((s for s in sheets if r is not None and s.rel == r.sheet), None)
    if sheet is not None and sheet.source is not None:
        ctx.report(message, file=sheet.source, line=r.line if r else None, severity=severity, fix=fix)
    else:
        ctx.report(message, url=f"/{sheet.rel}" if sheet else None, selector=", ".join(r.selectors) if r else None,
                   severity=severity, fix=fix)


# ---------------------------------------------------------------- A11Y-001 entries


def _header_controls(page: Page) -> list[Any]:
    """Links and buttons in <header> and everything before <main> (the top bar)."""
    seen: set[int] = set()
    out: list[Any] = []

    def add(node: Any) -> None:
        if node.tag in ("a", "button") and node.mem_id not in seen:
            seen.add(node.mem_id)
            out.append(node)

    for header in page.tree.css("header"):
        for node in header.css("a, button"):
            add(node)
    body = page.tree.body
    main = page.main
    if body is not None and main is not None:
        for node in body.traverse():
            if node.mem_id == main.mem_id:
                break
            add(node)
    return out


@rule("A11Y-001", title="每个页面头部提供关怀版（适老化）和无障碍入口", stage="page", clause=NOTICE + "；" + AGED + "（LAYOUT-012）",
      confidence="R/S/M",
      fix="在页面模板的 <header> 顶部工具栏中放置「关怀版」和「无障碍」链接（见 theme/templates/base.html），不依赖第三方脚本",
      why="老年人和残障人士需要在任何页面一眼找到适老化和无障碍入口；入口须在关闭脚本时也能使用。",
      example_bad="只在首页底部放一个指向第三方无障碍工具条的图片链接",
      example_good='<header>… <a href="?mode=care#care">关怀版</a> <a href="/accessibility.html">无障碍</a> …</header>')
def header_entries(page: Page, ctx: RuleContext) -> None:
    if is_redirect_stub(page) or page.path.startswith("theme/"):
        return
    named = [(n, accessible_name(n, page)) for n in _header_controls(page)]  # once for both entries
    for label, pattern, words in (("关怀版", CARE_RE, "关怀版/长者模式/适老版/长辈版"), ("无障碍", A11Y_RE, "无障碍")):
        hits = [(n, name) for n, name in named if pattern.search(name)]
        if not hits:
            ctx.report(f"页面头部（<header> 或 <main> 之前的顶部工具栏）没有「{words}」入口", url=page.url,
                       selector="header")
            continue
        usable = [n for n, _ in hits if n.tag == "button" or not (_attr(n, "href") or "").strip().lower()
                  .startswith("javascript:")]
        if not usable:
            ctx.report(f"「{label}」入口是 javascript: 链接，关闭脚本时无法使用", url=page.url, selector=css_path(hits[0][0]),
                       fix="改为真正的链接（如 ?mode=care 或 /accessibility.html），脚本只做增强")
            continue
        node = usable[0]
        href = (_attr(node, "href") or "").strip()
        host = urlsplit(href).hostname if href.startswith(("http://", "https://", "//")) else None
        own = urlsplit(str(ctx.settings.get("GOVSITE_SITEURL") or "")).hostname
        if host and host != own:
            ctx.report(f"「{label}」入口指向第三方网站 {host}：适老化和无障碍功能应由本站提供，不依赖第三方脚本或服务",
                       url=page.url, selector=css_path(node), severity="warning")


# ---------------------------------------------------------------- A11Y-002 关怀版 text size


def _has_text_size_control(page: Page) -> bool:
    if len(page.tree.css("[data-font]")) >= 3:
        return True
    names = [accessible_name(n, page) for n in page.tree.css("button, a")]
    return sum(1 for n in names if re.search(r"A\s*[+＋\-－]|放大|缩小|字号|大字", n)) >= 2


@rule("A11Y-002", title="关怀版正文字号不小于 18 磅（24px），提供字号调节", stage="page", per="site", shares="stylesheets",
      clause=AGED + " 1.2.3（网页缩放与大字号）", confidence="S",
      fix="在主题样式中为 html.care 设置正文字号不小于 24px（18pt），例如 html.care { --base: 24px }；并提供 ≥3 档的字号按钮",
      why="适老化规范要求提供不依赖操作系统和浏览器的大字号界面，移动端至少一档字号不小于 18 磅。")
def elder_text_size(site: OutputSite, ctx: RuleContext) -> int:
    sheets = stylesheets(site, ctx)
    rules = all_rules(sheets)
    home = site.by_path.get("index.html") or next(
        (p for p in site if not p.path.startswith("theme/") and not is_redirect_stub(p)), None)
    if home is not None and not _has_text_size_control(home):
        ctx.report("页面没有字号调节按钮（至少 3 档：缩小、默认、放大）", url=home.url, severity="warning",
                   fix="在顶部工具栏提供 A-/A/A+ 按钮，并记住用户的选择（见 theme/static/js/site.js）")
    care_rules = [r for r in rules if is_care_rule(r)]
    if not care_rules:
        ctx.report("主题样式表中没有关怀版规则（html.care …），无法切换到大字号界面")
        return len(sheets)
    for width, label in ((1280, "桌面"), (375, "手机")):
        cascade = Cascade(rules, care=True, width=width)
        for target, what in (("body", "正文"), (".article-body p", "文章正文段落")):
            m = cascade.metrics(target)
            if m["unknown"]:
                report_css(ctx, sheets, care_rules[0], f"无法静态确定关怀版{label}{what}字号：{'；'.join(m['unknown'])}",
                           severity="warning", fix="使用 px/rem/em 等可计算的字号")
                continue
            px = m["font_px"]
            if px + 0.01 < CARE_PX:
                report_css(ctx, sheets, m["font_rule"] or care_rules[0],
                           f"关怀版{label}{what}字号只有 {px:g}px（{px * 0.75:g}pt），应不小于 24px（18pt）")
    return len(sheets)


# ---------------------------------------------------------------- A11Y-004 line spacing


@rule("A11Y-004", title="行距与段落间距（正文行距 ≥1.3 倍，建议 ≥1.5 倍；关怀版 ≥1.5 倍）", stage="page", per="site", shares="stylesheets",
      clause=AGED + "；《移动互联网应用（APP）适老化通用设计规范》行间距不小于 1.3 倍", confidence="P/M",
      fix="正文 line-height 设为 1.5 以上（关怀版 1.8 左右），段落之间留出不小于 0.3 倍行高的间距",
      why="较大的行距和段距帮助老年人和阅读障碍者逐行阅读（GB/T 37668 对应 WCAG 1.4.12 文本间距）。")
def line_spacing(site: OutputSite, ctx: RuleContext) -> int:
    sheets = stylesheets(site, ctx)
    rules = all_rules(sheets)
    if not rules:
        return 0
    reported: set[str] = set()
    for care in (False, True):
        mode = "关怀版" if care else "标准版"
        for width, label in ((1280, "桌面"), (375, "手机")):
            cascade = Cascade(rules, care=care, width=width)
            for target, what in (("body", "页面正文"), (".article-body p", "文章正文段落")):
                m = cascade.metrics(target)
                lh = m["line_height"]
                where = m["lh_rule"]
                text = f"{mode}{what}的行距只有 {lh:.2f} 倍"
                if text in reported:
                    continue
                if care and lh + 1e-6 < 1.5:
                    reported.add(text)
                    report_css(ctx, sheets, where, f"{text}（{label}），关怀版应不小于 1.5 倍")
                elif not care and lh + 1e-6 < 1.3:
                    reported.add(text)
                    report_css(ctx, sheets, where, f"{text}（{label}），应不小于 1.3 倍")
                elif not care and lh + 1e-6 < 1.5:
                    reported.add(text)
                    report_css(ctx, sheets, where, f"{text}（{label}），建议不小于 1.5 倍", severity="warning")
            if care:
                continue
            m = cascade.metrics(".article-body p")
            root = cascade.metrics("html")["font_px"]
            margin = cascade.margin_bottom_px(".article-body p", m["font_px"], root)
            if margin is None:
                margin = cascade.margin_bottom_px("p", m["font_px"], root)
            if margin is None:
                margin = m["font_px"]  # the browser default: 1em
            lh_px = m["line_height"] * m["font_px"]
            text = f"文章段落间距只有行高的 {(lh_px + margin) / lh_px:.2f} 倍"
            if lh_px and (lh_px + margin) / lh_px + 1e-6 < 1.3 and text not in reported:
                reported.add(text)
                report_css(ctx, sheets, None, f"{text}（{label}），建议不小于 1.3 倍", severity="warning")
    return len(sheets)


# ---------------------------------------------------------------- A11Y-005 no ads / pop-ups

AD_PARTS = {"ad", "ads", "advert", "adverts", "advertisement", "popup", "popups", "float", "floating", "piaochuang",
            "piaofu", "adsbygoogle"}
AD_OK = re.compile(r"^float-(left|right|start|end|none)$")
AD_HOSTS = ("googlesyndication.com", "doubleclick.net", "googleadservices.com", "adservice.google", "pos.baidu.com",
            "cpro.baidustatic.com", "cpro.baidu.com", "tanx.com", "mmstat.com", "union.360.cn", "adnxs.com",
            "amazon-adsystem.com", "adsame.com", "allyes.com", "miaozhen.com", "gdt.qq.com", "e.qq.com")
INDUCING_RE = re.compile(r"立即下载|扫码下载|下载\s*APP|立即领取|马上领取|领取红包|免费领取|立即付款|去付款|立即购买|点击领取")
TIMED_RE = re.compile(r"\bset(?:Timeout|Interval)\s*\(")
POPUP_CODE_RE = re.compile(r"modal|popup|pop-up|dialog|showModal|window\.open|alert\s*\(|confirm\s*\(|float|lightbox"
                           r"|overlay|\.show\s*\(|\.open\s*\(", re.I)


def ad_token(token: str) -> bool:
    t = token.lower()
    if AD_OK.match(t):
        return False
    if "banner-ad" in t or "banner_ad" in t:
        return True
    return any(part in AD_PARTS for part in re.split(r"[-_]", t))


def timed_popups(js: str) -> list[int]:
    """Offsets of setTimeout/setInterval calls whose callback (next ~400 chars) opens a modal / pop-up."""
    return [m.start() for m in TIMED_RE.finditer(js) if POPUP_CODE_RE.search(js, m.end(), m.end() + 400)]


@rule("A11Y-005", title="不得有广告、弹窗、飘窗和诱导按钮", stage="page", clause=AGED + " 2.4.1、2.4.2",
      confidence="S",
      fix="删除广告、飘窗和定时弹窗代码；不要用 ad/popup/float 等命名页面元素；按钮不得诱导下载或付款",
      why="「网页中严禁出现广告内容及插件，也不能随机出现广告或临时性的广告弹窗」，并且「无诱导下载、诱导付款等诱导式按键」。")
def no_ads(page: Page, ctx: RuleContext) -> None:
    if skipped(page):
        return
    for node in page.tree.css("[class], [id]"):
        tokens = (_attr(node, "class") or "").split() + ([_attr(node, "id") or ""] if _attr(node, "id") else [])
        bad = [t for t in tokens if ad_token(t)]
        if bad:
            report_page_fault(ctx, page, node, f"页面元素的 class/id「{bad[0]}」是广告或弹窗/飘窗命名",
                              kind="ad", key=bad[0])
    for node in page.tree.css("script[src], iframe[src], img[src], embed[src]"):
        host = (urlsplit(_attr(node, "src") or "").hostname or "").lower()
        if host and any(host == h or host.endswith("." + h) for h in AD_HOSTS):
            report_page_fault(ctx, page, node, f"页面加载了广告网络的资源（{host}）", kind="ad", key=host)
    for node in page.tree.css("a, button"):
        if not INDUCING_RE.search((node.text() or "") + (_attr(node, "aria-label") or "")
                                  + (_attr(node, "title") or "")):
            continue  # cheap pre-filter; the accessible name decides
        name = accessible_name(node, page)
        m = INDUCING_RE.search(name)
        if m:
            report_page_fault(ctx, page, node, f"诱导式按钮或链接「{name[:30]}」", kind="induce", key=name,
                              needles=[m.group(0)])
    for node in page.tree.css("script:not([src])"):
        js = node.text() or ""
        if timed_popups(js):
            ctx.report("页面内联脚本用 setTimeout/setInterval 定时弹出窗口", url=page.url, selector=css_path(node))


@finish("A11Y-005", stage="page")
def no_ads_scripts(collected: dict[str, Any], ctx: RuleContext) -> None:
    """The site's script files, once per build (not per page)."""
    site = output_site(ctx)
    if site is None:
        return
    for rel in site.files:
        if not rel.endswith(".js"):
            continue
        try:
            js = (site.root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for offset in timed_popups(js):
            line = js.count("\n", 0, offset) + 1
            ctx.report(f"脚本 /{rel} 第 {line} 行用 setTimeout/setInterval 定时弹出窗口或飘窗", url=f"/{rel}")


# ---------------------------------------------------------------- A11Y-007 keyboard, focus, cursor

FOCUS_RE = re.compile(r":focus(?![-\w])")
OUTLINE_OFF = re.compile(r"^(none|0|0px|0 none|none 0|0px none|none 0px|transparent)$|^0(px)?\s|\snone$|^none\s", re.I)
FOCUS_ALTERNATIVES = ("box-shadow", "border", "border-color", "border-bottom", "background", "background-color",
                      "text-decoration", "outline-color")
NATIVE_FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary", "details", "iframe", "area"}


def _removes_outline(r: CssRule) -> bool:
    for prop, value, _ in r.decls:
        v = value.strip().lower()
        if prop == "outline" and OUTLINE_OFF.search(v):
            return True
        if prop == "outline-style" and v == "none":
            return True
        if prop == "outline-width" and re.fullmatch(r"0(px|em|rem)?", v):
            return True
    return False


def _has_alternative(r: CssRule) -> bool:
    for prop, value, _ in r.decls:
        if prop in FOCUS_ALTERNATIVES and value.strip().lower() not in ("none", "0", "inherit", "initial", "unset"):
            return True
    return False


def _visible_focus(r: CssRule) -> bool:
    return not _removes_outline(r) and any(p in ("outline", "outline-width", "outline-style", "box-shadow")
                                           for p, _, _ in r.decls)


def _cursor_size(sheet: Sheet, site: OutputSite, value: str) -> tuple[str, tuple[int, int] | None]:
    m = re.search(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", value)
    if not m:
        return "", None
    ref = m.group(1)
    target = urlsplit(urljoin(f"http://x/{sheet.rel}", ref)).path.lstrip("/")
    try:
        from PIL import Image

        with Image.open(site.root / unquote(target)) as img:
            return ref, img.size
    except Exception:
        return ref, None


@rule("A11Y-007", title="键盘可操作、焦点清晰可见，关怀版提供大号鼠标指针", stage="page",
      clause=AGED + "（全程键盘操作与特大鼠标）；" + GBT + "（对应 WCAG 2.1.1、2.4.7）", confidence="S/M",
      fix="不要在 :focus 上去掉 outline（若要去掉，须用 :focus-visible 提供清晰的替代焦点样式）；可点击元素用 <a href>/<button>；"
          "关怀版用 cursor: url(大号指针.png) 提供 ≥48px 的鼠标指针",
      why="只用键盘的用户靠焦点框知道自己在页面的哪个位置；老年人需要更大的鼠标指针。")
def keyboard_focus(page: Page, ctx: RuleContext) -> None:
    if skipped(page):
        return
    for node in page.tree.css("[onclick], [onkeydown], [onmousedown]"):
        attrs = node.attributes or {}
        if node.tag in NATIVE_FOCUSABLE and (node.tag != "a" or "href" in attrs):
            continue
        if "tabindex" not in attrs or not attrs.get("role"):
            report_page_fault(ctx, page, node, f"<{node.tag}> 带点击事件却不能用键盘操作（缺少 tabindex 和 role）",
                              kind="keyboard", fix="改用 <button> 或 <a href>，或补上 tabindex=\"0\" 和 role")
    for node in page.tree.css("[tabindex]"):
        value = (_attr(node, "tabindex") or "").strip()
        if value.isdigit() and int(value) > 0:
            report_page_fault(ctx, page, node, f"tabindex=\"{value}\" 打乱了键盘浏览顺序（只能用 0 或 -1）",
                              kind="keyboard", severity="warning")


@finish("A11Y-007", stage="page")
def keyboard_focus_styles(collected: dict[str, Any], ctx: RuleContext) -> None:
    """Focus styles and the 关怀版 cursor in the stylesheets, once per build."""
    site = output_site(ctx)
    if site is None:
        return
    sheets = stylesheets(site, ctx)
    rules = all_rules(sheets)
    visible = [r for r in rules if _visible_focus(r) and any(":focus-visible" in s for s in r.selectors)]
    visible_sel = {s for r in visible for s in r.selectors}
    generic = any(re.fullmatch(r"\*?:focus-visible", s) for s in visible_sel)
    for r in rules:
        if not _removes_outline(r) or _has_alternative(r):
            continue
        for sel in r.selectors:
            if not FOCUS_RE.search(sel) or ":not(:focus-visible)" in sel.replace(" ", ""):
                continue
            replacement = FOCUS_RE.sub(":focus-visible", sel)
            if generic or replacement in visible_sel:
                continue
            report_css(ctx, sheets, r, f"样式「{sel}」去掉了键盘焦点轮廓（outline），且没有 :focus-visible 替代样式")
    care_cursors = [(s, r, v) for s in sheets for r in s.rules if is_care_rule(r)
                    for p, v, _ in r.decls if p == "cursor" and "url(" in v]
    if not care_cursors and any(is_care_rule(r) for r in rules):
        ctx.report("关怀版没有提供大号鼠标指针（cursor: url(…)）", severity="warning",
                   fix="在 html.care body 上设置 cursor: url(../images/cursor-large.png) 4 4, auto;（图片 ≥48×48 像素）")
    for sheet, r, value in care_cursors[:1]:
        ref, size = _cursor_size(sheet, site, value)
        if size is None:
            report_css(ctx, sheets, r, f"关怀版鼠标指针图片「{ref}」不存在或无法读取", severity="warning")
        elif min(size) < 48:
            report_css(ctx, sheets, r, f"关怀版鼠标指针图片「{ref}」只有 {size[0]}×{size[1]} 像素，应不小于 48×48",
                       severity="warning")


# ---------------------------------------------------------------- A11Y-009 semantics (page stage)

VAGUE_LINK = {"点击这里", "点击此处", "这里", "此处", "点此", "点击", "更多", "详情", "查看", "查看更多", "查看详情", "阅读更多",
              "more", "clickhere", "here", "readmore", "link", "链接"}
LABELLABLE = ("input", "select", "textarea")
NO_LABEL_TYPES = {"hidden", "submit", "reset", "button", "image"}
FILENAME_RE = re.compile(r"^[\w.-]+\.(png|jpe?g|gif|webp|bmp|svg)$", re.I)


def vague(text: str) -> bool:
    core = re.sub(r"[\s>»›》<«‹《.。…、:：!！+＋\[\]【】()（）\-]+", "", text).lower()
    return core in VAGUE_LINK


def _decorative(node: Any) -> bool:
    role = (_attr(node, "role") or "").strip().lower()
    return role in ("presentation", "none") or (_attr(node, "aria-hidden") or "").strip().lower() == "true"


def _labelled(node: Any, page: Page, labels_for: dict[str, str]) -> bool:
    if norm_ws(_attr(node, "aria-label")):
        return True
    ids = (_attr(node, "aria-labelledby") or "").split()
    if ids and any(n is not None and norm_ws(_text_of(n)) for n in (_by_id(page, i) for i in ids)):
        return True
    ident = _attr(node, "id")
    if ident and labels_for.get(ident):
        return True
    if any(a.tag == "label" and norm_ws(_text_of(a)) for a in _ancestors(node)):
        return True
    return bool(norm_ws(_attr(node, "title")))


def _skip_link_ok(page: Page) -> bool | None:
    main = page.main
    body = page.tree.body
    if main is None or body is None:
        return None
    ident = _attr(main, "id")
    if not ident:
        return False
    for node in body.traverse():
        if node.mem_id == main.mem_id:
            return False
        if node.tag == "a" and (_attr(node, "href") or "").strip() == f"#{ident}":
            return True
    return False


def page_semantics(page: Page, ctx: RuleContext) -> str | None:
    """Per-page part of A11Y-009; returns the page's <title> text (None when missing)."""
    html = page.tree.css_first("html")
    lang = (_attr(html, "lang") or "").strip() if html is not None else ""
    if not lang:
        ctx.report("页面缺少语言声明 <html lang>（应为 lang=\"zh-CN\"）", url=page.url, selector="html",
                   fix="在页面模板的 <html> 上写 lang=\"zh-CN\"")
    elif not lang.lower().startswith("zh"):
        ctx.report(f"页面语言声明 lang=\"{lang}\" 与中文内容不符", url=page.url, selector="html", severity="warning")
    title_node = page.tree.css_first("title")
    title = norm_ws(title_node.text()) if title_node is not None else ""
    if not title:
        ctx.report("页面缺少标题 <title>", url=page.url, selector="head")
    if is_redirect_stub(page):
        return None
    # headings
    h1s = page.tree.css("h1")
    if not h1s:
        ctx.report("页面没有一级标题 <h1>", url=page.url, severity="warning", fix="每个页面有且只有一个 <h1>")
    for extra in h1s[1:]:
        text = norm_ws(extra.text())
        report_page_fault(ctx, page, extra, f"页面有多个一级标题 <h1>：「{text[:30]}」", kind="heading", key=text,
                          needles=[text], severity="warning",
                          fix="页面标题已是一级标题：正文中的标题请从二级标题（Markdown 的 ##）开始")
    main = page.main
    if main is not None:
        prev = 0
        for node in main.css("h1, h2, h3, h4, h5, h6"):
            level = int(node.tag[1])
            if prev and level > prev + 1:
                text = norm_ws(node.text())
                report_page_fault(ctx, page, node, f"标题层级从 h{prev} 跳到了 h{level}：「{text[:30]}」", kind="heading",
                                  key=text, needles=[text], severity="warning",
                                  fix="标题逐级使用（## 之后用 ###，不要跳级）")
            prev = level
    # images
    for img in page.tree.css("img"):
        alt = _attr(img, "alt")
        src = _attr(img, "src") or ""
        key = _src_key(src)
        if _decorative(img):
            continue
        if alt is None:
            report_page_fault(ctx, page, img, f"图片缺少替代文本 alt（{src[-60:]}）", kind="img", key=key,
                              needles=[src, key], fix="为图片写出说明图片内容的 alt；纯装饰图片写 alt=\"\" 并加 aria-hidden=\"true\"")
        elif not alt.strip():
            report_page_fault(ctx, page, img, f"图片的 alt 为空，但没有标记为装饰图片（{src[-60:]}）", kind="img", key=key,
                              needles=[src, key],
                              fix="写出图片内容；确属装饰的图片加 role=\"presentation\" 或 aria-hidden=\"true\"")
        elif FILENAME_RE.match(alt.strip()):
            report_page_fault(ctx, page, img, f"图片的 alt「{alt.strip()}」是文件名，不是图片内容说明", kind="img",
                              key=key, needles=[src, key], severity="warning")
    # form controls
    labels_for = {(_attr(lab, "for") or ""): norm_ws(_text_of(lab)) for lab in page.tree.css("label[for]")}
    for node in page.tree.css(", ".join(LABELLABLE)):
        if node.tag == "input" and (_attr(node, "type") or "text").strip().lower() in NO_LABEL_TYPES:
            continue
        if "hidden" in (node.attributes or {}):
            continue  # not rendered
        if not _labelled(node, page, labels_for):
            hint = "（placeholder 不能代替标签）" if _attr(node, "placeholder") else ""
            report_page_fault(ctx, page, node, f"表单控件 <{node.tag}> 没有标签{hint}", kind="label",
                              key=_attr(node, "name") or "",
                              fix="用 <label for=\"控件id\">说明文字</label> 关联，或加 aria-label")
    # links and buttons
    for node in page.tree.css("a[href], button"):
        if _hidden(node) or any(_hidden(a) for a in _ancestors(node)):
            continue
        name = accessible_name(node, page)
        href = _attr(node, "href") or ""
        what = "链接" if node.tag == "a" else "按钮"
        if not name:
            report_page_fault(ctx, page, node, f"{what}没有可识别的文字（{href[-60:] or node.tag}）", kind="link", key=href,
                              needles=[href], fix="为链接写出文字；图片链接的图片要有 alt")
        elif node.tag == "a" and vague(name):
            report_page_fault(ctx, page, node, f"链接文字「{name}」没有说明去向", kind="link", key=href,
                              needles=[href], severity="warning",
                              fix="写明链接目标，如「更多政策文件」「查看《××通知》全文」，或加说明性的 aria-label")
    # data tables
    for table in page.tree.css("table"):
        if _decorative(table):
            continue
        rows = table.css("tr")
        if len(rows) >= 2 and max(len(r.css("td, th")) for r in rows) >= 2 and table.css_first("th") is None:
            report_page_fault(ctx, page, table, "数据表格没有表头单元格 <th>", kind="table", key="",
                              severity="warning", fix="表格第一行用表头（Markdown 表格的第一行即表头）")
    # media
    for node in page.tree.css("video[autoplay], audio[autoplay]"):
        if "muted" in (node.attributes or {}):
            continue
        report_page_fault(ctx, page, node, f"<{node.tag}> 自动播放带声音的媒体", kind="media", key=_attr(node, "src") or "",
                          needles=["autoplay"], fix="去掉 autoplay，由用户自己点击播放")
    ok = _skip_link_ok(page)
    if ok is False:
        ctx.report("页面缺少指向 <main> 的「跳到主要内容」链接", url=page.url, severity="warning",
                   fix="在 <body> 开头放 <a class=\"skip-link\" href=\"#main\">跳到主要内容</a>，<main id=\"main\">")
    return title or None


@rule("A11Y-009", title="文本替代与语义（GB/T 37668 一级基本要求）", stage="page", clause=GBT + "（一级指标）",
      confidence="S/M",
      fix="图片写 alt、页面有 lang 和唯一的标题、标题逐级、表单有标签、链接文字说明去向、表格有表头、不自动播放声音、提供跳转链接",
      why="屏幕阅读器靠这些语义朗读页面；缺少 alt、lang、标题或标签时视障用户无法使用网站。"
          "（alt、lang、title、表单标签、空链接为阻断性错误；其余为警告。）",
      example_bad="![](/images/a.png)", example_good="![示例县河口镇梯田秋收景象](/images/a.png)")
def semantics(page: Page, ctx: RuleContext) -> None:
    if skipped(page):
        return
    title = page_semantics(page, ctx)
    if title:
        ctx.collect(page.path, title)


@finish("A11Y-009", stage="page")
def duplicate_titles(collected: dict[str, str], ctx: RuleContext) -> None:
    """The same <title> on several pages (collected: page path → title)."""
    titles: dict[str, list[str]] = defaultdict(list)
    for path in collected:  # in page order
        titles[collected[path]].append(path)
    for title, same in titles.items():
        if len(same) < 2:
            continue
        for path in same:
            other = next(p for p in same if p != path)
            ctx.report(f"页面标题 <title>「{title}」与其他 {len(same) - 1} 个页面重复（如 /{other}）", url=f"/{path}",
                       selector="title", fix="每个页面的标题应唯一：文章标题 + 网站名称；同名文件请在标题中写明年份或发文单位")


# ---------------------------------------------------------------- A11Y-009 content stage (Markdown file:line)

FENCE_RE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
INLINE_CODE_RE = re.compile(r"`[^`\n]+`")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
MD_IMAGE_RE = re.compile(r"!\[(?P<alt>(?:[^\[\]\\\n]|\\.)*)\]\s*(?:\(\s*<?(?P<src>[^)\s>]*)>?[^)\n]*\)|\[(?P<ref>[^\]\n]*)\])")
MD_LINK_RE = re.compile(r"(?<![!\]\\])\[(?P<text>(?:[^\[\]\\\n]|\\.)*)\]\(\s*<?(?P<href>[^)\s>]*)>?[^)\n]*\)")
HTML_IMG_RE = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.I)
HTML_HEADING_RE = re.compile(r"<h([1-6])\b[^>]*>(?P<text>.*?)</h\1\s*>", re.I | re.S)
ATX_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$", re.M)
SETEXT_H1_RE = re.compile(r"^(?P<text>[^\n]*\S[^\n]*)\n {0,3}=+[ \t]*$", re.M)
MEDIA_RE = re.compile(r"<(video|audio)\b(?P<attrs>[^>]*)>", re.I)
ATTR_RE = re.compile(r"""([a-zA-Z_:][-\w:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def code_free(body: str) -> str:
    """Code blocks, inline code and comments blanked out; offsets (so line numbers) unchanged."""
    return INLINE_CODE_RE.sub(_blank, COMMENT_RE.sub(_blank, FENCE_RE.sub(_blank, body)))


def html_attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "") for m in ATTR_RE.finditer(text)}


def _strip_md(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return norm_ws(re.sub(r"[*_`~]", "", text))


@check("A11Y-009", stage="content")
def markdown_semantics(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.fatal or not doc.body:
        return
    body = code_free(doc.body)
    flags: set[tuple[str, str, str]] = ctx.run.data.setdefault(CONTENT_FLAGS, set())

    def report(kind: str, key: str, offset: int, message: str, **kw: Any) -> None:
        flags.add((doc.rel, kind, key))
        ctx.report(message, file=doc.path, line=doc.body_line_of(offset), **kw)

    for m in MD_IMAGE_RE.finditer(body):
        if not m.group("alt").strip():
            src = m.group("src") or m.group("ref") or ""
            report("img", _src_key(src), m.start(), f"Markdown 图片缺少替代文本：{m.group(0)[:80]}",
                   fix="在方括号里写出图片内容，例如 ![示例县河口镇梯田秋收景象](/images/qiushou.jpg)")
        elif FILENAME_RE.match(m.group("alt").strip()):
            report("img", _src_key(m.group("src") or ""), m.start(),
                   f"图片的替代文本「{m.group('alt').strip()}」是文件名，不是图片内容说明", severity="warning")
    for m in HTML_IMG_RE.finditer(body):
        attrs = html_attrs(m.group("attrs"))
        if attrs.get("role", "").lower() in ("presentation", "none") or attrs.get("aria-hidden", "").lower() == "true":
            continue
        if "alt" not in attrs or not attrs["alt"].strip():
            what = "缺少 alt 属性" if "alt" not in attrs else "的 alt 为空"
            report("img", _src_key(attrs.get("src")), m.start(), f"HTML 图片{what}：{m.group(0)[:80]}",
                   fix="加上说明图片内容的 alt=\"…\"；纯装饰图片加 aria-hidden=\"true\"")
    headings: list[tuple[int, int, str]] = []
    for m in ATX_RE.finditer(body):
        headings.append((m.start(), len(m.group(1)), _strip_md(m.group("text"))))
    for m in SETEXT_H1_RE.finditer(body):
        if not re.match(r"^\s*([-*_|]|\d+\.)", m.group("text")):
            headings.append((m.start(), 1, _strip_md(m.group("text"))))
    for m in HTML_HEADING_RE.finditer(body):
        headings.append((m.start(), int(m.group(1)), _strip_md(m.group("text"))))
    prev = 1  # the page title is the <h1>
    for offset, level, text in sorted(headings):
        if level == 1:
            report("heading", text, offset, f"正文使用了一级标题「{text[:30]}」：页面标题已是一级标题", severity="warning",
                   fix="正文中的标题从二级标题开始：把 # 改为 ##")
        elif level > prev + 1:
            report("heading", text, offset, f"标题层级从 {'#' * prev} 跳到了 {'#' * level}：「{text[:30]}」",
                   severity="warning", fix="标题逐级使用：## 之后是 ###，不要跳级")
        prev = level
    for m in MD_LINK_RE.finditer(body):
        text = _strip_md(m.group("text"))
        href = m.group("href")
        if not text and not re.search(r"!\[[^\]]+\]", m.group("text")):
            report("link", href, m.start(), f"链接没有文字：{m.group(0)[:80]}", fix="在方括号里写出链接目标，如 [政策原文](…)")
        elif vague(text):
            report("link", href, m.start(), f"链接文字「{text}」没有说明去向", severity="warning",
                   fix="写明链接目标，如 [查看《××通知》全文](…)")
    for m in MEDIA_RE.finditer(body):
        attrs = html_attrs(m.group("attrs"))
        if "autoplay" in attrs and "muted" not in attrs:
            report("media", attrs.get("src", ""), m.start(), f"<{m.group(1)}> 自动播放带声音的媒体",
                   fix="去掉 autoplay，由用户自己点击播放")


# ---------------------------------------------------------------- A11Y-014 HTML conformance (html5lib)


RAW_HTML_RE = re.compile(r"<[A-Za-z!/]")


@rule("A11Y-014", title="HTML 语法符合 HTML5 规范（兼容性）", stage="page",
      clause=GBT + "「兼容性」原则（对应 WCAG 4.1.1）；" + PROJECT.split("：")[0], confidence="project",
      fix="按提示的行列修正标签嵌套、闭合、重复属性或重复 id；模板问题改 theme/templates，正文问题改对应的 Markdown 文件",
      why="语法错误的页面在不同浏览器和读屏软件中会被解析成不同的结构。每次构建检查每种模板一页和内容变化的页面（html5lib）。")
def html_conformance(page: Page, ctx: RuleContext) -> None:
    """Check a changed page now; remember its template and size so ``finish`` can pick one page per template.

    Collected per page: (template, size, digest, clean) — digest and clean are None when the page was not checked.
    """
    if skipped(page):
        return
    from govsite.conformance import digest

    run = ctx.run
    template, size = template_of(page), page.size
    if not run.data.get("browser_all"):
        docs = docs_by_path(run)
        if docs:
            # In a govsite build, Markdown renders well-formed HTML: beyond one page per template only documents
            # with raw HTML in their source can break conformance — and only when their output changed.
            # (Audit mode has no sources: every changed page is checked.)
            doc = docs.get(page.path)
            if doc is None or not RAW_HTML_RE.search(doc.body):
                ctx.collect(page.path, (template, size, None, None))
                return
        page_digest = digest(page.text)
        if _conformance_cache(ctx).passed(page.path, page_digest):
            ctx.collect(page.path, (template, size, None, None))  # checked only if it represents its template
            return
    else:
        page_digest = digest(page.text)
    clean = _report_conformance(ctx, page.path, page.text, template)
    ctx.collect(page.path, (template, size, page_digest, clean))


@finish("A11Y-014", stage="page")
def html_conformance_templates(collected: dict[str, tuple[str, int, str | None, bool | None]],
                               ctx: RuleContext) -> None:
    """Check one page per template (the largest; ties by path) unless already checked; save the cache."""
    from govsite.conformance import digest

    run = ctx.run
    cache = _conformance_cache(ctx)
    reps: dict[str, tuple[int, str]] = {}
    for path, (template, size, _, _) in collected.items():
        cur = reps.get(template)
        if cur is None or (size, path) > cur:
            reps[template] = (size, path)
    checked = 0
    for path, (_, _, page_digest, clean) in collected.items():
        if page_digest is not None:
            checked += 1
            cache.record(path, page_digest, clean=bool(clean))
    site = output_site(ctx)
    for template, (_, path) in sorted(reps.items()):
        if collected[path][2] is not None:
            continue  # checked as a changed page
        page = site.by_path.get(path) if site is not None else None
        if page is None:
            continue
        try:
            text = page.text
        except OSError:
            continue
        checked += 1
        cache.record(path, digest(text), clean=_report_conformance(ctx, path, text, template))
        page.release()
    with contextlib.suppress(OSError):
        cache.save()
    run.data["conformance_stats"] = {"pages": len(collected), "checked": checked}


def _conformance_cache(ctx: RuleContext) -> ConformanceCache:
    from govsite.conformance import ConformanceCache

    cache = ctx.run.data.get("_a11y_conformance")  # "_": loaded once per process, never sent between processes
    if cache is None:
        cache = ctx.run.data["_a11y_conformance"] = ConformanceCache(ctx.run.root / CACHE_DIR / "conformance.json")
    return cache


def _report_conformance(ctx: RuleContext, path: str, text: str, template: str) -> bool:
    """html5lib over one page; reports its syntax errors and returns whether it is clean."""
    from govsite.conformance import check_html

    issues = check_html(text)
    if not issues:
        return True
    url = "/" + path
    lines = text.split("\n")
    body_start = next((i + 1 for i, ln in enumerate(lines) if 'class="article-body"' in ln), None)
    body_end = max((i + 1 for i, ln in enumerate(lines) if "</article>" in ln), default=None)
    doc = docs_by_path(ctx.run).get(path)
    for issue in issues[:20]:
        snippet = lines[issue.line - 1].strip()[:80] if 0 < issue.line <= len(lines) else ""
        message = f"{issue.describe()}（{issue.code}）：{snippet}"
        if doc is not None and body_start and body_end and body_start < issue.line < body_end:
            ctx.report("正文内容：" + message, file=doc.path, url=url,
                       fix="修正正文中的原始 HTML（标签成对、正确嵌套、属性不重复）")
        else:
            ctx.report(f"模板 {template}：{message}", url=url)
    if len(issues) > 20:
        ctx.report(f"另有 {len(issues) - 20} 处 HTML 语法错误未列出", url=url)
    return False


# ---------------------------------------------------------------- A11Y-013 axe-core (browser stage)


@contextlib.contextmanager
def _env_from_settings(settings: Any, names: Iterable[str]) -> Iterator[None]:
    """Settings (pelicanconf.py) for the browser library, which reads environment variables; env wins."""
    saved: dict[str, str | None] = {}
    for name in names:
        value = settings.get(name)
        if value and not os.environ.get(name):
            saved[name] = os.environ.get(name)
            os.environ[name] = str(value)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


class _Progress:
    """tqdm on stderr, only when stderr is a terminal (build logs stay clean)."""

    def __init__(self) -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            with contextlib.suppress(Exception):
                from tqdm import tqdm

                try:
                    size = os.get_terminal_size(sys.stderr.fileno())
                except OSError:
                    size = os.terminal_size((0, 0))
                # A pty without a size reports 0×0: tqdm would then hide the bar; give it a default geometry.
                shape = {} if size.columns >= 40 and size.lines > 0 else {"ncols": 80, "nrows": 24}
                self.bar = tqdm(total=0, file=sys.stderr, desc="无障碍浏览器检查 axe-core", unit="页", leave=False,
                                **shape)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _number_setting(ctx: RuleContext, name: str, default: float, kind: type) -> float:
    value = ctx.settings.get(name)
    if value is None:
        return default
    try:
        number = float(kind(value))
        if number <= 0 or isinstance(value, bool):
            raise ValueError(value)
        return number
    except (TypeError, ValueError):
        ctx.report(f"设置 {name} = {value!r} 无效，应为正数；本次按默认值 {default:g} 运行", field=name,
                   file=ctx.run.root / ctx.run.settings_file, severity="warning")
        return default


def _passed_before(cache_dir: Path, key: str) -> bool:
    """The browser library's cached result for this exact page + assets exists and has no issues."""
    try:
        data = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("issues") == []


BASELINE_FILE = "axe-baseline.json"


def _load_baseline(cache_dir: Path) -> dict[str, str] | None:
    try:
        data = json.loads((cache_dir / BASELINE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def save_baseline(cache_dir: Path, keys: dict[str, str]) -> None:
    """Desktop cache keys of every page after a browser stage without errors: "the last passing run"."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".{BASELINE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(dict(sorted(keys.items())), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache_dir / BASELINE_FILE)


def browser_targets(site: OutputSite, run: BuildRun, cache_dir: Path) -> list[tuple[str, str]]:
    """Every template × desktop/mobile/关怀版, plus (desktop) every page whose output changed since the last
    passing run, or all pages with ``--all-pages``.

    A page is skipped when its bytes and assets are those of a run where it had no issue, or those recorded by
    the last passing run. The very first run has no passing run to compare with, so it checks the templates
    (one page per template in three views) and records every page as the baseline.
    """
    from govsite.browser import VIEWS, cache_key
    from govsite.browser.axe import axe_version

    pages = checked_pages(site)
    targets: dict[tuple[str, str], None] = {}
    for page in representatives(pages).values():
        for view in VIEWS:
            targets[(page.path, view)] = None
    everything = bool(run.data.get("browser_all"))
    version = axe_version()
    baseline = _load_baseline(cache_dir)
    keys: dict[str, str] = {}
    for page in pages:
        key = keys[page.path] = cache_key(site.root, page.path, "desktop", version)
        if (page.path, "desktop") in targets:
            continue
        if everything:
            targets[(page.path, "desktop")] = None
        elif _passed_before(cache_dir, key) or baseline is None or baseline.get(page.path) == key:
            continue
        else:
            targets[(page.path, "desktop")] = None
    run.data["browser_baseline_keys"] = keys
    return list(targets)


def _doc_location(site: OutputSite, run: BuildRun, path: str, selector: str,
                  snippet: str) -> tuple[Path | None, int | None]:
    """Markdown source (and line, when the element's src/href is found in it) of an element in .article-body."""
    doc = docs_by_path(run).get(path)
    page = site.by_path.get(path)
    if doc is None or page is None or not selector or ">>>" in selector:
        return None, None
    try:
        node = page.tree.css_first(selector)
    except Exception:  # selectolax does not know every selector axe writes
        return None, None
    if node is None or not in_article_body(node):
        return None, None
    tag = snippet.split(">", 1)[0] + ">"  # raw HTML in Markdown appears verbatim
    attrs = html_attrs(tag)
    return doc.path, _line_in_doc(doc, [tag, attrs.get("src"), attrs.get("href"), attrs.get("id")])


@rule("A11Y-013", title="axe-core WCAG 2.1 A/AA 浏览器检查（GB/T 37668 代理）", stage="browser", per="site",
      clause=PROJECT, confidence="project",
      fix="按提示修正模板、样式或正文；每条问题附 axe 规则编号和说明链接。本地需安装 chromium 与 chromium-driver 并运行 npm ci，"
          "或设置 GOVSITE_SELENIUM_REMOTE 使用 Selenium Grid",
      why="GB/T 37668-2019 的技术要求与 WCAG 2.x 对应。构建在真实的无头 Chromium 中对每种模板的桌面版、手机版、关怀版，"
          "以及内容有变化的页面运行 axe-core，颜色对比度、地标、名称等只能在浏览器中可靠检查。")
def axe_gate(site: OutputSite, ctx: RuleContext) -> int:
    from govsite.browser import BrowserUnavailable, chinese_message, run_browser_gate

    run = ctx.run
    settings = ctx.settings
    cache_dir = run.root / CACHE_DIR / "axe"
    timeout = _number_setting(ctx, "GOVSITE_BROWSER_TIMEOUT", 30.0, float)
    workers = int(_number_setting(ctx, "GOVSITE_BROWSER_WORKERS", float(min(2, os.cpu_count() or 1)), int))
    started = time.monotonic()
    stats = {"targets": 0, "cached": 0, "ran": 0, "seconds": 0.0}
    run.data["browser_stats"] = stats
    progress = _Progress()
    try:
        with _env_from_settings(settings, ("GOVSITE_SELENIUM_REMOTE", "GOVSITE_GATE_SERVE_HOST", "GOVSITE_CHROMIUM",
                                           "GOVSITE_CHROMEDRIVER", "GOVSITE_AXE_JS")):
            targets = browser_targets(site, run, cache_dir)
            stats["targets"] = len(targets)
            results = run_browser_gate(site.root, targets, cache_dir, workers=workers, page_timeout=timeout,
                                       progress=progress)
    except BrowserUnavailable as exc:
        stats["seconds"] = round(time.monotonic() - started, 2)
        ctx.report("无法运行浏览器无障碍检查：" + " ".join(line.strip() for line in str(exc).splitlines() if line.strip()),
                   fix="安装 chromium 与 chromium-driver（apt-get install chromium chromium-driver）并在仓库根目录运行 npm ci；"
                       "或设置 GOVSITE_SELENIUM_REMOTE 指向 Selenium Grid。仅预览时可用 --skip-browser。")
        return 0
    finally:
        progress.close()
    run.data["browser_results"] = results
    stats["cached"] = sum(1 for r in results if r.cached)
    stats["ran"] = len(results) - stats["cached"]
    stats["seconds"] = round(time.monotonic() - started, 2)
    for result in results:
        url = "/" + result.path
        view = VIEW_ZH.get(result.view, result.view)
        if result.error is not None:
            detail = f"超过 {timeout:g} 秒未完成加载和检查" if result.error == "timeout" else result.error
            ctx.report(f"页面在浏览器中超时/出错（{view}）：{detail}", url=url,
                       fix="检查页面是否有死循环脚本、过大的资源或无法访问的外部资源；修正后重新构建")
            continue
        for issue in result.issues:
            file, line = _doc_location(site, run, result.path, issue.selector, issue.html_snippet)
            message = f"{chinese_message(issue)}［{view}］"
            fix = f"{issue.description.rstrip('。.')}。说明：{issue.help_url}"
            ctx.report(message, file=file, line=line, url=url, selector=issue.selector or None, fix=fix,
                       severity="warning" if issue.kind == "incomplete" else None,
                       axe_rule=issue.rule_id, impact=issue.impact or "", view=result.view,
                       html=issue.html_snippet, help_url=issue.help_url)
    failed = any(r.error is not None or r.violations for r in results)
    if not failed and run.data.get("browser_baseline_keys"):
        with contextlib.suppress(OSError):
            save_baseline(cache_dir, run.data["browser_baseline_keys"])
    return len(results)
