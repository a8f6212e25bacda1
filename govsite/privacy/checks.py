"""Check-digit and date validators used by the PII detectors (rulebook A.2, A.3)."""

from __future__ import annotations

import datetime as _dt

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015 统一社会信用代码 alphabet (no I, O, Z, S, V) and weights.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id18_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for 17 ASCII digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def valid_date(yyyymmdd: str, *, today: _dt.date | None = None) -> bool:
    """A real calendar date with year 1900..current year (birth dates)."""
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return False
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    now = today or _dt.date.today()
    if not 1900 <= year <= now.year:
        return False
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def valid_id18(s: str) -> bool:
    """GB 11643-1999: 17 digits + check char, and a valid birth date.

    Deliberately not stdnum.cn.ric: it also cross-checks the area code against
    the birth year and so rejects many real, valid numbers.
    """
    if len(s) != 18 or not s[:17].isdigit() or s[0] == "0":
        return False
    last = s[17].upper()
    if not (last.isdigit() or last == "X"):
        return False
    return valid_date(s[6:14]) and id18_check_char(s[:17]) == last


def valid_id15(s: str) -> bool:
    """Legacy 15-digit ID: no checksum, so only structure + date (19YYMMDD)."""
    return len(s) == 15 and s.isdigit() and s[0] != "0" and valid_date("19" + s[6:12])


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit (used by generators in tests and the benchmark)."""
    for d in "0123456789":
        if luhn_ok(partial + d):
            return partial + d
    raise AssertionError("unreachable")


def valid_uscc(s: str) -> bool:
    """GB 32100 统一社会信用代码 check character (mod 31)."""
    s = s.upper()
    if len(s) != 18 or any(c not in _USCC_ALPHABET for c in s):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(s[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == s[17]


def valid_org_code(code: str) -> bool:
    """GB 11714 组织机构代码 (8 chars + check), embedded at positions 9–17 of a credit code."""
    if len(code) != 9 or not code[:8].isalnum():
        return False
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    vals = [int(c) if c.isdigit() else ord(c.upper()) - 55 for c in code[:8]]
    c9 = 11 - sum(v * w for v, w in zip(vals, weights, strict=True)) % 11
    return code[8].upper() == {10: "X", 11: "0"}.get(c9, str(c9))


def looks_like_uscc(s: str) -> bool:
    """Both check characters of a 统一社会信用代码 hold (1 in ~340 for random strings)."""
    return valid_uscc(s) and valid_org_code(s[8:17])


def uscc_complete(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_ALPHABET[(31 - total % 31) % 31]
