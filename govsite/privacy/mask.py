"""Masking of text, HTML and Markdown, and validators of masked forms (rulebook A.4)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace

from govsite.privacy import context as ctx
from govsite.privacy.detect import PiiMatch, find_pii
from govsite.privacy.htmlscan import mask_html_fragment
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy, normalize_chars, normalize_phone

__all__ = [
    "DEFAULT_POLICY",
    "MaskPolicy",
    "PiiMatch",
    "apply_matches",
    "is_masked_card",
    "is_masked_id",
    "is_masked_landline",
    "is_masked_mobile",
    "mask_html",
    "mask_markdown",
    "mask_text",
    "normalize_phone",
]


def apply_matches(text: str, matches: list[PiiMatch]) -> str:
    """Replace each match's span with its masked form (matches: sorted, non-overlapping).

    Report-only matches (``where`` other than "text", e.g. link targets) are left as is.
    """
    if not matches:
        return text
    out: list[str] = []
    pos = 0
    for m in matches:
        if m.where != "text":
            continue
        out.append(text[pos : m.start])
        out.append(m.masked)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def mask_text(
    text: str, policy: MaskPolicy = DEFAULT_POLICY, *, person_context: bool = False
) -> tuple[str, list[PiiMatch]]:
    matches = find_pii(text, policy, person_context=person_context)
    return apply_matches(text, matches), matches


def mask_html(html: str, policy: MaskPolicy = DEFAULT_POLICY) -> tuple[str, list[PiiMatch]]:
    """Mask PII in HTML text and in text attributes (alt, title, content, aria-label,
    placeholder, value) and ``tel:``/``sms:`` links.

    Inline tags are transparent (``138<span>0013</span>8000`` is masked); table cells
    are never joined; a table whose header row names 姓名/住址/身份证… is a person
    list. Other URLs (href/src/…) are never altered: IDs in them are only reported
    (``where="url:…"``), as are values inside <script>/<style> (``where="script"``).
    """
    return mask_html_fragment(html, policy)


# -- Markdown ------------------------------------------------------------------

_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_TABLE_OPEN = re.compile(r"\s*<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_MD_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")


def _cells(line: str, base: int) -> list[tuple[int, int]]:
    """(start, end) of each pipe-table cell of ``line`` (absolute offsets), outer pipes dropped."""
    body_end = len(line.rstrip("\r\n"))
    bounds = [-1] + [m.start() for m in _CELL_SPLIT.finditer(line, 0, body_end)] + [body_end]
    cells = [(a + 1, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    if cells and not line[cells[0][0] : cells[0][1]].strip():
        cells = cells[1:]  # leading pipe
    if cells and not line[cells[-1][0] : cells[-1][1]].strip() and line.rstrip().endswith("|"):
        cells = cells[:-1]  # trailing pipe
    return [(base + a, base + b) for a, b in cells]


def _scan_piece(text: str, policy: MaskPolicy, *, person: bool, header: str = "") -> tuple[str, list[PiiMatch]]:
    if "<" in text and _HTML_TAG.search(text):
        return mask_html_fragment(text, policy, person=person, header=header)
    matches = find_pii(text, policy, person_context=person, header=header)
    if matches and "](" in text:
        # Link/image targets are URLs: keep them working and report IDs in them (like href).
        targets = [t.span(1) for t in _MD_LINK_TARGET.finditer(text)]
        kept = []
        for m in matches:
            if not any(a <= m.start and m.end <= b for a, b in targets):
                kept.append(m)
            elif m.kind == "id18":
                kept.append(replace(m, where="url:link"))
        matches = kept
    return apply_matches(text, matches), matches


def mask_markdown(text: str, policy: MaskPolicy = DEFAULT_POLICY) -> tuple[str, list[PiiMatch]]:
    """Mask a Markdown document the way the build does.

    Blocks: pipe tables (the header row — or a label first column — decides person
    context for the table; each cell is scanned alone with its column header as
    context), raw HTML tables / blocks (tag-aware HTML masking) and paragraphs/lists
    (person context when they label 姓名 + 住址/电话/身份证).
    Returned match offsets refer to ``text``.
    """
    lines = text.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    edits: list[tuple[int, int, str]] = []
    found: list[PiiMatch] = []

    def piece(a: int, b: int, *, person: bool | None = None, header: str = "") -> None:
        chunk = text[a:b]
        p = ctx.is_person_block(chunk) if person is None else person
        masked, matches = _scan_piece(chunk, policy, person=p, header=header)
        if matches:
            edits.append((a, b, masked))
            found.extend(_shift(m, a) for m in matches)

    para: list[int] = []

    def close_para() -> None:
        if para:
            piece(starts[para[0]], starts[para[-1] + 1])
            para.clear()

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            close_para()
            i += 1
        elif "|" in line and i + 1 < n and "-" in lines[i + 1] and _TABLE_DELIM.match(lines[i + 1]):
            close_para()
            j = i + 2
            while j < n and lines[j].strip() and "|" in lines[j]:
                j += 1
            _markdown_table(text, lines, starts, i, j, piece)
            i = j
        elif _TABLE_OPEN.match(line):
            close_para()
            # Raw HTML table: one block up to </table>, even across blank lines.
            m = _TABLE_CLOSE.search(text, starts[i])
            last = bisect.bisect_right(starts, m.end() - 1) - 1 if m else n - 1
            piece(starts[i], starts[last + 1])
            i = last + 1
        else:
            para.append(i)
            i += 1
    close_para()

    edits.sort()
    out: list[str] = []
    pos = 0
    for a, b, rep in edits:
        out.append(text[pos:a])
        out.append(rep)
        pos = b
    out.append(text[pos:])
    return "".join(out), sorted(found, key=lambda m: m.start)


def _markdown_table(text: str, lines: list[str], starts: list[int], i: int, j: int, piece: Callable[..., None]) -> None:
    """Pipe table on lines i..j-1 (line i+1 is the delimiter row)."""
    header_cells = [text[a:b].strip() for a, b in _cells(lines[i], starts[i])]
    rows = [_cells(lines[k], starts[k]) for k in range(i + 2, j)]
    first_col = " ".join(text[r[0][0] : r[0][1]] for r in rows if r)
    person = ctx.is_person_header(" ".join(header_cells)) or ctx.is_person_header(first_col)
    for cells in rows:
        for c, (a, b) in enumerate(cells):
            col_head = header_cells[c] if c < len(header_cells) else ""
            label = text[cells[c - 1][0] : cells[c - 1][1]].strip() if c else ""
            header = f"{col_head} {label if len(label) <= 12 else ''}".strip()
            piece(a, b, person=person, header=header)


def _shift(m: PiiMatch, offset: int) -> PiiMatch:
    return replace(m, start=m.start + offset, end=m.end + offset)


# -- validators of acceptable masked forms (rulebook A.4) -------------------------

_SEPS = re.compile(r"[\s\-]")


def _is_mask(c: str) -> bool:
    return not c.isalnum() and not c.isspace() and c not in "-+"


def is_masked_id(s: str) -> bool:
    """18 or 15 chars whose birth date (positions 7–14 / 7–12) is fully hidden and ≥ 8 / 6 chars masked."""
    t = _SEPS.sub("", normalize_chars(s.strip())).upper()
    if len(t) == 18:
        birth, min_masked = slice(6, 14), 8
    elif len(t) == 15:
        birth, min_masked = slice(6, 12), 6
    else:
        return False
    if any(not (c.isdigit() or c == "X" or _is_mask(c)) for c in t) or "X" in t[:-1]:
        return False
    return all(_is_mask(c) for c in t[birth]) and sum(map(_is_mask, t)) >= min_masked


def is_masked_mobile(s: str) -> bool:
    """``138****5678`` (optionally +86 prefix / grouping): the middle four digits hidden."""
    t = _SEPS.sub("", normalize_chars(s.strip()))
    t = re.sub(r"^\+?(?:00)?86(?=[1*])", "", t) if len(t) > 11 else t
    return len(t) == 11 and all(c.isdigit() or _is_mask(c) for c in t) and all(map(_is_mask, t[3:7]))


def is_masked_card(s: str) -> bool:
    """Last 4 only (``***************1234`` / ``**** **** **** 1234``), or first 4 + last 4."""
    t = _SEPS.sub("", normalize_chars(s.strip()))
    m = re.fullmatch(r"(\d{4})?([^\dA-Za-z\s]+)(\d{0,4})", t)
    return bool(m) and 12 <= len(t) <= 19 and len(m.group(2)) >= len(t) - 8 and _is_mask(m.group(2)[0])


def is_masked_landline(s: str) -> bool:
    """``0871-****5678``: area code visible, local number hidden but for ≤ 4 digits."""
    t = normalize_chars(s.strip())
    m = re.fullmatch(r"[(（]?(0\d{2,3})[)）]?[\s\-]?([^\dA-Za-z\s]+)(\d{0,4})", t)
    return bool(m) and len(m.group(2)) >= 3 and _is_mask(m.group(2)[0])


def masked_form_ok(kind: str, masked: str) -> bool:
    """Whether ``masked`` (a PiiMatch.masked) is an acceptable form for ``kind``."""
    check = {
        "id18": is_masked_id,
        "id15": is_masked_id,
        "numeric_id": is_masked_id,
        "mobile": is_masked_mobile,
        "bankcard": is_masked_card,
        "landline": is_masked_landline,
    }.get(kind)
    return check(masked) if check else True
