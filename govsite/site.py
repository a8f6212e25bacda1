"""The site model handed to templates (as ``gov``) and to site-stage rules: columns, documents, links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .columns import Column, ColumnRegistry
from .source import SourceDoc


@dataclass
class SiteModel:
    columns: ColumnRegistry
    docs: list[SourceDoc]  # published documents that Pelican rendered (doc.content is set)
    settings: dict[str, Any]
    items_by_column: dict[str, list[Any]] = field(default_factory=dict)  # own items, newest first
    policies_by_number: dict[str, list[SourceDoc]] = field(default_factory=dict)
    interpretations_of_policy: dict[int, list[SourceDoc]] = field(default_factory=dict)
    policy_of_interpretation: dict[int, SourceDoc] = field(default_factory=dict)
    by_content: dict[int, SourceDoc] = field(default_factory=dict)

    @classmethod
    def build(cls, columns: ColumnRegistry, docs: list[SourceDoc], settings: dict[str, Any]) -> SiteModel:
        model = cls(columns=columns, docs=docs, settings=settings)
        for doc in docs:
            model.by_content[id(doc.content)] = doc
            if doc.doc_type != "page":
                model.items_by_column.setdefault(doc.category, []).append(doc.content)
            if doc.doc_type == "policy" and doc.get("doc_number"):
                model.policies_by_number.setdefault(doc.get("doc_number").strip(), []).append(doc)
        for items in model.items_by_column.values():
            items.sort(key=lambda a: (a.date, a.slug), reverse=True)
        for doc in docs:
            if doc.doc_type != "interpretation":
                continue
            target = model.resolve_policy(doc.get("interprets"))
            if len(target) == 1:
                model.policy_of_interpretation[id(doc.content)] = target[0]
                model.interpretations_of_policy.setdefault(id(target[0].content), []).append(doc)
        for lst in model.interpretations_of_policy.values():
            lst.sort(key=lambda d: (d.content.date, d.content.slug))
        return model

    def resolve_policy(self, ref: str) -> list[SourceDoc]:
        ref = (ref or "").strip()
        if not ref:
            return []
        hits = list(self.policies_by_number.get(ref, []))
        if not hits:
            hits = [d for d in self.docs if d.doc_type == "policy" and d.content.slug == ref]
        return hits

    # ---- helpers used by templates -------------------------------------------------------
    def column(self, name: str) -> Column | None:
        return self.columns.get(name)

    def column_items(self, name: str, limit: int | None = None, descendants: bool = True) -> list[Any]:
        names = [name] + ([c.name for c in self.descendants(name)] if descendants else [])
        items = [a for n in names for a in self.items_by_column.get(n, [])]
        items.sort(key=lambda a: (a.date, a.slug), reverse=True)
        return items[:limit] if limit else items

    def descendants(self, name: str) -> list[Column]:
        out: list[Column] = []
        for child in self.columns.children(name):
            out.append(child)
            out.extend(self.descendants(child.name))
        return out

    def interpretations(self, article: Any) -> list[Any]:
        return [d.content for d in self.interpretations_of_policy.get(id(article), [])]

    def policy_for(self, article: Any) -> Any | None:
        doc = self.policy_of_interpretation.get(id(article))
        return doc.content if doc else None

    def doc_for(self, article: Any) -> SourceDoc | None:
        return self.by_content.get(id(article))

    def reprints(self, limit: int = 8) -> list[Any]:
        items = [d.content for d in self.docs if d.doc_type == "reprint"]
        items.sort(key=lambda a: (a.date, a.slug), reverse=True)
        return items[:limit]

    def latest(self, limit: int = 10, types: tuple[str, ...] | None = None) -> list[Any]:
        items = [d.content for d in self.docs if d.doc_type != "page" and (types is None or d.doc_type in types)]
        items.sort(key=lambda a: (a.date, a.slug), reverse=True)
        return items[:limit]

    def of_type(self, doc_type: str) -> list[Any]:
        return [d.content for d in self.docs if d.doc_type == doc_type]

    # ---- home page blocks ------------------------------------------------------------------
    def home_columns(self, limit: int = 6) -> list[Column]:
        picked = [c for c in self.columns.columns
                  if not c.link and not c.reprint and (c.update in ("dynamic", "notice_policy") or c.column_type == "政策解读")]
        return picked[:limit]

    def service_links(self) -> list[Column]:
        return [c for c in self.columns.columns if c.update in ("service", "interactive")]

    def reprint_column(self) -> Column | None:
        return next((c for c in self.columns.columns if c.reprint and not c.link), None)

    def annual_reports(self, limit: int = 4) -> list[Any]:
        items = [d.content for d in self.docs if d.doc_type == "report"]
        items.sort(key=lambda a: (a.date, a.slug), reverse=True)
        return items[:limit]

    def home_notices(self) -> list[Any]:
        """Closure/migration notices: linked from the home page as a banner (LIFE-001)."""
        return [d.content for d in self.docs if d.get("offline_notice")]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.docs)
