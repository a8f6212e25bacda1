"""Strip EXIF (incl. GPS = 行踪轨迹, sensitive under PIPL art. 28), XMP, comments and text chunks.

Lossless where possible: metadata segments/chunks are removed at byte level, so
pixels stay bit-identical. Only when an EXIF orientation must be applied first
is the image decoded, rotated and re-encoded (JPEG/WebP then at quality 95).
ICC profiles are always kept (colours would shift without them).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from govsite.privacy.attachments import AttachmentError

_ORIENTATION = 0x0112
_GPS_IFD = 0x8825

# JPEG markers to drop: APP1 (Exif/XMP), APP3–APP13 (incl. Photoshop/IPTC), APP15, COM.
# Kept: APP0 (JFIF), APP2 only if ICC_PROFILE, APP14 (Adobe colour transform).
_JPEG_DROP = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_WEBP_DROP = {b"EXIF", b"XMP "}


def _strip_jpeg(data: bytes) -> tuple[bytes, bool]:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = [data[:2]]
    removed = False
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError("bad marker")
        while i < n and data[i] == 0xFF:
            i += 1
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI: anything after (MPO extra frames, trailers) carries metadata
            out.append(b"\xff\xd9")
            removed |= i < n
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", data[i : i + 2])
        seg_end = i + length
        if seg_end > n:
            raise ValueError("truncated segment")
        body = data[i + 2 : seg_end]
        drop = marker in _JPEG_DROP or (marker == 0xE2 and not body.startswith(b"ICC_PROFILE\x00"))
        if drop:
            removed = True
        else:
            out.append(bytes((0xFF, marker)) + data[i:seg_end])
        i = seg_end
        if marker == 0xDA:  # entropy-coded data up to the next real marker
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:
                    out.append(data[i:])
                    return b"".join(out), removed
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    j += 1 if nxt == 0xFF else 2
                    continue
                out.append(data[i:j])
                i = j
                break
    return b"".join(out), removed


def _strip_png(data: bytes) -> tuple[bytes, bool]:
    sig = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(sig):
        raise ValueError("not a PNG")
    out = [sig]
    removed = False
    i = len(sig)
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        ctype = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise ValueError("truncated chunk")
        if ctype in _PNG_DROP:
            removed = True
        else:
            out.append(data[i:end])
        i = end
        if ctype == b"IEND":
            removed |= i < len(data)
            break
    return b"".join(out), removed


def _strip_webp(data: bytes) -> tuple[bytes, bool]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    chunks: list[bytes] = []
    removed = False
    i = 12
    while i + 8 <= len(data):
        fourcc = data[i : i + 4]
        (size,) = struct.unpack("<I", data[i + 4 : i + 8])
        end = i + 8 + size + (size & 1)
        if end > len(data) + 1:
            raise ValueError("truncated chunk")
        chunk = data[i:end]
        if fourcc in _WEBP_DROP:
            removed = True
        else:
            if fourcc == b"VP8X":  # clear the EXIF (0x08) and XMP (0x04) flags
                chunk = chunk[:8] + bytes((chunk[8] & ~0x0C,)) + chunk[9:]
            chunks.append(chunk)
        i = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body, removed


_STRIPPERS = {"JPEG": _strip_jpeg, "PNG": _strip_png, "WEBP": _strip_webp}


def _reencode(src: Path, dst: Path, fmt: str) -> None:
    from PIL import Image, ImageOps

    with Image.open(src) as im:
        icc = im.info.get("icc_profile")
        out = ImageOps.exif_transpose(im)
        # transpose copies .info (comment, exif, xmp…); keep only what pixels need.
        out.info = {k: v for k, v in out.info.items() if k in ("transparency", "gamma")}
        params: dict[str, object] = {"icc_profile": icc} if icc else {}
        if fmt in ("JPEG", "WEBP"):
            params["quality"] = 95
        out.save(dst, format=fmt, **params)


def strip_image_metadata(src: Path, dst: Path) -> bool:
    """Write ``src`` without metadata to ``dst`` (may equal ``src``); True if anything was removed."""
    from PIL import Image, UnidentifiedImageError

    src, dst = Path(src), Path(dst)
    try:
        data = src.read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            fmt = im.format or ""
            orientation = im.getexif().get(_ORIENTATION, 1)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise AttachmentError(f"图片 {src.name} 无法读取：文件已损坏或不是图片（{type(exc).__name__}）") from exc
    if fmt not in _STRIPPERS:
        raise AttachmentError(f"图片 {src.name} 无法清除元数据：暂不支持 {fmt or '未知'} 格式（支持 JPEG、PNG、WebP）")
    if orientation not in (1, None) and 1 <= int(orientation) <= 8:
        _reencode(src, dst, fmt)  # rotation must be baked in before the tag goes
        return True
    try:
        cleaned, removed = _STRIPPERS[fmt](data)
    except (ValueError, IndexError, struct.error):
        _reencode(src, dst, fmt)  # malformed container but Pillow can decode it
        return True
    dst.write_bytes(cleaned)
    return removed


def has_gps(path: Path) -> bool:
    """True if the image carries GPS data in EXIF or XMP."""
    from PIL import Image

    with Image.open(path) as im:
        exif = im.getexif()
        if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
            return True
        xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
        return b"GPSLatitude" in (xmp.encode() if isinstance(xmp, str) else xmp)
