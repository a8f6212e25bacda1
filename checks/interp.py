"""政策文件 ↔ 政策解读: interpretation required and on time, cross-linked both ways; disclosure deadlines
in working days (OPEN-002); 文号 format and uniqueness (POLICY-001); validity banners (LAYOUT-009).

Deadlines use :mod:`govsite.workdays` (official calendar with 调休). A year the calendar does not cover is a
CALENDAR-001 finding naming the document that needed it and the holidays file to add — never a crash and
never a silent "Monday to Friday" guess.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from govsite.htmlpage import Page, css_path, norm_ws
from govsite.registry import RULES, check, finish, rule
from govsite.run import RuleContext
from govsite.site import SiteModel
from govsite.source import SourceDoc, parse_date
from govsite.workdays import CalendarError, CalendarFileError, WorkCalendar, calendar, display_path

from .links import output_files
from .patterns import DOC_NUMBER_RE

CLAUSE_80 = "《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）"
CLAUSE_47 = "《政府网站发展指引》（国办发〔2017〕47号）"
YES = ("yes", "true", "是")
NO = ("no", "false", "否")
EXEMPT_VALIDITY = ("废止", "失效")
FLAGGED_VALIDITY = ("失效", "废止", "已修改")
INTERP_LABELS = ("相关解读", "政策解读")
POLICY_LABELS = ("政策原文", "相关文件", "原文链接")


# ---- shared helpers ----------------------------------------------------------------------------------------
def _calendar(ctx: RuleContext) -> WorkCalendar:
    cal = ctx.run.data.get("workcal")
    if cal is None:
        cal = ctx.run.data["workcal"] = calendar(ctx.settings, ctx.run.root)
    return cal


def _int_param(ctx: RuleContext, name: str, default: int) -> int:
    value = ctx.param(name)
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _show(ctx: RuleContext, path: Path) -> str:
    return ctx.run.rel(path)


def _localise(ctx: RuleContext, exc: CalendarError, text: str) -> str:
    """Name the holidays file relative to the project root in a calendar message."""
    return text.replace(display_path(exc.path), _show(ctx, exc.path))


def _calendar_problem(ctx: RuleContext, exc: CalendarError, doc: SourceDoc | None, what: str,
                      line: int | None = None, field: str | None = None) -> None:
    """Report a calendar gap once per (year, document) under CALENDAR-001 (or the calling rule if it is off)."""
    run = ctx.run
    seen: set[tuple[Any, ...]] = run.data.setdefault("calendar_reported", set())
    key: tuple[Any, ...] = ("file", str(exc.path)) if isinstance(exc, CalendarFileError) else (
        "year", exc.year, doc.rel if doc else None)
    if key in seen:
        return
    seen.add(key)
    cal_rule = RULES["CALENDAR-001"]
    cctx = RuleContext(run, cal_rule, cal_rule.checks[0]) if run.profile.enabled(cal_rule.id, cal_rule.severity) else ctx
    holidays_file = _show(ctx, exc.path)
    if isinstance(exc, CalendarFileError):
        cctx.report(_localise(ctx, exc, exc.message), file=exc.path, line=exc.line, fix=exc.fix,
                    holidays_file=holidays_file)
        return
    where = f"{doc.rel} 的{what}" if doc else what
    cctx.report(f"{where}须按工作日计算，但{_localise(ctx, exc, exc.message)}。未补齐前无法检查该期限，构建不能发布",
                file=doc.path if doc else None, line=line, field=field, fix=_localise(ctx, exc, exc.fix),
                year=exc.year, holidays_file=holidays_file)


def _docs(model: SiteModel, doc_type: str) -> list[SourceDoc]:
    return [d for d in model.docs if d.doc_type == doc_type]


def _label(doc: SourceDoc) -> str:
    num = doc.get("doc_number").strip()
    return f"{doc.rel}（{num}）" if num else doc.rel


def _anchor_line(doc: SourceDoc) -> int:
    return doc.line_of("doc_number") or doc.line_of("title") or 1


def _is_portal(ctx: RuleContext) -> bool:
    return str(ctx.settings.get("GOVSITE_LEVEL") or "county-portal").endswith("portal")


def _normative(doc: SourceDoc, model: SiteModel) -> bool:
    """规范性文件-like: has a 文号 or sits in a 政策文件 column. These need an interpretation by default."""
    col = model.columns.get(doc.category)
    return bool(doc.get("doc_number").strip()) or (col is not None and col.column_type == "政策文件")


def _ymd(d: date) -> str:
    return d.strftime("%Y-%m-%d")


# ---- 文号 ---------------------------------------------------------------------------------------------------
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
YEAR_IN_BRACKETS = re.compile(r"[\[\(（【［〔｛{<＜《]\s*((?:19|20)\d{2})\s*[\]\)）】］〕｝}>＞》]")


def doc_number_problems(value: str) -> list[str]:
    """What is wrong with a 文号, in Chinese (empty when it is well-formed)."""
    v = value.strip()
    out: list[str] = []
    if re.search(r"[０-９]", v):
        out.append("用了全角数字（应为半角 0-9）")
    if re.search(r"[\[\]［］【】]", v):
        out.append("年份用了方括号「[ ]」（应为六角括号「〔〕」）")
    if re.search(r"[()（）]", v):
        out.append("年份用了圆括号「( )」（应为六角括号「〔〕」）")
    if ("〔" in v) != ("〕" in v):
        out.append("六角括号「〔〕」不配对")
    if re.search(r"[〕\]\)）】］]\s*第", v):
        out.append("序号前多了「第」字")
    if not v.endswith("号"):
        out.append("末尾缺少「号」字")
    if re.search(r"\s", v):
        out.append("含有空格")
    if not out and not DOC_NUMBER_RE.match(v):
        out.append("应由发文机关代字、〔年份〕、序号和「号」组成")
    return out


def fix_doc_number(value: str) -> str | None:
    """The corrected 文号 for common mistakes, or None when no confident correction exists."""
    t = re.sub(r"\s+", "", value.translate(FULLWIDTH_DIGITS))
    t = YEAR_IN_BRACKETS.sub(r"〔\1〕", t)
    t = re.sub(r"〕第(\d)", r"〕\1", t)
    t = re.sub(r"〕0+(\d)", r"〕\1", t)
    if re.search(r"〕\d+$", t):
        t += "号"
    return t if DOC_NUMBER_RE.match(t) else None


# ---- CALENDAR-001 ------------------------------------------------------------------------------------------
@rule("CALENDAR-001", title="工作日日历（法定节假日和调休）完整可用", stage="site", per="site",
      clause="国务院办公厅每年发布的《关于部分节假日安排的通知》；rulebook 附录 A.6 工作日计算", confidence="P/M",
      fix="在 data/holidays/<年份>.yaml 写入当年的放假日（holidays）和调休上班日（workdays）以及出处（source）",
      why="解读时限、主动公开时限都按工作日计算；缺少某年的调休安排时只按周一至周五计算会算错期限。",
      example_bad="（2027 年 1 月发布的政策文件，但没有 2027 年的节假日数据）",
      example_good="data/holidays/2027.yaml：source: 国务院办公厅关于2027年部分节假日安排的通知；holidays: [2027-01-01]；"
                   "workdays: []")
def calendar_files(model: SiteModel, ctx: RuleContext) -> int:
    cal = _calendar(ctx)
    problems = cal.file_problems()
    for exc in problems:
        _calendar_problem(ctx, exc, None, "")
    if ctx.now.month == 12:  # the schedule for next year is published in autumn: remind in December
        nxt = ctx.now.year + 1
        try:
            cal.year(nxt)
        except CalendarFileError:
            pass  # reported above
        except CalendarError as exc:
            ctx.report(f"还没有 {nxt} 年的法定节假日和调休安排（{_show(ctx, exc.path)}）；1 月起的期限将无法计算",
                       fix=_localise(ctx, exc, exc.fix), severity="warning",
                       holidays_file=_show(ctx, exc.path))
    return 1 + len(problems)


# ---- POLICY-001 --------------------------------------------------------------------------------------------
@rule("POLICY-001", title="文号格式规范且唯一", stage="site", per="site",
      clause="《党政机关公文格式》（GB/T 9704—2012）7.2.4 发文字号：年份用六角括号〔〕括入，序号不加「第」字、不编虚位；"
             "rulebook 附录 A.1 文号正则", confidence="M",
      fix="文号写成「机关代字〔年份〕序号号」，如 示政发〔2026〕3号；同一文号只能对应一个政策文件",
      why="文号是政策文件的唯一标识：解读（interprets）、政策文件库检索和有效性标注都靠它关联。",
      example_bad="doc_number: 示政发[2026]3号", example_good="doc_number: 示政发〔2026〕3号")
def doc_numbers(model: SiteModel, ctx: RuleContext) -> int:
    groups: dict[str, list[SourceDoc]] = {}
    checked = 0
    for doc in sorted(_docs(model, "policy"), key=lambda d: d.rel):
        num = doc.get("doc_number").strip()
        if not num:
            continue  # CONTENT-002 reports the missing key
        checked += 1
        line = doc.line_of("doc_number")
        fixed = fix_doc_number(num)
        if not DOC_NUMBER_RE.match(num):
            problems = doc_number_problems(num)
            fix = (f"改为 doc_number: {fixed}" if fixed else "按「机关代字〔年份〕序号号」书写，如 示政发〔2026〕3号") + \
                  "（年份用六角括号〔〕，数字用半角，序号后加「号」）"
            ctx.report(f"文号「{num}」格式不对：{'；'.join(problems)}", file=doc.path, line=line, field="doc_number",
                       fix=fix)
        elif fixed and fixed != num:
            ctx.report(f"文号「{num}」的序号前补了 0（公文序号不编虚位，1 不编为 01）", file=doc.path, line=line,
                       field="doc_number", fix=f"改为 doc_number: {fixed}", severity="warning")
        groups.setdefault(fixed or num, []).append(doc)
    for num, docs in groups.items():
        if len(docs) < 2:
            continue
        first = docs[0]
        for other in docs[1:]:
            ctx.report(f"文号「{other.get('doc_number').strip()}」与 {first.rel}（第 {first.line_of('doc_number')} 行）重复："
                       f"{first.rel} 和 {other.rel} 不能使用同一文号", file=other.path, line=other.line_of("doc_number"),
                       field="doc_number",
                       fix=f"核对两份文件的文号，改正写错的一份；若是同一文件重复发布，删除其中一份（规范文号：{num}）")
    return checked


# ---- INTERP-001 --------------------------------------------------------------------------------------------
@rule("INTERP-001", title="需要解读的政策文件须发布解读", stage="site", per="site",
      clause=CLAUSE_80 + "：政策文件与解读方案、解读材料「同步组织、同步审签、同步部署」，谁起草、谁解读", confidence="S",
      params={"interp_max_delay_wd": 3},
      fix="在「政策解读」栏目发布解读，元数据写 interprets: <政策文件文号>；确实无需解读的，在政策文件中写 "
          "needs_interpretation: no 和 no_interpretation_reason: <理由>",
      why="规范性文件及涉及群众切身利益的政策文件须同步解读，检查时「有文无解读」会被扣分。",
      example_bad="policy 示政发〔2026〕3号 发布已超过 3 个工作日，没有任何解读",
      example_good="interpretation: interprets: 示政发〔2026〕3号，与政策文件同日发布")
def policy_has_interpretation(model: SiteModel, ctx: RuleContext) -> int:
    cal = _calendar(ctx)
    max_delay = _int_param(ctx, "interp_max_delay_wd", 3)
    today = ctx.now.date()
    sources: dict[str, SourceDoc] = ctx.run.data.get("sources", {})
    published = {id(d) for d in model.docs}
    policies = _docs(model, "policy")
    known = sorted({p.get("doc_number").strip() for p in policies if p.get("doc_number").strip()})
    blocked: set[int] = set()  # policies an ambiguous interprets may refer to: fix the duplicate first
    checked = 0

    for doc in _docs(model, "interpretation"):
        ref = doc.get("interprets").strip()
        if not ref:
            continue  # CONTENT-002
        checked += 1
        hits = model.resolve_policy(ref)
        line = doc.line_of("interprets")
        if len(hits) > 1:
            blocked.update(id(h) for h in hits)
            ctx.report(f"interprets「{ref}」同时对应 {len(hits)} 个政策文件：{'、'.join(h.rel for h in hits)}，"
                       "无法确定解读的是哪一个", file=doc.path, line=line, field="interprets",
                       fix="先修正重复的文号（见 POLICY-001）；或把 interprets 改为被解读文件的网址名 slug")
        elif not hits:
            fixed = fix_doc_number(ref)
            drafts = [s for s in sources.values() if id(s) not in published and s.doc_type == "policy"
                      and s.get("doc_number").strip() in (ref, fixed)]
            if fixed and fixed != ref and fixed in known:
                fix = f"文号写法有误，改为 interprets: {fixed}"
            elif drafts:
                fix = f"文号为「{ref}」的政策文件 {drafts[0].rel} 尚未发布（status: {drafts[0].get('status') or '?'}）：" \
                      "先发布政策文件，或暂缓发布解读"
            else:
                near = get_close_matches(fixed or ref, known, n=3, cutoff=0.6)
                fix = (f"是不是：{'、'.join(near)}？" if near else "") + \
                      "interprets 填写被解读政策文件的文号，须与该文件的 doc_number 完全一致"
            ctx.report(f"interprets「{ref}」找不到对应的政策文件（本站已发布的政策文件中没有这个文号或网址名）",
                       file=doc.path, line=line, field="interprets", fix=fix)

    for doc in policies:
        checked += 1
        ni_raw = doc.get("needs_interpretation").strip()
        ni = ni_raw.lower()
        normative = _normative(doc, model)
        if ni in NO:
            if not doc.get("no_interpretation_reason").strip():
                ctx.report("needs_interpretation 为 no，但没有写明不解读的理由", file=doc.path,
                           line=doc.line_of("needs_interpretation"), field="needs_interpretation",
                           fix="加一行 no_interpretation_reason: <理由>（如 仅涉及内部工作安排）；或删除 needs_interpretation: no 并发布解读")
            continue
        if ni not in YES and not normative:
            continue
        if doc.get("validity").strip() in EXEMPT_VALIDITY:
            continue
        if model.interpretations_of_policy.get(id(doc.content)) or id(doc) in blocked:
            continue
        published_at = doc.date
        if published_at is None:
            continue
        try:
            due = cal.add_workdays(published_at, max_delay)
            remaining = cal.workdays_between(today, due) if today <= due else 0
        except CalendarError as exc:
            _calendar_problem(ctx, exc, doc, "解读期限", line=doc.line_of("date"), field="date")
            continue
        window = "须与政策文件同日发布" if max_delay == 0 else f"须在发布后 {max_delay} 个工作日内发布"
        if today <= due:
            when = "今天是最后期限" if today == due else f"还剩 {remaining} 个工作日"
            ctx.report(f"政策文件 {_label(doc)} 于 {published_at:%Y-%m-%d} 发布，尚无解读：{when}，"
                       f"须在 {_ymd(due)} 前发布解读（含当日；{window}）", file=doc.path, line=_anchor_line(doc),
                       severity="warning", due=_ymd(due), remaining_workdays=remaining)
        else:
            try:
                late = f"，已超期 {cal.workdays_between(due, today)} 个工作日"
            except CalendarError as exc:  # today is in a year the calendar does not cover yet
                _calendar_problem(ctx, exc, doc, "解读期限", line=doc.line_of("date"), field="date")
                late = ""
            ctx.report(f"政策文件 {_label(doc)} 于 {published_at:%Y-%m-%d} 发布，解读{window}（最迟 {_ymd(due)}），"
                       f"至今没有关联的政策解读{late}", file=doc.path, line=_anchor_line(doc),
                       severity="error" if _is_portal(ctx) and normative else "warning", due=_ymd(due))
    return checked


# ---- INTERP-002 --------------------------------------------------------------------------------------------
@rule("INTERP-002", title="解读与政策文件同步发布（最迟若干工作日内）", stage="site", per="site",
      clause="解读材料原则上与政策文件同时发布，最迟在文件公开发布后3个工作日内发布（郑州、宁夏等地规定）；"
             "广州：规章和行政规范性文件应在发布文件同时发布解读材料", confidence="S",
      params={"interp_max_delay_wd": 3, "interp_prepub_tolerance_wd": 0},
      fix="解读与政策文件同日发布；确因特殊原因延迟的，在解读中写 delay_reason: <原因>",
      why="「三同步」要求解读与文件同步发布；解读不得早于政策文件发布。",
      example_bad="政策文件 2026-09-30 发布，解读 2026-10-12 发布（超过 3 个工作日）",
      example_good="政策文件 2026-09-30 发布，解读 2026-09-30 发布")
def interpretation_timing(model: SiteModel, ctx: RuleContext) -> int:
    cal = _calendar(ctx)
    max_delay = _int_param(ctx, "interp_max_delay_wd", 3)
    tolerance = _int_param(ctx, "interp_prepub_tolerance_wd", 0)
    checked = 0
    for doc in _docs(model, "interpretation"):
        policy = model.policy_of_interpretation.get(id(doc.content))
        if policy is None or doc.date is None or policy.date is None:
            continue
        checked += 1
        idate, pdate = doc.date.date(), policy.date.date()
        line = doc.line_of("date")
        try:
            earliest = cal.add_workdays(pdate, -tolerance)
            if idate < earliest:
                allowed = "" if tolerance == 0 else f"（最多可提前 {tolerance} 个工作日，即 {_ymd(earliest)}）"
                ctx.report(f"解读发布时间 {doc.get('date')} 早于所解读的政策文件 {_label(policy)} 的发布时间 "
                           f"{policy.get('date')}{allowed}", file=doc.path, line=line, field="date",
                           fix="核对两者的发布时间：解读应与政策文件同时或在其后发布；若是政策文件的发布时间写错，改正政策文件")
                continue
            due = cal.add_workdays(pdate, max_delay)
            if idate <= due:
                continue
            late = cal.workdays_between(due, idate)
        except CalendarError as exc:
            _calendar_problem(ctx, exc, doc, "解读发布时限", line=line, field="date")
            continue
        window = f"应与政策文件同日（{_ymd(pdate)}）发布" if max_delay == 0 else \
            f"最迟应在 {_ymd(due)} 前发布（政策文件发布后 {max_delay} 个工作日内，含当日）"
        message = (f"解读于 {_ymd(idate)} 发布，晚于期限：所解读的政策文件 {_label(policy)} 于 {_ymd(pdate)} 发布，"
                   f"解读{window}，晚了 {late} 个工作日")
        reason = doc.get("delay_reason").strip()
        if reason:
            ctx.report(message + f"（已说明延迟原因：{reason}）", file=doc.path, line=doc.line_of("delay_reason") or line,
                       field="delay_reason", severity="warning", due=_ymd(due), delay_reason=reason,
                       fix="延迟原因已记录；请确认原因属实并留存审批记录")
        else:
            ctx.report(message, file=doc.path, line=line, field="date", due=_ymd(due),
                       fix="若发布时间写错请改正；确因特殊原因延迟的，在解读元数据中加 delay_reason: <原因>（将降为警告并记录在报告中）")
    return checked


# ---- INTERP-003 (page stage) -------------------------------------------------------------------------------
HEADINGS = "h1, h2, h3, h4, h5, h6, [role=heading]"
BLOCK_TAGS = ("section", "aside", "div", "nav", "details", "footer")


def _find_block(page: Page, labels: Iterable[str]) -> tuple[Node | None, list[Node]]:
    """The block introduced by a heading containing one of ``labels``: (selector node, its links)."""
    root = page.main or page.tree.body
    if root is None:
        return None, []
    for heading in root.css(HEADINGS):
        text = norm_ws(heading.text())
        if not any(label in text for label in labels):
            continue
        parent = heading.parent
        if parent is not None and parent.tag in BLOCK_TAGS:
            return parent, parent.css("a[href]")
        links: list[Node] = []  # heading directly in <article>/<main>: its following siblings
        sib = heading.next
        while sib is not None and not (sib.tag and re.fullmatch(r"h[1-6]", sib.tag)):
            if sib.tag == "a" and sib.attributes.get("href"):
                links.append(sib)
            elif sib.tag not in ("-text", None):
                links.extend(sib.css("a[href]"))
            sib = sib.next
        return heading, links
    return None, []


def _site_host(ctx: RuleContext) -> str:
    return urlsplit(str(ctx.settings.get("GOVSITE_SITEURL") or "")).hostname or ""


def _internal_target(page: Page, href: str, host: str) -> str | None:
    """Output-relative file a link points to, or None for an external/non-page link."""
    parts = urlsplit(urljoin("/" + page.path, href.strip()))
    if parts.scheme not in ("", "http", "https") or (parts.hostname and parts.hostname != host):
        return None
    path = unquote(parts.path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path


def _check_block(page: Page, ctx: RuleContext, labels: tuple[str, ...], targets: list[tuple[str, str]],
                 files: frozenset[str], what: str, template: str) -> None:
    node, links = _find_block(page, labels)
    label = labels[0]
    if node is None:
        wanted = "、".join(f"「{t}」（/{u}）" for t, u in targets)
        ctx.report(f"{what}页面没有「{label}」区块（应链接到{wanted}）", url=page.url,
                   fix=f"在 {template} 模板中保留「{label}」区块（标题含「{label}」，其中用 <a href> 链接到对应页面）")
        return
    host = _site_host(ctx)
    linked: set[str] = set()
    for a in links:
        href = a.attributes.get("href") or ""
        target = _internal_target(page, href, host)
        if target is None:
            continue
        linked.add(target)
        if target not in files:
            ctx.report(f"「{label}」区块中的链接 {href} 指向的页面不存在", url=page.url, selector=css_path(a),
                       fix="改正链接地址（应为目标页面的网址）")
    for title, target in targets:
        if target not in linked:
            ctx.report(f"{what}页面的「{label}」区块没有链接到「{title}」（/{target}）", url=page.url,
                       selector=css_path(node), fix=f"在 {template} 模板的「{label}」区块中为每篇关联信息输出链接")


# (labels, [(title, save_as) of the pages to link], what, template) for one policy or interpretation page.
Block = tuple[tuple[str, ...], list[tuple[str, str]], str, str]


def _linked_docs(model: SiteModel) -> tuple[list[tuple[SourceDoc, str]], dict[str, list[Block]]]:
    """Policies with interpretations and interpretations of a known policy: ([(doc, what)], save_as → blocks)."""
    docs: list[tuple[SourceDoc, str]] = []
    blocks: dict[str, list[Block]] = {}
    for doc in _docs(model, "policy"):
        interps = model.interpretations_of_policy.get(id(doc.content), [])
        if not interps:
            continue
        docs.append((doc, "政策文件"))
        blocks.setdefault(doc.content.save_as, []).append(
            (INTERP_LABELS, [(i.title, i.content.save_as) for i in interps], "政策文件", "policy.html"))
    for doc in _docs(model, "interpretation"):
        policy = model.policy_of_interpretation.get(id(doc.content))
        if policy is None:
            continue  # INTERP-001 reports the unknown/ambiguous interprets
        docs.append((doc, "解读"))
        blocks.setdefault(doc.content.save_as, []).append(
            (POLICY_LABELS, [(policy.title, policy.content.save_as)], "解读", "interpretation.html"))
    return docs, blocks


def _per_model(ctx: RuleContext, name: str, build: Any) -> Any:
    """``build(model)`` once per site model and process (a ``_`` run.data key stays in its process)."""
    model: SiteModel | None = ctx.run.data.get("site")
    if model is None:
        return None
    cached = ctx.run.data.get(name)
    if cached is None or cached[0] is not model:
        cached = ctx.run.data[name] = (model, build(model))
    return cached[1]


@rule("INTERP-003", title="政策文件与解读相互关联（双向链接）", stage="page", whole_output=True,
      clause="解读材料与政策文件「同步发布、关联发布」（县级政务公开检查实践）；" + CLAUSE_47 + " 解读回应", confidence="S",
      fix="政策文件页的「相关解读」区块链接每一篇解读，解读页的「政策原文」区块链接所解读的政策文件",
      why="公众从政策文件应能直接找到解读，从解读应能直接回到原文；检查时未关联发布会被扣分。",
      example_bad="自定义 interpretation.html 删除了「政策原文」区块", example_good="<section><h2>政策原文</h2><a href=…>")
def cross_links(page: Page, ctx: RuleContext) -> None:
    linked = _per_model(ctx, "_interp003_blocks", _linked_docs)
    blocks = linked[1].get(page.path) if linked is not None else None
    if not blocks:
        return
    ctx.collect(page.path, True)  # the page was generated
    files = output_files(ctx)
    for labels, targets, what, template in blocks:
        _check_block(page, ctx, labels, targets, files, what, template)


@finish("INTERP-003", stage="page")
def cross_links_generated(collected: dict[str, Any], ctx: RuleContext) -> None:
    model: SiteModel | None = ctx.run.data.get("site")
    if model is None:
        return
    for doc, what in _linked_docs(model)[0]:
        if doc.content.save_as not in collected:
            if what == "政策文件":
                ctx.report(f"政策文件 {doc.rel} 的页面 /{doc.content.save_as} 没有生成", file=doc.path,
                           fix="检查模板和网址设置")
            else:
                ctx.report(f"解读 {doc.rel} 的页面 /{doc.content.save_as} 没有生成", file=doc.path, fix="检查模板和网址设置")


# ---- INTERP-004 --------------------------------------------------------------------------------------------
def _has_captioned_media(html: str) -> bool:
    tree = HTMLParser(html or "")
    for node in tree.css("img, video, audio"):
        attrs = node.attributes
        if node.tag == "img" and (attrs.get("alt") or "").strip():
            return True
        if node.tag != "img" and ((attrs.get("aria-label") or "").strip() or (attrs.get("title") or "").strip()
                                  or node.css_first("track") is not None):
            return True
        parent = node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            if parent.tag == "figure" and parent.css_first("figcaption") is not None:
                return True
            parent = parent.parent
    return False


@rule("INTERP-004", title="解读形式多样化（图解、音视频等占比）", stage="site", per="site", severity="warning",
      clause="《2019年政务公开工作要点》（国办发〔2019〕14号）：运用图片、图表、图解、音频视频、卡通动漫等解读；"
             "宁夏：图文解读占比达到80%", confidence="S",
      params={"interp_media_ratio": None},
      fix="为文字解读补充图解、图表或音视频（图片须有 alt 替代文字或图注），并把 form 改为相应形式",
      why="多元化解读更易于公众理解，部分省份按图文解读占比考核。",
      example_bad="近一年 10 篇解读中 9 篇 form: 文字", example_good="form: 图解，正文含 ![图解说明](…)")
def interpretation_forms(model: SiteModel, ctx: RuleContext) -> int:
    ratio = ctx.param("interp_media_ratio")
    if ratio is None:
        return 0
    ratio = float(ratio)
    since = ctx.now - timedelta(days=365)
    recent = [d for d in _docs(model, "interpretation") if d.date is not None and since < d.date <= ctx.now]
    if not recent:
        return 0
    text_only = [d for d in recent
                 if d.get("form").strip() in ("", "文字") and not _has_captioned_media(d.content.content)]
    share = (len(recent) - len(text_only)) / len(recent)
    if share + 1e-9 < ratio:
        names = "、".join(d.rel for d in text_only[:20]) + ("等" if len(text_only) > 20 else "")
        ctx.report(f"近一年（{since:%Y-%m-%d} 至 {ctx.now:%Y-%m-%d}）发布的 {len(recent)} 篇政策解读中，"
                   f"图解、音视频等多样化解读 {len(recent) - len(text_only)} 篇，占 {share:.0%}，低于要求的 {ratio:.0%}。"
                   f"仅有文字的解读：{names}", file=text_only[0].path if len(text_only) == 1 else None,
                   line=text_only[0].line_of("form") if len(text_only) == 1 else None,
                   text_only=[d.rel for d in text_only], share=round(share, 4))
    return len(recent)


# ---- INTERP-006 --------------------------------------------------------------------------------------------
@rule("INTERP-006", title="门户网站设有「政策解读」栏目且不空", stage="site", per="site",
      clause="《政府网站网页设计规范》栏目类别（ColumnType）「政策解读」；" + CLAUSE_47 + " 解读回应", confidence="P/S",
      fix="在 content/columns.yaml 登记 type: 政策解读 的栏目（如 name: 政策解读，slug: zcjd），并发布解读",
      why="政策解读是门户网站的必设栏目；空白栏目在检查中按「空白栏目」扣分（FRESH-005）。")
def interpretation_column(model: SiteModel, ctx: RuleContext) -> int:
    if not _is_portal(ctx):
        return 0
    columns_file = ctx.run.root / model.columns.path
    cols = [c for c in model.columns.columns if c.column_type == "政策解读" and not c.link]
    if not cols:
        ctx.report("门户网站没有栏目类别（type）为「政策解读」的栏目", file=columns_file, line=1, field="type")
        return 1
    if not any(model.column_items(c.name) for c in cols):
        col = cols[0]
        ctx.report(f"「{col.name}」栏目（{col.url}）没有任何已发布的信息（空白栏目）", file=columns_file, line=col.line,
                   field="type", fix=f"在「{col.name}」栏目发布政策解读（type: interpretation，category: {col.name}）")
    return len(cols)


# ---- OPEN-002 ----------------------------------------------------------------------------------------------
@rule("OPEN-002", title="政策文件自成文之日起按期主动公开", stage="site", doc_types=("policy",),
      clause="《中华人民共和国政府信息公开条例》（国务院令第711号）第二十六条：自该政府信息形成或者变更之日起20个工作日内"
             "及时公开；宁夏：应在印发后5个工作日内在政府网站发布", confidence="P",
      params={"policy_publish_max_wd": 20},
      fix="按期发布；法律法规对公开期限另有规定的，写 disclosure_deadline_override: <依据>",
      why="超期公开违反《政府信息公开条例》，检查时按「未及时公开」处理。",
      example_bad="signed_date: 2026-08-03，date: 2026-10-20", example_good="signed_date: 2026-11-18，date: 2026-11-20 09:00")
def disclosure_deadline(doc: SourceDoc, ctx: RuleContext) -> None:
    signed = parse_date(doc.get("signed_date"))
    published_at = doc.date
    if signed is None or published_at is None or doc.get("disclosure_deadline_override").strip():
        return
    pdate = published_at.date()
    if pdate < signed:
        ctx.report(f"发布时间 {doc.get('date')} 早于成文日期 {signed}", file=doc.path, line=doc.line_of("signed_date"),
                   field="signed_date", fix="核对成文日期（文件落款日期）和发布时间")
        return
    limit = _int_param(ctx, "policy_publish_max_wd", 20)
    cal = _calendar(ctx)
    try:
        due = cal.add_workdays(signed, limit)
        if pdate <= due:
            return
        late = cal.workdays_between(due, pdate)
    except CalendarError as exc:
        _calendar_problem(ctx, exc, doc, "主动公开期限", line=doc.line_of("signed_date"), field="signed_date")
        return
    ctx.report(f"成文日期 {signed}，应在 {limit} 个工作日内（最迟 {_ymd(due)}）公开，实际于 {_ymd(pdate)} 发布，"
               f"超期 {late} 个工作日", file=doc.path, line=doc.line_of("date"), field="date", due=_ymd(due))


# ---- LAYOUT-009 --------------------------------------------------------------------------------------------
@rule("LAYOUT-009", title="政策文件标注有效性（失效、废止、已修改须醒目提示）", stage="site", doc_types=("policy",),
      clause=CLAUSE_47 + " 信息发布：文件修改、废止、失效应明确标注", confidence="S",
      fix="政策文件元数据写 validity: 有效 / 失效 / 废止 / 已修改；模板对非有效文件显示醒目的 .validity-banner 提示",
      why="公众须能一眼看出文件是否仍然有效，避免依据已失效的文件办事。",
      example_bad="validity 缺失；或已废止文件的有效性栏仍显示「有效」", example_good="validity: 废止（页面顶部提示「本文件废止」）")
def validity_declared(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.get("validity").strip():
        return
    already = any(f.rule == "CONTENT-002" and f.field == "validity" and f.file == ctx.run.rel(doc.path)
                  for f in ctx.run.findings)
    if not already:
        ctx.report("政策文件缺少有效性（validity）", file=doc.path, line=1, field="validity",
                   fix="加一行 validity: 有效（或 失效 / 废止 / 已修改）")


def _visible(node: Node) -> bool:
    cur: Node | None = node
    while cur is not None and cur.tag not in ("html", None):
        attrs = cur.attributes or {}
        style = re.sub(r"\s+", "", (attrs.get("style") or "").lower())
        classes = set((attrs.get("class") or "").split())
        if ("hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true"
                or "display:none" in style or "visibility:hidden" in style
                or classes & {"sr-only", "visually-hidden", "hidden", "d-none"}):
            return False
        cur = cur.parent
    return True


def _validity_cell(page: Page) -> Node | None:
    cell = page.tree.css_first("td.validity, .validity")
    if cell is not None:
        return cell
    for th in page.tree.css("th"):
        if "有效性" in norm_ws(th.text()):
            nxt = th.next
            while nxt is not None and nxt.tag != "td":
                nxt = nxt.next
            return nxt
    return None


def _flagged_policies(model: SiteModel) -> dict[str, list[str]]:
    """save_as → validity of each policy marked 失效/废止/已修改 (the page must show it)."""
    out: dict[str, list[str]] = {}
    for doc in _docs(model, "policy"):
        status = doc.get("validity").strip()
        if status in FLAGGED_VALIDITY:
            out.setdefault(doc.content.save_as, []).append(status)
    return out


@check("LAYOUT-009", stage="page")
def validity_banner(page: Page, ctx: RuleContext) -> None:
    flagged = _per_model(ctx, "_layout009_flagged", _flagged_policies)
    for status in (flagged.get(page.path, ()) if flagged else ()):
        banners = [b for b in page.tree.css(".validity-banner") if status in norm_ws(b.text())]
        if not banners:
            ctx.report(f"政策文件已标为「{status}」，但页面没有醒目的有效性提示（.validity-banner 中含「{status}」）",
                       url=page.url, fix="在 policy.html 的 banner 区块显示 <div class=\"validity-banner\">本文件{{ article.validity }}…</div>")
        elif not any(_visible(b) for b in banners):
            ctx.report(f"有效性提示「{status}」被隐藏，公众看不到", url=page.url, selector=css_path(banners[0]),
                       fix="删除提示上的 hidden / display:none 等隐藏样式")
        cell = _validity_cell(page)
        if cell is not None:
            shown = norm_ws(cell.text())
            if shown == "有效" or status not in shown:
                ctx.report(f"页面有效性栏显示「{shown}」，与文件状态「{status}」不符", url=page.url, selector=css_path(cell),
                           fix="有效性栏输出 {{ article.validity }}")
