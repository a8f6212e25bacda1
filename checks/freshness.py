"""Freshness (更新) — the 2019 单项否决 items 首页不更新 / 栏目不更新, the date ledger, site lifecycle.

FRESH-002…006 and the ledger half of FRESH-007 run once on the :class:`SiteModel` at the site stage;
LIFE-001 also checks the rendered home page, LIFE-002 the settings. Windows come from profile params
(rulebook Appendix A.7 defaults). Facts for the 单项否决 scorecard go to ``run.data["scorecard_facts"]``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govsite import ledger
from govsite.columns import UPDATE_CLASSES, Column
from govsite.htmlpage import OutputSite
from govsite.registry import check, rule
from govsite.run import RuleContext
from govsite.settings_view import SettingsItem
from govsite.site import SiteModel
from govsite.source import SourceDoc, parse_date, parse_datetime

from .patterns import GOV_HOST_RE

VETO_19 = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决"
COLUMNS_FIX = "在该栏目发布新信息；栏目确已不再使用的，从 content/columns.yaml 中撤销"


def fact(ctx: RuleContext, key: str, text: str) -> None:
    ctx.run.data.setdefault("scorecard_facts", {})[key] = text


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


def _cutoff(ctx: RuleContext) -> datetime:
    """Items dated after now (+ clock skew) never count as updates: FRESH-007 reports them."""
    return ctx.now + timedelta(minutes=int(ctx.run.profile.param("FRESH-007", "future_skew_minutes", 10) or 10))


def _newest(items: list[Any], ctx: RuleContext) -> Any | None:
    limit = _cutoff(ctx)
    dated = [a for a in items if getattr(a, "date", None) is not None and a.date <= limit]
    return max(dated, key=lambda a: (a.date, a.slug)) if dated else None


def _columns_file(ctx: RuleContext, model: SiteModel) -> Path:
    return ctx.run.root / model.columns.path


def _is_portal(ctx: RuleContext) -> bool:
    return str(ctx.settings.get("GOVSITE_LEVEL", "county-portal")).endswith("portal")


# ---- FRESH-002 首页不更新 ------------------------------------------------------------------
def home_items(model: SiteModel) -> list[Any]:
    """The dated items the home page template links (theme/templates/index.html blocks)."""
    items = list(model.reprints(8))
    for col in model.home_columns():
        items.extend(model.column_items(col.name, 6))
    items.extend(model.annual_reports())
    items.extend(model.home_notices())
    return items


@rule("FRESH-002", title="首页两周内有信息更新", stage="site", per="site", clause=VETO_19 + "「首页不更新」", confidence="P",
      params={"home_update_days": 14},
      fix="在首页展示的栏目（工作动态、通知公告等）发布新信息；不得靠修改旧信息的发布时间「更新」",
      why="监测 2 周首页无信息更新即单项否决，网站被评为不合格。",
      example_bad="首页最新一条信息发布于 2026-10-30（检查日 2026-11-20）",
      example_good="首页最新一条信息发布于 2026-11-19")
def home_updated(model: SiteModel, ctx: RuleContext) -> int:
    days = int(ctx.param("home_update_days") or 14)
    items = home_items(model)
    where = "首页"
    newest = _newest(items, ctx)
    if newest is None:  # navigation-only home page: the newest item of any column counts
        newest = _newest(model.latest(50), ctx)
        where = "首页（仅导航）及各栏目"
    if newest is None:
        ctx.report(f"{where}没有任何带发布时间的信息", veto=True)
        fact(ctx, "FRESH-002", f"{where}没有任何带发布时间的信息（监测 {days} 天无更新即单项否决）")
        return 1
    age = ctx.now - newest.date
    text = f"{where}最新信息《{newest.title}》发布于 {newest.date:%Y-%m-%d %H:%M}，距检查时间 {_days(age)} 天（限 {days} 天）"
    fact(ctx, "FRESH-002", text)
    if age > timedelta(days=days):
        doc = model.doc_for(newest)
        ctx.report(text + "，首页已超过两周未更新", file=doc.path if doc else None, veto=True)
    return len(items) or 1


# ---- FRESH-003 / FRESH-004 栏目不更新 -----------------------------------------------------------
def _window(ctx: RuleContext, update: str) -> int | None:
    defaults = {"dynamic": ("dynamic_update_days", 14), "notice_policy": ("notice_policy_update_days", 183),
                "personnel_plan": ("personnel_plan_update_days", 365)}
    if update not in defaults:
        return None
    name, default = defaults[update]
    return int(ctx.param(name) or default)


def column_staleness(model: SiteModel, col: Column, ctx: RuleContext) -> tuple[bool, str] | None:
    """(stale, description) for a column with a time window; None for columns without one."""
    days = _window(ctx, col.update)
    if days is None or col.link:
        return None
    newest = _newest(model.column_items(col.name), ctx)
    label = f"{UPDATE_CLASSES[col.update]}"
    if newest is None:
        return True, f"栏目「{col.name}」（{label}）没有任何信息"
    age = ctx.now - newest.date
    text = f"栏目「{col.name}」（{label}）最近更新于 {newest.date:%Y-%m-%d}，已 {_days(age)} 天未更新（限 {days} 天）"
    return age > timedelta(days=days), text


def _fresh003_columns(model: SiteModel) -> list[Column]:
    return [c for c in model.columns.columns if not c.link and (
        c.update == "dynamic" or (c.update == "notice_policy" and c.level == 1))]


@rule("FRESH-003", title="动态要闻类栏目两周、通知公告/政策文件类一级栏目六个月内有更新", stage="site", per="site",
      clause=VETO_19 + "「栏目不更新」第1项（累计≥5个即否决）", confidence="P",
      params={"dynamic_update_days": 14, "notice_policy_update_days": 183, "stale_column_veto": 5},
      fix=COLUMNS_FIX,
      why="动态、要闻类栏目 2 周未更新、通知公告和政策文件类一级栏目 6 个月未更新，累计 5 个即单项否决；单个栏目未更新是扣分项。",
      example_bad="工作动态 最近更新 2026-10-01（检查日 2026-11-20）", example_good="工作动态 最近更新 2026-11-19")
def columns_updated(model: SiteModel, ctx: RuleContext) -> int:
    veto = int(ctx.param("stale_column_veto") or 5)
    stale: list[str] = []
    cols = _fresh003_columns(model)
    path = _columns_file(ctx, model)
    for col in cols:
        state = column_staleness(model, col, ctx)
        if state and state[0]:
            stale.append(col.name)
            ctx.report(state[1], file=path, line=col.line, field=col.name, severity="warning")
    if len(stale) >= veto:
        ctx.report(f"{len(stale)} 个动态要闻类/通知公告政策文件类一级栏目未按时更新（≥{veto} 个即单项否决）："
                   + "、".join(stale), file=path, veto=True)
    fact(ctx, "FRESH-003", f"应检查 {len(cols)} 个栏目，未按时更新 {len(stale)} 个（≥{veto} 个即单项否决）"
         + ("：" + "、".join(stale) if stale else ""))
    return len(cols)


@rule("FRESH-004", title="应更新栏目长期未更新不超过 10 个", stage="site", per="site",
      clause=VETO_19 + "「栏目不更新」第2项（≥10个即否决）", confidence="P/S",
      params={"personnel_plan_update_days": 365, "stale_total_veto": 10},
      fix=COLUMNS_FIX,
      why="应更新但长期未更新的栏目（动态要闻 2 周、通知公告政策文件 6 个月、人事规划计划 1 年、空白栏目）累计 10 个即单项否决。",
      example_bad="人事信息 最近更新 2025-06-01（检查日 2026-11-20）", example_good="人事信息 最近更新 2026-09-01")
def columns_long_stale(model: SiteModel, ctx: RuleContext) -> int:
    veto = int(ctx.param("stale_total_veto") or 10)
    already = {c.name for c in _fresh003_columns(model)}
    path = _columns_file(ctx, model)
    stale: list[str] = []
    checked = 0
    for col in model.columns.columns:
        if col.link or col.update == "static":
            continue
        checked += 1
        state = column_staleness(model, col, ctx)
        if state is None:  # interactive/service columns: only a blank one counts as not updated
            if model.column_items(col.name):
                continue
            state = (True, f"栏目「{col.name}」（{UPDATE_CLASSES[col.update]}）没有任何信息")
        if not state[0]:
            continue
        stale.append(col.name)
        if col.name not in already:  # FRESH-003 already warned about the others
            ctx.report(state[1], file=path, line=col.line, field=col.name, severity="warning")
    if len(stale) >= veto:
        ctx.report(f"{len(stale)} 个应更新栏目长期未更新（≥{veto} 个即单项否决）：" + "、".join(stale), file=path, veto=True)
    fact(ctx, "FRESH-004", f"应更新栏目 {checked} 个，长期未更新 {len(stale)} 个（≥{veto} 个即单项否决）"
         + ("：" + "、".join(stale) if stale else ""))
    return checked


# ---- FRESH-005 空白栏目 ------------------------------------------------------------------------
def blank_columns(model: SiteModel) -> list[Column]:
    return [c for c in model.columns.columns if not c.link and not model.column_items(c.name)]


@rule("FRESH-005", title="不得有空白栏目", stage="site", per="site",
      clause=VETO_19 + "「栏目不更新」第3项（空白栏目≥5个即否决）；本项目：任何空白栏目都阻断构建", confidence="P",
      params={"blank_column_veto": 5, "blank_column_error": 1},
      fix="在该栏目发布至少一条信息（单页不计入栏目），或从 content/columns.yaml 中撤销该栏目",
      why="「有栏目无内容」的空白栏目 5 个即单项否决；生成器不应输出任何空白栏目。",
      example_bad="政府信息公开制度 栏目下没有任何信息", example_good="每个登记的栏目（外部链接栏目除外）至少有一条信息")
def no_blank_columns(model: SiteModel, ctx: RuleContext) -> int:
    veto = int(ctx.param("blank_column_veto") or 5)
    threshold = int(ctx.param("blank_column_error") or 1)
    blank = blank_columns(model)
    path = _columns_file(ctx, model)
    severity = "error" if len(blank) >= threshold else "warning"
    for col in blank:
        ctx.report(f"栏目「{col.name}」是空白栏目（没有任何信息，含下级栏目）", file=path, line=col.line, field=col.name,
                   severity=severity)
    if len(blank) >= veto:
        ctx.report(f"空白栏目 {len(blank)} 个（≥{veto} 个即单项否决）：" + "、".join(c.name for c in blank), file=path,
                   veto=True)
    names = "、".join(c.name for c in blank)
    fact(ctx, "FRESH-005", f"空白栏目 {len(blank)} 个（19号文 ≥{veto} 个即单项否决；本项目任何空白栏目均阻断构建）"
         + (f"：{names}" if names else ""))
    return len([c for c in model.columns.columns if not c.link])


# ---- FRESH-006 基本信息 ------------------------------------------------------------------------
BASIC_TYPES = ("概况信息", "机构职能", "负责人信息")


@rule("FRESH-006", title="门户网站有概况信息、机构职能、负责人信息栏目并保持更新", stage="site", per="site", severity="warning",
      clause="全国政府网站普查（国办函〔2015〕15号）「基本信息更新是否及时」；国办发〔2017〕47号 信息发布", confidence="S/M",
      params={"basic_info_max_days": 365},
      fix="在 content/columns.yaml 中登记类别（type）为 概况信息、机构职能、负责人信息 的栏目，并及时更新",
      why="概况信息、机构职能和负责人信息是公众了解政府的基本信息，必须准确、及时。")
def basic_info(model: SiteModel, ctx: RuleContext) -> int:
    if not _is_portal(ctx):
        return 0
    days = int(ctx.param("basic_info_max_days") or 365)
    path = _columns_file(ctx, model)
    for ctype in BASIC_TYPES:
        cols = [c for c in model.columns.columns if c.column_type == ctype]
        if not cols:
            ctx.report(f"门户网站没有类别为「{ctype}」的栏目", file=path, field=ctype)
            continue
        for col in cols:
            if col.link:
                continue
            items = model.column_items(col.name)
            newest = max((getattr(a, "modified", None) or a.date for a in items), default=None)
            if newest is not None and ctx.now - newest > timedelta(days=days):
                ctx.report(f"栏目「{col.name}」（{ctype}）最近更新于 {newest:%Y-%m-%d}，超过 {days} 天未核对更新",
                           file=path, line=col.line, field=col.name, fix="核对内容是否仍然准确，更新后填写 modified 修改时间")
    return len(BASIC_TYPES)


# ---- FRESH-007 part 2: the publication-date ledger -------------------------------------------------
def _justified(doc: SourceDoc) -> bool:
    return bool(doc.get("date_justification").strip())


@check("FRESH-007", stage="site", per="site")
def date_ledger(model: SiteModel, ctx: RuleContext) -> int:
    run = ctx.run
    path = ledger.ledger_path(run.root, run.settings)
    rel = run.rel(path)
    try:
        entries = ledger.read(path)
    except ledger.LedgerError as exc:
        ctx.report(str(exc), file=path, fix=f"从版本库恢复 {rel}，或运行 python -m govsite.ledger init 重新生成后提交审核")
        run.data["ledger_entries"] = {}
        return 1
    bootstrap = entries is None
    entries = entries or {}
    run.data["ledger_entries"] = entries
    if bootstrap:
        ctx.report(f"没有发布日期台账 {rel}：本次构建无法检查发布时间是否被改动或倒签，构建通过后将自动建立台账",
                   file=path, severity="warning",
                   fix="提交 data/published_dates.json；删除台账会让「伪造发稿日期」检查失效")
    croot = ledger.content_root(run.settings, run.root)
    tolerance = timedelta(days=float(ctx.param("backdate_tolerance_days") or 2))
    current = {ledger.doc_key(d, croot): d for d in model.docs if ledger.ledgered(d)}
    gone = {(e.get("date"), e.get("title")): k for k, e in entries.items() if k not in current}
    updates: dict[str, dict[str, Any]] = {}
    for key, doc in sorted(current.items()):
        when = doc.date
        assert when is not None
        stamp = ledger.fmt(when)
        entry = entries.get(key)
        line = doc.line_of("date")
        if entry is not None:
            if entry.get("date") != stamp and not _justified(doc):
                ctx.report(f"发布时间被改动：台账记录首次发布时间为 {entry.get('date')}（{entry.get('first_seen', '?')} 入库），"
                           f"现在为 {stamp}", file=doc.path, line=line, field="date",
                           fix="恢复原发布时间；确需更正的，增加 date_justification 写明更正原因（如 录入错误，经某某审核）")
            notice = doc.get("offline_notice")
            if notice and entry.get("offline_notice") != notice:
                updates[key] = {"offline_notice": notice}
            continue
        if bootstrap:
            updates[key] = ledger.entry_for(doc, ctx.now)
            continue
        moved_from = gone.get((stamp, doc.title))
        if moved_from is not None:  # the file was renamed or moved: it keeps its history
            updates[key] = {**ledger.entry_for(doc, ctx.now), "first_seen": entries[moved_from].get("first_seen", ""),
                            "moved_from": moved_from}
            continue
        if when < ctx.now - tolerance and not _justified(doc):
            ctx.report(f"新发布的信息发布时间 {stamp} 比首次发布（本次构建 {ctx.now:%Y-%m-%d %H:%M}）早 "
                       f"{_days(ctx.now - when)} 天，超过允许的 {ctx.param('backdate_tolerance_days') or 2} 天，属于倒签发稿日期",
                       file=doc.path, line=line, field="date",
                       fix="发布时间写实际上网发布的时间；历史档案迁移等情况须增加 date_justification 写明原因"
                           "（批量迁移时也可由管理员运行 python -m govsite.ledger init 重建台账，随内容一并提交审核）")
        updates[key] = ledger.entry_for(doc, ctx.now)
    run.data["ledger_updates"] = updates
    added = sum(1 for k in updates if k not in entries)
    fact(ctx, "FRESH-007", f"没有发布日期台账 {rel}，只检查了未来日期（本次将建立台账，{added} 篇）" if bootstrap else
         f"发布日期台账 {rel} 已记录 {len(entries)} 篇，本次新入库 {added} 篇；发布时间不得晚于当前时间、不得改动、新信息不得倒签")
    return len(current) or 1


# ---- LIFE-001 / LIFE-002 site lifecycle -------------------------------------------------------------
LIFE_CLAUSE = "云南省政府办公厅 2017-09-21（迁移/下线公告至少保留30日）；福建省 2017（首页显著位置公告一个月）"


@rule("LIFE-001", title="关停/迁移公告写明新网站、首页链接、保留不少于30日", stage="site", per="site",
      clause=LIFE_CLAUSE, confidence="S", params={"closure_notice_days": 30},
      fix="公告写明 new_site_name（新网站名称）和 new_site_url（.gov.cn 地址），在首页显著位置链接，发布后至少保留 30 天",
      why="网站关停或迁移时，公众需要通过公告找到新网站；公告期不少于 30 日。",
      example_bad="offline_notice: migration（未填写 new_site_url）",
      example_good="offline_notice: migration\nnew_site_name: 示例市人民政府\nnew_site_url: https://www.example-city.gov.cn/")
def offline_notices(model: SiteModel, ctx: RuleContext) -> int:
    days = int(ctx.param("closure_notice_days") or 30)
    count = 0
    for doc in model.docs:
        if not doc.get("offline_notice"):
            continue
        count += 1
        if not doc.get("new_site_name").strip():
            ctx.report("下线/迁移公告没有写明新网站名称（new_site_name）", file=doc.path, line=doc.line_of("offline_notice"),
                       field="new_site_name")
        url = doc.get("new_site_url").strip()
        parts = urlsplit(url)
        if not url:
            ctx.report("下线/迁移公告没有写明新网站地址（new_site_url）", file=doc.path, line=doc.line_of("offline_notice"),
                       field="new_site_url")
        elif parts.scheme not in ("http", "https") or not GOV_HOST_RE.match((parts.hostname or "").lower()):
            ctx.report(f"新网站地址「{url}」不是 .gov.cn 网址", file=doc.path, line=doc.line_of("new_site_url"),
                       field="new_site_url", fix="写成 https://www.xxx.gov.cn/ 形式的完整网址")
        if doc.date is None or doc.doc_type == "page":
            ctx.report("下线/迁移公告必须是带发布时间的信息（不能是单页），才能计算 30 天公告期", file=doc.path,
                       field="offline_notice", fix="改为 type: notice 并填写 date")
    # A notice recorded in the ledger must stay published for `days` days after its date.
    entries: dict[str, dict[str, Any]] = ctx.run.data.get("ledger_entries")
    if entries is None:
        try:
            entries = ledger.read(ledger.ledger_path(ctx.run.root, ctx.run.settings)) or {}
        except ledger.LedgerError:
            entries = {}
    croot = ledger.content_root(ctx.run.settings, ctx.run.root)
    live = {ledger.doc_key(d, croot) for d in model.docs}
    live_notices = {(ledger.fmt(d.date), d.title) for d in model.docs if d.get("offline_notice") and d.date}
    for key, entry in sorted(entries.items()):
        if not entry.get("offline_notice") or key in live or (entry.get("date"), entry.get("title")) in live_notices:
            continue
        when = parse_datetime(str(entry.get("date", "")))
        if when is None:
            continue
        until = when + timedelta(days=days)
        count += 1
        if ctx.now < until:
            ctx.report(f"下线/迁移公告《{entry.get('title', key)}》（{key}，发布于 {entry['date']}）被删除或撤回，"
                       f"公告须保留到 {until:%Y-%m-%d %H:%M}", file=croot / key,
                       fix="恢复该公告（status: published），公告期满 30 天后再删除")
    return count


@check("LIFE-001", stage="page", per="site")
def offline_notice_on_home(site: OutputSite, ctx: RuleContext) -> int:
    model: SiteModel | None = ctx.run.data.get("site")
    notices = [d for d in (model.docs if model else []) if d.get("offline_notice")]
    if not notices:
        return 0
    home = site.by_path.get("index.html")
    links = home_links(home) if home is not None else set()
    for doc in notices:
        if "/" + doc.content.url.lstrip("/") not in links:
            ctx.report(f"首页没有链接下线/迁移公告《{doc.title}》", url="/index.html", file=doc.path,
                       fix="首页模板在显著位置（横幅或通知区）链接 gov.home_notices() 中的公告")
    return len(notices)


def home_links(page: Any) -> set[str]:
    """Root-relative paths of every link on a page (query and fragment removed)."""
    out: set[str] = set()
    for a in page.tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") or href.startswith("//"):
            continue
        path = parts.path
        if path and not path.startswith("/"):
            path = "/" + path
        out.add(path)
    return out


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        v = value.strip()
        return parse_date(v[:10]) if len(v) >= 10 else None
    return None


@rule("LIFE-002", title="临时下线每次不超过30天、每年不超过1次", stage="config", severity="warning",
      clause="宁夏回族自治区人民政府办公厅 2022-08-24：临时下线每年不得超过1次，时间不得超过30天", confidence="S/M",
      params={"temp_offline_max_days": 30, "temp_offline_max_per_year": 1},
      fix="在 GOVSITE_TEMP_OFFLINE_LOG 中如实记录每次临时下线（start、end、reason），控制次数和时长",
      why="临时下线影响公众获取信息，必须从严控制次数和时长。",
      example_bad='GOVSITE_TEMP_OFFLINE_LOG = [{"start": "2026-03-01", "end": "2026-04-15", "reason": "改版"}]',
      example_good='GOVSITE_TEMP_OFFLINE_LOG = [{"start": "2026-03-01", "end": "2026-03-10", "reason": "机房搬迁"}]')
def temp_offline(s: SettingsItem, ctx: RuleContext) -> None:
    log = s.get("GOVSITE_TEMP_OFFLINE_LOG")
    if not log:
        return
    where = {"file": s.file, "line": s.line("GOVSITE_TEMP_OFFLINE_LOG"), "field": "GOVSITE_TEMP_OFFLINE_LOG"}
    if not isinstance(log, (list, tuple)):
        ctx.report("GOVSITE_TEMP_OFFLINE_LOG 必须是列表：[{'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD', 'reason': '…'}]",
                   **where)
        return
    max_days = int(ctx.param("temp_offline_max_days") or 30)
    per_year = int(ctx.param("temp_offline_max_per_year") or 1)
    windows: list[date] = []
    for i, item in enumerate(log, 1):
        if not isinstance(item, dict):
            ctx.report(f"临时下线记录第 {i} 项不是字典", **where)
            continue
        start, end = _as_date(item.get("start")), _as_date(item.get("end"))
        if start is None:
            ctx.report(f"临时下线记录第 {i} 项缺少有效的开始日期 start（YYYY-MM-DD）", **where)
            continue
        if item.get("end") and end is None:
            ctx.report(f"临时下线记录第 {i} 项的结束日期 end 无效（YYYY-MM-DD）", **where)
            continue
        finish = end or ctx.now.date()
        if finish < start:
            ctx.report(f"临时下线记录第 {i} 项的结束日期早于开始日期", **where)
            continue
        if not str(item.get("reason", "")).strip():
            ctx.report(f"临时下线记录第 {i} 项（{start}）没有写明下线原因 reason", **where)
        length = (finish - start).days
        if length > max_days:
            ctx.report(f"第 {i} 次临时下线 {start} 至 {finish} 共 {length} 天，超过 {max_days} 天", **where)
        windows.append(start)
    windows.sort()
    for i, start in enumerate(windows):
        within = [w for w in windows[i:] if (w - start).days < 365]
        if len(within) > per_year:
            ctx.report(f"{start} 起 365 天内临时下线 {len(within)} 次，超过每年 {per_year} 次", **where)
            break
