"""Personal-information detectors for plain text (PRIV-002..005).

Strategy: one cheap compiled regex finds digit clusters (≥ 7 digits, any
Unicode decimal digits, single space/hyphen separators); only those clusters are
normalised and checked (checksums, dates, context keywords). Chinese text is
mostly CJK with sparse digits, so almost all of the text is skipped by the regex
engine in C.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from govsite.privacy import context as ctx
from govsite.privacy.checks import looks_like_uscc, luhn_ok, valid_date, valid_id15, valid_id18
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy, normalize_chars

KIND_LABELS = {
    "id18": "身份证号",
    "id15": "身份证号（15位）",
    "numeric_id": "疑似身份证号（数字格式）",
    "mobile": "手机号码",
    "bankcard": "银行卡号",
    "numeric_card": "疑似银行卡号（数字格式）",
    "landline": "固定电话",
    "address": "家庭住址",
}


@dataclass(frozen=True)
class PiiMatch:
    """One personal identifier. ``raw`` is excluded from repr so logs never leak it.

    For ``mask_html`` results, start/end are offsets in the HTML source (the span may
    cover inline tags) and ``raw`` is the decoded text without tags; ``where`` tells
    whether the value was masked in text/attributes or only reported (URLs, scripts).
    """

    kind: str
    rule: str
    start: int
    end: int
    raw: str = field(repr=False)
    masked: str
    where: str = "text"

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


# Digit cluster prefilter: ≥ 7 digits with optional single separators, optional X.
_SEPS = " \\-\u00a0\u3000\uff0d\u2010\u2011"
_CAND = re.compile(rf"\d(?:[{_SEPS}]?\d){{6,}}[XxＸｘ]?")
# Outside person lists nothing shorter than 11 digits is PII (landlines are person-only),
# so dates like 2026-11-20 never even reach Python.
_CAND11 = re.compile(rf"\d(?:[{_SEPS}]?\d){{10,}}[XxＸｘ]?")
_GROUP = re.compile(r"[0-9X]+")
_AMOUNT_AFTER = re.compile(r"\s?(?:元|万元|亿元|美元|港元|万|亿)")
_PAREN_AREA = re.compile(r"[(（]\s?(0\d{2,3})\s?[)）]\s?$")
_URL_STOP = set(" \t\r\n\"'<>()（）[]【】，。；：、")

_CN_MOBILE_PREFIXES = frozenset(f"861{d}" for d in "3456789")  # 86 + 1[3-9]

_N = "[0-9０-９]+"
_CN = "[0-9０-９一二三四五六七八九十百零〇两]+"
_ADDR = re.compile(
    rf"(?P<grp>{_CN}(?:组|队|社))?"
    rf"(?:{_N}(?:[-－]{_N})?(?:号楼|号院|号|栋|幢|座)"
    rf"(?:{_N}(?:号楼|栋|幢|座|楼|层))?"
    rf"(?:{_CN}单元(?:[0-9０-９]{{3,4}}(?![0-9０-９])(?:室|户|号)?)?)?"
    rf"(?:{_N}(?:室|户))?"
    rf"|{_N}[-－]{_N}[-－][0-9０-９]{{3,4}}(?:室|号)?(?![0-9０-９]))"
)
_ADDR_NOT_AFTER = set("〕]】第月年日0123456789０１２３４５６７８９.-－/")
_ADDR_NOT_BEFORE = re.compile(r"文|令|公告|通知|决定|意见|函|线")


def id_shaped(d: str) -> bool:
    """18 digits laid out like an ID (birth date at 7–14) whatever the checksum says."""
    return len(d) == 18 and d[0] != "0" and valid_date(d[6:14])


def _is_alnum(c: str) -> bool:
    """ASCII or full-width letter/digit: a number glued to one is a code, not PII."""
    return (c.isascii() and c.isalnum()) or ("Ａ" <= c <= "ｚ") or c.isdecimal()


def _in_url(text: str, start: int) -> bool:
    i = start
    lo = max(0, start - 300)
    while i > lo and text[i - 1] not in _URL_STOP and ord(text[i - 1]) < 128:
        i -= 1
    token = text[i:start].lower()
    return "://" in token or token.startswith("www.")


class _Scanner:
    """Scans one text; ``header`` is a table column/row header treated as preceding context."""

    def __init__(self, text: str, policy: MaskPolicy, person: bool, header: str) -> None:
        self.text = text
        self.policy = policy
        self.person = person
        self.header = header
        self.out: list[PiiMatch] = []

    def window(self, start: int, n: int = 20) -> str:
        w = self.text[max(0, start - n) : start]
        return f"{self.header}：{w}" if self.header else w

    # -- driver

    def run(self) -> list[PiiMatch]:
        text = self.text
        for m in (_CAND if self.person else _CAND11).finditer(text):
            self._cluster(m.start(), m.end(), m.group())
        if self.person:
            self._addresses()
            self.out.sort(key=lambda p: p.start)
        return self.out

    def _cluster(self, s: int, e: int, raw: str) -> None:
        text = self.text
        norm = normalize_chars(raw)
        if norm.isdigit() or (norm[-1] == "X" and norm[:-1].isdigit()):
            # Fast path (most clusters): one unbroken run. Outside person lists only
            # 11–19 digits can be PII; 7–10 digit runs are dates, amounts, serials.
            if not self.person and not 11 <= len(norm) <= 19:
                return
            self.gs = [norm]
            self.gpos = [(s, e)]
        else:
            self.gs = []
            self.gpos = []
            for g in _GROUP.finditer(norm):
                self.gs.append(g.group())
                self.gpos.append((s + g.start(), s + g.end()))
            if not self.person and sum(map(len, self.gs)) < 11:
                return  # 2026-11-20, 2026-00012 …
        self.left_ok = s == 0 or not _is_alnum(text[s - 1])
        self.right_ok = e >= len(text) or not _is_alnum(text[e])
        self.amount = _AMOUNT_AFTER.match(text, e) is not None
        self.plus = s > 0 and text[s - 1] in "+＋"
        self.in_url = _in_url(text, s)
        i, n = 0, len(self.gs)
        while i < n:
            j = self._at(i)
            i = j if j else i + 1

    def _span_ok(self, i: int, j: int) -> bool:
        return (i > 0 or self.left_ok) and (j < len(self.gs) or self.right_ok)

    def _shape(self, i: int, shape: tuple[int, ...]) -> str | None:
        """Digits of groups i.. if their lengths are exactly ``shape``."""
        j = i + len(shape)
        if j > len(self.gs) or tuple(len(g) for g in self.gs[i:j]) != shape or not self._span_ok(i, j):
            return None
        return "".join(self.gs[i:j])

    def _emit(self, kind: str, rule: str, start: int, end: int, masked_fn) -> None:
        raw = self.text[start:end]
        self.out.append(PiiMatch(kind, rule, start, end, raw, masked_fn(raw)))

    # -- per-group dispatch; returns the index after consumed groups, or 0

    def _at(self, i: int) -> int:
        g = self.gs[i]
        size = len(g)
        if size in (18, 6):
            for shape in ((18,), (6, 8, 4)):
                d = self._shape(i, shape)
                if d and valid_id18(d) and not ctx.near(ctx.CREDIT_KEYWORDS, self.window(self.gpos[i][0])):
                    j = i + len(shape)
                    self._emit("id18", "PRIV-002", self.gpos[i][0], self.gpos[j - 1][1], self.policy.mask_id)
                    return j
        if self.in_url or g[-1] == "X":
            # Inside URLs only checksum-valid IDs count; an X-suffixed non-ID is a code.
            return 0
        # Group-length guards keep the common no-hit path cheap.
        j = self._mobile(i) if size in (2, 3, 4, 7, 11, 13) else 0
        if not j and (size == 4 or 12 <= size <= 19):
            j = self._card(i)
        if not j and size in (6, 15):
            j = self._id15(i)
        if not j and self.person:
            j = self._landline(i)
        return j

    def _mobile(self, i: int) -> int:
        gs = self.gs
        prefix_start = None
        if gs[i] in ("86", "0086") and i + 1 < len(gs):
            prefix_start, k = i, i + 1
        elif len(gs[i]) == 13 and gs[i][:4] in _CN_MOBILE_PREFIXES and self._span_ok(i, i + 1):
            start = self.gpos[i][0] - (1 if i == 0 and self.plus else 0)
            return self._mobile_hit(i, i + 1, start, self.gpos[i][0] + 2, gs[i][2:])
        else:
            k = i
        for shape in ((11,), (3, 4, 4), (3, 8), (7, 4)):
            j = k + len(shape)
            if j > len(gs) or tuple(len(g) for g in gs[k:j]) != shape:
                continue
            if not self._span_ok(i, j):
                continue
            d = "".join(gs[k:j])
            if d[0] != "1" or d[1] not in "3456789" or not d.isdigit():
                continue
            start = self.gpos[prefix_start if prefix_start is not None else k][0]
            if start == self.gpos[0][0] and self.plus and prefix_start is not None:
                start -= 1
            return self._mobile_hit(k, j, start, self.gpos[k][0], d)
        return 0

    def _mobile_hit(self, k: int, j: int, start: int, national_start: int, digits: str) -> int:
        if self.amount and j == len(self.gs):
            return 0
        # Office/hotline numbers: allowlisted, or in a contact block outside person lists.
        if digits in self.policy.allowed_phones or (not self.person and ctx.in_contact_block(self.window(start, 40))):
            return j
        end = self.gpos[j - 1][1]
        self._emit("mobile", "PRIV-003", start, end, lambda raw: self.policy.mask_mobile(raw, national_start - start))
        return j

    def _card(self, i: int) -> int:
        gs, n = self.gs, len(self.gs)
        window = self.window(self.gpos[i][0])
        kw = ctx.near(ctx.CARD_KEYWORDS, window)
        lo = 12 if kw else 16
        # Candidate spans i..j (at most 19 digits), longest first.
        spans: list[int] = []
        total = 0
        for j in range(i + 1, n + 1):
            total += len(gs[j - 1])
            if total > 19:
                break
            if lo <= total:
                spans.append(j)
        for j in reversed(spans):
            lens = [len(g) for g in gs[i:j]]
            if j - i > 1 and (any(x != 4 for x in lens[:-1]) or not 1 <= lens[-1] <= 7):
                continue
            if not self._span_ok(i, j):
                continue
            d = "".join(gs[i:j])
            if not d.isdigit() or not luhn_ok(d):
                continue
            if not kw and (
                ctx.near(ctx.SERIAL_KEYWORDS, window) or (len(d) == 18 and (looks_like_uscc(d) or id_shaped(d)))
            ):
                # Pure-digit credit codes (双公示 lists), mistyped IDs and labelled serials
                # pass Luhn 1 time in 10; a real card number almost never has their structure.
                continue
            if self.amount and j == n:
                continue
            if d in self.policy.allowed_accounts:
                return j  # an institution's published collection account
            self._emit("bankcard", "PRIV-004", self.gpos[i][0], self.gpos[j - 1][1], self.policy.mask_card)
            return j
        return 0

    def _id15(self, i: int) -> int:
        for shape in ((15,), (6, 6, 3)):
            d = self._shape(i, shape)
            if not d or not valid_id15(d):
                continue
            j = i + len(shape)
            if self.amount and j == len(self.gs):
                return 0
            # No checksum: only with an ID label nearby or inside a person list.
            if self.person or ctx.near(ctx.ID_KEYWORDS, self.window(self.gpos[i][0])):
                self._emit("id15", "PRIV-002", self.gpos[i][0], self.gpos[j - 1][1], self.policy.mask_id)
                return j
        return 0

    def _landline(self, i: int) -> int:
        gs, n = self.gs, len(self.gs)
        if self.amount and i == n - 1:
            return 0
        start = self.gpos[i][0]
        window = self.window(start)
        if ctx.OFFICE_PHONE_HEADER.search(self.header) or ctx.in_contact_block(window, ctx.OFFICE_PHONE_HEADER):
            return 0
        g = gs[i]
        area = 3 if g[:2] in ("01", "02") else 4
        hit: tuple[int, int, int] | None = None  # (start, end groups j, area chars)
        if g[0] == "0":
            if len(g) - area in (7, 8) and self._span_ok(i, i + 1):
                hit = (start, i + 1, area)
            elif len(g) in (3, 4):
                for shape in ((7,), (8,), (3, 4), (4, 4)):
                    j = i + 1 + len(shape)
                    if j <= n and tuple(len(x) for x in gs[i + 1 : j]) == shape and self._span_ok(i, j):
                        hit = (start, j, self.gpos[i + 1][0] - start)
                        break
        elif g[0] not in "01":
            # Local number without area code: only under a phone label or "(0871)" prefix.
            j = (
                i + 1
                if len(g) in (7, 8)
                else i + 2
                if i + 1 < n and (len(g), len(gs[i + 1])) in ((3, 4), (4, 4))
                else 0
            )
            if j and self._span_ok(i, j) and not (len(g) == 8 and valid_date(g)):
                paren = _PAREN_AREA.search(self.text, max(0, start - 8), start) if i == 0 else None
                if paren:
                    hit = (paren.start(), j, start - paren.start())
                elif ctx.near(ctx.PHONE_KEYWORDS, window):
                    hit = (start, j, 0)
        if not hit:
            return 0
        s, j, area_chars = hit
        digits = "".join(c for c in normalize_chars(self.text[s : self.gpos[j - 1][1]]) if c.isdigit())
        allowed = self.policy.allowed_phones
        # Allowlist entries may be written with or without the area code.
        if digits in allowed or digits[-8:] in allowed or digits[-7:] in allowed:
            return j
        self._emit(
            "landline", "PRIV-003", s, self.gpos[j - 1][1], lambda raw: self.policy.mask_landline(raw, area_chars)
        )
        return j

    # -- addresses (person context only, PRIV-005)

    def _addresses(self) -> None:
        text = self.text
        if self.header and not ctx.ADDRESS_HEADER.search(self.header):
            return
        taken = [(p.start, p.end) for p in self.out]
        for m in _ADDR.finditer(text):
            s, e = m.span()
            if s > 0 and text[s - 1] in _ADDR_NOT_AFTER:
                continue
            if _ADDR_NOT_BEFORE.match(text, e):
                continue
            if any(a < e and s < b for a, b in taken):
                continue
            line_start = text.rfind("\n", 0, s) + 1
            before = text[max(line_start, s - 15) : s]
            if not self.header and not m.group("grp") and not ctx.has_address_token(before):
                continue
            self.out.append(PiiMatch("address", "PRIV-005", s, e, m.group(), ""))


def find_pii(
    text: str,
    policy: MaskPolicy = DEFAULT_POLICY,
    *,
    person_context: bool = False,
    header: str = "",
) -> list[PiiMatch]:
    """All personal identifiers in ``text``, sorted, non-overlapping.

    ``person_context``: the text is (part of) a list of private persons, which makes
    landlines, addresses and label-less 15-digit IDs personal (PRIV-005).
    ``header``: column/row header of the cell being scanned, used as context
    (e.g. 「身份证号」, 「银行卡号」, 「家庭住址」, 「办公电话」).
    """
    return _Scanner(text, policy, person_context, header).run()


# -- benchmark ---------------------------------------------------------------


def _bench_corpus(mb: float, seed: int = 20261120) -> str:
    """Realistic notice text: mostly CJK, dates, amounts, 文号, some PII."""
    import random

    from govsite.privacy.checks import id18_check_char, luhn_complete

    rnd = random.Random(seed)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    target = int(mb * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        kind = rnd.random()
        if kind < 0.70:
            piece = "".join(rnd.choices(han, k=rnd.randint(15, 80))) + rnd.choice("，。；")
        elif kind < 0.76:
            piece = f"{rnd.randint(2015, 2026)}年{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日"
        elif kind < 0.82:
            piece = f"发布时间：{rnd.randint(2015, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}\n"
        elif kind < 0.88:
            piece = f"资金{rnd.randint(1, 9999)},{rnd.randint(100, 999)}.{rnd.randint(10, 99)}元"
        elif kind < 0.92:
            piece = f"示政发〔{rnd.randint(2015, 2026)}〕{rnd.randint(1, 99)}号"
        elif kind < 0.94:
            piece = f"咨询电话：0871-{rnd.randint(60000000, 69999999)}。"
        elif kind < 0.955:
            piece = f"手机1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}，"
        elif kind < 0.97:
            body = f"530102{rnd.randint(1950, 2010)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}"
            piece = f"身份证号{body}{id18_check_char(body)}，"
        elif kind < 0.98:
            piece = f"卡号{luhn_complete('622202' + str(rnd.randint(10**11, 10**12 - 1)))}，"
        elif kind < 0.99:
            piece = f"详见 https://www.example.gov.cn/zwgk/t{rnd.randint(20150101, 20261231)}_{rnd.randint(10**6, 10**7)}.html "
        else:
            piece = f"索引号：000014349/{rnd.randint(2015, 2026)}-{rnd.randint(1, 99999):05d}\n"
        parts.append(piece)
        size += len(piece.encode("utf-8"))
    return "".join(parts)


def bench_throughput(mb: float = 20) -> float:
    """MB/s (UTF-8 bytes per CPU second) of ``find_pii`` on a generated Chinese corpus of ``mb`` MB.

    CPU time rather than wall time, so a busy shared machine does not skew the figure.
    """
    text = _bench_corpus(mb)
    nbytes = len(text.encode("utf-8"))
    chunk = 64 * 1024  # page-sized pieces, like the build's per-document calls
    t0 = time.process_time()
    for k in range(0, len(text), chunk):
        find_pii(text[k : k + chunk])
    dt = time.process_time() - t0
    return nbytes / 1_000_000 / dt
