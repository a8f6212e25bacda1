"""State of one build: findings, coverage, loaded plugins. Shared by the Pelican plugins and the driver."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from .findings import Finding
from .profiles import Profile
from .registry import RULES, Check, Rule, all_checks


@dataclass
class BuildRun:
    root: Path
    settings: Mapping[str, Any]
    profile: Profile
    now: datetime
    settings_file: str = "pelicanconf.py"
    findings: list[Finding] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    crashed: dict[str, str] = field(default_factory=dict)
    loaded_plugins: set[str] = field(default_factory=set)
    skipped_stages: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    preview: bool = False

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    check_coverage: dict[str, int] = field(default_factory=dict)

    def mark_ran(self, chk: Check, items: int) -> None:
        self.check_coverage[chk.key] = self.check_coverage.get(chk.key, 0) + items
        self.coverage[chk.rule_id] = self.coverage.get(chk.rule_id, 0) + items

    def severity_of(self, rule: Rule) -> str:
        return self.profile.severity(rule.id, rule.severity)

    def rel(self, path: str | Path) -> str:
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return p.as_posix()

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


class RuleContext:
    """What a rule function sees: its parameters, the run, and ``report`` to add a finding."""

    def __init__(self, run: BuildRun, rule: Rule, chk: Check | None = None):
        self.run = run
        self.rule = rule
        self.check = chk
        self.severity = run.severity_of(rule)
        self.settings = run.settings
        self.now = run.now

    def param(self, name: str) -> Any:
        return self.run.profile.param(self.rule.id, name, self.rule.params.get(name))

    def report(
        self,
        message: str,
        *,
        fix: str | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        url: str | None = None,
        selector: str | None = None,
        field: str | None = None,
        severity: str | None = None,
        **extra: Any,
    ) -> None:
        sev = severity or self.severity
        # A rule may downgrade (e.g. late but justified) but never upgrade past the profile's "info".
        if self.severity == "info" and sev != "info":
            sev = "info"
        if self.severity == "warning" and sev == "error":
            sev = "warning"
        self.run.add(
            Finding(
                rule=self.rule.id,
                severity=sev,
                message=message,
                file=self.run.rel(file) if file else None,
                line=line,
                url=url,
                selector=selector,
                field=field,
                fix=fix if fix is not None else self.rule.fix,
                clause=self.rule.clause,
                stage=self.check.stage if self.check else self.rule.stage,
                extra=tuple(sorted(extra.items())),
            )
        )

    def collect(self, key: str, value: Any) -> None:
        """Keep a small, picklable fact about one item for this check's ``finish`` (see registry.finish)."""
        assert self.check is not None, "collect() needs a check"
        self.run.data.setdefault("collected", {}).setdefault(self.check.key, {})[key] = value

    def report_exception(self, exc: BaseException, where: str) -> None:
        tb = traceback.extract_tb(exc.__traceback__)
        last = f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else "?"
        self.run.crashed[self.rule.id] = f"{type(exc).__name__}: {exc} ({last})"
        self.run.add(
            Finding(
                rule=self.rule.id,
                severity="error",
                message=f"规则 {self.rule.id}（{self.rule.title}）在检查 {where} 时出错：{type(exc).__name__}: {exc}",
                fix="这是检查程序的故障，不是内容问题：请把本条信息报告给网站技术维护人员。",
                clause=self.rule.clause,
                stage=self.check.stage if self.check else self.rule.stage,
                extra=(("internal", last),),
            )
        )


_CURRENT: BuildRun | None = None


def set_current(run: BuildRun | None) -> None:
    global _CURRENT
    _CURRENT = run


def current() -> BuildRun | None:
    return _CURRENT


def enabled_checks(run: BuildRun, stage: str | None = None) -> list[Check]:
    return [
        c
        for c in all_checks()
        if (stage is None or c.stage == stage)
        and run.profile.enabled(c.rule_id, RULES[c.rule_id].severity)
        and c.stage not in run.skipped_stages
    ]
