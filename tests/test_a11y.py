"""Static accessibility rules (A11Y-001/002/004/005/007/009/014): real builds and real parsers, no browser.

Rule-level tests run the engine's page stage (``run_stage``) over an output directory made of the
fixture pages in tests/fixtures/a11y; build tests run the real govsite build on a minimal project.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sitekit import REPO, article, build, make_project

from govsite import clock
from govsite.build import load_settings
from govsite.conformance import check_html
from govsite.findings import Finding
from govsite.htmlpage import OutputSite
from govsite.profiles import load_profile
from govsite.registry import RULES, load_all_rules
from govsite.run import BuildRun
from govsite.stages import run_stage

FIX = Path(__file__).resolve().parent / "fixtures" / "a11y"
THEME_CSS = REPO / "theme" / "static" / "css" / "main.css"
CJK = re.compile(r"[\u4e00-\u9fff]")


def page_run(tmp_path: Path, files: dict[str, Path | str], rule_id: str) -> tuple[BuildRun, list[Finding]]:
    """Put fixture files into an output directory and run one rule's page-stage check over it."""
    load_all_rules()
    out = tmp_path / "out"
    for rel, src in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(src, Path):
            shutil.copy(src, target)
        else:
            target.write_text(src, encoding="utf-8")
    settings = load_settings(REPO, "pelicanconf.py")
    settings["THEME"] = str(tmp_path / "no-theme")  # findings then name the output URL of a stylesheet
    settings["GOVSITE_SITEURL"] = settings["SITEURL"]
    run = BuildRun(root=tmp_path, settings=settings, profile=load_profile("national", {}), now=clock.now(settings))
    run.loaded_plugins = {"govsite_pages", "govsite_content"}
    site = OutputSite.load(out)
    run.data["output_site"] = site  # as the build and audit set it: site-wide parts of per-page checks read it
    run_stage(run, "page", site, only=[rule_id])
    assert not run.crashed, run.crashed
    return run, [f for f in run.findings if f.rule == rule_id]


def messages(findings: list[Finding], severity: str | None = None) -> list[str]:
    return [f.message for f in findings if severity is None or f.severity == severity]


# ---------------------------------------------------------------- A11Y-001


def test_a11y001_entries_required_in_header(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"clean.html": FIX / "pages" / "clean.html",
                                   "no-entries.html": FIX / "pages" / "no-entries.html",
                                   "js-entries.html": FIX / "pages" / "js-entries.html"}, "A11Y-001")
    by_url: dict[str, list[Finding]] = {}
    for f in found:
        by_url.setdefault(f.url or "", []).append(f)
    assert "/clean.html" not in by_url
    # Footer links do not count: the entries must be in the header / top bar.
    assert sorted(f.severity for f in by_url["/no-entries.html"]) == ["error", "error"]
    assert any("关怀版" in m for m in messages(by_url["/no-entries.html"]))
    assert any("无障碍" in m for m in messages(by_url["/no-entries.html"]))
    js = by_url["/js-entries.html"]
    assert any("javascript:" in f.message and f.severity == "error" for f in js)
    assert any("第三方" in f.message and f.severity == "warning" for f in js)


def test_a11y001_template_regression_fails_build(tmp_path: Path) -> None:
    base = (REPO / "theme" / "templates" / "base.html").read_text(encoding="utf-8")
    broken = re.sub(r"<li><a href=\"\?mode=care#care\"[^\n]*</li>\n", "", base)
    assert broken != base
    root = make_project(tmp_path, sample=False, files={"overrides/base.html": broken},
                        settings=f"THEME_TEMPLATES_OVERRIDES = [{str(tmp_path / 'site' / 'overrides')!r}]")
    result = build(root)
    assert not result.ok
    a11y = [f for f in result.findings if f.rule == "A11Y-001"]
    assert a11y and all("关怀版" in f.message for f in a11y)
    assert {f.url for f in a11y} >= {"/index.html", "/404.html", "/sitemap.html"}


# ---------------------------------------------------------------- A11Y-002 / 004 / 007 (CSS)


def test_theme_css_passes_all_css_rules(tmp_path: Path) -> None:
    files: dict[str, Path | str] = {"index.html": FIX / "pages" / "clean.html", "theme/css/main.css": THEME_CSS,
                                    "theme/images/cursor-large.png": REPO / "theme/static/images/cursor-large.png"}
    for rid in ("A11Y-002", "A11Y-004", "A11Y-007"):
        _, found = page_run(tmp_path / rid, files, rid)
        assert found == [], (rid, messages(found))


