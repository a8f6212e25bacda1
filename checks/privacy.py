"""Personal information (rulebook §14): masked everywhere it could appear, and the build proves nothing leaked.

Every rule here belongs to the ``govsite_privacy`` plugin (``plugin=PLUGIN``): a build without the plugin
publishes unmasked sources, so its checks not running fails the gate (GATE-001).

- Masking at publish: the plugin registers :func:`make_transform` in ``run.data["transforms"]``; the reader
  applies it to the Markdown body (:func:`~govsite.privacy.mask.mask_markdown`) and to every metadata value
  that reaches the output before rendering, so pages, feeds, sitemap, search index and meta tags only ever
  see masked values. A valid exemption (``privacy_exempt: 惩戒公示|强制性信息披露`` + ``privacy_basis``) keeps
  ID numbers and addresses as written; mobile numbers and bank cards are masked on every page.
- Content stage (Markdown sources, pre-commit via ``check-file --strict-privacy``):
  PRIV-001 exemptions, PRIV-002 IDs, PRIV-003 phones, PRIV-004 cards, PRIV-005 addresses. An unmasked value
  in a source is a warning (masked at publish) naming file:line and field — an error with
  ``GOVSITE_PRIVACY_STRICT = True``. PRIV-010: attachments under content/ and every file name.
- Config stage: PRIV-007 the mask policy (``privacy_policy.yml``, setting ``GOVSITE_PRIVACY_POLICY``).
- Page stage: PRIV-008 the leak gate scans every output file's text and name with the detector;
  PRIV-009 no published image carries EXIF/XMP/GPS (the plugin strips the output copies).

Findings never contain a raw value: only masked forms (and :mod:`govsite.report` masks again).
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from govsite import manifest
from govsite.privacy.attachments import MASKABLE, SCANNABLE, AttachmentError, scan_attachment
from govsite.privacy.detect import _CAND11, KIND_LABELS, PiiMatch, find_pii
from govsite.privacy.mask import apply_matches, mask_markdown, mask_text
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy, normalize_phone
from govsite.registry import RULES, finish, rule
from govsite.run import BuildRun, RuleContext, enabled_checks
from govsite.settings_view import SettingsItem
from govsite.source import SourceDoc

PLUGIN = "govsite_privacy"
POLICY_SETTING = "GOVSITE_PRIVACY_POLICY"
POLICY_DEFAULT = "privacy_policy.yml"
STRICT_SETTING = "GOVSITE_PRIVACY_STRICT"
EXEMPTIONS = ("惩戒公示", "强制性信息披露")
CACHE_VERSION = "priv-1"

# What an exemption covers (rulebook PRIV-001: never bank accounts or phone numbers).
EXEMPT_KINDS = frozenset({"id18", "id15", "numeric_id", "address"})
# What the leak gate looks for in published files (landlines and addresses need person-list context).
LEAK_KINDS = frozenset({"id18", "id15", "numeric_id", "mobile", "bankcard", "numeric_card"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
# Document formats the detector cannot read: published unchecked unless someone reviews them.
UNCHECKABLE = frozenset({".doc", ".xls", ".wps", ".et", ".ofd", ".rtf", ".odt", ".ods", ".ppt", ".pptx", ".zip",
                         ".rar", ".7z"})
IGNORED_CONTENT_DIRS = frozenset({"upstream", "holidays"})

# Metadata that never reaches a page as text (structure) — not scanned.
STRUCT_META = frozenset({"date", "modified", "category", "type", "status", "lang", "privacy_exempt", "template",
                         "signed_date", "source_published", "notice_end", "validity", "needs_interpretation",
                         "form", "offline_notice"})
# Paths and addresses: scanned, never rewritten (a masked URL is a broken link).
URL_META = frozenset({"slug", "url", "save_as", "image", "source_url", "new_site_url", "forms"})
# Contact fields of 办事指南: an office number there is not personal data.
CONTACT_META = {"phone": "咨询电话"}

RULEBOOK = "规则手册 §14"
PIPL = "《个人信息保护法》第二十五条、第二十八条"
DEIDENT = "《2018年政务公开工作要点》（国办发〔2018〕23号）：除惩戒公示、强制性信息披露外，涉及个人隐私的政府信息公开时要去标识化处理"
FIELD_ZH = {"title": "标题", "summary": "摘要", "keywords": "关键词", "author": "作者", "source": "来源", "slug": "网址名",
            "description": "描述"}
WHERE_ZH = {"script": "脚本", "url:link": "链接地址", "url:href": "链接地址", "url:src": "图片/资源地址"}


# ---- policy ----------------------------------------------------------------------------------------


@dataclass
class PolicyState:
    policy: MaskPolicy
    file: str  # project-relative path of the policy file (for findings)
    problems: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        values = [sorted(v) if isinstance(v, frozenset) else v for v in dataclasses.astuple(self.policy)]
        return hashlib.sha1(json.dumps(values, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def public_phones(settings: Mapping[str, Any]) -> frozenset[str]:
    """``GOVSITE_PUBLIC_PHONES`` as allowlist keys (entries MaskPolicy cannot hold, like 12345, are dropped)."""
    raw = settings.get("GOVSITE_PUBLIC_PHONES") or ()
    if isinstance(raw, str):
        raw = [raw]
    keys = (normalize_phone(str(p)) for p in raw)
    return frozenset(k for k in keys if k.isdigit() and 7 <= len(k) <= 12)


def load_policy(root: Path, settings: Mapping[str, Any]) -> PolicyState:
    """The project's mask policy: ``privacy_policy.yml`` (or ``GOVSITE_PRIVACY_POLICY``) + GOVSITE_PUBLIC_PHONES.

    Problems are returned, never raised: masking then uses the default policy (the build fails on PRIV-007).
    A missing default file (e.g. a pre-commit checkout) silently means the defaults.
    """
    import yaml

    configured = settings.get(POLICY_SETTING)
    path = Path(str(configured or POLICY_DEFAULT))
    if not path.is_absolute():
        path = Path(root) / path
    try:
        rel = path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    state = PolicyState(DEFAULT_POLICY, rel)
    data: Any = {}
    text = ""
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except UnicodeDecodeError:
            state.problems.append(("脱敏规则文件不是 UTF-8 编码", None))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            state.problems.append((f"脱敏规则文件 YAML 格式错误：{getattr(exc, 'problem', None) or exc}",
                                   mark.line + 1 if mark is not None else None))
        data = {} if data is None else data
    elif configured:
        state.problems.append((f"找不到脱敏规则文件 {configured}（站点设置 {POLICY_SETTING}）", None))
    phones = public_phones(settings)
    policy = DEFAULT_POLICY
    if not state.problems:
        try:
            policy = MaskPolicy.from_mapping(data)
        except ValueError as exc:
            key = next((k for k in (data if isinstance(data, dict) else {}) if str(k) in str(exc)), None)
            line = None
            if key is not None:
                m = re.search(rf"^{re.escape(str(key))}\s*:", text, re.M)
                line = text.count("\n", 0, m.start()) + 1 if m else None
            state.problems.append((str(exc), line))
        except TypeError as exc:
            state.problems.append((f"脱敏规则文件格式错误：{exc}", None))
    state.policy = dataclasses.replace(policy, allowed_phones=policy.allowed_phones | phones)
    return state


def policy_state(run: BuildRun) -> PolicyState:
    state = run.data.get("privacy_policy_state")
    if state is None:
        state = load_policy(run.root, run.settings)
        run.data["privacy_policy_state"] = state
        run.data["privacy_policy"] = state.policy  # the report masker uses the same policy
    return state


def policy_for(run: BuildRun) -> MaskPolicy:
    return policy_state(run).policy


def strict(run: BuildRun) -> bool:
    return bool(run.settings.get(STRICT_SETTING))


# ---- helpers ----------------------------------------------------------------------------------------


def value_key(raw: str) -> str:
    """Digits of a value (a +86 prefix dropped): the same number written differently has one key."""
    return normalize_phone(raw)


def shown(m: PiiMatch) -> str:
    """What a finding may show of a match: the masked form, never the raw value."""
    if m.kind == "address":
        return "门牌级地址（发布时截断到村/社区）"
    return m.masked or "已遮盖"


def safe(text: str, policy: MaskPolicy = DEFAULT_POLICY) -> str:
    """Belt and braces for strings built from file names, sheet names and the like."""
    return mask_text(text, policy)[0] if text and _CAND11.search(text) else text


def exemption(doc: SourceDoc) -> str | None:
    """The document's valid exemption (a listed kind *and* a legal basis), else None."""
    kind = doc.get("privacy_exempt").strip()
    return kind if kind in EXEMPTIONS and doc.get("privacy_basis").strip() else None


