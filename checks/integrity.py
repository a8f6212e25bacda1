"""Page stage: INTEG-004 防篡改 — no hidden links or injected scripts, and the SHA-256 manifest.

The scanner lives in checks/safety.py (:func:`scan_injections`); this rule runs it on every page and
then writes ``manifest.sha256`` into the staging output, so the manifest is published together with
the site it describes. The driver deletes the staging directory when any rule fails, so only a
manifest of a site that passed the gate is ever published. In audit mode (``invoke audit``/``check``)
nothing is written: an existing manifest is verified instead.
"""

from __future__ import annotations

from govsite import manifest
from govsite.htmlpage import OutputSite
from govsite.registry import rule
from govsite.run import RuleContext

from .links import Grouped, own_hosts
from .safety import csp_present, html_allow, lowered, scan_injections

CLAUSE = "国办秘函〔2019〕19号 单项否决指标「页面被挂马、内容被篡改等安全攻击没有及时有效处置」"


@rule("INTEG-004", title="防篡改：无暗链、无注入脚本，发布文件清单可核验", stage="page", per="site", clause=CLAUSE,
      confidence="P/derived",
      fix="删除隐藏链接和注入的脚本、iframe；若不是编辑所写，说明网站已被篡改：立即下线排查，并用 invoke verify 核对线上文件",
      why="被挂马、被植入暗链的政府网站属于单项否决。本站模板不产生内联脚本和隐藏链接，出现即视为注入。",
      example_bad='<div style="display:none"><a href="http://casino.example/">…</a></div>',
      example_good="（没有隐藏内容；脚本只从 /theme/js/ 加载）")
def tamper_guard(site: OutputSite, ctx: RuleContext) -> int:
    hosts = own_hosts(ctx.settings)
    out = Grouped(ctx)
    no_csp = []
    for page in site:
        scan_injections(page, out.add, allow=html_allow(ctx.run, page), hosts=hosts, settings=ctx.settings,
                        low=lowered(page, ctx.run))
        if not csp_present(page):
            no_csp.append(page.url)
    out.flush()
    if no_csp:
        ctx.report(f"{len(no_csp)} 个页面没有 Content-Security-Policy 标签（首个：{no_csp[0]}）；如服务器也未设置 CSP 响应头，"
                   "被注入的脚本可以直接运行", url=no_csp[0], selector="head", severity="info",
                   fix="页面 <head> 输出 <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'…\">，或在服务器设置响应头")
    root = site.root
    if ctx.run.data.get("audit"):
        if (root / manifest.MANIFEST_NAME).is_file():
            for problem in manifest.verify_manifest(root):
                ctx.report(f"与发布时的文件清单不一致：{problem}", url="/" + manifest.MANIFEST_NAME,
                           fix="核对该文件是否被篡改；确认是正常更新的，应重新构建发布")
    else:
        manifest.write_manifest(root)
        ctx.run.data["manifest"] = root / manifest.MANIFEST_NAME
    return len(site.pages)
