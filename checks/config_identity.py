"""Config stage: site identity (name, domain, 标识码, ICP, 公安备案, 主办单位, 联系方式) before rendering."""

from __future__ import annotations

from urllib.parse import urlsplit

from govsite.registry import rule
from govsite.run import RuleContext
from govsite.settings_view import SettingsItem

from .patterns import CONAC_ID_RE, GOV_HOST_RE, ICP_RE, PORTAL_HOST_RE, PSB_RE, SITE_ID_RE

CLAUSE_47 = "《政府网站发展指引》（国办发〔2017〕47号）"
ANNEX = CLAUSE_47 + "附件《政府网站网页设计规范》网页底部功能区"


def _text_setting(s: SettingsItem, ctx: RuleContext, name: str, label: str, fix: str) -> str | None:
    value = s.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        ctx.report(f"站点设置缺少 {name}（{label}）", file=s.file, line=s.line(name), field=name, fix=fix)
        return None
    if not isinstance(value, str):
        ctx.report(f"站点设置 {name}（{label}）必须是字符串，而不是 {type(value).__name__}", file=s.file,
                   line=s.line(name), field=name, fix=fix)
        return None
    return value.strip()


@rule("DOMAIN-001", title="英文域名以 .gov.cn 结尾", stage="config", clause=CLAUSE_47 + "域名规范；国办函〔2018〕55号 二",
      fix="把 SITEURL 改为本网站的 .gov.cn 域名，如 https://www.xxx.gov.cn", confidence="P",
      why="政府网站只能使用 .gov.cn 英文域名或 .政务 中文域名。",
      example_bad='SITEURL = "https://www.example.com"', example_good='SITEURL = "https://www.example-county.gov.cn"')
def domain_gov_cn(s: SettingsItem, ctx: RuleContext) -> None:
    url = s.get("GOVSITE_SITEURL", s.get("SITEURL"))  # the driver keeps the configured SITEURL here
    if not isinstance(url, str) or not url.strip():
        ctx.report("站点设置缺少 SITEURL（网站地址）", file=s.file, line=s.line("SITEURL"), field="SITEURL")
        return
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        ctx.report(f"SITEURL「{url}」不是完整网址", file=s.file, line=s.line("SITEURL"), field="SITEURL",
                   fix="写成 https://www.xxx.gov.cn 的形式")
    elif not GOV_HOST_RE.match(host):
        ctx.report(f"网站域名 {host} 不是 .gov.cn 域名", file=s.file, line=s.line("SITEURL"), field="SITEURL")
    elif parts.path.strip("/"):
        ctx.report(f"SITEURL 不应包含路径「{parts.path}」", file=s.file, line=s.line("SITEURL"), field="SITEURL",
                   severity="warning", fix="栏目和页面使用同一主机下的路径，SITEURL 只写到域名")


@rule("DOMAIN-002", title="门户网站域名为 www.□□□.gov.cn 结构", stage="config", severity="warning",
      clause=CLAUSE_47 + "域名规范", confidence="P",
      fix="门户网站使用 www. 开头的域名，如 www.xxx.gov.cn",
      why="其他政府门户网站使用「www.□□□.gov.cn」结构的域名。")
def domain_portal(s: SettingsItem, ctx: RuleContext) -> None:
    level = str(s.get("GOVSITE_LEVEL", "county-portal"))
    host = (urlsplit(str(s.get("GOVSITE_SITEURL", s.get("SITEURL")) or "")).hostname or "").lower()
    if level.endswith("portal") and host.endswith(".gov.cn") and not PORTAL_HOST_RE.match(host):
        ctx.report(f"门户网站域名 {host} 不是 www.□□□.gov.cn 结构", file=s.file, line=s.line("SITEURL"), field="SITEURL")


@rule("NAME-001", title="网站规范名称", stage="config", clause=CLAUSE_47 + "名称规范", confidence="S",
      fix="GOVSITE_NAME 填写本地区或本部门机构名称，如「××县人民政府」",
      why="网站名称应为地区或机构名称，并在页面头部标识区显著展示。")