def _apply_some(text: str, matches: list[PiiMatch]) -> str:
    """Mask only ``matches`` (an exempt document keeps its IDs and addresses)."""
    out: list[str] = []
    pos = 0
    for m in sorted(matches, key=lambda p: p.start):
        if m.start < pos or not (m.where == "text" or m.where.startswith("attr:")):
            continue
        out.append(text[pos : m.start])
        out.append(m.masked)  # a span across inline tags loses the tags: acceptable, never the value
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


# ---- per-document masking (shared by the content rules and the publish transform) --------------------


@dataclass
class Hit:
    field: str | None  # metadata key, None = body
    line: int
    match: PiiMatch
    status: str  # masked | exempt | renamed | unmaskable


@dataclass
class DocMask:
    body: str
    meta: dict[str, str]
    hits: list[Hit]
    exempt: str | None
    cleared: set[str]  # values the context decided are not personal (office numbers in contact blocks)
    exempt_ids: set[str]  # ID numbers an exemption publishes as written


def _mask_field(key: str | None, text: str, policy: MaskPolicy) -> tuple[str, list[PiiMatch]]:
    if key in CONTACT_META:
        found = find_pii(text, policy, header=CONTACT_META[key])
        return apply_matches(text, found), found
    return mask_markdown(text, policy)


def compute_doc_mask(doc: SourceDoc, body: str, meta: Mapping[str, str], policy: MaskPolicy) -> DocMask:
    exempt = exemption(doc)
    dm = DocMask(body, dict(meta), [], exempt, set(), set())

    def one(key: str | None, text: str) -> str:
        if not text or not any(c.isdigit() for c in text):
            return text  # every identifier and every door-level address contains a digit
        masked, found = _mask_field(key, text, policy)
        if not found and key in URL_META:
            found = find_pii(text, policy)
        applied: list[PiiMatch] = []
        for m in found:
            if exempt and m.kind in EXEMPT_KINDS:
                status = "exempt"
                if m.kind != "address":
                    dm.exempt_ids.add(value_key(m.raw))
            elif key in URL_META:
                status = "renamed" if key == "slug" else "unmaskable"
            elif m.where == "text" or m.where.startswith("attr:"):
                status = "masked"
                applied.append(m)
            else:
                status = "unmaskable"
            line = (doc.body_line_of(m.start) if key is None and text is doc.body
                    else doc.line_of(key) if key else doc.body_line) or 1
            dm.hits.append(Hit(key, line, m, status))
        # Values the context decided are not personal (an office number under 「联系电话」 in a 单位 table)
        # still look personal to the context-free leak gate: remember them. Link targets do not count.
        known = {value_key(m.raw) for m in found}
        plain = _LINK_TARGET.sub("](", text) if key not in URL_META else ""
        for r in find_pii(plain, policy) if plain else ():
            if r.kind in LEAK_KINDS and value_key(r.raw) not in known:
                dm.cleared.add(value_key(r.raw))
        if key in URL_META:
            return text
        if exempt and len(applied) != len(found):
            return _apply_some(text, applied)
        return masked

    dm.body = one(None, body)
    for key, value in meta.items():
        if key in STRUCT_META or not isinstance(value, str):
            continue
        new = one(key, value)
        if key not in URL_META:
            dm.meta[key] = new
    return dm


def doc_mask(run: BuildRun, doc: SourceDoc, body: str | None = None, meta: Mapping[str, str] | None = None) -> DocMask:
    """Masking of one document, computed once per build (content stage and reader share it)."""
    body = doc.body if body is None else body
    meta = {k: mv.value for k, mv in doc.meta.items()} if meta is None else dict(meta)
    cache: dict[str, tuple[str, dict[str, str], DocMask]] = run.data.setdefault("_privacy_docs", {})
    hit = cache.get(doc.rel)
    if hit is not None and hit[0] == body and hit[1] == meta:
        return hit[2]
    dm = compute_doc_mask(doc, body, meta, policy_for(run))
    cache[doc.rel] = (body, meta, dm)
    return dm


def make_transform(run: BuildRun):  # type: ignore[no-untyped-def]
    """The reader transform ``(doc, body, meta) -> (body, meta)`` that masks what will be published."""

    def privacy_mask(doc: SourceDoc, body: str, meta: dict[str, str]) -> tuple[str, dict[str, str]]:
        dm = doc_mask(run, doc, body, meta)
        return dm.body, dict(dm.meta)

    privacy_mask.govsite_privacy = True  # type: ignore[attr-defined]
    return privacy_mask


