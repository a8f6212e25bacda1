"""Audit mode on a hijacked county page, and the INTEG-004 manifest (防篡改) end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import build, make_project, snapshot

from govsite.audit import audit_directory
from govsite.manifest import MANIFEST_NAME, parse, verify_manifest

REPO = Path(__file__).resolve().parent.parent
HIJACKED = Path(__file__).parent / "fixtures" / "hijacked"


@pytest.fixture(scope="module")
def hijacked(tmp_path_factory):
    before = snapshot(HIJACKED)
    reports = tmp_path_factory.mktemp("reports")
    code = audit_directory(HIJACKED, settings_file=None, reports_dir=reports, quiet=True)
    assert snapshot(HIJACKED) == before, "audit mode must not modify the audited directory"
    data = json.loads((reports / "findings.json").read_text(encoding="utf-8"))
    return code, data["findings"], data


def test_audit_reports_spam_in_title(hijacked):
    code, found, _ = hijacked
    assert code == 1
    title = [f for f in found if f["rule"] == "INTEG-003" and f["url"] == "/index.html" and f["selector"] == "title"]
    assert {"365bet", "百家乐", "真人娱乐"} <= {f["message"].split("「")[1].split("」")[0] for f in title}
    assert all(f["severity"] == "error" for f in title)


def test_audit_reports_hidden_elements_and_injected_script(hijacked):
    _, found, _ = hijacked
    tamper = [f for f in found if f["rule"] == "INTEG-004" and f["severity"] == "error"]
    text = "\n".join(f"{f['url']} {f['selector']} {f['message']}" for f in tamper)
    assert "display:none" in text and "http://www.365bet-casino.example/" in text
    assert "屏幕外" in text  # position:absolute; left:-9999px
    assert "颜色与背景色相同" in text and "text-indent" in text and "font-size:0" in text
    assert "document.write" in text
    assert "<iframe>" in text and "自动跳转到外部网站" in text
    assert all(f["selector"] for f in tamper)


def test_audit_reports_missing_identifiers_and_meta(hijacked):
    _, found, data = hijacked
    rules = {f["rule"] for f in found if f["severity"] == "error"}
    assert {"FOOTER-001", "FOOTER-003", "FOOTER-004", "FOOTER-005"} <= rules  # no footer identifiers
    assert {"META-001", "META-002", "META-003"} <= rules  # no 指引 meta tags
    assert {"EXT-001", "ADS-001", "URL-003", "LAYOUT-005"} <= rules
    assert set(data["skipped_stages"]) >= {"config", "content", "site", "browser"}
    assert data["coverage"]["INTEG-004"] == 2


def test_manifest_is_published_and_detects_tampering(tmp_path):
    root = make_project(tmp_path, sample=False)
    result = build(root)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    out = root / "output"
    text = (out / MANIFEST_NAME).read_text(encoding="utf-8")
    entries = parse(text)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)
    assert list(entries) == files  # every output file, sorted
    assert verify_manifest(out) == []

    again = build(root)  # deterministic: same content → byte-identical manifest
    assert again.exit_code == 0
    assert (out / MANIFEST_NAME).read_text(encoding="utf-8") == text

    page = out / "contact.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", '<a href="http://casino.example/">x</a></body>'),
                    encoding="utf-8")
    (out / "shell.php").write_text("<?php eval($_POST['x']); ?>", encoding="utf-8")
    (out / "statement.html").unlink()
    problems = verify_manifest(out)
    assert "文件内容被修改：contact.html" in problems
    assert "新增文件（清单中没有）：shell.php" in problems
    assert "缺少文件（已被删除）：statement.html" in problems

    # the deploy step can verify against a copy of the manifest kept off the server
    offsite = tmp_path / "manifest.copy"
    offsite.write_text(text, encoding="utf-8")
    (out / MANIFEST_NAME).write_text("", encoding="utf-8")  # an attacker blanking the published one
    assert "文件内容被修改：contact.html" in verify_manifest(out, offsite)

    proc = subprocess.run([sys.executable, "-m", "invoke", "verify", "--deployed", str(out), "--manifest", str(offsite)],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1 and "contact.html" in proc.stdout


def test_invoke_audit_task(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "invoke", "audit", str(HIJACKED), "--reports", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "findings.json").is_file() and (tmp_path / "index.html").is_file()
