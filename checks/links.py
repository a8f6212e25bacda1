"""Page stage: internal links, anchors, attachments and images (URL-003), click depth (LAYOUT-004),
site search (LAYOUT-005, OPEN-004) and the site map (LAYOUT-006).

html-proofer's model: every reference of every page is collected once (:func:`link_index`), then the
rules validate the collection against the set of output files. Everything is selectolax + dict
lookups, so the whole pass stays linear in the size of the output.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from govsite.htmlpage import OutputSite, Page, css_path, norm_ws
from govsite.registry import finish, rule
from govsite.run import BuildRun, RuleContext

URL_CLAUSE = "全国政府网站普查评分表（国办函〔2015〕15号 附件2）「链接可用性」；国办秘函〔2019〕19号 可用性"
DEPTH_CLAUSE = "省级政府网站绩效评估指标「三次点击」原则；常德市人民政府办公室2017年意见（种子文件001）"
SEARCH_CLAUSE = "国办秘函〔2019〕19号 扣分指标 功能设计「搜索功能」；《政府网站发展指引》创新发展"
SITEMAP_CLAUSE = "省级政府网站绩效评估指标「网站地图」；《政府网站网页设计规范》网页底部功能区"
OPEN_CLAUSE = "《政府信息公开条例》第二十四条：政府信息公开平台应当具备信息检索、查阅、下载等功能"

ATTACHMENT_EXT = frozenset({".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".zip", ".csv", ".et", ".rar", ".7z"})
IMAGE_EXT = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".ico", ".avif"})
HTML_EXT = (".html", ".htm")
SEARCH_INPUT_NAMES = ("q", "searchword", "keyword", "keywords", "wd", "query", "kw")
REPORT_CAP = 10  # identical problems (same target, same reason): report this many pages, then one summary

# (selector, attribute) pairs that reference another resource.
REF_SELECTOR = ("a[href], area[href], link[href], img[src], img[srcset], script[src], iframe[src], frame[src], "
                "source[src], source[srcset], video[src], video[poster], audio[src], track[src], embed[src], "
                "object[data], input[src], form[action], meta[http-equiv]")
REF_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
    "iframe": ("src",), "frame": ("src",), "source": ("src", "srcset"), "video": ("src", "poster"),
    "audio": ("src",), "track": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",),
    "form": ("action",),
}
CSS_URL_RE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]+)"|'([^']+)')""", re.I)
META_REFRESH_RE = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
LOC_RE = re.compile(r"<loc>\s*([^<]+?)\s*</loc>")
PAGINATION_RE = re.compile(r"(^|/)index_\d+\.html?$")


# ---- URL helpers shared with checks/safety.py -------------------------------------------------

def normalize_host(host: str | None) -> str:
    """Lower-case host without trailing dot; punycode labels decoded (xn--… → 政务)."""
    if not host:
        return ""
    host = host.strip().rstrip(".").lower()
    if "xn--" in host:
        try:
            host = ".".join(label.encode("ascii").decode("idna") if label.startswith("xn--") else label
                            for label in host.split("."))
        except (UnicodeError, ValueError):
            pass
    return host


def own_hosts(settings: Any) -> frozenset[str]:
    """The site's own host names (from GOVSITE_SITEURL, SITEURL and GOVSITE_SITE_ALIASES)."""
    hosts = set()
    for key in ("GOVSITE_SITEURL", "SITEURL"):
        value = str(settings.get(key) or "")
        if "://" in value:
            hosts.add(normalize_host(urlsplit(value).hostname))
    for alias in settings.get("GOVSITE_SITE_ALIASES", []) or []:
        hosts.add(normalize_host(str(alias)))
    hosts.discard("")
    return frozenset(hosts)


@dataclass(frozen=True)
class Ref:
    """One reference from a page (or CSS file) to another resource."""

    raw: str
    kind: str  # "internal", "external", "fragment" (same page), "other" (mailto:, data:, javascript: …)
    path: str = ""  # internal: decoded root-relative path, e.g. "/gzdt/index.html"
    fragment: str = ""
    query: str = ""
    host: str = ""  # external: normalized host
    scheme: str = ""


