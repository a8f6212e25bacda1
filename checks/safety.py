"""Content safety: harmful keywords (INTEG-003), 密级 marks (INTEG-002), 提法 typos (INTEG-001), external
resources (EXT-001), external links and ads (ADS-001), rel on external links (EXT-002), and the hidden-link /
injected-script scanner used by INTEG-004 (checks/integrity.py).

Keyword lists are data (data/lexicon/*): pyahocorasick matches every list in one pass over the text.
Sources are screened at the content stage (file:line); every rendered page at the page stage (URL +
CSS selector), so hijacked templates and injected markup are caught as well as editors' text.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import ahocorasick

from govsite import manifest
from govsite.htmlpage import OutputSite, Page, css_path, norm_ws
from govsite.registry import check, finish, rule
from govsite.run import BuildRun, RuleContext
from govsite.source import SourceDoc

from .links import (
    Grouped,
    Ref,
    css_urls,
    element_refs,
    own_hosts,
    resolve,
)

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicon"
VETO = "国办秘函〔2019〕19号 单项否决指标"
ADS_CLAUSE = "《海南省政府网站管理办法》「不得链接商业网站，不得刊登商业广告」；云南省政府办公厅2017年通知（种子文件000、004）"
EXT_CLAUSE = "云南省政府办公厅2017年通知「政府网站服务器不得放在境外」（种子文件000）；网络安全等级保护"
CONTEXT_WINDOW = 15
QUOTES_RE = re.compile("[“”\"「」『』‘’'《》]")


# ---- lexicon -------------------------------------------------------------------------------

def norm(text: str) -> str:
    """What every keyword list is matched against: lower case (fullwidth letters fold too: Ｂ → ｂ).

    Full NFKC would fold 全角 ASCII as well, but it also rewrites every Chinese punctuation mark and costs
    more than all the matching; the lexicon instead adds the fullwidth form of each ASCII term (:func:`variants`).
    """
    return (text or "").lower()


FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def variants(term: str) -> set[str]:
    """A term as written in the lexicon, lower-cased, plus its 全角 form when it has ASCII characters."""
    low = unicodedata.normalize("NFKC", term).lower()
    out = {low}
    if any(c in FULLWIDTH for c in low):
        out.add("".join(FULLWIDTH.get(c, c) for c in low))
    return out


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(line.rstrip("\n"))
    return out


def _automaton(entries: Iterable[tuple[str, Any]]) -> ahocorasick.Automaton | None:
    auto = ahocorasick.Automaton()
    for key, payload in entries:
        if key:
            auto.add_word(key, (key, payload))
    if len(auto) == 0:
        return None
    auto.make_automaton()
    return auto


@dataclass
class Lexicon:
    harmful: ahocorasick.Automaton | None
    context: tuple[str, ...]
    misspellings: ahocorasick.Automaton | None
    allow: tuple[str, ...]
    link_allow: tuple[str, ...]
    deny: tuple[tuple[str, str], ...]
    ad_words: re.Pattern[str] | None
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)


LEXICON_FILES = ("harmful.txt", "harmful_context.txt", "misspellings.tsv", "external_allowlist.txt", "link_allowlist.txt",
                 "external_denylist.txt", "ad_words.txt")
RECHECK_SECONDS = 2.0  # edited lexicon files are picked up (watch mode), checked at most this often
_CACHE: dict[str, tuple[tuple[int, ...], float, Lexicon]] = {}


def lexicon_dir(settings: Any) -> Path:
    value = settings.get("GOVSITE_LEXICON_DIR") if settings else None
    return Path(value) if value else LEXICON_DIR


def lexicon(settings: Any) -> Lexicon:
    directory = lexicon_dir(settings)
    cached = _CACHE.get(str(directory))
    now = time.monotonic()
    if cached is not None and now - cached[1] < RECHECK_SECONDS:
        return cached[2]
    stamp = tuple((directory / n).stat().st_mtime_ns if (directory / n).exists() else 0 for n in LEXICON_FILES)
    lex = cached[2] if cached is not None and cached[0] == stamp else _load_lexicon(directory)
    _CACHE[str(directory)] = (stamp, now, lex)
    return lex


def _load_lexicon(directory: Path) -> Lexicon:
    harmful = []
    category = "有害信息"
    for raw in (directory / "harmful.txt").read_text(encoding="utf-8").splitlines() if (directory / "harmful.txt").is_file() else []:
        line = raw.strip()
        m = re.match(r"^#\s*类别\s*[:：]\s*(.+)$", line)
        if m:
            category = m.group(1).strip()
        elif line.startswith("!") and len(line) > 1:
            harmful.extend((v, None) for v in variants(line[1:]))  # exclusion: an innocent longer word
        elif line and not line.startswith("#"):
            harmful.extend((v, (line, category)) for v in variants(line))
    miss = []
    for line in _lines(directory / "misspellings.tsv"):
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0].strip():
            wrong = cols[0].strip()
            payload = (wrong, cols[1].strip(), cols[2].strip() if len(cols) > 2 else "")
            miss.extend((QUOTES_RE.sub("", v), payload) for v in variants(wrong))
    deny = []
    for line in _lines(directory / "external_denylist.txt"):
        sev, _, frag = line.partition("\t")
        if frag.strip():
            deny.append((sev.strip() if sev.strip() in ("error", "warning") else "error", frag.strip().lower()))
    ads = [w.strip() for w in _lines(directory / "ad_words.txt")]
    return Lexicon(
        harmful=_automaton(harmful),
        context=tuple(w.strip().lower() for w in _lines(directory / "harmful_context.txt")),
        misspellings=_automaton(miss),
        allow=tuple(w.strip().lower() for w in _lines(directory / "external_allowlist.txt")),
        link_allow=tuple(w.strip().lower() for w in _lines(directory / "link_allowlist.txt")),
        deny=tuple(deny),
        ad_words=re.compile("|".join(f"(?:{w})" for w in ads)) if ads else None,
    )


def find_terms(auto: ahocorasick.Automaton | None, text: str) -> list[tuple[int, int, Any]]:
    """Non-overlapping matches ``(start, end, payload)``, the longest match winning.

    Entries with payload None are exclusions (「特色情况」 is not 「色情」): they win over the shorter term
    they contain and are then dropped.
    """
    if auto is None or not text:
        return []
    hits = [(end - len(key) + 1, end + 1, payload) for end, (key, payload) in auto.iter(text)]
    if len(hits) < 2:
        return [h for h in hits if h[2] is not None]
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int, Any]] = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    return sorted((t for t in taken if t[2] is not None), key=lambda h: h[0])


def _host_matches(host: str, pattern: str) -> bool:
    p = pattern.strip().lower()
    if p.startswith("*."):
        p = p[2:]
    return bool(p) and (host == p or host.endswith("." + p))


def _settings_allow(settings: Any) -> tuple[str, ...]:
    value = settings.get("GOVSITE_EXTERNAL_ALLOWLIST") if settings else None
    if isinstance(value, dict):
        return tuple(str(k).lower() for k in value)
    return tuple(str(v).lower() for v in (value or ()))


def host_allowed(host: str, settings: Any, *, links: bool) -> bool:
    """Resource hosts (links=False): government allowlist. Anchor targets (links=True): plus state media."""
    lex = lexicon(settings)
    extra = _settings_allow(settings)
    key = ("allow", host, links, extra)
    if key not in lex.memo:
        patterns = lex.allow + (lex.link_allow if links else ()) + extra
        lex.memo[key] = any(_host_matches(host, p) for p in patterns)
    return lex.memo[key]


def host_denied(host: str, settings: Any) -> str | None:
    for severity, frag in lexicon(settings).deny:
        if frag in host:
            return severity
    return None


# ---- where text lives --------------------------------------------------------------------------

@dataclass
class SourceText:
    text: str  # normalized
    newlines: list[int]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1


def source_text(doc: SourceDoc, run: BuildRun) -> SourceText | None:
    cache = run.data.setdefault("_safety_sources", {})
    if doc.rel not in cache:
        try:
            raw = doc.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            cache[doc.rel] = None
            return None
        text = norm(raw.replace("\r\n", "\n").replace("\r", "\n"))
        cache[doc.rel] = SourceText(text, [i for i, ch in enumerate(text) if ch == "\n"])
    return cache[doc.rel]


@dataclass(frozen=True)
class Segment:
    where: str  # 标题 / 网页标签 / 正文 / 链接与属性
    selector: str
    text: str  # normalized


def page_segments(page: Page, index: Any = None) -> list[Segment]:
    """Where INTEG-001/002/003 look on a rendered page: title, meta tags, body text, link targets and alt/title.

    ``index`` (a links.LinkIndex) is optional: without it the link targets are read from the page itself.
    """
    refs = index.refs_of(page) if index is not None else refs_of_page(page, frozenset(), {})
    return _segments(page, [ref.raw for tag, _n, _a, ref in refs if tag == "a" or tag == "area"])


def _segments(page: Page, hrefs: list[str]) -> list[Segment]:
    segs = []
    title = page.tree.css_first("title")
    if title is not None:
        segs.append(Segment("标题", "title", norm(title.text())))
    metas = [v for values in page.meta.values() for v in values if v]
    if metas:
        segs.append(Segment("网页标签", "head", norm("\n".join(metas))))
    segs.append(Segment("正文", "body", norm(page.visible_text)))
    attrs = list(hrefs)
    body = page.tree.body
    if body is not None:
        for node in body.css("img[alt], [title]"):
            a = node.attrs
            for key in ("alt", "title"):
                if a.get(key):
                    attrs.append(a[key])
    if attrs:
        segs.append(Segment("链接与属性", "body", norm("\n".join(attrs))))
    return segs


# ---- what the per-page checks here derive from the page being checked -------------------------

def refs_of_page(page: Page, hosts: frozenset[str], memo: dict[tuple[str, str], Ref]) -> list[tuple[str, Any, str, Ref]]:
    """``(tag, node, attribute, ref)`` for every reference of the page, as in checks/links.py ``page_refs`` (same
    elements, attributes and order), but with the page's own nodes and without ``<form action>`` and
    ``<meta http-equiv=refresh>``, which no rule here reads."""
    return [(tag, node, attr, ref) for _i, node, tag, attr, ref in element_refs(page, hosts, memo)
            if tag != "meta" and tag != "form"]


def run_hosts(run: BuildRun) -> frozenset[str]:
    """The site's own host names (links.own_hosts), once per run."""
    cached = run.data.get("_safety_hosts")
    if cached is None:
        cached = run.data["_safety_hosts"] = own_hosts(run.settings)
    return cached


