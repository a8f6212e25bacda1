"""URL-003, LAYOUT-004/005/006, OPEN-004 on real builds (and audit mode on real HTML)."""

from __future__ import annotations

import json
import shutil

import pytest
from sitekit import article, build, hits, make_project

from govsite.audit import audit_directory

MY_RULES = {"URL-003", "LAYOUT-004", "LAYOUT-005", "LAYOUT-006", "OPEN-004", "INTEG-001", "INTEG-002", "INTEG-003",
            "INTEG-004", "EXT-001", "EXT-002", "ADS-001"}



@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("sample"))
    return root, build(root)


def test_sample_portal_passes_every_inspection_rule(sample):
    root, result = sample
    mine = [f for f in result.findings if f.rule in MY_RULES and f.severity in ("error", "warning")]
    assert mine == [], mine
    assert result.exit_code == 0
    for rid in MY_RULES:  # every rule really ran, on something
        assert result.run.coverage.get(rid, 0) > 0, rid
    assert result.run.coverage["URL-003"] > 1000  # every href/src of every page


def test_broken_link_missing_anchor_empty_attachment_missing_image(tmp_path):
    body = ("见[旧通知](/tzgg/no-such-page.html)和[联系方式](/contact.html#no-such-anchor)。\n\n"
            "附件：[申请表](/attachments/empty.pdf)\n\n![示意图](/images/missing.png)\n\n"
            "[本页锚点](#nowhere)、[正常链接](/contact.html)、[栏目](/gzdt/)。")
    root = make_project(tmp_path, sample=False, files={
        "content/articles/links.md": article("示例县链接测试通知", body=body),
        "content/attachments/empty.pdf": b"",
    })
    result = build(root)
    assert result.exit_code == 1
    found = {f.message: f for f in hits(result, "URL-003", "error")}
    text = "\n".join(found)
    assert "/tzgg/no-such-page.html" in text
    assert "#no-such-anchor" in text and "/contact.html" in text
    assert "空文件" in text and "/attachments/empty.pdf" in text
    assert "/images/missing.png" in text
    assert "#nowhere" in text
    assert "/contact.html」指向" not in text and "/gzdt/」指向" not in text
    broken = next(f for f in found.values() if "no-such-page" in f.message)
    assert broken.url.endswith(".html") and broken.url.startswith("/gzdt/")
    assert broken.selector and broken.selector.endswith(" > a")  # CSS selector of the <a>
    assert not (root / "output").exists()  # nothing published


def test_click_depth_profile_parameter_on_a_real_build(tmp_path):
    """One item per list page: older notices sit at depth 3 (home → column → page N → article)."""
    files = {f"content/articles/n{i}.md": article(f"示例县第{i}号通知", date=f"2026-11-{i + 1:02d} 09:00", category="通知公告",
                                                  doc_type="notice", source="示例县人民政府办公室") for i in range(9)}
    settings = ('GOVSITE_COLUMN_PAGE_SIZE = 1\n'
                'GOVSITE_RULES = {"LAYOUT-004": {"params": {"max_article_depth": 2}}}')
    root = make_project(tmp_path, sample=False, files=files, settings=settings)
    result = build(root)
    deep = hits(result, "LAYOUT-004")
    assert deep, "articles at depth 3 exceed the profile's max_article_depth 2"
    assert all(f.severity == "warning" for f in deep)  # national profile: warning
    assert all(dict(f.extra)["depth"] == 3 for f in deep)
    assert any("→" in f.message and "/tzgg/index_" in f.message for f in deep)


def _page(title: str, links: list[str], article_page: bool = False) -> str:
    meta = f'<meta name="ArticleTitle" content="{title}">' if article_page else ""
    items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>{meta}</head>'
            f"<body><main><h1>{title}</h1><ul>{items}</ul></main></body></html>")


