"""Reprints (转载): REPRINT-001…004 and META-011 on real builds, and the upstream feed import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import REPO, article, build, make_project

from govsite.findings import Finding
from govsite.upstream import UpstreamError, import_feed, load_upstream, normalize_title

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
COLUMN = "国务院及省政府信息"
NOW = "2026-11-20T18:00:00+08:00"
# Distinct from the minimal site's own reprint (tests/fixtures/minimal), which stays in every build.
URL1 = "https://www.gov.cn/zhengce/content/202611/content_7100001.htm"
URL2 = "https://www.gov.cn/zhengce/content/202611/content_7100002.htm"
URL3 = "https://www.yn.gov.cn/zwgk/zcwj/202611/t20261119_310001.html"
UPSTREAM = "content/upstream/test-reprint.yaml"
FEED_URL1 = "https://www.gov.cn/zhengce/content/202611/content_7000001.htm"  # tests/fixtures/feeds/rss.xml
FEED_URL2 = "https://www.gov.cn/zhengce/content/202611/content_7000002.htm"


def reprint(title: str, date: str, published: str, *, source: str = "中国政府网", url: str = URL1,
            extra: str = "") -> str:
    return article(title, date=date, category=COLUMN, doc_type="reprint", source=source,
                   extra=f"source_url: {url}\nsource_published: {published}\n{extra}",
                   body="（转载正文）")


def md(name: str) -> str:
    return f"content/articles/gwyxx/{name}.md"


def run_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], *, profile: str | None = None,
             now: str = NOW, **kwargs):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVSITE_NOW", now)
    settings = f'GOVSITE_PROFILE = "{profile}"' if profile else ""
    root = make_project(tmp_path, sample=False, files=files, settings=settings, **kwargs)
    return root, build(root)


def hits(result, rule: str, *, severity: str | None = None, file: str | None = None) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule == rule and (severity is None or f.severity == severity)
            and (file is None or f.file == file)]


def upstream_yaml(*items: tuple[str, str, str, str, str]) -> str:
    out = "# 上级重要政策信息清单\nitems:\n"
    for title, url, publisher, published, level in items:
        out += (f"  - title: {title}\n    url: {url}\n    publisher: {publisher}\n    published: {published}\n"
                f"    level: {level}\n")
    return out


# ---- REPRINT-001: time limit per profile -----------------------------------------------------------------

def test_fujian_8_hours_minute_precision(tmp_path, monkeypatch):
    _, result = run_site(tmp_path, monkeypatch, {
        md("ok"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 16:59", "2026-11-18 09:00"),
        md("late"): reprint("国务院关于加强安全生产的通知", "2026-11-18 17:01", "2026-11-18 09:00", url=URL2),
    }, profile="fujian")
    assert not hits(result, "REPRINT-001", file=md("ok"))
    late = hits(result, "REPRINT-001", severity="error", file=md("late"))
    assert len(late) == 1 and "8 小时" in late[0].message and "8 小时 1 分" in late[0].message
    assert late[0].line == 2  # the date line


def test_ningxia_12_hours(tmp_path, monkeypatch):
    _, result = run_site(tmp_path, monkeypatch, {
        md("ok"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 20:59", "2026-11-18 09:00"),
        md("late"): reprint("国务院关于加强安全生产的通知", "2026-11-18 21:01", "2026-11-18 09:00", url=URL2),
    }, profile="ningxia")
    assert not hits(result, "REPRINT-001", file=md("ok"))
    assert hits(result, "REPRINT-001", severity="error", file=md("late"))


def test_national_24_hours(tmp_path, monkeypatch):
    _, result = run_site(tmp_path, monkeypatch, {
        md("ok"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-19 08:59", "2026-11-18 09:00"),
        md("late"): reprint("国务院关于加强安全生产的通知", "2026-11-19 09:01", "2026-11-18 09:00", url=URL2),
    })
    assert not hits(result, "REPRINT-001", file=md("ok"))
    late = hits(result, "REPRINT-001", severity="error", file=md("late"))
    assert late and "24 小时" in late[0].message


def test_reprint_dated_before_source_fails(tmp_path, monkeypatch):
    _, result = run_site(tmp_path, monkeypatch, {
        md("early"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 08:30", "2026-11-18 09:00"),
    })
    found = hits(result, "REPRINT-001", severity="error", file=md("early"))
    assert found and "早于原文发布时间" in found[0].message
    assert not result.ok


def test_delay_reason_downgrades_to_listed_warning(tmp_path, monkeypatch):
    reason = "原文发布时值系统割接，网站暂停更新"
    _, result = run_site(tmp_path, monkeypatch, {
        md("late"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-19 12:00", "2026-11-18 09:00",
                            extra=f"delay_reason: {reason}"),
    })
    assert not hits(result, "REPRINT-001", severity="error")
    warned = hits(result, "REPRINT-001", severity="warning", file=md("late"))
    assert len(warned) == 1 and reason in warned[0].message and dict(warned[0].extra)["delay_reason"] == reason


# ---- REPRINT-001: upstream coverage -------------------------------------------------------------------

def test_upstream_overdue_fails_pending_warns_covered_passes(tmp_path, monkeypatch):
    listing = upstream_yaml(
        ("国务院关于进一步优化营商环境的意见", URL1, "中国政府网", "2026-11-18 09:00", "国务院"),  # reprinted
        ("国务院办公厅关于做好今冬明春安全生产工作的通知", URL2, "中国政府网", "2026-11-19 10:00", "国务院"),  # overdue
        ("云南省人民政府关于印发云南省冬春农业生产方案的通知", URL3, "云南省人民政府", "2026-11-20 09:17", "省政府"),  # pending
    )
    # The reprint links the original with http:// and a trailing slash: still the same page.
    covered_url = URL1.replace("https://", "http://") + "/"
    _, result = run_site(tmp_path, monkeypatch, {
        UPSTREAM: listing,
        md("done"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 15:00", "2026-11-18 09:00", url=covered_url),
    })
    errors = hits(result, "REPRINT-001", severity="error")
    assert len(errors) == 1
    overdue = errors[0]
    assert "逾期未转载" in overdue.message and "国务院办公厅关于做好今冬明春安全生产工作的通知" in overdue.message
    assert overdue.file == UPSTREAM and overdue.line == 8  # the "- title:" line of the second item
    assert "2026-11-20 10:00" in overdue.message  # the deadline
    pending = [f for f in hits(result, "REPRINT-001", severity="warning", file=UPSTREAM) if "还剩" in f.message]
    assert len(pending) == 1 and pending[0].line == 13
    assert "还剩 15 小时 17 分" in pending[0].message and "2026-11-21 09:17" in pending[0].message
    assert not result.ok


def test_pending_becomes_overdue_when_time_passes(tmp_path, monkeypatch):
    listing = upstream_yaml(("云南省人民政府关于印发云南省冬春农业生产方案的通知", URL3, "云南省人民政府",
                             "2026-11-20 09:17", "省政府"))
    _, result = run_site(tmp_path, monkeypatch, {UPSTREAM: listing}, profile="fujian", now="2026-11-20T17:18:00+08:00")
    found = hits(result, "REPRINT-001", severity="error", file=UPSTREAM)
    assert found and "逾期未转载" in found[0].message and "已逾期 0 小时 1 分" in found[0].message


@pytest.mark.parametrize(("text", "line", "words"), [
    ("items:\n  - title: 国务院关于进一步优化营商环境的意见\n    url: " + URL1 + "\n   publisher: 中国政府网\n", 4, "YAML"),
    (upstream_yaml(("国务院关于进一步优化营商环境的意见", URL1, "中国政府网", "2026/11/18 9:00", "国务院")), 6,
     "发布时间"),
    ("items:\n  - title: 国务院关于进一步优化营商环境的意见\n    url: " + URL1 + "\n    published: 2026-11-18 09:00\n"
     "    level: 国务院\n", 2, "缺少 publisher"),
])
def test_broken_upstream_yaml_is_a_clear_error(tmp_path, monkeypatch, text, line, words):
    _, result = run_site(tmp_path, monkeypatch, {UPSTREAM: text})
    found = hits(result, "REPRINT-001", severity="error", file=UPSTREAM)
    assert found, result.findings
    assert found[0].line == line and words in found[0].message
    assert "REPRINT-001" not in result.run.crashed  # a finding, never a traceback
    assert not result.ok


# ---- REPRINT-003 / META-011: source attribution ------------------------------------------------------

def test_source_missing_or_local_fails(tmp_path, monkeypatch):
    no_source = (f"title: 国务院关于进一步优化营商环境的意见\ndate: 2026-11-18 15:00\ncategory: {COLUMN}\ntype: reprint\n"
                 f"source_url: {URL1}\nsource_published: 2026-11-18 09:00\n\n（转载正文）\n")
    _, result = run_site(tmp_path, monkeypatch, {
        md("nosource"): no_source,
        md("local"): reprint("国务院关于加强安全生产的通知", "2026-11-18 15:00", "2026-11-18 09:00", url=URL2,
                             source="示例县人民政府"),
        md("benzhan"): reprint("国务院关于印发方案的通知", "2026-11-18 15:00", "2026-11-18 09:00", url=URL3, source="本站"),
        md("badurl"): reprint("国务院关于另一件事的通知", "2026-11-18 15:00", "2026-11-18 09:00", url="www.gov.cn/x.htm"),
        md("good"): reprint("国务院关于第五件事的通知", "2026-11-18 15:00", "2026-11-18 09:00",
                            url="https://www.gov.cn/zhengce/content/202611/content_7000005.htm"),
    })
    assert any("没有注明来源" in f.message for f in hits(result, "REPRINT-003", severity="error", file=md("nosource")))
    local = hits(result, "REPRINT-003", severity="error", file=md("local"))
    assert local and "示例县人民政府" in local[0].message and local[0].line == 5
    assert hits(result, "REPRINT-003", severity="error", file=md("benzhan"))
    assert any("http" in f.message for f in hits(result, "REPRINT-003", severity="error", file=md("badurl")))
    assert not hits(result, "REPRINT-003", file=md("good"))
    assert not [f for f in hits(result, "REPRINT-003") if f.stage == "page" and "good" in (f.url or "")]


def test_source_must_be_the_upstream_publisher(tmp_path, monkeypatch):
    listing = upstream_yaml(("国务院关于进一步优化营商环境的意见", URL1, "中国政府网", "2026-11-18 09:00", "国务院"))
    _, result = run_site(tmp_path, monkeypatch, {
        UPSTREAM: listing,
        md("wrong"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 15:00", "2026-11-18 09:00",
                             source="云南省人民政府"),
    })
    found = hits(result, "META-011", severity="error", file=md("wrong"))
    assert found and "中国政府网" in found[0].message


def _own_theme(root: Path) -> Path:
    """Replace the project's theme link with a copy the test may edit; returns its templates directory."""
    (root / "theme").unlink()
    shutil.copytree(REPO / "theme", root / "theme")
    return root / "theme" / "templates"


