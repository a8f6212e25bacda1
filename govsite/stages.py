"""Stage runners: call every enabled rule of a stage whose owning plugin is loaded, record coverage."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Sequence, Sized

from . import pagestream, parallel
from .htmlpage import site_order
from .registry import RULES, Check
from .run import BuildRun, RuleContext, enabled_checks


def run_stage(
    run: BuildRun,
    stage: str,
    items: Sequence[Any] | Any,
    *,
    describe: Callable[[Any], str] = str,
    only: Iterable[str] | None = None,
) -> None:
    """Run ``stage``'s rules. Per-item rules get each item; per-site rules get ``items`` once.

    A per-site rule returns how many items it checked (None counts as 1).
    """
    wanted = set(only) if only is not None else None
    started = time.perf_counter()
    try:
        _run_checks(run, stage, items, describe, wanted)
    finally:
        timings = run.data.setdefault("timings", {})
        timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - started, 4)


def _run_checks(run: BuildRun, stage: str, items: Any, describe: Callable[[Any], str], wanted: set[str] | None) -> None:
    checks = [c for c in enabled_checks(run, stage)
              if c.plugin in run.loaded_plugins  # others: the gate reports them as not run
              and (wanted is None or c.rule_id in wanted)]
    if stage != "page" or not isinstance(items, Sized):
        run_checks_serial(run, stage, items, describe, checks)
        return
    workers = parallel.worker_count(run, len(items))
    run.data["page_workers"] = workers
    # A page-stream worker may already have checked part of the pages while Pelican was writing them.
    streamed = pagestream.run_page_stage(run, items, describe, checks, workers, run_checks_serial, run_finishers)
    if not streamed and workers > 1:
        parallel.run_parallel(run, stage, items, describe, checks, workers, run_checks_serial, run_finishers)
    elif not streamed:
        run_checks_serial(run, stage, items, describe, checks)
    if workers > 1 or len(items) >= parallel.MIN_PAGES:
        parallel.save_costs(run, len(items), run.data.get("check_timings", {}))


def run_finishers(run: BuildRun, checks: list[Check]) -> None:
    """Call each per-item check's ``finish`` once with what it collected (after all items, in all processes)."""
    per_check = run.data.setdefault("check_timings", {})
    collected = run.data.get("collected", {})
    for chk in checks:
        if chk.finish is None or chk.per == "site":
            continue
        ctx = RuleContext(run, RULES[chk.rule_id], chk)
        t0 = time.perf_counter()
        try:
            facts = collected.get(chk.key, {})
            chk.finish({key: facts[key] for key in sorted(facts, key=site_order)}, ctx)
        except Exception as exc:
            ctx.report_exception(exc, "全站汇总")
        per_check[chk.key] = per_check.get(chk.key, 0.0) + time.perf_counter() - t0


def run_checks_serial(run: BuildRun, stage: str, items: Any, describe: Callable[[Any], str],
                      checks: list[Check], finish: bool = True) -> None:
    per_check = run.data.setdefault("check_timings", {})
    item_checks = [(c, RuleContext(run, RULES[c.rule_id], c)) for c in checks if c.per != "site"]
    if item_checks:
        # Item-major: every per-item check sees one item, then the item may drop its parse tree.
        counts = dict.fromkeys((c.key for c, _ in item_checks), 0)
        for item in items:
            for chk, ctx in item_checks:
                if not chk.applies(item):
                    continue
                counts[chk.key] += 1
                t0 = time.perf_counter()
                try:
                    chk.func(item, ctx)
                except Exception as exc:  # a crashing rule is a finding, never a traceback
                    ctx.report_exception(exc, describe(item))
                per_check[chk.key] = per_check.get(chk.key, 0.0) + time.perf_counter() - t0
            release = getattr(item, "release", None)
            if release is not None:
                release()
        for chk, _ in item_checks:
            run.mark_ran(chk, counts[chk.key])
        if finish:
            run_finishers(run, [c for c, _ in item_checks])
    for chk in checks:
        if chk.per != "site":
            continue
        ctx = RuleContext(run, RULES[chk.rule_id], chk)
        t0 = time.perf_counter()
        try:
            checked = chk.func(items, ctx)
        except Exception as exc:
            ctx.report_exception(exc, "全站")
            checked = 0
        per_check[chk.key] = per_check.get(chk.key, 0.0) + time.perf_counter() - t0
        run.mark_ran(chk, 1 if checked is None else int(checked))
