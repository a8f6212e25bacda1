"""SCORE-001: the 单项否决 scorecard, computed at the gate stage after every other stage has run."""

from __future__ import annotations

from govsite.registry import rule
from govsite.run import BuildRun, RuleContext
from govsite.scorecard import compute


@rule("SCORE-001", title="单项否决指标汇总（抽查预判）", stage="gate", severity="info",
      clause="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）一、单项否决指标", confidence="P",
      fix="按报告「单项否决指标」表中「不通过」一行的依据修改；「构建时无法检查」的项目须部署后监测或人工核查",
      why="任何一项单项否决指标不合格，网站即被判定为不合格，其他指标不再评分。")
def scorecard(run: BuildRun, ctx: RuleContext) -> int:
    return len(compute(run))