def install_transform(run: BuildRun) -> None:
    transforms = run.data.setdefault("transforms", [])
    if not any(getattr(t, "govsite_privacy", False) for t in transforms):
        transforms.append(make_transform(run))


# ---- content stage: sources --------------------------------------------------------------------------

EXAMPLE_ID = "张三 身份证号 11010519491231002X"


def _report_source(doc: SourceDoc, ctx: RuleContext, rule_id: str) -> None:
    if doc.fatal:
        return
    dm = doc_mask(ctx.run, doc)
    strict_mode = strict(ctx.run)
    groups: dict[tuple[str | None, str, str], list[Hit]] = {}
    for h in dm.hits:
        if h.match.rule == rule_id and h.status != "exempt":
            groups.setdefault((h.field, h.status, h.match.kind), []).append(h)
    for (fld, status, kind), hits in groups.items():
        label = KIND_LABELS.get(kind, kind)
        where = f"元数据 {fld}（{FIELD_ZH.get(fld, fld)}）中" if fld else "正文中"
        examples = "、".join(dict.fromkeys(shown(h.match) for h in hits[:3]))
        lines = sorted({h.line for h in hits})
        at = ("第 " + "、".join(map(str, lines[:8])) + (" 等" if len(lines) > 8 else "") + " 行") if fld is None else ""
        count = f"{len(hits)} 处" if len(hits) > 1 else ""
        if status == "masked" and kind == "address":
            msg = f"{where}{at}有 {count or '1 处'}家庭住址写到了组或门牌号：已在发布时自动遮盖（截断到村/社区），请在源文件中遮盖"
            fix = "删除组和门牌号，只写到村（社区），如「示例镇红旗村」"
            sev = "error" if strict_mode else "warning"
        elif status == "masked":
            msg = f"{where}{at}有 {count or '1 处'}未遮盖的{label}（{examples}）：已在发布时自动遮盖，请在源文件中遮盖"
            fix = (f"把源文件中的号码改成遮盖后的形式（如 {shown(hits[0].match)}），可用 invoke mask 生成遮盖后的文本；"
                   "依法须公开的惩戒公示，写明 privacy_exempt 和 privacy_basis")
            sev = "error" if strict_mode else "warning"
        elif status == "renamed":
            msg = f"网址名 slug 含{label}（{examples}）：已改用不含个人信息的网址，请修改 slug"
            fix = "slug 只写与内容有关的英文或拼音，如 2026-dibao-gongshi"
            sev = "error" if strict_mode else "warning"
        else:
            place = WHERE_ZH.get(hits[0].match.where, "链接、路径或脚本") if fld is None else f"路径字段 {fld}"
            msg = f"{where}{at}的{place}含{label}（{examples}）：这里的内容无法在发布时自动遮盖"
            fix = "删除链接地址、文件名或脚本中的个人信息（文件改名后同步修改链接）"
            sev = "error"
        ctx.report(safe(msg, policy_for(ctx.run)), fix=fix, file=doc.path, line=hits[0].line, field=fld, severity=sev)


@rule("PRIV-001", title="涉及个人隐私的信息须去标识化；豁免须写明依据", stage="content", plugin=PLUGIN,
      clause=DEIDENT + "；" + PIPL + "；《政府信息公开条例》第十五条",
      fix="privacy_exempt 只能填 惩戒公示 或 强制性信息披露，并在 privacy_basis 中写明所依据的法律法规",
      why="除惩戒公示和强制性信息披露外，公开信息中的个人信息必须去标识化。豁免必须有法律依据，并在检查报告中列出备查；"
          "豁免也不包括手机号码和银行卡号，它们在任何页面上都会被遮盖。",
      confidence="S",
      example_bad="privacy_exempt: 惩戒公示（没有 privacy_basis）",
      example_good="privacy_exempt: 惩戒公示\nprivacy_basis: 《最高人民法院关于公布失信被执行人名单信息的若干规定》")
def exemption_basis(doc: SourceDoc, ctx: RuleContext) -> None:
    kind = doc.get("privacy_exempt").strip()
    basis = doc.get("privacy_basis").strip()
    if not kind:
        if basis:
            ctx.report("填写了豁免依据 privacy_basis，但没有填写 privacy_exempt：本页仍按去标识化处理", file=doc.path,
                       line=doc.line_of("privacy_basis"), field="privacy_basis", severity="info",
                       fix="依法须公开的，加一行 privacy_exempt: 惩戒公示（或 强制性信息披露）")
        return
    if kind not in EXEMPTIONS:
        return  # CONTENT-002 reports the invalid choice; the page is masked like any other
    if not basis:
        ctx.report(f"声明了隐私豁免「{kind}」但没有写明依据 privacy_basis：本页按普通信息去标识化发布", file=doc.path,
                   line=doc.line_of("privacy_exempt"), field="privacy_exempt",
                   fix="加一行 privacy_basis: 所依据的法律法规（如《最高人民法院关于公布失信被执行人名单信息的若干规定》）")
        return
    ctx.report(safe(f"隐私豁免：「{kind}」，依据 {basis}。本页身份证号、住址按原文公开；手机号码、银行卡号仍自动遮盖",
                    policy_for(ctx.run)),
               file=doc.path, line=doc.line_of("privacy_exempt"), field="privacy_exempt", severity="info",
               fix="请定期复核豁免是否仍有必要（公示期满后应撤下或去标识化）")


@rule("PRIV-002", title="身份证号码必须遮盖（隐藏出生日期）", stage="content", plugin=PLUGIN,
      clause="GB 11643-1999《公民身份号码》；" + PIPL + "；" + RULEBOOK + " PRIV-002",
      fix="至少隐藏第 7–14 位出生日期和顺序码，如 110105********002X（invoke mask 自动生成）",
      why="身份证号是特定身份信息，公开后可被用于冒用身份。发布时系统会自动遮盖，但源文件也应遮盖，"
          "以免经其他渠道（附件、转发、备份）泄露。", confidence="S",
      example_bad=EXAMPLE_ID, example_good="张三 身份证号 110105********002X")
def source_ids(doc: SourceDoc, ctx: RuleContext) -> None:
    _report_source(doc, ctx, "PRIV-002")