class PageFacts:
    """The references, text segments and lower-cased HTML of the page being checked, computed once for all the
    per-page checks here (INTEG-001…004, EXT-001/002, ADS-001). The page stage runs every per-page check on one
    page before going on to the next (item-major), so one slot is enough. It holds the page and the run, so
    another page or another build never sees these facts."""

    __slots__ = ("_low", "_refs", "_segments", "page", "run")

    def __init__(self, page: Page, run: BuildRun):
        self.page = page
        self.run = run
        self._refs: list[tuple[str, Any, str, Ref]] | None = None
        self._segments: list[Segment] | None = None
        self._low: str | None = None

    @property
    def refs(self) -> list[tuple[str, Any, str, Ref]]:
        if self._refs is None:
            memo = self.run.data.setdefault("_safety_ref_memo", {})
            self._refs = refs_of_page(self.page, run_hosts(self.run), memo)
        return self._refs

    @property
    def segments(self) -> list[Segment]:
        if self._segments is None:
            self._segments = _segments(self.page, [ref.raw for tag, _n, _a, ref in self.refs
                                                   if tag == "a" or tag == "area"])
        return self._segments

    @property
    def low(self) -> str:
        """The raw HTML in lower case, for cheap substring tests before any tree walk."""
        if self._low is None:
            self._low = self.page.text.lower()
        return self._low


