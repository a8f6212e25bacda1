"""Content stage: every Markdown source is readable, typed, dated correctly and placed in a known column."""

from __future__ import annotations

from datetime import timedelta

from govsite.contract import DOC_TYPES, REQUIRED, keys_for
from govsite.pelican_glue import stable_slug
from govsite.registry import rule
from govsite.run import RuleContext
from govsite.source import SourceDoc, datetime_problem, parse_date, parse_datetime

CONTRACT = "govsite 内容约定（docs/editor-manual.md）"


@rule("CONTENT-001", title="源文件可读且元数据格式正确", stage="content", clause=CONTRACT,
      fix="按「键: 值」逐行书写元数据，文件保存为 UTF-8", why="无法读取的文件会被静默跳过，导致信息漏发。",
      example_bad="title 示例标题（缺少冒号）", example_good="title: 示例标题")
def source_readable(doc: SourceDoc, ctx: RuleContext) -> None:
    for p in doc.problems:
        ctx.report(p.message, fix=p.fix, file=doc.path, line=p.line, field=p.field,
                   severity=None if p.fatal else "warning")


@rule("CONTENT-002", title="必填元数据齐全", stage="content", clause=CONTRACT + "；" + "《政府网站发展指引》信息发布",
      fix="补齐该类型要求的元数据（见编辑手册）", why="标题、发布时间、栏目、来源缺失时页面无法满足网页标签和展示要求。",
      example_bad="type: policy（缺少 doc_number）", example_good="doc_number: 示政发〔2026〕3号")