def site_name(s: SettingsItem, ctx: RuleContext) -> None:
    name = _text_setting(s, ctx, "GOVSITE_NAME", "网站规范名称", "填写如「示例县人民政府」")
    if name is None:
        return
    for word in ("在线", "信息港", "之窗"):
        if word in name:
            ctx.report(f"网站名称「{name}」含有「{word}」等宣传性用语", file=s.file, line=s.line("GOVSITE_NAME"),
                       field="GOVSITE_NAME", severity="warning")
    if s.get("SITENAME") not in (None, name):
        ctx.report(f"SITENAME（{s.get('SITENAME')}）与 GOVSITE_NAME（{name}）不一致", file=s.file,
                   line=s.line("SITENAME"), field="SITENAME", fix="令 SITENAME = GOVSITE_NAME")


@rule("FOOTER-001", title="党政机关网站标识", stage="config", clause=ANNEX, confidence="R",
      fix="GOVSITE_CONAC_ID 填写机构编制部门核发的党政机关网站标识编号（32 位十六进制）",
      why="页面底部须展示机构编制部门核发的党政机关网站标识。")
def conac_setting(s: SettingsItem, ctx: RuleContext) -> None:
    value = _text_setting(s, ctx, "GOVSITE_CONAC_ID", "党政机关网站标识编号", "从开办审批材料中查找标识编号")
    if value is not None and not CONAC_ID_RE.match(value):
        ctx.report(f"GOVSITE_CONAC_ID「{value}」不是 32 位十六进制编号", file=s.file, line=s.line("GOVSITE_CONAC_ID"),
                   field="GOVSITE_CONAC_ID")


@rule("FOOTER-003", title="政府网站标识码", stage="config", clause=ANNEX + "；网站标识码格式（实际观察）", confidence="R/M",
      fix="GOVSITE_ID_CODE 填写全国政府网站信息报送系统核发的标识码：10 位数字（前 6 位为行政区划代码），部委为 bm+8 位数字",
      why="网站标识码是每个政府网站在全国政府网站基本信息数据库中的唯一编号。",
      example_bad='GOVSITE_ID_CODE = "539999001"', example_good='GOVSITE_ID_CODE = "5399990001"')
def id_code(s: SettingsItem, ctx: RuleContext) -> None:
    code = _text_setting(s, ctx, "GOVSITE_ID_CODE", "政府网站标识码", "填写 10 位数字或 bm+8 位数字")
    if code is None:
        return
    if not SITE_ID_RE.match(code):
        ctx.report(f"网站标识码「{code}」格式错误：应为 10 位数字或 bm 加 8 位数字（当前 {len(code)} 位）",
                   file=s.file, line=s.line("GOVSITE_ID_CODE"), field="GOVSITE_ID_CODE")
        return
    region = s.get("GOVSITE_REGION_CODE")
    if code.isdigit():
        if not isinstance(region, str) or not (len(region) == 6 and region.isdigit()):
            ctx.report("GOVSITE_REGION_CODE（6 位行政区划代码）缺失或格式错误", file=s.file,
                       line=s.line("GOVSITE_REGION_CODE"), field="GOVSITE_REGION_CODE",
                       fix="填写本地区 GB/T 2260 行政区划代码，如 530102")
            return
        prefix = code[:6]
        ancestors = {region, region[:4] + "00", region[:2] + "0000"}
        if prefix not in ancestors:
            ctx.report(f"网站标识码前 6 位 {prefix} 与行政区划代码 {region} 不符", file=s.file,
                       line=s.line("GOVSITE_ID_CODE"), field="GOVSITE_ID_CODE",
                       fix="核对标识码和 GOVSITE_REGION_CODE 是否填写正确")


@rule("FOOTER-004", title="ICP备案编号", stage="config", clause=ANNEX + "；《非经营性互联网信息服务备案管理办法》第十三条",
      confidence="R/S", fix="GOVSITE_ICP 写成「省简称ICP备xxxxxxxx号(-n)」，如 滇ICP备12345678号-1",
      why="非经营性网站须在首页底部展示 ICP 备案编号并链接至工业和信息化部备案系统。")
