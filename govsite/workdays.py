"""Working-day arithmetic with the official Chinese calendar (法定节假日 and 调休 working weekends).

Where a year's calendar comes from, in order:

1. a checked-in override file ``<holidays dir>/<year>.yaml`` (deterministic, editable by the site team)::

       source: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
       holidays: [2027-01-01, ...]   # 放假的周一至周五（周末可写可不写）
       workdays: [2027-02-20, ...]   # 调休上班的周六、周日

   The file defines the whole year: every Monday–Friday not in ``holidays`` and every weekend day in
   ``workdays`` is a working day.
2. the ``chinesecalendar`` package (its data is refreshed each December; 1.11 stops at 2026);
3. otherwise :class:`CalendarMissing` — never a silent "Monday to Friday" guess.

The holidays directory is the Pelican setting ``GOVSITE_HOLIDAYS_DIR`` (relative to the project root), else the
environment variable ``GOVSITE_HOLIDAYS_DIR``, else ``<repo>/data/holidays``.

Semantics (all dates are calendar dates in Beijing time; datetimes are truncated to their date):

* ``add_workdays(d, n)`` — the due date of "within n working days after d": the n-th working day after d
  (d itself is not counted). ``n == 0`` returns d itself (same day, working day or not); ``n < 0`` returns
  the |n|-th working day before d.
* ``workdays_between(a, b)`` — the number of working days after a up to and including b (negative when b < a).
  ``workdays_between(d, add_workdays(d, n)) == n`` for every n ≥ 1.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "data" / "holidays"
ENV_VAR = "GOVSITE_HOLIDAYS_DIR"
SETTING = "GOVSITE_HOLIDAYS_DIR"
YEAR_FILE_RE = re.compile(r"^(\d{4})\.ya?ml$")
MAX_STEPS = 366 * 20  # no sane deadline spans more than 20 years of days

FORMAT_HINT = (
    "文件格式（YAML）：source: 国务院办公厅关于{year}年部分节假日安排的通知（文号）；"
    "holidays: [{year}-01-01, …]（因节假日放假的周一至周五）；"
    "workdays: [{year}-…]（调休上班的周六、周日）。日期写成 YYYY-MM-DD"
)


class CalendarError(Exception):
    """A year's working-day calendar cannot be used. ``message``/``fix`` are Chinese, for editors."""

    def __init__(self, year: int, path: Path, message: str, fix: str, line: int | None = None):
        super().__init__(message)
        self.year = year
        self.path = path  # the override file to add or fix
        self.message = message
        self.fix = fix
        self.line = line


class CalendarMissing(CalendarError):
    """Neither an override file nor the chinesecalendar package covers the year."""

    def __init__(self, year: int, path: Path, library: str = ""):
        lib = library or "chinesecalendar 未安装"
        message = f"缺少 {year} 年的法定节假日和调休安排（{lib}，也没有节假日文件 {display_path(path)}）"
        fix = (f"按国务院办公厅发布的《关于{year}年部分节假日安排的通知》新增文件 {display_path(path)}。"
               + FORMAT_HINT.format(year=year))
        super().__init__(year, path, message, fix)


class CalendarFileError(CalendarError):
    """An override file exists but cannot be read or is wrong."""


def display_path(path: Path) -> str:
    for base in (Path.cwd(), REPO):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _library() -> tuple[Any, str, tuple[int, int] | None]:
    """The chinesecalendar module, its name and version, and its (first, last) year — or (None, why, None)."""
    try:
        import chinese_calendar
        from chinese_calendar.constants import holidays as lib_holidays
    except ImportError:
        return None, "chinesecalendar 未安装", None
    name = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    years = sorted({d.year for d in lib_holidays})
    if not years:
        return None, f"{name} 没有数据", None
    return chinese_calendar, name, (years[0], years[-1])