def _theme_without(root: Path) -> None:
    """A theme whose home-page reprint block and 原文链接 are removed."""
    templates = _own_theme(root)
    index = templates / "index.html"
    text = index.read_text(encoding="utf-8")
    start, end = text.index('  <section class="home-block home-reprints"'), text.index("  {% for col in gov.home_columns() %}")
    index.write_text(text[:start] + text[end:], encoding="utf-8")
    (templates / "reprint.html").write_text('{% extends "article.html" %}\n', encoding="utf-8")


def test_home_block_and_reprint_page_are_checked(tmp_path, monkeypatch):
    files = {
        md("older"): reprint("国务院关于进一步优化营商环境的意见", "2026-11-18 15:00", "2026-11-18 09:00"),
        md("newer"): reprint("云南省人民政府关于印发云南省冬春农业生产方案的通知", "2026-11-19 12:00", "2026-11-19 09:15",
                             source="云南省人民政府", url=URL3),
    }
    _, good = run_site(tmp_path / "good", monkeypatch, files)
    assert not hits(good, "REPRINT-002") and not hits(good, "REPRINT-003")
    assert good.published
    home = (good.run.root / "output" / "index.html").read_text(encoding="utf-8")
    block = home[home.index("home-reprints"):]
    assert block.index("云南省冬春农业生产方案") < block.index("进一步优化营商环境")  # newest first

    monkeypatch.setenv("GOVSITE_NOW", NOW)
    root = make_project(tmp_path / "bad", sample=False, files=files)
    _theme_without(root)
    bad = build(root)
    assert any("没有国务院、省政府重要政策信息专栏" in f.message for f in hits(bad, "REPRINT-002"))
    page_hits = [f for f in hits(bad, "REPRINT-003", severity="error")
                 if f.stage == "page" and ("older" in f.url or "newer" in f.url)]
    assert len(page_hits) == 2 and all("原文链接" in f.message for f in page_hits)
    assert not bad.ok

    root = make_project(tmp_path / "order", sample=False, files=files)
    index = _own_theme(root) / "index.html"
    text = index.read_text(encoding="utf-8").replace("gov.reprints(8)", "gov.reprints(8)|reverse")
    index.write_text(text.replace('<span class="item-source">{{ item.source }}</span>', ""), encoding="utf-8")
    messages = [f.message for f in hits(build(root), "REPRINT-002")]
    assert any("第 1 条应为最新转载《云南省人民政府关于印发云南省冬春农业生产方案的通知》" in m for m in messages)
    assert any("没有显示来源「云南省人民政府」" in m for m in messages)