def test_a11y002_care_text_too_small(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"index.html": FIX / "pages" / "clean.html",
                                   "theme/css/main.css": FIX / "css" / "small-care.css"}, "A11Y-002")
    errors = messages(found, "error")
    assert any("关怀版桌面正文字号只有 16px（12pt）" in m for m in errors), errors
    assert any("关怀版手机正文字号只有 18px" in m for m in errors), errors
    assert all(f.url == "/theme/css/main.css" for f in found if f.severity == "error")


def test_a11y002_missing_care_css(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"index.html": FIX / "pages" / "no-entries.html",
                                   "theme/css/main.css": "body { font-size: 16px; line-height: 1.6; }"}, "A11Y-002")
    assert any("没有关怀版规则" in m for m in messages(found, "error"))
    assert any("字号调节" in m for m in messages(found, "warning"))


def test_a11y004_line_spacing(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"index.html": FIX / "pages" / "clean.html",
                                   "theme/css/main.css": FIX / "css" / "tight.css"}, "A11Y-004")
    errors, warnings = messages(found, "error"), messages(found, "warning")
    assert any("标准版页面正文的行距只有 1.20 倍" in m for m in errors), errors
    assert any("关怀版页面正文的行距只有 1.30 倍" in m and "1.5" in m for m in errors), errors
    assert any("标准版文章正文段落的行距只有 1.40 倍" in m for m in warnings), warnings
    assert any("段落间距" in m for m in warnings), warnings
    line = next(f for f in found if "标准版页面正文" in f.message)
    assert line.url == "/theme/css/main.css" and line.line is None


def test_a11y007_focus_outline_removed(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"keyboard.html": FIX / "pages" / "keyboard.html",
                                   "theme/css/main.css": FIX / "css" / "focus-off.css"}, "A11Y-007")
    errors = messages(found, "error")
    # a:focus has no replacement; button:focus has a :focus-visible one; input:focus has a box-shadow;
    # main:focus:not(:focus-visible) is the recommended pattern.
    assert [m for m in errors if "outline" in m] == ["样式「a:focus」去掉了键盘焦点轮廓（outline），且没有 :focus-visible 替代样式"]
    assert any("<div> 带点击事件却不能用键盘操作" in m for m in errors), errors
    assert not any("<span>" in m for m in errors)
    warnings = messages(found, "warning")
    assert any('tabindex="3"' in m for m in warnings)
    assert any("大号鼠标指针" in m for m in warnings)


def test_a11y007_theme_focus_rule_points_at_theme_source(tmp_path: Path) -> None:
    """In a real build, CSS findings name the theme source file and line."""
    css = THEME_CSS.read_text(encoding="utf-8") + "\n.nav-list a:focus { outline: none; }\n"
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    (theme / "static" / "css" / "main.css").write_text(css, encoding="utf-8")
    root = make_project(tmp_path, sample=False, settings=f"THEME = {str(theme)!r}")
    result = build(root)
    found = [f for f in result.findings if f.rule == "A11Y-007"]
    assert len(found) == 1 and found[0].severity == "error", found
    assert found[0].file == (theme / "static/css/main.css").as_posix()
    assert found[0].line == css.count("\n")


# ---------------------------------------------------------------- A11Y-005


def test_a11y005_ads_popups_and_inducing_buttons(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"ads.html": FIX / "pages" / "ads.html", "clean.html": FIX / "pages" / "clean.html",
                                   "theme/js/popup.js": FIX / "js" / "popup.js",
                                   "theme/js/site.js": REPO / "theme/static/js/site.js"}, "A11Y-005")
    text = "\n".join(messages(found, "error"))
    assert "float-ad" in text and "「popup」" in text and "float-left" not in text
    assert "googlesyndication.com" in text
    assert "诱导式按钮或链接「立即下载APP」" in text
    assert "页面内联脚本用 setTimeout/setInterval 定时弹出窗口" in text
    assert "脚本 /theme/js/popup.js 第 3 行" in text and "site.js" not in text
    assert not [f for f in found if f.url == "/clean.html"]


# ---------------------------------------------------------------- A11Y-009 page stage