_FACTS: list[PageFacts] = []


def page_facts(page: Page, run: BuildRun) -> PageFacts:
    """The :class:`PageFacts` of the page being checked (for per-item calls only, never for a ``finish``)."""
    facts = _FACTS[0] if _FACTS else None
    if facts is None or facts.page is not page or facts.run is not run:
        facts = PageFacts(page, run)
        _FACTS[:] = [facts]
    return facts


def output_site(run: BuildRun) -> OutputSite:
    """The page stage's OutputSite, for the whole-site files a ``finish`` reads (build and audit mode set it)."""
    site = run.data.get("output_site")
    if isinstance(site, OutputSite):
        return site
    cached = run.data.get("_safety_output_site")  # "_": a per-process cache, never sent between processes
    if cached is None:
        out = run.data.get("output_dir")
        if out is None or not Path(out).is_dir():
            raise RuntimeError("页面阶段没有提供输出目录（run.data['output_site']），无法检查全站文件")
        cached = run.data["_safety_output_site"] = OutputSite.load(Path(out))
    return cached


Entry = tuple[str, str, dict[str, Any]]  # what a per-page check collects for links.Grouped: (key, message, where)


def _count(ctx: RuleContext, items: int) -> None:
    """Add ``items`` to what the stage counted for this check (one per page): links, attachments, CSS files."""
    if items and ctx.check is not None:
        ctx.run.mark_ran(ctx.check, items)


def grouped(ctx: RuleContext, collected: dict[str, Any], cap: int | None = None,
            entries_of: Callable[[Any], Iterable[Entry]] = lambda value: value) -> Grouped:
    """A links.Grouped fed with every page's collected entries in page order (as the whole-site walk fed it).

    Every ``finish`` here starts with it, after the last page: the last page's facts are dropped too."""
    _FACTS.clear()
    out = Grouped(ctx) if cap is None else Grouped(ctx, cap=cap)
    for value in collected.values():  # finish gets them in page order
        for key, message, where in entries_of(value):
            out.add(key, message, **where)
    return out


def locate(page: Page, needle: str, seg: Segment) -> str:
    """The deepest element whose text contains ``needle`` (only computed for hits)."""
    if seg.where == "链接与属性":
        body = page.tree.body
        for node in body.css("a[href], area[href], img[alt], [title]") if body is not None else []:
            a = node.attrs
            if any(needle in norm(a.get(k) or "") for k in ("href", "alt", "title")):
                return css_path(node)
        return "body"
    if seg.where == "网页标签":
        for name, values in page.meta.items():
            if any(needle in norm(v) for v in values):
                return f'meta[name="{name}"]'
        return "head"
    if seg.where != "正文":
        return seg.selector
    node = page.tree.body
    if node is None:
        return "body"
    for _ in range(200):
        child = node.child
        nxt = None
        while child is not None:
            if child.tag not in ("-text", "-comment") and needle in norm(child.text(separator=" ")):
                nxt = child
                break
            child = child.next
        if nxt is None:
            break
        node = nxt
    return css_path(node)


def _context(text: str, start: int, end: int, words: tuple[str, ...]) -> str | None:
    window = text[max(0, start - CONTEXT_WINDOW): end + CONTEXT_WINDOW]
    return next((w for w in words if w in window), None)


def _snippet(text: str, start: int, end: int, pad: int = 12) -> str:
    return norm_ws(text[max(0, start - pad): end + pad].replace("\n", " "))


def _source_suppressed(run: BuildRun, rule_id: str) -> set[str]:
    return run.data.setdefault("_safety_source_terms", {}).setdefault(rule_id, set())


# ---- INTEG-003 ---------------------------------------------------------------------------------

HARM_FIX = "删除该内容。若不是编辑所写（如页面被篡改、账号被盗），立即下线相关页面、排查服务器和内容管理系统并报告网信、公安部门"


def _harmful_hits(text: str, lex: Lexicon) -> list[tuple[int, int, str, str, str | None]]:
    out = []
    for s, e, (term, category) in find_terms(lex.harmful, text):
        out.append((s, e, term, category, _context(text, s, e, lex.context)))
    return out


@rule("INTEG-003", title="不得发布或链接赌博、色情、暴力等有害信息", stage="content", clause=VETO + "「发布或链接反动、暴力、色情等内容」",
      confidence="P", fix=HARM_FIX,
      why="被植入博彩、色情内容（如「365bet」暗链）的政府网站属于单项否决；被劫持的政府网页是常见安全事件。",
      example_bad="title: 365bet真人娱乐官网", example_good="title: 示例县召开安全生产工作会议")
def harmful_in_source(doc: SourceDoc, ctx: RuleContext) -> None:
    src = source_text(doc, ctx.run)
    if src is None:
        return
    lex = lexicon(ctx.settings)
    seen = _source_suppressed(ctx.run, ctx.rule.id)
    for s, e, term, category, context in _harmful_hits(src.text, lex):
        if not context:
            seen.add(norm(term))  # a blocking hit: the rendered pages need not repeat it (the build fails anyway)
        if context:
            ctx.report(f"「{term}」（{category}）出现在「{context}」等执法或宣传语境中：…{_snippet(src.text, s, e)}…，请人工确认",
                       file=doc.path, line=src.line(s), severity="info", fix="确认属于正常报道后可忽略本提示")
        else:
            ctx.report(f"发现有害信息关键词「{term}」（{category}）：…{_snippet(src.text, s, e)}…", file=doc.path,
                       line=src.line(s))