def resolve(base_url: str, raw: str, hosts: frozenset[str]) -> Ref:
    raw = (raw or "").strip()
    if not raw:
        return Ref(raw, "fragment")
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return Ref(raw, "other", scheme=scheme)
    if parts.netloc:
        host = normalize_host(parts.hostname)
        if host not in hosts:
            return Ref(raw, "external", host=host, scheme=scheme or "https", fragment=parts.fragment,
                       query=parts.query)
        path = parts.path or "/"
    elif not parts.path:
        return Ref(raw, "fragment", path=base_url, fragment=unquote(parts.fragment), query=parts.query)
    elif parts.path[0] == "/" and "/." not in parts.path:
        path = parts.path  # root-relative, nothing to normalize
    else:
        path = urljoin(base_url, parts.path)
    return Ref(raw, "internal", path=unquote(path), fragment=unquote(parts.fragment), query=parts.query)


def target_file(path: str, files: frozenset[str]) -> str | None:
    """Output file a root-relative path is served from (``/dir/`` → ``dir/index.html``), or None."""
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    if rel in files:
        return rel
    last = rel.rsplit("/", 1)[-1]
    if "." not in last and f"{rel}/index.html" in files:
        return f"{rel}/index.html"
    return None


def srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_urls(text: str) -> list[str]:
    out = []
    for m in CSS_URL_RE.finditer(text):
        value = next((g for g in m.groups() if g is not None), "")
        if value:
            out.append(value.strip())
    return out


def column_links(run: BuildRun) -> set[str]:
    """Addresses of link-only columns (columns.yaml ``link:``): served by another system, not our output."""
    columns = run.data.get("columns")
    out = {c.link for c in getattr(columns, "columns", []) if getattr(c, "link", None)}
    interaction = run.settings.get("GOVSITE_INTERACTION_URL")
    if interaction:
        out.add(str(interaction))
    return {u.rstrip("/") for u in out}


def output_files(ctx: RuleContext) -> frozenset[str]:
    """Every output file (posix, relative) of the page stage's OutputSite, for ``whole_output`` checks (all pages
    are written by the time they run)."""
    return ctx.run.data["output_site"].file_set


# ---- the per-run link index ------------------------------------------------------------------

class PageRefs:
    """The references of one page as ``(tag, node, attribute, ref)``.

    Stored compactly: ``(tag, element index, attribute, ref)`` tuples are interned across pages (navigation and
    footer repeat on every page), and the node stand-ins are made only while a check iterates.
    """

    __slots__ = ("items", "page")

    def __init__(self, page: Page, items: list[tuple[str, int, str, Ref]] | None = None):
        self.page = page
        self.items = items if items is not None else []

    @property
    def refs(self) -> list[tuple[str, Any, str, Ref]]:
        page = self.page
        nodes: dict[int, RefNode] = {}
        out = []
        for tag, index, attr, ref in self.items:
            node = nodes.get(index)
            if node is None:
                node = nodes[index] = RefNode(page, index, tag)
            out.append((tag, node, attr, ref))
        return out


