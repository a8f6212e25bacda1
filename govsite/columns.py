"""Column registry (content/columns.yaml): every 栏目 with its ColumnType, description, keywords, update class."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

UPDATE_CLASSES = {
    "dynamic": "动态要闻类（14天）",
    "notice_policy": "通知公告/政策文件类（6个月）",
    "personnel_plan": "人事/规划计划类（1年）",
    "static": "静态栏目",
    "interactive": "互动交流类",
    "service": "办事服务类",
}
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ColumnError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Column:
    name: str
    slug: str
    column_type: str
    description: str
    keywords: list[str]
    update: str
    parent: str | None = None
    link: str | None = None  # link-only column (e.g. the provincial 互动 platform)
    reprint: bool = False  # the home-page 国务院/省政府信息 专栏
    order: int = 0
    line: int | None = None
    children: list[str] = field(default_factory=list)

    @property
    def level(self) -> int:
        return 1 if not self.parent else 2

    @property
    def url(self) -> str:
        return f"/{self.slug}/"


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class ColumnRegistry:
    def __init__(self, columns: list[Column], path: str = "content/columns.yaml"):
        self.path = path
        self.columns = columns
        self.by_name = {c.name: c for c in columns}
        self.by_slug = {c.slug: c for c in columns}
        for c in columns:
            if c.parent:
                self.by_name[c.parent].children.append(c.name)

    def get(self, name: str) -> Column | None:
        return self.by_name.get(name)

    def roots(self) -> list[Column]:
        return [c for c in self.columns if not c.parent]

    def children(self, name: str) -> list[Column]:
        return [self.by_name[n] for n in self.by_name[name].children]

    def ancestors(self, name: str) -> list[Column]:
        out: list[Column] = []
        col = self.by_name.get(name)
        while col and col.parent:
            col = self.by_name.get(col.parent)
            if col:
                out.insert(0, col)
        return out


def load_columns(path: Path, rel: str = "content/columns.yaml") -> ColumnRegistry:
    if not path.is_file():
        raise ColumnError(f"找不到栏目登记表 {rel}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except UnicodeDecodeError as exc:
        raise ColumnError(f"{rel} 不是 UTF-8 编码") from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ColumnError(f"{rel} 的 YAML 格式有误：{getattr(exc, 'problem', exc)}", (line or 0) + 1 if line is not None else None) from exc
    entries = data.get("columns") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise ColumnError(f"{rel} 应包含 columns: 列表（每个栏目一项）")
    columns: list[Column] = []
    seen: dict[str, int] = {}
    for order, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ColumnError(f"{rel} 第 {order + 1} 个栏目不是「键: 值」映射")
        line = entry.get("__line__")
        where = f"{rel}:{line}"
        for key in ("name", "slug", "type", "description", "keywords", "update"):
            if not entry.get(key):
                raise ColumnError(f"{where} 栏目缺少 {key}", line)
        name = str(entry["name"]).strip()
        slug = str(entry["slug"]).strip()
        if not SLUG_RE.match(slug):
            raise ColumnError(f"{where} 栏目「{name}」的 slug「{slug}」只能用小写字母、数字和连字符", line)
        if name in seen:
            raise ColumnError(f"{where} 栏目名称「{name}」重复（第 {seen[name]} 行已登记）", line)
        if any(c.slug == slug for c in columns):
            raise ColumnError(f"{where} 栏目 slug「{slug}」重复", line)
        update = str(entry["update"])
        if update not in UPDATE_CLASSES:
            raise ColumnError(f"{where} 栏目「{name}」的 update 只能是 {', '.join(UPDATE_CLASSES)}", line)
        keywords = entry["keywords"]
        if isinstance(keywords, str):
            keywords = [k for k in re.split(r"[,，;；、]\s*", keywords) if k]
        seen[name] = line
        columns.append(Column(
            name=name, slug=slug, column_type=str(entry["type"]).strip(), description=str(entry["description"]).strip(),
            keywords=[str(k) for k in keywords], update=update, parent=entry.get("parent"), link=entry.get("link"),
            reprint=bool(entry.get("reprint", False)), order=order, line=line,
        ))
    names = {c.name for c in columns}
    for c in columns:
        if c.parent and c.parent not in names:
            raise ColumnError(f"{rel}:{c.line} 栏目「{c.name}」的上级栏目「{c.parent}」未登记", c.line)
        # A parent chain must end at a root: a cycle would make breadcrumbs loop forever.
        seen_chain = {c.name}
        p = c.parent
        while p:
            if p in seen_chain:
                raise ColumnError(f"{rel}:{c.line} 栏目「{c.name}」的上级关系形成循环", c.line)
            seen_chain.add(p)
            p = next(x.parent for x in columns if x.name == p)
    return ColumnRegistry(columns, rel)