@check("INTEG-003", stage="page")
def harmful_in_pages(page: Page, ctx: RuleContext) -> None:
    suppressed = _source_suppressed(ctx.run, ctx.rule.id)
    lex = lexicon(ctx.settings)
    entries: list[Entry] = []
    done: set[str] = set()
    for seg in page_facts(page, ctx.run).segments:
        for s, e, term, category, context in _harmful_hits(seg.text, lex):
            key = norm(term)
            if key in suppressed or key in done:
                continue  # already reported in the Markdown source with file:line, or on this page
            done.add(key)
            where = {"url": page.url, "selector": locate(page, key, seg)}
            if context:
                entries.append((f"ctx:{key}", f"{seg.where}中的「{term}」（{category}）出现在「{context}」等执法或宣传语境中，请人工确认",
                                {"severity": "info", "fix": "确认属于正常报道后可忽略本提示", **where}))
            else:
                entries.append((key, f"{seg.where}中发现有害信息关键词「{term}」（{category}）：…{_snippet(seg.text, s, e)}…",
                                where))
    if entries:
        ctx.collect(page.path, entries)


@finish("INTEG-003", stage="page")
def harmful_in_pages_summary(collected: dict[str, list[Entry]], ctx: RuleContext) -> None:
    """The same keyword on many pages: a few findings, then one summary (links.Grouped, in page order)."""
    grouped(ctx, collected).flush()


# ---- INTEG-002 ---------------------------------------------------------------------------------

SECRET_RE = re.compile(
    r"(?:绝密|机密|秘密)\s*[★☆*＊]\s*(?:\d+\s*(?:年|个月|月))?"
    r"|密\s*级\s*[:：]\s*(?:绝密|机密|秘密)"
    r"|内部资料(?!性出版物)|内部使用|不得外传"
)
SECRET_FIX = "立即撤下该内容并按保密规定报告；涉密文件和内部资料不得在政府网站发布。发布前须经保密审查"
SECRET_ATTACH = frozenset({".docx", ".xlsx", ".xlsm", ".pdf", ".csv", ".txt"})
SECRET_ATTACH_MAX = 20 * 1024 * 1024


@rule("INTEG-002", title="不得泄露国家秘密（密级标志、内部资料）", stage="content", clause=VETO + "「泄露国家秘密」", confidence="P",
      fix=SECRET_FIX, why="带有「秘密★」等密级标志或「内部资料」字样的文件一旦上网即构成泄密，属于单项否决。",
      example_bad="秘密★1年", example_good="（公开发布的文件不带密级标志）")
def secret_in_source(doc: SourceDoc, ctx: RuleContext) -> None:
    src = source_text(doc, ctx.run)
    if src is None:
        return
    seen = _source_suppressed(ctx.run, ctx.rule.id)
    for m in SECRET_RE.finditer(src.text):
        seen.add(norm_ws(m.group(0)))
        ctx.report(f"发现密级或内部资料标志「{norm_ws(m.group(0))}」：…{_snippet(src.text, m.start(), m.end())}…",
                   file=doc.path, line=src.line(m.start()))


def attachment_text(path: Path) -> str:
    """Plain text of an attachment (best effort; unreadable files are the privacy rules' business)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".csv"):
            data = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    continue
            return data.decode("utf-8", errors="replace")
        if suffix == ".docx":
            import docx

            d = docx.Document(str(path))
            parts = [p.text for p in d.paragraphs]
            for section in d.sections:
                for part in (section.header, section.first_page_header, section.footer):
                    parts.extend(p.text for p in part.paragraphs)
            for table in d.tables:
                for row in table.rows:
                    parts.extend(c.text for c in row.cells)
            return "\n".join(parts)
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
            try:
                buf = io.StringIO()
                writer = csv.writer(buf)
                for ws in wb.worksheets:
                    for row in ws.iter_rows(values_only=True):
                        writer.writerow(["" if v is None else v for v in row])
                return buf.getvalue()
            finally:
                wb.close()
        if suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            return "\n".join((p.extract_text() or "") for p in reader.pages[:50])
    except Exception:  # corrupt or encrypted attachments: the privacy rules report them
        return ""
    return ""


class _AttachmentCache:
    """Attachment scan results by SHA-256 (.govsite-cache/integ002-attachments.json): parse each file once."""

    NAME = "integ002-attachments.json"

    def __init__(self, run: BuildRun):
        self.path = None if run.data.get("audit") else run.root / ".govsite-cache" / self.NAME
        self.data: dict[str, list[str]] = {}
        self.dirty = False
        if self.path is not None and self.path.is_file():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                self.data = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.data = {}

    def get(self, path: Path) -> list[str] | None:
        self._key = manifest.file_sha256(path)
        return self.data.get(self._key)

    def put(self, path: Path, hit: list[str]) -> None:
        self.data[self._key] = hit
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


@check("INTEG-002", stage="page")
def secret_in_pages(page: Page, ctx: RuleContext) -> None:
    suppressed = _source_suppressed(ctx.run, ctx.rule.id)
    entries: list[Entry] = []
    for seg in page_facts(page, ctx.run).segments:
        for m in SECRET_RE.finditer(seg.text):
            mark = norm_ws(m.group(0))
            if mark in suppressed:
                continue
            entries.append((mark, f"{seg.where}中发现密级或内部资料标志「{mark}」：…{_snippet(seg.text, m.start(), m.end())}…",
                            {"url": page.url, "selector": locate(page, seg.text[m.start():m.end()], seg)}))
    if entries:
        ctx.collect(page.path, entries)


@finish("INTEG-002", stage="page")
def secret_in_attachments(collected: dict[str, list[Entry]], ctx: RuleContext) -> None:
    """The attachments of the whole output (counted on top of the pages), then the pages' marks, grouped."""
    out = grouped(ctx, collected)
    site = output_site(ctx.run)
    checked = 0
    cache = _AttachmentCache(ctx.run)
    for rel in site.files:
        path = site.root / rel
        if path.suffix.lower() not in SECRET_ATTACH:
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size == 0 or size > SECRET_ATTACH_MAX:
            continue
        checked += 1
        hit = cache.get(path)
        if hit is None:
            text = norm(attachment_text(path))
            m = SECRET_RE.search(text)
            hit = [norm_ws(m.group(0)), _snippet(text, m.start(), m.end())] if m else []
            cache.put(path, hit)
        if hit:
            ctx.report(f"附件中发现密级或内部资料标志「{hit[0]}」：…{hit[1]}…", url="/" + rel, selector="附件")
    cache.save()
    out.flush()
    _count(ctx, checked)  # coverage: every page (counted by the stage) plus every attachment


