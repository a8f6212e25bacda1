"""Tag-aware, parse-free HTML masking (used by ``mask.mask_html`` and Markdown HTML blocks).

Why not a DOM parser: serialising a parsed tree rewrites the whole document
(attribute quoting, entities, whitespace), so masking would make unrelated byte
changes. Instead the source is tokenised with one regex, text between tags is
joined into *runs* across inline tags (so ``138<span>0013</span>8000`` is one
number), and only the characters of detected values are replaced in place.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field

from govsite.privacy import context as ctx
from govsite.privacy.detect import _CAND11, PiiMatch, find_pii
from govsite.privacy.policy import MaskPolicy

_TAG = re.compile(
    r"""<(?:
        !--.*?(?:-->|\Z)                               # comment
      | ![^>]*>                                        # doctype / CDATA-ish
      | \?[^>]*>                                       # processing instruction
      | /(?P<end>[A-Za-z][^\s/>]*)[^>]*>               # end tag
      | (?P<start>[A-Za-z][^\s/>]*)
        (?P<attrs>(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?|\s*/)*)\s*>
    )""",
    re.S | re.X,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_DIGIT = re.compile(r"\d")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")

# Inline elements are transparent: digits split by them still form one value.
_INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite code data del dfn em font i ins kbd label mark nobr q s samp "
    "small span strike strong sub sup time tt u var wbr".split()
)
_RAW = frozenset({"script", "style"})
_LINE_BREAKS = frozenset({"br", "img"})
_BREAK = (-1, -1)  # synthetic "\n" piece with no source offset
TEXT_ATTRS = frozenset({"alt", "title", "content", "aria-label", "placeholder", "value"})
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data-src", "poster", "cite", "srcset", "background"})


@dataclass
class _Table:
    person: bool = False
    decided: bool = False
    headers: list[str] = field(default_factory=list)
    rows: int = 0
    row_cells: list[str] = field(default_factory=list)  # texts of the current row, by column
    row_th: bool = False
    in_thead: bool = False
    col: int = -1  # current cell's column, -1 outside a cell

    def end_row(self) -> None:
        if not self.decided:
            cells = [c.strip() for c in self.row_cells]
            person = ctx.is_person_header(" ".join(cells))
            self.person |= person  # a caption row 「救助对象名单」 also marks the table
            # A single-cell row is a caption, never the header row.
            if sum(1 for c in cells if c) >= 2:
                self.rows += 1
                if person or self.row_th or self.in_thead:
                    self.headers, self.decided = cells, True
                elif self.rows >= 3:
                    self.decided = True
        self.row_cells = []
        self.row_th = False
        self.col = -1

    def cell_header(self) -> str:
        col_head = self.headers[self.col] if self.decided and 0 <= self.col < len(self.headers) else ""
        # Label/value form tables: the previous cell is the label (「身份证号 | 1101…」).
        label = self.row_cells[self.col - 1].strip() if 0 < self.col <= len(self.row_cells) else ""
        if len(label) > 12:
            label = ""
        return f"{col_head} {label}".strip()


class HtmlMasker:
    """One pass over an HTML string; collects edits and matches."""

    def __init__(self, src: str, policy: MaskPolicy, *, person: bool = False, header: str = "") -> None:
        self.src = src
        self.policy = policy
        self.base_person = person
        self.base_header = header
        self.pieces: list[tuple[int, int]] = []
        self.tables: list[_Table] = []
        self.edits: dict[tuple[int, int], str] = {}
        self.matches: list[PiiMatch] = []

    # -- public

    def run(self) -> tuple[str, list[PiiMatch]]:
        src = self.src
        pos = 0
        while True:
            m = _TAG.search(src, pos)
            if not m:
                break
            if m.start() > pos:
                self.pieces.append((pos, m.start()))
            pos = m.end()
            if m.group("start"):
                name = m.group("start").lower()
                self._attrs(m.start("attrs"), m.group("attrs"))
                if name in _RAW:
                    self._flush()
                    close = re.compile(rf"</{name}\s*>", re.I).search(src, pos)
                    stop = close.start() if close else len(src)
                    self._scan_span(pos, stop, "script", edit=False)
                    pos = stop
                else:
                    self._start_tag(name)
            elif m.group("end"):
                self._end_tag(m.group("end").lower())
            elif not m.group().startswith("<!--"):
                self._flush()  # doctype / PI break runs; comments are transparent
        if pos < len(src):
            self.pieces.append((pos, len(src)))
        self._flush()
        return self._apply(), sorted(self.matches, key=lambda p: p.start)

    # -- structure

    def _start_tag(self, name: str) -> None:
        if name in _INLINE or ":" in name:  # Word-pasted <o:p>, <st1:…> are inline
            return
        if name in _LINE_BREAKS:
            # 「姓名：张三<br>住址：…」: values never span a <br>, but the paragraph's
            # labels still decide person context, so keep one run with a synthetic newline.
            self.pieces.append(_BREAK)
            return
        self._flush()
        t = self.tables[-1] if self.tables else None
        if name == "table":
            self.tables.append(_Table())
        elif t is None:
            return
        elif name == "tr":
            if t.row_cells:
                t.end_row()
        elif name in ("td", "th"):
            t.col = len(t.row_cells)
            t.row_cells.append("")
            t.row_th |= name == "th"
        elif name == "thead":
            t.in_thead = True

    def _end_tag(self, name: str) -> None:
        if name in _INLINE or ":" in name:
            return
        self._flush()
        if not self.tables:
            return
        t = self.tables[-1]
        if name == "tr":
            t.end_row()
        elif name in ("td", "th"):
            t.col = -1
        elif name == "thead":
            if t.row_cells:
                t.end_row()
            t.in_thead = False
        elif name == "table":
            self.tables.pop()

    # -- text runs

    def _decode(self, pieces: list[tuple[int, int]]) -> tuple[str, list[int], list[int]] | str:
        """Logical text; with offsets only when entities / breaks make them non-trivial."""
        src = self.src
        if not any(a < 0 or "&" in src[a:b] for a, b in pieces):
            return "".join(src[a:b] for a, b in pieces)
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for a, b in pieces:
            if a < 0:
                chars.append("\n")
                starts.append(-1)
                ends.append(-1)
                continue
            i = a
            for em in _ENTITY.finditer(src, a, b):
                chars.extend(src[i : em.start()])
                starts.extend(range(i, em.start()))
                ends.extend(range(i + 1, em.start() + 1))
                dec = _html.unescape(em.group())
                chars.extend(dec)
                starts.extend([em.start()] * len(dec))
                ends.extend([em.end()] * len(dec))
                i = em.end()
            chars.extend(src[i:b])
            starts.extend(range(i, b))
            ends.extend(range(i + 1, b + 1))
        return "".join(chars), starts, ends

    def _flush(self) -> None:
        pieces, self.pieces = self.pieces, []
        if not pieces:
            return
        src = self.src
        t = self.tables[-1] if self.tables else None
        in_cell = t is not None and t.col >= 0
        # Every PII value (and every door-level address) contains a digit; most runs don't.
        has_digit = any(a >= 0 and _DIGIT.search(src, a, b) for a, b in pieces)
        if not has_digit and not in_cell:
            return
        decoded = self._decode(pieces)
        text = decoded if isinstance(decoded, str) else decoded[0]
        if in_cell:
            assert t is not None
            t.row_cells[t.col] += text  # header/label text for later cells
        if not has_digit:
            return
        person = self.base_person or (in_cell and t.person) or ctx.is_person_block(text)  # type: ignore[union-attr]
        if not person and not _CAND11.search(text):
            return
        header = t.cell_header() if in_cell else self.base_header  # type: ignore[union-attr]
        found = find_pii(text, self.policy, person_context=bool(person), header=header)
        if not found:
            return
        if isinstance(decoded, str):
            starts, ends = _piece_offsets(pieces)
        else:
            _, starts, ends = decoded
        self._record(found, starts, ends, "text")

    def _record(
        self, found: list[PiiMatch], starts: list[int], ends: list[int], where: str, *, edit: bool = True
    ) -> None:
        for p in found:
            s, e = starts[p.start], ends[p.end - 1]
            self.matches.append(PiiMatch(p.kind, p.rule, s, e, p.raw, p.masked, where))
            if not edit:
                continue
            if len(p.masked) == len(p.raw):
                for k, (a, b) in enumerate(zip(p.raw, p.masked, strict=True)):
                    if a != b and starts[p.start + k] >= 0:
                        self.edits.setdefault((starts[p.start + k], ends[p.start + k]), b)
            else:  # addresses are truncated: drop the chars (never the tags between them)
                for k in range(p.start, p.end):
                    if starts[k] >= 0:
                        self.edits.setdefault((starts[k], ends[k]), "")
                if p.masked:
                    self.edits[(s, s)] = p.masked

    def _attrs(self, base: int, attrs: str) -> None:
        # Only values with an 11+ digit run (or entity-encoded digits) can hold PII.
        if not attrs or (not _CAND11.search(attrs) and "&#" not in attrs):
            return
        for am in _ATTR.finditer(attrs):
            name = am.group(1).lower()
            k = next((g for g in (2, 3, 4) if am.group(g) is not None), None)
            if k is None:
                continue
            a, b = base + am.start(k), base + am.end(k)
            value = self.src[a:b]
            # tel:/sms: links are the number itself, not a page address: mask like text.
            if name in TEXT_ATTRS or (name == "href" and value[:4].lower() in ("tel:", "sms:")):
                self._scan_span(a, b, f"attr:{name}")
            elif name in URL_ATTRS:
                # URLs stay intact (links must keep working); IDs in them are reported so the
                # build can rename the file / fail.
                self._scan_span(a, b, f"url:{name}", edit=False, ids_only=True)

    def _scan_span(self, a: int, b: int, where: str, *, edit: bool = True, ids_only: bool = False) -> None:
        """One attribute value or raw-text element, scanned on its own (no person context)."""
        decoded = self._decode([(a, b)])
        text = decoded if isinstance(decoded, str) else decoded[0]
        if not _CAND11.search(text):
            return
        found = find_pii(text, self.policy)
        if ids_only:
            found = [p for p in found if p.kind == "id18"]
        if found:
            starts, ends = _piece_offsets([(a, b)]) if isinstance(decoded, str) else decoded[1:]
            self._record(found, starts, ends, where, edit=edit)

    def _apply(self) -> str:
        if not self.edits:
            return self.src
        out: list[str] = []
        pos = 0
        for (a, b), rep in sorted(self.edits.items()):
            if a < pos:
                continue
            out.append(self.src[pos:a])
            out.append(rep)
            pos = b
        out.append(self.src[pos:])
        return "".join(out)


def _piece_offsets(pieces: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    for a, b in pieces:
        starts.extend(range(a, b))
    return starts, [s + 1 for s in starts]


def mask_html_fragment(
    src: str, policy: MaskPolicy, *, person: bool = False, header: str = ""
) -> tuple[str, list[PiiMatch]]:
    return HtmlMasker(src, policy, person=person, header=header).run()
