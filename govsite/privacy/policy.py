"""Mask policy (PRIV-007: the character-level mask is a project decision) and mask primitives.

Kept apart from ``mask.py`` so the detectors can compute ``PiiMatch.masked``
without an import cycle; ``mask.py`` re-exports everything public.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

# Full-width / odd separators and digits → ASCII, one char for one char so
# offsets in the original string stay valid (NFKC would do the same for these
# characters, but may change lengths elsewhere).
_NORM_TABLE = {0xFF10 + i: 0x30 + i for i in range(10)}
_NORM_TABLE.update({ord("Ｘ"): "X", ord("ｘ"): "X", ord("x"): "X"})
_NORM_TABLE.update({ord(c): "-" for c in "－‐‑"})
_NORM_TABLE.update({ord(c): " " for c in "\u00a0\u3000"})
_NORM_TABLE.update({ord("＋"): "+"})


def normalize_chars(s: str) -> str:
    """Same-length normalisation: any Unicode decimal digit → ASCII, X variants → X."""
    out = s.translate(_NORM_TABLE)
    if out.isascii():
        return out
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in out)


def normalize_phone(s: str) -> str:
    """Digits only, without a +86/0086 prefix on mobiles: the allowlist key."""
    digits = _digits_only(s)
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 11 and rest[0] == "1":
            return rest
    return digits


def _digits_only(s: str) -> str:
    return "".join(c for c in normalize_chars(s) if c.isdigit())


def _mask_positions(raw: str, keep_head: int, keep_tail: int, mask_char: str, skip: int = 0) -> str:
    """Mask the significant chars (digits/X) of ``raw[skip:]`` except head/tail.

    Separators and the first ``skip`` chars (a +86 prefix, an area code) are kept,
    so grouping and length are preserved.
    """
    body = raw[skip:]
    n = len(body)
    if body.isascii() and body.isalnum():  # common case: one unbroken ASCII run
        head, tail = min(keep_head, n), min(keep_tail, n - min(keep_head, n))
        return raw[:skip] + body[:head] + mask_char * (n - head - tail) + body[n - tail :]
    norm = normalize_chars(body)
    sig = [i for i, c in enumerate(norm) if c.isdigit() or c == "X"]
    n = len(sig)
    hide = set(sig[keep_head : n - keep_tail if keep_tail else n])
    return raw[:skip] + "".join(mask_char if i in hide else c for i, c in enumerate(body))


@dataclass(frozen=True)
class MaskPolicy:
    """How much of each identifier stays visible.

    Defaults follow the brief (ID 6+4, mobile 3+4, card last 4). The rulebook
    (PRIV-002) recommends stricter ID masking (6+1 or 1+1); any config that would
    reveal the birth date (positions 7–14) is rejected.
    """

    id_keep_head: int = 6
    id_keep_tail: int = 4
    mobile_keep_head: int = 3
    mobile_keep_tail: int = 4
    card_keep_tail: int = 4
    allowed_phones: frozenset[str] = field(default_factory=frozenset)
    mask_char: str = "*"
    # 单位对公账户 printed in 缴费 notices (PRIV-004 allowlist); digits only.
    allowed_accounts: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        limits = {
            "id_keep_head": (6, "身份证号最多保留前6位（第7–14位出生日期必须隐藏）"),
            "id_keep_tail": (4, "身份证号最多保留后4位（第7–14位出生日期必须隐藏）"),
            "mobile_keep_head": (3, "手机号码最多保留前3位"),
            "mobile_keep_tail": (4, "手机号码最多保留后4位"),
            "card_keep_tail": (4, "银行卡号最多保留后4位"),
        }
        for name, (limit, why) in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"脱敏配置 {name} 必须是整数，实际为 {value!r}")
            if not 0 <= value <= limit:
                raise ValueError(f"脱敏配置 {name}={value} 无效：{why}")
        c = self.mask_char
        if not isinstance(c, str) or len(c) != 1:
            raise ValueError(f"脱敏配置 mask_char 必须是单个字符，实际为 {c!r}")
        # A mask char that reads as a digit/X/separator or is HTML-special would
        # recreate the value or break markup.
        if c.isspace() or c.isalnum() or c in "<>&\"'-－‐‑+|":
            raise ValueError(f"脱敏配置 mask_char={c!r} 无效：不能是数字、字母、空白、分隔符或 HTML 特殊字符")
        for name, lo, hi in (("allowed_phones", 7, 12), ("allowed_accounts", 8, 30)):
            values = getattr(self, name)
            if not isinstance(values, frozenset):
                object.__setattr__(self, name, frozenset(values))
            bad = sorted(
                p for p in getattr(self, name) if not isinstance(p, str) or not lo <= len(p) <= hi or not p.isdigit()
            )
            if bad:
                raise ValueError(f"脱敏配置 {name} 含无效号码 {bad!r}：应为{lo}–{hi}位数字")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MaskPolicy:
        """Build from a parsed ``privacy_policy.yml`` mapping; ValueError (Chinese) on bad input."""
        if not isinstance(data, Mapping):
            raise ValueError("脱敏配置必须是键值映射（YAML 字典）")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"未知的脱敏配置项：{', '.join(map(str, unknown))}；可用：{', '.join(sorted(known))}")
        kwargs: dict[str, Any] = dict(data)
        for name, norm in (("allowed_phones", normalize_phone), ("allowed_accounts", _digits_only)):
            if name in kwargs:
                values = kwargs[name] or []
                if isinstance(values, str) or not isinstance(values, Iterable):
                    raise ValueError(f"脱敏配置 {name} 必须是号码列表")
                kwargs[name] = frozenset(norm(str(p)) for p in values)
        return cls(**kwargs)

    # -- primitives (raw = original substring, may contain full-width chars / separators)

    def mask_id(self, raw: str) -> str:
        n = sum(1 for c in normalize_chars(raw) if c.isdigit() or c == "X")
        # A 15-digit ID's birth date ends at position 12, so at most 3 tail chars.
        tail = self.id_keep_tail if n >= 18 else min(self.id_keep_tail, 3)
        return _mask_positions(raw, self.id_keep_head, tail, self.mask_char)

    def mask_mobile(self, raw: str, prefix_len: int = 0) -> str:
        return _mask_positions(raw, self.mobile_keep_head, self.mobile_keep_tail, self.mask_char, prefix_len)

    def mask_card(self, raw: str) -> str:
        return _mask_positions(raw, 0, self.card_keep_tail, self.mask_char)

    def mask_landline(self, raw: str, area_len: int) -> str:
        return _mask_positions(raw, 0, self.mobile_keep_tail, self.mask_char, area_len)


DEFAULT_POLICY = MaskPolicy()