def test_click_depth_over_three_in_audit_mode(tmp_path):
    site = tmp_path / "mirror"
    (site / "a" / "b" / "c").mkdir(parents=True)
    (site / "index.html").write_text(_page("首页", ["/a/index.html"]), encoding="utf-8")
    (site / "a" / "index.html").write_text(_page("栏目", ["/a/b/index.html"]), encoding="utf-8")
    (site / "a" / "b" / "index.html").write_text(_page("子栏目", ["/a/b/c/index.html"]), encoding="utf-8")
    (site / "a" / "b" / "c" / "index.html").write_text(_page("三级列表", ["/a/b/c/doc.html"]), encoding="utf-8")
    (site / "a" / "b" / "c" / "doc.html").write_text(_page("示例文件", ["/index.html"], article_page=True), encoding="utf-8")
    (site / "orphan.html").write_text(_page("孤立文件", [], article_page=True), encoding="utf-8")
    code = audit_directory(site, settings_file=None, reports_dir=tmp_path / "reports", quiet=True)
    assert code == 1
    data = json.loads((tmp_path / "reports" / "findings.json").read_text(encoding="utf-8"))
    depth = {f["url"]: f for f in data["findings"] if f["rule"] == "LAYOUT-004"}
    assert depth["/a/b/c/doc.html"]["extra"]["depth"] == 4
    assert "/index.html → /a/index.html → /a/b/index.html → /a/b/c/index.html → /a/b/c/doc.html" in depth["/a/b/c/doc.html"]["message"]
    assert depth["/orphan.html"]["extra"]["depth"] == -1


def test_sitemap_page_missing_a_column(tmp_path):
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "sitemap.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>网站地图</h1><ul>'
        '{% for col in gov.columns.roots() %}{% if col.slug != "tzgg" %}<li><a href="{{ col.link or col.url }}">'
        "{{ col.name }}</a></li>{% endif %}{% endfor %}</ul>{% endblock %}", encoding="utf-8")
    root = make_project(tmp_path, sample=False, settings=f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}]")
    result = build(root)
    missing = [f for f in hits(result, "LAYOUT-006") if f.url == "/sitemap.html"]
    names = {f.field for f in missing}
    assert "通知公告" in names  # the column left out
    assert "政府信息公开指南" in names  # second-level columns were not listed either
    assert "工作动态" not in names


def test_search_index_and_form_checks_in_audit_mode(sample, tmp_path):
    root, _ = sample
    copy = tmp_path / "copy"
    shutil.copytree(root / "output", copy)
    index = json.loads((copy / "search-index.json").read_text(encoding="utf-8"))
    dropped = index.pop(0)
    policy = next(e for e in index if 'class="policy-meta' in (copy / e["u"].lstrip("/")).read_text(encoding="utf-8"))
    index.remove(policy)
    (copy / "search-index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    contact = copy / "contact.html"
    contact.write_text(contact.read_text(encoding="utf-8").replace('action="/search.html"', 'action="/so/"'), encoding="utf-8")
    code = audit_directory(copy, settings_file=root / "pelicanconf.py", reports_dir=tmp_path / "reports", quiet=True)
    assert code == 1
    data = json.loads((tmp_path / "reports" / "findings.json").read_text(encoding="utf-8"))
    search = [f for f in data["findings"] if f["rule"] == "LAYOUT-005" and f["severity"] == "error"]
    assert any(f["url"] == dropped["u"] and dropped["t"] in f["message"] for f in search)
    assert any(f["url"] == "/contact.html" and "/so/" in f["message"] for f in search)
    assert any(f["rule"] == "OPEN-004" and f["url"] == policy["u"] and f["severity"] == "error" for f in data["findings"])
    # the edited files no longer match the published manifest (INTEG-004 in audit mode)
    tamper = [f["message"] for f in data["findings"] if f["rule"] == "INTEG-004" and f["severity"] == "error"]
    assert any("contact.html" in m for m in tamper) and any("search-index.json" in m for m in tamper)


def test_check_task_function_on_published_output(sample, tmp_path):
    """`invoke check`: audit our own output with the settings; it passes and writes the usual reports."""
    root, _ = sample
    code = audit_directory(root / "output", settings_file=root / "pelicanconf.py", reports_dir=tmp_path / "r", quiet=True)
    data = json.loads((tmp_path / "r" / "findings.json").read_text(encoding="utf-8"))
    mine = [f for f in data["findings"] if f["rule"] in MY_RULES and f["severity"] != "info"]
    assert mine == []
    assert code == 0, [f for f in data["findings"] if f["severity"] == "error"]
    assert data["coverage"]["LAYOUT-006"] > 0 and "content" in data["skipped_stages"]
    for name in ("findings.json", "junit.xml", "findings.sarif", "index.html"):
        assert (tmp_path / "r" / name).is_file()
