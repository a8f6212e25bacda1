"""The 单项否决 scorecard (国办秘函〔2019〕19号): "would this site pass a spot check now?".

:func:`compute` reads the findings of every other rule, so it must run after all stages: the gate-stage
rule SCORE-001 (checks/scorecard.py) calls it, and the driver calls it again right before writing the
reports so that checks added after the gate are included. It is idempotent and never raises.
Rows go to ``run.data["scorecard"]`` as ``{"item", "status", "evidence"}`` (rendered by report.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .registry import RULES

PASS, FAIL, NA = "通过", "不通过", "构建时无法检查"

# Rules whose veto condition is a threshold: only findings tagged ``veto=True`` fail the item.
# For every other rule, any blocking (error) finding means the veto condition is met.
TAGGED = frozenset({"FRESH-002", "FRESH-003", "FRESH-004", "FRESH-005", "SERVICE-001", "SERVICE-002", "INTERACT-001"})

# Deploy-time probe for 站点无法访问 (FRESH-001), which no build can check.
PROBE = {"probes_per_day": 24, "min_probes_per_day": 20, "timeout_seconds": 15, "window_days": 7,
         "max_failure_ratio": 0.05}


@dataclass(frozen=True)
class Item:
    name: str
    rules: tuple[str, ...]
    na_note: str = ""  # why a rule that is not registered cannot be checked at build time


ITEMS: tuple[Item, ...] = (
    Item("首页不更新", ("FRESH-002",)),
    Item("栏目不更新：动态要闻类栏目2周内、通知公告/政策文件类一级栏目6个月内未更新累计≥5个", ("FRESH-003",)),
    Item("栏目不更新：应更新但长期未更新的栏目≥10个", ("FRESH-004",)),
    Item("栏目不更新：空白栏目≥5个", ("FRESH-005",)),
    Item("严重表述错误", ("INTEG-001",)),
    Item("泄露国家秘密", ("INTEG-002",)),
    Item("发布或链接反动、暴力、色情等内容", ("INTEG-003",)),
    Item("弄虚作假（伪造发稿日期）", ("FRESH-007",)),
    Item("安全攻击（挂马、篡改）未及时有效处置", ("INTEG-004",)),
    Item("互动回应差：未提供有效咨询建言渠道、超过3个月未回应留言", ("INTERACT-001", "INTERACT-002"),
         na_note="留言答复在互动平台办理，需对平台数据检查（监测前1年内有效留言须在3个月内答复）"),
    Item("服务不实用：未提供办事服务、办事指南要素缺失", ("SERVICE-001", "SERVICE-002")),
)


def _rule_status(run: Any, rid: str, facts: dict[str, str], na_note: str) -> tuple[str, str]:
    rule = RULES.get(rid)
    if rule is None:
        return NA, f"{rid}：{na_note or '本项目尚无该检查'}"
    if not run.profile.enabled(rid, rule.severity):
        reason = run.profile.disabled_rules().get(rid, "")
        return NA, f"{rid} 已在规则配置中关闭（{reason}）"
    wanted = [c for c in rule.checks if c.stage != "gate"]
    skipped = [c for c in wanted if c.stage in run.skipped_stages]
    missing = [c for c in wanted if c.stage not in run.skipped_stages and c.key not in run.check_coverage]
    if skipped or missing or not wanted:
        return NA, f"{rid} 的检查本次没有运行"
    found = [f for f in run.findings if f.rule == rid]
    if rid in TAGGED:
        vetoes = [f for f in found if dict(f.extra).get("veto")]
    else:
        vetoes = [f for f in found if f.severity == "error" or dict(f.extra).get("veto")]
    if vetoes:
        shown = "；".join(f"{f.message}（{f.location()}）" if f.file or f.url else f.message for f in vetoes[:3])
        more = f"；等共 {len(vetoes)} 项" if len(vetoes) > 3 else ""
        return FAIL, f"{rid}：{shown}{more}"
    fact = facts.get(rid)
    if fact:
        return PASS, f"{rid}：{fact}"
    n = run.coverage.get(rid, 0)
    others = [f for f in found if f.severity != "info"]
    extra = f"（另有 {len(others)} 项非否决性问题，见下文）" if others else ""
    return PASS, f"{rid}：检查 {n} 项，未发现否决性问题{extra}"


def _item_row(run: Any, item: Item, facts: dict[str, str]) -> dict[str, str]:
    results = [_rule_status(run, rid, facts, item.na_note) for rid in item.rules]
    statuses = {s for s, _ in results}
    if FAIL in statuses:
        status = FAIL
    elif NA in statuses:
        status = NA
    else:
        status = PASS
    return {"item": item.name, "status": status, "evidence": "；".join(e for _, e in results)}


def probe_config(run: Any) -> dict[str, Any]:
    url = str(run.settings.get("GOVSITE_SITEURL") or run.settings.get("SITEURL") or "").rstrip("/") + "/"
    return {"url": url, **PROBE}


def _unreachable_row(run: Any) -> dict[str, str]:
    p = probe_config(run)
    run.data["deploy_probe"] = p
    return {
        "item": "站点无法访问",
        "status": NA,
        "evidence": (f"构建时无法检查，须在部署后监测：对 {p['url']} 每天间隔访问不少于 {p['min_probes_per_day']} 次"
                     f"（建议每天 {p['probes_per_day']} 次，每小时一次），单次超时 {p['timeout_seconds']} 秒，"
                     f"连续 {p['window_days']} 天内打不开的次数占比 ≥{p['max_failure_ratio']:.0%} 即单项否决。"
                     "本地构建只能保证页面体积和加载性能预算。"),
    }


def compute(run: Any) -> list[dict[str, str]]:
    """Fill and return ``run.data["scorecard"]``: the spot-check verdict first, then one row per veto item."""
    try:
        facts: dict[str, str] = dict(run.data.get("scorecard_facts", {}))
        rows = [_unreachable_row(run)] + [_item_row(run, item, facts) for item in ITEMS]
        failed = [r["item"] for r in rows if r["status"] == FAIL]
        unknown = [r["item"] for r in rows if r["status"] == NA]
        errors = sum(1 for f in run.findings if f.severity == "error")
        when = f"{run.now:%Y-%m-%d %H:%M}"
        if failed:
            verdict = {"item": f"{when} 抽查结论（单项否决）", "status": FAIL,
                       "evidence": f"触发 {len(failed)} 项单项否决指标：{'、'.join(failed)}。任何一项即判定网站不合格，其他指标不再评分。"}
        else:
            tail = f"以下项目构建时无法检查，须部署后监测或人工核查：{'、'.join(unknown)}。" if unknown else ""
            verdict = {"item": f"{when} 抽查结论（单项否决）", "status": PASS,
                       "evidence": "构建时可检查的单项否决指标均未触发。" + tail}
        verdict["evidence"] += f"本次构建另有阻断性错误 {errors} 项（见下文）。" if errors else "本次构建没有阻断性错误。"
        rows.insert(0, verdict)
    except Exception as exc:  # the scorecard must never break the build or the reports
        rows = [{"item": "单项否决指标汇总", "status": NA, "evidence": f"评分卡生成失败：{type(exc).__name__}: {exc}"}]
    run.data["scorecard"] = rows
    return rows
