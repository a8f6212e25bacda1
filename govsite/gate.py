"""The gate that cannot be skipped: every enabled rule must have run, and the report says on how much."""

from __future__ import annotations

import os

from .registry import RULES, rule
from .run import BuildRun, RuleContext, enabled_checks

CLAUSE = "govsite 门禁：每条启用的规则都必须实际运行（design-notes「A gate that cannot be skipped」）"


@rule("GATE-001", title="每条启用的规则都已运行", stage="gate", clause=CLAUSE,
      fix="检查 pelicanconf.py 的 PLUGINS 是否包含全部 govsite 插件，以及插件是否加载成功。",
      why="Pelican 在插件加载失败时只记录日志并继续构建，不合规的网站可能因此被发布。")
def _rules_ran(run: BuildRun, ctx: RuleContext) -> int:
    checked = 0
    for c in enabled_checks(run):
        if c.stage == "gate":
            continue
        checked += 1
        if c.key in run.check_coverage:
            continue
        if c.plugin not in run.loaded_plugins:
            why = f"负责它的插件 {c.plugin} 没有加载"
        else:
            why = f"{c.stage} 阶段没有执行"
        ctx.report(f"规则 {c.rule_id}（{RULES[c.rule_id].title}）的{c.stage}阶段检查没有运行：{why}。本次构建不能证明网站合规。")
    return checked


@rule("GATE-002", title="关闭规则须记录原因并在报告中列出", stage="gate", clause=CLAUSE, severity="warning",
      fix="确认关闭理由仍然成立；否则在规则配置中删除 severity: off。",
      why="关闭一条规则等于放弃一项检查，必须有据可查。")
def _disabled_listed(run: BuildRun, ctx: RuleContext) -> int:
    for rid, reason in sorted(run.profile.disabled_rules().items()):
        title = RULES[rid].title if rid in RULES else "（未知规则）"
        ctx.report(f"规则 {rid}（{title}）已被关闭，原因：{reason}", field=rid)
    return len(RULES)


@rule("GATE-003", title="跳过的检查阶段须在报告中醒目提示", stage="gate", clause=CLAUSE, severity="error",
      fix="正式发布前运行完整构建（不要使用 --skip-browser）。",
      why="跳过浏览器检查的构建只适合预览；流水线中不允许跳过。")
def _skipped_stages(run: BuildRun, ctx: RuleContext) -> int:
    for _stage, reason in sorted(run.skipped_stages.items()):
        # Pipelines set GOVSITE_FORBID_SKIP=1 (see docs/pipelines.md) so that a skipped stage blocks publication.
        forbid = os.environ.get("GOVSITE_FORBID_SKIP", "").lower() in ("1", "true", "yes")
        ctx.report(reason + ("（流水线中不允许跳过）" if forbid else ""), severity="error" if forbid else "warning")
    return 1


def check(run: BuildRun) -> None:
    for r in sorted((r for r in RULES.values() if r.stage == "gate"), key=lambda r: r.id):
        if not run.profile.enabled(r.id, r.severity):
            continue
        chk = r.checks[0]
        ctx = RuleContext(run, r, chk)
        checked = chk.func(run, ctx)
        run.mark_ran(chk, int(checked or 0))


# Findings the driver itself emits (it runs before or around Pelican); registered so they are documented
# and linked like every other rule.
@rule("CONFIG-001", title="站点设置文件可执行、规则配置有效", stage="gate", clause="govsite 构建约定：站点设置必须完整有效",
      fix="按提示修正 pelicanconf.py、GOVSITE_PROFILE / GOVSITE_RULES 或 profiles/*.yaml；GOVSITE_NOW 须为 ISO 8601 时间",
      why="设置文件出错时无法判断网站是否合规，构建在渲染前就会停止，原网站保持不变。",
      example_bad="GOVSITE_NAME = (", example_good='GOVSITE_NAME = "示例县人民政府"')
def _settings_loaded(run: BuildRun, ctx: RuleContext) -> int:
    return 1  # reaching the gate means pelicanconf.py, the clock and the profile loaded


@rule("BUILD-001", title="Pelican 构建与插件加载无错误", stage="gate", clause=CLAUSE,
      fix="查看错误信息：模板或插件出错请联系技术维护人员；文件无法处理时按提示修正该文件",
      why="Pelican 遇到无法处理的文件或无法加载的插件时只记录日志并跳过，这些错误必须阻止发布。")
def _pelican_clean(run: BuildRun, ctx: RuleContext) -> int:
    return 1  # the driver turns Pelican's error log records into BUILD-001 findings