# ---- REPRINT-004: title unaltered ------------------------------------------------------------------------

def test_changed_title_warns_punctuation_width_does_not(tmp_path, monkeypatch):
    listing = upstream_yaml(
        ("国务院关于进一步优化营商环境的意见（试行）", URL1, "中国政府网", "2026-11-18 09:00", "国务院"),
        ("国务院办公厅关于做好今冬明春安全生产工作的通知", URL2, "中国政府网", "2026-11-18 09:00", "国务院"),
    )
    _, result = run_site(tmp_path, monkeypatch, {
        UPSTREAM: listing,
        md("same"): reprint("国务院关于进一步优化营商环境的意见 (试行)", "2026-11-18 15:00", "2026-11-18 09:00"),
        md("changed"): reprint("国务院部署今冬明春安全生产工作", "2026-11-18 15:00", "2026-11-18 09:00", url=URL2),
    })
    changed = hits(result, "REPRINT-004", file=md("changed"))
    assert len(changed) == 1 and changed[0].severity == "warning" and "标题与原文不一致" in changed[0].message
    assert not hits(result, "REPRINT-004", file=md("same"))
    assert normalize_title("关于（试行）“通知”") == normalize_title("关于 (试行) \"通知\"")


# ---- feed import -----------------------------------------------------------------------------------------

