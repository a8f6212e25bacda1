"""政策文件 ↔ 政策解读 rules on real Pelican builds: INTERP-001/002/003/004/006, OPEN-002, POLICY-001,
LAYOUT-009 and CALENDAR-001 (working days with the official calendar, incl. 调休 and override files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import article, build, hits, make_project

from govsite.build import BuildResult
from govsite.findings import Finding

NOW = "2026-11-20T18:00"
NUM = "示政发〔2026〕3号"
POLICY_PATH = "content/articles/zcwj/p1.md"
INTERP_PATH = "content/articles/zcjd/i1.md"
MY_RULES = ("INTERP-001", "INTERP-002", "INTERP-003", "INTERP-004", "INTERP-006", "OPEN-002", "POLICY-001",
            "LAYOUT-009", "CALENDAR-001")


def policy(num: str = NUM, *, date: str = "2026-09-30 10:00", signed: str = "2026-09-28", validity: str = "有效",
           slug: str = "p1", extra: str = "") -> str:
    return article("示例县人民政府关于印发示例县农村供水管理办法的通知", date=date, category="政策文件", doc_type="policy",
                   source="示例县人民政府办公室",
                   extra=f"doc_number: {num}\nissuer: 示例县人民政府\nsigned_date: {signed}\n"
                         f"index_number: 11539999MB0000000X/2026-00031\nvalidity: {validity}\nslug: {slug}\n{extra}",
                   body="各乡（镇）人民政府，县直各部门：现将《示例县农村供水管理办法》印发给你们，请认真贯彻执行。")


def interp(ref: str = NUM, *, date: str = "2026-09-30 10:00", form: str = "图解", slug: str = "i1", extra: str = "",
           body: str = "一图读懂农村供水管理办法的主要内容。") -> str:
    return article("图解：示例县农村供水管理办法", date=date, category="政策解读", doc_type="interpretation",
                   source="示例县水务局", extra=f"interprets: {ref}\nform: {form}\nslug: {slug}\n{extra}", body=body)


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], *, now: str = NOW,
        settings: str = "") -> BuildResult:
    """Build the minimal compliant site without its own policy/interpretation, plus ``files``."""
    monkeypatch.setenv("GOVSITE_NOW", now)
    root = make_project(tmp_path, sample=False, settings=settings)
    for path in (root / "content").rglob("*.md"):  # the fixture's own policy/interpretation would interfere
        head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        if "\ntype: policy" in head or "\ntype: interpretation" in head:
            path.unlink()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root)
    assert result.run is not None
    assert not set(result.run.crashed) & set(MY_RULES), result.run.crashed  # a crash is never a finding here
    return result



def mine(result: BuildResult) -> list[Finding]:
    return [f for f in result.findings if f.rule in MY_RULES]


# ---- happy path ----------------------------------------------------------------------------------------------
def test_on_time_interpretation_linked_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(), INTERP_PATH: interp(date="2026-10-09 09:00")})
    assert mine(r) == []
    cov = r.run.coverage
    assert cov["INTERP-002"] == 1 and cov["OPEN-002"] == 1
    # INTERP-003 runs on every page; the policy page and the interpretation page were the ones it checked.
    assert cov["INTERP-003"] > 0 and sorted(r.run.data["collected"]["INTERP-003@page"]) == [
        "zcjd/202610/t20261009_i1.html", "zcwj/202609/t20260930_p1.html"]
    assert cov["INTERP-004"] == 0  # national profile: no media ratio, nothing measured
    site = r.run.data["output_site"]  # the built pages as the page stage saw them
    assert 'href="/zcjd/202610/t20261009_i1.html"' in site.by_path["zcwj/202609/t20260930_p1.html"].text
    assert 'href="/zcwj/202609/t20260930_p1.html"' in site.by_path["zcjd/202610/t20261009_i1.html"].text


def test_minimal_fixture_passes_these_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_NOW", NOW)
    r = build(make_project(tmp_path, sample=False))
    assert [f for f in mine(r) if f.severity == "error"] == []
    assert r.run.coverage["INTERP-001"] >= 2


# ---- INTERP-001: pending window, due today, overdue, exemptions ----------------------------------------------
def test_missing_interpretation_pending_and_due_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # now = Sat 2026-10-10 (调休 working day). p1 (Wed 09-30) is due today; p2 (Thu 10-08) is due 10-12
    # (10-09, 10-10, 10-12), with 10-12 the only working day left after today.
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(),
                                    "content/articles/zcwj/p2.md": policy("示政发〔2026〕4号", slug="p2",
                                                                          date="2026-10-08 09:00")},
            now="2026-10-10T09:00")
    found = sorted(hits(r, "INTERP-001"), key=lambda f: f.file or "")
    assert [(f.file, f.line, f.severity) for f in found] == [
        (POLICY_PATH, 6, "warning"), ("content/articles/zcwj/p2.md", 6, "warning")]
    assert "今天是最后期限，须在 2026-10-10 前发布解读" in found[0].message, found[0].message
    assert "还剩 1 个工作日，须在 2026-10-12 前发布解读" in found[1].message, found[1].message


def test_missing_interpretation_overdue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy()}, now="2026-10-12T09:00")
    found = hits(r, "INTERP-001")
    assert len(found) == 1 and found[0].severity == "error" and not r.ok
    assert found[0].file == POLICY_PATH and POLICY_PATH in found[0].message
    assert "最迟 2026-10-10" in found[0].message and "已超期 1 个工作日" in found[0].message


def test_needs_interpretation_no_requires_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {
        POLICY_PATH: policy(extra="needs_interpretation: no"),
        "content/articles/zcwj/p2.md": policy("示政发〔2026〕4号", slug="p2",
                                              extra="needs_interpretation: no\nno_interpretation_reason: 仅涉及内部工作安排"),
        "content/articles/zcwj/p3.md": policy("示政发〔2026〕5号", slug="p3", validity="废止"),
    })
    found = hits(r, "INTERP-001")
    assert [(f.file, f.line, f.field, f.severity) for f in found] == [
        (POLICY_PATH, 12, "needs_interpretation", "error")]
    assert hits(r, "LAYOUT-009") == []  # p3 is 废止: the theme shows the banner and the 有效性 cell


# ---- INTERP-002: timing in working days ----------------------------------------------------------------------
def test_holiday_spanning_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both policies Wed 09-30: due Sat 10-10 (调休 working day, after the 国庆 holidays).
    late = "content/articles/zcjd/i2.md"
    r = run(tmp_path, monkeypatch, {
        POLICY_PATH: policy(), INTERP_PATH: interp(date="2026-10-10 16:00"),  # on the due date
        "content/articles/zcwj/p2.md": policy("示政发〔2026〕4号", slug="p2"),
        late: interp("示政发〔2026〕4号", slug="i2", date="2026-10-12 09:00"),  # Monday: 1 working day late
    })
    found = hits(r, "INTERP-002")
    assert len(found) == 1 and found[0].severity == "error"
    assert (found[0].file, found[0].line, found[0].field) == (late, 2, "date")
    assert "2026-10-10" in found[0].message and "晚了 1 个工作日" in found[0].message


def test_tiaoxiu_sunday_counts_as_working_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Fri 09-18 + 3 working days = Sun 09-20 (调休), 09-21, 09-22. Counting weekdays only would allow 09-23.
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(date="2026-09-18 10:00", signed="2026-09-17"),
                                    INTERP_PATH: interp(date="2026-09-23 10:00")})
    found = hits(r, "INTERP-002", "error")
    assert len(found) == 1 and "2026-09-22" in found[0].message


def test_interpretation_before_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(), INTERP_PATH: interp(date="2026-09-29 17:00")})
    found = hits(r, "INTERP-002", "error")
    assert len(found) == 1 and "早于" in found[0].message and found[0].file == INTERP_PATH


def test_delay_reason_downgrades_to_recorded_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(),
                                    INTERP_PATH: interp(date="2026-10-14 09:00", extra="delay_reason: 等待专家审读意见")})
    assert hits(r, "INTERP-002", "error") == []
    found = hits(r, "INTERP-002", "warning")
    assert len(found) == 1 and "等待专家审读意见" in found[0].message and found[0].field == "delay_reason"
    assert dict(found[0].extra)["delay_reason"] == "等待专家审读意见"


def test_guangzhou_requires_same_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {POLICY_PATH: policy(), INTERP_PATH: interp(date="2026-10-08 09:00"),  # next working day
             "content/articles/zcwj/p2.md": policy("示政发〔2026〕4号", slug="p2", date="2026-10-09 09:00"),
             "content/articles/zcjd/i2.md": interp("示政发〔2026〕4号", slug="i2", date="2026-10-09 17:30")}
    r = run(tmp_path, monkeypatch, files, settings='GOVSITE_PROFILE = "guangzhou"')
    found = hits(r, "INTERP-002", "error")  # (national allows 3 working days: see test_holiday_spanning_deadline)
    assert [f.file for f in found] == [INTERP_PATH] and "同日" in found[0].message


# ---- CALENDAR-001: a year neither the library nor an override covers -----------------------------------------
CAL_2027 = "source: 测试用 2027 年安排（虚构）\nholidays: [2027-01-01, 2027-01-07, 2027-01-08]\nworkdays: []\n"


@pytest.mark.parametrize("with_file", [False, True])
def test_2027_with_and_without_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_file: bool) -> None:
    hol = tmp_path / "holidays"
    hol.mkdir()
    if with_file:
        (hol / "2027.yaml").write_text(CAL_2027, encoding="utf-8")
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(date="2027-01-06 10:00", signed="2027-01-05")},
            now="2027-01-12T10:00", settings=f"GOVSITE_HOLIDAYS_DIR = {str(hol)!r}")
    cal = hits(r, "CALENDAR-001")
    if not with_file:
        assert len(cal) == 1 and cal[0].severity == "error", cal
        assert cal[0].file == POLICY_PATH and "2027.yaml" in cal[0].message and "holidays:" in cal[0].fix
        assert hits(r, "INTERP-001") == []  # not guessed with weekdays only
        assert not r.ok
        return
    assert cal == []
    # 01-07/01-08 are off in the override: due = 01-11, 01-12, 01-13 (weekdays only would give 01-11)
    found = hits(r, "INTERP-001")
    assert len(found) == 1 and found[0].severity == "warning" and "2027-01-13" in found[0].message


# ---- 文号: unknown, brackets, duplicates ---------------------------------------------------------------------
def test_unknown_interprets_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {INTERP_PATH: ("示政发〔2026〕13号", "是不是：示政发〔2026〕3号"),
             "content/articles/zcjd/i2.md": ("示政发[2026]3号", "改为 interprets: 示政发〔2026〕3号")}
    files = {rel: interp(ref, slug=Path(rel).stem) for rel, (ref, _) in cases.items()}
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(), **files})
    found = {f.file: f for f in hits(r, "INTERP-001", "error") if f.file != POLICY_PATH}  # p1: no interpretation
    assert set(found) == set(cases)
    for rel, (_, suggestion) in cases.items():
        f = found[rel]
        assert f.line == 6 and f.field == "interprets" and "找不到" in f.message and suggestion in f.fix, f.fix


def test_doc_number_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [("示政发[2026]3号", "方括号", "示政发〔2026〕3号"), ("示政发(2026)4号", "圆括号", "示政发〔2026〕4号"),
             ("示政发〔2026]5号", "不配对", "示政发〔2026〕5号"), ("示政发〔２０２６〕６号", "全角数字", "示政发〔2026〕6号")]
    files = {f"content/articles/zcwj/p{i}.md": policy(bad, slug=f"p{i}", extra="needs_interpretation: no\n"
                                                      "no_interpretation_reason: 测试")
             for i, (bad, _, _) in enumerate(cases)}
    r = run(tmp_path, monkeypatch, files)
    found = {f.file: f for f in hits(r, "POLICY-001", "error")}
    assert len(found) == len(cases)
    for i, (_, problem, fixed) in enumerate(cases):
        f = found[f"content/articles/zcwj/p{i}.md"]
        assert (f.line, f.field) == (6, "doc_number") and problem in f.message and fixed in f.fix, (f.message, f.fix)


def test_duplicate_doc_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = "content/articles/zcwj/p2.md"
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(), other: policy(slug="p2"), INTERP_PATH: interp()})
    dup = hits(r, "POLICY-001", "error")
    assert len(dup) == 1 and POLICY_PATH in dup[0].message and other in dup[0].message
    ambiguous = [f for f in hits(r, "INTERP-001", "error") if f.file == INTERP_PATH]
    assert len(ambiguous) == 1 and "2 个政策文件" in ambiguous[0].message


# ---- INTERP-003: cross-links in the built HTML ---------------------------------------------------------------
NO_BACKLINK = """{% extends "article.html" %}
{% block info_extra %}<span>解读形式：{{ article.form }}</span>{% endblock %}
"""
NO_INTERP_LINKS = """{% extends "article.html" %}
{% block related %}<section class="related"><h2>相关解读</h2><p><a href="/zcjd/gone.html">解读</a></p></section>{% endblock %}
"""


def test_custom_templates_dropping_links_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "interpretation.html").write_text(NO_BACKLINK, encoding="utf-8")
    (overrides / "policy.html").write_text(NO_INTERP_LINKS, encoding="utf-8")
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(), INTERP_PATH: interp()},
            settings=f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}]")
    by_url: dict[str | None, list[str]] = {}
    for f in hits(r, "INTERP-003", "error"):
        by_url.setdefault(f.url, []).append(f.message)
    assert set(by_url) == {"/zcjd/202609/t20260930_i1.html", "/zcwj/202609/t20260930_p1.html"}, by_url
    assert any("没有「政策原文」区块" in m for m in by_url["/zcjd/202609/t20260930_i1.html"])
    policy_msgs = by_url["/zcwj/202609/t20260930_p1.html"]
    assert any("没有链接到" in m for m in policy_msgs)
    assert any("/zcjd/gone.html" in m and "不存在" in m for m in policy_msgs)


# ---- INTERP-004 / INTERP-006 ---------------------------------------------------------------------------------
def test_ningxia_media_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {POLICY_PATH: policy(), INTERP_PATH: interp(),
             "content/articles/zcjd/i2.md": interp(slug="i2", form="文字", body="文字解读。"),
             "content/articles/zcjd/i3.md": interp(slug="i3", form="文字",
                                                   body="![政策要点示意图](/images/2026-gongshui-tujie.png)")}
    r = run(tmp_path, monkeypatch, files, settings='GOVSITE_PROFILE = "ningxia"')
    found = hits(r, "INTERP-004")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "67%" in found[0].message and "80%" in found[0].message
    assert dict(found[0].extra)["text_only"] == ["content/articles/zcjd/i2.md"]  # i3: 文字 but a captioned image


def test_portal_needs_non_empty_interpretation_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, {POLICY_PATH: policy(extra="needs_interpretation: no\nno_interpretation_reason: 测试")})
    found = hits(r, "INTERP-006", "error")
    assert len(found) == 1 and found[0].file == "content/columns.yaml" and "政策解读" in found[0].message


# ---- OPEN-002 and LAYOUT-009 ---------------------------------------------------------------------------------
def test_disclosure_deadline_national_and_ningxia(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # signed Mon 09-21, published Wed 09-30: 7 working days (09-25 is 中秋) — fine for 20, late for 宁夏's 5.
    files = {POLICY_PATH: policy(signed="2026-09-21"), INTERP_PATH: interp(),
             "content/articles/zcwj/p2.md": policy("示政发〔2026〕4号", slug="p2", signed="2026-09-21",
                                                   extra="disclosure_deadline_override: 《某某条例》第十条\n"
                                                         "needs_interpretation: no\nno_interpretation_reason: 测试")}
    assert hits(run(tmp_path / "n", monkeypatch, files), "OPEN-002") == []
    r = run(tmp_path, monkeypatch, files, settings='GOVSITE_PROFILE = "ningxia"')
    found = hits(r, "OPEN-002")
    assert [(f.file, f.line, f.severity) for f in found] == [(POLICY_PATH, 2, "error")]  # p2 has an override
    assert "最迟 2026-09-29" in found[0].message and "超期 1 个工作日" in found[0].message


NO_BANNER = """{% extends "article.html" %}
{% block doc_meta %}<table class="policy-meta"><tr><th>有效性</th><td class="validity">有效</td></tr></table>{% endblock %}
"""


def test_repealed_policy_needs_visible_banner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {POLICY_PATH: policy(validity="废止"), INTERP_PATH: interp()}
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "policy.html").write_text(NO_BANNER, encoding="utf-8")
    r = run(tmp_path, monkeypatch, files, settings=f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}]")
    messages = [f.message for f in hits(r, "LAYOUT-009", "error")]
    assert any("validity-banner" in m for m in messages) and any("显示「有效」" in m for m in messages), messages