@dataclass
class LinkIndex:
    site: OutputSite
    hosts: frozenset[str]
    pages: list[PageRefs]
    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    targets: dict[str, str | None] = field(default_factory=dict)
    memo: dict[tuple[str, str], Ref] = field(default_factory=dict)
    by_path: dict[str, PageRefs] = field(default_factory=dict)

    def refs_of(self, page: Page) -> list[tuple[str, Any, str, Ref]]:
        if not self.by_path:
            self.by_path.update((pr.page.path, pr) for pr in self.pages)
        pr = self.by_path.get(page.path)
        return pr.refs if pr is not None else []

    def resolve(self, page_url: str, raw: str) -> Ref:
        """Memoized :func:`resolve` for one address on one page."""
        return _resolve_memo(self.memo, page_url, raw.strip(), self.hosts)

    def target(self, path: str) -> str | None:
        """Memoized :func:`target_file` (the same nav and footer paths recur on every page)."""
        try:
            return self.targets[path]
        except KeyError:
            rel = self.targets[path] = target_file(path, self.site.file_set)
            return rel

    def ids_of(self, rel: str) -> frozenset[str]:
        if rel not in self.ids:
            page = self.site.by_path.get(rel)
            found: set[str] = set()
            if page is not None:
                for node in page.tree.css("[id], a[name]"):
                    a = node.attrs
                    found.add(a.get("id") or a.get("name") or "")
            self.ids[rel] = frozenset(found)
        return self.ids[rel]

    def size_of(self, rel: str) -> int:
        if rel not in self.sizes:
            try:
                self.sizes[rel] = os.stat(os.path.join(self.site.root, rel)).st_size
            except OSError:
                self.sizes[rel] = -1
        return self.sizes[rel]


def _resolve_memo(memo: dict[tuple[str, str], Ref], url: str, raw: str, hosts: frozenset[str]) -> Ref:
    # Root-relative and absolute addresses do not depend on the page; relative ones depend on its
    # directory; "#x" and "?x" on the page itself.
    first = raw[:1]
    if first == "/" and raw[1:2] != "/" or raw.startswith(("http:", "https:")):
        key = ("", raw)
    elif first in ("#", "?", ""):
        key = (url, raw)
    else:
        key = (url[: url.rfind("/") + 1], raw)
    ref = memo.get(key)
    if ref is None:
        ref = memo[key] = resolve(url, raw, hosts)
    return ref


class RefNode:
    """Stands in for a selectolax node in the link index: holding real nodes would keep every page's parse tree
    alive for the whole page stage (gigabytes on a 10,000-page site), and even a copy of each element's
    attributes costs ~200 MB at 6,000 pages. The node is found again only when a finding needs it."""

    __slots__ = ("index", "page", "tag")

    def __init__(self, page: Page, index: int, tag: str):
        self.page, self.index, self.tag = page, index, tag

    @property
    def attributes(self) -> dict[str, Any]:
        return self.resolve().attributes

    @property
    def attrs(self) -> dict[str, Any]:
        return self.attributes

    def resolve(self) -> Any:
        return self.page.tree.css(REF_SELECTOR)[self.index]


def element_refs(page: Page, hosts: frozenset[str], memo: dict[Any, Any]) -> Iterator[tuple[int, Any, str, str, Ref]]:
    """``(element index, node, tag, attribute, ref)`` for every reference of one page, in document order; ``memo``
    memoizes resolution (nav and footer repeat on every page)."""
    url = page.url
    for index, node in enumerate(page.tree.css(REF_SELECTOR)):
        tag = node.tag
        attrs = node.attrs
        if tag == "meta":
            if (attrs.get("http-equiv") or "").lower() == "refresh":
                m = META_REFRESH_RE.search(attrs.get("content") or "")
                if m:
                    yield index, node, tag, "content", _resolve_memo(memo, url, html.unescape(m.group(1)).strip(), hosts)
            continue
        for attr in REF_ATTRS[tag]:
            value = attrs.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                for v in srcset_urls(value):
                    yield index, node, tag, attr, _resolve_memo(memo, url, v, hosts)
            else:
                yield index, node, tag, attr, _resolve_memo(memo, url, value.strip(), hosts)


def page_refs(page: Page, hosts: frozenset[str], cache: dict[Any, Any] | None = None) -> PageRefs:
    """Every reference of one page, resolved. ``cache`` memoizes resolution and interns the stored tuples (nav and
    footer repeat on every page)."""
    out = PageRefs(page)
    memo: dict[Any, Any] = {} if cache is None else cache
    for index, _node, tag, attr, ref in element_refs(page, hosts, memo):
        key = ("item", tag, index, attr, id(ref))
        shared = memo.get(key)
        if shared is None or shared[3] is not ref:
            shared = memo[key] = (tag, index, attr, ref)
        out.items.append(shared)
    return out


