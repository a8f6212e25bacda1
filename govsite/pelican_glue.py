"""Glue between Pelican and the engine: the strict Markdown reader, source discovery, standalone runs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Callable

from markdown import Markdown
from pelican.readers import MarkdownReader

from . import clock
from .profiles import load_profile
from .registry import load_all_rules
from .run import BuildRun, current, set_current
from .source import SourceDoc, parse_datetime, read_source

Transform = Callable[[SourceDoc, str, dict[str, str]], tuple[str, dict[str, str]]]
TEMPLATE_BY_TYPE = {"policy": "policy", "interpretation": "interpretation", "reprint": "reprint", "guide": "guide"}
ASCII_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def ensure_run(settings: dict[str, Any]) -> BuildRun:
    """The driver's run, or — when Pelican is started directly — a standalone one."""
    run = current()
    if run is None:
        load_all_rules()
        root = Path(settings.get("PATH", ".")).resolve().parent
        run = BuildRun(root=root, settings=settings, profile=load_profile(settings.get("GOVSITE_PROFILE", "national"),
                       settings.get("GOVSITE_RULES") or {}), now=clock.now(settings))
        run.data["standalone"] = True
        set_current(run)
    return run


def content_root(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def discover_sources(settings: dict[str, Any]) -> list[Path]:
    """Every Markdown file Pelican will read (articles and pages)."""
    root = content_root(settings)
    ignore = set(settings.get("IGNORE_FILES", [])) | {"upstream", "attachments", "images", "holidays"}
    out = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in (".md", ".markdown", ".mkd", ".mdown") or not path.is_file():
            continue
        rel_parts = path.relative_to(root).parts
        if any(part in ignore or part.startswith(".") for part in rel_parts[:-1]):
            continue
        out.append(path)
    return out


def _personal(text: str) -> bool:
    """Whether ``text`` holds an ID, mobile or bank card number (PRIV-002..004): never put in a URL."""
    if not any(c.isdigit() for c in text):
        return False
    from .privacy.detect import find_pii

    return any(m.kind != "address" for m in find_pii(text))


def stable_slug(doc: SourceDoc) -> str:
    """Slugs must not change when a title changes (URL-002): explicit slug, ASCII file name, or a path hash.

    A slug or file name holding personal data is never used (nor hashed as is): the hash is then taken of the
    masked path, so the URL carries nothing derived from the raw value (PRIV-010 asks for a rename).
    """
    explicit = doc.get("slug").strip()
    if explicit and not _personal(explicit):
        return explicit
    stem = doc.path.stem.lower()
    if not explicit and ASCII_SLUG.match(stem) and not _personal(stem):
        return stem
    rel = doc.rel
    if _personal(rel):
        from .privacy.mask import mask_text

        rel = mask_text(rel)[0]
    return "d" + hashlib.sha1(rel.encode("utf-8")).hexdigest()[:10]


class GovMarkdownReader(MarkdownReader):
    """Reads sources through the strict parser, applies transforms (privacy masking), then Markdown."""

    def _markdown(self) -> Markdown:
        """One Markdown converter per reader, reset between documents (building one costs ~0.4 ms per file)."""
        md = self.__dict__.get("_gov_md")
        if md is None:
            md_settings = dict(self.settings["MARKDOWN"])
            md_settings["extensions"] = [e for e in md_settings.get("extensions", [])
                                         if e != "markdown.extensions.meta"]
            md = self.__dict__["_gov_md"] = Markdown(**md_settings)
        else:
            md.reset()
        return md

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        run = ensure_run(self.settings)
        sources: dict[str, SourceDoc] = run.data.setdefault("sources", {})
        key = str(Path(source_path).resolve())
        doc = sources.get(key) or read_source(Path(source_path), run.root)
        sources[key] = doc
        if doc.fatal or (doc.get("date") and not parse_datetime(doc.get("date"))):
            run.data.setdefault("reported_sources", set()).add(source_path)
            raise ValueError(f"skipped: {doc.rel} has blocking content problems (reported with file:line)")
        body = strip_comments(doc.body)
        meta = {k: mv.value for k, mv in doc.meta.items()}
        for transform in run.data.get("transforms", []):
            body, meta = transform(doc, body, meta)
        self._source_path = source_path
        self._md = self._markdown()
        content = external_links_rel(self._md.convert(body), str(self.settings.get("GOVSITE_SITEURL") or ""))
        metadata: dict[str, Any] = {}
        for name, value in meta.items():
            if name in ("date", "modified"):
                parsed = parse_datetime(value)
                if parsed:
                    metadata[name] = parsed
            elif name == "summary":
                self._md.reset()
                metadata["summary"] = self._md.convert(value)
            elif name == "keywords":
                metadata["keywords"] = [k for k in re.split(r"[,，;；、]\s*", value) if k]
            elif name in ("category", "author", "status"):
                metadata[name] = self.process_metadata(name, value)
            else:
                metadata[name] = value
        cat = metadata.get("category")
        columns = run.data.get("columns")
        if cat is not None and columns is not None:
            col = columns.get(meta.get("category", ""))
            if col is not None:
                cat.slug = col.slug
        metadata["slug"] = stable_slug(doc)
        metadata["doc_type"] = doc.doc_type
        if "template" not in metadata and doc.doc_type in TEMPLATE_BY_TYPE:
            metadata["template"] = TEMPLATE_BY_TYPE[doc.doc_type]
        return content, metadata


_FENCE_SPLIT = re.compile(r"(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$)", re.S | re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def strip_comments(body: str) -> str:
    """Editors' notes in <!-- --> (e.g. the scaffold's 填写说明) never reach the page source or feeds."""
    parts = _FENCE_SPLIT.split(body)
    return "".join(p if i % 2 else _COMMENT.sub("", p) for i, p in enumerate(parts))


_A_EXTERNAL = re.compile(r'<a\s+([^>]*?)href="(https?://[^"]+)"([^>]*)>', re.I)


def external_links_rel(html: str, site_url: str) -> str:
    """Editors' links to other sites get rel="noopener noreferrer" (EXT-002) without editors having to know it."""
    own = site_url.split("://", 1)[-1].split("/", 1)[0].lower()

    def fix(m: re.Match[str]) -> str:
        host = m.group(2).split("://", 1)[1].split("/", 1)[0].lower()
        if (own and host == own) or "rel=" in (m.group(1) + m.group(3)).lower():
            return m.group(0)
        return f'<a {m.group(1)}href="{m.group(2)}" rel="noopener noreferrer"{m.group(3)}>'

    return _A_EXTERNAL.sub(fix, html)


def install_reader(readers: Any) -> None:
    for ext in GovMarkdownReader.file_extensions:
        readers.reader_classes[ext] = GovMarkdownReader
