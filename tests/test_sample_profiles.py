"""The sample portal under the national, 福建 and 宁夏 profiles (issues 4 and 5)."""

from __future__ import annotations

import pytest
from sitekit import build, make_project


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("sample"))


@pytest.mark.parametrize("profile", ["national", "fujian", "ningxia"])
def test_sample_is_green_under_profile(sample, monkeypatch, profile):
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-20T18:00:00+08:00")
    with open(sample / "pelicanconf.py", "a", encoding="utf-8") as fh:
        fh.write(f'\nGOVSITE_PROFILE = "{profile}"\n')
    result = build(sample)
    errors = [(f.rule, f.location(), f.message) for f in result.findings if f.severity == "error"]
    assert result.exit_code == 0, errors
    pending = [f for f in result.findings if f.rule == "REPRINT-001" and f.severity == "warning" and "还剩" in f.message]
    assert pending, "the pending upstream item must be announced with its remaining time"


def test_sample_fails_under_fujian_after_the_pending_deadline(sample, monkeypatch):
    # The pending item was published 2026-11-20 15:00: 福建 allows 8 hours, so 23:00 is the deadline.
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-20T23:30:00+08:00")
    with open(sample / "pelicanconf.py", "a", encoding="utf-8") as fh:
        fh.write('\nGOVSITE_PROFILE = "fujian"\n')
    result = build(sample)
    overdue = [f for f in result.findings if f.rule == "REPRINT-001" and f.severity == "error"]
    assert result.exit_code == 1 and overdue and "逾期未转载" in overdue[0].message
    assert overdue[0].file == "content/upstream/2026-11.yaml"


def test_removing_an_interpretation_fails_naming_the_policy(sample, monkeypatch):
    monkeypatch.setenv("GOVSITE_NOW", "2026-11-20T18:00:00+08:00")
    interps = sorted(p for p in (sample / "content").rglob("*.md") if "\ntype: interpretation\n" in p.read_text("utf-8"))
    victim = interps[0]
    number = next(line.split(":", 1)[1].strip() for line in victim.read_text("utf-8").splitlines()
                  if line.startswith("interprets:"))
    victim.unlink()
    result = build(sample)
    hits = [f for f in result.findings if f.rule == "INTERP-001" and f.severity == "error"]
    assert result.exit_code == 1 and hits
    policy_files = [p for p in (sample / "content").rglob("*.md") if f"doc_number: {number}" in p.read_text("utf-8")]
    assert {f.file for f in hits} & {p.relative_to(sample).as_posix() for p in policy_files}
