"""Column pages (own items plus sub-columns, paginated with every page number linked) and sitemap.xml."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pelican.generators import Generator

PAGE_SIZE_DEFAULT = 20


def column_page_name(slug: str, number: int) -> str:
    return f"{slug}/index.html" if number == 1 else f"{slug}/index_{number}.html"


class ColumnGenerator(Generator):
    def generate_context(self) -> None:
        self.context.setdefault("column_page_name", column_page_name)

    def generate_output(self, writer: Any) -> None:
        model = self.context.get("gov")
        if model is None:
            return
        size = int(self.settings.get("GOVSITE_COLUMN_PAGE_SIZE", PAGE_SIZE_DEFAULT))
        template = self.get_template("column")
        for column in model.columns.columns:
            if column.link:
                continue  # link-only column: it lives on another platform
            items = model.column_items(column.name)
            pages = max(1, math.ceil(len(items) / size))
            page_urls = ["/" + column_page_name(column.slug, n) for n in range(1, pages + 1)]
            for number in range(1, pages + 1):
                name = column_page_name(column.slug, number)
                writer.write_file(
                    name, template, self.context, column=column, column_items=items[(number - 1) * size: number * size],
                    page_number=number, page_count=pages, page_urls=page_urls, page_name=name,
                    sub_columns=model.columns.children(column.name), breadcrumbs=model.columns.ancestors(column.name),
                )
        self._write_sitemap_xml(model)
        self._write_search_index(model)

    def _write_search_index(self, model: Any) -> None:
        """A static index for Chinese full-title search (substring matching needs no word segmentation)."""
        import json
        import re

        entries = []
        for doc in model.docs:
            content = doc.content
            if doc.doc_type == "page":
                continue
            attachments = re.findall(r'<a [^>]*href="[^"]+\.(?:pdf|docx?|xlsx?|csv|wps|ofd|zip)"[^>]*>([^<]+)</a>',
                                     content.content or "")
            summary = re.sub(r"<[^>]+>", "", getattr(content, "summary", "") or "")[:120]
            entries.append({"t": re.sub(r"<[^>]+>", "", content.title), "u": "/" + content.url,
                            "d": content.date.strftime("%Y-%m-%d %H:%M"), "c": content.category.name,
                            "s": summary, "a": attachments})
        entries.sort(key=lambda e: (e["d"], e["u"]), reverse=True)
        out = Path(self.output_path) / "search-index.json"
        out.write_text(json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")

    def _write_sitemap_xml(self, model: Any) -> None:
        base = str(self.settings.get("GOVSITE_SITEURL", "")).rstrip("/")
        now_date = str(self.settings.get("GOVSITE_NOW_ISO", ""))[:10]
        urls: list[tuple[str, str]] = [("/", now_date)]
        for column in model.columns.columns:
            if not column.link:
                items = model.column_items(column.name, limit=1)
                urls.append((column.url, items[0].date.strftime("%Y-%m-%d") if items else now_date))
        for doc in model.docs:
            content = doc.content
            date = getattr(content, "date", None)
            urls.append(("/" + content.url, date.strftime("%Y-%m-%d") if date else now_date))
        for special in ("sitemap.html", "search.html"):
            urls.append(("/" + special, now_date))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for loc, lastmod in urls:
            lines.append(f"  <url><loc>{escape(base + loc)}</loc><lastmod>{lastmod}</lastmod></url>")
        lines.append("</urlset>")
        out = Path(self.output_path) / "sitemap.xml"
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
