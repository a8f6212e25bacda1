"""Accessibility browser gate against a REAL headless Chromium (no mocks).

One module-scoped gate run covers the bad page, the clean page in all three
views, a view-sensitive page and a hanging page, so Chromium starts only a few
times and the module stays well under a minute on 2 cores.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from govsite.browser import (
    VIEWS,
    AxeIssue,
    BrowserUnavailable,
    PageResult,
    cache_key,
    chinese_message,
    run_browser_gate,
)
from govsite.browser.axe import axe_version

CJK = re.compile(r"[\u4e00-\u9fff]")
PAGE_TIMEOUT = 5.0

BAD_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>不合规页面</title></head>
<body>
<img src="logo.png">
<p style="color:#bbbbbb;background:#ffffff">浅灰色正文，对比度不足</p>
<input type="text" name="q">
</body></html>
"""

CLEAN_HTML = """<!doctype html>
<html lang="zh-CN"><head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>示例县人民政府</title>
<link rel="stylesheet" href="css/site.css">
<script src="js/site.js"></script>
</head>
<body>
<header><a href="index.html">示例县人民政府门户网站</a></header>
<nav aria-label="主导航"><ul><li><a href="news/index.html">政务动态</a></li><li><a href="open/index.html">政府信息公开</a></li></ul></nav>
<main>
<h1>政务动态</h1>
<p>本县召开2026年第一次常务会议，研究部署近期重点工作。</p>
<img src="photo.png" alt="常务会议现场">
<form role="search" action="search.html">
<label for="q">站内搜索</label>
<input id="q" name="q" type="search">
<button type="submit">搜索</button>
</form>
</main>
<footer><p>主办单位：示例县人民政府办公室</p></footer>
</body></html>
"""

SITE_CSS = """body { font-size: 16px; color: #1a1a1a; background: #ffffff; margin: 0 auto; max-width: 60em; }
a { color: #0b4f9c; }
button { color: #ffffff; background: #0b4f9c; border: 0; }
.care body { font-size: 24px; line-height: 1.8; }
"""

# Mirrors the theme: 关怀版 via ?mode=care or localStorage govsite-mode.
SITE_JS = """(function () {
  var q = new URLSearchParams(location.search).get('mode');
  if (q) { try { localStorage.setItem('govsite-mode', q); } catch (e) {} }
  var mode = q || (function () { try { return localStorage.getItem('govsite-mode'); } catch (e) { return null; } })();
  if (mode === 'care') document.documentElement.classList.add('care');
})();
"""

