"""Upstream lists of important policy information that must be reprinted (content/upstream/*.yaml).

Editors (or ``invoke upstream-import``) keep one YAML file per month::

    items:
      - title: 国务院关于……的通知
        url: https://www.gov.cn/zhengce/content/202611/content_7000001.htm
        publisher: 中国政府网
        published: 2026-11-18 09:00      # Beijing time, minute precision
        level: 国务院                    # 国务院 | 省政府 | 市政府

:func:`load_upstream` reads and validates every file and never raises: each problem names the file
and line in Chinese. :func:`import_feed` converts an RSS 2.0 / Atom / JSON Feed file (or, from the
task only, a URL) into that format and merges it into a list file. Builds never touch the network.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .clock import SHANGHAI
from .source import datetime_problem, parse_datetime

LEVELS = ("国务院", "省政府", "市政府")
REQUIRED_KEYS = ("title", "url", "publisher", "published", "level")
OPTIONAL_KEYS = ("summary", "note")
KEY_ZH = {"title": "标题", "url": "原文网址", "publisher": "发布单位", "published": "发布时间", "level": "层级",
          "summary": "摘要", "note": "备注"}
FORMAT_HINT = ("每个文件写成 items: 列表，每项包含 title、url、publisher、published（YYYY-MM-DD HH:MM，北京时间）、"
               "level（国务院 / 省政府 / 市政府），示例见 docs 或 invoke upstream-import 生成的文件")


class UpstreamError(ValueError):
    """A problem that stops an import (the message is Chinese and names the file or feed)."""


@dataclass(frozen=True)
class UpstreamItem:
    title: str
    url: str
    publisher: str
    published: datetime
    level: str
    file: Path
    line: int

    @property
    def key(self) -> str:
        return normalize_url(self.url)


@dataclass(frozen=True)
class UpstreamProblem:
    message: str
    file: Path
    line: int | None = None
    fix: str = FORMAT_HINT
    severity: str = "error"


# ---- normalisation ------------------------------------------------------------------------------

def normalize_url(url: str) -> str:
    """Compare URLs without scheme, host case, fragment and trailing slash."""
    text = (url or "").strip()
    parts = urlsplit(text if "://" in text else "//" + text.lstrip("/"))
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def is_http_url(url: str) -> bool:
    parts = urlsplit((url or "").strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url.strip())


# Punctuation that NFKC leaves alone: map the Chinese forms onto one ASCII spelling.
_PUNCT = str.maketrans({
    "。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"',
    "〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "《": "<", "》": ">", "〈": "<", "〉": ">",
    "—": "-", "–": "-", "―": "-", "－": "-", "～": "~", "〜": "~", "・": "·", "•": "·", "…": "...",
})
_WS = re.compile(r"\s+")


def normalize_title(title: str) -> str:
    """Title as compared by REPRINT-004: whitespace removed, full/half-width punctuation unified."""
    text = unicodedata.normalize("NFKC", title or "").translate(_PUNCT)
    return _WS.sub("", text)


# ---- loading and validation ---------------------------------------------------------------------

def upstream_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")
                  and not p.name.startswith("."))


def load_upstream(directory: Path) -> tuple[list[UpstreamItem], list[UpstreamProblem]]:
    """Every valid item of every list file in ``directory``, and every problem found (never raises)."""
    items: list[UpstreamItem] = []
    problems: list[UpstreamProblem] = []
    seen: dict[str, UpstreamItem] = {}
    for path in upstream_files(directory):
        file_items, file_problems = load_file(path)
        problems.extend(file_problems)
        for item in file_items:
            other = seen.get(item.key)
            if other is not None:
                where = f"{other.file.name} 第 {other.line} 行" if other.file != item.file else f"第 {other.line} 行"
                problems.append(UpstreamProblem(f"原文网址 {item.url} 重复登记（{where}已登记）", path, item.line,
                                                "删除重复的一项"))
                continue
            seen[item.key] = item
            items.append(item)
    return items, problems


def load_file(path: Path) -> tuple[list[UpstreamItem], list[UpstreamProblem]]:
    problems: list[UpstreamProblem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [UpstreamProblem(f"无法读取上级信息清单：{exc.strerror or exc}", path, None, "检查文件权限")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [UpstreamProblem("上级信息清单不是 UTF-8 编码（可能是 GBK）", path, raw[: exc.start].count(b"\n") + 1,
                                    "用编辑器「另存为 UTF-8」")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "无法解析"
        return [], [UpstreamProblem(f"上级信息清单 YAML 格式错误（第 {line} 行）：{what}", path, line,
                                    "检查该行附近的缩进、冒号和引号：每项以「  - title: …」开头，同一项的键对齐")]
    except yaml.YAMLError as exc:
        return [], [UpstreamProblem(f"上级信息清单 YAML 格式错误：{exc}", path, None)]
    if root is None:
        return [], []  # an empty file lists nothing
    if not isinstance(root, yaml.MappingNode):
        return [], [UpstreamProblem("上级信息清单的顶层必须是「items:」", path, root.start_mark.line + 1)]
    seq: yaml.Node | None = None
    for key_node, value_node in root.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
        if key == "items":
            seq = value_node
        else:
            problems.append(UpstreamProblem(f"上级信息清单顶层有未知的键「{key}」", path, key_node.start_mark.line + 1,
                                            "顶层只写 items:，各项写在其下"))
    if seq is None:
        problems.append(UpstreamProblem("上级信息清单缺少「items:」", path, 1))
        return [], problems
    if isinstance(seq, yaml.ScalarNode) and seq.value in ("", "~", "null"):
        return [], problems
    if not isinstance(seq, yaml.SequenceNode):
        problems.append(UpstreamProblem("「items:」下面应是以「- 」开头的列表", path, seq.start_mark.line + 1))
        return [], problems
    items: list[UpstreamItem] = []
    for index, node in enumerate(seq.value, start=1):
        item = _item(node, index, path, problems)
        if item is not None:
            items.append(item)
    return items, problems


def _item(node: yaml.Node, index: int, path: Path, problems: list[UpstreamProblem]) -> UpstreamItem | None:
    line = node.start_mark.line + 1
    label = f"第 {index} 项"
    if not isinstance(node, yaml.MappingNode):
        problems.append(UpstreamProblem(f"{label}不是「键: 值」形式", path, line))
        return None
    values: dict[str, tuple[str, int]] = {}
    ok = True
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        kline = key_node.start_mark.line + 1
        if key in values:
            problems.append(UpstreamProblem(f"{label}的 {key} 重复出现（第 {values[key][1]} 行已写过）", path, kline,
                                            f"只保留一个 {key}"))
            ok = False
            continue
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            problems.append(UpstreamProblem(f"{label}有未知的键「{key}」", path, kline,
                                            "可用的键：" + "、".join(REQUIRED_KEYS + OPTIONAL_KEYS), severity="warning"))
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            problems.append(UpstreamProblem(f"{label}的 {key}（{KEY_ZH[key]}）应是一行文字", path, kline))
            ok = False
            continue
        values[key] = (str(value_node.value).strip(), value_node.start_mark.line + 1)
    for key in REQUIRED_KEYS:
        if key not in values:
            problems.append(UpstreamProblem(f"{label}缺少 {key}（{KEY_ZH[key]}）", path, line, FORMAT_HINT))
            ok = False
        elif not values[key][0]:
            problems.append(UpstreamProblem(f"{label}的 {key}（{KEY_ZH[key]}）是空的", path, values[key][1]))
            ok = False
    if not ok:
        return None
    url, url_line = values["url"]
    if not is_http_url(url):
        problems.append(UpstreamProblem(f"{label}的原文网址「{url}」不是 http(s) 网址", path, url_line,
                                        "填写完整网址，如 https://www.gov.cn/zhengce/content/…"))
        ok = False
    published_text, pline = values["published"]
    published = parse_datetime(published_text)
    if published is None:
        problems.append(UpstreamProblem(f"{label}的发布时间（published）{datetime_problem(published_text)}", path, pline,
                                        "写成 YYYY-MM-DD HH:MM（北京时间），例如 2026-11-18 09:00"))
        ok = False
    level, lline = values["level"]
    if level not in LEVELS:
        problems.append(UpstreamProblem(f"{label}的层级（level）「{level}」无效", path, lline, "可选：" + " / ".join(LEVELS)))
        ok = False
    if not ok or published is None:
        return None
    return UpstreamItem(title=values["title"][0], url=url, publisher=values["publisher"][0], published=published,
                        level=level, file=path, line=line)


# ---- feed import ----------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
MAX_FEED_BYTES = 20 * 1024 * 1024


def _read_source(source: str | Path) -> tuple[bytes, str]:
    text = str(source)
    if isinstance(source, str) and re.match(r"^https?://", text, re.I):
        import urllib.request

        req = urllib.request.Request(text, headers={"User-Agent": "govsite-upstream-import/1.0"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # http(s) only, checked above
                data = resp.read(MAX_FEED_BYTES + 1)
        except OSError as exc:
            raise UpstreamError(f"无法下载订阅源 {text}：{exc}") from exc
        return data, text
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UpstreamError(f"无法读取订阅源文件 {path}：{exc.strerror or exc}") from exc
    return data, str(path)


def _parse_time(value: str | None, *, rfc822: bool) -> datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    parsed: datetime | None = None
    if rfc822:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    parsed = parsed.replace(tzinfo=SHANGHAI) if parsed.tzinfo is None else parsed.astimezone(SHANGHAI)
    return parsed.replace(second=0, microsecond=0)


def _text(node: ET.Element | None) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip() if node is not None else ""


def _parse_xml(data: bytes, origin: str) -> tuple[str, list[dict[str, Any]]]:
    if b"<!ENTITY" in data[:65536].upper():
        raise UpstreamError(f"订阅源 {origin} 含有 XML 实体声明（<!ENTITY>），出于安全考虑拒绝读取")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UpstreamError(f"订阅源 {origin} 不是有效的 XML（第 {exc.position[0]} 行）：{exc}") from exc
    entries: list[dict[str, Any]] = []
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise UpstreamError(f"订阅源 {origin} 是 RSS，但缺少 <channel>")
        feed_title = _text(channel.find("title"))
        for n, item in enumerate(channel.findall("item"), start=1):
            link = _text(item.find("link"))
            guid = item.find("guid")
            if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
                link = _text(guid)
            when = item.findtext("pubDate") or item.findtext(DC_DATE)
            entries.append({"n": n, "title": _text(item.find("title")), "url": link,
                            "published": _parse_time(when, rfc822=True), "raw_time": when})
        return feed_title, entries
    if root.tag == ATOM + "feed":
        feed_title = _text(root.find(ATOM + "title")) or _text(root.find(f"{ATOM}author/{ATOM}name"))
        for n, entry in enumerate(root.findall(ATOM + "entry"), start=1):
            link = ""
            for ln in entry.findall(ATOM + "link"):
                if ln.get("rel", "alternate") == "alternate" and ln.get("href"):
                    link = ln.get("href", "")
                    break
            when = entry.findtext(ATOM + "published") or entry.findtext(ATOM + "updated")
            entries.append({"n": n, "title": _text(entry.find(ATOM + "title")), "url": link.strip(),
                            "published": _parse_time(when, rfc822=False), "raw_time": when})
        return feed_title, entries
    raise UpstreamError(f"订阅源 {origin} 的格式不受支持（根元素 <{root.tag}>）：只支持 RSS 2.0、Atom 和 JSON Feed")


def _parse_json(data: bytes, origin: str) -> tuple[str, list[dict[str, Any]]]:
    try:
        feed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UpstreamError(f"订阅源 {origin} 不是有效的 JSON Feed：{exc}") from exc
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        raise UpstreamError(f"订阅源 {origin} 不是 JSON Feed（缺少 items 列表）")
    authors = feed.get("authors") or ([feed["author"]] if isinstance(feed.get("author"), dict) else [])
    feed_title = str(feed.get("title") or "").strip()
    if not feed_title and authors and isinstance(authors[0], dict):
        feed_title = str(authors[0].get("name") or "").strip()
    entries = []
    for n, item in enumerate(feed["items"], start=1):
        if not isinstance(item, dict):
            entries.append({"n": n, "title": "", "url": "", "published": None, "raw_time": None})
            continue
        when = item.get("date_published") or item.get("date_modified")
        entries.append({"n": n, "title": re.sub(r"\s+", " ", str(item.get("title") or "")).strip(),
                        "url": str(item.get("url") or item.get("external_url") or "").strip(),
                        "published": _parse_time(str(when) if when else None, rfc822=False), "raw_time": when})
    return feed_title, entries


def parse_feed(data: bytes, origin: str = "<feed>") -> tuple[str, list[dict[str, Any]]]:
    """(feed title, entries) of an RSS 2.0, Atom or JSON Feed document."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _parse_json(data, origin)
    if head.startswith(b"<"):
        return _parse_xml(data, origin)
    raise UpstreamError(f"订阅源 {origin} 既不是 XML（RSS/Atom）也不是 JSON Feed")