@rule("PRIV-003", title="手机号码（及个人名单中的固定电话）必须遮盖", stage="content", plugin=PLUGIN,
      clause=PIPL + "；" + RULEBOOK + " PRIV-003",
      fix="写成 138****5678；单位办公电话、服务热线写在「咨询电话：」后，或加入 privacy_policy.yml 的 allowed_phones",
      why="个人名单中的手机号码和住宅电话能直接联系到个人。单位公开的办公电话不受影响。", confidence="derived",
      example_bad="| 姓名 | 联系电话 |\n| 张三 | 13800138000 |", example_good="| 姓名 | 联系电话 |\n| 张三 | 138****8000 |")
def source_phones(doc: SourceDoc, ctx: RuleContext) -> None:
    _report_source(doc, ctx, "PRIV-003")


@rule("PRIV-004", title="银行卡号（金融账户）必须遮盖", stage="content", plugin=PLUGIN,
      clause="《个人信息保护法》第二十八条（金融账户属敏感个人信息）；" + RULEBOOK + " PRIV-004",
      fix="只保留后 4 位，如 ***************1234；单位对公收款账户加入 privacy_policy.yml 的 allowed_accounts",
      why="银行账号属于敏感个人信息，泄露后可能被用于诈骗。", confidence="S",
      example_bad="补贴发放账号 6222021234567890128", example_good="补贴发放账号 ***************0128")
def source_cards(doc: SourceDoc, ctx: RuleContext) -> None:
    _report_source(doc, ctx, "PRIV-004")


@rule("PRIV-005", title="个人名单中的家庭住址只写到村/社区", stage="content", plugin=PLUGIN,
      clause=PIPL + "；" + RULEBOOK + " PRIV-005",
      fix="删除组和门牌号，只写到村（社区），如「示例镇红旗村」",
      why="带门牌号的住址和姓名一起公开，能直接找到个人住所。", confidence="S",
      example_bad="| 姓名 | 住址 |\n| 张三 | 示例镇红旗村3组15号 |", example_good="| 姓名 | 住址 |\n| 张三 | 示例镇红旗村 |")
def source_addresses(doc: SourceDoc, ctx: RuleContext) -> None:
    _report_source(doc, ctx, "PRIV-005")


# ---- config stage: the mask policy ------------------------------------------------------------------


@rule("PRIV-007", title="脱敏规则配置有效", stage="config", plugin=PLUGIN,
      clause="GB/T 35273-2020 展示限制；GB/T 37964-2019《个人信息去标识化指南》；" + RULEBOOK + " PRIV-007",
      fix="按 privacy_policy.yml 中的说明修改（遮盖位数不能露出出生日期）",
      why="国家标准没有规定逐字符的遮盖格式，本站的遮盖格式由 privacy_policy.yml 决定；格式无效时无法保证遮盖效果。",
      confidence="S/M", example_bad="id_keep_head: 10（会露出出生日期）", example_good="id_keep_head: 6\nid_keep_tail: 4")
def policy_valid(s: SettingsItem, ctx: RuleContext) -> None:
    state = policy_state(ctx.run)
    for message, line in state.problems:
        ctx.report(message, file=ctx.run.root / state.file, line=line,
                   fix="修正脱敏规则文件；出错期间发布会按默认规则遮盖，但构建不会通过")


# ---- content stage: attachments and file names ------------------------------------------------------


def content_root(run: BuildRun) -> Path:
    return Path(run.settings.get("PATH", run.root / "content")).resolve()


def _content_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not (rel_dir == Path(".") and d in IGNORED_CONTENT_DIRS))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)|(?:href|src)\s*=\s*[\"']([^\"']+)")


def _normalize_ref(ref: str) -> str:
    ref = unquote(ref.split("#", 1)[0].split("?", 1)[0]).strip()
    for prefix in ("{static}", "{attach}", "{filename}", "|static|", "|filename|"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    return ref.lstrip("/")


def exempt_attachments(run: BuildRun) -> set[str]:
    """Content-relative paths of files linked from an exempt document (their IDs are covered too)."""
    refs: set[str] = set()
    for doc in (run.data.get("sources") or {}).values():
        if doc is None or not exemption(doc):
            continue
        for m in _LINK_TARGET.finditer(doc.body):
            refs.add(_normalize_ref(m.group(1) or m.group(2)))
        for ref in re.split(r"[,，]\s*", doc.get("forms")):
            if ref.strip():
                refs.add(_normalize_ref(ref))
    return refs


class _AttachmentCache:
    """Scan results by SHA-256 + policy (.govsite-cache/privacy-attachments.json). Masked forms only."""

    NAME = "privacy-attachments.json"

    def __init__(self, run: BuildRun, fingerprint: str):
        self.path = None if run.data.get("audit") else run.root / ".govsite-cache" / self.NAME
        self.fp = fingerprint
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        if self.path is not None and self.path.is_file():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and loaded.get("version") == CACHE_VERSION:
                    self.old = loaded.get("files") or {}
            except (OSError, ValueError):
                self.old = {}

    def key(self, digest: str) -> str:
        return f"{digest}:{self.fp}"

    def get(self, digest: str) -> dict[str, Any] | None:
        entry = self.new.get(self.key(digest)) or self.old.get(self.key(digest))
        if entry is not None:
            self.new[self.key(digest)] = entry
        return entry

    def put(self, digest: str, entry: dict[str, Any]) -> None:
        self.new[self.key(digest)] = entry

    def save(self) -> None:
        if self.path is None or self.new == self.old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"version": CACHE_VERSION, "files": self.new}, ensure_ascii=False, sort_keys=True),
                           encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def scan_file_cached(path: Path, policy: MaskPolicy, cache: _AttachmentCache) -> tuple[str, dict[str, Any]]:
    """(sha256, {"hits": [[location, rule, kind, masked]], "error": message|None}) — no raw values."""
    digest = _sha256(path)
    entry = cache.get(digest)
    if entry is None:
        try:
            hits = [[safe(h.location, policy), h.match.rule, h.match.kind, shown(h.match)]
                    for h in scan_attachment(path, policy)]
            entry = {"hits": hits, "error": None}
        except AttachmentError as exc:
            entry = {"hits": [], "error": safe(str(exc), policy)}
        except Exception as exc:  # a parser bug must never let an unchecked file through silently
            entry = {"hits": [], "error": f"无法读取附件 {safe(path.name, policy)}：{type(exc).__name__}"}
        cache.put(digest, entry)
    return digest, entry


def _name_hits(name: str, policy: MaskPolicy) -> list[PiiMatch]:
    if not any(c.isdigit() for c in name):
        return []
    return [m for m in find_pii(name, policy) if m.kind in LEAK_KINDS]


