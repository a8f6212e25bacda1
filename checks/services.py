"""Services and interaction — the 2019 单项否决 items 服务不实用 and 互动回应差.

SERVICE-001 办事服务 offered, SERVICE-002 办事指南 ten elements, SERVICE-003 forms downloadable,
INTERACT-001 an effective consultation channel. All run once on the :class:`SiteModel` at the site stage.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from govsite.contract import GUIDE_ELEMENTS, TYPE_KEYS
from govsite.htmlpage import OutputSite, norm_ws
from govsite.registry import check, rule
from govsite.run import RuleContext
from govsite.site import SiteModel
from govsite.source import SourceDoc

VETO_19 = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决"
CHANNEL_RE = re.compile(r"咨询|留言|信箱|建言|互动")
ATTACH_EXT = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "zip", "rar", "7z", "csv",
              "txt", "odt", "ods"}
ZIP_EXT = {"docx", "xlsx", "pptx", "ofd", "odt", "ods", "zip"}
OLE_EXT = {"doc", "xls", "ppt"}
WPS_EXT = {"wps", "et", "dps"}  # WPS Office: OLE (older) or zip (newer)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MD_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HREF_RE = re.compile(r"""href\s*=\s*["']([^"']+)["']""")


def _fact(ctx: RuleContext, key: str, text: str) -> None:
    ctx.run.data.setdefault("scorecard_facts", {})[key] = text


def _is_portal(ctx: RuleContext) -> bool:
    return str(ctx.settings.get("GOVSITE_LEVEL", "county-portal")).endswith("portal")


def _http(url: str | None) -> bool:
    parts = urlsplit((url or "").strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def guides(model: SiteModel) -> list[SourceDoc]:
    return [d for d in model.docs if d.doc_type == "guide"]


# ---- SERVICE-001 ----------------------------------------------------------------------------------
@rule("SERVICE-001", title="门户网站提供办事服务", stage="site", per="site", clause=VETO_19 + "「服务不实用」第1项", confidence="P",
      fix="在 content/columns.yaml 登记类别（type）为「办事服务」的栏目，发布办事指南（type: guide），"
          "或把该栏目设为链接到省政务服务网本地站点（link: https://…）",
      why="门户网站未提供办事服务即单项否决。",
      example_bad="办事服务 栏目下没有任何办事指南", example_good="办事服务 › 《示例县个体工商户设立登记办事指南》")
def services_offered(model: SiteModel, ctx: RuleContext) -> int:
    if not _is_portal(ctx):
        _fact(ctx, "SERVICE-001", "非门户网站（部门网站无对外服务职能时免检）")
        return 0
    cols = [c for c in model.columns.columns if c.column_type == "办事服务"]
    path = ctx.run.root / model.columns.path
    if not cols:
        ctx.report("门户网站没有类别为「办事服务」的栏目", file=path, veto=True)
        _fact(ctx, "SERVICE-001", "没有「办事服务」栏目")
        return 1
    linked = [c for c in cols if c.link and _http(c.link)]
    offered = []
    for col in cols:
        for item in model.column_items(col.name):
            doc = model.doc_for(item)
            if doc is not None and doc.doc_type == "guide":
                offered.append(doc)
    if linked or offered:
        parts = []
        if offered:
            parts.append(f"办事指南 {len(offered)} 篇")
        if linked:
            parts.append("链接到 " + "、".join(f"{c.name}（{c.link}）" for c in linked))
        _fact(ctx, "SERVICE-001", "「办事服务」栏目提供" + "，".join(parts))
        return len(cols)
    names = "、".join(c.name for c in cols)
    ctx.report(f"办事服务栏目（{names}）没有任何办事指南，也没有链接到政务服务平台", file=path, line=cols[0].line,
               field=cols[0].name, veto=True)
    _fact(ctx, "SERVICE-001", f"办事服务栏目（{names}）没有办事指南或政务服务链接")
    return len(cols)


# ---- SERVICE-002 ----------------------------------------------------------------------------------
GUIDE_LABELS = {k: TYPE_KEYS["guide"][k].label for k in GUIDE_ELEMENTS}


@rule("SERVICE-002", title="办事指南十类要素齐全", stage="site", per="site",
      clause=VETO_19 + "「服务不实用」第2项（要素类别 P；「缺失4类及以上的事项≥5个」门槛 M）", confidence="P/M",
      params={"guide_veto_guides": 5, "guide_veto_missing": 4},
      fix="办事指南填写 事项名称、设定依据、申请条件、办理材料、办理地点、办理机构、收费标准、办理时间、联系电话、办理流程 十类要素",
      why="办事指南要素缺失会让群众跑冤枉路；缺失 4 类及以上要素的事项达到 5 个即单项否决，任何缺失都是扣分项。",
      example_bad="fee:（空）", example_good="fee: 不收费")
def guide_elements(model: SiteModel, ctx: RuleContext) -> int:
    min_guides = int(ctx.param("guide_veto_guides") or 5)
    min_missing = int(ctx.param("guide_veto_missing") or 4)
    docs = guides(model)
    bad: list[str] = []
    for doc in docs:
        missing = [k for k in GUIDE_ELEMENTS if not doc.get(k).strip()]
        for key in missing:
            ctx.report(f"办事指南《{doc.title}》缺少要素「{GUIDE_LABELS[key]}」（{key}）", file=doc.path,
                       line=doc.line_of(key) or 1, field=key, severity="warning")
        if len(missing) >= min_missing:
            bad.append(doc.title)
    if len(bad) >= min_guides:
        ctx.report(f"{len(bad)} 个办事指南各缺失 {min_missing} 类及以上要素（≥{min_guides} 个即单项否决）：" + "、".join(bad),
                   veto=True)
    _fact(ctx, "SERVICE-002", f"办事指南 {len(docs)} 篇，缺失 {min_missing} 类及以上要素的 {len(bad)} 篇"
          f"（≥{min_guides} 篇即单项否决）")
    return len(docs)


# ---- SERVICE-003 ----------------------------------------------------------------------------------
def form_refs(doc: SourceDoc) -> list[tuple[str, int | None]]:
    """(reference, line) for every form in ``forms:`` and every attachment link in the body."""
    refs: list[tuple[str, int | None]] = []
    for part in re.split(r"[,，;；、]\s*", doc.get("forms")):
        if part.strip():
            refs.append((part.strip(), doc.line_of("forms")))
    for regex in (MD_LINK_RE, HREF_RE):
        for m in regex.finditer(doc.body):
            target = m.group(1).strip()
            path = urlsplit(target.replace("{static}", "").replace("{attach}", "").replace("{filename}", "")).path
            ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
            if "attachments/" in path or ext in ATTACH_EXT:
                refs.append((target, doc.body_line_of(m.start())))
    return refs


def resolve_ref(ref: str, doc: SourceDoc, croot: Path, own_host: str) -> Path | None:
    """The file a reference points to, or None for a link to another site."""
    text = ref.strip()
    relative_to_doc = False
    for marker in ("{static}", "{attach}", "{filename}"):
        if text.startswith(marker):
            text = text[len(marker):]
            relative_to_doc = not text.startswith("/")
    parts = urlsplit(text)
    if parts.scheme or text.startswith("//"):
        if parts.scheme in ("http", "https") and own_host and (parts.hostname or "").lower() == own_host:
            return croot / unquote(parts.path).lstrip("/")
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        return croot / path.lstrip("/")
    if relative_to_doc:
        return doc.path.parent / path
    return croot / path


def file_problem(path: Path) -> str | None:
    """Why an attachment cannot be downloaded and opened, in Chinese, or None."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "文件无法读取"
    if size == 0:
        return "文件是空的（0 字节）"
    ext = path.suffix.lower().lstrip(".")
    if ext in ZIP_EXT and not head.startswith(ZIP_MAGIC):
        return f".{ext} 文件已损坏（不是有效的 Office/ZIP 格式）"
    if ext in OLE_EXT and not head.startswith(OLE_MAGIC):
        return f".{ext} 文件已损坏（不是有效的 Office 97-2003 格式）"
    if ext in WPS_EXT and not (head.startswith(OLE_MAGIC) or head.startswith(ZIP_MAGIC)):
        return f".{ext} 文件已损坏（不是有效的 WPS 格式）"
    if ext == "pdf":
        if b"%PDF-" not in head:
            return "PDF 文件已损坏（缺少 %PDF 文件头）"
        try:
            data = path.read_bytes()
        except OSError:
            return "文件无法读取"
        if re.search(rb"/Encrypt\s*(\d+\s+\d+\s+R|<<)", data):
            return "PDF 文件已加密，公众可能无法打开或打印"
    return None