class _Dumper(yaml.SafeDumper):
    """Indent list items under ``items:`` the way editors write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _dump(items: list[dict[str, str]], header: str) -> str:
    body = yaml.dump({"items": items}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=4096)
    return header + body


def _raw_entries(path: Path) -> list[dict[str, str]]:
    """The entries of a valid list file as written (all keys, text values), in file order."""
    root = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    out: list[dict[str, str]] = []
    if not isinstance(root, yaml.MappingNode):
        return out
    for key_node, seq in root.value:
        if key_node.value != "items" or not isinstance(seq, yaml.SequenceNode):
            continue
        for node in seq.value:
            if isinstance(node, yaml.MappingNode):
                out.append({str(k.value): str(v.value).strip() for k, v in node.value
                            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)})
    return out


def _leading_comments(path: Path) -> str:
    lead = []
    for line in path.read_text(encoding="utf-8-sig").split("\n"):
        if not line.startswith("#"):
            break
        lead.append(line)
    return "\n".join(lead) + "\n" if lead else ""


def import_feed(source: str | Path, dest_dir: Path, publisher: str | None = None, level: str = "国务院", *,
                filename: str | None = None, notes: list[str] | None = None) -> Path:
    """Merge a feed's items into ``dest_dir/<YYYY-MM>.yaml`` (month of the newest item) and return that path.

    Items are deduplicated by normalised URL against every list file in ``dest_dir`` (an entry already
    listed is kept as the editor wrote it). Times become Asia/Shanghai, minute precision. Items without
    title, link or a readable time are skipped and described in ``notes``. Raises :class:`UpstreamError`.
    """
    if level not in LEVELS:
        raise UpstreamError(f"层级「{level}」无效，可选：{' / '.join(LEVELS)}")
    notes = notes if notes is not None else []
    data, origin = _read_source(source)
    if len(data) > MAX_FEED_BYTES:
        raise UpstreamError(f"订阅源 {origin} 过大（超过 {MAX_FEED_BYTES // 1024 // 1024} MB）")
    feed_title, entries = parse_feed(data, origin)
    who = (publisher or "").strip() or feed_title
    if not who:
        raise UpstreamError(f"订阅源 {origin} 没有标题，无法确定发布单位：请用 --publisher 指定（如 中国政府网）")
    fresh: list[dict[str, str]] = []
    for e in entries:
        if not e["title"] or not is_http_url(e["url"]) or e["published"] is None:
            why = ("缺少标题" if not e["title"] else "缺少有效的 http(s) 链接" if not is_http_url(e["url"])
                   else f"发布时间「{e['raw_time'] or ''}」无法识别")
            notes.append(f"跳过第 {e['n']} 条（{e['title'] or e['url'] or '无标题'}）：{why}")
            continue
        fresh.append({"title": e["title"], "url": e["url"], "publisher": who,
                      "published": e["published"].strftime("%Y-%m-%d %H:%M"), "level": level})
    if not fresh:
        raise UpstreamError(f"订阅源 {origin} 中没有可导入的条目" + (f"（{'；'.join(notes)}）" if notes else ""))
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    newest = max(fresh, key=lambda x: x["published"])["published"]
    target = dest_dir / (filename or f"{newest[:7]}.yaml")
    # Refuse to merge into a broken list: the editor must fix it first (nothing is overwritten).
    _, problems = load_upstream(dest_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        where = f"{first.file.name}" + (f" 第 {first.line} 行" if first.line else "")
        raise UpstreamError(f"上级信息清单有错误，未导入（{where}：{first.message}）")
    existing_keys = set()
    for path in upstream_files(dest_dir):
        if path.resolve() != target.resolve():
            existing_keys |= {i.key for i in load_file(path)[0]}
    current: list[dict[str, str]] = []
    header = ""
    if target.exists():
        header = _leading_comments(target)
        current = _raw_entries(target)
    keys = existing_keys | {normalize_url(i["url"]) for i in current}
    added = 0
    for item in fresh:
        k = normalize_url(item["url"])
        if k in keys:
            continue
        keys.add(k)
        current.append(item)
        added += 1
    current.sort(key=lambda i: (i["published"], normalize_url(i["url"])))
    notes.append(f"新增 {added} 条，已存在 {len(fresh) - added} 条")
    fd, tmp = tempfile.mkstemp(prefix=".upstream-", suffix=".tmp", dir=dest_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_dump(current, header))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
