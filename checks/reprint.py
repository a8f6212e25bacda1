"""Reprints (转载): time limit and upstream coverage, the home-page 专栏, source attribution, unaltered titles.

Reprint documents (``type: reprint``) carry ``source`` (the original publisher), ``source_url`` and
``source_published``. The upstream lists in ``content/upstream/*.yaml`` (see :mod:`govsite.upstream`)
say what had to be reprinted; builds never go online.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from govsite.htmlpage import Page, norm_ws
from govsite.pelican_glue import content_root
from govsite.registry import check, rule
from govsite.run import RuleContext
from govsite.site import SiteModel
from govsite.source import SourceDoc, parse_datetime
from govsite.upstream import UpstreamItem, UpstreamProblem, is_http_url, load_upstream, normalize_title, normalize_url

GUIDE_2017 = "《政府网站发展指引》（国办发〔2017〕47号）信息发布"
LOCAL_SOURCES = ("本站", "本网", "本网站", "本站原创")


# ---- shared helpers -------------------------------------------------------------------------------

def upstream(ctx: RuleContext) -> tuple[list[UpstreamItem], list[UpstreamProblem]]:
    """The upstream lists of this build, read once (content/upstream/*.yaml, or GOVSITE_UPSTREAM_DIR)."""
    cached = ctx.run.data.get("upstream")
    if cached is None:
        name = str(ctx.settings.get("GOVSITE_UPSTREAM_DIR") or "upstream")
        try:
            directory = content_root(ctx.settings) / name  # type: ignore[arg-type]
        except KeyError:
            directory = ctx.run.root / "content" / name
        cached = load_upstream(directory)
        ctx.run.data["upstream"] = cached
    return cached


def upstream_by_url(ctx: RuleContext) -> dict[str, UpstreamItem]:
    """Upstream items by normalised URL, built once per build (every reprint looks itself up)."""
    items = upstream(ctx)[0]
    cached = ctx.run.data.get("_upstream_by_url")
    if cached is None or cached[0] is not items:
        cached = ctx.run.data["_upstream_by_url"] = (items, {item.key: item for item in items})
    return cached[1]


def reprint_docs(model: SiteModel) -> list[SourceDoc]:
    return [d for d in model.docs if d.doc_type == "reprint"]


def _hm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} 小时 {minutes % 60} 分"


def _fmt(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _limit_hours(ctx: RuleContext) -> float:
    value = ctx.param("reprint_max_hours")
    try:
        return float(value) if value is not None else 24.0
    except (TypeError, ValueError):
        return 24.0


def _hours_text(hours: float) -> str:
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}"


# ---- REPRINT-001 ------------------------------------------------------------------------------------

@rule("REPRINT-001", title="上级重要政策信息在时限内转载", stage="site", per="site",
      clause="《国务院办公厅关于加强政府网站信息内容建设的意见》（国办发〔2014〕57号）：24 小时内转载；"
             "福建 8 小时、宁夏 12 小时（规则配置 reprint_max_hours）",
      confidence="S/M", params={"reprint_max_hours": 24},
      fix="尽快转载并如实填写 date；确因特殊原因超时的，在元数据中写明 delay_reason",
      why="上级政府网站发布的重要政策信息须在时限内转载；逾期未转载在检查中直接扣分。",
      example_bad="source_published: 2026-11-18 09:00，date: 2026-11-19 12:00（超过 24 小时）",
      example_good="source_published: 2026-11-18 09:00，date: 2026-11-18 15:30")
def reprint_in_time(model: SiteModel, ctx: RuleContext) -> int:
    limit_h = _limit_hours(ctx)
    limit = timedelta(hours=limit_h)
    limit_text = _hours_text(limit_h)
    items, problems = upstream(ctx)
    for p in problems:
        ctx.report(p.message, file=p.file, line=p.line, fix=p.fix, severity=p.severity)
    covered: set[str] = set()
    reprints = reprint_docs(model)
    for doc in reprints:
        if doc.get("source_url"):
            covered.add(normalize_url(doc.get("source_url")))
        date, origin = doc.date, parse_datetime(doc.get("source_published"))
        if date is None or origin is None:
            continue  # CONTENT-002/003 report missing or malformed times
        delta = date - origin
        if delta < timedelta(0):
            ctx.report(f"转载时间 {_fmt(date)} 早于原文发布时间 {_fmt(origin)}", file=doc.path, line=doc.line_of("date"),
                       field="date", fix="核对 date（本站转载时间）和 source_published（原文发布时间），按实际时间填写")
        elif delta > limit:
            reason = doc.get("delay_reason").strip()
            msg = (f"转载超时：原文 {_fmt(origin)} 发布，本站 {_fmt(date)} 转载，用时 {_hm(delta)}，"
                   f"超过 {limit_text} 小时时限（超出 {_hm(delta - limit)}）")
            if reason:
                ctx.report(msg + f"；已说明延迟原因：{reason}", file=doc.path, line=doc.line_of("delay_reason"),
                           field="delay_reason", severity="warning", delay_reason=reason,
                           fix="延迟原因已记录在报告中；今后请在时限内转载")
            else:
                ctx.report(msg, file=doc.path, line=doc.line_of("date"), field="date")
    now = ctx.now
    for item in items:
        if item.key in covered:
            continue
        deadline = item.published + limit
        what = f"{item.level}（{item.publisher}）{_fmt(item.published)} 发布的《{item.title}》"
        if deadline < now:
            ctx.report(f"逾期未转载：{what}，应在 {_fmt(deadline)} 前转载，已逾期 {_hm(now - deadline)}（{item.url}）",
                       file=item.file, line=item.line, severity="error",
                       fix=f"立即在栏目中转载（type: reprint，source_url: {item.url}）")
        else:
            ctx.report(f"待转载：{what}须在 {_fmt(deadline)} 前转载，还剩 {_hm(deadline - now)}（{item.url}）",
                       file=item.file, line=item.line, severity="warning",
                       fix=f"在 {_fmt(deadline)} 前转载（type: reprint，source_url: {item.url}）")
    return len(reprints) + len(items)


# ---- REPRINT-002 ------------------------------------------------------------------------------------

def _reprint_block(page: Page) -> Any:
    block = page.tree.css_first("section.home-reprints")
    if block is not None:
        return block
    for heading in page.tree.css("h2, h3"):
        if "国务院" in heading.text():
            node = heading.parent
            while node is not None and node.tag not in ("section", "div", "aside", "article", "main", "body"):
                node = node.parent
            if node is not None and node.tag not in ("main", "body"):
                return node
    return None


def _local_href(href: str, base: str) -> str:
    href = (href or "").strip()
    if base and href.startswith(base):
        href = href[len(base):]
    return "/" + href.lstrip("/").split("#", 1)[0]


@rule("REPRINT-002", title="首页显著位置设国务院、省政府重要政策信息专栏", stage="page", page_types=("home",),
      severity="warning",  # rulebook: WARN; a province may promote it (rules: {REPRINT-002: {severity: error}})
      clause="国办发〔2014〕57号、国办发〔2017〕47号：首页显著位置开设专栏转载国务院重要政策信息", confidence="S",
      params={"home_reprint_min": 5},
      fix="首页模板（theme/templates/index.html）保留 section.home-reprints 专栏，按发布时间倒序列出最新转载，"
          "每条显示日期和来源，并链接到转载栏目",
      why="首页专栏是公众获取上级重要政策的入口，检查时查看是否设置并及时更新。")
def home_reprint_block(page: Page, ctx: RuleContext) -> None:
    model: SiteModel | None = ctx.run.data.get("site")
    block = _reprint_block(page)
    if block is None:
        ctx.report("首页没有国务院、省政府重要政策信息专栏（section.home-reprints 或标题含「国务院」的区块）",
                   url=page.url, selector="main")
        return
    selector = ".home-reprints" if "home-reprints" in (block.attributes.get("class") or "") else "section"
    if page.main is not None and not any(n.tag == "main" for n in _ancestors(block)):
        ctx.report("国务院、省政府重要政策信息专栏不在页面主体区域（main）中，不够显著", url=page.url, selector=selector)
    if model is None:
        return  # audit mode: nothing to compare with
    base = str(ctx.settings.get("GOVSITE_SITEURL") or "").rstrip("/")
    by_url = {"/" + a.url: a for a in model.reprints(limit=10_000)}
    listed = []  # (li or a node, article) of links to reprints, in page order
    for a in block.css("a[href]"):
        art = by_url.get(_local_href(a.attributes.get("href") or "", base))
        if art is not None:
            listed.append((a, art))
    total = len(by_url)
    if total == 0:
        ctx.report("首页转载专栏中还没有任何转载信息", url=page.url, selector=selector, severity="warning",
                   fix="在「国务院及省政府信息」等转载栏目中转载上级重要政策信息")
    want = min(total, int(ctx.param("home_reprint_min") or 5))
    expected = model.reprints(max(len(listed), want))
    for i, art in enumerate(expected):
        shown = listed[i][1] if i < len(listed) else None
        if shown is not art:
            ctx.report(f"首页转载专栏第 {i + 1} 条应为最新转载《{norm_ws(art.title)}》（{art.date:%Y-%m-%d %H:%M}），"
                       + (f"实际为《{norm_ws(shown.title)}》" if shown is not None else "实际没有列出"),
                       url=page.url, selector=selector)
            break
    for a, art in listed:
        li = a.parent
        while li is not None and li.tag not in ("li", "tr", "p", "div", "section"):
            li = li.parent
        # What the item shows besides its link text (a title may itself contain the publisher's name).
        text = norm_ws((li or a).text(separator=" ")).replace(norm_ws(a.text(separator=" ")), " ", 1)
        if f"{art.date:%Y-%m-%d}" not in text:
            ctx.report(f"首页转载专栏中《{norm_ws(art.title)}》没有显示日期 {art.date:%Y-%m-%d}", url=page.url,
                       selector=selector)
        source = str(getattr(art, "source", "") or "").strip()
        if source and source not in text:
            ctx.report(f"首页转载专栏中《{norm_ws(art.title)}》没有显示来源「{source}」", url=page.url, selector=selector)
    col = model.reprint_column()
    if col is not None and total and not any(_local_href(a.attributes.get("href") or "", base).rstrip("/")
                                             == col.url.rstrip("/") for a in block.css("a[href]")):
        ctx.report(f"首页转载专栏没有链接到栏目「{col.name}」（{col.url}）", url=page.url, selector=selector,
                   severity="warning")


def _ancestors(node: Any) -> list[Any]:
    out = []
    cur = node.parent
    while cur is not None:
        out.append(cur)
        cur = cur.parent
    return out


# ---- REPRINT-003 ------------------------------------------------------------------------------------

def _local_names(ctx: RuleContext) -> set[str]:
    names = {str(ctx.settings.get(k) or "").strip() for k in ("GOVSITE_NAME", "SITENAME", "GOVSITE_SPONSOR")}
    return {n for n in names if n} | set(LOCAL_SOURCES)


@rule("REPRINT-003", title="转载信息注明来源并可追溯", stage="content", doc_types=("reprint",),
      clause=GUIDE_2017 + "：发布或转载信息要注明来源；网页标签 ContentSource 为转载来源", confidence="P/S",
      fix="source 填写原发布单位（如 中国政府网、云南省人民政府），source_url 填写原文的 http(s) 网址",
      why="转载须注明来源、保证来源可追溯；把来源写成本站会被认定为未注明来源。",
      example_bad="source: 示例县人民政府", example_good="source: 中国政府网")
def reprint_source_meta(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.fatal or not doc.published:
        return
    source = doc.get("source").strip()
    if not source:
        ctx.report("转载信息没有注明来源（source）", file=doc.path, line=doc.line_of("source") or 1, field="source")
    elif source in _local_names(ctx):
        ctx.report(f"转载信息的来源写成了本站「{source}」，应写原发布单位", file=doc.path, line=doc.line_of("source"),
                   field="source")
    url = doc.get("source_url").strip()
    if not url:
        ctx.report("转载信息缺少原文链接（source_url）", file=doc.path, line=1, field="source_url")
    elif not is_http_url(url):
        ctx.report(f"原文链接「{url}」不是 http(s) 网址", file=doc.path, line=doc.line_of("source_url"), field="source_url",
                   fix="填写完整网址，如 https://www.gov.cn/zhengce/content/…")


def _reprint_pages(ctx: RuleContext) -> dict[str, SourceDoc]:
    cached = ctx.run.data.get("_reprint_pages")
    if cached is None:
        model: SiteModel | None = ctx.run.data.get("site")
        cached = {}
        if model is not None:
            for doc in reprint_docs(model):
                save_as = getattr(doc.content, "save_as", "") or getattr(doc.content, "url", "")
                if save_as:
                    cached[save_as.lstrip("/")] = doc
        ctx.run.data["_reprint_pages"] = cached
    return cached


def _shown_source(page: Page) -> str | None:
    node = page.tree.css_first(".article-info .content-source") or page.tree.css_first(".content-source")
    if node is not None:
        return norm_ws(node.text())
    root = page.main or page.tree.body
    if root is None:
        return None
    for line in root.text(separator="\n").split("\n"):
        m = re.search(r"来源[：:]\s*(\S.*)$", line.strip())
        if m:
            return norm_ws(m.group(1))
    return None


@check("REPRINT-003", stage="page", page_types=("article",))
def reprint_source_page(page: Page, ctx: RuleContext) -> None:
    doc = _reprint_pages(ctx).get(page.path)
    if doc is None and page.tree.css_first(".reprint-origin") is None:
        return  # not a reprint
    meta = (page.meta_one("ContentSource") or "").strip()
    shown = _shown_source(page)
    if shown is None:
        ctx.report("转载页面没有显示「来源：…」", url=page.url, selector=".article-info",
                   fix="文章模板在发布时间旁输出「来源：<span class=\"content-source\">…</span>」")
    elif shown != meta:
        ctx.report(f"页面显示的来源「{shown}」与网页标签 ContentSource「{meta}」不一致", url=page.url,
                   selector=".content-source")
    if doc is not None and meta != doc.get("source").strip():
        ctx.report(f"网页标签 ContentSource「{meta}」与元数据 source「{doc.get('source')}」不一致", url=page.url,
                   selector='meta[name="ContentSource"]')
    links = [a for a in page.tree.css("a[href]") if "原文链接" in a.text()]
    if not links:
        ctx.report("转载页面没有「原文链接」", url=page.url, selector=".reprint-origin",
                   fix="转载模板（theme/templates/reprint.html）输出 <a href=\"原文网址\">原文链接</a>")
        return
    hrefs = [(a.attributes.get("href") or "").strip() for a in links]
    if doc is not None and doc.get("source_url"):
        want = doc.get("source_url").strip()
        if not any(normalize_url(h) == normalize_url(want) and is_http_url(h) for h in hrefs):
            ctx.report(f"「原文链接」指向 {hrefs[0]}，而不是原文网址 {want}", url=page.url, selector="a.source-url")
    elif not any(is_http_url(h) for h in hrefs):
        ctx.report(f"「原文链接」{hrefs[0]} 不是 http(s) 网址", url=page.url, selector="a.source-url")


# ---- REPRINT-004 ------------------------------------------------------------------------------------

@rule("REPRINT-004", title="转载不得篡改标题", stage="site", severity="warning", doc_types=("reprint",),
      clause="转载须保证来源可追溯、不得篡改标题原意（seed 004，云南市级管理办法）", confidence="derived",
      fix="标题与原文（上级信息清单 content/upstream/*.yaml 中的 title）保持一致，只可调整空格和全/半角标点",
      why="转载改动标题可能改变原意，造成误读。")
def reprint_title(doc: SourceDoc, ctx: RuleContext) -> None:
    url = doc.get("source_url").strip()
    if not url:
        return
    item = upstream_by_url(ctx).get(normalize_url(url))
    if item is None:
        return
    if normalize_title(doc.title) != normalize_title(item.title):
        ctx.report(f"标题与原文不一致：本站《{doc.title}》，原文《{item.title}》（{item.file.name} 第 {item.line} 行）",
                   file=doc.path, line=doc.line_of("title"), field="title")


# ---- META-011 (reprints): ContentSource is the original publisher ----------------------------------

@check("META-011", stage="site", doc_types=("reprint",))
def reprint_source_is_publisher(doc: SourceDoc, ctx: RuleContext) -> None:
    """For a reprint listed upstream, ``source`` (rendered as ContentSource) must be the upstream publisher."""
    url, source = doc.get("source_url").strip(), doc.get("source").strip()
    if not url or not source:
        return
    item = upstream_by_url(ctx).get(normalize_url(url))
    if item is not None and norm_ws(source) != norm_ws(item.publisher):
        ctx.report(f"转载来源（ContentSource）「{source}」与原文发布单位「{item.publisher}」不一致"
                   f"（{Path(item.file).name} 第 {item.line} 行）", file=doc.path, line=doc.line_of("source"),
                   field="source", fix=f"把 source 改为 {item.publisher}")

