"""Rule documentation: one Chinese page per registry rule, generated, committed and up to date."""

from __future__ import annotations

from pathlib import Path

from sitekit import REPO

from govsite.docs import BEGIN, END, contract_markdown, generate, registry, render_all, render_html
from govsite.report import rule_doc

RULES_DIR = REPO / "docs" / "rules"


def test_committed_docs_are_current() -> None:
    """Every registry rule has a page, no stale pages remain, and the manual's contract tables are current."""
    stale = generate(REPO, check=True)
    assert not stale, f"请运行 invoke docs 重新生成：{stale}"


def test_every_rule_has_a_page_and_no_extra_pages() -> None:
    rules = registry()
    pages = {p.stem for p in RULES_DIR.glob("*.md")} - {"README"}
    assert pages == set(rules)
    index = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    for rid in rules:
        assert f"[{rid}]({rid}.md)" in index
        assert (REPO / rule_doc(rid)).is_file()  # the link every report format uses


def test_page_content() -> None:
    rules = registry()
    docs = render_all(rules)
    for rid, r in rules.items():
        text = docs[f"{rid}.md"]
        assert text.startswith("<!-- ") and f"# {rid} " in text
        for heading in ("## 要求", "## 为什么重要", "## 如何修改", "## 各规则配置中的级别", "## 示例"):
            assert heading in text, (rid, heading)
        assert "全国默认（`national`）" in text and "宁夏回族自治区（`ningxia`）" in text
        assert "不合格：" in text or "合格：" in text
        if r.example_bad:
            assert r.example_bad.strip() in text
    fresh = docs["FRESH-007.md"]
    assert "国办秘函〔2019〕19号" in fresh and "参数 `future_skew_minutes`" in fresh and "2027-01-01 08:00" in fresh


def test_profile_overrides_show_per_profile(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "national.yaml").write_text("title: 全国默认\nparams: {future_skew_minutes: 10}\n",
                                                          encoding="utf-8")
    (tmp_path / "profiles" / "testprov.yaml").write_text(
        "title: 测试省\nextends: national\nparams: {future_skew_minutes: 30}\n"
        "rules:\n  CONTENT-004: {severity: warning}\n  FRESH-007: {severity: 'off', reason: 测试关闭原因}\n",
        encoding="utf-8")
    changed = generate(tmp_path)
    assert "docs/rules/README.md" in changed
    fresh = (tmp_path / "docs/rules/FRESH-007.md").read_text(encoding="utf-8")
    assert "| 测试省（`testprov`） | 关闭：测试关闭原因 | 30 |" in fresh
    assert "| 测试省（`testprov`） | 警告（不阻断） |" in (tmp_path / "docs/rules/CONTENT-004.md").read_text("utf-8")
    (tmp_path / "docs/rules/GONE-001.md").write_text("stale", encoding="utf-8")
    assert generate(tmp_path) == ["docs/rules/GONE-001.md"]
    assert not (tmp_path / "docs/rules/GONE-001.md").exists()
    assert generate(tmp_path) == []


def test_manual_contract_section_and_html() -> None:
    manual = (REPO / "docs" / "editor-manual.md").read_text(encoding="utf-8")
    section = manual.split(BEGIN, 1)[1].split(END, 1)[0]
    assert section.strip() == contract_markdown().strip()
    assert "| `doc_number` | 文号 | 必填 |" in section
    page = render_html((RULES_DIR / "CONTENT-001.md").read_text(encoding="utf-8"), "CONTENT-001")
    assert '<html lang="zh-CN">' in page and 'href="index.html"' in page and "<h1>" in page
