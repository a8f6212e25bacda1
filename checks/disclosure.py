"""政府信息公开 platform and annual reports: OPEN-001, OPEN-003, REPORT-001 (site + home page), REPORT-002."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from govsite.htmlpage import OutputSite
from govsite.registry import check, rule
from govsite.run import RuleContext
from govsite.site import SiteModel
from govsite.source import SourceDoc

OPEN_ROOT = "政府信息公开"
OPEN_CHILDREN = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报")
REPORT_SECTIONS = ("信息发布", "专栏专题", "解读回应", "办事服务", "互动交流", "安全防护", "移动新媒体", "创新发展")
CLAUSE_61 = "国办公开办函〔2019〕61号（规范政府信息公开平台：统一名称、统一格式，专栏姓专）"
CLAUSE_12 = "《国务院办公厅关于做好政府网站年度报表发布工作的通知》（国办函〔2018〕12号）"


def _fact(ctx: RuleContext, key: str, text: str) -> None:
    ctx.run.data.setdefault("scorecard_facts", {})[key] = text


def _is_portal(ctx: RuleContext) -> bool:
    return str(ctx.settings.get("GOVSITE_LEVEL", "county-portal")).endswith("portal")


def _deadline(value: Any, year: int, fallback: str) -> date:
    text = str(value or fallback).strip()
    try:
        month, day = (int(x) for x in text.split("-"))
        return date(year, month, day)
    except ValueError:
        month, day = (int(x) for x in fallback.split("-"))
        return date(year, month, day)


def reports_of(model: SiteModel, kind: str, year: int | None = None) -> list[SourceDoc]:
    out = [d for d in model.docs if d.doc_type == "report" and d.get("report_kind").strip() == kind
           and (year is None or d.get("report_year").strip() == str(year))]
    out.sort(key=_when)
    return out


def _when(doc: SourceDoc) -> tuple[bool, float, str]:
    return (doc.date is None, doc.date.timestamp() if doc.date else 0.0, doc.rel)


def _link_paths(page: Any) -> set[str]:
    out: set[str] = set()
    for a in page.tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            continue
        path = parts.path
        out.add(path if path.startswith("/") else "/" + path)
    return out


# ---- OPEN-001 -------------------------------------------------------------------------------------
@rule("OPEN-001", title="统一的「政府信息公开」栏目结构", stage="site", per="site", clause=CLAUSE_61, confidence="P/M",
      fix="在 content/columns.yaml 中登记「政府信息公开」栏目及其下级栏目「政府信息公开指南」「政府信息公开制度」"
          "「法定主动公开内容」「政府信息公开年报」（名称必须一字不差）",
      why="政府信息公开平台统一名称、统一格式，公众在每个政府网站的同一位置找到同样的栏目。",
      example_bad="栏目名称「信息公开」「公开指南」", example_good="政府信息公开 › 政府信息公开指南")
def open_platform(model: SiteModel, ctx: RuleContext) -> int:
    path = ctx.run.root / model.columns.path
    root = model.columns.get(OPEN_ROOT)
    if root is None:
        near = [c.name for c in model.columns.columns if "公开" in c.name and not c.parent]
        hint = f"（现有「{'」「'.join(near)}」，名称必须是「{OPEN_ROOT}」）" if near else ""
        ctx.report(f"没有名为「{OPEN_ROOT}」的栏目{hint}", file=path)
        return 1
    children = {c.name for c in model.columns.children(OPEN_ROOT)}
    for name in OPEN_CHILDREN:
        if name not in children:
            ctx.report(f"「{OPEN_ROOT}」栏目下缺少下级栏目「{name}」", file=path, line=root.line, field=name)
    for item in model.column_items(OPEN_ROOT):
        doc = model.doc_for(item)
        if doc is not None and doc.doc_type == "news":
            ctx.report(f"新闻动态《{doc.title}》发布在政府信息公开栏目「{doc.category}」下（专栏姓专，只发布法定公开内容）",
                       file=doc.path, line=doc.line_of("category"), field="category", severity="warning",
                       fix="改投「工作动态」等新闻栏目；确属法定主动公开内容的，改为相应信息类型（如 notice、policy）")
    return 1 + len(OPEN_CHILDREN)


# ---- OPEN-003 -------------------------------------------------------------------------------------
@rule("OPEN-003", title="按时发布上一年度政府信息公开工作年度报告", stage="site", per="site",
      clause="《中华人民共和国政府信息公开条例》（2019年修订）第四十九条、第五十条", confidence="M/S",
      params={"open_report_deadline": "01-31", "open_report_deadline_government": "03-31"},
      fix="在「政府信息公开年报」栏目发布上一年度的政府信息公开工作年度报告（type: report，report_kind: 信息公开年报，"
          "report_year: 上一年）",
      why="各级行政机关每年 1 月 31 日前（县级以上人民政府 3 月 31 日前）公布本机关上一年度政府信息公开工作年度报告。",
      example_bad="2026 年 4 月仍没有 2025 年度报告",
      example_good="title: 示例县人民政府2025年政府信息公开工作年度报告\nreport_kind: 信息公开年报\nreport_year: 2025")
def open_annual_report(model: SiteModel, ctx: RuleContext) -> int:
    year = ctx.now.year
    government = _is_portal(ctx)
    deadline = _deadline(ctx.param("open_report_deadline_government" if government else "open_report_deadline"), year,
                         "03-31" if government else "01-31")
    want = year - 1
    reports = reports_of(model, "信息公开年报", want)
    if ctx.now.date() <= deadline:
        _fact(ctx, "OPEN-003", f"{want} 年度报告截止日期 {deadline} 未到")
        return len(reports)
    if not reports:
        ctx.report(f"已过 {deadline:%Y年%m月%d日}，仍没有发布 {want} 年度政府信息公开工作年度报告（report_kind: 信息公开年报，"
                   f"report_year: {want}）")
        return 1
    doc = reports[0]
    if doc.date is not None and doc.date.date() > deadline:
        ctx.report(f"{want} 年度政府信息公开工作年度报告于 {doc.date:%Y-%m-%d} 发布，晚于截止日期 {deadline}", file=doc.path,
                   line=doc.line_of("date"), field="date", severity="warning",
                   fix="逾期事实无法更正（不得修改发布时间）；今后在截止日期前发布")
    if f"{want}年" not in doc.title or "政府信息公开工作年度报告" not in doc.title:
        ctx.report(f"年度报告标题《{doc.title}》应包含「{want}年」和「政府信息公开工作年度报告」", file=doc.path,
                   line=doc.line_of("title"), field="title", severity="warning")
    if model.columns.get("政府信息公开年报") is not None and doc.category not in (
            {"政府信息公开年报"} | {c.name for c in model.descendants("政府信息公开年报")}):
        ctx.report(f"年度报告发布在栏目「{doc.category}」，应发布在「政府信息公开年报」栏目", file=doc.path,
                   line=doc.line_of("category"), field="category", severity="warning")
    return len(reports)


# ---- REPORT-001 / REPORT-002 ----------------------------------------------------------------------
@rule("REPORT-001", title="1月31日前在首页发布上一年度政府网站工作年度报表", stage="site", per="site",
      clause=CLAUSE_12 + " 二、方式和时间", confidence="P", params={"annual_report_deadline": "01-31"},
      fix="发布上一年度《政府网站工作年度报表》（type: report，report_kind: 网站年度报表，report_year: 上一年），"
          "并在首页「年度报告」区链接",
      why="各级各类政府网站的年度报表于每年 1 月 31 日前在本网站首页显著位置发布。",
      example_bad="2026 年 2 月仍没有 2025 年度报表", example_good="report_kind: 网站年度报表\nreport_year: 2025\ndate: 2026-01-20 09:00")
def site_annual_report(model: SiteModel, ctx: RuleContext) -> int:
    year = ctx.now.year
    deadline = _deadline(ctx.param("annual_report_deadline"), year, "01-31")
    want = year - 1
    reports = reports_of(model, "网站年度报表", want)
    if ctx.now.date() <= deadline:
        return len(reports)
    if not reports:
        ctx.report(f"已过 {deadline:%Y年%m月%d日}，仍没有发布 {want} 年度政府网站工作年度报表（report_kind: 网站年度报表，"
                   f"report_year: {want}）")
        return 1
    doc = reports[0]
    if doc.date is not None and doc.date.date() > deadline:
        ctx.report(f"{want} 年度政府网站工作年度报表于 {doc.date:%Y-%m-%d} 发布，晚于截止日期 {deadline}", file=doc.path,
                   line=doc.line_of("date"), field="date", severity="warning",
                   fix="逾期事实无法更正（不得修改发布时间）；今后在 1 月 31 日前发布")
    return len(reports)


def newest_site_report(model: SiteModel) -> SourceDoc | None:
    reports = reports_of(model, "网站年度报表")
    reports.sort(key=lambda d: (d.get("report_year").strip(), _when(d)))
    return reports[-1] if reports else None


@check("REPORT-001", stage="page", per="site")
def site_report_on_home(site: OutputSite, ctx: RuleContext) -> int:
    model: SiteModel | None = ctx.run.data.get("site")
    doc = newest_site_report(model) if model is not None else None
    if doc is None or doc.content is None:
        return 0
    home = site.by_path.get("index.html")
    target = "/" + doc.content.url.lstrip("/")
    if home is None or target not in _link_paths(home):
        ctx.report(f"首页没有链接最新的政府网站工作年度报表《{doc.title}》（{target}）", url="/index.html",
                   fix="首页模板的「年度报告」区链接 gov.annual_reports()；最新年度报表须保留在首页直至下一年度报表发布")
    return 1


@rule("REPORT-002", title="年度报表包含八个方面的内容", stage="site", per="site", severity="warning",
      clause=CLAUSE_12 + " 一", confidence="P",
      fix="年度报表正文按 信息发布、专栏专题、解读回应、办事服务、互动交流、安全防护、移动新媒体、创新发展 八个方面填报",
      why="国办函〔2018〕12号规定年度报表的内容范围，缺项会被通报。")
def site_report_sections(model: SiteModel, ctx: RuleContext) -> int:
    reports = reports_of(model, "网站年度报表")
    for doc in reports:
        text = doc.body + " " + doc.title
        missing = [s for s in REPORT_SECTIONS if s not in text]
        if missing:
            ctx.report(f"年度报表《{doc.title}》缺少以下方面：{'、'.join(missing)}", file=doc.path, line=doc.body_line)
    return len(reports)
