"""Scaffolds for editors: ``invoke new <type> --title <标题>`` writes a new Markdown source.

Every value comes from the one content contract (:mod:`govsite.contract`), the site settings, the
column registry and :func:`govsite.clock.now`, so a fresh scaffold passes the content rules. The
field explanations go into an HTML comment at the top of the *body*: the strict metadata parser
reads every line before the first blank line as ``key: value``, so comments cannot live there.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from .columns import Column, ColumnError, ColumnRegistry, load_columns
from .contract import REQUIRED, TYPE_KEYS, Key, keys_for

# The types editors create with `invoke new` ("page" is a hand-made single page).
SCAFFOLD_TYPES = ("news", "notice", "policy", "interpretation", "reprint", "guide", "public-notice", "report")
TYPE_ZH = {
    "news": "新闻动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读", "reprint": "转载",
    "guide": "办事指南", "public-notice": "公示", "report": "年度报告",
}
# Which columns fit a type: matched against the column's ColumnType (``type:`` in columns.yaml), then its name.
TYPE_COLUMNS: dict[str, tuple[str, ...]] = {
    "news": ("工作动态",),
    "notice": ("通知公告",),
    "public-notice": ("通知公告",),
    "policy": ("政策文件",),
    "interpretation": ("政策解读",),
    "guide": ("办事服务", "办事指南"),
    "report": ("信息公开年报",),
    "reprint": (),  # the column marked `reprint: true`
}
# Optional keys worth mentioning in the scaffold's explanations, per type.
OPTIONAL_HINTS: dict[str, tuple[str, ...]] = {
    "policy": ("needs_interpretation", "no_interpretation_reason", "summary", "keywords"),
    "interpretation": ("delay_reason", "summary", "keywords"),
    "reprint": ("delay_reason", "summary"),
    "guide": ("time_limit", "forms", "summary"),
    "public-notice": ("notice_end", "privacy_exempt", "privacy_basis", "summary"),
    "report": ("summary",),
}
COMMON_OPTIONAL = ("author", "summary", "keywords", "slug", "status", "modified")
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.+?)〔(?P<year>\d{4})〕(?P<n>\d{1,4})号$")
INDEX_RE = re.compile(r"^(?P<prefix>.+)/(?P<year>\d{4})-(?P<n>\d{1,6})$")
BODY_PLACEHOLDER = "（在这里撰写正文。写好后删除上面的填写说明。）"


class ScaffoldError(Exception):
    """Why a scaffold cannot be written, in Chinese."""


@dataclass
class Scaffold:
    path: Path
    rel: str
    text: str
    doc_type: str
    column: Column


def ascii_slug(title: str) -> str:
    """An ASCII file-name slug: the words of an ASCII title, or a short hash for a Chinese one (no pinyin guessing)."""
    if title.isascii():
        words = re.findall(r"[a-z0-9]+", title.lower())
        slug = "-".join(words)[:48].strip("-")
        if slug:
            return slug
    return hashlib.sha1(title.strip().encode("utf-8")).hexdigest()[:8]


def pick_column(columns: ColumnRegistry, doc_type: str, category: str | None) -> Column:
    """The column a new document of ``doc_type`` goes to: ``category`` if given (validated), else the first that fits."""
    usable = [c for c in columns.columns if not c.link]
    if category:
        col = columns.get(category)
        if col is None:
            raise ScaffoldError(f"栏目「{category}」未在 content/columns.yaml 中登记。可用栏目：{'、'.join(c.name for c in usable)}")
        if col.link:
            raise ScaffoldError(f"栏目「{category}」是外部平台链接栏目，不能在本站发布信息")
        return col
    if doc_type == "reprint":
        fits = [c for c in usable if c.reprint]
    else:
        wanted = TYPE_COLUMNS.get(doc_type, ())
        fits = [c for w in wanted for c in usable if c.column_type == w and not c.reprint]
        fits += [c for w in wanted for c in usable if c.name == w and c not in fits]
    if not fits:
        raise ScaffoldError(f"栏目登记表中没有适合「{TYPE_ZH.get(doc_type, doc_type)}」的栏目，请用 --category 指定栏目名称。"
                            f"可用栏目：{'、'.join(c.name for c in usable)}")
    return fits[0]


def _existing(settings: Mapping[str, Any], root: Path) -> list[Any]:
    from .pelican_glue import discover_sources
    from .source import read_source

    try:
        return [read_source(p, root) for p in discover_sources(dict(settings))]
    except OSError:
        return []


def _next_number(values: list[str], rx: re.Pattern[str], year: int, default_prefix: str) -> tuple[str, int]:
    prefix, highest = default_prefix, 0
    for v in values:
        m = rx.match(v.strip())
        if not m:
            continue
        prefix = m.group("prefix")
        if int(m.group("year")) == year:
            highest = max(highest, int(m.group("n")))
    return prefix, highest + 1


def _defaults(doc_type: str, title: str, now: datetime, settings: Mapping[str, Any], root: Path,
              for_: str | None) -> tuple[dict[str, str], set[str], list[str]]:
    """Values for the required keys (+ a few recommended ones), the keys holding sample values, and notes."""
    name = str(settings.get("GOVSITE_NAME") or settings.get("SITENAME") or "本级人民政府")
    sponsor = str(settings.get("GOVSITE_SPONSOR") or name)
    contact = settings.get("GOVSITE_CONTACT") or {}
    stamp = now.strftime("%Y-%m-%d %H:%M")
    values: dict[str, str] = {"title": title, "date": stamp, "source": sponsor}
    samples: set[str] = set()
    notes: list[str] = []
    if doc_type == "policy":
        docs = [d for d in _existing(settings, root) if d.doc_type == "policy"]
        prefix, n = _next_number([d.get("doc_number") for d in docs], DOC_NUMBER_RE, now.year, f"{name[:1]}政发")
        iprefix, i = _next_number([d.get("index_number") for d in docs], INDEX_RE, now.year,
                                  TYPE_KEYS["policy"]["index_number"].example.split("/")[0])
        values.update({
            "doc_number": f"{prefix}〔{now.year}〕{n}号", "issuer": name, "signed_date": now.strftime("%Y-%m-%d"),
            "index_number": f"{iprefix}/{now.year}-{i:05d}", "validity": "有效", "needs_interpretation": "yes",
        })
        samples |= {"doc_number", "signed_date", "index_number"}
        notes.append("文号、索引号按本站已有文件顺延生成，请改为文件上的实际文号和本机关的索引号。")
    elif doc_type == "interpretation":
        if not for_:
            raise ScaffoldError("政策解读必须指明解读的是哪个文件：invoke new interpretation --title <标题> --for <文号>")
        values.update({"interprets": for_.strip(), "form": "文字"})
        policies = [d for d in _existing(settings, root) if d.doc_type == "policy"]
        if policies and not any(for_.strip() in (d.get("doc_number").strip(), d.get("slug").strip()) for d in policies):
            notes.append(f"注意：本站还没有文号为「{for_}」的政策文件，请核对文号，或先发布该文件。")
    elif doc_type == "reprint":
        values.update({"source": "中国政府网", "source_url": TYPE_KEYS["reprint"]["source_url"].example,
                       "source_published": stamp})
        samples |= {"source", "source_url", "source_published"}
        if for_:
            values["source_url"] = for_.strip()
            samples.discard("source_url")
            item = _upstream_item(settings, root, for_.strip())
            if item is not None:
                values.update({"source": item.publisher, "source_published": item.published.strftime("%Y-%m-%d %H:%M")})
                samples -= {"source", "source_published"}
                if not title:
                    values["title"] = item.title
    elif doc_type == "guide":
        values.update({
            "item_name": title, "legal_basis": "《中华人民共和国行政许可法》", "conditions": "符合法定条件的申请人",
            "materials": "申请书；申请人身份证明", "place": str(contact.get("address") or "本级政务服务中心"),
            "agency": sponsor, "fee": "不收费", "hours": "工作日 上午9:00—12:00，下午14:30—17:30",
            "phone": str(contact.get("phone") or "12345"), "process": "受理、审查、决定、送达",
        })
        samples |= {"legal_basis", "conditions", "materials", "place", "agency", "hours", "phone", "process"}
    elif doc_type == "report":
        values.update({"report_kind": "网站年度报表", "report_year": str(now.year - 1)})
        samples |= {"report_kind"}
    return values, samples, notes


def _upstream_item(settings: Mapping[str, Any], root: Path, url: str) -> Any:
    try:
        from .upstream import load_upstream, normalize_url
    except ImportError:
        return None
    directory = Path(str(settings.get("PATH", root / "content"))) / str(settings.get("GOVSITE_UPSTREAM_DIR") or "upstream")
    try:
        items, _problems = load_upstream(directory)
    except Exception:  # an unreadable list only loses the convenience
        return None
    want = normalize_url(url)
    return next((it for it in items if normalize_url(it.url) == want), None)


def _comment_text(s: str) -> str:
    # "--" may not appear inside an HTML comment.
    return s.replace("--", "—").replace(">", "＞").replace("<", "＜")


def _explain(doc_type: str, keys: dict[str, Key], order: list[str], samples: set[str], column: Column,
             columns: ColumnRegistry, notes: list[str], rel: str) -> str:
    fits = [c.name for c in columns.columns if not c.link and (c.reprint if doc_type == "reprint" else True)]
    lines = [
        "<!--",
        f"【填写说明】信息类型：{doc_type}（{TYPE_ZH.get(doc_type, doc_type)}）。这段说明只给编辑看：",
        "写好正文后，请把这段说明（从本段上面的开始标记到下面的结束标记，共两行标记）整段删除。",
        "",
        "一、元数据（文件开头到第一个空行为止）：每行写成「键: 值」，键用英文、不要改动；",
        "    元数据中间不能有空行，元数据与正文之间空一行。本模板已填好的各项：",
    ]
    for name in order:
        k = keys[name]
        mark = "【示例值，请改为实际内容】" if name in samples else ""
        extra = "已预填为生成本文件的时间，请改为实际发布时间。" if name == "date" else ""
        lines.append(f"    {name}（{k.label}）：{k.help}。{extra}{mark}")
    optional = [n for n in OPTIONAL_HINTS.get(doc_type, ()) + COMMON_OPTIONAL if n in keys and n not in order]
    if optional:
        lines.append("二、可选元数据（需要时加到元数据中，同样一行一个「键: 值」）：")
        for name in dict.fromkeys(optional):
            k = keys[name]
            lines.append(f"    {name}（{k.label}）：{k.help}")
    lines += [
        f"三、栏目：本文放在「{column.name}」栏目（category）。可用栏目：{'、'.join(fits)}。",
        "    换栏目时请同时把文件移到 content/articles/<栏目网址名>/ 目录。",
        "四、附件（表格、PDF 等）放在 content/attachments/ 目录，正文中用 Markdown 链接指向该文件，",
        "    链接文字写清附件名称和格式（写法见《编辑手册》第四节）。",
        "五、隐私：正文和附件不得出现未打码的身份证号、手机号码、银行卡号；惩戒公示或强制性信息披露",
        "    须在元数据中写 privacy_exempt 和 privacy_basis（法律法规依据）。",
        f"六、预览：invoke serve；只检查本文件：invoke check-file --path {rel}",
    ]
    lines += [f"注意：{n}" for n in notes]
    lines.append("-->")
    return "\n".join(_comment_text(x) if x not in ("<!--", "-->") else x for x in lines)


def render(doc_type: str, title: str, *, now: datetime, settings: Mapping[str, Any], root: Path,
           columns: ColumnRegistry, category: str | None = None, for_: str | None = None) -> Scaffold:
    """Build the scaffold text and its path (nothing is written)."""
    if doc_type not in SCAFFOLD_TYPES:
        raise ScaffoldError(f"未知的信息类型「{doc_type}」。可选：{' / '.join(SCAFFOLD_TYPES)}")
    title = (title or "").strip()
    if doc_type != "reprint" and not title:
        raise ScaffoldError("请用 --title 写明标题，例如：invoke new news --title 示例县召开森林防火工作会议")
    if "\n" in title:
        raise ScaffoldError("标题不能换行")
    column = pick_column(columns, doc_type, category)
    values, samples, notes = _defaults(doc_type, title, now, settings, root, for_)
    title = values["title"]
    if not title:
        raise ScaffoldError("请用 --title 写明标题（--for 给出的原文网址不在上级信息清单中，无法自动取标题）")
    values.update({"category": column.name, "type": doc_type})
    keys = keys_for(doc_type)
    order = list(REQUIRED[doc_type]) + [k for k in values if k not in REQUIRED[doc_type]]
    missing = [k for k in REQUIRED[doc_type] if not values.get(k)]
    if missing:  # the contract grew a key this module does not know: fail loudly rather than write a broken file
        raise ScaffoldError(f"模板缺少必填元数据 {', '.join(missing)}，请联系技术维护人员更新 govsite/scaffold.py")
    content_dir = Path(str(settings.get("PATH") or root / "content"))
    path = content_dir / "articles" / column.slug / f"{now:%Y-%m-%d}-{ascii_slug(title)}.md"
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    meta = "\n".join(f"{k}: {values[k]}" for k in order)
    text = f"{meta}\n\n{_explain(doc_type, keys, order, samples, column, columns, notes, rel)}\n\n{BODY_PLACEHOLDER}\n"
    return Scaffold(path=path, rel=rel, text=text, doc_type=doc_type, column=column)


def create(root: Path, doc_type: str, title: str, *, for_: str | None = None, category: str | None = None,
           settings_file: str = "pelicanconf.py") -> Scaffold:
    """Write a new source file; refuses to overwrite (ScaffoldError)."""
    from . import clock
    from .checkfile import load_project_settings

    root = root.resolve()
    settings = load_project_settings(root, settings_file)
    now = clock.now(settings)
    columns_path = Path(str(settings["PATH"])) / str(settings.get("GOVSITE_COLUMNS_FILE", "columns.yaml"))
    try:
        columns = load_columns(columns_path)
    except ColumnError as exc:
        raise ScaffoldError(f"栏目登记表有误，无法选择栏目：{exc}") from exc
    sc = render(doc_type, title, now=now, settings=settings, root=root, columns=columns, category=category, for_=for_)
    sc.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(sc.path, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(sc.text)
    except FileExistsError:
        raise ScaffoldError(f"文件 {sc.rel} 已存在，没有覆盖。请换一个标题，或直接编辑该文件。") from None
    return sc


__all__ = ["SCAFFOLD_TYPES", "Scaffold", "ScaffoldError", "ascii_slug", "create", "render"]