def link_index(site: OutputSite, run: BuildRun) -> LinkIndex:
    cached = run.data.get("_link_index")
    if cached is not None and cached.site is site:
        return cached
    hosts = own_hosts(run.settings)
    memo: dict[tuple[str, str], Ref] = {}
    index = LinkIndex(site=site, hosts=hosts, pages=[page_refs(p, hosts, memo) for p in site], memo=memo)
    run.data["_link_index"] = index
    return index


class Grouped:
    """Report identical problems once per page up to a cap, then one summary finding (html-proofer style)."""

    def __init__(self, ctx: RuleContext, cap: int = REPORT_CAP):
        self.ctx = ctx
        self.cap = cap
        self.groups: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def add(self, key: str, message: str, **where: Any) -> None:
        self.groups.setdefault((key, message), []).append(where)

    def flush(self, summary: str = "另有 {n} 个页面存在同样的问题（首个：{first}）") -> None:
        for (_key, message), items in self.groups.items():
            for where in items[: self.cap]:
                self.ctx.report(message, **where)
            rest = items[self.cap:]
            if rest:
                where = dict(rest[0])
                self.ctx.report(message + "；" + summary.format(n=len(rest), first=where.get("url")), **where)


# ---- URL-003 ---------------------------------------------------------------------------------

@rule("URL-003", title="站内链接、锚点、附件和图片均有效", stage="page", per="site", shares="link_index", clause=URL_CLAUSE, confidence="P/M",
      fix="修改链接地址，或补上缺失的页面、附件、图片；附件不能是空文件",
      why="「首页及其他页面不能正常访问的链接数量」是普查扣分项；构建时按零容忍处理站内失效链接。",
      example_bad="[办事指南](/bsfw/guide-old.html) 而该页面已删除", example_good="[办事指南](/bsfw/)")