# No theme JS on purpose: the care-only failure proves the gate forces the class itself.
VIEWS_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>视图检查</title>
<style>
body { color: #111; background: #fff; }
.care-only, .mobile-only { display: none; }
.care .care-only { display: block; color: #c8c8c8; }
@media (max-width: 600px) { .mobile-only { display: block; color: #d0d0d0; } }
</style></head>
<body><main><h1>视图检查</h1>
<p class="care-only">关怀版专属提示</p>
<p class="mobile-only">手机版专属提示</p>
</main></body></html>
"""

HANG_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>卡死页面</title></head>
<body><p>这个页面永远不会加载完成。</p><script>while (true) {}</script></body></html>
"""

TARGETS: list[tuple[str, str]] = [
    ("bad.html", "desktop"),
    ("clean.html", "desktop"),
    ("clean.html", "mobile"),
    ("clean.html", "care"),
    ("views.html", "desktop"),
    ("views.html", "mobile"),
    ("views.html", "care"),
    ("hang.html", "desktop"),
]


def write_site(root: Path) -> Path:
    (root / "css").mkdir(parents=True)
    (root / "js").mkdir()
    (root / "bad.html").write_text(BAD_HTML, encoding="utf-8")
    (root / "clean.html").write_text(CLEAN_HTML, encoding="utf-8")
    (root / "views.html").write_text(VIEWS_HTML, encoding="utf-8")
    (root / "hang.html").write_text(HANG_HTML, encoding="utf-8")
    (root / "css" / "site.css").write_text(SITE_CSS, encoding="utf-8")
    (root / "js" / "site.js").write_text(SITE_JS, encoding="utf-8")
    return root


class GateRun:
    def __init__(
        self, site: Path, cache: Path, results: list[PageResult], seconds: float, progress: list[tuple[int, int]]
    ):
        self.site, self.cache, self.results, self.seconds, self.progress = site, cache, results, seconds, progress

    def get(self, path: str, view: str) -> PageResult:
        return next(r for r in self.results if (r.path, r.view) == (path, view))


@pytest.fixture(scope="module")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    base = tmp_path_factory.mktemp("gate")
    site, cache = write_site(base / "output"), base / "cache"
    calls: list[tuple[int, int]] = []
    start = time.monotonic()
    results = run_browser_gate(
        site,
        TARGETS,
        cache_dir=cache,
        workers=2,
        page_timeout=PAGE_TIMEOUT,
        progress=lambda done, total: calls.append((done, total)),
    )
    return GateRun(site, cache, results, time.monotonic() - start, calls)


def rule_ids(result: PageResult, kind: str = "violation") -> set[str]:
    return {i.rule_id for i in result.issues if i.kind == kind}


@pytest.mark.browser
def test_bad_page_reports_wcag_rules_in_chinese(gate_run: GateRun) -> None:
    result = gate_run.get("bad.html", "desktop")
    assert result.error is None and not result.cached
    ids = rule_ids(result)
    assert {"image-alt", "color-contrast", "html-has-lang"} <= ids, ids
    assert ids & {"label", "label-title-only", "aria-input-field-name"}, ids
    for issue in result.violations:
        assert CJK.search(issue.help), issue  # zh_CN locale was applied
        assert issue.selector and issue.help_url.startswith("https://")
    img = next(i for i in result.violations if i.rule_id == "image-alt")
    assert img.impact == "critical" and "<img" in img.html_snippet
    message = chinese_message(img)
    assert message.startswith("【严重】") and "image-alt" in message and img.selector in message


@pytest.mark.browser
@pytest.mark.parametrize("view", ["desktop", "mobile", "care"])
def test_clean_page_has_no_violations(gate_run: GateRun, view: str) -> None:
    result = gate_run.get("clean.html", view)
    assert result.error is None
    assert result.violations == [], [chinese_message(i) for i in result.violations]


@pytest.mark.browser
def test_views_really_differ(gate_run: GateRun) -> None:
    # The same page fails only where the view-specific CSS applies, proving the
    # gate really used a 375px mobile viewport and switched on 关怀版.
    assert rule_ids(gate_run.get("views.html", "desktop")) == set()
    mobile = gate_run.get("views.html", "mobile").violations
    care = gate_run.get("views.html", "care").violations
    assert [i.selector for i in mobile if i.rule_id == "color-contrast"] == [".mobile-only"]
    assert [i.selector for i in care if i.rule_id == "color-contrast"] == [".care-only"]


@pytest.mark.browser
def test_hanging_page_times_out_without_blocking_others(gate_run: GateRun) -> None:
    hang = gate_run.get("hang.html", "desktop")
    assert hang.error == "timeout" and hang.issues == []
    others = [r for r in gate_run.results if r.path != "hang.html"]
    assert len(others) == len(TARGETS) - 1 and all(r.error is None for r in others)
    # Bounded by page_timeout plus watchdog grace and a browser restart, not by the hang.
    assert gate_run.seconds < 120, gate_run.seconds  # liveness bound, not a speed target


@pytest.mark.browser
def test_results_sorted_and_progress_reported(gate_run: GateRun) -> None:
    assert [(r.path, r.view) for r in gate_run.results] == sorted(TARGETS)
    assert gate_run.progress == [(n, len(TARGETS)) for n in range(1, len(TARGETS) + 1)]


@pytest.mark.browser
def test_cache_hits_and_invalidation(gate_run: GateRun, tmp_path: Path) -> None:
    # Work on copies: cache keys depend on content, not on where the site lives.
    site, cache = tmp_path / "output", tmp_path / "cache"
    shutil.copytree(gate_run.site, site)
    shutil.copytree(gate_run.cache, cache)
    version = axe_version()
    hang_key = cache_key(site, "hang.html", "desktop", version)
    assert not (cache / f"{hang_key}.json").exists()  # errors are never cached
    checked = [t for t in TARGETS if t[0] != "hang.html"]

    start = time.monotonic()
    again = run_browser_gate(site, checked, cache_dir=cache)
    assert all(r.cached for r in again) and time.monotonic() - start < 5  # no browser needed
    first = {(r.path, r.view): r.issues for r in gate_run.results}
    assert all(r.issues == first[(r.path, r.view)] for r in again)

    # CSS referenced by clean.html changes -> clean.html re-runs; page bytes of
    # bad.html change -> re-run; views.html (inline CSS only) stays cached.
    css = site / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "main { padding: 1em; }\n", encoding="utf-8")
    bad = site / "bad.html"
    bad.write_text(bad.read_text(encoding="utf-8").replace("<title>", '<title data-v="2">'), encoding="utf-8")
    rerun = run_browser_gate(
        site, [("bad.html", "desktop"), ("clean.html", "desktop"), ("views.html", "desktop")], cache
    )
    cached = {r.path: r.cached for r in rerun}
    assert cached == {"bad.html": False, "clean.html": False, "views.html": True}
    assert all(r.error is None for r in rerun)
    assert "image-alt" in rule_ids(next(r for r in rerun if r.path == "bad.html"))


# ---------------------------------------------------------------- no browser needed


def test_cache_key_tracks_inputs(tmp_path: Path) -> None:
    site = write_site(tmp_path / "output")
    key = cache_key(site, "clean.html", "desktop", "4.0.0")
    assert key == cache_key(site, "/clean.html", "desktop", "4.0.0")
    assert key != cache_key(site, "clean.html", "care", "4.0.0")
    assert key != cache_key(site, "clean.html", "desktop", "4.0.1")
    (site / "js" / "site.js").write_text(SITE_JS + "\n// v2\n", encoding="utf-8")
    key_js = cache_key(site, "clean.html", "desktop", "4.0.0")
    assert key_js != key
    # @import inside referenced CSS counts too; external URLs don't.
    (site / "css" / "extra.css").write_text("p { color: #000; }", encoding="utf-8")
    (site / "css" / "site.css").write_text('@import url("extra.css");\n' + SITE_CSS, encoding="utf-8")
    key_imp = cache_key(site, "clean.html", "desktop", "4.0.0")
    (site / "css" / "extra.css").write_text("p { color: #111; }", encoding="utf-8")
    assert cache_key(site, "clean.html", "desktop", "4.0.0") != key_imp
    page = site / "clean.html"
    before = cache_key(site, "clean.html", "desktop", "4.0.0")
    page.write_text(
        CLEAN_HTML.replace("</head>", '<script src="https://cdn.example.com/x.js"></script></head>'), "utf-8"
    )
    after = cache_key(site, "clean.html", "desktop", "4.0.0")
    assert after != before  # page bytes changed, but nothing external is fetched
    assert sorted(set(VIEWS)) == ["care", "desktop", "mobile"]


def test_chinese_message() -> None:
    issue = AxeIssue(
        "label", "serious", "表单元素必须有标签", "d", "https://x", 'input[name="q"]', "<input>", "violation"
    )
    assert chinese_message(issue) == '【重大】表单元素必须有标签（规则 label），位置：input[name="q"]'
    review = AxeIssue("color-contrast", None, "对比度", "d", "u", "p", "<p>", "incomplete")
    assert chinese_message(review).startswith("【未定级】需人工复核：")


def test_missing_chromium_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "output")
    monkeypatch.delenv("GOVSITE_SELENIUM_REMOTE", raising=False)
    monkeypatch.setenv("GOVSITE_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium chromium-driver") as info:
        run_browser_gate(site, [("clean.html", "desktop")], cache_dir=None)
    assert "浏览器" in str(info.value)


def test_missing_axe_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "output")
    monkeypatch.setenv("GOVSITE_AXE_JS", str(tmp_path / "axe.min.js"))
    with pytest.raises(BrowserUnavailable, match="npm ci"):
        run_browser_gate(site, [("clean.html", "desktop")], cache_dir=None)


def test_unknown_view_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown view"):
        run_browser_gate(tmp_path, [("x.html", "tablet")], cache_dir=None)
