"""PII scanning and masked copies of attachments (PRIV-001: the known leaks were in attachments).

Formats: .xlsx/.xlsm (openpyxl), .docx (python-docx), .pdf (pypdf text layer), .csv, .txt.
Every failure to read a file becomes an ``AttachmentError`` with a Chinese message
naming the file, so the build can report it instead of crashing.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.privacy import context as ctx
from govsite.privacy.detect import PiiMatch, find_pii
from govsite.privacy.mask import apply_matches, mask_markdown
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy

SCANNABLE = frozenset({".xlsx", ".xlsm", ".docx", ".pdf", ".csv", ".txt"})
MASKABLE = frozenset({".xlsx", ".xlsm", ".docx", ".csv", ".txt"})
_HEADER_ROWS = 10  # title rows often precede the header row of a 名单 sheet


class AttachmentError(Exception):
    """Unreadable, corrupt, encrypted or unsupported attachment (message in Chinese)."""


@dataclass(frozen=True)
class AttachmentHit:
    path: str
    location: str  # "Sheet1!B3", "第2页", "第5段", "表1 第3行第2列", "第12行"
    match: PiiMatch


# -- shared table logic ----------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Header analysis of a sheet / CSV / docx table."""

    header_row: int  # 0-based index of the header row, -1 if none
    headers: tuple[str, ...]
    person: bool

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]]) -> _Grid:
        texts = [[_text(v) for v in row] for row in rows[:_HEADER_ROWS]]
        person_rows = {i for i, row in enumerate(texts) if ctx.is_person_header(" ".join(row))}
        # Header rows have ≥ 2 text cells; a one-cell title row (「救助对象名单」) only marks the sheet.
        wide = [i for i, row in enumerate(texts) if sum(1 for t in row if t and not t.replace(".", "").isdigit()) >= 2]
        header_row = next((i for i in wide if i in person_rows), wide[0] if wide else -1)
        first_col = " ".join(r[0] for r in texts if r)  # label/value forms: 姓名 | 张三
        person = bool(person_rows) or ctx.is_person_header(first_col)
        return cls(header_row, tuple(texts[header_row]) if header_row >= 0 else (), person)

    def header(self, r: int, c: int, row: Sequence[Any]) -> str:
        """Context for cell (r, c): column header + the label cell to its left."""
        col_head = self.headers[c] if r > self.header_row >= 0 and c < len(self.headers) else ""
        label = _text(row[c - 1]) if c > 0 else ""
        return f"{col_head} {label if len(label) <= 12 else ''}".strip()


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _cell_matches(value: Any, policy: MaskPolicy, person: bool, header: str) -> list[PiiMatch]:
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return _numeric_matches(value, policy, person, header)
    if not isinstance(value, str):
        return []  # dates, times
    return find_pii(value, policy, person_context=person, header=header)


def _numeric_matches(value: float, policy: MaskPolicy, person: bool, header: str) -> list[PiiMatch]:
    """IDs/cards typed into Excel as numbers (precision lost beyond 15 digits) still count."""
    if isinstance(value, float) and not value.is_integer():
        return []
    digits = str(abs(int(value)))
    found = find_pii(digits, policy, person_context=person, header=header)
    if found or not 15 <= len(digits) <= 19:
        return found
    if len(digits) == 19 or (len(digits) >= 16 and ctx.CARD_KEYWORDS.search(header)):
        return [PiiMatch("numeric_card", "PRIV-004", 0, len(digits), digits, policy.mask_card(digits))]
    return [PiiMatch("numeric_id", "PRIV-002", 0, len(digits), digits, policy.mask_id(digits))]


def _fail(
    path: Path, exc: BaseException | None = None, what: str = "文件已损坏、已加密或格式不正确"
) -> AttachmentError:
    detail = f"（{type(exc).__name__}）" if exc else ""
    return AttachmentError(f"无法读取附件 {path.name}：{what}{detail}")


# -- xlsx --------------------------------------------------------------------------


def _load_workbook(path: Path, *, read_only: bool):
    import openpyxl

    try:
        # keep_vba so a masked .xlsm copy still has its macros
        return openpyxl.load_workbook(
            path, read_only=read_only, data_only=read_only, keep_vba=path.suffix.lower() == ".xlsm"
        )
    except Exception as exc:  # zipfile/XML/KeyError…: all mean "cannot read"
        raise _fail(path, exc) from exc


def _scan_xlsx(path: Path, policy: MaskPolicy) -> Iterator[tuple[str, PiiMatch]]:
    from openpyxl.utils import get_column_letter

    wb = _load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            head = list(itertools.islice(rows, _HEADER_ROWS))
            grid = _Grid.of(head)
            for r, row in enumerate(itertools.chain(head, rows)):
                for c, value in enumerate(row):
                    for m in _cell_matches(value, policy, grid.person, grid.header(r, c, row)):
                        yield f"{ws.title}!{get_column_letter(c + 1)}{r + 1}", m
    except AttachmentError:
        raise
    except Exception as exc:
        raise _fail(path, exc) from exc
    finally:
        wb.close()


