"""Parsed output pages for the page stage (selectolax: ~0.1 ms per page, the hot path of every build)."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

PAGE_TYPES = ("home", "column", "article", "special")
WS_RE = re.compile(r"\s+")


def norm_ws(text: str | None) -> str:
    return WS_RE.sub(" ", text or "").strip()


def site_order(path: str) -> list[str]:
    """Sort key for output paths giving :meth:`OutputSite.load`'s page order (paths compare part by part:
    "a/b.html" before "a-b/c.html")."""
    return path.split("/")


def css_path(node: Node) -> str:
    """A short, stable CSS selector for a node (id if any, else tag chain with nth-of-type)."""
    resolve = getattr(node, "resolve", None)
    if resolve is not None:  # a lightweight stand-in (checks/links.py RefNode)
        node = resolve()
    parts: list[str] = []
    cur: Node | None = node
    while cur is not None and cur.tag not in ("html", "-undef", None):
        if cur.tag == "-text":
            cur = cur.parent
            continue
        ident = (cur.attributes or {}).get("id")
        if ident:
            parts.append(f"#{ident}")
            break
        idx = 1
        sib = cur.prev
        while sib is not None:
            if sib.tag == cur.tag:
                idx += 1
            sib = sib.prev
        parts.append(f"{cur.tag}:nth-of-type({idx})" if idx > 1 else str(cur.tag))
        cur = cur.parent
    return " > ".join(reversed(parts))


_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """UTF-8 first; audit mode also meets mirrors of old GBK portals, so honour a declared charset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET_RE.search(data[:4096])
    for enc in ([m.group(1).decode("ascii", "replace")] if m else []) + ["gb18030"]:
        try:
            return data.decode("gb18030" if enc.lower() in ("gb2312", "gbk") else enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


# A parsed tree costs ~1 MB (lexbor allocates through Python's allocator), ~100 times its page. Per-page checks see
# each page once (item-major) and release it; site-wide walks are sequential. A handful of live trees is enough.
_LIVE: OrderedDict[int, Page] = OrderedDict()
LIVE_TREES = 8


def _remember(page: Page) -> None:
    _LIVE[id(page)] = page
    _LIVE.move_to_end(id(page))
    while len(_LIVE) > LIVE_TREES:
        _, old = _LIVE.popitem(last=False)
        old.release()


class Page:
    """One output page. Built pages are read from disk on demand and dropped again with their parse tree, so the
    page stage never holds the whole site's HTML (a 10,000-page portal is ~150 MB of text)."""

    def __init__(self, path: str, text: str | None = None, *, file: Path | None = None):
        if text is None and file is None:
            raise ValueError("Page needs its text or its file")
        self.path = path  # output-relative posix path
        self._text = text
        self._file = file

    def __repr__(self) -> str:
        return f"Page({self.path!r})"

    @property
    def url(self) -> str:
        return "/" + self.path

    @property
    def text(self) -> str:
        if self._text is not None:
            return self._text
        loaded = self.__dict__.get("_loaded")
        if loaded is None:
            assert self._file is not None
            loaded = self.__dict__["_loaded"] = decode_html(self._file.read_bytes())
            _remember(self)
        return loaded

    @cached_property
    def size(self) -> int:
        """Length of the page text in characters (kept after :meth:`release`)."""
        return len(self.text)

    # Parsed trees and long derived texts are large next to the page text; the page stage releases each page's
    # tree after its per-page checks (item-major order), keeping memory flat on 10,000-page sites. Small derived
    # values (meta, footer_text, …) stay cached.
    _NODE_ATTRS = ("tree", "footer", "header", "main", "visible_text", "_loaded")

    @cached_property
    def tree(self) -> HTMLParser:
        _remember(self)
        return HTMLParser(self.text)

    def release(self) -> None:
        _LIVE.pop(id(self), None)
        for name in self._NODE_ATTRS:
            self.__dict__.pop(name, None)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        head = self.tree.head
        if head is None:
            return out
        for node in head.css("meta[name]"):
            name = node.attributes.get("name") or ""
            out.setdefault(name, []).append(node.attributes.get("content") or "")
        return out

    def meta_one(self, name: str) -> str | None:
        vals = self.meta.get(name)
        return vals[0] if vals else None

    @cached_property
    def page_type(self) -> str:
        body = self.tree.body
        declared = (body.attributes.get("data-page-type") if body is not None else None) or ""
        if declared in PAGE_TYPES:
            return declared
        # Audit mode (pages not built by govsite): infer from the 指引 tags.
        if self.path == "index.html":
            return "home"
        if self.meta.get("ArticleTitle"):
            return "article"
        if self.meta.get("ColumnName"):
            return "column"
        return "special"

    @cached_property
    def is_redirect(self) -> bool:
        """A <meta http-equiv="refresh"> stub (e.g. a moved page), not a real page."""
        for node in self.tree.css("meta[http-equiv]"):
            if (node.attributes.get("http-equiv") or "").strip().lower() == "refresh":
                return True
        return False

    @cached_property
    def template(self) -> str:
        """The theme template that rendered the page (body data-template); audit mode: the page type."""
        body = self.tree.body
        declared = (body.attributes.get("data-template") if body is not None else None) or ""
        return declared or self.page_type

    @cached_property
    def footer(self) -> Node | None:
        return self.tree.css_first("footer") or self.tree.css_first("#footer") or self.tree.css_first(".footer")

    @cached_property
    def footer_text(self) -> str:
        return norm_ws(self.footer.text(separator=" ")) if self.footer is not None else ""

    @cached_property
    def header(self) -> Node | None:
        return self.tree.css_first("header") or self.tree.css_first("#header")

    @cached_property
    def main(self) -> Node | None:
        return self.tree.css_first("main")

    @cached_property
    def h1_text(self) -> str | None:
        node = self.tree.css_first("h1")
        return norm_ws(node.text()) if node is not None else None

    @cached_property
    def visible_text(self) -> str:
        body = self.tree.body
        return norm_ws(body.text(separator=" ")) if body is not None else ""


@dataclass
class OutputSite:
    root: Path
    pages: list[Page] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every output file (posix, relative), HTML included

    @classmethod
    def load(cls, root: Path) -> OutputSite:
        site = cls(root=root)
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            site.files.append(rel)
            if path.suffix in (".html", ".htm"):
                site.pages.append(Page(rel, file=path))
        return site

    def __iter__(self) -> Iterator[Page]:
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)

    @cached_property
    def by_path(self) -> dict[str, Page]:
        return {p.path: p for p in self.pages}

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)
