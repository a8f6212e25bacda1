"""Write the findings once, in every format: JSON, JUnit XML, SARIF 2.1.0, a Chinese HTML report, a terminal summary."""

from __future__ import annotations

import html
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape as xml_escape

from . import __version__
from .findings import SEVERITY_ZH, Finding
from .registry import RULES, STAGE_ZH
from .run import BuildRun

RULE_DOC_BASE = "docs/rules"


def rule_doc(rule_id: str) -> str:
    return f"{RULE_DOC_BASE}/{rule_id}.md"


_DIGIT = re.compile(r"\d")
_MASKED_FIELDS = ("message", "fix", "selector", "file", "url", "field")


def _masker(run: BuildRun | None) -> Callable[[str], str]:
    """Mask personal data in a report string with the build's policy (PRIV-002..004 safety net)."""
    from .privacy.detect import _CAND11
    from .privacy.mask import mask_text
    from .privacy.policy import DEFAULT_POLICY

    policy = (run.data.get("privacy_policy") if run is not None else None) or DEFAULT_POLICY

    def mask(text: str) -> str:
        # Outside person lists every identifier has ≥ 11 digits: the detector's own prefilter decides.
        if not text or not _DIGIT.search(text) or not _CAND11.search(text):
            return text
        return mask_text(text, policy)[0]

    return mask


def safe_findings(findings: Iterable[Finding], run: BuildRun | None = None) -> list[Finding]:
    """Findings as every report and the terminal show them: no raw ID, mobile or card number, whatever a rule
    put into its message, fix, selector or location (rules show masked values; this is the safety net)."""
    mask = _masker(run)
    out = []
    for f in findings:
        changes: dict[str, Any] = {}
        for name in _MASKED_FIELDS:
            value = getattr(f, name)
            if isinstance(value, str) and value:
                masked = mask(value)
                if masked != value:
                    changes[name] = masked
        if f.extra:
            extra = tuple((k, mask(v) if isinstance(v, str) else v) for k, v in f.extra)
            if extra != f.extra:
                changes["extra"] = extra
        out.append(replace(f, **changes) if changes else f)
    return out


def _safe_rows(rows: Any, run: BuildRun | None) -> Any:
    mask = _masker(run)
    if not isinstance(rows, list):
        return rows
    return [{k: mask(v) if isinstance(v, str) else v for k, v in row.items()} if isinstance(row, dict) else row
            for row in rows]


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def findings_json(findings: list[Finding], run: BuildRun | None, seconds: float | None) -> str:
    data: dict[str, Any] = {
        "tool": {"name": "govsite", "version": __version__},
        "profile": run.profile.name if run else None,
        "now": run.now.isoformat() if run else None,
        "passed": not any(f.blocking for f in findings),
        "summary": _counts(findings),
        "findings": [{**f.to_dict(), "doc": rule_doc(f.rule)} for f in findings],
        "coverage": dict(sorted(run.coverage.items())) if run else {},
        "skipped_stages": dict(sorted(run.skipped_stages.items())) if run else {},
        "disabled_rules": run.profile.disabled_rules() if run else {},
        "scorecard": _safe_rows(run.data.get("scorecard", []), run) if run else [],
        "browser": ({k: v for k, v in run.data["browser_stats"].items() if k != "seconds"}
                    if run and run.data.get("browser_stats") else None),
        # The only field that may differ between two identical builds.
        "timing": {"seconds": round(seconds, 3) if seconds is not None else None,
                   "stages": dict(sorted((run.data.get("timings") or {}).items())) if run else {},
                   "browser_seconds": (run.data.get("browser_stats") or {}).get("seconds") if run else None,
                   "page_workers": run.data.get("page_workers") if run else None},
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def junit_xml(findings: list[Finding], run: BuildRun | None) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    rule_ids = sorted(set(by_rule) | set(run.coverage if run else ()))
    by_stage: dict[str, list[str]] = defaultdict(list)
    for rid in rule_ids:
        stage = RULES[rid].stage if rid in RULES else (by_rule[rid][0].stage or "gate")
        by_stage[stage].append(rid)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = sum(len(v) for v in by_stage.values())
    failures = sum(1 for rid in rule_ids if any(f.blocking for f in by_rule.get(rid, [])))
    lines.append(f'<testsuites name="govsite" tests="{total}" failures="{failures}" errors="0">')
    for stage in sorted(by_stage):
        ids = by_stage[stage]
        fails = sum(1 for rid in ids if any(f.blocking for f in by_rule.get(rid, [])))
        lines.append(f'  <testsuite name="{xml_escape(stage)}" tests="{len(ids)}" failures="{fails}" errors="0" skipped="0">')
        for rid in ids:
            title = RULES[rid].title if rid in RULES else rid
            items = run.coverage.get(rid, 0) if run else 0
            attrs = f'classname="govsite.{xml_escape(stage)}" name="{xml_escape(rid)} {xml_escape(title, {chr(34): "&quot;"})}"'
            lines.append(f"    <testcase {attrs}>")
            errs = [f for f in by_rule.get(rid, []) if f.blocking]
            others = [f for f in by_rule.get(rid, []) if not f.blocking]
            if errs:
                body = "\n".join(f"{f.location()}: {f.message}（修改建议：{f.fix}）" for f in errs)
                msg = xml_escape(errs[0].message, {'"': "&quot;"})
                lines.append(f'      <failure message="{msg}" type="{rid}">{xml_escape(body)}</failure>')
            out = [f"checked {items} item(s)"] + [f"[{SEVERITY_ZH[f.severity]}] {f.location()}: {f.message}" for f in others]
            lines.append(f"      <system-out>{xml_escape(chr(10).join(out))}</system-out>")
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def sarif(findings: list[Finding], run: BuildRun | None) -> str:
    used = sorted({f.rule for f in findings} | set(run.coverage if run else ()))
    rules = []
    index = {}
    for i, rid in enumerate(used):
        r = RULES.get(rid)
        index[rid] = i
        rules.append({
            "id": rid,
            "name": rid.replace("-", ""),
            "shortDescription": {"text": r.title if r else rid},
            "fullDescription": {"text": (r.why or r.title) if r else rid},
            "help": {"text": r.fix if r else ""},
            "helpUri": rule_doc(rid),
            "properties": {"clause": r.clause if r else "", "stage": r.stage if r else ""},
        })
    results = []
    level = {"error": "error", "warning": "warning", "info": "note"}
    for f in findings:
        loc: dict[str, Any] = {}
        if f.file:
            phys: dict[str, Any] = {"artifactLocation": {"uri": f.file}}
            if f.line:
                phys["region"] = {"startLine": f.line}
            loc = {"physicalLocation": phys}
        elif f.url:
            loc = {"physicalLocation": {"artifactLocation": {"uri": "output" + f.url if f.url.startswith("/") else f.url}}}
            if f.selector:
                loc["logicalLocations"] = [{"fullyQualifiedName": f.selector, "kind": "element"}]
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": level[f.severity],
            "message": {"text": f"{f.message}（修改建议：{f.fix}）" if f.fix else f.message},
        }
        if loc:
            result["locations"] = [loc]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "govsite", "version": __version__, "informationUri": "README.md", "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


