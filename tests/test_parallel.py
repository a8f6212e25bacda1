"""The page stage split across processes gives exactly the serial result, and fails closed when a worker dies."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sitekit import article, build, make_project, snapshot

from govsite import parallel
from govsite.registry import RULES, Check, load_all_rules

# One template carrying a fault for most page-stage rules, so every check has something to report.
FAULTY_ARTICLE = """{% extends "!theme/article.html" %}
{% block related %}
<section class="related ad-banner"><h2>相关</h2>
<h4>跳级标题</h4>
<h1>第二个一级标题</h1>
<p><a href="/gone/nowhere.html">失效链接</a> <a href="#no-such-anchor">页内锚点</a> <a href="/about.html">点击这里</a></p>
<p><img src="/theme/images/no-such.png"> <a href="https://shop.example.com/sale">促销商城</a></p>
<div onclick="go()">点我</div><span tabindex="3">乱序</span>
<form><input type="text" name="q2" placeholder="无标签"></form>
<table><tr><td>甲</td><td>乙</td></tr><tr><td>1</td><td>2</td></tr></table>
<div style="display:none"><a href="http://casino.example.net/">博彩</a></div>
<p>联系人手机 13912345678</p>
</section>
{% endblock %}
"""


def _project(tmp: Path) -> Path:
    overrides = tmp / "templates"
    overrides.mkdir()
    (overrides / "article.html").write_text(FAULTY_ARTICLE, encoding="utf-8")
    files = {
        # Same <title> twice (A11Y-009 duplicate titles across pages) and a typo for INTEG-001.
        "content/articles/dup-a.md": article("示例县召开冬季森林防火工作会议", date="2026-11-18 09:00"),
        "content/articles/dup-b.md": article("示例县召开冬季森林防火工作会议", date="2026-11-18 10:00"),
    }
    return make_project(tmp, files=files, settings=f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}]")


def _outcome(root: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> dict[str, Any]:
    monkeypatch.setenv("GOVSITE_WORKERS", str(workers))
    monkeypatch.setenv("GOVSITE_PARALLEL_MIN_PAGES", "0")
    result = build(root)
    assert result.run is not None
    assert result.run.data["page_workers"] == workers
    # With several processes the content stage runs beside Pelican's reading.
    assert result.run.data.get("background_stages", []) == (["content"] if workers > 1 else [])
    report = json.loads((root / "reports" / "findings.json").read_text(encoding="utf-8"))
    data = result.run.data
    return {
        "findings": sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in report["findings"]),
        "coverage": report["coverage"],
        "scorecard": report["scorecard"],
        "privacy_gate_stats": {k: v for k, v in (data.get("privacy_gate_stats") or {}).items()
                               if k not in ("seconds", "ms_per_page")},  # timings differ run to run
        "conformance_stats": data.get("conformance_stats"),
        "published": result.published,
    }


def test_parallel_page_stage_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    serial = _outcome(root, monkeypatch, 1)
    page_rules = {r.id for r in RULES.values() if any(c.stage == "page" for c in r.checks)}
    hit = {json.loads(f)["rule"] for f in serial["findings"]} & page_rules
    # The faulty template really exercises the page stage (a test that cannot fail proves nothing).
    assert {"A11Y-005", "A11Y-007", "A11Y-009", "URL-003", "ADS-001", "INTEG-004", "PRIV-008"} <= hit, hit
    assert not serial["published"]
    for workers in (2, 3):
        assert _outcome(root, monkeypatch, workers) == serial, f"{workers} processes differ from one"
    costs = json.loads((root / ".govsite-cache" / parallel.COSTS_FILE).read_text(encoding="utf-8"))
    assert "A11Y-009@page" in costs and all(v >= 0 for v in costs.values())


def test_parallel_clean_site_passes_and_publishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path)
    monkeypatch.setenv("GOVSITE_WORKERS", "2")
    monkeypatch.setenv("GOVSITE_PARALLEL_MIN_PAGES", "0")
    result = build(root)
    assert result.ok and result.published, [f.message for f in result.run.errors]  # type: ignore[union-attr]
    assert result.run.data["page_workers"] == 2  # type: ignore[union-attr]
    assert result.run.data.get("manifest") is not None  # type: ignore[union-attr]  # INTEG-004 ran, in some process
    assert (root / "output" / "manifest.sha256").is_file()


def test_dead_worker_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path)
    monkeypatch.setenv("GOVSITE_WORKERS", "1")
    assert build(root).ok
    before = snapshot(root / "output")
    parent = os.getpid()
    load_all_rules()

    def dying(func: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            if os.getpid() != parent:
                os._exit(9)  # a worker killed mid-check (OOM killer, segfault in a parser …)
            return func(*args)
        return wrapper

    saved = {r.id: list(r.checks) for r in RULES.values()}
    try:
        for r in RULES.values():
            r.checks[:] = [replace(c, func=dying(c.func)) if c.stage in ("content", "page") else c for c in r.checks]
        monkeypatch.setenv("GOVSITE_WORKERS", "2")
        monkeypatch.setenv("GOVSITE_PARALLEL_MIN_PAGES", "0")
        result = build(root)
    finally:
        for rule_id, checks in saved.items():
            RULES[rule_id].checks[:] = checks
    assert not result.ok and not result.published
    dead = [f for f in result.findings if f.rule == "BUILD-001" and "子进程" in f.message]
    assert len(dead) >= 2 and all("（9）" in f.message for f in dead)  # the content worker and a page worker
    assert any("SEC-001" in f.message for f in dead)  # a content-stage rule named as not done
    assert any(f.rule == "GATE-001" for f in result.findings)  # its checks count as not run
    assert snapshot(root / "output") == before


def _check(key: str, per: str = "site", shares: str | None = None) -> Check:
    rule_id, stage = key.split("@")
    return Check(rule_id=rule_id, stage=stage, func=lambda *a: None, plugin="govsite_pages", per=per, shares=shares)


def test_plan_balances_and_keeps_shared_caches_together() -> None:
    checks = [_check("A@page", shares="idx"), _check("B@page", shares="idx"), _check("C@page"), _check("D@page"),
              _check("E@page", per="item"), _check("F@page", per="item")]
    costs = {"A@page": 3.0, "B@page": 1.0, "C@page": 2.0, "D@page": 2.0, "E@page": 1.0, "F@page": 1.0}
    bins = parallel.plan(checks, 2, costs)
    holders = [b for b in bins if any(c.shares == "idx" for t in b.tasks for c in t.checks)]
    assert len(holders) == 1  # A and B share the index: one process builds it
    assert abs(bins[0].load - bins[1].load) <= 1.0 + 1e-9
    shards = sorted(t.shard for b in bins for t in b.tasks if t.shard is not None)  # type: ignore[type-var]
    assert shards == [(i, 16) for i in range(16)]  # every page gets its per-page checks exactly once
    assert sum(b.load for b in bins) == pytest.approx(sum(costs.values()))


def test_worker_count_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Run:
        settings: dict[str, Any] = {}

    monkeypatch.delenv("GOVSITE_PARALLEL_MIN_PAGES", raising=False)
    monkeypatch.setenv("GOVSITE_WORKERS", "4")
    assert parallel.worker_count(Run(), 10_000) == 4  # type: ignore[arg-type]
    assert parallel.worker_count(Run(), 10) == 1  # type: ignore[arg-type]  # a small site is not worth a fork
    monkeypatch.setenv("GOVSITE_WORKERS", "many")
    assert parallel.worker_count(Run(), 10_000) == 1  # type: ignore[arg-type]



WORKER_SCRIPT = """
import sys, time
from pathlib import Path
from types import SimpleNamespace
from govsite import parallel
from govsite.publish import BuildLock
lock = BuildLock(Path(sys.argv[1]))
assert lock.acquire()
run = SimpleNamespace(findings=[], check_coverage={}, coverage={}, crashed={}, data={})
worker = parallel.fork_worker(run, lambda: time.sleep(60), "test")
print(worker.pid, flush=True)
time.sleep(60)
"""


def test_workers_die_with_a_killed_build_and_release_the_lock(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from govsite.publish import BuildLock

    lock_path = tmp_path / ".govsite.lock"
    proc = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(lock_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    assert Path(f"/proc/{worker}").exists()
    assert not BuildLock(lock_path).acquire()  # the build holds the lock
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{worker}/cmdline").exists() \
            and Path(f"/proc/{worker}/cmdline").read_bytes():
        time.sleep(0.02)
    assert not Path(f"/proc/{worker}/cmdline").exists() or not Path(f"/proc/{worker}/cmdline").read_bytes(), \
        "the worker outlived the killed build"
    again = BuildLock(lock_path)
    assert again.acquire()  # no orphan keeps the lock: the next build can start at once
    again.release()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def test_killed_build_leaves_no_workers_and_no_lock(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from test_reliability import _many_docs

    root = make_project(tmp_path, sample=False)
    _many_docs(root, 320)  # above the size at which the stages go parallel
    env = {**os.environ, "GOVSITE_WORKERS": "2", "GOVSITE_NOW": "2026-11-20T18:00:00+08:00"}
    cmd = [sys.executable, "-m", "govsite", "build", "--root", str(root), "--skip-browser"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    workers: list[int] = []
    staging = root / ".govsite-staging-output"
    deadline = time.monotonic() + 120
    # Kill while Pelican writes pages and the page-stream worker checks them.
    while proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        if workers and staging.is_dir() and sum(1 for _ in staging.rglob("*.html")) > 60:
            break
        time.sleep(0.01)
    assert workers and proc.poll() is None, "the build never started a worker"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "govsite" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
    assert alive == [], "workers outlived the killed build"
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-1500:]  # not 3: the lock died with the build
