"""Page stage: three-area structure, visible title/date/source, dated list items (LAYOUT-001/008/010)."""

from __future__ import annotations

import re
from typing import Any

from govsite.htmlpage import Page, css_path, norm_ws
from govsite.registry import check, finish, rule
from govsite.run import RuleContext

from .patterns import DOC_NUMBER_RE

ANNEX = "《政府网站发展指引》附件《政府网站网页设计规范》"
DATE_IN_LIST = re.compile(r"\d{4}-\d{2}-\d{2}")


@rule("LAYOUT-001", title="页面分为头部标识区、内容区和底部功能区", stage="page", clause=ANNEX + "（页面结构）", confidence="S/M",
      fix="页面模板使用 <header>（含网站名称）、<main>、<footer> 三个区域", why="统一的页面结构便于公众识别政府网站。")
def three_areas(page: Page, ctx: RuleContext) -> None:
    if page.header is None:
        ctx.report("页面缺少头部标识区（<header>）", url=page.url)
    if page.main is None:
        ctx.report("页面缺少内容区（<main>）", url=page.url, severity="warning")
    if page.footer is None:
        ctx.report("页面缺少底部功能区（<footer>）", url=page.url)


@check("NAME-001", stage="page")
def name_in_header(page: Page, ctx: RuleContext) -> None:
    name = str(ctx.settings.get("GOVSITE_NAME", ""))
    if page.header is None or not name:
        return
    text = norm_ws(page.header.text(separator=" "))
    alts = " ".join(img.attributes.get("alt") or "" for img in page.header.css("img"))
    if name not in text and name not in alts:
        ctx.report(f"页面头部标识区没有显示网站名称「{name}」", url=page.url, selector=css_path(page.header))


@rule("LAYOUT-008", title="内容页展示标题、发布时间、来源（政策文件另有元数据表）", stage="page", page_types=("article",),
      clause=ANNEX + "；政府信息公开页面通行做法", confidence="R/M",
      fix="内容页模板显示 <h1> 标题、「发布时间：」和「来源：」，政策文件显示索引号、发文机关、成文日期、发布日期、发文字号、有效性",
      why="标题、时间、来源是公众判断信息权威性和时效性的依据。")
def article_elements(page: Page, ctx: RuleContext) -> None:
    text = page.visible_text
    title = page.meta_one("ArticleTitle")
    if page.h1_text is None:
        ctx.report("内容页没有 <h1> 标题", url=page.url)
    pub = page.meta_one("PubDate")
    if pub and f"发布时间：{pub}" not in text.replace("发布时间: ", "发布时间：").replace("发布时间： ", "发布时间："):
        ctx.report(f"页面上没有显示与 PubDate 一致的「发布时间：{pub}」", url=page.url)
    src = page.meta_one("ContentSource")
    if src and f"来源：{src}" not in text.replace("来源： ", "来源："):
        ctx.report(f"页面上没有显示与 ContentSource 一致的「来源：{src}」", url=page.url)
    table = page.tree.css_first("table.policy-meta")
    if table is not None:
        ttext = norm_ws(table.text(separator=" "))
        for label in ("索引号", "发文机关", "成文日期", "发布日期", "发文字号", "有效性"):
            if label not in ttext:
                ctx.report(f"政策文件信息表缺少「{label}」", url=page.url, selector=css_path(table), severity="warning")
        num = table.css_first(".doc-number")
        if num is not None and not DOC_NUMBER_RE.match(norm_ws(num.text())):
            ctx.report(f"发文字号「{norm_ws(num.text())}」格式不规范（年份应使用六角括号〔〕）", url=page.url,
                       selector=css_path(num), severity="warning")
    del title


@rule("LAYOUT-010", title="页面和列表显示发布时间", stage="page", whole_output=True,
      clause="全国政府网站普查评分表（国办函〔2015〕15号 附件2）：未注明信息发布时间的视为不更新", confidence="P",
      fix="栏目列表每一条信息后显示发布日期（YYYY-MM-DD），与文章的发布时间一致",
      why="未注明发布时间的信息在检查中视为不更新。")
def list_dates(page: Page, ctx: RuleContext) -> None:
    """Per page: an article's PubDate, or a home/column page's list items linking to pages (judged in finish)."""
    if page.page_type == "article":
        ctx.collect(page.path, {"pubdate": page.meta_one("PubDate") or ""})
        return
    if page.page_type not in ("home", "column"):
        return
    main = page.main or page.tree.body
    if main is None:
        return
    site = ctx.run.data.get("output_site")
    pages = site.by_path if site is not None else None
    items: list[tuple[str, str, str | None, str]] = []
    for li in main.css("li"):
        a = li.css_first("a[href]")
        if a is None:
            continue
        href = (a.attributes.get("href") or "").split("#")[0]
        # Only links to an output page can point to an article (articles are known once all pages were seen).
        if not href.startswith("/") or (pages is not None and href[1:] not in pages):
            continue
        m = DATE_IN_LIST.search(li.text(separator=" "))
        items.append((href, norm_ws(a.text())[:30], m.group(0) if m else None, css_path(li)))
    if items:
        ctx.collect(page.path, {"items": items})


@finish("LAYOUT-010", stage="page")
def list_dates_match(collected: dict[str, Any], ctx: RuleContext) -> None:
    pubdates = {"/" + path: fact["pubdate"] for path, fact in collected.items() if "pubdate" in fact}
    for path, fact in collected.items():
        for href, label, shown, selector in fact.get("items", ()):
            if href not in pubdates:
                continue
            if shown is None:
                ctx.report(f"列表项「{label}」没有显示发布日期", url="/" + path, selector=selector)
            elif pubdates[href] and not pubdates[href].startswith(shown):
                ctx.report(f"列表项「{label}」显示的日期 {shown} 与文章发布时间 {pubdates[href]} 不一致",
                           url="/" + path, selector=selector)
