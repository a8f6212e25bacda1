"""Small builders shared by the privacy tests."""

from __future__ import annotations

from pathlib import Path

from govsite.privacy.checks import id18_check_char, luhn_complete


def make_id(area: str = "530102", birth: str = "19800101", seq: str = "123") -> str:
    body = area + birth + seq
    return body + id18_check_char(body)


def bad_check(id18: str) -> str:
    return id18[:17] + ("0" if id18[17] != "0" else "1")


def make_card(prefix: str = "622202", length: int = 19) -> str:
    return luhn_complete(prefix + "1234567890123456789"[: length - len(prefix) - 1])


def fullwidth(s: str) -> str:
    return s.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"} | {ord("X"): "Ｘ"})


def make_pdf(path: Path, pages: list[list[str]]) -> None:
    """Minimal PDF with a Type1 Helvetica text layer (ASCII lines), correct xref offsets."""
    objs: list[str] = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        body = " ".join(f"({ln}) '" for ln in lines)
        content = f"BT /F1 11 Tf 40 760 Td 14 TL {body} ET"
        page_no = len(objs) + 1
        kids.append(f"{page_no} 0 R")
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {page_no + 1} 0 R >> >> /Contents {page_no + 2} 0 R >>"
        )
        objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        objs.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = "%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    path.write_bytes(out.encode("latin-1"))
