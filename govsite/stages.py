"""Stage runners: call every enabled rule of a stage whose owning plugin is loaded, record coverage."""

from __future__ import annotations

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
    for chk in enabled_checks(run, stage):
        if chk.plugin not in run.loaded_plugins:
            continue  # the gate reports it as not run
        if wanted is not None and chk.rule_id not in wanted:
            continue
        ctx = RuleContext(run, RULES[chk.rule_id], chk)
        if chk.per == "site":
            try:
                checked = chk.func(items, ctx)
            except Exception as exc:  # a crashing rule is a finding, never a traceback
                ctx.report_exception(exc, "全站")
                checked = 0
            run.mark_ran(chk, 1 if checked is None else int(checked))
            continue
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