def internal_links(site: OutputSite, ctx: RuleContext) -> int:
    index = link_index(site, ctx.run)
    files = site.file_set
    exempt = tuple(column_links(ctx.run))
    out = Grouped(ctx)
    checked = 0
    verdicts: dict[int, tuple[str, str, str | None] | None] = {}  # id(ref) → problem; refs are shared objects

    def verdict(ref: Ref) -> tuple[str, str, str | None] | None:
        if exempt and ref.raw.rstrip("/").startswith(exempt):
            return None  # link-only column (columns.yaml link:), served by another platform
        rel = index.target(ref.path)
        if rel is None:
            return ref.path, f"链接「{ref.raw}」指向的文件不存在（{ref.path}）", None
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in ATTACHMENT_EXT or suffix in IMAGE_EXT:
            if index.size_of(rel) == 0:
                kind = "附件" if suffix in ATTACHMENT_EXT else "图片"
                return rel, f"{kind}「{ref.path}」是空文件（0 字节）", f"重新上传完整的{kind}文件"
            return None
        frag = ref.fragment
        if frag and frag != "top" and rel.endswith(HTML_EXT) and frag not in index.ids_of(rel):
            return (f"{rel}#{frag}", f"链接「{ref.raw}」的锚点 #{frag} 在目标页面 /{rel} 中不存在",
                    f"在目标页面添加 id=\"{frag}\" 的元素，或改正链接中的锚点")
        return None

    for pr in index.pages:
        page = pr.page
        for tag, node, _attr, ref in pr.refs:
            kind = ref.kind
            if kind == "internal" and tag != "form":
                checked += 1
                key = id(ref)
                if key not in verdicts:
                    verdicts[key] = verdict(ref)
                problem = verdicts[key]
                if problem is not None:
                    out.add(problem[0], problem[1], url=page.url, selector=css_path(node),
                            **({"fix": problem[2]} if problem[2] else {}))
            elif kind == "fragment" and tag != "form":
                checked += 1
                frag = ref.fragment
                if frag and frag != "top" and frag not in index.ids_of(page.path):
                    out.add(f"{page.path}#{frag}", f"页内锚点 #{frag} 不存在（链接「{ref.raw}」）", url=page.url,
                            selector=css_path(node), fix=f"在本页添加 id=\"{frag}\" 的元素，或改正锚点名称")
    for rel in site.files:
        if not rel.endswith(".css"):
            continue
        try:
            text = (site.root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for raw in css_urls(text):
            ref = resolve("/" + rel, raw, index.hosts)
            if ref.kind != "internal":
                continue
            checked += 1
            if target_file(ref.path, files) is None:
                out.add(ref.path, f"样式表中 url(「{raw}」) 指向的文件不存在（{ref.path}）", url="/" + rel, selector="url()")
    out.flush()
    return checked


# ---- LAYOUT-004 ------------------------------------------------------------------------------

def click_depths(index: LinkIndex, start: str = "index.html") -> tuple[dict[str, int], dict[str, str]]:
    """Breadth-first search over <a>/<area> links between output pages: depth and BFS parent per page."""
    edges: dict[str, list[str]] = {}
    for pr in index.pages:
        targets = []
        for tag, _node, _attr, ref in pr.refs:
            if ref.kind != "internal" or (tag != "a" and tag != "area"):
                continue
            rel = index.target(ref.path)
            if rel is not None and rel.endswith(HTML_EXT):
                targets.append(rel)
        edges[pr.page.path] = targets
    depth = {start: 0}
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        cur = queue.popleft()
        for nxt in edges.get(cur, ()):
            if nxt not in depth:
                depth[nxt] = depth[cur] + 1
                parent[nxt] = cur
                queue.append(nxt)
    return depth, parent


def _trail(rel: str, parent: dict[str, str]) -> str:
    chain = [rel]
    while chain[-1] in parent:
        chain.append(parent[chain[-1]])
    return " → ".join("/" + p for p in reversed(chain))


@rule("LAYOUT-004", title="三次点击原则：栏目 2 次、文章 3 次点击内可达", stage="page", per="site", shares="link_index", severity="warning",
      clause=DEPTH_CLAUSE, confidence="S",
      params={"max_column_depth": 2, "max_article_depth": 3},
      fix="在首页、导航或栏目页增加入口，或减少栏目层级；分页列表应列出全部页码",
      why="「重要栏目页面层级是否能在3次点击内即可从首页到达任一最底层页面」是各省绩效评估指标。")
def click_depth(site: OutputSite, ctx: RuleContext) -> int:
    index = link_index(site, ctx.run)
    if "index.html" not in site.file_set:
        ctx.report("输出中没有首页 /index.html，无法计算点击深度", url="/index.html")
        return 0
    from .safety import doc_for_page  # late import: safety imports this module

    depth, parent = click_depths(index)
    limits = {"column": int(ctx.param("max_column_depth")), "article": int(ctx.param("max_article_depth"))}
    checked = 0
    for page in site:
        limit = limits.get(page.page_type)
        if limit is None:
            continue
        doc = doc_for_page(ctx.run, page)
        if doc is not None and doc.get("status") == "hidden":
            continue  # deliberately unlisted (status: hidden)
        if page.page_type == "column" and PAGINATION_RE.search(page.path):
            limit = limits["article"]  # page N of a list is a hop towards documents, not a column of its own
        checked += 1
        kind = "栏目页" if page.page_type == "column" else "文章页"
        d = depth.get(page.path)
        if d is None:
            ctx.report(f"{kind}从首页无法通过链接到达（孤立页面）", url=page.url, depth=-1)
        elif d > limit:
            ctx.report(f"{kind}需要点击 {d} 次才能从首页到达（上限 {limit} 次）：{_trail(page.path, parent)}",
                       url=page.url, depth=d)
    return checked


# ---- LAYOUT-005 / OPEN-004 -------------------------------------------------------------------

def _search_forms(page: Page) -> list[Any]:
    forms = []
    for form in page.tree.css("form"):
        if (form.attributes.get("role") or "").lower() == "search" or any(
            (inp.attributes.get("name") or "").lower() in SEARCH_INPUT_NAMES for inp in form.css("input")
        ):
            forms.append(form)
    return forms


def _is_redirect_stub(page: Page) -> bool:
    head = page.tree.head
    return head is not None and any((m.attributes.get("http-equiv") or "").lower() == "refresh"
                                    for m in head.css("meta[http-equiv]"))


def load_search_index(site: OutputSite) -> list[dict[str, Any]] | None:
    if "search-index.json" not in site.file_set:
        return None
    try:
        data = json.loads((site.root / "search-index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def _index_url(entry: dict[str, Any], hosts: frozenset[str]) -> str:
    ref = resolve("/", str(entry.get("u") or entry.get("url") or ""), hosts)
    return ref.path if ref.kind == "internal" else ""


@rule("LAYOUT-005", title="站内搜索：每页有搜索框，搜索索引覆盖全部文章", stage="page", whole_output=True, clause=SEARCH_CLAUSE,
      confidence="S/M", fix="页面头部放置 <form role=\"search\" action=\"/search.html\">；构建生成的 search-index.json 应收录每篇文章",
      why="搜索功能是政府网站检查指标；搜不到已发布的文章等于信息未公开。")
def site_search(page: Page, ctx: RuleContext) -> None:
    from .safety import host_allowed  # late import: safety imports this module

    title = page.meta_one("ArticleTitle") if page.page_type == "article" else None
    if page.is_redirect:
        if title:
            ctx.collect(page.path, ([], False, title))
        return
    hosts = own_hosts(ctx.settings)
    files = output_files(ctx)
    entries: list[tuple[str, str, dict[str, Any]]] = []
    forms = _search_forms(page)
    if not forms:
        entries.append(("noform", "页面没有站内搜索框", {"url": page.url, "selector": "body"}))
    local = False
    for form in forms:
        action = (form.attributes.get("action") or "").strip()
        ref = resolve(page.url, action, hosts) if action else Ref("", "internal", path=page.url)
        if ref.kind == "internal":
            if target_file(ref.path, files) is None:
                entries.append((f"action:{ref.path}", f"搜索框提交地址「{action}」不存在",
                                {"url": page.url, "selector": css_path(form)}))
            else:
                local = True
        elif ref.kind == "external":
            if not host_allowed(ref.host, ctx.settings, links=False):
                entries.append((f"action:{ref.host}", f"搜索框提交到非政府网站「{ref.host}」",
                                {"url": page.url, "selector": css_path(form), "fix": "使用本站或集约化平台（.gov.cn）的站内搜索"}))
        else:
            entries.append((f"action:{action}", f"搜索框提交地址「{action}」无效", {"url": page.url, "selector": css_path(form)}))
    ctx.collect(page.path, (entries, local, title or None))


@finish("LAYOUT-005", stage="page")
def site_search_index(collected: dict[str, Any], ctx: RuleContext) -> None:
    from .safety import grouped, output_site

    grouped(ctx, collected, entries_of=lambda value: value[0]).flush()
    local_search = any(local for _entries, local, _title in collected.values())
    site = output_site(ctx.run)
    hosts = own_hosts(ctx.settings)
    articles = {"/" + path: title for path, (_e, _l, title) in collected.items() if title}
    entries = load_search_index(site)
    if entries is None:
        if local_search and not ctx.run.data.get("audit"):
            ctx.report("站内搜索页依赖的搜索索引 /search-index.json 不存在", url="/search-index.json",
                       fix="检查 govsite_content 插件是否生成了搜索索引")
        elif articles:
            ctx.report("无法核实搜索覆盖：输出中没有静态搜索索引（search-index.json），请人工抽查搜索结果", severity="info",
                       url="/search-index.json")
        return
    by_url = {_index_url(e, hosts): e for e in entries}
    missing = [(u, t) for u, t in sorted(articles.items()) if u not in by_url]
    for url, title in missing[:REPORT_CAP]:
        ctx.report(f"文章「{title}」不在搜索索引中，站内搜索搜不到", url=url, selector='meta[name="ArticleTitle"]')
    if len(missing) > REPORT_CAP:
        ctx.report(f"另有 {len(missing) - REPORT_CAP} 篇文章不在搜索索引中（索引覆盖 {len(articles) - len(missing)}/{len(articles)} 篇）",
                   url="/search-index.json")
    for u, raw_title in sorted(articles.items()):
        entry = by_url.get(u)
        title = norm_ws(raw_title)
        if entry is not None and norm_ws(str(entry.get("t", ""))) != title:
            ctx.report(f"搜索索引中的标题「{entry.get('t')}」与文章标题「{title}」不一致，按标题搜索会失败", url=u,
                       severity="warning", selector='meta[name="ArticleTitle"]')
    search_page = site.by_path.get("search.html")
    if search_page is not None:
        sort = search_page.tree.css_first("select[name=sort], [data-sort]")
        if sort is None and "按时间" not in search_page.visible_text:
            ctx.report("站内搜索结果不能按时间排序", url=search_page.url, severity="warning",
                       fix="在搜索页提供「按相关度 / 按时间」排序选项")


@rule("OPEN-004", title="政策文件可在政府信息公开平台检索、下载", stage="page", clause=OPEN_CLAUSE, confidence="P",
      fix="确保每份政策文件都进入站内搜索索引，附件链接有效（见 URL-003）",
      why="条例要求政府信息公开平台具备检索、查阅、下载功能。")
def policy_page(page: Page, ctx: RuleContext) -> None:
    """Pages carrying the policy metadata table (audit mode: pages not built by govsite)."""
    if page.tree.css_first("table.policy-meta") is not None:
        ctx.collect(page.path, page.meta_one("ArticleTitle"))


@finish("OPEN-004", stage="page")
def policy_searchable(collected: dict[str, Any], ctx: RuleContext) -> None:
    from .safety import output_site

    site = output_site(ctx.run)
    model = ctx.run.data.get("site")
    urls: set[str] = set()
    if model is not None:
        urls = {"/" + d.content.url for d in model.docs if d.doc_type == "policy" and d.content is not None}
    urls |= {"/" + path for path in collected}
    urls = {u for u in urls if u.lstrip("/") in site.file_set}
    if not urls:
        return
    entries = load_search_index(site)
    if entries is None:
        if not ctx.run.data.get("audit"):
            ctx.report("没有站内搜索索引，政策文件无法检索", url="/search-index.json")
        return
    hosts = own_hosts(ctx.settings)
    indexed = {_index_url(e, hosts) for e in entries}
    for u in sorted(urls - indexed):
        path = u.lstrip("/")
        if path in collected:
            title = collected[path]
        else:
            page = site.by_path.get(path)
            title = page.meta_one("ArticleTitle") if page is not None else u
        ctx.report(f"政策文件「{title}」不在站内搜索索引中，公众无法检索", url=u)


# ---- LAYOUT-006 ------------------------------------------------------------------------------

def _canonical(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("/index.html") else path


@rule("LAYOUT-006", title="网站地图页列出全部栏目，sitemap.xml 覆盖全部栏目和文章", stage="page", whole_output=True,
      severity="warning", clause=SITEMAP_CLAUSE, confidence="S/M",
      fix="网站地图模板（theme/templates/sitemap.html）应逐级列出 content/columns.yaml 中的全部栏目；页面底部链接到 /sitemap.html",
      why="网站地图帮助公众在三次点击内找到任一栏目，也是 LAYOUT-004 允许的中转页。")
def sitemap(page: Page, ctx: RuleContext) -> None:
    entries: list[tuple[str, str, dict[str, Any]]] = []
    if page.path != "sitemap.html" and not page.is_redirect:
        footer = page.footer
        if footer is None:
            entries.append(("nofooter", "页面没有底部功能区，因此没有「网站地图」链接", {"url": page.url, "selector": "body"}))
        else:
            hosts = own_hosts(ctx.settings)
            files = output_files(ctx)
            memo = ctx.run.data.setdefault("_sitemap_link_memo", {})  # footers repeat: resolve each address once
            linked = any(target_file(_resolve_memo(memo, page.url, (a.attrs.get("href") or "").strip(), hosts).path,
                                     files) == "sitemap.html" for a in footer.css("a[href]"))
            if not linked:
                entries.append(("nolink", "页面底部没有链接到网站地图 /sitemap.html",
                                {"url": page.url, "selector": css_path(footer)}))
    listed = page.page_type in ("column", "article") and not PAGINATION_RE.search(page.path)
    if entries or listed:
        ctx.collect(page.path, (entries, page.page_type if listed else None))


@finish("LAYOUT-006", stage="page")
def sitemap_pages(collected: dict[str, Any], ctx: RuleContext) -> None:
    from .safety import grouped, output_site

    site = output_site(ctx.run)
    hosts = own_hosts(ctx.settings)
    files = site.file_set
    smap = site.by_path.get("sitemap.html")
    if smap is None:
        ctx.report("缺少网站地图页面 /sitemap.html", url="/sitemap.html")
    grouped(ctx, collected, entries_of=lambda value: value[0]).flush()
    columns = ctx.run.data.get("columns")
    if smap is not None and columns is not None:
        # Only the map itself counts, not the navigation bar and footer around it.
        area = smap.main or smap.tree.body
        hrefs = [(a.attrs.get("href") or "").strip() for a in area.css("a[href]")] if area is not None else []
        raw = {h.rstrip("/") for h in hrefs}
        refs = [resolve(smap.url, h, hosts) for h in hrefs]
        targets = {target_file(ref.path, files) for ref in refs if ref.kind == "internal"}
        for col in columns.columns:
            if col.link:
                if col.link.rstrip("/") not in raw:
                    ctx.report(f"网站地图没有列出栏目「{col.name}」（链接 {col.link}）", url=smap.url, field=col.name)
            elif target_file(col.url, files) not in targets:
                ctx.report(f"网站地图没有列出栏目「{col.name}」（{col.url}）", url=smap.url, field=col.name)
    wanted = [("/" + path, kind) for path, (_entries, kind) in collected.items() if kind is not None]
    _sitemap_xml(site, ctx, hosts, wanted)


def _sitemap_xml(site: OutputSite, ctx: RuleContext, hosts: frozenset[str], wanted: list[tuple[str, str]]) -> int:
    if "sitemap.xml" not in site.file_set:
        ctx.report("缺少 XML 网站地图 /sitemap.xml", url="/sitemap.xml", fix="由 govsite_content 插件生成 sitemap.xml")
        return 1
    text = (site.root / "sitemap.xml").read_text(encoding="utf-8", errors="replace")
    listed: set[str] = set()
    for loc in LOC_RE.findall(text):
        ref = resolve("/", html.unescape(loc), hosts)
        if ref.kind == "internal":
            listed.add(_canonical(ref.path))
        elif hosts:
            ctx.report(f"sitemap.xml 中的地址「{loc}」不在本站域名下", url="/sitemap.xml", severity="warning")
    missing = [(url, kind) for url, kind in wanted if _canonical(url) not in listed]
    for url, kind in missing[:REPORT_CAP]:
        what = "栏目页" if kind == "column" else "文章页"
        ctx.report(f"sitemap.xml 没有收录{what} {url}", url="/sitemap.xml", field=url)
    if len(missing) > REPORT_CAP:
        ctx.report(f"sitemap.xml 另有 {len(missing) - REPORT_CAP} 个栏目页或文章页没有收录", url="/sitemap.xml")
    return len(wanted)

