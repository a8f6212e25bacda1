"""`invoke new`: scaffolds for every document type build green; refusals are clear Chinese messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invoke import Context
from sitekit import build, make_project

from govsite.contract import REQUIRED, keys_for
from govsite.scaffold import BODY_PLACEHOLDER, SCAFFOLD_TYPES, ScaffoldError, ascii_slug, create
from govsite.source import read_source

NOW = "2026-11-20 18:00"  # the sample settings' GOVSITE_FROZEN_NOW
BODY = "会议对有关工作进行了部署，要求各部门抓好落实。"


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = make_project(tmp_path_factory.mktemp("scaffold"), sample=False)
    made: dict[str, object] = {}
    for t in SCAFFOLD_TYPES:
        if t == "interpretation":
            continue
        made[t] = create(root, t, f"示例县{t}稿件模板测试")
    number = read_source(made["policy"].path, root).get("doc_number")  # type: ignore[attr-defined]
    made["interpretation"] = create(root, "interpretation", "示例县政策文件图解", for_=number)
    return root, made


def test_every_type_has_required_keys_now_and_a_valid_column(scaffolded) -> None:  # type: ignore[no-untyped-def]
    root, made = scaffolded
    assert set(made) == set(SCAFFOLD_TYPES)
    for t, sc in made.items():
        doc = read_source(sc.path, root)
        assert not doc.problems, (t, doc.problems)
        for key in REQUIRED[t]:
            assert doc.get(key).strip(), (t, key)
        assert doc.get("type") == t
        assert doc.get("date") == NOW
        assert sc.path.parent.name == sc.column.slug and doc.get("category") == sc.column.name
        assert re.fullmatch(r"2026-11-20-[a-z0-9-]+\.md", sc.path.name)
        # Chinese explanations of every field, in an HTML comment at the top of the body
        assert doc.body.lstrip().startswith("<!--") and "-->" in doc.body
        comment = doc.body.split("-->", 1)[0]
        assert "--" not in comment[4:]
        for key in REQUIRED[t]:
            assert f"{key}（{keys_for(t)[key].label}）" in comment
    assert made["reprint"].column.reprint
    assert made["interpretation"].column.name == "政策解读"
    interp = read_source(made["interpretation"].path, root)
    assert interp.get("interprets") == read_source(made["policy"].path, root).get("doc_number")


def test_scaffolds_build_green_with_only_the_body_written(scaffolded) -> None:  # type: ignore[no-untyped-def]
    root, made = scaffolded
    for sc in made.values():
        text = sc.path.read_text(encoding="utf-8")
        sc.path.write_text(text.replace(BODY_PLACEHOLDER, BODY), encoding="utf-8")  # the editor writes the body
    result = build(root)
    errors = [f for f in result.findings if f.severity == "error"]
    assert result.ok and not errors, errors
    new_files = {sc.rel for sc in made.values()}
    contract = [f for f in result.findings if f.file in new_files and f.rule.startswith("CONTENT-")]
    assert not contract, contract


def test_refuses_to_overwrite_with_chinese_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import tasks_ext.editor as editor

    root = make_project(tmp_path, sample=False)
    monkeypatch.setattr(editor, "ROOT", root)
    editor.new(Context(), "notice", title="关于开展冬季消防安全检查的通知")
    out = capsys.readouterr().out
    assert "已创建 content/articles/tzgg/2026-11-20-" in out
    path = next((root / "content/articles/tzgg").glob("2026-11-20-*.md"))
    before = path.read_bytes()
    with pytest.raises(SystemExit) as exc:
        editor.new(Context(), "notice", title="关于开展冬季消防安全检查的通知")
    assert exc.value.code == 1
    assert "已存在，没有覆盖" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_refusals(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False)
    with pytest.raises(ScaffoldError, match="--for"):
        create(root, "interpretation", "解读")
    with pytest.raises(ScaffoldError, match="未在 content/columns.yaml 中登记"):
        create(root, "news", "标题", category="不存在的栏目")
    with pytest.raises(ScaffoldError, match="外部平台链接栏目"):
        create(root, "news", "标题", category="互动交流")
    with pytest.raises(ScaffoldError, match="未知的信息类型"):
        create(root, "blog", "标题")
    with pytest.raises(ScaffoldError, match="--title"):
        create(root, "news", "  ")
    sc = create(root, "notice", "公示通知", category="工作动态")
    assert sc.column.slug == "gzdt"


def test_ascii_slug() -> None:
    assert re.fullmatch(r"[0-9a-f]{8}", ascii_slug("示例县召开森林防火工作会议"))
    assert ascii_slug("示例县召开森林防火工作会议") == ascii_slug("示例县召开森林防火工作会议")
    assert re.fullmatch(r"[0-9a-f]{8}", ascii_slug("2026年 GDP 公报"))  # mixed: no guessing
    assert ascii_slug("Fire Safety Meeting 2026!") == "fire-safety-meeting-2026"


def test_reprint_for_upstream_url_fills_title_publisher_and_time(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False)
    url = "https://www.gov.cn/zhengce/content/202611/content_7000001.htm"  # tests/fixtures/minimal/upstream
    sc = create(root, "reprint", "", for_=url)
    doc = read_source(sc.path, root)
    assert doc.title == "国务院关于加强基层应急管理能力建设的意见"
    assert (doc.get("source"), doc.get("source_url"), doc.get("source_published")) == ("中国政府网", url,
                                                                                       "2026-11-17 08:00")
    assert sc.column.reprint