@dataclass(frozen=True)
class YearRules:
    year: int
    source: str  # where the year's data came from (file path or library)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    library: Any = None

    def is_workday(self, d: date) -> bool:
        if self.library is not None:
            return bool(self.library.is_workday(d))
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def parse_year_file(path: Path, year: int) -> YearRules:
    """Read and validate ``<year>.yaml``; raise :class:`CalendarFileError` with a Chinese explanation."""
    shown = display_path(path)
    hint = FORMAT_HINT.format(year=year)

    def fail(message: str, line: int | None = None, fix: str = hint) -> CalendarFileError:
        return CalendarFileError(year, path, f"节假日文件 {shown}：{message}", fix, line)

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise fail("不是 UTF-8 编码", fix="用编辑器另存为 UTF-8") from exc
    except OSError as exc:
        raise fail(f"无法读取（{exc.strerror or exc}）", fix="检查文件权限") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise fail(f"YAML 格式有误：{getattr(exc, 'problem', None) or exc}",
                   line=mark.line + 1 if mark is not None else None) from exc
    if not isinstance(data, dict):
        raise fail("顶层应是「键: 值」映射，包含 source、holidays、workdays")
    unknown = sorted(str(k) for k in data if k not in ("source", "holidays", "workdays"))
    if unknown:
        raise fail(f"未知的键 {'、'.join(unknown)}", line=_line_of(text, unknown[0]))
    source = str(data.get("source") or "").strip()
    if not source:
        raise fail("缺少 source（节假日安排的出处，如国务院办公厅通知的名称和文号）", line=1)
    parsed: dict[str, set[date]] = {}
    for key in ("holidays", "workdays"):
        raw = data.get(key)
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise fail(f"{key} 应是日期列表，例如 {key}: [{year}-01-01]", line=_line_of(text, key))
        days: set[date] = set()
        for item in raw:
            d = item if isinstance(item, date) and not isinstance(item, datetime) else None
            if d is None and isinstance(item, str):
                m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", item.strip())
                try:
                    d = date(*(int(x) for x in m.groups())) if m else None
                except ValueError:
                    d = None
            if d is None:
                raise fail(f"{key} 中的「{item}」不是 YYYY-MM-DD 格式的日期", line=_line_of(text, str(item)))
            if d.year != year:
                raise fail(f"{key} 中的 {d} 不属于 {year} 年（每个文件只写一年）", line=_line_of(text, str(d)),
                           fix=f"把 {d} 移到 {d.year}.yaml")
            if key == "workdays" and d.weekday() < 5:
                raise fail(f"workdays 中的 {d} 是周一至周五，本来就是工作日；workdays 只写调休上班的周六、周日",
                           line=_line_of(text, str(d)), fix="核对通知中的调休日期")
            days.add(d)
        parsed[key] = days
    both = sorted(parsed["holidays"] & parsed["workdays"])
    if both:
        raise fail(f"{both[0]} 同时出现在 holidays 和 workdays 中", line=_line_of(text, str(both[0])))
    return YearRules(year=year, source=shown, holidays=frozenset(parsed["holidays"]),
                     workdays=frozenset(parsed["workdays"]))


_FILE_CACHE: dict[tuple[str, int, int, int], YearRules] = {}


class WorkCalendar:
    """The working-day calendar for one holidays directory."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory else default_dir()
        self._years: dict[int, YearRules] = {}

    def override_path(self, year: int) -> Path:
        yml = self.directory / f"{year}.yml"
        return yml if yml.is_file() and not (self.directory / f"{year}.yaml").is_file() else self.directory / f"{year}.yaml"

    def year(self, year: int) -> YearRules:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        path = self.override_path(year)
        if path.is_file():
            st = path.stat()
            key = (str(path.resolve()), year, st.st_mtime_ns, st.st_size)
            rules = _FILE_CACHE.get(key)
            if rules is None:
                rules = _FILE_CACHE[key] = parse_year_file(path, year)
        else:
            lib, name, span = _library()
            if lib is None or span is None:
                raise CalendarMissing(year, path, name)
            if not span[0] <= year <= span[1]:
                raise CalendarMissing(year, path, f"{name} 只收录 {span[0]}–{span[1]} 年")
            rules = YearRules(year=year, source=name, library=lib)
        self._years[year] = rules
        return rules

    def source(self, year: int) -> str:
        """Where ``year``'s calendar comes from (override file or library)."""
        return self.year(year).source

    def is_workday(self, d: date | datetime) -> bool:
        d = _as_date(d)
        return self.year(d.year).is_workday(d)

    def add_workdays(self, d: date | datetime, n: int) -> date:
        d = _as_date(d)
        if n == 0:
            return d
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        cur = d
        for _ in range(MAX_STEPS):
            cur += step
            if self.is_workday(cur):
                left -= 1
                if left == 0:
                    return cur
        raise ValueError(f"add_workdays: {n} working days from {d} is out of range")

    def workdays_between(self, a: date | datetime, b: date | datetime) -> int:
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        if (b - a).days > MAX_STEPS:
            raise ValueError(f"workdays_between: {a}..{b} is out of range")
        count = 0
        cur = a
        while cur < b:
            cur += timedelta(days=1)
            if self.is_workday(cur):
                count += 1
        return count

    def file_problems(self) -> list[CalendarFileError]:
        """Every broken ``<year>.yaml`` in the directory (whether or not a build needs that year)."""
        out: list[CalendarFileError] = []
        if not self.directory.is_dir():
            return out
        for path in sorted(self.directory.iterdir()):
            m = YEAR_FILE_RE.match(path.name)
            if not m or not path.is_file():
                continue
            try:
                parse_year_file(path, int(m.group(1)))
            except CalendarFileError as exc:
                out.append(exc)
        return out


def default_dir() -> Path:
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env) if env else DEFAULT_DIR


def holidays_dir(settings: Mapping[str, Any] | None = None, root: Path | None = None) -> Path:
    """Setting ``GOVSITE_HOLIDAYS_DIR`` (relative to the project root) > env ``GOVSITE_HOLIDAYS_DIR`` > default."""
    value = (settings or {}).get(SETTING)
    if value:
        p = Path(str(value))
        return p if p.is_absolute() or root is None else root / p
    return default_dir()


def calendar(settings: Mapping[str, Any] | None = None, root: Path | None = None) -> WorkCalendar:
    return WorkCalendar(holidays_dir(settings, root))


# ---- module-level API on the default calendar ------------------------------------------------------------
def is_workday(d: date | datetime) -> bool:
    return WorkCalendar().is_workday(d)


def add_workdays(d: date | datetime, n: int) -> date:
    return WorkCalendar().add_workdays(d, n)


def workdays_between(a: date | datetime, b: date | datetime) -> int:
    return WorkCalendar().workdays_between(a, b)
