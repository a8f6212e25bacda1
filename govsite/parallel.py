"""The page stage on every core: its checks are split across forked worker processes.

Pelican renders on one core; the page stage is pure CPU over the written pages, so on a 2-core machine it
can run in half the wall time. Each process gets whole site-wide checks (they see the whole site exactly as in
a serial run, so their results cannot differ) plus a shard of the pages for the per-page checks. Checks that
share an expensive per-build cache (``shares="link_index"``) stay in one process so the cache is built once.
Work is balanced with the check costs measured in the previous build (``.govsite-cache/page-check-costs.json``),
or built-in estimates on the first build.

Workers are forked after Pelican has written the site (copy-on-write: nothing is pickled on the way in); each
sends back its findings, coverage counts, timings and the ``run.data`` entries it created or changed (keys
starting with ``_`` are per-process caches and stay behind). A worker that dies leaves its checks unrecorded,
so the gate fails the build (GATE-001) and BUILD-001 says which worker and which checks.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import pickle
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .findings import Finding
from .registry import Check
from .run import BuildRun, enabled_checks

log = logging.getLogger("govsite.parallel")

COSTS_FILE = "page-check-costs.json"
WRITING = "_writing"  # costs entry: Pelican's own writing, per 1,000 pages
MIN_PAGES = 300  # below this, forking costs more than it saves
NOT_EXPORTED = frozenset({"timings", "check_timings", "output_site"})  # merged separately, or main's own
# Seconds per 1,000 pages, measured on the 5,000-document benchmark portal (2 cores); only a first build
# (no .govsite-cache yet) uses them.
DEFAULT_COST = 0.02
ESTIMATES = {
    "A11Y-001@page": 0.53, "A11Y-009@page": 0.46, "LAYOUT-004@page": 0.40, "ADS-001@page": 0.37,
    "A11Y-005@page": 0.29, "PRIV-008@page": 0.24, "URL-003@page": 0.19, "INTEG-004@page": 0.15,
    "FOOTER-008@page": 0.14, "INTEG-001@page": 0.10, "A11Y-014@page": 0.09, "LAYOUT-010@page": 0.07,
    "INTEG-003@page": 0.06, "LAYOUT-006@page": 0.06, "LAYOUT-005@page": 0.06, "EXT-001@page": 0.05,
    "INTEG-002@page": 0.05, "FOOTER-009@page": 0.04,
    WRITING: 1.0,  # Pelican writing the pages (the page stream overlaps it)
}


def worker_count(run: BuildRun, n_items: int) -> int:
    """How many processes the page stage uses: GOVSITE_WORKERS (environment or setting), else the usable cores."""
    if not hasattr(os, "fork"):
        return 1
    raw = os.environ.get("GOVSITE_WORKERS") or run.settings.get("GOVSITE_WORKERS")
    try:
        wanted = int(raw) if raw not in (None, "") else len(os.sched_getaffinity(0))
    except (TypeError, ValueError):
        log.warning("GOVSITE_WORKERS=%r is not a number; using one process", raw)
        return 1
    try:
        min_pages = int(os.environ.get("GOVSITE_PARALLEL_MIN_PAGES", MIN_PAGES))
    except ValueError:
        min_pages = MIN_PAGES
    if n_items < min_pages:
        return 1
    return max(1, min(wanted, 16))


@dataclass
class Task:
    checks: list[Check]
    cost: float
    shard: tuple[int, int] | None = None  # per-page checks: (index, count) of the page shard


@dataclass
class Bin:
    tasks: list[Task] = field(default_factory=list)
    load: float = 0.0


def _costs_path(run: BuildRun) -> Path:
    return run.root / ".govsite-cache" / COSTS_FILE


def load_costs(run: BuildRun) -> dict[str, float]:
    try:
        data = json.loads(_costs_path(run).read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def save_costs(run: BuildRun, n_items: int, check_timings: dict[str, float]) -> None:
    """Remember each page check's cost per 1,000 pages for the next build's plan (best effort)."""
    if n_items <= 0:
        return
    costs = {k: round(v * 1000 / n_items, 5) for k, v in check_timings.items() if k.endswith("@page")}
    if run.data.get("writing_seconds"):
        costs[WRITING] = round(run.data["writing_seconds"] * 1000 / n_items, 5)
    path = _costs_path(run)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(costs, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("could not save page check costs: %s", exc)


def cost_of(chk: Check, costs: dict[str, float]) -> float:
    """Seconds per 1,000 pages: measured in the previous build, else the built-in estimate."""
    return costs.get(chk.key, ESTIMATES.get(chk.key, DEFAULT_COST))


def plan(checks: Sequence[Check], workers: int, costs: dict[str, float]) -> list[Bin]:
    """Longest-processing-time-first assignment of check groups and page shards to ``workers`` bins."""

    def cost(chk: Check) -> float:
        return cost_of(chk, costs)

    tasks: list[Task] = []
    item_checks = [c for c in checks if c.per != "site"]
    if item_checks:
        total = sum(cost(c) for c in item_checks)
        shards = workers * 8  # small pieces fill the gaps left by the big site-wide checks
        tasks += [Task(item_checks, total / shards, (i, shards)) for i in range(shards)]
    groups: dict[str, list[Check]] = {}
    for chk in checks:
        if chk.per == "site":
            groups.setdefault(chk.shares or chk.key, []).append(chk)
    tasks += [Task(group, sum(cost(c) for c in group)) for group in groups.values()]
    bins = [Bin() for _ in range(workers)]
    for task in sorted(tasks, key=lambda t: -t.cost):
        target = min(bins, key=lambda b: b.load)
        target.tasks.append(task)
        target.load += task.cost
    return bins


RunSerial = Callable[..., None]


def _run_bin(run: BuildRun, stage: str, items: Any, describe: Callable[[Any], str], b: Bin,
             run_serial: RunSerial, item_pages: list[Any] | None = None) -> None:
    started = time.perf_counter()
    pages = list(items) if item_pages is None else item_pages
    shards = [t.shard for t in b.tasks if t.shard is not None]
    item_checks = next((t.checks for t in b.tasks if t.shard is not None), [])
    if shards and item_checks:
        mine = [p for i, n in shards for p in pages[i::n]]
        run_serial(run, stage, mine, describe, item_checks, finish=False)  # finishers run once, after the merge
    site_checks = [c for t in b.tasks if t.shard is None for c in t.checks]
    if site_checks:
        run_serial(run, stage, items, describe, site_checks)
    log.debug("process %d: planned %.2f, took %.2f s", os.getpid(), b.load, time.perf_counter() - started)


def _size(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return -1


def _snapshot(run: BuildRun) -> dict[str, Any]:
    return {
        "findings": len(run.findings),
        "check_coverage": dict(run.check_coverage),
        "coverage": dict(run.coverage),
        "crashed": dict(run.crashed),
        "check_timings": dict(run.data.get("check_timings", {})),
        "timings": dict(run.data.get("timings", {})),
        "data": {k: (id(v), _size(v)) for k, v in run.data.items()},
    }


def _delta(run: BuildRun, snap: dict[str, Any]) -> dict[str, Any]:
    def diff(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
        # A check that ran over zero items still ran: keep new keys even when their value is 0.
        return {k: v - before.get(k, 0) for k, v in now.items() if k not in before or v != before[k]}

    exported: dict[str, Any] = {}
    for key, value in run.data.items():
        if key.startswith("_") or key in NOT_EXPORTED:
            continue
        if snap["data"].get(key) == (id(value), _size(value)):
            continue
        try:  # pickled here, once: an unpicklable value is a cache the parent does not need
            exported[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            log.debug("run.data[%r] not sent back from the worker: %s", key, exc)
            continue
        log.debug("worker %d sends run.data[%r] (%d bytes)", os.getpid(), key, len(exported[key]))
    return {
        "findings": run.findings[snap["findings"]:],
        "check_coverage": diff(run.check_coverage, snap["check_coverage"]),
        "coverage": diff(run.coverage, snap["coverage"]),
        "crashed": {k: v for k, v in run.crashed.items() if k not in snap["crashed"]},
        "check_timings": diff(run.data.get("check_timings", {}), snap["check_timings"]),
        "timings": diff(run.data.get("timings", {}), snap["timings"]),
        "data": exported,
    }


def merge(run: BuildRun, payload: dict[str, Any]) -> None:
    run.findings.extend(payload["findings"])
    for key, n in payload["check_coverage"].items():
        run.check_coverage[key] = run.check_coverage.get(key, 0) + n
    for key, n in payload["coverage"].items():
        run.coverage[key] = run.coverage.get(key, 0) + n
    run.crashed.update(payload["crashed"])
    timings = run.data.setdefault("check_timings", {})
    for key, secs in payload["check_timings"].items():
        timings[key] = timings.get(key, 0.0) + secs
    stages = run.data.setdefault("timings", {})
    for key, secs in payload.get("timings", {}).items():
        stages[key] = round(stages.get(key, 0.0) + secs, 4)
    for key, blob in payload["data"].items():
        run.data[key] = _merged(run.data.get(key), pickle.loads(blob))


def _merged(mine: Any, theirs: Any) -> Any:
    """Dicts merge key by key (collected facts are keyed by page), sets unite; anything else is replaced."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key, value in theirs.items():
            mine[key] = _merged(mine[key], value) if key in mine else value
        return mine
    if isinstance(mine, set) and isinstance(theirs, set):
        return mine | theirs
    return theirs


