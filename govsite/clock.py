"""The one place every time-dependent rule reads "now" from.

Order: env ``GOVSITE_NOW`` (ISO 8601) > setting ``GOVSITE_FROZEN_NOW`` > the wall clock.
Naive values are taken as Asia/Shanghai; aware values are converted to it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


class ClockError(ValueError):
    """A "now" override that cannot be parsed."""


def parse_now(value: str, origin: str) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ClockError(
            f"{origin} 的值「{value}」不是 ISO 8601 时间（例如 2026-11-20T10:00 或 2026-11-20 10:00+08:00）"
        ) from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI)


def now(settings: Mapping[str, Any] | None = None) -> datetime:
    env = os.environ.get("GOVSITE_NOW")
    if env:
        return parse_now(env, "环境变量 GOVSITE_NOW")
    frozen = (settings or {}).get("GOVSITE_FROZEN_NOW")
    if frozen:
        if isinstance(frozen, datetime):
            return frozen if frozen.tzinfo else frozen.replace(tzinfo=SHANGHAI)
        return parse_now(str(frozen), "设置 GOVSITE_FROZEN_NOW")
    return datetime.now(SHANGHAI).replace(microsecond=0)


def to_shanghai(value: datetime) -> datetime:
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)
