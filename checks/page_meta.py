"""Page stage: the 指引 网页标签 (SiteName … Url) on every page type (META-001…013)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govsite.htmlpage import Page, norm_ws
from govsite.registry import rule
from govsite.run import RuleContext

from .links import output_files
from .patterns import PUBDATE_RE, SITE_ID_RE

TAGS = "《政府网站发展指引》附件《政府网站网页设计规范》网页标签"
FIX_META = "在页面模板 <head> 中输出该标签（见 theme/templates/base.html 与 article.html）"
COLUMN_TYPES = ("首页 概况信息 机构职能 负责人信息 工作动态 政策文件 信息公开指南 信息公开目录 信息公开年报 依法申请公开 "
                "数据发布 数据开放 政策解读 回应关切 办事服务 咨询投诉 征集调查 在线访谈 通知公告").split()


def _one(page: Page, ctx: RuleContext, name: str, *, severity: str | None = None) -> str | None:
    vals = page.meta.get(name, [])
    if not vals:
        ctx.report(f"缺少网页标签 <meta name=\"{name}\">", url=page.url, selector="head", severity=severity)
        return None
    if len(vals) > 1:
        ctx.report(f"网页标签 {name} 出现了 {len(vals)} 次", url=page.url, selector="head", severity=severity)
    value = vals[0].strip()
    if not value or value.lower() == "null":
        ctx.report(f"网页标签 {name} 的值为空或为 null", url=page.url, selector=f'meta[name="{name}"]', severity=severity)
        return None
    return value


@rule("META-001", title="SiteName 网站名称标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      why="网页标签供全国政府网站监管和搜索引擎识别网站、栏目和文章。")
def site_name(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "SiteName")
    expected = str(ctx.settings.get("GOVSITE_NAME", ""))
    if value is not None and expected and value != expected:
        ctx.report(f"SiteName「{value}」与网站规范名称「{expected}」不一致", url=page.url, selector='meta[name="SiteName"]')


@rule("META-002", title="SiteDomain 网站域名标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      why="SiteDomain 为不带协议和路径的网站域名，如 www.gov.cn。")
def site_domain(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "SiteDomain")
    if value is None:
        return
    expected = urlsplit(str(ctx.settings.get("GOVSITE_SITEURL") or ctx.settings.get("SITEURL") or "")).hostname or ""
    host = value
    if "://" in value:
        ctx.report(f"SiteDomain「{value}」不应带 http:// 等协议", url=page.url, selector='meta[name="SiteDomain"]',
                   severity="warning")
        host = urlsplit(value).hostname or ""
    if expected and host.rstrip("/") != expected:
        ctx.report(f"SiteDomain「{value}」与网站域名 {expected} 不一致", url=page.url, selector='meta[name="SiteDomain"]')


@rule("META-003", title="SiteIDCode 网站标识码标签", stage="page", clause=TAGS, confidence="P/R", fix=FIX_META,
      why="SiteIDCode 须与页面底部的网站标识码和找错入口一致。")
def site_id(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "SiteIDCode")
    if value is None:
        return
    if not SITE_ID_RE.match(value):
        ctx.report(f"SiteIDCode「{value}」格式错误（应为 10 位数字或 bm+8 位数字）", url=page.url,
                   selector='meta[name="SiteIDCode"]')
    expected = str(ctx.settings.get("GOVSITE_ID_CODE", ""))
    if expected and value != expected:
        ctx.report(f"SiteIDCode「{value}」与网站标识码 {expected} 不一致", url=page.url, selector='meta[name="SiteIDCode"]')


def _column_tag(page: Page, ctx: RuleContext, name: str) -> str | None:
    # Column tags on article pages follow practice (R) not a verified mandate (M): warn only there.
    severity = "warning" if page.page_type == "article" else None
    return _one(page, ctx, name, severity=severity)


@rule("META-004", title="ColumnName 栏目名称标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("home", "column", "article"), why="栏目页必须标明栏目名称；文章页标明所属栏目。")
def column_name(page: Page, ctx: RuleContext) -> None:
    _column_tag(page, ctx, "ColumnName")


@rule("META-005", title="ColumnDescription 栏目描述标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("home", "column", "article"), why="栏目描述说明栏目设置目的和主要内容。")
def column_description(page: Page, ctx: RuleContext) -> None:
    value = _column_tag(page, ctx, "ColumnDescription")
    if value is not None and page.page_type != "article" and len(re.findall(r"[\u4e00-\u9fff]", value)) < 10:
        ctx.report(f"ColumnDescription「{value}」过短（建议至少 10 个汉字）", url=page.url, severity="warning",
                   selector='meta[name="ColumnDescription"]', fix="在 content/columns.yaml 中补充栏目描述")


@rule("META-006", title="ColumnKeywords 栏目关键词标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("home", "column", "article"), why="栏目关键词反映栏目内容特点。")
def column_keywords(page: Page, ctx: RuleContext) -> None:
    _column_tag(page, ctx, "ColumnKeywords")


@rule("META-007", title="ColumnType 栏目类别标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("home", "column", "article"), why="首页的栏目类别为「首页」，栏目页取自栏目类别表。")
def column_type(page: Page, ctx: RuleContext) -> None:
    value = _column_tag(page, ctx, "ColumnType")
    if value is not None and page.page_type == "home" and value != "首页":
        ctx.report(f"首页的 ColumnType 应为「首页」，而不是「{value}」", url=page.url, selector='meta[name="ColumnType"]')


@rule("META-008", title="ColumnType 取值来自栏目类别表", stage="page", severity="warning", clause=TAGS + "（栏目类别表）",
      confidence="P/M", fix="在 content/columns.yaml 中把 type 改为栏目类别表中的值（或在设置 GOVSITE_COLUMN_TYPES 中扩展）",
      page_types=("home", "column"), why="栏目类别表：首页、概况信息、机构职能……在线访谈。")
def column_type_vocab(page: Page, ctx: RuleContext) -> None:
    value = page.meta_one("ColumnType")
    allowed = set(COLUMN_TYPES) | set(ctx.settings.get("GOVSITE_COLUMN_TYPES", []) or [])
    if value and not all(v.strip() in allowed for v in re.split(r"[,，、]", value)):
        ctx.report(f"ColumnType「{value}」不在栏目类别表中", url=page.url, selector='meta[name="ColumnType"]')


@rule("META-009", title="ArticleTitle 标题标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("article",), why="ArticleTitle 与页面大标题一致，<title> 以标题开头。")
def article_title(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "ArticleTitle")
    if value is None:
        return
    if page.h1_text is not None and norm_ws(value) != page.h1_text:
        ctx.report(f"ArticleTitle「{value}」与页面大标题「{page.h1_text}」不一致", url=page.url, selector="h1")
    title = page.tree.css_first("title")
    if title is not None and not norm_ws(title.text()).startswith(norm_ws(value)):
        ctx.report("<title> 没有以文章标题开头", url=page.url, selector="title", severity="warning")


@rule("META-010", title="PubDate 发布时间标签", stage="page", clause=TAGS + "：格式 YYYY-MM-DD HH:MM", confidence="P",
      fix=FIX_META, page_types=("article",), why="发布时间格式统一为 YYYY-MM-DD HH:MM（北京时间）。")
def pub_date(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "PubDate")
    if value is None:
        return
    if re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", value):
        ctx.report(f"PubDate「{value}」带了秒，应为 YYYY-MM-DD HH:MM", url=page.url, severity="warning",
                   selector='meta[name="PubDate"]')
    elif not PUBDATE_RE.match(value):
        ctx.report(f"PubDate「{value}」格式错误，应为 YYYY-MM-DD HH:MM", url=page.url, selector='meta[name="PubDate"]')


@rule("META-011", title="ContentSource 来源标签", stage="page", clause=TAGS, confidence="P", fix=FIX_META,
      page_types=("article",), why="来源为文章的发布单位或转载来源。")
def content_source(page: Page, ctx: RuleContext) -> None:
    value = _one(page, ctx, "ContentSource")
    if value in ("本站", "本网"):
        ctx.report(f"ContentSource 不应写「{value}」，应写具体发布单位", url=page.url, selector='meta[name="ContentSource"]',
                   severity="warning")


@rule("META-012", title="可选内容标签格式正确", stage="page", whole_output=True, severity="warning", clause=TAGS, confidence="P",
      fix="Keywords/Description 不要留空；Image 指向站内存在的图片；Url 等于本页网址",
      why="可选标签一旦输出，就必须正确。")
def optional_tags(page: Page, ctx: RuleContext) -> None:
    if page.page_type != "article":
        return
    base = str(ctx.settings.get("GOVSITE_SITEURL") or "").rstrip("/")
    for name in ("Keywords", "Description", "Author"):
        vals = page.meta.get(name)
        if vals is not None and not vals[0].strip():
            ctx.report(f"可选标签 {name} 输出了空值", url=page.url, selector=f'meta[name="{name}"]')
    url = page.meta_one("Url")
    if url is not None and base and url != base + page.url:
        ctx.report(f"Url 标签「{url}」不是本页网址 {base + page.url}", url=page.url, selector='meta[name="Url"]')
    image = page.meta_one("Image")
    if image is not None:
        path = urlsplit(image).path if image.startswith(("http://", "https://")) else image
        if path.lstrip("/") not in output_files(ctx):
            ctx.report(f"Image 标签指向的图片 {image} 不存在", url=page.url, selector='meta[name="Image"]')


@rule("META-013", title="网页标签不重复、不冲突", stage="page", severity="warning", clause=TAGS, confidence="derived",
      fix="每个标签在页面中只输出一次；小写 keywords/description 与 Keywords/Description 内容一致",
      why="重复或互相矛盾的标签会让监管系统读到错误信息。")
def no_duplicates(page: Page, ctx: RuleContext) -> None:
    names = ("SiteName SiteDomain SiteIDCode ColumnName ColumnDescription ColumnKeywords ColumnType ArticleTitle PubDate "
             "ContentSource Keywords Author Description Image Url").split()
    for name in names:
        if len(page.meta.get(name, [])) > 1:
            ctx.report(f"网页标签 {name} 重复出现 {len(page.meta[name])} 次", url=page.url, selector=f'meta[name="{name}"]')
    if page.page_type == "article":
        for low, up in (("keywords", "Keywords"), ("description", "Description")):
            if page.meta.get(low) and page.meta.get(up) and page.meta[low][0] != page.meta[up][0]:
                ctx.report(f"小写 {low} 与 {up} 内容不一致", url=page.url, selector=f'meta[name="{low}"]')
