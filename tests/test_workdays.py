"""Working-day arithmetic: official 2026 calendar (chinesecalendar), 调休 weekends, override files, missing years."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from govsite import workdays
from govsite.workdays import CalendarFileError, CalendarMissing, WorkCalendar, calendar


@pytest.fixture
def cal(tmp_path: Path) -> WorkCalendar:
    """The library calendar only: an empty override directory."""
    return WorkCalendar(tmp_path / "empty")


def test_holiday_spanning_due_date_lands_on_tiaoxiu_saturday(cal: WorkCalendar) -> None:
    # Wed 2026-09-30; 10-01..10-07 国庆 holidays; Thu 10-08, Fri 10-09, Sat 10-10 (调休 working day).
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0


def test_tiaoxiu_weekend_days_are_workdays_and_holidays_are_not(cal: WorkCalendar) -> None:
    assert date(2026, 9, 20).weekday() == 6 and cal.is_workday(date(2026, 9, 20))  # Sunday 调休 (中秋)
    assert date(2026, 10, 10).weekday() == 5 and cal.is_workday(date(2026, 10, 10))  # Saturday 调休 (国庆)
    assert not cal.is_workday(date(2026, 9, 25))  # Friday 中秋节
    assert not cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 9, 19))  # an ordinary Saturday
    # Fri 09-18 + 3 working days: Sun 09-20 (调休), Mon 09-21, Tue 09-22 — "weekdays only" would say 09-23.
    assert cal.add_workdays(date(2026, 9, 18), 3) == date(2026, 9, 22)


def test_zero_negative_and_datetime_inputs(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)  # n=0: the day itself, even a holiday
    assert cal.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert cal.add_workdays(datetime(2026, 9, 30, 23, 59), 1) == date(2026, 10, 8)
    assert cal.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert cal.workdays_between(date(2026, 5, 6), date(2026, 5, 6)) == 0


def test_add_and_between_are_inverse_over_2026(cal: WorkCalendar) -> None:
    start = date(2026, 1, 1)
    for offset in range(0, 340, 7):
        d = start + timedelta(days=offset)
        for n in (1, 3, 5, 20):
            due = cal.add_workdays(d, n)
            assert cal.is_workday(due)
            assert cal.workdays_between(d, due) == n
            assert cal.workdays_between(d, due - timedelta(days=1)) == n - 1


def test_missing_year_raises_calendar_missing_naming_the_file(tmp_path: Path) -> None:
    cal = WorkCalendar(tmp_path / "hol")
    with pytest.raises(CalendarMissing) as info:
        cal.add_workdays(date(2026, 12, 30), 3)  # runs into 2027: chinesecalendar 1.11 stops at 2026
    exc = info.value
    assert exc.year == 2027
    assert exc.path == tmp_path / "hol" / "2027.yaml"
    assert "2027.yaml" in exc.message and "2027" in exc.message
    assert "holidays:" in exc.fix and "workdays:" in exc.fix and "source:" in exc.fix


def test_default_directory_names_data_holidays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSITE_HOLIDAYS_DIR", raising=False)
    if (workdays.DEFAULT_DIR / "2099.yaml").exists():
        pytest.skip("someone checked in a 2099 calendar")
    with pytest.raises(CalendarMissing) as info:
        workdays.is_workday(date(2099, 1, 5))
    assert "data/holidays/2099.yaml" in info.value.message


OVERRIDE_2027 = """source: 测试用 2027 年安排（虚构）
holidays: [2027-01-01, 2027-01-07, 2027-01-08]
workdays: [2027-01-09]
"""


def test_override_file_for_a_year_the_library_lacks(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(OVERRIDE_2027, encoding="utf-8")
    cal = WorkCalendar(tmp_path)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))  # Saturday 调休
    # Thu 2026-12-31 (library) + 1 → Fri 2027-01-01 is off, weekend → Mon 2027-01-04 (file)
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert cal.add_workdays(date(2027, 1, 6), 3) == date(2027, 1, 12)  # 9 (Sat 调休), 11, 12
    assert cal.source(2027).endswith("2027.yaml")


def test_override_file_is_used_before_the_library(tmp_path: Path) -> None:
    (tmp_path / "2026.yaml").write_text("source: 测试\nholidays: []\nworkdays: []\n", encoding="utf-8")
    cal = WorkCalendar(tmp_path)
    assert cal.is_workday(date(2026, 10, 1))  # the file says no holidays at all in 2026
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 5)


def test_directory_from_setting_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hol").mkdir()
    (tmp_path / "hol" / "2027.yaml").write_text(OVERRIDE_2027, encoding="utf-8")
    assert not calendar({"GOVSITE_HOLIDAYS_DIR": "hol"}, tmp_path).is_workday(date(2027, 1, 7))
    monkeypatch.setenv("GOVSITE_HOLIDAYS_DIR", str(tmp_path / "hol"))
    assert not workdays.is_workday(date(2027, 1, 7))
    assert workdays.add_workdays(date(2027, 1, 6), 1) == date(2027, 1, 9)
    assert workdays.workdays_between(date(2027, 1, 6), date(2027, 1, 11)) == 2


@pytest.mark.parametrize("text, needle", [
    ("holidays: [2027-01-01]\n", "source"),
    ("source: x\nholidays: [2026-10-01]\n", "不属于 2027 年"),
    ("source: x\nworkdays: [2027-01-04]\n", "周一至周五"),
    ("source: x\nholidays: [2027/01/01]\n", "YYYY-MM-DD"),
    ("source: x\nholidays: [2027-01-09]\nworkdays: [2027-01-09]\n", "同时出现"),
    ("source: x\nholidays: 2027-01-01\n", "日期列表"),
    ("source: [unclosed\n", "YAML"),
])
def test_broken_override_file_is_a_clear_error(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "2027.yaml").write_text(text, encoding="utf-8")
    cal = WorkCalendar(tmp_path)
    with pytest.raises(CalendarFileError) as info:
        cal.is_workday(date(2027, 3, 1))
    assert needle in info.value.message
    assert [e.path.name for e in cal.file_problems()] == ["2027.yaml"]