def test_a11y009_page_semantics(tmp_path: Path) -> None:
    _, found = page_run(tmp_path, {"semantics-bad.html": FIX / "pages" / "semantics-bad.html",
                                   "semantics-dup.html": FIX / "pages" / "semantics-dup.html",
                                   "clean.html": FIX / "pages" / "clean.html"}, "A11Y-009")
    assert not [f for f in found if f.url == "/clean.html"], messages([f for f in found if f.url == "/clean.html"])
    bad = [f for f in found if f.url == "/semantics-bad.html"]
    errors, warnings = "\n".join(messages(bad, "error")), "\n".join(messages(bad, "warning"))
    for expected in ("缺少语言声明 <html lang>", "图片缺少替代文本 alt（/images/photo.jpg）", "图片的 alt 为空，但没有标记为装饰图片",
                     "表单控件 <input> 没有标签（placeholder 不能代替标签）", "表单控件 <select> 没有标签", "链接没有可识别的文字（/zcwj/）",
                     "按钮没有可识别的文字", "<audio> 自动播放带声音的媒体", "页面标题 <title>「重复的标题」与其他 1 个页面重复"):
        assert expected in errors, (expected, errors)
    for expected in ("多个一级标题 <h1>：「第二个大标题」", "标题层级从 h2 跳到了 h4", "是文件名", "链接文字「更多」没有说明去向",
                     "链接文字「点击这里」没有说明去向", "数据表格没有表头单元格 <th>", "缺少指向 <main> 的「跳到主要内容」链接"):
        assert expected in warnings, (expected, warnings)
    dup = [f for f in found if f.url == "/semantics-dup.html"]
    assert any("lang=\"en\"" in f.message and f.severity == "warning" for f in dup)
    assert any("重复" in f.message and f.severity == "error" for f in dup)
    assert all(CJK.search(f.message) for f in found)


def test_a11y009_duplicate_titles_name_another_page(tmp_path: Path) -> None:
    """Judged once all pages were checked: each page names the first other page with its title, in site order."""
    clean = (FIX / "pages" / "clean.html").read_text(encoding="utf-8")
    same = clean.replace("干净页面 - 示例县人民政府", "同一个标题")
    # Site order compares paths part by part: b/x.html comes before b-c.html (a plain string sort puts it after).
    _, found = page_run(tmp_path, {"a.html": same, "b-c.html": same, "b/x.html": same, "clean.html": clean,
                                   "theme/t.html": same}, "A11Y-009")
    dup = sorted((f.url, f.message, f.severity, f.selector) for f in found if "重复" in f.message)
    text = "页面标题 <title>「同一个标题」与其他 2 个页面重复（如 {}）"
    assert dup == [("/a.html", text.format("/b/x.html"), "error", "title"),
                   ("/b-c.html", text.format("/a.html"), "error", "title"),
                   ("/b/x.html", text.format("/a.html"), "error", "title")], dup


def _minimal(tmp_path: Path, files: dict[str, str]) -> Path:
    return make_project(tmp_path, sample=False, files=files)


def test_markdown_image_without_alt_fails_at_content_stage(tmp_path: Path) -> None:
    text = (FIX / "markdown" / "image-no-alt.md").read_text(encoding="utf-8")
    root = _minimal(tmp_path, {"content/articles/gzdt/harvest.md": text})
    result = build(root)
    assert not result.ok
    rel = "content/articles/gzdt/harvest.md"
    found = [f for f in result.findings if f.rule == "A11Y-009" and f.file == rel]
    lines = text.split("\n")
    md_line = lines.index("![](/images/2026-qiushou.jpg)") + 1
    html_line = lines.index('<img src="/images/2026-qiushou.jpg">') + 1
    content = {(f.line, f.severity) for f in found if f.stage == "content"}
    assert (md_line, "error") in content and (html_line, "error") in content, found
    md = next(f for f in found if f.line == md_line)
    assert "Markdown 图片缺少替代文本" in md.message and md.stage == "content"
    heading_line = lines.index("### 下一步工作") + 1
    assert (heading_line, "warning") in content  # ## skipped after the page's h1
    assert (lines.index("详见[点击这里](/gzdt/)。") + 1, "warning") in content
    # The page stage sees the same images in .article-body but does not report them a second time.
    assert not [f for f in result.findings if f.rule == "A11Y-009" and f.stage == "page"
                and f.url and "harvest" in f.url], [f.message for f in found if f.stage == "page"]