# ---- INTEG-001 ---------------------------------------------------------------------------------

def _typo_hits(text: str, lex: Lexicon) -> list[tuple[int, int, tuple[str, str, str]]]:
    if lex.misspellings is None:
        return []
    return find_terms(lex.misspellings, QUOTES_RE.sub("", text) if QUOTES_RE.search(text) else text)


@rule("INTEG-001", title="不得出现严重表述错误（提法、机构名称错别字）", stage="content", clause=VETO + "「出现严重表述错误」",
      confidence="P", fix="按正确写法修改，并请审核人员复核全文",
      why="把重要提法、党和国家机构名称写错属于严重表述错误，单项否决。本规则只对已知错误写法精确匹配。",
      example_bad="两学一作", example_good="两学一做")
def typos_in_source(doc: SourceDoc, ctx: RuleContext) -> None:
    src = source_text(doc, ctx.run)
    if src is None:
        return
    seen = _source_suppressed(ctx.run, ctx.rule.id)
    lines = src.text.split("\n")
    for lineno, line in enumerate(lines, 1):
        for _s, _e, (wrong, right, note) in _typo_hits(line, lexicon(ctx.settings)):
            seen.add(wrong)
            ctx.report(f"严重表述错误：「{wrong}」应为「{right}」" + (f"（{note}）" if note else ""), file=doc.path, line=lineno,
                       fix=f"把「{wrong}」改为「{right}」")


@check("INTEG-001", stage="page")
def typos_in_pages(page: Page, ctx: RuleContext) -> None:
    suppressed = _source_suppressed(ctx.run, ctx.rule.id)
    lex = lexicon(ctx.settings)
    entries: list[Entry] = []
    for seg in page_facts(page, ctx.run).segments:
        for _s, _e, (wrong, right, _note) in _typo_hits(seg.text, lex):
            if wrong in suppressed:
                continue
            entries.append((wrong, f"{seg.where}中有严重表述错误：「{wrong}」应为「{right}」",
                            {"url": page.url, "selector": locate(page, norm(wrong), seg), "fix": f"把「{wrong}」改为「{right}」"}))
    if entries:
        ctx.collect(page.path, entries)


@finish("INTEG-001", stage="page")
def typos_in_pages_summary(collected: dict[str, list[Entry]], ctx: RuleContext) -> None:
    grouped(ctx, collected).flush()


# ---- EXT-001 -----------------------------------------------------------------------------------

HYPERLINK_RELS = frozenset("alternate canonical next prev author license help search bookmark external nofollow "
                           "noopener noreferrer me tag".split())


def _resource_refs(refs: Iterable[tuple[str, Any, str, Any]]) -> Iterable[tuple[Any, Any]]:
    for tag, node, _attr, ref in refs:
        if ref.kind != "external" or tag in ("a", "area", "form", "meta"):
            continue
        if tag == "link":
            rels = set((node.attrs.get("rel") or "").lower().split())
            if rels and rels <= HYPERLINK_RELS:
                continue
        yield node, ref


def _style_urls(page: Page, low: str) -> Iterable[tuple[Any, str]]:
    if "style=" in low or "style =" in low:
        for node in page.tree.css("[style]"):
            for u in css_urls(node.attrs.get("style") or ""):
                yield node, u
    if "<style" in low:
        for node in page.tree.css("style"):
            for u in css_urls(node.text()):
                yield node, u


def lowered(page: Page, run: BuildRun) -> str:
    """The page's raw HTML in lower case, for cheap substring tests before any tree walk (computed once per page
    for all the checks here, and dropped with the page)."""
    return page_facts(page, run).low


def _judge_resource(ref: Any, base: str, node: Any, settings: Any) -> Entry | None:
    """EXT-001's verdict on one external resource: None when allowed, else what to add to links.Grouped."""
    denied = host_denied(ref.host, settings)
    if not denied and host_allowed(ref.host, settings, links=False):
        return None
    raw = ref.raw
    where: dict[str, Any] = {"url": base, "selector": css_path(node) if node is not None else "url()"}
    if denied == "warning":
        return (raw, f"引用了国内商业统计或 CDN 资源「{raw}」（访客数据会传给商业机构）",
                {"severity": "warning", "fix": "改用政府网站集约化平台或自建的统计服务", **where})
    why = "境外（明确禁止的）" if denied else "不在白名单中的外部"
    return raw, f"引用了{why}资源「{raw}」", where


@rule("EXT-001", title="不得加载境外或未经许可的外部资源（脚本、字体、CDN、统计）", stage="page", clause=EXT_CLAUSE,
      confidence="M", fix="把脚本、样式、字体和图片放到本站（theme/static）自行托管；必须使用的政府平台资源写入 data/lexicon/external_allowlist.txt",
      why="境外 CDN、字体和统计服务在境内可能无法访问，并把访客数据传给境外或商业机构。",
      example_bad='<link href="https://fonts.googleapis.com/css?family=Noto+Sans">',
      example_good='<link href="/theme/css/main.css">')
