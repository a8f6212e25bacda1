"""The 单项否决 scorecard (SCORE-001, govsite.scorecard.compute) in findings.json and reports/index.html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitekit import article, build, fill_blank_columns, make_project

from govsite import scorecard
from govsite.build import BuildResult
from govsite.registry import RULES

STATUSES = {"通过", "不通过", "构建时无法检查"}
ITEMS = ("站点无法访问", "首页不更新", "空白栏目", "严重表述错误", "泄露国家秘密", "反动、暴力、色情", "伪造发稿日期", "安全攻击",
         "互动回应差", "服务不实用")



def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, now: str = "2026-11-20T18:00", files: dict[str, str] | None = None,
        columns: str = "") -> tuple[Path, BuildResult]:
    monkeypatch.setenv("GOVSITE_NOW", now)
    root = make_project(tmp_path, sample=False)
    fill_blank_columns(root)
    if columns:
        with open(root / "content" / "columns.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n" + columns)
    for rel, text in (files or {}).items():
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root)
    assert result.run is not None and "SCORE-001" not in result.run.crashed
    return root, result


def rows_by_item(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["item"]: r for r in rows}


def row(rows: list[dict[str, str]], needle: str) -> dict[str, str]:
    found = [r for r in rows if needle in r["item"]]
    assert len(found) == 1, (needle, [r["item"] for r in rows])
    return found[0]


def test_scorecard_in_findings_json_and_html_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, r = run(tmp_path, monkeypatch)
    data = json.loads((root / "reports" / "findings.json").read_text(encoding="utf-8"))
    rows = data["scorecard"]
    assert rows == r.run.data["scorecard"]
    assert rows[0]["item"].startswith("2026-11-20 18:00 抽查结论") and rows[0]["status"] == "通过"
    for needle in ITEMS:
        row(rows, needle)
    assert len([r for r in rows if "栏目不更新" in r["item"]]) == 3
    assert all(set(x) == {"item", "status", "evidence"} and x["status"] in STATUSES and x["evidence"] for x in rows)
    unreachable = row(rows, "站点无法访问")
    assert unreachable["status"] == "构建时无法检查"
    assert all(s in unreachable["evidence"] for s in ("20 次", "15 秒", "7 天", "5%"))
    assert r.run.data["deploy_probe"]["timeout_seconds"] == 15
    assert row(rows, "首页不更新")["status"] == "通过" and "天（限 14 天）" in row(rows, "首页不更新")["evidence"]
    assert row(rows, "服务不实用")["status"] == "通过"
    for item in scorecard.ITEMS:  # a veto item whose rule is not implemented is never reported as passed
        if any(rid not in RULES for rid in item.rules):
            assert row(rows, item.name)["status"] != "通过"
    assert data["coverage"]["SCORE-001"] == len(rows)
    html = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert "单项否决指标" in html and "抽查结论" in html and "站点无法访问" in html and "构建时无法检查" in html


def test_veto_items_fail_the_spot_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blank = "".join(f"  - name: 空栏目{i}\n    slug: klm{i}\n    type: 信息公开目录\n    description: 空栏目描述。\n"
                    f"    keywords: [测试]\n    update: static\n" for i in range(5))
    future = article("示例县召开明年工作会议", date="2026-12-20 09:00")
    _, r = run(tmp_path, monkeypatch, columns=blank, files={"content/articles/future.md": future})
    rows = r.run.data["scorecard"]
    assert row(rows, "空白栏目")["status"] == "不通过" and "空栏目4" in row(rows, "空白栏目")["evidence"]
    assert row(rows, "伪造发稿日期")["status"] == "不通过" and "2026-12-20" in row(rows, "伪造发稿日期")["evidence"]
    assert rows[0]["status"] == "不通过" and "空白栏目" in rows[0]["evidence"]
    assert row(rows, "首页不更新")["status"] == "通过"


def test_threshold_items_pass_below_the_veto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one blank column blocks the build (project policy) but is not the 19号 veto (≥ 5)
    blank = "  - name: 空栏目\n    slug: klm\n    type: 信息公开目录\n    description: 空栏目描述。\n    keywords: [测试]\n    update: static\n"
    _, r = run(tmp_path, monkeypatch, columns=blank, now="2026-12-10T10:00")
    rows = r.run.data["scorecard"]
    assert not r.ok
    assert row(rows, "空白栏目")["status"] == "通过" and "空白栏目 1 个" in row(rows, "空白栏目")["evidence"]
    assert row(rows, "首页不更新")["status"] == "不通过"  # 22 days without an update
    # compute() is idempotent: the driver calls it again right before writing the reports
    assert scorecard.compute(r.run) == rows
