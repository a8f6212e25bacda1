"""Config stage: govsite settings exist where required and have the right types."""

from __future__ import annotations

from govsite.registry import rule
from govsite.run import RuleContext
from govsite.settings_view import SettingsItem

# name: (expected types, Chinese label, required)
SETTINGS: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "GOVSITE_NAME": ((str,), "网站规范名称", True),
    "GOVSITE_ID_CODE": ((str,), "政府网站标识码", True),
    "GOVSITE_REGION_CODE": ((str,), "行政区划代码", True),
    "GOVSITE_ICP": ((str,), "ICP备案编号", True),
    "GOVSITE_PSB": ((str,), "公安机关备案号", True),
    "GOVSITE_CONAC_ID": ((str,), "党政机关网站标识编号", True),
    "GOVSITE_SPONSOR": ((str,), "主办单位", True),
    "GOVSITE_OPERATOR": ((str,), "承办单位", False),
    "GOVSITE_CONTACT": ((dict,), "联系方式", True),
    "GOVSITE_PROFILE": ((str,), "规则配置", False),
    "GOVSITE_LEVEL": ((str,), "网站级别", False),
    "GOVSITE_PUBLIC_PHONES": ((list, tuple), "公开办公电话清单", False),
    "GOVSITE_INTERACTION_URL": ((str,), "互动交流渠道地址", False),
    "GOVSITE_RULES": ((dict,), "规则覆盖", False),
    "GOVSITE_COLUMN_PAGE_SIZE": ((int,), "栏目每页条数", False),
}
LEVELS = ("county-portal", "city-portal", "province-portal", "department", "township")


@rule("CONFIG-002", title="站点设置齐全且类型正确", stage="config", clause="govsite 构建约定：站点设置必须完整有效",
      fix="按 README 和 pelicanconf.py 示例填写该设置", why="缺失或类型错误的设置会让检查无法判断网站是否合规。",
      example_bad='GOVSITE_CONTACT = "0871-60000000"', example_good='GOVSITE_CONTACT = {"phone": "0871-60000000"}')
def settings_types(s: SettingsItem, ctx: RuleContext) -> None:
    for name, (types, label, required) in SETTINGS.items():
        value = s.get(name)
        if value is None:
            if required:
                ctx.report(f"缺少站点设置 {name}（{label}）", file=s.file, line=s.line(name), field=name)
            continue
        if not isinstance(value, types) or (int in types and isinstance(value, bool)):
            want = "、".join({"str": "字符串", "dict": "字典", "list": "列表", "tuple": "列表", "int": "整数"}[t.__name__]
                            for t in types)
            ctx.report(f"站点设置 {name}（{label}）应为{want}，实际是 {type(value).__name__}", file=s.file,
                       line=s.line(name), field=name)
    size = s.get("GOVSITE_COLUMN_PAGE_SIZE")
    if isinstance(size, int) and not isinstance(size, bool) and not 5 <= size <= 200:
        ctx.report(f"GOVSITE_COLUMN_PAGE_SIZE={size} 超出合理范围 5–200", file=s.file,
                   line=s.line("GOVSITE_COLUMN_PAGE_SIZE"), field="GOVSITE_COLUMN_PAGE_SIZE")
    level = s.get("GOVSITE_LEVEL")
    if isinstance(level, str) and level not in LEVELS:
        ctx.report(f"GOVSITE_LEVEL「{level}」无效", file=s.file, line=s.line("GOVSITE_LEVEL"), field="GOVSITE_LEVEL",
                   fix="可选：" + " / ".join(LEVELS))
