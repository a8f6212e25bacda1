"""Stage runners: call every enabled rule of a stage whose owning plugin is loaded, record coverage."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Sequence

from .registry import RULES
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
    for chk in enabled_checks(run, stage):
        if chk.plugin not in run.loaded_plugins:
            continue  # the gate reports it as not run
        if wanted is not None and chk.rule_id not in wanted:
            continue
        ctx = RuleContext(run, RULES[chk.rule_id], chk)
        t0 = time.perf_counter()
        try:
            _run_one(run, chk, ctx, items, describe)
        finally:
            per_check = run.data.setdefault("check_timings", {})
            per_check[chk.key] = per_check.get(chk.key, 0.0) + time.perf_counter() - t0


def _run_one(run: BuildRun, chk: Any, ctx: RuleContext, items: Any, describe: Callable[[Any], str]) -> None:
    if chk.per == "site":
        try:
            checked = chk.func(items, ctx)
        except Exception as exc:  # a crashing rule is a finding, never a traceback
            ctx.report_exception(exc, "全站")
            checked = 0
        run.mark_ran(chk, 1 if checked is None else int(checked))
        return
    count = 0
    for item in items:
        if not chk.applies(item):
            continue
        count += 1
        try:
            chk.func(item, ctx)
        except Exception as exc:
            ctx.report_exception(exc, describe(item))
    run.mark_ran(chk, count)
