"""Provincial profiles are data: national defaults plus per-province overrides in profiles/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"
SEVERITY_VALUES = ("error", "warning", "info", "off")


class ProfileError(ValueError):
    pass


@dataclass
class Profile:
    name: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def override(self, rule_id: str) -> dict[str, Any]:
        return self.rules.get(rule_id, {})

    def severity(self, rule_id: str, default: str) -> str:
        return str(self.override(rule_id).get("severity", default))

    def enabled(self, rule_id: str, default: str = "error") -> bool:
        return self.severity(rule_id, default) != "off"

    def param(self, rule_id: str, name: str, default: Any = None) -> Any:
        per_rule = self.override(rule_id).get("params", {})
        if name in per_rule:
            return per_rule[name]
        return self.params.get(name, default)

    def disabled_rules(self) -> dict[str, str]:
        return {rid: str(o.get("reason", "")) for rid, o in self.rules.items() if o.get("severity") == "off"}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"无法读取规则配置文件 {path.name}：{exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"规则配置文件 {path.name} 的顶层必须是映射（键: 值）")
    return data


def _merge_rules(into: dict[str, dict[str, Any]], new: Mapping[str, Any], origin: str) -> None:
    if not isinstance(new, Mapping):
        raise ProfileError(f"{origin} 中的 rules 必须是「规则编号: 设置」的映射")
    for rid, value in new.items():
        if not isinstance(value, Mapping):
            raise ProfileError(f"{origin} 中规则 {rid} 的设置必须是映射，例如 {{severity: warning}}")
        sev = value.get("severity")
        if sev is not None and sev not in SEVERITY_VALUES:
            raise ProfileError(f"{origin} 中规则 {rid} 的 severity 只能是 {'/'.join(SEVERITY_VALUES)}，而不是「{sev}」")
        if sev == "off" and not str(value.get("reason", "")).strip():
            raise ProfileError(f"{origin} 关闭了规则 {rid}，但没有写明原因（reason）。关闭规则必须记录原因")
        merged = dict(into.get(str(rid), {}))
        params = dict(merged.get("params", {}))
        params.update(value.get("params", {}) or {})
        merged.update(value)
        if params:
            merged["params"] = params
        into[str(rid)] = merged


def load_profile(name: str, extra_rules: Mapping[str, Any] | None = None, directory: Path = PROFILE_DIR) -> Profile:
    chain: list[dict[str, Any]] = []
    seen: set[str] = set()
    current: str | None = name
    while current:
        if current in seen:
            raise ProfileError(f"规则配置 {current} 的 extends 形成了循环")
        seen.add(current)
        path = directory / f"{current}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in directory.glob("*.yaml")))
            raise ProfileError(f"GOVSITE_PROFILE 指定的规则配置「{current}」不存在（可选：{known}）")
        data = _read(path)
        data["_path"] = path.name
        chain.append(data)
        current = data.get("extends")
    profile = Profile(name=name, title=str(chain[0].get("title", name)))
    for data in reversed(chain):
        params = data.get("params", {}) or {}
        if not isinstance(params, Mapping):
            raise ProfileError(f"{data['_path']} 中的 params 必须是映射")
        profile.params.update(params)
        _merge_rules(profile.rules, data.get("rules", {}) or {}, data["_path"])
        profile.sources.append(data["_path"])
    if extra_rules:
        _merge_rules(profile.rules, extra_rules, "pelicanconf.py 的 GOVSITE_RULES")
        profile.sources.append("pelicanconf.py:GOVSITE_RULES")
    return profile