@dataclass
class Worker:
    """A forked process running part of a stage on a copy of the run; :meth:`join` merges what it found."""

    pid: int
    fd: int
    what: str  # for the failure message: which rules it was running

    def join(self, run: BuildRun) -> bool:
        payload = self.receive(run)
        if payload is None:
            return False
        merge(run, payload)
        return True

    def receive(self, run: BuildRun) -> dict[str, Any] | None:
        """Wait for the worker; its result, or None after reporting (BUILD-001) that it died."""
        with os.fdopen(self.fd, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        payload = None
        if code == 0:
            try:
                payload = pickle.loads(data)
            except Exception as exc:
                log.error("worker %d sent an unreadable result: %s", self.pid, exc)
        if payload is None:
            run.add(Finding(rule="BUILD-001", severity="error",
                            message=f"检查子进程异常退出（{code}），这些规则的检查没有完成：{self.what}",
                            fix="这是构建程序的故障，不是内容问题：重新构建；仍失败时设置 GOVSITE_WORKERS=1 并把错误信息报告给技术维护人员。",
                            clause="govsite 构建约定", stage="gate"))
            return None
        return payload  # type: ignore[no-any-return]


def fork_worker(run: BuildRun, work: Callable[[], None], what: str) -> Worker:
    """Run ``work()`` in a forked copy of this process; its findings, coverage and data come back on join."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    # Objects the garbage collector never visits stay shared with the worker instead of being copied page by page.
    gc.freeze()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _detach_from_build(parent)
        code = 0
        try:
            snap = _snapshot(run)
            work()
            data = pickle.dumps(_delta(run, snap), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            traceback.print_exc(file=sys.stderr)
            code = 70
        finally:
            sys.stderr.flush()
            os._exit(code)
    gc.unfreeze()
    os.close(write_fd)
    return Worker(pid, read_fd, what)


def _detach_from_build(parent: int) -> None:
    """In a new worker: die with the build process (a killed build leaves no orphan behind) and let go of the
    project's build lock, which only the build process itself holds."""
    from .publish import HELD_LOCK_FDS

    for fd in HELD_LOCK_FDS:
        try:
            os.close(fd)  # flock stays with the parent's descriptor
        except OSError:
            pass
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(70)


def run_parallel(run: BuildRun, stage: str, items: Any, describe: Callable[[Any], str], checks: list[Check],
                 workers: int, run_serial: RunSerial, finishers: Callable[[BuildRun, list[Check]], None] | None,
                 item_pages: list[Any] | None = None) -> None:
    """Split ``checks`` over ``workers`` processes (this one included). Per-page checks run on ``item_pages``
    (default: all of ``items``); ``finishers`` run once at the end unless None (the caller runs them)."""
    bins = [b for b in plan(checks, workers, load_costs(run)) if b.tasks]
    run.data["page_workers"] = len(bins)
    log.info("page stage: %d processes, planned loads %s", len(bins), [round(b.load, 2) for b in bins])
    children = [fork_worker(run, lambda b=b: _run_bin(run, stage, items, describe, b, run_serial, item_pages),
                            "、".join(sorted({c.rule_id for t in b.tasks for c in t.checks})))
                for b in bins[1:]]
    _run_bin(run, stage, items, describe, bins[0], run_serial, item_pages)
    for child in children:
        child.join(run)
    if finishers is not None:
        finishers(run, [c for c in checks if c.per != "site"])


# ---- a stage in the background -------------------------------------------------------------------------------

JOBS = "_background_jobs"


def start_background(run: BuildRun, stage: str, work: Callable[[], None], n_items: int) -> bool:
    """Run a stage in a worker while this process carries on (the content stage beside Pelican's reading).

    Returns False (nothing started) when parallelism is off or the stage is small; :func:`join_background`
    must be called before anything reads the stage's results.
    """
    if worker_count(run, n_items) < 2:
        return False
    checks = "、".join(sorted({c.rule_id for c in enabled_checks(run, stage)}))
    run.data.setdefault(JOBS, []).append(fork_worker(run, work, checks))
    run.data.setdefault("background_stages", []).append(stage)
    return True


def join_background(run: BuildRun) -> None:
    """Merge every background stage's results (idempotent; the build driver calls it whatever happened)."""
    jobs = run.data.pop(JOBS, [])
    for job in jobs:
        job.join(run)