HTML_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.6}
header,main{max-width:1100px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0} h2{font-size:1.25rem;border-bottom:2px solid #b30000;padding-bottom:.25rem;margin-top:2rem}
.pass{color:#0b6b0b;font-weight:bold}.fail{color:#a00000;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f0f0}.sev-error{color:#a00000;font-weight:bold}.sev-warning{color:#7a4b00}.sev-info{color:#333}
.banner{background:#fff3cd;border:2px solid #7a4b00;padding:.75rem;margin:1rem 0}
code{background:#f3f3f3;padding:0 .2rem}
"""


def html_report(findings: list[Finding], run: BuildRun | None, seconds: float | None) -> str:
    counts = _counts(findings)
    passed = counts["error"] == 0
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>合规检查报告 - govsite</title>",
        f"<style>{HTML_CSS}</style></head><body>",
        "<header><h1>政府网站合规检查报告</h1>",
    ]
    if run:
        parts.append(f"<p>检查时间（北京时间）：{e(run.now.strftime('%Y-%m-%d %H:%M'))}；规则配置：{e(run.profile.title)}（{e(run.profile.name)}）</p>")
    verdict = '<span class="pass">通过：可以发布</span>' if passed else '<span class="fail">未通过：不能发布，原网站保持不变</span>'
    parts.append(f"<p>结论：{verdict}。错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项。</p></header><main>")
    if run and run.skipped_stages:
        for stage, reason in sorted(run.skipped_stages.items()):
            parts.append(f'<div class="banner" role="alert"><strong>注意：跳过了{e(STAGE_ZH.get(stage, stage))}检查。</strong>{e(reason)}</div>')
    if run and run.profile.disabled_rules():
        parts.append('<div class="banner"><strong>已关闭的规则：</strong><ul>')
        for rid, reason in sorted(run.profile.disabled_rules().items()):
            parts.append(f"<li>{e(rid)}：{e(reason)}</li>")
        parts.append("</ul></div>")
    scorecard = _safe_rows(run.data.get("scorecard"), run) if run else None
    if scorecard:
        parts.append("<h2>单项否决指标（国办秘函〔2019〕19号）</h2><table><thead><tr><th scope=\"col\">指标</th><th scope=\"col\">结果</th><th scope=\"col\">依据</th></tr></thead><tbody>")
        for row in scorecard:
            parts.append(f"<tr><td>{e(row['item'])}</td><td>{e(row['status'])}</td><td>{e(row.get('evidence', ''))}</td></tr>")
        parts.append("</tbody></table>")
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    parts.append("<h2>按规则</h2>")
    if not findings:
        parts.append("<p>没有发现问题。</p>")
    for rid in sorted(by_rule, key=lambda r: (min(["error", "warning", "info"].index(f.severity) for f in by_rule[r]), r)):
        r = RULES.get(rid)
        title = r.title if r else rid
        parts.append(f'<h3 id="{e(rid)}">{e(rid)} {e(title)} <a href="../{e(rule_doc(rid))}">规则说明</a></h3>')
        if r:
            parts.append(f"<p>依据：{e(r.clause)}</p>")
        parts.append('<table><thead><tr><th scope="col">级别</th><th scope="col">位置</th><th scope="col">问题</th><th scope="col">修改建议</th></tr></thead><tbody>')
        for f in by_rule[rid]:
            parts.append(f'<tr><td class="sev-{f.severity}">{SEVERITY_ZH[f.severity]}</td><td><code>{e(f.location())}</code></td><td>{e(f.message)}</td><td>{e(f.fix)}</td></tr>')
        parts.append("</tbody></table>")
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file or f.url or "（全站）"].append(f)
    if by_file:
        parts.append("<h2>按文件</h2>")
        for name in sorted(by_file):
            parts.append(f"<h3>{e(name)}</h3><ul>")
            for f in by_file[name]:
                line = f"第 {f.line} 行 " if f.line else ""
                parts.append(f'<li><span class="sev-{f.severity}">[{SEVERITY_ZH[f.severity]}]</span> {e(line)}{e(f.rule)}：{e(f.message)}</li>')
            parts.append("</ul>")
    if run:
        parts.append("<h2>检查覆盖</h2><table><thead><tr><th scope=\"col\">规则</th><th scope=\"col\">名称</th><th scope=\"col\">检查项数</th></tr></thead><tbody>")
        for rid, n in sorted(run.coverage.items()):
            parts.append(f"<tr><td>{e(rid)}</td><td>{e(RULES[rid].title if rid in RULES else '')}</td><td>{n}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def write_all(run: BuildRun, reports_dir: Path, seconds: float | None) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    findings = safe_findings(run.findings, run)
    _write(reports_dir / "findings.json", findings_json(findings, run, seconds))
    _write(reports_dir / "junit.xml", junit_xml(findings, run))
    _write(reports_dir / "findings.sarif", sarif(findings, run))
    _write(reports_dir / "index.html", html_report(findings, run, seconds))


def write_minimal(findings: list[Finding], reports_dir: Path) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    findings = safe_findings(findings)
    _write(reports_dir / "findings.json", findings_json(findings, None, None))
    _write(reports_dir / "junit.xml", junit_xml(findings, None))
    _write(reports_dir / "findings.sarif", sarif(findings, None))
    _write(reports_dir / "index.html", html_report(findings, None, None))


def print_summary(findings: list[Finding], run: BuildRun | None, *, published: bool = False,
                  output: Path | None = None, reports_dir: Path | None = None, stream: Any = None,
                  audit: bool = False) -> None:
    out = stream or sys.stdout
    findings = safe_findings(findings, run)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file or f.url or "（全站）"].append(f)
    shown = 0
    for name in sorted(by_file):
        items = [f for f in by_file[name] if f.severity != "info"]
        if not items:
            continue
        print(f"\n{name}", file=out)
        for f in items[:20]:
            line = f":{f.line}" if f.line else ""
            fld = f" [{f.field}]" if f.field else ""
            print(f"  {SEVERITY_ZH[f.severity]} {f.rule}{line}{fld} {f.message}", file=out)
            if f.fix and f.severity == "error":
                print(f"      修改建议：{f.fix}", file=out)
            shown += 1
        if len(items) > 20:
            print(f"  …… 另有 {len(items) - 20} 项，见报告", file=out)
    counts = _counts(findings)
    if run and run.skipped_stages:
        for reason in run.skipped_stages.values():
            print(f"\n！！注意：{reason}", file=out)
    print("", file=out)
    if reports_dir:
        print(f"报告：{reports_dir}/index.html（另有 findings.json、junit.xml、findings.sarif）", file=out)
    if audit:
        verdict = "不合格" if counts["error"] else "未发现阻断性问题"
        print(f"审计结果：{verdict}，{counts['error']} 项阻断性错误，{counts['warning']} 项警告。", file=out)
    elif counts["error"]:
        print(f"构建失败：{counts['error']} 项阻断性错误，{counts['warning']} 项警告。原网站未被改动。", file=out)
    else:
        where = f"，已发布到 {output}" if published and output else ""
        print(f"构建通过：0 项阻断性错误，{counts['warning']} 项警告{where}。", file=out)
