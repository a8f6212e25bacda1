"""Issue 2: the gate, staging, reports and the identity rules, on real Pelican builds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from sitekit import article, build, make_project, rules_hit, snapshot

from govsite.registry import RULES, rule

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def good_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("good"), sample=False)
    result = build(root)
    return root, result


def test_minimal_site_builds_and_publishes(good_site):
    root, result = good_site
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == [], errors
    assert result.exit_code == 0
    assert (root / "output" / "index.html").is_file()
    assert not any(p.name.startswith(".govsite-staging") for p in root.iterdir())
    for name in ("findings.json", "junit.xml", "findings.sarif", "index.html"):
        assert (root / "reports" / name).is_file()


def test_findings_json_shape(good_site):
    root, _ = good_site
    data = json.loads((root / "reports" / "findings.json").read_text(encoding="utf-8"))
    assert {"findings", "coverage"} <= set(data)
    assert data["coverage"]["FOOTER-003"] > 1  # config item + every page
    for f in data["findings"]:
        assert {"rule", "severity", "file", "line", "url", "message"} <= set(f)


def _fail_case(tmp_path, **kwargs):
    """Build once green, then break something: the build must fail and leave output/ byte-identical."""
    root = make_project(tmp_path, sample=False)
    first = build(root)
    assert first.exit_code == 0, [f for f in first.findings if f.severity == "error"]
    before = snapshot(root / "output")
    for rel, text in kwargs.get("files", {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    if "settings" in kwargs:
        with open(root / "pelicanconf.py", "a", encoding="utf-8") as fh:
            fh.write("\n" + kwargs["settings"] + "\n")
    result = build(root)
    assert result.exit_code != 0
    assert snapshot(root / "output") == before, "a failed build must not touch output/"
    return root, result


def test_nine_digit_id_code_fails_naming_settings(tmp_path):
    root, result = _fail_case(tmp_path, settings='GOVSITE_ID_CODE = "539999001"')
    hits = [f for f in result.findings if f.rule == "FOOTER-003" and f.file == "pelicanconf.py"]
    assert hits and hits[0].severity == "error" and hits[0].line and hits[0].field == "GOVSITE_ID_CODE"
    assert "9 位" in hits[0].message


@pytest.mark.parametrize(
    "setting, rule_id",
    [
        ('SITEURL = "https://www.example-county.com"', "DOMAIN-001"),
        ('GOVSITE_ICP = "滇ICP证00000001号"', "FOOTER-004"),
        ('GOVSITE_PSB = "滇公网安备5399990200001号"', "FOOTER-005"),
        ('GOVSITE_SPONSOR = ""', "FOOTER-006"),
        ("GOVSITE_CONTACT = {}", "FOOTER-007"),
        ('GOVSITE_CONAC_ID = "xyz"', "FOOTER-001"),
        ('GOVSITE_ID_CODE = "1101020002"', "FOOTER-003"),  # region prefix does not match 539999
    ],
)
def test_identity_settings_fail(tmp_path, setting, rule_id):
    _, result = _fail_case(tmp_path, settings=setting)
    assert rule_id in rules_hit(result)


def test_bad_date_names_file_and_line(tmp_path):
    text = article(date="2026/11/20")
    root, result = _fail_case(tmp_path, files={"content/articles/bad-date.md": text})
    hits = [f for f in result.findings if f.rule == "CONTENT-003"]
    assert hits and hits[0].file == "content/articles/bad-date.md" and hits[0].line == 2 and hits[0].field == "date"


def test_future_date_is_forged(tmp_path):
    _, result = _fail_case(tmp_path, files={"content/articles/future.md": article(date="2026-12-01 09:00")})
    assert "FRESH-007" in rules_hit(result)


def test_unknown_column(tmp_path):
    _, result = _fail_case(tmp_path, files={"content/articles/x.md": article(category="不存在的栏目")})
    hit = next(f for f in result.findings if f.rule == "CONTENT-004")
    assert hit.line == 3 and hit.file.endswith("x.md")


def test_template_without_footer_fails_with_page_url(tmp_path):
    override = tmp_path / "override"
    override.mkdir()
    (override / "page.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>'
        "<body><header>{{ GOVSITE_NAME }}</header><main><h1>{{ page.title }}</h1>{{ page.content }}</main></body></html>",
        encoding="utf-8",
    )
    _, result = _fail_case(tmp_path, settings=f"THEME_TEMPLATES_OVERRIDES = [{str(override)!r}]")
    footer = [f for f in result.findings if f.rule.startswith("FOOTER-00") and f.severity == "error"]
    assert footer and {f.url for f in footer} >= {"/contact.html"}
    assert all(f.url.endswith(".html") and "index" not in f.url for f in footer if f.url)


def test_missing_plugin_fails_the_gate(tmp_path):
    _, result = _fail_case(tmp_path, settings='PLUGINS = ["govsite_config", "govsite_content"]')
    gate = [f for f in result.findings if f.rule == "GATE-001"]
    assert gate and any("govsite_pages" in f.message for f in gate)


def test_unloadable_plugin_fails(tmp_path):
    _, result = _fail_case(tmp_path, settings='PLUGINS = PLUGINS + ["no_such_plugin"]')
    assert "BUILD-001" in rules_hit(result)


def test_rule_that_raises_is_a_finding_not_a_traceback(tmp_path):
    root = make_project(tmp_path, sample=False)
    assert build(root).exit_code == 0
    before = snapshot(root / "output")

    @rule("TEST-999", title="测试用：会出错的规则", stage="page", clause="测试", fix="无")
    def _boom(page, ctx):
        raise RuntimeError("boom")

    try:
        result = build(root)
    finally:
        del RULES["TEST-999"]
    hits = [f for f in result.findings if f.rule == "TEST-999"]
    assert result.exit_code == 1 and snapshot(root / "output") == before
    assert hits and hits[0].severity == "error" and "RuntimeError" in hits[0].message


def test_disabling_a_rule_needs_a_reason(tmp_path):
    _, result = _fail_case(tmp_path, settings='GOVSITE_RULES = {"META-013": {"severity": "off"}}')
    assert "CONFIG-001" in rules_hit(result)


def test_disabled_rule_with_reason_is_listed(tmp_path):
    root = make_project(tmp_path, sample=False,
                        settings='GOVSITE_RULES = {"META-013": {"severity": "off", "reason": "测试：暂不检查"}}')
    result = build(root)
    assert result.exit_code == 0
    listed = [f for f in result.findings if f.rule == "GATE-002"]
    assert listed and "META-013" in listed[0].message
    assert "测试：暂不检查" in (root / "reports" / "index.html").read_text(encoding="utf-8")


def test_skipped_browser_stage_is_prominent(good_site):
    root, result = good_site
    assert any(f.rule == "GATE-003" for f in result.findings)
    assert "跳过了浏览器检查" in (root / "reports" / "index.html").read_text(encoding="utf-8")


def test_syntax_error_in_settings(tmp_path):
    root = make_project(tmp_path, sample=False, settings="GOVSITE_NAME = (")
    result = build(root)
    assert result.exit_code == 1 and not (root / "output").exists()
    hit = next(f for f in result.findings if f.rule == "CONFIG-001")
    assert hit.file == "pelicanconf.py" and hit.line


def test_junit_and_sarif_are_valid(tmp_path):
    root, _ = _fail_case(tmp_path, files={"content/articles/bad.md": article(date="2026/11/20")})
    tree = ET.parse(root / "reports" / "junit.xml")
    suites = tree.getroot()
    assert suites.tag == "testsuites" and int(suites.get("failures")) >= 1
    assert suites.find(".//testcase/failure") is not None
    sarif = json.loads((root / "reports" / "findings.sarif").read_text(encoding="utf-8"))
    schema = json.loads((FIXTURES / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    bad = next(r for r in results if r["ruleId"] == "CONTENT-003")
    assert bad["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-20T12:00:00+08:00")
    a = make_project(tmp_path / "a", sample=False)
    b = make_project(tmp_path / "b", sample=False)
    build(a)
    build(b)
    assert snapshot(a / "output") == snapshot(b / "output")
    ja = json.loads((a / "reports" / "findings.json").read_text(encoding="utf-8"))
    jb = json.loads((b / "reports" / "findings.json").read_text(encoding="utf-8"))
    ja.pop("timing")
    jb.pop("timing")
    assert ja == jb


def test_govsite_now_is_the_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-10T08:00")
    root = make_project(tmp_path, sample=False)
    result = build(root)
    # The news item dated 2026-11-18 is now in the future.
    assert "FRESH-007" in rules_hit(result)
    monkeypatch.setenv("GOVSITE_NOW", "not-a-date")
    result = build(root)
    assert any(f.rule == "CONFIG-001" and f.field == "GOVSITE_NOW" for f in result.findings)


def test_second_build_is_refused_while_locked(tmp_path):
    from govsite.publish import BuildLock

    root = make_project(tmp_path, sample=False)
    lock = BuildLock(root / ".govsite.lock")
    assert lock.acquire()
    try:
        assert build(root).exit_code == 3
    finally:
        lock.release()


def test_metadata_is_escaped_in_templates(tmp_path):
    root = make_project(tmp_path, sample=False, files={
        "content/articles/quote.md": article('关于"冬季供暖"安排的通知 & 说明', date="2026-11-19 10:00")})
    result = build(root)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    page = next((root / "output").rglob("t20261119_quote.html")).read_text(encoding="utf-8")
    assert 'content="关于&#34;冬季供暖&#34;安排的通知 &amp; 说明"' in page or "&quot;冬季供暖&quot;" in page


def test_migration_notice_is_on_the_home_page(tmp_path):
    notice = article("关于示例县人民政府门户网站迁移的公告", date="2026-11-19 10:00", doc_type="notice", category="通知公告",
                     extra="offline_notice: migration\nnew_site_name: 示例市人民政府门户网站\n"
                           "new_site_url: https://www.example-city.gov.cn/",
                     body="本网站内容已迁移至[示例市人民政府门户网站](https://www.example-city.gov.cn/)。")
    root = make_project(tmp_path, sample=False, files={"content/articles/migrate.md": notice})
    result = build(root)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    home = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert "重要公告" in home and "t20261119_migrate.html" in home


def test_editor_comments_are_not_published(tmp_path):
    body = "<!-- 【填写说明】请删除：http://spam.example -->\n\n正文第一段。\n\n```\n<!-- 代码块中的注释保留 -->\n```\n"
    root = make_project(tmp_path, sample=False, files={"content/articles/note.md": article(body=body)})
    result = build(root)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    published = b"".join(p.read_bytes() for p in (root / "output").rglob("*") if p.is_file())
    assert "填写说明".encode() not in published and "代码块中的注释保留".encode() in published