def test_page_fault_in_article_body_points_to_source(tmp_path: Path) -> None:
    text = (FIX / "markdown" / "raw-table.md").read_text(encoding="utf-8")
    root = _minimal(tmp_path, {"content/articles/gzdt/prices.md": text})
    result = build(root)
    table = [f for f in result.findings if f.rule == "A11Y-009" and "表头" in f.message]
    assert len(table) == 1, table
    finding = table[0]
    assert finding.stage == "page" and finding.file == "content/articles/gzdt/prices.md"
    assert finding.url and finding.url.endswith("_prices.html") and finding.selector
    assert finding.message.startswith("正文内容：")


def test_minimal_site_is_clean(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False)
    result = build(root)
    a11y = [f for f in result.findings if f.rule.startswith("A11Y")]
    assert a11y == [], [(f.rule, f.location(), f.message) for f in a11y]
    for rid in ("A11Y-001", "A11Y-002", "A11Y-004", "A11Y-005", "A11Y-007", "A11Y-009", "A11Y-014"):
        assert result.run is not None and result.run.coverage.get(rid, 0) > 0, rid


def test_article_helper_body_with_alt_passes(tmp_path: Path) -> None:
    body = "会议现场如图。\n\n![示例县安全生产工作会议现场](/images/2026-qiushou.jpg)\n\n## 会议要求\n\n各单位落实责任。"
    root = _minimal(tmp_path, {"content/articles/gzdt/meeting.md": article(body=body),
                               "content/images/2026-qiushou.jpg": (REPO / "content/images/2026-qiushou.jpg").read_bytes()})
    result = build(root)
    assert not [f for f in result.findings if f.rule.startswith("A11Y")], result.findings


# ---------------------------------------------------------------- A11Y-014 conformance


def test_conformance_parser_reports_chinese_line_col() -> None:
    issues = check_html((FIX / "pages" / "conformance-bad.html").read_text(encoding="utf-8"))
    codes = {i.code for i in issues}
    assert {"duplicate-id", "duplicate-attribute", "unexpected-end-tag"} <= codes, codes
    assert any(i.code.startswith("adoption-agency") for i in issues)
    dup = next(i for i in issues if i.code == "duplicate-id")
    assert dup.line == 7 and "dup" in dup.message and CJK.search(dup.message)


def test_a11y014_checks_templates_and_changed_pages_only(tmp_path: Path) -> None:
    files: dict[str, Path | str] = {"bad.html": FIX / "pages" / "conformance-bad.html",
                                    "clean.html": FIX / "pages" / "clean.html"}
    for i in range(5):
        files[f"more/clean-{i}.html"] = FIX / "pages" / "clean.html"
    run, found = page_run(tmp_path, files, "A11Y-014")
    assert {f.url for f in found} == {"/bad.html"} and all(f.severity == "error" for f in found)
    assert any("模板 broken" in f.message and "duplicate-id" in f.message for f in found)
    assert run.data["conformance_stats"] == {"pages": 7, "checked": 7}
    # Second run: the clean pages passed before and did not change; one template page + the failing page re-run.
    run2, found2 = page_run(tmp_path, files, "A11Y-014")
    assert run2.data["conformance_stats"]["checked"] == 2
    assert {f.url for f in found2} == {"/bad.html"}
    (tmp_path / "out" / "more" / "clean-3.html").write_text("<!DOCTYPE html><p>x</span>", encoding="utf-8")
    run3, found3 = page_run(tmp_path, {}, "A11Y-014")
    assert run3.data["conformance_stats"]["checked"] == 3
    assert {f.url for f in found3} == {"/bad.html", "/more/clean-3.html"}


def test_rules_documented() -> None:
    load_all_rules()
    for rid in ("A11Y-001", "A11Y-002", "A11Y-004", "A11Y-005", "A11Y-007", "A11Y-009", "A11Y-013", "A11Y-014"):
        rule = RULES[rid]
        assert CJK.search(rule.title) and rule.fix and rule.clause, rid
    assert RULES["A11Y-013"].stages == ["browser"] and RULES["A11Y-013"].checks[0].plugin == "govsite_a11y"
    assert RULES["A11Y-009"].stages == ["content", "page"]


@pytest.mark.parametrize("token, bad", [("float-ad", True), ("ads", True), ("banner-ad", True), ("popup", True),
                                        ("float-left", False), ("read-aloud", False), ("breadcrumb", False),
                                        ("masthead", False), ("shadow", False)])
def test_ad_tokens(token: str, bad: bool) -> None:
    from checks.a11y import ad_token

    assert ad_token(token) is bad