@rule("PRIV-010", title="附件和文件名不含未遮盖的个人信息", stage="content", per="site", plugin=PLUGIN,
      clause=DEIDENT + "；" + RULEBOOK + " PRIV-001（已知的泄露事件多发生在附件中）",
      fix="用 invoke mask-file --src 原附件 --dst 脱敏副本 生成脱敏副本，核对后替换原附件；文件名不得含身份证号、手机号码、银行卡号",
      why="2017–2019 年安徽、江西、湖南、重庆等地低保、危房改造、贫困户名单泄露，大多发生在 Excel、Word 附件中。"
          "附件原样发布，发布时无法自动遮盖；文件名会出现在网址、站点地图和搜索索引中。",
      confidence="S",
      example_bad="attachments/dibao-mingdan.xlsx 的「身份证号」列为完整号码",
      example_good="attachments/dibao-mingdan.xlsx 的「身份证号」列为 530999********1218")
def attachments_and_names(docs: list[SourceDoc], ctx: RuleContext) -> int:
    run = ctx.run
    policy = policy_for(run)
    strict_mode = strict(run)
    root = content_root(run)
    if run.data.get("check_file"):
        # check-file / pre-commit: only the Markdown files themselves (attachments are not staged there).
        for doc in docs:
            _report_name(ctx, doc.path, root, policy)
        return len(docs)
    if not root.is_dir():
        return 0
    exempt_refs = exempt_attachments(run)
    cache = _AttachmentCache(run, policy_state(run).fingerprint)
    digests: dict[str, str] = run.data.setdefault("privacy_attachment_digests", {})
    count = 0
    for path in _content_files(root):
        count += 1
        _report_name(ctx, path, root, policy)
        suffix = path.suffix.lower()
        rel_content = path.relative_to(root).as_posix()
        display = safe(rel_content, policy)
        if suffix in UNCHECKABLE:
            ctx.report(f"附件 {display} 的格式（{suffix}）无法自动检查个人信息", file=path.parent / safe(path.name, policy),
                       severity="error" if strict_mode else "warning",
                       fix="转换为 .docx、.xlsx 或 .pdf 后发布；确需发布原格式的，须人工核对不含未遮盖的个人信息")
            continue
        if suffix not in SCANNABLE:
            continue
        digest, entry = scan_file_cached(path, policy, cache)
        file_ref = path.parent / safe(path.name, policy)
        if entry["error"]:
            digests[digest] = "error"
            ctx.report(f"{entry['error']}：无法检查其中是否有个人信息", file=file_ref,
                       fix="用 Office/WPS 打开后另存为正常的 .xlsx/.docx/.pdf（不要加密），再重新构建")
            continue
        exempt = rel_content in exempt_refs
        hits = [h for h in entry["hits"] if not (exempt and h[2] in EXEMPT_KINDS)]
        digests[digest] = "dirty" if hits else "clean"
        for location, rule_id, kind, masked in hits[:20]:
            ctx.report(f"附件 {display} {location}：{KIND_LABELS.get(kind, kind)}未遮盖（应为 {masked}，{rule_id}）",
                       file=file_ref, selector=location,
                       fix=(f"运行 invoke mask-file --src {display} --dst 脱敏副本{suffix if suffix in MASKABLE else '.xlsx'}"
                            "，核对后用脱敏副本替换原附件" if suffix in MASKABLE else
                            "在原文件中遮盖后重新导出 PDF（不能只盖住显示，文本层也要去掉原号码）"))
        if len(hits) > 20:
            ctx.report(f"附件 {display} 另有 {len(hits) - 20} 处未遮盖的个人信息", file=file_ref)
    cache.save()
    return count


def _report_name(ctx: RuleContext, path: Path, root: Path, policy: MaskPolicy) -> None:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = path.name
    found = _name_hits(rel, policy)
    if found:
        ctx.run.data.setdefault("privacy_bad_names", set()).update(value_key(m.raw) for m in found)
        masked = apply_matches(rel, found)
        labels = "、".join(dict.fromkeys(m.label for m in found))
        ctx.report(f"文件名含{labels}（{masked}）：文件名会出现在网址、附件链接、站点地图和搜索索引中",
                   file=root / masked, fix="给文件改一个不含个人信息的名称（如 2026-dibao-mingdan.xlsx），并同步修改正文中的链接")


# ---- publish: images -------------------------------------------------------------------------------


def strip_published_images(run: BuildRun, out_dir: Path) -> dict[str, int]:
    """Strip EXIF/XMP/GPS from every published image copy in ``out_dir`` (originals in content/ untouched).

    The copy is rewritten through a temporary file and ``os.replace``, so a hard- or symlinked static file
    never writes through to the original. Idempotent; problems are kept for PRIV-009.
    """
    from govsite.privacy.images import strip_image_metadata

    out_dir = Path(out_dir)
    done = run.data.setdefault("privacy_images_stripped", {})
    key = str(out_dir.resolve())
    if key in done:
        return done[key]
    policy = policy_for(run)
    stats = {"images": 0, "stripped": 0}
    problems: list[tuple[str, str]] = run.data.setdefault("privacy_image_problems", [])
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
                continue
            path = Path(dirpath) / name
            stats["images"] += 1
            tmp = path.with_name(f".{name}.govsite-strip")
            try:
                if strip_image_metadata(path, tmp):
                    os.replace(tmp, path)
                    stats["stripped"] += 1
            except AttachmentError as exc:
                problems.append((path.relative_to(out_dir).as_posix(), safe(str(exc), policy)))
            except OSError as exc:
                problems.append((path.relative_to(out_dir).as_posix(), f"图片无法处理（{type(exc).__name__}）"))
            finally:
                if tmp.exists():
                    tmp.unlink()
    done[key] = stats
    return stats