def external_resources(page: Page, ctx: RuleContext) -> None:
    facts = page_facts(page, ctx.run)
    entries: list[Entry] = []
    checked = 0
    url = page.url
    for node, ref in _resource_refs(facts.refs):
        checked += 1
        entry = _judge_resource(ref, url, node, ctx.settings)
        if entry is not None:
            entries.append(entry)
    text = page.text
    if "style" in text or "STYLE" in text or "Style" in text:
        hosts = run_hosts(ctx.run)
        for node, raw in _style_urls(page, facts.low):
            ref = resolve(url, raw, hosts)
            if ref.kind != "external":
                continue
            checked += 1
            entry = _judge_resource(ref, url, node, ctx.settings)
            if entry is not None:
                entries.append(entry)
    if entries or checked:
        ctx.collect(page.path, (entries, checked))


@finish("EXT-001", stage="page")
def external_resources_summary(collected: dict[str, tuple[list[Entry], int]], ctx: RuleContext) -> None:
    """The pages' resources grouped across pages (the same CDN on every page: a few findings and a summary), plus
    the url()s of the output's style sheets."""
    out = grouped(ctx, collected, cap=3, entries_of=lambda value: value[0])
    checked = sum(n for _entries, n in collected.values())
    site = output_site(ctx.run)
    hosts = run_hosts(ctx.run)
    for rel in site.files:
        if rel.endswith(".css"):
            try:
                text = (site.root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for raw in css_urls(text):
                ref = resolve("/" + rel, raw, hosts)
                if ref.kind != "external":
                    continue
                checked += 1
                entry = _judge_resource(ref, "/" + rel, None, ctx.settings)
                if entry is not None:
                    out.add(entry[0], entry[1], **entry[2])
    out.flush()
    _count(ctx, checked)  # coverage: every page (counted by the stage) plus every external resource


# ---- ADS-001 / EXT-002 -------------------------------------------------------------------------

AD_AREAS = ("nav, aside, header, [role=banner], [role=complementary], [role=navigation], .banner, [class*=banner], "
            "[id*=banner], .ad, .ads, [class*=advert], [id*=advert]")
FALSY = {"", "false", "no", "0", "否", "none"}


def doc_for_page(run: BuildRun, page: Page) -> SourceDoc | None:
    mapping = run.data.get("_safety_docs")
    if mapping is None:
        model = run.data.get("site")
        mapping = {}
        for doc in getattr(model, "docs", []) or []:
            if doc.content is not None and getattr(doc.content, "url", None):
                mapping[str(doc.content.url).lstrip("/")] = doc
        run.data["_safety_docs"] = mapping
    return mapping.get(page.path)


@rule("ADS-001", title="不得刊登商业广告、不得链接商业网站", stage="page", clause=ADS_CLAUSE, confidence="S/M",
      fix="删除该链接；确需链接非政府网站的，在文章元数据中写明 external_ok: <审核理由>，或经审核后加入 data/lexicon/link_allowlist.txt",
      why="政府网站不得从事商业活动、刊登商业广告或链接商业广告页面。",
      example_bad="[优惠购房](https://www.example-realestate.com/)", example_good="[中国政府网](https://www.gov.cn/)")
def external_links(page: Page, ctx: RuleContext) -> None:
    lex = lexicon(ctx.settings)
    entries: list[Entry] = []
    checked = 0
    doc = doc_for_page(ctx.run, page)
    approved = doc is not None and doc.get("external_ok").strip().lower() not in FALSY
    for tag, node, _attr, ref in page_facts(page, ctx.run).refs:
        if ref.kind != "external" or (tag != "a" and tag != "area"):
            continue
        checked += 1
        if approved or host_allowed(ref.host, ctx.settings, links=True):
            continue
        where: dict[str, Any] = {"url": page.url, "selector": css_path(node)}
        if doc is not None:  # a link the editor wrote: point at the source line too
            src = source_text(doc, ctx.run)
            pos = src.text.find(ref.raw.lower()) if src is not None else -1
            where.update(file=str(doc.path), field="external_ok", line=src.line(pos) if pos >= 0 else None)
        entries.append((f"{page.url}|{ref.host}", f"链接到非政府网站「{ref.host}」（{ref.raw}），未经审核", where))
    if lex.ad_words is not None and lex.ad_words.search(page.visible_text):
        reported: set[str] = set()
        for area in page.tree.css(AD_AREAS):
            text = norm_ws(area.text(separator=" "))
            m = lex.ad_words.search(text)
            if m and m.group(0) not in reported:
                reported.add(m.group(0))
                entries.append((f"ad:{m.group(0)}:{css_path(area)}", f"导航、侧栏或横幅区域出现广告用语「{m.group(0)}」",
                                {"url": page.url, "selector": css_path(area), "severity": "warning",
                                 "fix": "政府网站不得刊登商业广告；如属正常栏目名称，请改用不易误解的名称"}))
    if entries or checked:
        ctx.collect(page.path, (entries, checked))


@finish("ADS-001", stage="page")
def external_links_summary(collected: dict[str, tuple[list[Entry], int]], ctx: RuleContext) -> None:
    grouped(ctx, collected, cap=5, entries_of=lambda value: value[0]).flush()
    _count(ctx, sum(n for _entries, n in collected.values()))  # coverage: every page plus every external link


@rule("EXT-002", title="外部链接带 rel=\"noopener noreferrer\"", stage="page", severity="warning",
      clause="外部链接管理（各省通行做法；rulebook EXT-002）", confidence="M",
      fix="外部链接加上 rel=\"noopener noreferrer\"（模板中的链接改模板，正文链接可写成 <a href=\"…\" rel=\"noopener noreferrer\">）",
      why="不带 noopener 的外链可以操纵本站页面（反向标签劫持），noreferrer 避免把访客来源泄露给外部网站。")
def external_rel(page: Page, ctx: RuleContext) -> None:
    entries: list[Entry] = []
    checked = 0
    for tag, node, _attr, ref in page_facts(page, ctx.run).refs:
        if ref.kind != "external" or (tag != "a" and tag != "area"):
            continue
        checked += 1
        rels = set((node.attrs.get("rel") or "").lower().split())
        if not {"noopener", "noreferrer"} <= rels:
            entries.append((ref.raw, f"外部链接「{ref.raw}」缺少 rel=\"noopener noreferrer\"",
                            {"url": page.url, "selector": css_path(node)}))
    ctx.collect(page.path, (entries, checked))


@finish("EXT-002", stage="page")
def external_rel_summary(collected: dict[str, tuple[list[Entry], int]], ctx: RuleContext) -> None:
    grouped(ctx, collected, cap=3, entries_of=lambda value: value[0]).flush()
    # Coverage counts external links only, not pages (as when this rule walked the site itself): every page
    # this check ran on collected its count, so the stage's one-per-page count is replaced by the link count.
    _count(ctx, sum(n for _entries, n in collected.values()) - len(collected))


# ---- INTEG-004 scanner (the rule and the manifest live in checks/integrity.py) -----------------

JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "text/ecmascript",
                      "application/ecmascript", "text/jscript", "text/livescript"})
