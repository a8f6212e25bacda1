"""Page stage: INTEG-004 防篡改 — no hidden links or injected scripts, and the SHA-256 manifest.

The scanner lives in checks/safety.py (:func:`scan_injections`); this rule runs it on every page (a per-page
check: the page is parsed once for all of them) and, once every page was seen, reports what it found (grouped
across pages) and writes ``manifest.sha256`` into the staging output, so the manifest is published together
with the site it describes. The driver deletes the staging directory when any rule fails, so only a
manifest of a site that passed the gate is ever published. In audit mode (``invoke audit``/``check``)
nothing is written: an existing manifest is verified instead.
"""

from __future__ import annotations

from govsite import manifest
from govsite.htmlpage import Page
from govsite.registry import finish, rule
from govsite.run import RuleContext

from .safety import (
    Entry,
    csp_present,
    grouped,
    html_allow,
    lowered,
    output_site,
    run_hosts,
    scan_injections,
)

CLAUSE = "国办秘函〔2019〕19号 单项否决指标「页面被挂马、内容被篡改等安全攻击没有及时有效处置」"


@rule("INTEG-004", title="防篡改：无暗链、无注入脚本，发布文件清单可核验", stage="page", clause=CLAUSE,
      confidence="P/derived",
      fix="删除隐藏链接和注入的脚本、iframe；若不是编辑所写，说明网站已被篡改：立即下线排查，并用 invoke verify 核对线上文件",
      why="被挂马、被植入暗链的政府网站属于单项否决。本站模板不产生内联脚本和隐藏链接，出现即视为注入。",
      example_bad='<div style="display:none"><a href="http://casino.example/">…</a></div>',
      example_good="（没有隐藏内容；脚本只从 /theme/js/ 加载）")
def tamper_guard(page: Page, ctx: RuleContext) -> None:
    entries: list[Entry] = []

    def add(key: str, message: str, **where: object) -> None:
        entries.append((key, message, where))

    scan_injections(page, add, allow=html_allow(ctx.run, page), hosts=run_hosts(ctx.run), settings=ctx.settings,
                    low=lowered(page, ctx.run))
    has_csp = csp_present(page)
    if entries or not has_csp:
        ctx.collect(page.path, (entries, has_csp))


@finish("INTEG-004", stage="page")
def tamper_summary(collected: dict[str, tuple[list[Entry], bool]], ctx: RuleContext) -> None:
    """Injections grouped across pages, the pages without CSP, then the manifest (written once, after all pages)."""
    grouped(ctx, collected, entries_of=lambda value: value[0]).flush()
    no_csp = ["/" + path for path, (_entries, has_csp) in collected.items() if not has_csp]
    if no_csp:
        ctx.report(f"{len(no_csp)} 个页面没有 Content-Security-Policy 标签（首个：{no_csp[0]}）；如服务器也未设置 CSP 响应头，"
                   "被注入的脚本可以直接运行", url=no_csp[0], selector="head", severity="info",
                   fix="页面 <head> 输出 <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'…\">，或在服务器设置响应头")
    root = output_site(ctx.run).root
    if ctx.run.data.get("audit"):
        if (root / manifest.MANIFEST_NAME).is_file():
            for problem in manifest.verify_manifest(root):
                ctx.report(f"与发布时的文件清单不一致：{problem}", url="/" + manifest.MANIFEST_NAME,
                           fix="核对该文件是否被篡改；确认是正常更新的，应重新构建发布")
    else:
        manifest.write_manifest(root)
        ctx.run.data["manifest"] = root / manifest.MANIFEST_NAME
