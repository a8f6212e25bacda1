"""CI pipelines and the pre-commit hook: files parse, reference the build's artifacts, and their commands run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sitekit import REPO, article, make_project

GITHUB = REPO / ".github" / "workflows" / "govsite.yml"
GITLAB = REPO / ".gitlab-ci.yml"
ARTIFACTS = ("reports/junit.xml", "reports/findings.sarif", "reports/findings.json", "reports/index.html")
ID = "11010519491231002X"


def _github_steps() -> list[dict]:
    data = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    assert data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as True
    (job,) = data["jobs"].values()
    return job["steps"]


def _gitlab_job() -> dict:
    data = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    return data["govsite"]


def _commands() -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Per pipeline: the govsite commands (lines starting with .venv/bin/ or python -m govsite) and their env."""
    out: dict[str, list[tuple[str, dict[str, str]]]] = {"github": [], "gitlab": []}
    for step in _github_steps():
        env = {k: str(v) for k, v in (step.get("env") or {}).items()}
        for line in str(step.get("run", "")).splitlines():
            if line.strip().startswith((".venv/bin/", "python -m govsite")):
                out["github"].append((line.strip(), env))
    env: dict[str, str] = {}
    for line in _gitlab_job()["script"]:
        m = re.match(r"^export (\w+)=(\S*)$", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
        elif line.strip().startswith((".venv/bin/", "python -m govsite")):
            out["gitlab"].append((line.strip(), dict(env)))
    return out


def test_workflows_parse_and_reference_the_build_artifacts() -> None:
    steps = _github_steps()
    runs = [s.get("run", "") for s in steps]
    assert "bash scripts/setup.sh" in runs and "bash scripts/test.sh" in runs
    uses = {s.get("uses", "").split("@")[0]: s for s in steps if s.get("uses")}
    reports = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")
                   and s["with"]["path"] == "reports/")
    assert reports["if"] == "always()"
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == "reports/findings.sarif"
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == "reports/junit.xml"
    build_step = next(s for s in steps if "-m govsite build" in s.get("run", ""))
    assert build_step["env"]["GOVSITE_FORBID_SKIP"] == "1"
    assert not any("GOVSITE_FORBID_SKIP" in (s.get("env") or {}) for s in steps if "test.sh" in s.get("run", ""))

    job = _gitlab_job()
    assert job["script"][:2] == ["bash scripts/setup.sh", "bash scripts/test.sh"]
    assert job["artifacts"]["when"] == "always"
    assert "reports/" in job["artifacts"]["paths"]
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert job["script"].index("export GOVSITE_FORBID_SKIP=1") > job["script"].index("bash scripts/test.sh")

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {h["id"]: h for h in hooks}
    assert "--strict-privacy" in ids["govsite-check-file"]["entry"]
    assert re.search(ids["govsite-check-file"]["files"], "content/articles/gzdt/x.md")
    assert (REPO / ids["govsite-check-file-venv"]["entry"]).is_file()


@pytest.mark.browser  # the pipeline's build is a full build: the accessibility stage drives headless Chromium
def test_pipeline_commands_run_on_a_project(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False)
    usage = subprocess.run([sys.executable, "-m", "govsite", "--help"], capture_output=True, text=True, timeout=60)
    assert "check-file" in usage.stdout, (
        "govsite/__main__.py has no check-file subcommand: add `from .checkfile import add_cli` + `add_cli(sub)` "
        "before parse_args and `if getattr(args, 'func', None): return int(args.func(args))` after it")
    commands = _commands()
    assert {c for c, _ in commands["github"]} == {c for c, _ in commands["gitlab"]}
    assert any("check-file" in c for c, _ in commands["github"]) and any(" build" in c for c, _ in commands["github"])
    for cmd, env in commands["github"]:
        argv = shlex.split(cmd)
        argv[0] = sys.executable if argv[0].endswith("python") else argv[0]
        proc = subprocess.run(argv, cwd=root, env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    for rel in ARTIFACTS:  # what the pipelines upload is what the build wrote
        assert (root / rel).is_file(), rel
    assert (root / "output" / "index.html").is_file()


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVSITE_PYTHON": sys.executable}  # the hook's interpreter: this test's venv
    return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", *args],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120, check=check)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pre_commit_hook_blocks_unmasked_id(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False)
    (root / "notes.txt").write_text("not content\n", encoding="utf-8")
    _git(root, "init", "-q")
    hook = root / ".git" / "hooks" / "pre-commit"
    shutil.copy(REPO / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    _git(root, "add", "-A")
    first = _git(root, "commit", "-q", "-m", "initial", check=False)
    assert first.returncode == 0, first.stdout + first.stderr

    leak = "content/articles/tzgg/2026-11-19-relief-list.md"
    body = f"经审核，以下人员符合临时救助条件：张三，身份证号 {ID}，救助金额 2000 元。"
    (root / leak).parent.mkdir(parents=True, exist_ok=True)
    (root / leak).write_text(article("示例县临时救助名单公示", doc_type="public-notice", category="通知公告",
                                     date="2026-11-19 09:00", body=body), encoding="utf-8")
    _git(root, "add", leak)
    blocked = _git(root, "commit", "-q", "-m", "leak", check=False)
    assert blocked.returncode != 0
    out = blocked.stdout + blocked.stderr
    assert "PRIV-002" in out and "提交被阻止" in out
    assert ID not in out  # the report never repeats the unmasked number
    assert _git(root, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    # the staged version counts: fixing only the working tree does not unblock the commit
    (root / leak).write_text((root / leak).read_text(encoding="utf-8").replace(ID, "110105********002X"),
                             encoding="utf-8")
    assert _git(root, "commit", "-q", "-m", "leak", check=False).returncode != 0
    _git(root, "add", leak)
    fixed = _git(root, "commit", "-q", "-m", "masked", check=False)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    # files outside content/ are not checked
    (root / "notes.txt").write_text(f"{ID}\n", encoding="utf-8")
    _git(root, "add", "notes.txt")
    assert _git(root, "commit", "-q", "-m", "notes", check=False).returncode == 0