EVENT_ATTRS = ("onclick", "onload", "onerror", "onmouse", "onfocus", "onblur", "onkey", "onchange", "onsubmit", "oninput",
               "onpointer", "onwheel", "onscroll", "onunload", "onbeforeunload", "onpageshow", "onhashchange", "onmessage",
               "onresize", "onanimation", "ontransition", "ontoggle", "ontouch", "ondrag", "oncontextmenu", "onselect")
EVENT_ATTR_RE = re.compile(r"on(?:" + "|".join(e[2:] for e in EVENT_ATTRS) + r")[a-z]*\s*=")
SAFE_JS_URLS = frozenset({"javascript:void(0)", "javascript:void(0);", "javascript:;", "javascript:"})
NAMED_COLOURS = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
                 "yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "orange": "#ffa500"}
LENGTH_RE = re.compile(r"^(-?\d*\.?\d+)\s*(px|em|rem|pt|%|vw|vh|cm|mm|in)?$")
UNIT_PX = {"px": 1.0, None: 1.0, "em": 16.0, "rem": 16.0, "pt": 4 / 3, "vw": 10.0, "vh": 10.0, "cm": 37.8, "mm": 3.78,
           "in": 96.0, "%": 1.0}
STYLE_RULE_RE = re.compile(r"([^{}@]+)\{([^{}]*)\}")