def required_meta(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.fatal:
        return
    dtype = doc.get("type")
    if dtype and dtype not in DOC_TYPES:
        ctx.report(f"信息类型 type「{dtype}」无效", file=doc.path, line=doc.line_of("type"), field="type",
                   fix="可选：" + " / ".join(DOC_TYPES))
        return
    if not dtype and doc.doc_type != "page":
        ctx.report("缺少信息类型 type", file=doc.path, line=1, field="type", fix="可选：" + " / ".join(DOC_TYPES))
    keys = keys_for(doc.doc_type)
    for key in REQUIRED.get(doc.doc_type, ()):
        if key not in doc.meta:
            k = keys.get(key)
            label = k.label if k else key
            example = f"，例如 {key}: {k.example}" if k and k.example else ""
            ctx.report(f"缺少{label}（{key}）", file=doc.path, line=1, field=key,
                       fix=f"在元数据中加一行 {key}: …{example}")
        elif not doc.get(key).strip():
            ctx.report(f"{keys[key].label}（{key}）是空的", file=doc.path, line=doc.line_of(key), field=key,
                       fix=f"填写{keys[key].label}：{keys[key].help}")
    for key, mv in doc.meta.items():
        k = keys.get(key)
        if k and k.kind == "choice" and mv.value and mv.value not in k.choices:
            ctx.report(f"{k.label}（{key}）的值「{mv.value}」无效", file=doc.path, line=mv.line, field=key,
                       fix="可选：" + " / ".join(k.choices))
        if k and k.kind == "bool" and mv.value.lower() not in ("yes", "no", "true", "false", "是", "否"):
            ctx.report(f"{k.label}（{key}）只能填 yes 或 no", file=doc.path, line=mv.line, field=key)


@rule("CONTENT-003", title="日期时间格式", stage="content", clause="《政府网站网页设计规范》网页标签 PubDate「YYYY-MM-DD HH:MM」",
      fix="发布时间写成 YYYY-MM-DD HH:MM（北京时间），日期写成 YYYY-MM-DD", confidence="P",
      why="发布时间用于网页标签、栏目列表和更新检查，格式必须统一。",
      example_bad="date: 2026/11/20", example_good="date: 2026-11-20 09:30")
def date_formats(doc: SourceDoc, ctx: RuleContext) -> None:
    keys = keys_for(doc.doc_type)
    for key, mv in doc.meta.items():
        k = keys.get(key)
        if not k or not mv.value:
            continue
        if k.kind == "datetime":
            problem = datetime_problem(mv.value)
            if problem:
                ctx.report(f"{k.label}（{key}）{problem}", file=doc.path, line=mv.line, field=key)
        elif k.kind == "date" and parse_date(mv.value) is None:
            ctx.report(f"{k.label}（{key}）「{mv.value}」不是有效日期，应写成 YYYY-MM-DD", file=doc.path, line=mv.line,
                       field=key)


@rule("CONTENT-004", title="栏目必须在栏目登记表中", stage="content", clause=CONTRACT + "；《政府网站网页设计规范》栏目标签",
      fix="category 填写 content/columns.yaml 中已登记的栏目名称，或先登记新栏目",
      why="未登记的栏目没有栏目描述、关键词和类别，无法生成合规的栏目页和网页标签。")
def known_column(doc: SourceDoc, ctx: RuleContext) -> None:
    if doc.fatal or doc.doc_type == "page" or not doc.category:
        return
    columns = ctx.run.data.get("columns")
    if columns is None:
        return  # COLUMN-001 reports the broken registry
    col = columns.get(doc.category)
    if col is None:
        from difflib import get_close_matches

        near = get_close_matches(doc.category, list(columns.by_name), n=1)
        hint = f"是不是「{near[0]}」？" if near else ""
        ctx.report(f"栏目「{doc.category}」未在栏目登记表中登记", file=doc.path, line=doc.line_of("category"),
                   field="category", fix=f"{hint}可用栏目：{'、'.join(c.name for c in columns.columns if not c.link)}")
    elif col.link:
        ctx.report(f"栏目「{col.name}」是外部平台链接栏目，不能在本站发布信息", file=doc.path,
                   line=doc.line_of("category"), field="category", fix="改投其他栏目")


@rule("COLUMN-001", title="栏目登记表有效", stage="content", per="site", clause=CONTRACT,
      fix="按错误提示修正 content/columns.yaml", why="栏目登记表决定导航、栏目页、网页标签和更新频率检查。")
def column_registry(docs: list[SourceDoc], ctx: RuleContext) -> int:
    err = ctx.run.data.get("column_error")
    if err:
        message, line, rel = err
        ctx.report(message, file=ctx.run.root / rel, line=line)
    return 1


@rule("FRESH-007", title="发布时间不得晚于当前时间（防伪造发稿日期）", stage="content",
      clause="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决：伪造发稿日期", confidence="P",
      params={"future_skew_minutes": 10},
      fix="发布时间写实际发布时间；定时发布请先设 status: draft，到时再发布",
      why="未来日期会让栏目看起来一直在更新，属于「伪造发稿日期」，是单项否决项。",
      example_bad="date: 2027-01-01 08:00（当前为 2026-11-20）", example_good="date: 2026-11-20 09:30")
def not_in_future(doc: SourceDoc, ctx: RuleContext) -> None:
    if not doc.published:
        return
    when = parse_datetime(doc.get("date"))
    if when is None:
        return
    skew = timedelta(minutes=int(ctx.param("future_skew_minutes") or 10))
    if when > ctx.now + skew:
        ctx.report(f"发布时间 {doc.get('date')} 晚于当前时间 {ctx.now:%Y-%m-%d %H:%M}", file=doc.path,
                   line=doc.line_of("date"), field="date")


@rule("CONTENT-005", title="网址唯一（不得重复或冲突）", stage="content", per="site", clause="URL-002 网址稳定、唯一",
      fix="为其中一篇设置不同的 slug（网址名），或删除重复文件", why="两篇信息写到同一网址时，后一篇会覆盖前一篇，导致信息丢失。")
def unique_urls(docs: list[SourceDoc], ctx: RuleContext) -> int:
    import re

    seen: dict[str, SourceDoc] = {}
    count = 0
    for doc in docs:
        if doc.fatal or not doc.published:
            continue
        count += 1
        slug = stable_slug(doc)
        if doc.get("slug") and not re.match(r"^[a-z0-9][a-z0-9-]*$", slug):
            ctx.report(f"网址名 slug「{slug}」只能用小写字母、数字和连字符", file=doc.path, line=doc.line_of("slug"),
                       field="slug", fix="例如 slug: 2026-fire-meeting")
        when = parse_datetime(doc.get("date"))
        key = f"page:{slug}" if doc.doc_type == "page" else f"{doc.category}:{when:%Y%m%d}:{slug}" if when else None
        if key is None:
            continue
        other = seen.get(key)
        if other is not None:
            ctx.report(f"与 {other.rel} 生成相同的网址（网址名「{slug}」）", file=doc.path, line=doc.line_of("slug") or 1,
                       field="slug")
        else:
            seen[key] = doc
    return count