def image_metadata(path: Path) -> list[str]:
    """Which metadata a published image still carries (empty = clean).

    A byte-level walk of the container (JPEG segments, PNG chunks, WebP chunks), independent of the stripper
    and without decoding pixels; an image with EXIF is then checked for GPS with Pillow to name it.
    """
    data = path.read_bytes()
    found: list[str] = []
    if data[:2] == b"\xff\xd8":
        i, n = 2, len(data)
        while i + 4 <= n and data[i] == 0xFF:
            marker = data[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            if marker == 0x01 or 0xD0 <= marker <= 0xD8:
                i += 2
                continue
            if marker in (0xDA, 0xD9):
                # Entropy-coded data follows; further frames (MPO) after it may carry their own EXIF.
                if data.find(b"Exif\x00\x00", i) >= 0:
                    found.append("EXIF")
                break
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            body = data[i + 4 : i + 2 + length]
            if marker == 0xE1 and body.startswith(b"Exif\x00"):
                found.append("EXIF")
            elif marker == 0xE1 and b"ns.adobe.com/xap" in body[:80]:
                found.append("XMP")
            i += 2 + length
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        i = 8
        while i + 8 <= len(data):
            length = int.from_bytes(data[i : i + 4], "big")
            ctype = data[i + 4 : i + 8]
            body = data[i + 8 : i + 8 + min(length, 64)]
            if ctype == b"eXIf" or (ctype in (b"tEXt", b"zTXt", b"iTXt") and body.startswith(b"Raw profile type exif")):
                found.append("EXIF")
            elif ctype in (b"tEXt", b"zTXt", b"iTXt") and body.startswith(b"XML:com.adobe.xmp"):
                found.append("XMP")
            if ctype == b"IEND":
                break
            i += 12 + length
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        i = 12
        while i + 8 <= len(data):
            fourcc = data[i : i + 4]
            size = int.from_bytes(data[i + 4 : i + 8], "little")
            if fourcc == b"EXIF":
                found.append("EXIF")
            elif fourcc == b"XMP ":
                found.append("XMP")
            i += 8 + size + (size & 1)
    else:
        from PIL import Image

        with Image.open(path) as im:  # not a container this walker knows: ask Pillow
            if len(im.getexif()):
                found.append("EXIF")
    if found:
        from govsite.privacy.images import has_gps

        try:
            if has_gps(path):
                found.append("GPS 位置")
        except Exception:
            pass
    return list(dict.fromkeys(found))


@rule("PRIV-009", title="发布的图片不含 EXIF/GPS 等元数据", stage="page", per="site",
      clause="《个人信息保护法》第二十八条（行踪轨迹属敏感个人信息）；" + RULEBOOK + " PRIV-001",
      fix="发布时会自动清除图片元数据；仍有残留时，用图片工具去除 EXIF/GPS 后重新上传",
      why="手机照片的 EXIF 中含拍摄地点（GPS）、时间和设备信息，可能暴露个人住址和行踪。",
      confidence="S", example_bad="IMG_2034.jpg（EXIF 中有 GPS 经纬度）", example_good="（发布的图片没有 EXIF/XMP 元数据）")
def images_clean(site: Any, ctx: RuleContext) -> int:
    policy = policy_for(ctx.run)
    for rel, problem in ctx.run.data.get("privacy_image_problems", []):
        ctx.report(problem, url="/" + safe(rel, policy), fix="用图片工具重新导出为正常的 JPEG/PNG/WebP 后再发布")
    bad = {rel for rel, _ in ctx.run.data.get("privacy_image_problems", [])}
    count = 0
    for rel in site.files:
        if Path(rel).suffix.lower() not in IMAGE_SUFFIXES or rel in bad:
            continue
        count += 1
        try:
            left = image_metadata(site.root / rel)
        except Exception as exc:
            ctx.report(f"图片无法读取，无法确认不含位置信息（{type(exc).__name__}）", url="/" + safe(rel, policy))
            continue
        if left:
            ctx.report(f"发布的图片仍含 {'、'.join(left)} 元数据", url="/" + safe(rel, policy))
    return count


# ---- page stage: the leak gate ---------------------------------------------------------------------

# Digits split by inline tags (138<span>0013</span>8000) or written as entities (&#49;).
_INLINE = ("a|abbr|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|ins|kbd|label|mark|nobr|q|s|samp|small|span|"
           "strike|strong|sub|sup|time|tt|u|var|wbr")
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b[^<>]*>", re.I)
_SPLIT = re.compile(rf"[0-9０-９](?:</?(?:{_INLINE})\b[^<>]*>)+[0-9０-９]|&#(?:4[89]|5[0-7]|x3[0-9]);", re.I)
_DIGIT_ENTITY = re.compile(r"&#(?:(4[89]|5[0-7])|x(3[0-9]));", re.I)
TEXT_SUFFIXES = frozenset({".html", ".htm", ".xml", ".json", ".js", ".mjs", ".css", ".svg", ".atom", ".rss", ".map",
                           ".webmanifest", ".sha256", ".md", ".yml", ".yaml", ".ics", ".vcf", ".htaccess"})
SEG_ZH = {"head": "网页头部（标题、网页标签）", "main": "正文区域", "top": "页眉/导航", "bottom": "页脚", "page": "页面",
          "file": "文件内容"}


def _digit_entity(m: re.Match[str]) -> str:
    return chr(int(m.group(1))) if m.group(1) else chr(int(m.group(2), 16))


def scan_markup(text: str, policy: MaskPolicy) -> list[PiiMatch]:
    """Detector hits in raw file text (HTML/XML/JSON/…), plus values split by inline tags or entities."""
    found = [m for m in find_pii(text, policy) if m.kind in LEAK_KINDS]
    if _SPLIT.search(text):
        joined = _INLINE_TAG.sub("", _DIGIT_ENTITY.sub(_digit_entity, text))
        found += [m for m in find_pii(joined, policy) if m.kind in LEAK_KINDS]
    return found


def _page_segments(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(always scanned, template boilerplate) parts of an HTML page: head + <main>, and header/footer."""
    head_end = text.find("</head>")
    if head_end < 0:
        m = re.search(r"</head\s*>", text, re.I)
        if m is None:
            return [("page", text)], []
        head_end = m.start()
    start = text.find("<main", head_end)
    end = text.rfind("</main>")
    if start < 0 or end < start:
        return [("head", text[:head_end]), ("page", text[head_end:])], []
    return [("head", text[:head_end]), ("main", text[start:end])], [("top", text[head_end:start]),
                                                                      ("bottom", text[end:])]


def allowed_values(run: BuildRun) -> set[str]:
    """Values the gate accepts: office numbers the context cleared, and IDs an exemption publishes.

    In a build they come from the documents masked for publication; when auditing our own output
    (``invoke check``) from the sources the settings point to.
    """
    docs = run.data.get("_privacy_docs")
    if not docs and run.data.get("audit") and run.settings.get("PATH"):
        from govsite.pelican_glue import discover_sources
        from govsite.source import read_source

        try:
            for path in discover_sources(dict(run.settings)):
                doc_mask(run, read_source(path, run.root))
        except OSError:
            pass
        docs = run.data.get("_privacy_docs")
    allowed: set[str] = set()
    for _body, _meta, dm in (docs or {}).values():
        allowed |= dm.cleared | dm.exempt_ids
    return allowed


class _Leaks:
    def __init__(self, ctx: RuleContext, policy: MaskPolicy, allowed: set[str]):
        self.ctx = ctx
        self.policy = policy
        self.allowed = allowed
        self.blocked: set[str] = set()  # file names that already block the build (PRIV-010)
        self.count = 0

    def keep(self, found: Iterable[PiiMatch], *, allow: bool = True) -> list[PiiMatch]:
        """Distinct values that are neither cleared, exempt nor already blocking."""
        seen: dict[tuple[str, str], PiiMatch] = {}
        for m in found:
            k = value_key(m.raw)
            if k in self.blocked or (allow and k in self.allowed):
                continue
            seen.setdefault((m.kind, k), m)
        return list(seen.values())

    def report(self, rel: str, where: str, items: list[PiiMatch]) -> None:
        if not items:
            return
        url = "/" + safe(rel, self.policy)
        for m in items[:10]:
            self.count += 1
            self.ctx.report(f"{SEG_ZH.get(where, where)}中发现未遮盖的{m.label}「{shown(m)}」", url=url,
                            selector=where if where in ("head", "main") else None,
                            fix="查找该号码的来源（模板、站点设置、栏目登记表或未经遮盖的数据）并遮盖；构建已阻止发布")
        if len(items) > 10:
            self.ctx.report(f"{SEG_ZH.get(where, where)}中另有 {len(items) - 10} 个未遮盖的个人信息", url=url)


def _confirmed(text: str, policy: MaskPolicy) -> set[str]:
    """Values the context-aware HTML masker also finds in a page (table headers, contact blocks considered)."""
    from govsite.privacy.mask import mask_html

    _masked, found = mask_html(text, policy)
    return {value_key(m.raw) for m in found if m.kind in LEAK_KINDS}


def _gate_setup(ctx: RuleContext) -> tuple[MaskPolicy, set[str], set[str]]:
    """(policy, allowed values, values already blocking as file names): fixed for the page stage, so computed once
    per process (a ``_`` run.data key is a per-process cache)."""
    run = ctx.run
    setup = run.data.get("_privacy_gate_setup")
    if setup is None:
        policy = policy_for(run)
        allowed = allowed_values(run)
        attachments_block = run.severity_of(RULES["PRIV-010"]) == "error" and run.check_coverage.get(
            "PRIV-010@content", 0) > 0
        blocked = set(run.data.get("privacy_bad_names") or ()) if attachments_block else set()
        setup = run.data["_privacy_gate_setup"] = (policy, allowed, blocked)
    return setup


def _leaks(ctx: RuleContext) -> _Leaks:
    policy, allowed, blocked = _gate_setup(ctx)
    leaks = _Leaks(ctx, policy, allowed)
    leaks.blocked = blocked
    return leaks


def _boiler_key(seg: str) -> tuple[int, bytes]:
    """Identity of a header/footer segment, the same in every process (unlike ``hash``)."""
    return len(seg), hashlib.blake2b(seg.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _segment(text: str, where: str) -> str:
    for name, seg in _page_segments(text)[1]:
        if name == where:
            return seg
    return ""


def _scan_page(page: Any, ctx: RuleContext) -> dict[str, Any]:
    """Scan one page's head and <main> (reported here) and tell which header/footer segments it has.

    Header and footer are the same template on most pages: each distinct segment is scanned once per process, and
    whether it holds a value is kept with its key; the finish reports it once, on the first page (in file order)
    that carries it — as one walk over the output would.
    """
    p0 = time.perf_counter()
    leaks = _leaks(ctx)
    policy = leaks.policy
    text = page.text
    scan, rest = _page_segments(text)
    scanned = 0
    hits: list[tuple[str, list[PiiMatch]]] = []
    for where, seg in scan:
        scanned += len(seg)
        hits.append((where, leaks.keep(scan_markup(seg, policy))))
    if any(items for _, items in hits):
        # Rare: a context-free hit. Keep what the context-aware HTML masker confirms (an office number under a
        # 单位/联系电话 table header is not personal data).
        confirmed = _confirmed(text, policy)
        for where, items in hits:
            leaks.report(page.path, where, [m for m in items if value_key(m.raw) in confirmed])
    dirty: dict[tuple[int, bytes], bool] = ctx.run.data.setdefault("_privacy_boilerplate", {})
    boiler: list[tuple[str, tuple[int, bytes], bool]] = []
    for where, seg in rest:
        key = _boiler_key(seg)
        if key not in dirty:
            dirty[key] = bool(leaks.keep(scan_markup(seg, policy)))
        boiler.append((where, key, dirty[key]))
    return {"bytes": scanned, "leaks": leaks.count, "boiler": boiler, "seconds": time.perf_counter() - p0}


@rule("PRIV-008", title="发布内容无个人信息泄露（发布前全量扫描）", stage="page",
      clause=DEIDENT + "；《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）严重泄露个人信息；" + PIPL,
      fix="查找该号码的来源（模板、站点设置、栏目登记表、附件或未经遮盖的数据）并遮盖，然后重新构建",
      why="发布时的自动遮盖覆盖正文和元数据；本规则在发布前再检查一遍全部输出文件（页面、RSS、站点地图、搜索索引、"
          "脚本、附件和文件名），证明没有任何未遮盖的身份证号、手机号码或银行卡号被发布。",
      confidence="S", example_bad="search-index.json 中出现 13800138000", example_good="search-index.json 中只有 138****8000")
def leak_gate(page: Any, ctx: RuleContext) -> None:
    ctx.collect(page.path, _scan_page(page, ctx))


def _manifest_to_come(run: BuildRun, root: Path) -> str | None:
    """The text of the ``manifest.sha256`` INTEG-004 writes into the output if it has not done so yet.

    INTEG-004 writes it in its own finish, which runs before this one. Should it be a site-wide check again, a
    serial build would call it after this finish: the manifest is published too, so the gate then scans what it
    will contain (deterministic: the same files give the same bytes).
    """
    if run.data.get("audit") or run.data.get("manifest") is not None:  # audit: verified, never written
        return None
    if not any(c.rule_id == "INTEG-004" and c.per == "site" and c.plugin in run.loaded_plugins
               for c in enabled_checks(run, "page")):
        return None
    return manifest.render(manifest.compute(root))


@finish("PRIV-008", stage="page")
def leak_gate_files(collected: dict[str, Any], ctx: RuleContext) -> None:
    """Every output file in one walk: file names, the pages' shared header/footer, feeds, indexes, attachments."""
    run = ctx.run
    site = run.data["output_site"]
    t0 = time.perf_counter()
    leaks = _leaks(ctx)
    policy = leaks.policy
    root = Path(site.root)
    pages = {p.path: p for p in site.pages}
    digests: dict[str, str] = run.data.get("privacy_attachment_digests") or {}
    cache: _AttachmentCache | None = None
    attachments_block = run.severity_of(RULES["PRIV-010"]) == "error" and run.check_coverage.get(
        "PRIV-010@content", 0) > 0
    boiler: set[tuple[int, bytes]] = set()
    stats = {"files": 0, "pages": 0, "bytes": 0, "boilerplate_skipped": 0}
    page_seconds = 0.0  # here, on pages
    item_seconds = 0.0  # page by page, before this finish
    to_come = _manifest_to_come(run, root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if to_come is not None and Path(dirpath) == root and manifest.MANIFEST_NAME not in filenames:
            filenames = [*filenames, manifest.MANIFEST_NAME]
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            stats["files"] += 1
            leaks.report(rel, "文件名", leaks.keep(_name_hits(rel, policy), allow=False))  # never cleared
            suffix = path.suffix.lower()
            page = pages.get(rel)
            if page is not None:
                p0 = time.perf_counter()
                fact = collected.get(rel)
                if fact is None:  # not scanned page by page (its check failed there): scan it now
                    fact = _scan_page(page, ctx)
                else:
                    item_seconds += fact["seconds"]
                stats["pages"] += 1
                stats["bytes"] += fact["bytes"]
                leaks.count += fact["leaks"]
                for where, key, dirty in fact["boiler"]:
                    if key in boiler:
                        stats["boilerplate_skipped"] += 1
                        continue
                    boiler.add(key)
                    stats["bytes"] += key[0]
                    if dirty:
                        items = leaks.keep(scan_markup(_segment(page.text, where), policy))
                        confirmed = _confirmed(page.text, policy)
                        leaks.report(rel, where, [m for m in items if value_key(m.raw) in confirmed])
                page_seconds += time.perf_counter() - p0
            elif suffix in IMAGE_SUFFIXES:
                continue  # PRIV-009 (metadata); pixels are not text
            elif suffix in SCANNABLE:
                try:
                    digest = _sha256(path)
                except OSError:
                    continue
                state = digests.get(digest)
                if state == "clean" or (state in ("dirty", "error") and attachments_block):
                    continue  # the same bytes were scanned at the content stage (and already block the build)
                if cache is None:
                    cache = _AttachmentCache(run, policy_state(run).fingerprint)
                _, entry = scan_file_cached(path, policy, cache)
                if entry["error"]:
                    ctx.report(f"{entry['error']}：无法确认其中没有个人信息", url="/" + safe(rel, policy))
                for location, _rule, kind, masked in entry["hits"][:10]:
                    leaks.count += 1
                    ctx.report(f"发布的附件 {location} 中有未遮盖的{KIND_LABELS.get(kind, kind)}「{masked}」",
                               url="/" + safe(rel, policy), selector=location)
            else:
                try:
                    data = to_come.encode("utf-8") if to_come is not None and rel == manifest.MANIFEST_NAME else \
                        path.read_bytes()
                except OSError:
                    continue
                if suffix not in TEXT_SUFFIXES and b"\x00" in data[:4096]:
                    continue  # binary (fonts, archives): no text to leak through
                text = data.decode("utf-8", errors="replace")
                if "&" in text and suffix in (".xml", ".atom", ".rss", ".svg"):
                    text = html.unescape(text)  # feeds carry the pages' HTML escaped
                stats["bytes"] += len(text)
                leaks.report(rel, "file", leaks.keep(scan_markup(text, policy)))
    if cache is not None:
        cache.save()
    stats["seconds"] = round(time.perf_counter() - t0 + item_seconds, 4)
    stats["ms_per_page"] = round(1000 * (page_seconds + item_seconds) / max(stats["pages"], 1), 4)
    stats["leaks"] = leaks.count
    run.data["privacy_gate_stats"] = stats


# ---- command line (python -m govsite mask|scan, invoke mask|scan|mask-file) ---------------------------


def project_policy(root: Path) -> PolicyState:
    """The policy a build of the project at ``root`` uses (settings read like check-file does)."""
    settings: Mapping[str, Any] = {}
    if (Path(root) / "pelicanconf.py").is_file():
        try:
            from govsite.checkfile import load_project_settings

            settings = load_project_settings(Path(root))
        except Exception:  # a broken pelicanconf.py: the policy file alone still applies
            settings = {}
    return load_policy(Path(root), settings)


def _markdown_lines(path: Path, root: Path, policy: MaskPolicy) -> list[str]:
    from govsite.source import read_source

    doc = read_source(path, root)
    dm = compute_doc_mask(doc, doc.body, {k: mv.value for k, mv in doc.meta.items()}, policy)
    out = []
    for h in sorted(dm.hits, key=lambda h: h.line):
        if h.status == "exempt":
            continue
        where = f" [{h.field}]" if h.field else ""
        extra = "" if h.status == "masked" else f"（{WHERE_ZH.get(h.match.where, '路径/链接')}，无法自动遮盖）"
        out.append(f"{path}:{h.line}:{where} {h.match.rule} {h.match.label} {shown(h.match)}{extra}")
    return out


def scan_for_cli(paths: Iterable[str | Path], root: Path, policy: MaskPolicy, out: Any = None) -> list[str]:
    """Print and return one line per finding, masked values only (file names too). Markdown sources are scanned
    like the build does (metadata field by field, exemptions honoured); other files with
    :func:`govsite.privacy.cli.scan_paths` (attachments, HTML, images)."""
    import io
    import sys

    from govsite.privacy.cli import MARKDOWN, _expand, scan_paths

    stream = out if out is not None else sys.stdout
    lines: list[str] = []
    for path in _expand(paths):
        if path.suffix.lower() in MARKDOWN:
            try:
                found = _markdown_lines(path, Path(root), policy)
            except OSError as exc:
                found = [f"{path}: 错误 无法读取（{type(exc).__name__}）"]
        else:
            found = scan_paths([path], policy, out=io.StringIO())
        names = _name_hits(path.name, policy)
        if names:
            found.append(f"{path}: PRIV-010 文件名含{'、'.join(dict.fromkeys(m.label for m in names))}")
        for line in found:
            line = safe(line, policy)
            print(line, file=stream)
            lines.append(line)
    return lines
