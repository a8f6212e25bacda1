"""Jinja filters the theme uses (registered through JINJA_FILTERS in pelicanconf.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit


def host(url: str) -> str:
    return urlsplit(url or "").hostname or ""


def pubdate(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def ymd(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def urlquote(value: str) -> str:
    return quote(value or "", safe="")


def digits(value: str) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def author_name(value: Any) -> str:
    return getattr(value, "name", value) or ""


FILTERS = {"host": host, "pubdate": pubdate, "ymd": ymd, "urlquote": urlquote, "author_name": author_name, "digits": digits}
