"""Freshness (FRESH-002…007 ledger), site lifecycle (LIFE-001/002) on real builds of the minimal site.

The minimal site (tests/fixtures/minimal) has one document per column and passes every rule here at the
sample clock 2026-11-20 18:00; each test breaks one thing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitekit import article, build, fill_blank_columns, hits, make_project, vetoes

from govsite import ledger
from govsite.build import BuildResult
from govsite.columns import load_columns
from govsite.findings import Finding

NOW = "2026-11-20T18:00"
MY_RULES = ("FRESH-002", "FRESH-003", "FRESH-004", "FRESH-005", "FRESH-006", "FRESH-007", "LIFE-001", "LIFE-002")
LEDGER = "data/published_dates.json"
NEWS = "content/articles/news.md"


def column(name: str, slug: str, update: str, *, ctype: str = "工作动态", parent: str = "") -> str:
    return (f"  - name: {name}\n    slug: {slug}\n    type: {ctype}\n    description: 测试栏目{name}的描述。\n"
            f"    keywords: [测试]\n    update: {update}\n" + (f"    parent: {parent}\n" if parent else ""))



def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, now: str = NOW, files: dict[str, str] | None = None,
            columns: str = "", settings: str = "", remove: tuple[str, ...] = ()) -> Path:
    """The minimal compliant site (+ ``columns`` appended to columns.yaml, ``files`` added, ``remove`` deleted)."""
    monkeypatch.setenv("GOVSITE_NOW", now)
    root = make_project(tmp_path, sample=False, settings=settings)
    fill_blank_columns(root)
    if columns:
        with open(root / "content" / "columns.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n" + columns)
    for rel in remove:
        (root / rel).unlink()
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def run(root: Path) -> BuildResult:
    result = build(root)
    assert result.run is not None
    crashed = {k: v for k, v in result.run.crashed.items() if k in MY_RULES}
    assert not crashed, crashed
    return result




def mine(result: BuildResult, severity: str = "error") -> list[Finding]:
    return [f for f in result.findings if f.rule in MY_RULES and f.severity == severity]


# ---- the minimal site passes ----------------------------------------------------------------------
def test_minimal_site_passes_freshness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(project(tmp_path, monkeypatch))
    assert mine(r) == []
    for rid in ("FRESH-002", "FRESH-003", "FRESH-004", "FRESH-005", "FRESH-006", "LIFE-001"):
        assert rid in r.run.coverage, rid
    assert r.run.coverage["FRESH-005"] >= 14
    # no ledger yet: a warning, and every dated document waits to be recorded
    assert [f.severity for f in hits(r, "FRESH-007")] == ["warning"]
    assert NEWS.removeprefix("content/") in r.run.data["ledger_updates"]


# ---- FRESH-002 首页不更新 ------------------------------------------------------------------------
def test_home_not_updated_for_two_weeks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a future-dated item (FRESH-007) does not count as an update of the home page
    future = article("示例县召开明年工作会议", date="2026-12-20 09:00")
    r = run(project(tmp_path, monkeypatch, now="2026-12-03T18:00", files={"content/articles/future.md": future}))
    found = vetoes(r, "FRESH-002")
    assert len(found) == 1 and found[0].severity == "error"
    assert "2026-11-18 10:00" in found[0].message and "15 天" in found[0].message
    assert hits(r, "FRESH-007", "error")


# ---- FRESH-003 动态要闻 / 通知公告一级栏目 ----------------------------------------------------------------
def test_stale_dynamic_columns_warn_then_veto_at_five(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-12-03: 工作动态 (11-18) and 国务院及省政府信息 (11-17) are 15/16 days old → warnings
    r = run(project(tmp_path / "a", monkeypatch, now="2026-12-03T18:00"))
    warned = {f.field for f in hits(r, "FRESH-003", "warning")}
    assert {"工作动态", "国务院及省政府信息"} <= warned
    assert "通知公告" not in warned  # 23 days old: within six months
    assert bool(vetoes(r, "FRESH-003")) is (len(warned) >= 5)
    # five more stale dynamic columns → ≥ 5 → 单项否决
    cols = "".join(column(f"乡镇动态{i}", f"xzdt{i}", "dynamic") for i in range(5))
    files = {f"content/articles/xz{i}.md": article(f"乡镇动态{i}", date="2026-10-01 09:00", category=f"乡镇动态{i}")
             for i in range(5)}
    r = run(project(tmp_path / "b", monkeypatch, now="2026-12-03T18:00", columns=cols, files=files))
    found = vetoes(r, "FRESH-003")
    assert len(found) == 1 and found[0].severity == "error" and "乡镇动态4" in found[0].message
    assert {f"乡镇动态{i}" for i in range(5)} <= {f.field for f in hits(r, "FRESH-003", "warning")}


def test_notice_column_six_months(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = article("关于春季植树的通知", date="2026-05-01 09:00", category="通知公告", doc_type="notice")
    r = run(project(tmp_path, monkeypatch, files={"content/articles/notice.md": old}))
    assert "通知公告" in [f.field for f in hits(r, "FRESH-003", "warning")]
    # the window is a profile parameter
    r = run(project(tmp_path / "b", monkeypatch, files={"content/articles/notice.md": old},
                    settings='GOVSITE_RULES = {"FRESH-003": {"params": {"notice_policy_update_days": 240}}}'))
    assert "通知公告" not in [f.field for f in hits(r, "FRESH-003")]


# ---- FRESH-004 应更新栏目 ≥ 10 --------------------------------------------------------------------
@pytest.mark.parametrize("count,veto", [(9, False), (10, True)])
def test_ten_long_stale_columns_veto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, veto: bool) -> None:
    cols = "".join(column(f"规划{i}", f"gh{i}", "personnel_plan", ctype="数据发布") for i in range(count))
    files = {f"content/articles/gh{i}.md": article(f"十四五规划{i}", date="2025-09-01 09:00", category=f"规划{i}",
                                                   doc_type="notice") for i in range(count)}
    r = run(project(tmp_path, monkeypatch, columns=cols, files=files))
    assert len(hits(r, "FRESH-004", "warning")) == count
    assert bool(vetoes(r, "FRESH-004")) is veto
    assert not vetoes(r, "FRESH-003")  # personnel/plan columns are not FRESH-003 columns


# ---- FRESH-005 空白栏目 ---------------------------------------------------------------------------
BLANK = column("空栏目", "klm", "static", ctype="信息公开目录")


def test_any_blank_column_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(project(tmp_path, monkeypatch, columns=BLANK))
    found = hits(r, "FRESH-005")
    assert [(f.severity, f.field) for f in found] == [("error", "空栏目")]
    assert found[0].file == "content/columns.yaml" and found[0].line
    assert not vetoes(r, "FRESH-005")


def test_blank_threshold_is_a_profile_parameter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(project(tmp_path, monkeypatch, columns=BLANK,
                    settings='GOVSITE_RULES = {"FRESH-005": {"params": {"blank_column_error": 5}}}'))
    assert [f.severity for f in hits(r, "FRESH-005")] == ["warning"]


def test_five_blank_columns_veto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cols = "".join(column(f"空栏目{i}", f"klm{i}", "static", ctype="信息公开目录") for i in range(5))
    r = run(project(tmp_path, monkeypatch, columns=cols))
    assert {f.field for f in hits(r, "FRESH-005", "error") if f.field} == {f"空栏目{i}" for i in range(5)}
    assert len(vetoes(r, "FRESH-005")) == 1
    # a link-only column is never blank
    link = column("省政务服务网", "zwfw", "service", ctype="办事服务") + "    link: https://zwfw.yn.gov.cn/\n"
    r = run(project(tmp_path / "b", monkeypatch, columns=link))
    assert hits(r, "FRESH-005") == []


# ---- FRESH-006 基本信息 ---------------------------------------------------------------------------
def test_basic_info_columns_on_portals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "a", monkeypatch)
    path = root / "content" / "columns.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: 机构职能\n", "type: 信息公开目录\n"), encoding="utf-8")
    found = hits(run(root), "FRESH-006")
    assert "机构职能" in [f.field for f in found] and all(f.severity == "warning" for f in found)
    root = project(tmp_path / "b", monkeypatch)
    if not any(c.column_type == "机构职能" for c in load_columns(root / "content" / "columns.yaml").columns):
        with open(root / "content" / "columns.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n" + column("机构职能", "jgzn", "static", ctype="机构职能"))
        (root / "content/articles/jgzn.md").write_text(
            article("示例县人民政府工作部门职能", date="2026-03-01 09:00", category="机构职能", doc_type="notice"),
            encoding="utf-8")
    assert [f for f in hits(run(root), "FRESH-006") if "没有类别" in f.message] == []
    # more than 365 days later every basic-information column needs a review
    monkeypatch.setenv("GOVSITE_NOW", "2028-01-01T10:00")
    basic = {c.name for c in load_columns(root / "content" / "columns.yaml").columns
             if c.column_type in ("概况信息", "机构职能", "负责人信息") and not c.link}
    assert basic <= {f.field for f in hits(run(root), "FRESH-006")}


# ---- FRESH-007 part 2: the date ledger -------------------------------------------------------------
def with_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs) -> Path:  # type: ignore[no-untyped-def]
    root = project(tmp_path, monkeypatch, **kwargs)
    ledger.init(root)
    return root


def test_init_is_deterministic_and_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = with_ledger(tmp_path, monkeypatch)
    first = (root / LEDGER).read_bytes()
    data = json.loads(first)
    assert data["version"] == 1
    entry = data["documents"]["articles/news.md"]
    assert entry == {"date": "2026-11-18 10:00", "first_seen": "2026-11-20 18:00", "title": "示例县召开冬季安全生产工作会议"}
    assert not any(k.startswith("pages/") for k in data["documents"])  # single pages have no date
    assert list(data["documents"]) == sorted(data["documents"])
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-25T10:00")
    ledger.init(root)  # first_seen of unchanged documents is kept
    assert (root / LEDGER).read_bytes() == first
    assert ledger.main(["init", "--root", str(root)]) == 0
    assert (root / LEDGER).read_bytes() == first


def test_changed_date_fails_unless_justified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    moved = article("示例县召开冬季安全生产工作会议", date="2026-11-19 10:00", source="示例县应急管理局",
                    body="会议部署了冬季安全生产重点工作。")
    root = with_ledger(tmp_path, monkeypatch)
    (root / NEWS).write_text(moved, encoding="utf-8")
    r = run(root)
    found = hits(r, "FRESH-007", "error")
    assert len(found) == 1 and found[0].file == NEWS and found[0].field == "date" and found[0].line == 2
    assert "2026-11-18 10:00" in found[0].message and "2026-11-19 10:00" in found[0].message
    justified = moved.replace("source: 示例县应急管理局\n", "source: 示例县应急管理局\ndate_justification: 录入错误，经办公室审核更正\n")
    (root / NEWS).write_text(justified, encoding="utf-8")
    assert hits(run(root), "FRESH-007") == []


def test_backdated_new_document_fails_unless_justified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = with_ledger(tmp_path, monkeypatch)
    (root / "content/articles/late.md").write_text(article("示例县开展秋季征兵体检", date="2026-11-10 09:00"),
                                                   encoding="utf-8")
    (root / "content/articles/fresh.md").write_text(article("示例县开展冬季送温暖活动", date="2026-11-19 09:00"),
                                                    encoding="utf-8")
    r = run(root)
    found = hits(r, "FRESH-007", "error")
    assert [(f.file, f.field) for f in found] == [("content/articles/late.md", "date")]
    assert "倒签" in found[0].message
    (root / "content/articles/late.md").write_text(
        article("示例县开展秋季征兵体检", date="2026-11-10 09:00", extra="date_justification: 历史档案迁移（原网站 2026-11-10 发布）"),
        encoding="utf-8")
    r = run(root)
    assert hits(r, "FRESH-007") == []
    assert set(r.run.data["ledger_updates"]) == {"articles/late.md", "articles/fresh.md"}


def test_ledger_is_updated_only_by_a_passing_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = with_ledger(tmp_path, monkeypatch)
    before = (root / LEDGER).read_bytes()
    (root / "content/articles/late.md").write_text(article("示例县开展秋季征兵体检", date="2026-11-10 09:00"),
                                                   encoding="utf-8")
    r = run(root)
    assert not r.ok and "articles/late.md" in r.run.data["ledger_updates"]
    assert ledger.commit(r.run) is False
    assert (root / LEDGER).read_bytes() == before
    (root / "content/articles/late.md").write_text(article("示例县开展秋季征兵体检", date="2026-11-19 09:00"),
                                                   encoding="utf-8")
    r = run(root)
    assert r.ok, [f for f in r.findings if f.severity == "error"]
    ledger.commit(r.run)  # the driver's hook after publish (idempotent if the driver already did it)
    docs = json.loads((root / LEDGER).read_text(encoding="utf-8"))["documents"]
    assert docs["articles/late.md"] == {"date": "2026-11-19 09:00", "first_seen": "2026-11-20 18:00",
                                        "title": "示例县开展秋季征兵体检"}
    assert ledger.commit(r.run) is False  # nothing pending any more
    # the recorded date now binds later builds
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-22T09:00")
    (root / "content/articles/late.md").write_text(article("示例县开展秋季征兵体检", date="2026-11-21 09:00"),
                                                   encoding="utf-8")
    assert hits(run(root), "FRESH-007", "error")


def test_renamed_file_keeps_its_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = with_ledger(tmp_path, monkeypatch)
    (root / "content/articles/plan.md").rename(root / "content/articles/plan-2026.md")
    r = run(root)
    assert hits(r, "FRESH-007") == []
    assert r.run.data["ledger_updates"]["articles/plan-2026.md"]["moved_from"] == "articles/plan.md"


def test_unreadable_ledger_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(project(tmp_path, monkeypatch, files={LEDGER: "{not json"}))
    found = hits(r, "FRESH-007", "error")
    assert len(found) == 1 and found[0].file == LEDGER
    assert ledger.commit(r.run) is False and (r.run.root / LEDGER).read_text(encoding="utf-8") == "{not json"


def test_ledger_file_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch, settings='GOVSITE_LEDGER_FILE = "ledger/dates.json"')
    ledger.init(root)
    assert (root / "ledger/dates.json").is_file() and not (root / LEDGER).exists()
    (root / NEWS).write_text(article("示例县召开冬季安全生产工作会议", date="2026-11-19 10:00"), encoding="utf-8")
    assert hits(run(root), "FRESH-007", "error")


# ---- LIFE-001 closure / migration notices -------------------------------------------------------------
NOTICE = "content/articles/offline.md"


def offline(extra: str, date: str = "2026-11-19 09:00", title: str = "关于示例县人民政府门户网站迁移的公告") -> str:
    return article(title, date=date, category="通知公告", doc_type="notice",
                   source="示例县人民政府办公室", extra="offline_notice: migration\n" + extra)


def test_offline_notice_names_the_new_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {  # file → (metadata, the field reported)
        "content/articles/n1.md": ("new_site_name: 示例市人民政府\n", "new_site_url"),
        "content/articles/n2.md": ("new_site_name: 示例市人民政府\nnew_site_url: https://www.example.com/\n", "new_site_url"),
        "content/articles/n3.md": ("new_site_url: https://www.example-city.gov.cn/\n", "new_site_name"),
    }
    files = {path: offline(extra, title=f"关于网站迁移的公告{i}") for i, (path, (extra, _)) in enumerate(cases.items())}
    r = run(project(tmp_path, monkeypatch, files=files))
    site = sorted((f.file, f.field) for f in hits(r, "LIFE-001", "error") if f.stage == "site")
    assert site == sorted((path, field) for path, (_, field) in cases.items())


def test_offline_notice_linked_from_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = offline("new_site_name: 示例市人民政府\nnew_site_url: https://www.example-city.gov.cn/\n")
    r = run(project(tmp_path, monkeypatch, files={NOTICE: good}))
    assert [f for f in hits(r, "LIFE-001") if f.stage == "site"] == []
    from checks.freshness import home_links
    from govsite.htmlpage import Page

    home = Page("index.html", file=r.run.root / "output" / "index.html")  # pages are read from disk on demand

    linked = "/tzgg/202611/t20261119_offline.html" in home_links(home)
    page = [f for f in hits(r, "LIFE-001", "error") if f.stage == "page"]
    assert bool(page) is not linked  # the theme must link gov.home_notices() on the home page


@pytest.mark.parametrize("date,blocked", [("2026-11-10 09:00", True), ("2026-10-01 09:00", False)])
def test_offline_notice_kept_thirty_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, date: str, blocked: bool) -> None:
    root = with_ledger(tmp_path, monkeypatch)
    data = json.loads((root / LEDGER).read_text(encoding="utf-8"))
    data["documents"]["articles/offline.md"] = {"date": date, "first_seen": date, "title": "关于网站迁移的公告",
                                                "offline_notice": "migration"}
    (root / LEDGER).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = run(root)
    found = hits(r, "LIFE-001", "error")
    assert bool(found) is blocked
    if blocked:
        assert "2026-12-10" in found[0].message and found[0].file == "content/articles/offline.md"


# ---- LIFE-002 temporary offline log --------------------------------------------------------------------
@pytest.mark.parametrize("log,count", [
    ('[{"start": "2026-03-01", "end": "2026-03-10", "reason": "机房搬迁"}]', 0),
    # 46 days; a second window within 365 days; a window without a reason
    ('[{"start": "2025-12-01", "end": "2026-01-15", "reason": "改版"}, {"start": "2026-06-01", "end": "2026-06-03"}]', 3),
])
def test_temporary_offline_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: str, count: int) -> None:
    r = run(project(tmp_path, monkeypatch, settings=f"GOVSITE_TEMP_OFFLINE_LOG = {log}"))
    found = hits(r, "LIFE-002")
    assert len(found) == count and all(f.severity == "warning" and f.field == "GOVSITE_TEMP_OFFLINE_LOG" for f in found)