def _mask_xlsx(src: Path, dst: Path, policy: MaskPolicy) -> int:
    wb = _load_workbook(src, read_only=False)
    count = 0
    for ws in wb.worksheets:
        grid = _Grid.of([[c.value for c in row] for row in ws.iter_rows(max_row=_HEADER_ROWS)])
        for r, row in enumerate(ws.iter_rows()):
            values = [c.value for c in row]
            for c, cell in enumerate(row):
                if cell.data_type == "f":
                    continue  # formulas are recomputed by Excel; their inputs are masked
                found = _cell_matches(cell.value, policy, grid.person, grid.header(r, c, values))
                if not found:
                    continue
                count += len(found)
                if isinstance(cell.value, str):
                    cell.value = apply_matches(cell.value, found)
                else:  # numeric ID → masked text
                    cell.value = found[0].masked
                    cell.number_format = "@"
    wb.save(dst)
    return count


# -- csv / txt ---------------------------------------------------------------------


def _read_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, exc, "无法打开文件") from exc
    # Keep the BOM decision so a masked copy is written back byte-compatible.
    for enc in ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise _fail(path, None, "无法识别文本编码（支持 UTF-8、GB18030）")


def _csv_rows(path: Path) -> tuple[list[list[str]], str, str, str]:
    text, enc = _read_text(path)
    try:
        delim = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delim = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise _fail(path, exc, "CSV 格式错误") from exc
    newline = "\r\n" if "\r\n" in text else "\n"
    return rows, enc, delim, newline


def _scan_csv_rows(rows: list[list[str]], policy: MaskPolicy) -> Iterator[tuple[int, int, PiiMatch]]:
    grid = _Grid.of(rows)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            for m in find_pii(value, policy, person_context=grid.person, header=grid.header(r, c, row)):
                yield r, c, m


def _mask_csv(src: Path, dst: Path, policy: MaskPolicy) -> int:
    rows, enc, delim, newline = _csv_rows(src)
    by_cell: dict[tuple[int, int], list[PiiMatch]] = {}
    for r, c, m in _scan_csv_rows(rows, policy):
        by_cell.setdefault((r, c), []).append(m)
    for (r, c), found in by_cell.items():
        rows[r][c] = apply_matches(rows[r][c], found)
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delim, lineterminator=newline).writerows(rows)
    dst.write_bytes(buf.getvalue().encode(enc))
    return sum(map(len, by_cell.values()))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# -- docx --------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# w:delText: tracked deletions are still in the file, so they are scanned and masked too.
_W_TEXT = frozenset({_W + "t", _W + "delText"})
_W_CHARS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def _open_docx(path: Path):
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:
        raise _fail(path, exc) from exc


def _para_chars(p_el: Any) -> tuple[str, list[tuple[Any, int] | None]]:
    """Paragraph text from its runs' w:t nodes, with the owner (node, index) of each char."""
    chars: list[str] = []
    owners: list[tuple[Any, int] | None] = []
    for r in p_el.iter(_W + "r"):
        for child in r:
            if child.tag in _W_TEXT:
                t = child.text or ""
                chars.extend(t)
                owners.extend((child, k) for k in range(len(t)))
            elif child.tag in _W_CHARS:
                chars.append(_W_CHARS[child.tag])
                owners.append(None)
    return "".join(chars), owners


def _mask_para(p_el: Any, text: str, owners: list[tuple[Any, int] | None], found: list[PiiMatch]) -> None:
    """Edit w:t nodes in place so run formatting (bold digits etc.) is kept."""
    bufs: dict[int, tuple[Any, list[str]]] = {}

    def put(pos: int, rep: str) -> None:
        owner = owners[pos]
        if owner is None:
            return
        node, k = owner
        bufs.setdefault(id(node), (node, list(node.text or "")))[1][k] = rep

    for m in found:
        if len(m.masked) == m.end - m.start:
            for k, ch in enumerate(m.masked):
                if ch != text[m.start + k]:
                    put(m.start + k, ch)
        else:
            for k in range(m.start, m.end):
                put(k, "")
            if m.masked:
                put(m.start, m.masked)
    for node, chars in bufs.values():
        new = "".join(chars)
        node.text = new
        if new != new.strip():
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _iter_tables(tables: Iterable[Any]) -> Iterator[Any]:
    for t in tables:
        yield t
        for row in t.rows:
            for cell in _unique_cells(row):
                yield from _iter_tables(cell.tables)


def _unique_cells(row: Any) -> list[Any]:
    seen: set[int] = set()
    out = []
    for cell in row.cells:  # merged cells repeat: keep the first occurrence
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def _header_footer_paragraphs(doc: Any) -> list[tuple[str, list[Any]]]:
    out = []
    for section in doc.sections:
        for label, hf in (
            ("页眉", section.header),
            ("页眉", section.first_page_header),
            ("页眉", section.even_page_header),
            ("页脚", section.footer),
            ("页脚", section.first_page_footer),
            ("页脚", section.even_page_footer),
        ):
            if not hf.is_linked_to_previous:  # linked ones repeat a definition (or have none)
                out.append((label, hf.paragraphs))
    return out


