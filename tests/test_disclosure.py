"""政府信息公开 and annual reports (OPEN-001, OPEN-003, REPORT-001/002) on real builds of the minimal site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitekit import article, build, fill_blank_columns, hits, make_project

from govsite.build import BuildResult

MY_RULES = ("OPEN-001", "OPEN-003", "REPORT-001", "REPORT-002")
NOW = "2026-11-20T18:00"



def reports_in(root: Path, kind: str) -> list[Path]:
    return [p for p in (root / "content").rglob("*.md") if f"\nreport_kind: {kind}\n" in p.read_text(encoding="utf-8")]


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, now: str = NOW, files: dict[str, str] | None = None,
        settings: str = "", drop_reports: tuple[str, ...] = (), columns_sub: tuple[str, str] | None = None) -> BuildResult:
    monkeypatch.setenv("GOVSITE_NOW", now)
    root = make_project(tmp_path, sample=False, settings=settings)
    fill_blank_columns(root)
    for kind in drop_reports:
        for path in reports_in(root, kind):
            path.unlink()
    if columns_sub:
        path = root / "content" / "columns.yaml"
        text, n = re.subn(columns_sub[0], columns_sub[1], path.read_text(encoding="utf-8"), flags=re.M)
        assert n, columns_sub
        path.write_text(text, encoding="utf-8")
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root)
    assert result.run is not None
    crashed = {k: v for k, v in result.run.crashed.items() if k in MY_RULES}
    assert not crashed, crashed
    return result



def report(kind: str, year: int, date: str, *, title: str = "", body: str = "", category: str = "政府信息公开年报") -> str:
    title = title or (f"示例县人民政府{year}年政府信息公开工作年度报告" if kind == "信息公开年报"
                      else f"示例县人民政府门户网站{year}年政府网站工作年度报表")
    body = body or "本报表包括信息发布、专栏专题、解读回应、办事服务、互动交流、安全防护、移动新媒体、创新发展等情况。"
    return article(title, date=date, category=category, doc_type="report", source="示例县人民政府办公室",
                   extra=f"report_kind: {kind}\nreport_year: {year}", body=body)


def test_minimal_site_passes_disclosure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch)
    assert [f for f in r.findings if f.rule in MY_RULES] == []
    assert r.run.coverage["OPEN-001"] == 5 and r.run.coverage["REPORT-001"] >= 2


# ---- OPEN-001 ------------------------------------------------------------------------------------------
def test_renamed_disclosure_column_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, columns_sub=(r"^(\s*(?:- )?(?:name|parent)): 政府信息公开$", r"\1: 政务公开"))
    found = hits(r, "OPEN-001", "error")
    assert len(found) == 1 and "「政府信息公开」" in found[0].message and "政务公开" in found[0].message


def test_missing_child_column_and_news_in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    news = article("县领导调研政务公开工作", category="法定主动公开内容", doc_type="news")
    r = run(tmp_path, monkeypatch, columns_sub=(r"^(\s*- name): 政府信息公开制度$", r"\1: 信息公开制度"),
            files={"content/articles/open-news.md": news})
    assert [f.field for f in hits(r, "OPEN-001", "error")] == ["政府信息公开制度"]
    warned = hits(r, "OPEN-001", "warning")
    assert [(f.file, f.field) for f in warned] == [("content/articles/open-news.md", "category")]


# ---- OPEN-003 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("now,level,blocked", [
    ("2026-11-20T18:00", "county-portal", True),
    ("2026-03-20T18:00", "county-portal", False),  # government level: deadline 03-31
    ("2026-03-20T18:00", "department", True),  # departments: deadline 01-31
])
def test_open_annual_report_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, level: str,
                                     blocked: bool) -> None:
    r = run(tmp_path, monkeypatch, now=now, drop_reports=("信息公开年报",), settings=f'GOVSITE_LEVEL = "{level}"')
    found = hits(r, "OPEN-003", "error")
    assert bool(found) is blocked
    if blocked:
        assert "2025 年度" in found[0].message


def test_late_or_misnamed_open_report_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    late = report("信息公开年报", 2025, "2026-04-10 09:00", title="示例县2025年信息公开报告", category="通知公告")
    r = run(tmp_path, monkeypatch, drop_reports=("信息公开年报",), files={"content/articles/late-report.md": late})
    found = hits(r, "OPEN-003")
    assert sorted(f.field for f in found) == ["category", "date", "title"]
    assert {f.severity for f in found} == {"warning"}


# ---- REPORT-001 / REPORT-002 ---------------------------------------------------------------------------
def test_missing_site_report_fails_after_january(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, drop_reports=("网站年度报表",))
    found = hits(r, "REPORT-001", "error")
    assert len(found) == 1 and "2025 年度政府网站工作年度报表" in found[0].message


def test_site_report_not_due_before_february(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, now="2026-01-30T10:00", drop_reports=("网站年度报表",))
    assert hits(r, "REPORT-001") == []


def test_late_site_report_warns_and_sections_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    late = report("网站年度报表", 2025, "2026-02-05 09:00", body="本报表包括信息发布、办事服务和互动交流情况。")
    r = run(tmp_path, monkeypatch, drop_reports=("网站年度报表",), files={"content/articles/late-site.md": late})
    assert [(f.severity, f.field) for f in hits(r, "REPORT-001")] == [("warning", "date")]
    sections = hits(r, "REPORT-002")
    assert len(sections) == 1 and sections[0].severity == "warning"
    assert "专栏专题" in sections[0].message and "信息发布" not in sections[0].message


def test_site_report_must_stay_on_home_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # four newer reports push the 报表 out of the home page's 「年度报告」 block (gov.annual_reports(4))
    files = {f"content/articles/old-open-{y}.md": report("信息公开年报", y, f"2026-11-0{i + 1} 09:00",
                                                         title=f"示例县人民政府{y}年政府信息公开工作年度报告（补录）")
             for i, y in enumerate((2021, 2022, 2023, 2024))}
    r = run(tmp_path, monkeypatch, files=files)
    found = [f for f in hits(r, "REPORT-001", "error") if f.stage == "page"]
    assert len(found) == 1 and found[0].url == "/index.html" and "年度报表" in found[0].message