def parse_style(style: str) -> dict[str, str]:
    out = {}
    for decl in style.split(";"):
        prop, sep, value = decl.partition(":")
        if sep:
            out[prop.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def _px(value: str) -> float | None:
    m = LENGTH_RE.match(value.strip())
    if not m:
        return None
    return float(m.group(1)) * UNIT_PX[m.group(2)]


def _colour(value: str) -> str | None:
    v = value.strip().lower()
    if v in NAMED_COLOURS:
        return NAMED_COLOURS[v]
    m = re.match(r"^#([0-9a-f]{3,8})$", v)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            return "#" + "".join(c * 2 for c in h[:3])
        if len(h) in (6, 8):
            return "#" + h[:6]
        return None
    m = re.match(r"^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[,/]\s*([\d.]+%?))?\s*\)$", v)
    if m:
        if m.group(4) is not None and m.group(4).rstrip("%") in ("0", "0.0"):
            return None  # transparent
        return "#" + "".join(f"{min(int(x), 255):02x}" for x in m.groups()[:3])
    return None


def _background(node: Any) -> str:
    cur = node
    while cur is not None and cur.tag not in ("html", "-undef", None):
        decls = parse_style((cur.attributes or {}).get("style") or "") if cur.tag != "-text" else {}
        for key in ("background-color", "background"):
            if key in decls:
                for token in re.split(r"\s+(?![^(]*\))", decls[key]):
                    c = _colour(token)
                    if c:
                        return c
        cur = cur.parent
    return "#ffffff"


def hidden_reason(decls: dict[str, str], node: Any = None) -> str | None:
    if decls.get("display") == "none":
        return "display:none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if decls.get("opacity") in ("0", "0.0", ".0", "0%"):
        return "opacity:0"
    fs = _px(decls.get("font-size", "x"))
    if fs is not None and fs <= 0.5:
        return "font-size:0"
    for key in ("width", "height", "max-width", "max-height"):
        v = _px(decls.get(key, "x"))
        if v is not None and v <= 0:
            return f"{key}:0"
    ti = _px(decls.get("text-indent", "x"))
    if ti is not None and ti <= -100:
        return "text-indent 移出屏幕"
    if decls.get("position") in ("absolute", "fixed"):
        for key in ("left", "top", "right", "bottom", "margin-left", "margin-top"):
            v = _px(decls.get(key, "x"))
            if v is not None and v <= -100:
                return f"position 定位到屏幕外（{key}:{decls[key]}）"
    clip = decls.get("clip", "")
    if clip.startswith("rect(") and not re.search(r"[1-9]", clip):
        return "clip:rect(0…)"
    if "color" in decls and node is not None:
        fg = _colour(decls["color"])
        if fg is not None and fg == _background(node):
            return f"文字颜色与背景色相同（{fg}）"
    return None


def _payload(node: Any) -> tuple[list[str], str]:
    links = [a.attributes.get("href") or "" for a in node.css("a[href]")]
    if node.tag == "a" and node.attributes.get("href"):
        links.insert(0, node.attributes.get("href") or "")
    return links, norm_ws(node.text(separator=" "))


def _describe(links: list[str], text: str) -> str:
    if links:
        shown = "、".join(links[:3]) + ("等" if len(links) > 3 else "")
        return f"隐藏了 {len(links)} 个链接（暗链）：{shown}"
    return f"隐藏了文字「{text[:40]}」"


def _within(node: Any, reported: set[int]) -> bool:
    cur = node
    while cur is not None:
        if cur.mem_id in reported:
            return True
        cur = cur.parent
    return False


def scan_injections(page: Page, add: Any, *, allow: frozenset[str] = frozenset(), hosts: frozenset[str] = frozenset(),
                    settings: Any = None, low: str | None = None) -> None:
    """Hidden links and blocks, inline and injected scripts, iframes, marquee, off-site redirects.

    ``add(key, message, url=…, selector=…, severity=…)`` receives every problem (see links.Grouped.add).
    ``allow``: tags approved per document in metadata ``html_allow`` (iframe, marquee).
    """
    tree = page.tree
    low = page.text.lower() if low is None else low
    reported: set[int] = set()

    def hit(node: Any, key: str, message: str, **kw: Any) -> None:
        reported.add(node.mem_id)
        add(key, message, url=page.url, selector=css_path(node), **kw)

    # Cheap substring tests on the raw HTML first: the theme's pages have none of these, so most pages
    # skip the tree walks entirely.
    if "style=" in low or "style =" in low:
        for node in tree.css("[style]"):
            if _within(node, reported):
                continue
            reason = hidden_reason(parse_style(node.attributes.get("style") or ""), node)
            if reason is None:
                continue
            links, text = _payload(node)
            if links or text:
                hit(node, f"hidden:{reason}:{links[:1]}{text[:20]}", f"用 {reason} {_describe(links, text)}")
    if "hidden" in low:
        for node in tree.css("[hidden]"):
            if _within(node, reported):
                continue
            links, _text = _payload(node)
            if links:
                hit(node, f"hidden-attr:{links[:1]}", f"用 hidden 属性{_describe(links, '')}")
    if "<style" in low:
        for style in tree.css("style"):
            for selectors, body in STYLE_RULE_RE.findall(style.text()):
                reason = hidden_reason(parse_style(body))
                if reason is None:
                    continue
                for sel in selectors.split(","):
                    sel = sel.strip()
                    if not sel or sel in ("html", "body"):
                        continue
                    try:
                        nodes = tree.css(sel)
                    except Exception:  # a selector selectolax does not support
                        continue
                    for node in nodes:
                        if _within(node, reported):
                            continue
                        links, text = _payload(node)
                        if links:
                            hit(node, f"hidden-css:{sel}", f"页面内 <style> 规则「{sel}」用 {reason} {_describe(links, text)}")
    if _has_inline_script(low):
        for node in tree.css("script"):
            if node.attributes.get("src") is not None:
                continue
            typ = (node.attributes.get("type") or "").strip().lower()
            if typ not in JS_TYPES:
                continue
            code = node.text() or ""
            if not code.strip():
                continue
            extra = "，并使用 document.write 写入内容" if "document.write" in code else ""
            hit(node, f"script:{norm_ws(code)[:60]}",
                f"页面含有内联脚本{extra}（本站模板不产生内联脚本，疑似被注入）：{norm_ws(code)[:60]}")
    if tree.body is not None and EVENT_ATTR_RE.search(low):
        for node in tree.body.traverse():
            names = [k for k in (node.attributes or {}) if k.startswith("on") and len(k) > 2]
            if names:
                hit(node, f"event:{names[0]}", f"元素带有内联事件脚本 {names[0]}=（疑似被注入）")
    for tag in ("iframe", "frame", "frameset", "object", "embed", "marquee"):
        if tag in allow or f"<{tag}" not in low:
            continue
        for node in tree.css(tag):
            what = "滚动字幕 <marquee>（常用于挂载垃圾链接）" if tag == "marquee" else f"<{tag}> 嵌入外部内容"
            hit(node, f"tag:{tag}", f"页面含有{what}",
                fix="删除；确需嵌入的，经维护人员审核后在该文章元数据写 html_allow: " + tag)
    if "javascript:" in low:
        for node in tree.css("a[href], area[href], iframe[src], img[src], form[action]"):
            for attr in ("href", "src", "action"):
                value = (node.attributes.get(attr) or "").strip().lower()
                if value.startswith("javascript:") and value not in SAFE_JS_URLS:
                    hit(node, f"jsurl:{value[:40]}", f"{attr} 中含有 javascript: 脚本地址（疑似被注入）")
    head = tree.head
    if "refresh" in low and head is not None:
        for node in head.css("meta[http-equiv]"):
            if (node.attributes.get("http-equiv") or "").lower() != "refresh":
                continue
            m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", node.attributes.get("content") or "", re.I)
            if m:
                ref = resolve(page.url, m.group(1), hosts)
                if ref.kind == "external" and not host_allowed(ref.host, settings or {}, links=True):
                    hit(node, f"refresh:{ref.host}", f"页面自动跳转到外部网站「{ref.host}」（疑似被劫持）")


def _has_inline_script(low: str) -> bool:
    start = low.find("<script")
    while start != -1:
        end = low.find(">", start)
        if end == -1:
            return False
        if "src=" not in low[start:end] and low[end + 1: end + 2] != "<":
            return True
        start = low.find("<script", end)
    return False


def csp_present(page: Page) -> bool:
    head = page.tree.head
    return head is not None and any((m.attributes.get("http-equiv") or "").lower() == "content-security-policy"
                                    for m in head.css("meta[http-equiv]"))


ALLOW_SPLIT_RE = re.compile(r"[\s,，、;；]+")


def html_allow(run: BuildRun, page: Page) -> frozenset[str]:
    doc = doc_for_page(run, page)
    value = doc.get("html_allow") if doc is not None else ""
    return frozenset(t for t in ALLOW_SPLIT_RE.split(value.lower()) if t in ("iframe", "marquee", "object", "embed"))

