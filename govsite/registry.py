"""The one rule registry. Every compliance check belongs to a rule with a rulebook ID.

Like axe-core, a *rule* is data (ID, Chinese title, severity, clause, fix hint, parameters) and a
*check* is a small function attached to it at one stage. One rule may have checks at several
stages: FOOTER-003 checks the setting's format at the config stage and the rendered footer at the
page stage. Stage runners in :mod:`govsite.stages` call the checks; nothing checks compliance
outside this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

STAGES = ("config", "content", "site", "page", "browser", "gate")
STAGE_ZH = {"config": "配置", "content": "内容", "site": "全站", "page": "页面", "browser": "浏览器", "gate": "门禁"}

# The plugin that runs a stage's checks unless a check names its own plugin.
DEFAULT_PLUGIN = {
    "config": "govsite_config",
    "content": "govsite_content",
    "site": "govsite_content",
    "page": "govsite_pages",
    "browser": "govsite_a11y",
    "gate": "govsite",  # the build driver itself
}


@dataclass(frozen=True)
class Check:
    rule_id: str
    stage: str
    func: Callable[..., Any]
    plugin: str
    per: str = "item"  # "item": called per item; "site": called once with the whole collection
    doc_types: frozenset[str] | None = None  # content/site: only these document types
    page_types: frozenset[str] | None = None  # page: home/column/article/special
    # Name of an expensive per-build cache this check shares with others (e.g. "link_index"): the parallel
    # page stage keeps checks that share a cache in one process so it is built once.
    shares: str | None = None
    # Per-item checks may gather small facts per item (RuleContext.collect) and judge them together once all
    # items were seen: ``finish(collected, ctx)``, where collected maps item key → fact in page order
    # (:func:`govsite.htmlpage.site_order`, the order the pages are checked in one process).
    finish: Callable[..., Any] | None = None
    # A per-page check that also looks at other output files (does the link target exist?) can only run once
    # Pelican has written everything; the others may run on each page as soon as it is written.
    whole_output: bool = False

    @property
    def key(self) -> str:
        return f"{self.rule_id}@{self.stage}"

    def applies(self, item: Any) -> bool:
        if self.doc_types is not None:
            return getattr(item, "doc_type", None) in self.doc_types
        if self.page_types is not None:
            return getattr(item, "page_type", None) in self.page_types
        return True


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    clause: str
    fix: str
    why: str = ""
    confidence: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    example_bad: str = ""
    example_good: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def stage(self) -> str:
        return self.checks[0].stage if self.checks else "gate"

    @property
    def stages(self) -> list[str]:
        return sorted({c.stage for c in self.checks}, key=STAGES.index)


RULES: dict[str, Rule] = {}


def _add_check(rule_id: str, func: Callable[..., Any], stage: str, plugin: str | None, per: str,
               doc_types: Iterable[str] | None, page_types: Iterable[str] | None, shares: str | None = None,
               whole_output: bool = False) -> None:
    if stage not in STAGES:
        raise ValueError(f"{rule_id}: unknown stage {stage}")
    r = RULES[rule_id]
    chk = Check(rule_id=rule_id, stage=stage, func=func, plugin=plugin or DEFAULT_PLUGIN[stage], per=per,
                doc_types=frozenset(doc_types) if doc_types is not None else None,
                page_types=frozenset(page_types) if page_types is not None else None, shares=shares,
                whole_output=whole_output)
    if any(c.key == chk.key for c in r.checks):
        existing = next(c for c in r.checks if c.key == chk.key)
        if existing.func.__qualname__ != func.__qualname__ or existing.func.__module__ != func.__module__:
            raise ValueError(f"rule {rule_id} already has a check at stage {stage}")
        r.checks[r.checks.index(existing)] = chk  # module re-import
        return
    r.checks.append(chk)


def rule(
    rule_id: str,
    *,
    title: str,
    stage: str,
    clause: str,
    fix: str,
    severity: str = "error",
    why: str = "",
    confidence: str = "",
    params: dict[str, Any] | None = None,
    plugin: str | None = None,
    doc_types: Iterable[str] | None = None,
    page_types: Iterable[str] | None = None,
    per: str = "item",
    shares: str | None = None,
    whole_output: bool = False,
    example_bad: str = "",
    example_good: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Define a rule and its first check."""
    if severity not in ("error", "warning", "info"):
        raise ValueError(f"{rule_id}: unknown severity {severity}")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        existing = RULES.get(rule_id)
        if existing is not None and existing.title != title:
            raise ValueError(f"duplicate rule id {rule_id}")
        if existing is None:
            RULES[rule_id] = Rule(id=rule_id, title=title, severity=severity, clause=clause, fix=fix, why=why,
                                  confidence=confidence, params=dict(params or {}), example_bad=example_bad,
                                  example_good=example_good)
        _add_check(rule_id, func, stage, plugin, per, doc_types, page_types, shares, whole_output)
        return func

    return decorate


def check(
    rule_id: str,
    *,
    stage: str,
    plugin: str | None = None,
    doc_types: Iterable[str] | None = None,
    page_types: Iterable[str] | None = None,
    per: str = "item",
    shares: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach one more check (at another stage) to a rule defined with :func:`rule`."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if rule_id not in RULES:
            raise ValueError(f"check for undefined rule {rule_id}: define it with @rule first")
        _add_check(rule_id, func, stage, plugin, per, doc_types, page_types, shares)
        return func

    return decorate


def finish(rule_id: str, *, stage: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach the site-wide conclusion of a per-item check: called once with everything it collected.

    This keeps whole-site judgements (duplicate titles, a summary of the same fault on many pages) in a
    single pass over the pages, which also lets the page stage split the pages across processes.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        r = RULES.get(rule_id)
        chk = next((c for c in r.checks if c.stage == stage), None) if r is not None else None
        if r is None or chk is None:
            raise ValueError(f"finish for {rule_id}@{stage}: define the check first")
        if chk.per == "site":
            raise ValueError(f"finish for {rule_id}@{stage}: only per-item checks collect and finish")
        r.checks[r.checks.index(chk)] = replace(chk, finish=func)
        return func

    return decorate


def load_all_rules() -> dict[str, Rule]:
    """Import every rule module so the registry is complete, whatever plugins are loaded."""
    import checks  # noqa: F401  (imports its submodules)

    return RULES


def all_checks() -> list[Check]:
    return sorted((c for r in RULES.values() for c in r.checks), key=lambda c: (STAGES.index(c.stage), c.rule_id))
