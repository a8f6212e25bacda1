"""The theme in a REAL headless Chromium with axe-core, through the real build (rule A11Y-013).

One sample-portal project is built three times (module fixtures, chained): cold with the browser gate,
after editing one article (only that page re-runs), and with a deliberately broken page and a hanging
page added (the build fails with axe rule IDs and Chinese messages). Chromium starts a few times only,
so the module stays well under two minutes on 2 cores.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitekit import build, make_project

from govsite.browser import VIEWS
from govsite.browser.chromium import chromium_paths, remote_url
from govsite.build import BuildResult
from govsite.findings import Finding

FIX = Path(__file__).resolve().parent / "fixtures" / "a11y"
CJK = re.compile(r"[\u4e00-\u9fff]")
TEMPLATES = {"home", "column", "article", "policy", "interpretation", "reprint", "guide", "page", "sitemap", "search",
             "404"}
# Rules beyond the gate's WCAG 2.1 A/AA set that the theme must also pass: landmarks/regions (best practice)
# and 7:1 enhanced contrast (WCAG AAA; the 关怀版 target).
STRICT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag2aaa", "best-practice")


def _have_browser() -> bool:
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return bool(remote_url()) or chromium_paths()[0].exists() or ci


pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not _have_browser(), reason="Chromium not found (apt-get install chromium "
                                 "chromium-driver); set CI=1 to make this fatal")]


@dataclass
class Built:
    root: Path
    result: BuildResult
    seconds: float

    @property
    def stats(self) -> dict[str, float]:
        assert self.result.run is not None
        return self.result.run.data["browser_stats"]

    @property
    def ran(self) -> set[tuple[str, str]]:
        assert self.result.run is not None
        return {(r.path, r.view) for r in self.result.run.data["browser_results"] if not r.cached}

    def findings(self, rule: str = "A11Y-013") -> list[Finding]:
        return [f for f in self.result.findings if f.rule == rule]


def _build(root: Path) -> Built:
    start = time.monotonic()
    result = build(root, skip_browser=False)
    return Built(root, result, time.monotonic() - start)


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = make_project(tmp_path_factory.mktemp("axe"), sample=True)
    return _build(root)


@pytest.fixture(scope="module")
def edited(cold: Built) -> tuple[Built, str]:
    run = cold.result.run
    assert run is not None
    reps = {r.path for r in run.data["browser_results"] if r.view == "care"}
    docs = [d for d in run.data["site"].docs if d.doc_type == "news" and d.content.url not in reps]
    doc = docs[0]
    path = cold.root / doc.rel
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n会后，各乡镇立即传达学习会议精神。\n",
                    encoding="utf-8")
    return _build(cold.root), doc.content.url


@pytest.fixture(scope="module")
def broken(edited: tuple[Built, str]) -> Built:
    root = edited[0].root
    pages = root / "content" / "pages"
    (pages / "a11y-bad.md").write_text("title: 无障碍反例页面\nslug: a11y-bad\ntype: page\ntemplate: a11y-bad\n\n反例正文。\n",
                                       encoding="utf-8")
    (pages / "a11y-hang.md").write_text("title: 卡死页面\nslug: a11y-hang\ntype: page\ntemplate: a11y-hang\n\n卡死。\n",
                                        encoding="utf-8")
    conf = root / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8")
                    + f"\nTHEME_TEMPLATES_OVERRIDES = [{str(FIX / 'templates')!r}]\nGOVSITE_BROWSER_TIMEOUT = 6\n",
                    encoding="utf-8")
    return _build(root)


def test_sample_portal_passes_every_template_in_three_views(cold: Built) -> None:
    run = cold.result.run
    assert run is not None
    errors = [f for f in cold.result.findings if f.severity == "error"]
    assert cold.result.ok, [(f.rule, f.location(), f.message) for f in errors]
    assert cold.findings() == [], [(f.location(), f.message) for f in cold.findings()]
    results = run.data["browser_results"]
    assert all(r.error is None and r.violations == [] for r in results)
    templates: dict[str, set[str]] = {}
    site = run.data["output_site"]
    from checks.a11y import template_of

    for r in results:
        templates.setdefault(template_of(site.by_path[r.path]), set()).add(r.view)
    assert set(templates) == TEMPLATES
    assert all(views == set(VIEWS) for views in templates.values()), templates
    # Cold cache: there is no earlier passing run to compare with, so one page per template is checked
    # in three views and every page is recorded as the baseline for the next build.
    from checks.a11y import checked_pages, representatives

    reps = {p.path for p in representatives(checked_pages(site)).values()}
    assert {r.path for r in results if r.view == "desktop"} == reps
    assert set(run.data["browser_baseline_keys"]) >= {p.path for p in site if not p.path.startswith("theme/")}
    stats = cold.stats
    assert stats["ran"] == stats["targets"] == len(results) and stats["cached"] == 0
    assert run.coverage["A11Y-013"] == len(results)
    print(f"\ncold build with browser gate: {cold.seconds:.1f}s total, gate {stats}")


def test_second_build_reruns_only_the_edited_page(edited: tuple[Built, str]) -> None:
    again, url = edited
    assert again.result.ok
    stats = again.stats
    print(f"\nrebuild after one edit: {again.seconds:.1f}s total, gate {stats}")
    assert {path for path, _ in again.ran} == {url}, again.ran
    assert stats["ran"] <= 3 and stats["cached"] == stats["targets"] - stats["ran"]
    assert stats["targets"] == 3 * len(TEMPLATES) + (1 if (url, "care") not in again.ran else 0)


def test_broken_page_fails_with_axe_rule_ids_and_chinese_messages(broken: Built) -> None:
    assert not broken.result.ok
    bad = [f for f in broken.findings() if f.url == "/a11y-bad.html" and f.severity == "error"]
    rules = {dict(f.extra)["axe_rule"] for f in bad}
    assert {"image-alt", "color-contrast", "html-has-lang"} <= rules, rules
    assert rules & {"label", "aria-input-field-name", "label-title-only"}, rules
    assert {dict(f.extra)["view"] for f in bad} == set(VIEWS)  # its own template: all three views
    for f in bad:
        assert CJK.search(f.message) and dict(f.extra)["axe_rule"] in f.message and f.selector
        assert f.message.startswith("【") and f.fix
    img = next(f for f in bad if dict(f.extra)["axe_rule"] == "image-alt")
    assert img.message.startswith("【严重】") and dict(img.extra)["impact"] == "critical"
    # The static rules catch the same page without a browser.
    static = " ".join(f.message for f in broken.findings("A11Y-009") if f.url == "/a11y-bad.html")
    assert "<html lang>" in static and "图片缺少替代文本" in static and "表单控件 <input> 没有标签" in static
    hang = [f for f in broken.findings() if f.url == "/a11y-hang.html"]
    assert hang and hang[0].message.startswith("页面在浏览器中超时/出错") and hang[0].severity == "error"
    # Only the two new pages (and anything whose bytes changed) ran; the rest came from the cache.
    assert {p for p, _ in broken.ran} >= {"a11y-bad.html", "a11y-hang.html"}
    assert broken.stats["ran"] < 12, broken.ran


def test_theme_passes_best_practice_and_enhanced_contrast(cold: Built) -> None:
    """Beyond the gate: landmarks/region/heading rules and 7:1 contrast (关怀版 target) on every template."""
    from govsite.browser import axe as axe_mod
    from govsite.browser import chromium
    from govsite.browser.gate import _issues, _page_url, _serve

    run = cold.result.run
    assert run is not None
    reps = sorted({r.path for r in run.data["browser_results"] if r.view == "care"})
    assert len(reps) == len(TEMPLATES)
    problems = []
    with _serve(cold.root / "output") as base:
        for name in ("desktop", "care"):
            view = VIEWS[name]
            driver = chromium.new_driver(width=view.width, height=view.height, mobile=view.mobile,
                                         offline_except="127.0.0.1")
            try:
                for path in reps:
                    driver.get(_page_url(base, path, view))
                    for issue in _issues(axe_mod.run_axe(driver, STRICT_TAGS)):
                        if issue.kind == "violation":
                            problems.append((name, path, issue.rule_id, issue.selector))
                    driver.execute_script("localStorage.clear();")
            finally:
                chromium.quit_driver(driver)
    assert problems == []


def test_browser_unavailable_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSITE_SELENIUM_REMOTE", raising=False)
    monkeypatch.delenv("GOVSITE_CHROMIUM", raising=False)
    root = make_project(tmp_path, sample=False, settings=f"GOVSITE_CHROMIUM = {str(tmp_path / 'no-chromium')!r}\n"
                        "GOVSITE_BROWSER_TIMEOUT = 'abc'")
    result = build(root, skip_browser=False)
    bad_setting = [f for f in result.findings if f.rule == "A11Y-013" and f.field == "GOVSITE_BROWSER_TIMEOUT"]
    assert len(bad_setting) == 1 and bad_setting[0].severity == "warning" and bad_setting[0].file == "pelicanconf.py"
    found = [f for f in result.findings if f.rule == "A11Y-013" and f not in bad_setting]
    assert not result.ok and len(found) == 1 and found[0].severity == "error"
    assert "无法运行浏览器无障碍检查" in found[0].message and "apt-get install chromium" in found[0].message
    assert "Traceback" not in found[0].message and "GOVSITE_SELENIUM_REMOTE" in found[0].fix
    assert "GOVSITE_CHROMIUM" not in os.environ  # the setting was only lent to the gate
