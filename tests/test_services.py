"""Services and interaction (SERVICE-001/002/003, INTERACT-001) on real builds of the minimal site."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import article, build, fill_blank_columns, hits, make_project, vetoes

from checks.services import CHANNEL_RE
from govsite.build import BuildResult
from govsite.htmlpage import Page

MY_RULES = ("SERVICE-001", "SERVICE-002", "SERVICE-003", "INTERACT-001")
GUIDE = "content/articles/guide.md"
ELEMENTS = {
    "item_name": "最低生活保障审核确认", "legal_basis": "《社会救助暂行办法》", "conditions": "家庭人均收入低于当地最低生活保障标准",
    "materials": "申请书、身份证明", "place": "示例县政务服务中心民政窗口", "agency": "示例县民政局", "fee": "不收费",
    "hours": "工作日 9:00—17:30", "phone": "0871-60000002", "process": "申请、受理、审核、公示、确认",
}
DOCX = b"PK\x03\x04" + b"\x14\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PDF_ENCRYPTED = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n"


def guide(title: str = "最低生活保障申请办事指南", *, drop: tuple[str, ...] = (), forms: str = "", body: str = "请按要求准备材料。",
          date: str = "2026-06-01 09:00") -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in ELEMENTS.items() if k not in drop)
    if forms:
        extra += f"forms: {forms}\n"
    return article(title, date=date, category="办事服务", doc_type="guide", source="示例县民政局", extra=extra, body=body)



def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, files: dict[str, str | bytes] | None = None,
        settings: str = "", remove: tuple[str, ...] = (), columns_replace: tuple[str, str] | None = None) -> BuildResult:
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-20T18:00")
    root = make_project(tmp_path, sample=False, settings=settings)
    fill_blank_columns(root)
    if columns_replace:
        path = root / "content" / "columns.yaml"
        text = path.read_text(encoding="utf-8")
        assert columns_replace[0] in text
        path.write_text(text.replace(*columns_replace), encoding="utf-8")
    for rel in remove:
        (root / rel).unlink()
    for rel, data in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            (root / rel).write_bytes(data)
        else:
            (root / rel).write_text(data, encoding="utf-8")
    result = build(root)
    assert result.run is not None
    crashed = {k: v for k, v in result.run.crashed.items() if k in MY_RULES}
    assert not crashed, crashed
    return result




# ---- the minimal site passes; SERVICE-001 -----------------------------------------------------------
def test_minimal_site_passes_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch)
    assert [f for f in r.findings if f.rule in MY_RULES] == []
    assert r.run.coverage["SERVICE-002"] == 1
    assert "办事指南 1 篇" in r.run.data["scorecard_facts"]["SERVICE-001"]


def test_portal_without_guides_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, remove=(GUIDE,))
    found = vetoes(r, "SERVICE-001")
    assert len(found) == 1 and found[0].severity == "error" and found[0].field == "办事服务"


def test_link_to_provincial_service_platform_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, remove=(GUIDE,), columns_replace=(
        "    update: service\n", "    update: service\n    link: https://zwfw.yn.gov.cn/\n"))
    assert hits(r, "SERVICE-001") == []


def test_department_site_is_exempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, remove=(GUIDE,), settings='GOVSITE_LEVEL = "department"',
            columns_replace=("    type: 咨询投诉\n", "    type: 互动交流\n"))
    assert hits(r, "SERVICE-001") == [] and hits(r, "INTERACT-001") == []


# ---- SERVICE-002 ten elements -------------------------------------------------------------------------
def test_missing_or_empty_element_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = guide("第二个办事指南").replace("hours: 工作日 9:00—17:30\n", "hours:\n")
    r = run(tmp_path, monkeypatch, files={GUIDE: guide(drop=("fee",)), "content/articles/g2.md": empty})
    found = sorted((f.file, f.field, f.line, f.severity) for f in hits(r, "SERVICE-002"))
    assert found == [("content/articles/g2.md", "hours", 13, "warning"), (GUIDE, "fee", 1, "warning")]
    assert not vetoes(r, "SERVICE-002")


@pytest.mark.parametrize("count,veto", [(4, False), (5, True)])
def test_five_guides_missing_four_elements_veto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int,
                                                veto: bool) -> None:
    drop = ("fee", "hours", "phone", "process")
    files: dict[str, str | bytes] = {f"content/articles/g{i}.md": guide(f"办事指南{i}", drop=drop) for i in range(count)}
    r = run(tmp_path, monkeypatch, files=files)
    assert len(hits(r, "SERVICE-002", "warning")) == 4 * count
    found = vetoes(r, "SERVICE-002")
    assert bool(found) is veto
    if veto:
        assert found[0].severity == "error"


# ---- SERVICE-003 forms ---------------------------------------------------------------------------------
CASES = [  # (file name, bytes, expected problem or None)
    ("form.docx", DOCX, None),
    ("form.doc", OLE, None),
    ("form.pdf", PDF, None),
    ("empty.docx", b"", "空的"),
    ("html.docx", b"<html>not a document</html>", "已损坏"),
    ("zip.xls", DOCX, "已损坏"),
    ("locked.pdf", PDF_ENCRYPTED, "已加密"),
]


def test_form_files_must_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {}
    for i, (name, data, _) in enumerate(CASES):
        files[f"content/articles/g{i}.md"] = guide(f"办事指南{i}", forms=f"attachments/{name}")
        files[f"content/attachments/{name}"] = data
    r = run(tmp_path, monkeypatch, files=files)
    assert r.run.coverage["SERVICE-003"] == len(CASES)
    for i, (_, _, problem) in enumerate(CASES):
        found = [f for f in hits(r, "SERVICE-003") if f.file == f"content/articles/g{i}.md"]
        if problem is None:
            assert found == [], found
        else:
            assert len(found) == 1 and problem in found[0].message, found
            assert (found[0].severity, found[0].field) == ("error", "forms")


def test_missing_forms_in_metadata_and_body(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = ("申请表下载：[申请表](/attachments/apply.xlsx)，[样表]({static}/attachments/sample.docx)，"
            "[外部说明](https://www.gov.cn/a.pdf)，[已有表格](/attachments/ok.docx)。")
    files: dict[str, str | bytes] = {
        GUIDE: guide(forms="attachments/missing.docx, /attachments/ok.docx", body=body),
        "content/attachments/ok.docx": DOCX,
        "content/forms/outside.docx": DOCX,
        "content/articles/guide2.md": guide("第二个办事指南", forms="forms/outside.docx"),
    }
    r = run(tmp_path, monkeypatch, files=files)
    found = sorted((f.file, f.line, f.message) for f in hits(r, "SERVICE-003"))
    assert len(found) == 4, found
    assert any("missing.docx" in m and line == 16 for _, line, m in found)
    assert any("apply.xlsx" in m and line == 18 for _, line, m in found)
    assert any("sample.docx" in m for _, _, m in found)
    assert any("outside.docx" in m and "不会发布" in m for _, _, m in found)
    assert r.run.coverage["SERVICE-003"] == 6  # the gov.cn link is another site's file


# ---- INTERACT-001 consultation channel -------------------------------------------------------------------
NO_CHANNEL = ("    type: 咨询投诉\n", "    type: 互动交流\n")


def test_no_consultation_channel_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, settings="GOVSITE_INTERACTION_URL = None", columns_replace=NO_CHANNEL)
    found = vetoes(r, "INTERACT-001")
    assert len(found) == 1 and found[0].severity == "error"


def test_mailto_is_not_a_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, settings='GOVSITE_INTERACTION_URL = "mailto:zfb@example-county.gov.cn"',
            columns_replace=NO_CHANNEL)
    assert {f.severity for f in hits(r, "INTERACT-001")} == {"warning", "error"}


def test_setting_alone_is_a_channel_if_the_home_page_links_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, columns_replace=NO_CHANNEL)
    assert [f for f in hits(r, "INTERACT-001") if f.stage == "site"] == []
    assert "GOVSITE_INTERACTION_URL" in r.run.data["scorecard_facts"]["INTERACT-001"]
    assert r.published
    home = Page("index.html", file=r.run.root / "output" / "index.html")  # pages are read from disk on demand
    linked = any(CHANNEL_RE.search(a.text()) and (a.attributes.get("href") or "").rstrip("/") ==
                 "https://www.example-county.gov.cn/hdjl" for a in home.tree.css("a[href]"))
    page = [f for f in hits(r, "INTERACT-001", "error") if f.stage == "page"]
    assert bool(page) is not linked and all(dict(f.extra).get("veto") for f in page)


def test_channel_column_is_linked_from_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, settings="GOVSITE_INTERACTION_URL = None")
    assert hits(r, "INTERACT-001") == [] and r.run.coverage["INTERACT-001"] == 2


def test_channel_label_must_say_what_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(tmp_path, monkeypatch, settings="GOVSITE_INTERACTION_URL = None",
            columns_replace=("  - name: 互动交流\n", "  - name: 公众参与\n"))
    assert sorted(f.severity for f in hits(r, "INTERACT-001")) == ["error", "warning"]
