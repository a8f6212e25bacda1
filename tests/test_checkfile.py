"""check-file: content-stage rules on single files, fast, with strict privacy for pre-commit."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import REPO, article, make_project

from govsite.checkfile import check_files

ID = "11010519491231002X"  # the textbook example: valid checksum
BAD_DATE = article("日期写错的稿件", date="2026/11/18")
WITH_ID = article("示例县2026年困难群众临时救助名单公示", doc_type="public-notice", category="通知公告",
                  body=f"张三，身份证号 {ID}，救助金额 2000 元。")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("checkfile"), sample=False, files={
        "content/articles/gzdt/good.md": article(),
        "content/articles/gzdt/bad-date.md": BAD_DATE,
        "content/articles/tzgg/with-id.md": WITH_ID,
        "content/articles/tzgg/exempt.md": article(
            "示例县失信被执行人名单公示", doc_type="public-notice", category="通知公告",
            extra="privacy_exempt: 惩戒公示\nprivacy_basis: 《最高人民法院关于公布失信被执行人名单信息的若干规定》",
            body=f"李四，身份证号 {ID}。"),
    })


def test_good_file_passes(project: Path) -> None:
    findings, code = check_files([project / "content/articles/gzdt/good.md"], root=project)
    assert code == 0
    assert not [f for f in findings if f.severity == "error"]


def test_bad_file_reports_rule_line_and_fix(project: Path) -> None:
    findings, code = check_files([project / "content/articles/gzdt/bad-date.md"], root=project)
    assert code == 1
    hit = next(f for f in findings if f.rule == "CONTENT-003")
    assert hit.file == "content/articles/gzdt/bad-date.md" and hit.line == 2 and hit.field == "date" and hit.fix


def test_site_rules_see_the_other_documents(project: Path) -> None:
    clash = project / "content/articles/gzdt/clash.md"
    clash.write_text(article(extra="slug: good"), encoding="utf-8")  # same column, day and slug as good.md
    try:
        findings, code = check_files([clash], root=project)
    finally:
        clash.unlink()
    assert code == 1
    assert any(f.rule == "CONTENT-005" and f.file == "content/articles/gzdt/clash.md" for f in findings)


def test_strict_privacy_blocks_unmasked_id_but_honours_exemption(project: Path) -> None:
    findings, code = check_files([project / "content/articles/tzgg/with-id.md"], root=project, strict_privacy=True)
    assert code == 1
    priv = [f for f in findings if f.rule.startswith("PRIV-")]
    assert priv and all(f.severity == "error" for f in priv if f.severity != "info")
    assert any(f.rule == "PRIV-002" and f.line == 7 for f in priv)
    assert ID not in json.dumps([f.to_dict() for f in findings], ensure_ascii=False)  # never echo the raw value
    findings, code = check_files([project / "content/articles/tzgg/exempt.md"], root=project, strict_privacy=True)
    assert code == 0, findings


def test_cli_json_and_exit_code(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "govsite.checkfile", "--json", "--root", str(project),
                           "content/articles/gzdt/bad-date.md"], cwd=project, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["passed"] is False and any(f["rule"] == "CONTENT-003" for f in data["findings"])


def test_one_file_in_well_under_a_second(project: Path) -> None:
    """End to end, as an editor or hook runs it: interpreter start, imports, settings, rules, one file.

    Measured as the child's CPU time (user + system), which a busy test machine does not inflate.
    """
    cmd = [sys.executable, "-m", "govsite.checkfile", "--root", str(project), "content/articles/gzdt/good.md"]
    best = float("inf")
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=120)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "检查了 1 个文件：通过" in proc.stdout
    # Speed is measured by `invoke bench` (check-file row); here only a hang guard.
    assert best < 10.0, f"check-file used {best:.2f} s of CPU"
    # in-process, with the rules already imported: a small fraction of that
    check_files([project / "content/articles/gzdt/good.md"], root=project)
    started = time.process_time()
    check_files([project / "content/articles/gzdt/good.md"], root=project)
    assert time.process_time() - started < 0.5


def test_invoke_task(project: Path) -> None:
    if not (REPO / ".venv/bin/invoke").exists():
        pytest.skip("invoke not installed in .venv")
    proc = subprocess.run([str(REPO / ".venv/bin/invoke"), "check-file", "--path",
                           str(project / "content/articles/gzdt/bad-date.md")], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert "CONTENT-003" in proc.stdout and "规则说明：docs/rules/CONTENT-003.md" in proc.stdout
