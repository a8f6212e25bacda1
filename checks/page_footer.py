"""Page stage: the 网页底部功能区 on every page (FOOTER-001…009)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from selectolax.lexbor import LexborNode as Node

from govsite.htmlpage import Page, css_path, norm_ws
from govsite.registry import check, finish, rule
from govsite.run import RuleContext

from .links import output_files
from .patterns import ICP_IN_TEXT, PHONE_RE, PSB_IN_TEXT, SITE_ID_IN_TEXT

ANNEX = "《政府网站发展指引》（国办发〔2017〕47号）附件《政府网站网页设计规范》网页底部功能区"
FIX_TEMPLATE = "页面模板缺少底部功能区：所有页面模板都应包含 theme/templates/partials/footer.html"
CONAC_LINK = re.compile(r"bszs\.conac\.cn/sitename\?method=show&id=[0-9A-Fa-f]{32}")
CONAC_SCRIPT = re.compile(r"dcs\.conac\.cn/js/[^\"']+/CA\d+\.js")


def _missing_footer(page: Page, ctx: RuleContext, what: str) -> bool:
    if page.footer is None:
        ctx.report(f"页面没有底部功能区（<footer>），因此缺少{what}", url=page.url, fix=FIX_TEMPLATE)
        return True
    return False


@check("FOOTER-001", stage="page")
def conac_badge(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "党政机关网站标识"):
        return
    if page.footer.css_first("#_ideConac") is not None and any(
        CONAC_SCRIPT.search(s.attributes.get("src") or "") for s in page.tree.css("script[src]")
    ):
        return
    for a in page.footer.css("a[href]"):
        if CONAC_LINK.search(a.attributes.get("href") or ""):
            img = a.css_first("img")
            src = (img.attributes.get("src") or "") if img is not None else ""
            if src.endswith("red_error.png"):
                ctx.report("党政机关网站标识显示为 red_error（标识注册无效）", url=page.url, selector=css_path(img),
                           fix="联系机构编制部门核实网站标识注册状态")
            elif not src.endswith(("red.png", "blue.png")):
                ctx.report("党政机关网站标识链接中没有标识图片（red.png）", url=page.url, selector=css_path(a))
            return
    ctx.report("页面底部缺少党政机关网站标识", url=page.url, selector="footer",
               fix="底部功能区放置链接到 bszs.conac.cn 的党政机关网站标识（见 partials/footer.html）")


@rule("FOOTER-002", title="「我为政府网站找错」入口", stage="page", clause=ANNEX + "；国办秘函〔2019〕19号 功能设计",
      confidence="R/M", fix="在页面底部放置「我为政府网站找错」入口，site_code（或 sitecode）等于网站标识码",
      why="「我为政府网站找错」是国务院办公厅政府网站监管的公众纠错入口，通报中多次点名缺失。")
def jiucuo(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "「我为政府网站找错」入口"):
        return
    code = str(ctx.settings.get("GOVSITE_ID_CODE", ""))
    script = page.tree.css_first("script#_jiucuo_")
    if script is not None:
        src = script.attributes.get("src") or ""
        if "zfwzgl.www.gov.cn/exposure/jiucuo.js" not in src:
            sev = "warning" if ("kaipuyun" in src or "121.43.68.40" in src) else None
            ctx.report(f"找错脚本地址「{src}」不是 zfwzgl.www.gov.cn", url=page.url, selector=css_path(script), severity=sev)
        if code and (script.attributes.get("sitecode") or "") != code:
            ctx.report(f"找错脚本的 sitecode「{script.attributes.get('sitecode')}」与网站标识码 {code} 不一致",
                       url=page.url, selector=css_path(script))
        return
    for a in page.tree.css("a[href]"):
        if "我为政府网站找错" in a.text():
            href = a.attributes.get("href") or ""
            if "zfwzgl.www.gov.cn/exposure/jiucuo" not in href:
                ctx.report(f"「我为政府网站找错」链接地址「{href}」不是国办政府网站监管平台", url=page.url,
                           selector=css_path(a))
            elif code and f"site_code={code}" not in href:
                ctx.report(f"「我为政府网站找错」链接的 site_code 与网站标识码 {code} 不一致", url=page.url,
                           selector=css_path(a))
            return
    ctx.report("页面缺少「我为政府网站找错」入口", url=page.url, selector="footer")


@check("FOOTER-003", stage="page")
def footer_id_code(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "政府网站标识码"):
        return
    m = SITE_ID_IN_TEXT.search(page.footer_text)
    code = str(ctx.settings.get("GOVSITE_ID_CODE", ""))
    if not m:
        ctx.report("页面底部没有「政府网站标识码：××××××××××」", url=page.url, selector="footer")
    elif code and m.group(1) != code:
        ctx.report(f"页面底部的网站标识码 {m.group(1)} 与设置 {code} 不一致", url=page.url, selector="footer")


@check("FOOTER-004", stage="page")
def footer_icp(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "ICP备案编号"):
        return
    expected = str(ctx.settings.get("GOVSITE_ICP", ""))
    for a in page.footer.css("a[href]"):
        text = norm_ws(a.text())
        if ICP_IN_TEXT.search(text):
            href = a.attributes.get("href") or ""
            if "miitbeian.gov.cn" in href:
                ctx.report("ICP备案号链接使用了旧地址 www.miitbeian.gov.cn", url=page.url, selector=css_path(a),
                           severity="warning", fix="改为 https://beian.miit.gov.cn/")
            elif not re.match(r"^https?://beian\.miit\.gov\.cn(/|$)", href):
                ctx.report(f"ICP备案号没有链接到工业和信息化部备案系统（当前：{href}）", url=page.url, selector=css_path(a))
            if expected and ICP_IN_TEXT.search(text).group(0) != expected:
                ctx.report(f"页面底部的ICP备案号与设置 {expected} 不一致", url=page.url, selector=css_path(a))
            return
    if ICP_IN_TEXT.search(page.footer_text):
        ctx.report("ICP备案号没有链接到 https://beian.miit.gov.cn/", url=page.url, selector="footer")
    else:
        ctx.report("页面底部缺少ICP备案编号", url=page.url, selector="footer")


@check("FOOTER-005", stage="page")
def footer_psb(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "公安机关备案标识"):
        return
    m = PSB_IN_TEXT.search(page.footer_text)
    if not m:
        ctx.report("页面底部缺少公安机关备案号（×公网安备××××××××××××××号）", url=page.url, selector="footer")
        return
    number = m.group(1)
    expected = "".join(ch for ch in str(ctx.settings.get("GOVSITE_PSB", "")) if ch.isdigit())
    if expected and number != expected:
        ctx.report(f"页面底部的公安备案号 {number} 与设置不一致", url=page.url, selector="footer")
    for a in page.footer.css("a[href]"):
        href = a.attributes.get("href") or ""
        if ("beian.gov.cn" in href and f"recordcode={number}" in href) or "beian.mps.gov.cn" in href:
            has_img = a.css_first("img") is not None or (a.prev is not None and a.prev.tag == "img")
            if not has_img:
                ctx.report("公安机关备案号旁缺少备案标识图标", url=page.url, selector=css_path(a))
            return
    ctx.report("公安机关备案号没有链接到全国互联网安全管理服务平台（recordcode 须与备案号一致）", url=page.url,
               selector="footer")


@check("FOOTER-006", stage="page")
def footer_sponsor(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "主办单位"):
        return
    sponsor = str(ctx.settings.get("GOVSITE_SPONSOR", ""))
    if not re.search(r"主办(单位)?\s*[:：]\s*\S+", page.footer_text):
        ctx.report("页面底部没有写明「主办单位：×××」", url=page.url, selector="footer")
    elif sponsor and sponsor not in page.footer_text:
        ctx.report(f"页面底部的主办单位不是设置中的「{sponsor}」", url=page.url, selector="footer")


@check("FOOTER-007", stage="page")
def footer_contact(page: Page, ctx: RuleContext) -> None:
    if _missing_footer(page, ctx, "联系方式"):
        return
    text = page.footer_text
    if PHONE_RE.search(text) or page.footer.css_first('a[href^="mailto:"]') is not None or re.search(r"地址\s*[:：]", text):
        return
    ctx.report("页面底部没有联系电话、电子邮箱或地址", url=page.url, selector="footer")


@rule("FOOTER-008", title="网站地图和联系我们链接", stage="page", whole_output=True, severity="warning",
      clause=ANNEX + "（是否明确列出网站地图未经核实）；省级评估指标「网站地图」", confidence="R/S/M",
      fix="页面底部放置指向 /sitemap.html 的「网站地图」和指向联系页面的「联系我们」链接",
      why="网站地图帮助公众在三次点击内找到栏目；联系我们页面列出联系方式。")
def footer_links(page: Page, ctx: RuleContext) -> None:
    if page.footer is None:
        return
    found: dict[str, Node | None] = {"网站地图": None, "联系我们": None}
    for a in page.tree.css("a[href]"):
        label = norm_ws(a.text())
        if label in found and found[label] is None:
            found[label] = a
            if all(v is not None for v in found.values()):
                break
    files: frozenset[str] | None = None
    for label, link in found.items():
        if link is None:
            ctx.report(f"页面缺少「{label}」链接", url=page.url, selector="footer")
            continue
        href = (link.attributes.get("href") or "").split("#")[0].split("?")[0]
        target = href.lstrip("/")
        if not (href.startswith("/") and target):
            continue
        if files is None:
            files = output_files(ctx)
        if target not in files and f"{target.rstrip('/')}/index.html" not in files:
            ctx.report(f"「{label}」链接 {href} 指向不存在的页面", url=page.url, selector=css_path(link))


@rule("FOOTER-009", title="各页面底部标识一致", stage="page", clause="湖北省政府办公厅2018年通知：六项标识同步更新",
      confidence="S", fix="所有页面使用同一个底部模板，标识码、备案号、主办单位取自同一份设置",
      why="改版或机构改革后常出现部分页面底部信息未更新，造成标识不一致。")
def footer_consistent(page: Page, ctx: RuleContext) -> None:
    if page.footer is None:
        return
    vals: dict[str, str] = {}
    text = page.footer_text
    m = SITE_ID_IN_TEXT.search(text)
    if m:
        vals["标识码"] = m.group(1)
    m = ICP_IN_TEXT.search(text)
    if m:
        vals["ICP"] = m.group(0)
    m = PSB_IN_TEXT.search(text)
    if m:
        vals["公安备案"] = m.group(1)
    meta = page.meta_one("SiteIDCode")
    if meta and vals.get("标识码") and meta != vals["标识码"]:
        ctx.report(f"SiteIDCode 标签 {meta} 与页面底部标识码 {vals['标识码']} 不一致", url=page.url)
    ctx.collect(page.path, vals)


@finish("FOOTER-009", stage="page")
def footer_consistent_across_pages(collected: dict[str, Any], ctx: RuleContext) -> None:
    seen: dict[str, Counter[str]] = {"标识码": Counter(), "ICP": Counter(), "公安备案": Counter()}
    per_page = [("/" + path, value) for path, value in collected.items()]  # in page order
    for _url, vals in per_page:
        for k, v in vals.items():
            seen[k][v] += 1
    for key, counter in seen.items():
        if len(counter) > 1:
            common = counter.most_common(1)[0][0]
            for url, vals in per_page:
                if key in vals and vals[key] != common:
                    ctx.report(f"本页{key}「{vals[key]}」与其他页面（「{common}」）不一致", url=url, selector="footer")
