"""One findings model for every stage: what is wrong, where, which rule, which clause, how to fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    severity: str
    message: str
    file: str | None = None  # source file relative to the project root
    line: int | None = None
    url: str | None = None  # output URL path, e.g. /news/2026/x.html
    selector: str | None = None
    field: str | None = None  # metadata key or setting name
    fix: str = ""
    clause: str = ""
    stage: str = ""
    extra: tuple[tuple[str, Any], ...] = dc_field(default=(), compare=False)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        if self.file:
            loc = self.file + (f":{self.line}" if self.line else "")
        elif self.url:
            loc = self.url + (f" {self.selector}" if self.selector else "")
        else:
            loc = "（全站）"
        return loc + (f" [{self.field}]" if self.field else "")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["extra"] = dict(self.extra)
        return data

    def sort_key(self) -> tuple:
        return (self.file or "~", self.line or 0, self.url or "", self.rule, self.message, self.selector or "")