def icp(s: SettingsItem, ctx: RuleContext) -> None:
    value = _text_setting(s, ctx, "GOVSITE_ICP", "ICP备案编号", "从工信部备案系统查询本网站备案号")
    if value is not None and not ICP_RE.match(value):
        hint = "；政府网站不应使用经营性许可证「ICP证」" if "ICP证" in value else ""
        ctx.report(f"ICP备案编号「{value}」格式错误{hint}", file=s.file, line=s.line("GOVSITE_ICP"), field="GOVSITE_ICP")


@rule("FOOTER-005", title="公安机关备案标识", stage="config", clause=ANNEX + "；公安部令第33号 第十二条", confidence="R/S",
      fix="GOVSITE_PSB 写成「省简称公网安备14位数字号」，如 滇公网安备53010202000001号",
      why="网站须展示公安机关备案标识、备案号并链接全国互联网安全管理服务平台。")
def psb(s: SettingsItem, ctx: RuleContext) -> None:
    value = _text_setting(s, ctx, "GOVSITE_PSB", "公安机关备案号", "从公安备案系统查询")
    if value is None:
        return
    m = PSB_RE.match(value)
    if not m:
        ctx.report(f"公安机关备案号「{value}」格式错误", file=s.file, line=s.line("GOVSITE_PSB"), field="GOVSITE_PSB")
        return
    region = s.get("GOVSITE_REGION_CODE")
    if isinstance(region, str) and len(region) == 6 and m.group(1)[:2] != region[:2]:
        ctx.report(f"公安备案号 {m.group(1)} 的地区代码与 GOVSITE_REGION_CODE {region} 不在同一省份", file=s.file,
                   line=s.line("GOVSITE_PSB"), field="GOVSITE_PSB", severity="warning")


@rule("FOOTER-006", title="主办单位", stage="config", clause=ANNEX + "；《海南省政府网站管理办法》第五条", confidence="R/S",
      fix="GOVSITE_SPONSOR 填写主办单位全称，如「××县人民政府办公室」", why="页面底部须列明网站主办单位。")
def sponsor(s: SettingsItem, ctx: RuleContext) -> None:
    _text_setting(s, ctx, "GOVSITE_SPONSOR", "主办单位", "填写主办单位全称")
    op = s.get("GOVSITE_OPERATOR")
    if op is not None and not isinstance(op, str):
        ctx.report("GOVSITE_OPERATOR（承办单位）必须是字符串", file=s.file, line=s.line("GOVSITE_OPERATOR"),
                   field="GOVSITE_OPERATOR")


@rule("FOOTER-007", title="联系方式", stage="config", clause=ANNEX, confidence="S/M",
      fix="GOVSITE_CONTACT 写成 {'phone': '0871-12345678', 'email': 'x@xxx.gov.cn', 'address': '…'}，至少填一项",
      why="页面底部须列明网站联系方式，方便公众反映问题。")
def contact(s: SettingsItem, ctx: RuleContext) -> None:
    value = s.get("GOVSITE_CONTACT")
    line = s.line("GOVSITE_CONTACT")
    if not isinstance(value, dict):
        ctx.report("站点设置 GOVSITE_CONTACT（联系方式）缺失或不是字典", file=s.file, line=line, field="GOVSITE_CONTACT")
        return
    known = {"phone", "email", "address", "postcode"}
    for key in sorted(set(value) - known):
        ctx.report(f"GOVSITE_CONTACT 中有未知的键「{key}」", file=s.file, line=line, field="GOVSITE_CONTACT",
                   severity="warning", fix="可用的键：phone、email、address、postcode")
    if not any(str(value.get(k) or "").strip() for k in ("phone", "email", "address")):
        ctx.report("GOVSITE_CONTACT 中电话、电子邮箱、地址都没有填写", file=s.file, line=line, field="GOVSITE_CONTACT")
    email = str(value.get("email") or "")
    if email and ("@" not in email or " " in email):
        ctx.report(f"电子邮箱「{email}」格式错误", file=s.file, line=line, field="GOVSITE_CONTACT")