@rule("SERVICE-003", title="办事表格和附件可以正常下载", stage="site", per="site",
      clause="全国政府网站普查评分表（国办函〔2015〕15号 附件2）「附件下载」：所需的办事表格、文件附件等资料能否正常下载",
      confidence="P/S",
      fix="把表格放到 content/attachments/ 下，forms 和正文链接写成 attachments/文件名；上传前确认文件能正常打开、PDF 未加密",
      why="办事表格无法下载或打不开，群众无法办事。",
      example_bad="forms: attachments/申请表.docx（文件不存在）", example_good="forms: attachments/bsfw/getihu-shenqingbiao.docx")
def forms_downloadable(model: SiteModel, ctx: RuleContext) -> int:
    croot = (ctx.run.root / str(ctx.settings.get("PATH", "content"))).resolve()
    own_host = (urlsplit(str(ctx.settings.get("GOVSITE_SITEURL", ""))).hostname or "").lower()
    static_dirs = [(croot / str(s)).resolve() for s in ctx.settings.get("STATIC_PATHS", ["attachments"])]
    checked = 0
    for doc in guides(model):
        for ref, line in form_refs(doc):
            target = resolve_ref(ref, doc, croot, own_host)
            if target is None:
                continue
            checked += 1
            where: dict[str, Any] = {"file": doc.path, "line": line, "field": "forms" if line == doc.line_of("forms") else None}
            try:
                real = target.resolve()
                real.relative_to(croot)
            except ValueError:
                ctx.report(f"表格「{ref}」不在 content/ 目录内", **where)
                continue
            if not real.is_file():
                ctx.report(f"办事指南《{doc.title}》引用的表格「{ref}」不存在", **where)
                continue
            if not any(real == d or d in real.parents for d in static_dirs):
                ctx.report(f"表格「{ref}」不在静态文件目录（{'、'.join(str(s) for s in ctx.settings.get('STATIC_PATHS', []))}）中，"
                           "不会发布到网站上", **where)
                continue
            problem = file_problem(real)
            if problem:
                ctx.report(f"表格「{ref}」无法正常使用：{problem}", **where)
    return checked