def _docx_units(
    doc: Any, policy: MaskPolicy
) -> Iterator[tuple[str, Any, str, list[tuple[Any, int] | None], list[PiiMatch]]]:
    """(location, paragraph element, text, owners, matches) for every paragraph with PII:
    body paragraphs, then tables (header row decides person context), then headers/footers."""

    def plain(prefix: str, paragraphs: list[Any]) -> Iterator[tuple[str, Any, str, list, list[PiiMatch]]]:
        for i, p in enumerate(paragraphs, start=1):
            text, owners = _para_chars(p._p)
            found = find_pii(text, policy, person_context=ctx.is_person_block(text))
            if found:
                yield f"{prefix}第{i}段", p._p, text, owners, found

    yield from plain("", doc.paragraphs)
    for t_no, table in enumerate(_iter_tables(doc.tables), start=1):
        rows = [_unique_cells(row) for row in table.rows]
        texts = [[c.text for c in row] for row in rows]
        grid = _Grid.of(texts)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                header = grid.header(r, c, texts[r])
                for p in cell.paragraphs:
                    text, owners = _para_chars(p._p)
                    found = find_pii(
                        text, policy, person_context=grid.person or ctx.is_person_block(text), header=header
                    )
                    if found:
                        yield f"表{t_no} 第{r + 1}行第{c + 1}列", p._p, text, owners, found
    for prefix, paragraphs in _header_footer_paragraphs(doc):
        yield from plain(prefix, paragraphs)


def _scan_docx(path: Path, policy: MaskPolicy) -> Iterator[tuple[str, PiiMatch]]:
    doc = _open_docx(path)
    try:
        units = list(_docx_units(doc, policy))
    except Exception as exc:
        raise _fail(path, exc) from exc
    for loc, _p, _t, _o, found in units:
        for m in found:
            yield loc, m


def _mask_docx(src: Path, dst: Path, policy: MaskPolicy) -> int:
    doc = _open_docx(src)
    count = 0
    for _loc, p_el, text, owners, found in list(_docx_units(doc, policy)):
        _mask_para(p_el, text, owners, found)
        count += len(found)
    doc.save(str(dst))
    return count


# -- pdf ---------------------------------------------------------------------------


def _scan_pdf(path: Path, policy: MaskPolicy) -> Iterator[tuple[str, PiiMatch]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _fail(path, None, "PDF 已加密，无法检查文本")
        pages = list(reader.pages)
    except AttachmentError:
        raise
    except Exception as exc:
        raise _fail(path, exc) from exc
    for i, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            raise _fail(path, exc, f"第{i}页文本层无法解析") from exc
        # A page that labels 姓名 + 住址/电话/身份证 is a person list (PDF tables lose cells).
        for m in find_pii(text, policy, person_context=ctx.is_person_block(text)):
            yield f"第{i}页", m


# -- public ------------------------------------------------------------------------


def _suffix(path: Path, allowed: frozenset[str], action: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise AttachmentError(
            f"附件 {path.name} 无法{action}：暂不支持 {suffix or '无扩展名'} 格式"
            f"（支持 {'、'.join(sorted(allowed))}），请转换格式或人工审核后再发布"
        )
    if not path.is_file():
        raise AttachmentError(f"附件 {path.name} 无法{action}：文件不存在")
    return suffix


def scan_attachment(path: Path, policy: MaskPolicy = DEFAULT_POLICY) -> list[AttachmentHit]:
    path = Path(path)
    suffix = _suffix(path, SCANNABLE, "检查")
    name = str(path)
    if suffix in (".xlsx", ".xlsm"):
        return [AttachmentHit(name, loc, m) for loc, m in _scan_xlsx(path, policy)]
    if suffix == ".docx":
        return [AttachmentHit(name, loc, m) for loc, m in _scan_docx(path, policy)]
    if suffix == ".pdf":
        return [AttachmentHit(name, loc, m) for loc, m in _scan_pdf(path, policy)]
    if suffix == ".csv":
        rows = _csv_rows(path)[0]
        return [AttachmentHit(name, f"第{r + 1}行第{c + 1}列", m) for r, c, m in _scan_csv_rows(rows, policy)]
    text, _enc = _read_text(path)
    _masked, found = mask_markdown(text, policy)
    return [AttachmentHit(name, f"第{_line_of(text, m.start)}行", m) for m in found]


def write_masked_copy(src: Path, dst: Path, policy: MaskPolicy = DEFAULT_POLICY) -> int:
    """Write a de-identified copy of ``src`` to ``dst``; returns the number of replacements."""
    src, dst = Path(src), Path(dst)
    suffix = _suffix(src, MASKABLE, "生成脱敏副本")
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _mask_xlsx(src, dst, policy)
        if suffix == ".docx":
            return _mask_docx(src, dst, policy)
        if suffix == ".csv":
            return _mask_csv(src, dst, policy)
        text, enc = _read_text(src)
        masked, found = mask_markdown(text, policy)
        dst.write_bytes(masked.encode(enc))
        return len(found)
    except AttachmentError:
        raise
    except Exception as exc:
        raise _fail(src, exc, "生成脱敏副本失败") from exc
