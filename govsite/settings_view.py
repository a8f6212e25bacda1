"""Settings as a config-stage item: values plus the line in pelicanconf.py where each is set."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping


class SettingsItem:
    def __init__(self, settings: Mapping[str, Any], file: str = "pelicanconf.py", root: Path | None = None):
        self.settings = settings
        self.file = file
        self.root = root or Path(settings.get("PATH", ".")).resolve().parent

    def get(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    @cached_property
    def _lines(self) -> dict[str, int]:
        path = self.root / self.file
        out: dict[str, int] = {}
        try:
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = re.match(r"^([A-Z][A-Z0-9_]*)\s*=", line)
                if m and m.group(1) not in out:
                    out[m.group(1)] = i
        except OSError:
            pass
        return out

    def line(self, name: str) -> int | None:
        return self._lines.get(name)