# ---- INTERACT-001 ---------------------------------------------------------------------------------
@rule("INTERACT-001", title="门户网站提供有效的咨询建言渠道", stage="site", per="site", clause=VETO_19 + "「互动回应差」第1项",
      confidence="P",
      fix="在 content/columns.yaml 登记类别为「咨询投诉」、名称含 咨询/留言/信箱/建言/互动 的栏目"
          "（可链接到省政务服务互动平台），或设置 GOVSITE_INTERACTION_URL",
      why="未提供网上有效咨询建言渠道即单项否决（网上信访、纪检举报等专门渠道除外）。",
      example_bad="只有 mailto: 电子邮箱", example_good="互动交流（type: 咨询投诉，link: https://www.xxx.gov.cn/hdjl/）")
def consultation_channel(model: SiteModel, ctx: RuleContext) -> int:
    if not _is_portal(ctx):
        _fact(ctx, "INTERACT-001", "非门户网站，不检查")
        return 0
    path = ctx.run.root / model.columns.path
    channels: list[str] = []
    targets: set[str] = set()
    for col in model.columns.columns:
        if col.column_type != "咨询投诉":
            continue
        if not CHANNEL_RE.search(col.name):
            ctx.report(f"咨询投诉栏目「{col.name}」的名称没有体现 咨询/留言/信箱/建言/互动，公众难以识别", file=path,
                       line=col.line, field=col.name, severity="warning")
            continue
        if col.link and not _http(col.link):
            ctx.report(f"咨询投诉栏目「{col.name}」的链接「{col.link}」不是网页地址（电子邮箱不算有效渠道）", file=path,
                       line=col.line, field=col.name, severity="warning")
            continue
        channels.append(f"{col.name}（{col.link or col.url}）")
        targets.add(_norm_href(col.link or col.url))
    setting = ctx.settings.get("GOVSITE_INTERACTION_URL")
    if setting:
        if _http(str(setting)):
            channels.append(f"GOVSITE_INTERACTION_URL（{setting}）")
            targets.add(_norm_href(str(setting)))
        else:
            ctx.report(f"GOVSITE_INTERACTION_URL「{setting}」不是网页地址（电子邮箱不算有效渠道）", file=ctx.run.root / ctx.run.settings_file,
                       field="GOVSITE_INTERACTION_URL", severity="warning")
    ctx.run.data["interaction_channels"] = targets
    if not channels:
        ctx.report("门户网站没有网上咨询建言渠道（类别为「咨询投诉」的栏目或 GOVSITE_INTERACTION_URL）", file=path, veto=True)
        _fact(ctx, "INTERACT-001", "没有网上咨询建言渠道")
    else:
        _fact(ctx, "INTERACT-001", "咨询建言渠道：" + "；".join(channels))
    return 1


def _norm_href(href: str) -> str:
    return href.strip().split("#")[0].rstrip("/") or "/"


@check("INTERACT-001", stage="page", per="site")
def channel_on_home(site: OutputSite, ctx: RuleContext) -> int:
    """The channel must actually be linked from the home page, with a label the public recognises."""
    targets: set[str] | None = ctx.run.data.get("interaction_channels")
    home = site.by_path.get("index.html")
    if not _is_portal(ctx) or not targets or home is None:
        return 0  # the site stage reported a missing channel
    for a in home.tree.css("a[href]"):
        if CHANNEL_RE.search(norm_ws(a.text())) and _norm_href(a.attributes.get("href") or "") in targets:
            return 1
    ctx.report("首页没有以「咨询/留言/信箱/建言/互动」为名称链接到咨询建言渠道（" + "、".join(sorted(targets)) + "）",
               url="/index.html", veto=True,
               fix="首页（导航或「办事服务与互动交流」区）链接咨询建言渠道；只设置 GOVSITE_INTERACTION_URL 时，模板须渲染该链接")
    return 1