def test_import_rss_converts_times_dedupes_and_is_idempotent(tmp_path):
    notes: list[str] = []
    path = import_feed(FEEDS / "rss.xml", tmp_path, None, "国务院", notes=notes)
    assert path == tmp_path / "2026-11.yaml"
    assert path.read_text(encoding="utf-8") == (
        "items:\n"
        "  - title: 国务院办公厅关于做好今冬明春安全生产工作的通知\n"
        f"    url: {FEED_URL1}\n    publisher: 中国政府网\n    published: 2026-11-18 09:00\n    level: 国务院\n"
        "  - title: 国务院关于进一步优化营商环境的意见\n"
        f"    url: {FEED_URL2}\n    publisher: 中国政府网\n    published: 2026-11-18 15:30\n    level: 国务院\n"
    )
    assert any("没有发布时间的条目" in n for n in notes)
    first = path.read_bytes()
    import_feed(FEEDS / "rss.xml", tmp_path, None, "国务院")
    assert path.read_bytes() == first
    items, problems = load_upstream(tmp_path)
    assert [i.url for i in items] == [FEED_URL1, FEED_URL2] and not problems


def test_import_atom_and_json_merge(tmp_path):
    import_feed(FEEDS / "atom.xml", tmp_path, None, "省政府")
    path = import_feed(FEEDS / "feed.json", tmp_path, "某市人民政府办公室", "市政府")
    items, problems = load_upstream(tmp_path)
    assert not problems
    got = {(i.url.rsplit("/", 1)[1], i.publisher, i.published.strftime("%Y-%m-%d %H:%M"), i.level) for i in items}
    assert got == {
        ("t20261119_300001.html", "云南省人民政府", "2026-11-19 09:15", "省政府"),  # 01:15:30Z
        ("t20261117_300002.html", "云南省人民政府", "2026-11-17 16:20", "省政府"),  # <updated>, alternate link
        ("t20261120_1.html", "某市人民政府办公室", "2026-11-20 09:30", "市政府"),  # --publisher wins
        ("t20261031_2.html", "某市人民政府办公室", "2026-11-01 08:59", "市政府"),  # -01:00
    }
    assert path.name == "2026-11.yaml"
    with pytest.raises(UpstreamError, match="层级"):
        import_feed(FEEDS / "rss.xml", tmp_path, None, "县政府")


def test_import_refuses_broken_list_and_task_runs(tmp_path):
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "2026-11.yaml").write_text("items:\n  - title: [\n", encoding="utf-8")
    with pytest.raises(UpstreamError, match="2026-11.yaml"):
        import_feed(FEEDS / "rss.xml", bad, None, "国务院")
    assert (bad / "2026-11.yaml").read_text(encoding="utf-8") == "items:\n  - title: [\n"
    dest = tmp_path / "upstream"
    proc = subprocess.run([str(Path(sys.executable).parent / "invoke"), "upstream-import", "--source",
                           str(FEEDS / "atom.xml"), "--level", "省政府", "--dest", str(dest)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "2026-11.yaml" in proc.stdout
    assert len(load_upstream(dest)[0]) == 2
