"""Deterministic synthetic corpus of county-portal content with known PII and hard negatives.

``measure()`` masks every generated document the way the build does and returns
recall per kind/format and the share of hard negatives that were altered, e.g.::

    .venv/bin/python -c "from tests.privacy.corpus import measure; print(measure())"
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from govsite.privacy.checks import id18_check_char, luhn_complete, luhn_ok, uscc_complete, valid_id18
from govsite.privacy.mask import MaskPolicy, mask_html, mask_markdown

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文忠德富贵春梅琼"
AREAS = "110105 310104 440305 530102 530111 530381 532301 532501 532621 510107 330106 420102 650102 370202 450103 520102 150102 230103 610113 640104".split()
TOWNS = ["示例镇", "红旗乡", "青山镇", "城关镇", "石林街道"]
VILLAGES = ["红旗村", "向阳村", "新华社区", "东风村", "团结村", "民族村", "和平社区"]
STREETS = ["人民路", "建设路", "环城北路", "民族街", "文化巷"]
CARD_PREFIXES = ["622202", "622848", "621700", "622700", "436742", "955880", "625965", "621226", "622908", "623058"]
PHRASES = [
    "为进一步做好城乡最低生活保障工作",
    "根据《社会救助暂行办法》有关规定",
    "经本人申请、村（居）民委员会评议、乡镇人民政府审核",
    "现将有关情况公示如下",
    "公示期间如有异议，请向县民政局反映",
    "县人民政府高度重视乡村振兴工作",
    "全县共发放各类补贴资金",
    "各乡镇（街道）要切实履行主体责任",
    "进一步优化营商环境",
    "加快推进高标准农田建设",
    "本通知自印发之日起施行",
    "请各单位结合实际认真贯彻落实",
]


@dataclass
class Item:
    kind: str  # positive: id18/mobile/bankcard/address/landline; negative: class name
    fmt: str
    start: int
    end: int
    raw: str


@dataclass
class Doc:
    markup: str  # "markdown" | "html"
    parts: list[str] = field(default_factory=list)
    size: int = 0
    positives: list[Item] = field(default_factory=list)
    negatives: list[Item] = field(default_factory=list)

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.size += len(s)

    def pos(self, kind: str, fmt: str, s: str) -> None:
        self.positives.append(Item(kind, fmt, self.size, self.size + len(s), s))
        self.add(s)

    def neg(self, cls: str, s: str) -> None:
        self.negatives.append(Item(cls, cls, self.size, self.size + len(s), s))
        self.add(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# -- value generators ---------------------------------------------------------------


def _birth(rnd: random.Random) -> str:
    d = dt.date(1930, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 85))
    return d.strftime("%Y%m%d")


def gen_id18(rnd: random.Random) -> str:
    body = rnd.choice(AREAS) + _birth(rnd) + f"{rnd.randrange(1000):03d}"
    return body + id18_check_char(body)


def gen_bad_id18(rnd: random.Random) -> str:
    """ID-shaped (area + real date) but with a wrong check character."""
    good = gen_id18(rnd)
    return good[:17] + rnd.choice([c for c in "0123456789X" if c != good[17]])


def gen_mobile(rnd: random.Random) -> str:
    return "1" + rnd.choice("3456789") + "".join(rnd.choices("0123456789", k=9))


def gen_card(rnd: random.Random, length: int | None = None) -> str:
    length = length or rnd.randint(16, 19)
    prefix = rnd.choice(CARD_PREFIXES)
    return luhn_complete(prefix + "".join(rnd.choices("0123456789", k=length - len(prefix) - 1)))


def gen_uscc(rnd: random.Random, *, digits_only: bool = False) -> str:
    alphabet = "0123456789" if digits_only else "0123456789ABCDEFGHJKLMNPQRTUWXY"
    head = rnd.choice(["91", "12", "52", "11", "92"]) + rnd.choice(AREAS)
    org = "".join(rnd.choices("0123456789", k=2)) + "".join(rnd.choices(alphabet, k=7))
    if not digits_only and org.isdigit():
        org = org[:2] + "MA" + org[4:]
    return uscc_complete(head + org[:9])


def _fullwidth(s: str) -> str:
    return s.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"} | {ord("X"): "Ｘ"})


def fmt_id(rnd: random.Random, v: str) -> tuple[str, str]:
    fmt = rnd.choice(["plain", "plain", "fullwidth", "lower_x", "grouped"])
    if fmt == "fullwidth":
        return fmt, _fullwidth(v)
    if fmt == "lower_x":
        return fmt, v.lower()
    if fmt == "grouped":
        return fmt, f"{v[:6]} {v[6:14]} {v[14:]}"
    return fmt, v


MOBILE_FORMATS = [
    "plain",
    "+86",
    "+86 ",
    "86-",
    "86 ",
    "3-4-4 space",
    "3-4-4 hyphen",
    "3-4-4 mixed",
    "fullwidth",
    "+86 3-4-4",
]


def format_mobile(v: str, fmt: str) -> str:
    a, b, c = v[:3], v[3:7], v[7:]
    return {
        "plain": v,
        "+86": "+86" + v,
        "+86 ": "+86 " + v,
        "86-": "86-" + v,
        "86 ": "86 " + v,
        "3-4-4 space": f"{a} {b} {c}",
        "3-4-4 hyphen": f"{a}-{b}-{c}",
        "3-4-4 mixed": f"{a} {b}-{c}",
        "fullwidth": _fullwidth(v),
        "+86 3-4-4": f"+86 {a} {b} {c}",
    }[fmt]


def fmt_mobile(rnd: random.Random, v: str) -> tuple[str, str]:
    fmt = rnd.choice(MOBILE_FORMATS)
    return fmt, format_mobile(v, fmt)


def fmt_card(rnd: random.Random, v: str) -> tuple[str, str]:
    fmt = rnd.choice(["plain", "space4", "hyphen4", "fullwidth"])
    if fmt in ("space4", "hyphen4"):
        sep = " " if fmt == "space4" else "-"
        return fmt, sep.join(v[k : k + 4] for k in range(0, len(v), 4))
    if fmt == "fullwidth":
        return fmt, _fullwidth(v)
    return fmt, v


def gen_name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.randint(1, 2)))


def gen_address(rnd: random.Random) -> tuple[str, str, str]:
    """(visible part kept after masking, door part, full address)."""
    if rnd.random() < 0.6:
        keep = rnd.choice(TOWNS) + rnd.choice(VILLAGES)
        door = f"{rnd.randint(1, 12)}组{rnd.randint(1, 120)}号"
    else:
        keep = rnd.choice(TOWNS) + rnd.choice(STREETS)
        door = f"{rnd.randint(1, 300)}号{rnd.randint(1, 20)}栋{rnd.randint(1, 6)}单元{rnd.randint(1, 30)}0{rnd.randint(1, 4)}室"
    return keep, door, keep + door


def gen_landline(rnd: random.Random) -> str:
    return f"0{rnd.choice(['871', '874', '877', '10', '21'])}-{rnd.randint(2, 8)}{rnd.randint(0, 9999999):07d}"


def sentence(rnd: random.Random) -> str:
    return "，".join(rnd.sample(PHRASES, k=rnd.randint(1, 3))) + "。"


# -- documents ----------------------------------------------------------------------


def person_table(rnd: random.Random) -> Doc:
    """低保名单 / 补贴公示 / 拆迁名单 as a Markdown pipe table."""
    doc = Doc("markdown")
    title = rnd.choice(["城乡低保对象名单公示", "耕地地力保护补贴发放公示", "房屋征收补偿名单公示"])
    name_col = "被征收人" if "征收" in title else "姓名"
    doc.add(f"# 2026年{rnd.choice(TOWNS)}{title}\n\n{sentence(rnd)}\n\n")
    cols = ["序号", name_col, "身份证号", "家庭住址", "联系电话", "银行卡号", "金额（元）"]
    doc.add("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
    for n in range(1, rnd.randint(5, 15)):
        doc.add(f"| {n} | {gen_name(rnd)} | ")
        fmt, v = fmt_id(rnd, gen_id18(rnd))
        doc.pos("id18", fmt, v)
        keep, door, _full = gen_address(rnd)
        doc.add(f" | {keep}")
        doc.pos("address", "door", door)
        doc.add(" | ")
        if rnd.random() < 0.7:
            fmt, v = fmt_mobile(rnd, gen_mobile(rnd))
            doc.pos("mobile", fmt, v)
        else:
            doc.pos("landline", "area-local", gen_landline(rnd))
        doc.add(" | ")
        fmt, v = fmt_card(rnd, gen_card(rnd))
        doc.pos("bankcard", fmt, v)
        doc.add(f" | {rnd.randint(100, 99999):,}.{rnd.randint(0, 99):02d} |\n")
    doc.add(f"\n监督电话：0871-{rnd.randint(60000000, 69999999)}\n")
    return doc


def person_html_table(rnd: random.Random) -> Doc:
    doc = Doc("html")
    doc.add(
        "<h1>困难群众临时救助公示</h1><table><thead><tr><th>姓名</th><th>身份证号</th><th>住址</th><th>联系方式</th></tr></thead><tbody>"
    )
    for _ in range(rnd.randint(3, 8)):
        doc.add(f"<tr><td>{gen_name(rnd)}</td><td>")
        v = gen_id18(rnd)
        if rnd.random() < 0.5:  # digits split by inline tags (Word paste)
            doc.pos("id18", "tag-split", f"{v[:6]}<span>{v[6:14]}</span>{v[14:]}")
        else:
            doc.pos("id18", "plain", v)
        keep, door, _full = gen_address(rnd)
        doc.add(f"</td><td>{keep}")
        doc.pos("address", "door", door)
        doc.add("</td><td>")
        m = gen_mobile(rnd)
        if rnd.random() < 0.5:
            doc.pos("mobile", "tag-split", f"{m[:3]}<b>{m[3:7]}</b>{m[7:]}")
        else:
            doc.pos("mobile", "plain", m)
        doc.add(f"</td></tr><tr><td>{rnd.randint(1, 9)}</td><td>{rnd.randint(100, 999)}</td><td>")
        doc.neg("adjacent-cells", str(rnd.randint(1000, 9999)))  # separate cells never join
        doc.add(f"</td><td>{rnd.randint(1000000, 9999999)}</td></tr>")
    doc.add("</tbody></table>")
    return doc


def notice_with_pii(rnd: random.Random) -> Doc:
    """Ordinary prose that (wrongly) contains personal identifiers."""
    doc = Doc("markdown")
    doc.add(sentence(rnd) + f"经核实，申请人{gen_name(rnd)}（身份证号：")
    fmt, v = fmt_id(rnd, gen_id18(rnd))
    doc.pos("id18", fmt, v)
    doc.add("，手机号码")
    fmt, v = fmt_mobile(rnd, gen_mobile(rnd))
    doc.pos("mobile", fmt, v)
    doc.add("）符合条件，补贴资金已打入其社保卡（卡号")
    fmt, v = fmt_card(rnd, gen_card(rnd))
    doc.pos("bankcard", fmt, v)
    doc.add("）。" + sentence(rnd) + "\n\n")
    doc.add(f"姓名：{gen_name(rnd)}，住址：")
    keep, door, _full = gen_address(rnd)
    doc.add(keep)
    doc.pos("address", "door", door)
    doc.add("，联系电话：")
    doc.pos("landline", "area-local", gen_landline(rnd))
    doc.add("\n")
    return doc


def notice_negatives(rnd: random.Random, allowed: list[str]) -> Doc:
    """A 通知 with everything that looks numeric but is not personal."""
    doc = Doc("markdown")
    year = rnd.randint(2016, 2026)
    doc.add("索引号：")
    doc.neg(
        "index-number",
        rnd.choice(
            [
                f"11530000MB{rnd.randint(1000000, 9999999)}X/{year}-{rnd.randint(1, 99999):05d}",
                f"000014349/{year}-{rnd.randint(1, 99999):05d}",
            ]
        ),
    )
    doc.add("\n\n发文字号：")
    doc.neg("doc-number", f"示政发〔{year}〕{rnd.randint(1, 120)}号")
    doc.add("\n\n成文日期：")
    doc.neg(
        "date",
        rnd.choice(
            [
                f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                f"{year}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}",
            ]
        ),
    )
    doc.add("\n\n" + sentence(rnd) + "全县共安排资金")
    doc.neg(
        "amount",
        rnd.choice(
            [
                f"{rnd.randint(1, 999)},{rnd.randint(100, 999)},{rnd.randint(100, 999)}.{rnd.randint(10, 99)}元",
                f"{rnd.randint(10**10, 10**13)}元",
            ]
        ),
    )
    doc.add("，承办企业统一社会信用代码：")
    doc.neg("credit-code", gen_uscc(rnd, digits_only=rnd.random() < 0.2))
    doc.add("。通讯地址：示例县人民路1号，邮政编码：")
    doc.neg("postal-code", f"{rnd.randint(650000, 679999)}")
    doc.add("。参考书目 ISBN ")
    doc.neg(
        "isbn",
        rnd.choice(
            [
                f"978-7-{rnd.randint(100, 999)}-{rnd.randint(10000, 99999)}-{rnd.randint(0, 9)}",
                f"9787{rnd.randint(100000000, 999999999)}",
            ]
        ),
    )
    doc.add("。登记编号：")
    doc.neg("bad-id18", gen_bad_id18(rnd))
    doc.add("。订单号：")
    while True:  # order/serial numbers that fail the checks
        serial = str(rnd.randint(10**15, 10**19 - 1))
        if not luhn_ok(serial) and not valid_id18(serial):
            break
    doc.neg("serial", serial)
    doc.add("，项目编号：")
    doc.neg("serial-luhn", gen_card(rnd))  # Luhn-valid by chance, but labelled 编号
    doc.add("。详见 ")
    doc.neg("url", f"http://www.example.gov.cn/zwgk/{year}/t{year}1120_{gen_card(rnd, 16)}.html")
    doc.add(" 及 ")
    doc.neg("url", f"https://www.example.gov.cn/art/{year}/11/20/art_{gen_mobile(rnd)}.html")
    doc.add("\n\n咨询电话：")
    doc.neg("office-landline", f"0871-{rnd.randint(60000000, 69999999)}")
    doc.add("；监督电话：")
    doc.neg("office-mobile", gen_mobile(rnd))
    doc.add("；服务热线：")
    doc.neg("hotline", "12345")
    doc.add("\n\n传真：")
    doc.neg("office-landline", f"0871-{rnd.randint(60000000, 69999999)}")
    doc.add("。值班手机")
    doc.neg("allowlisted", rnd.choice(allowed))
    doc.add("。\n")
    return doc


def generate(seed: int = 20261120, n: int = 120) -> tuple[list[Doc], MaskPolicy]:
    rnd = random.Random(seed)
    allowed = [gen_mobile(rnd) for _ in range(5)]
    policy = MaskPolicy(allowed_phones=frozenset(allowed))
    docs: list[Doc] = []
    for _ in range(n):
        docs.append(person_table(rnd))
        docs.append(person_html_table(rnd))
        docs.append(notice_with_pii(rnd))
        docs.append(notice_negatives(rnd, allowed))
    return docs, policy


def _family(kind: str) -> str:
    return {"id15": "id18", "numeric_id": "id18"}.get(kind, kind)


def measure(seed: int = 20261120, n: int = 120) -> dict:
    """Recall per kind and per format, and the share of hard negatives altered."""
    docs, policy = generate(seed, n)
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    hit_fmt: Counter[str] = Counter()
    total_fmt: Counter[str] = Counter()
    neg_total: Counter[str] = Counter()
    neg_altered: Counter[str] = Counter()
    misses: list[str] = []
    for doc in docs:
        text = doc.text
        masked, found = (mask_markdown if doc.markup == "markdown" else mask_html)(text, policy)
        for it in doc.positives:
            ok = any(m.start <= it.start and it.end <= m.end and _family(m.kind) == it.kind for m in found)
            total[it.kind] += 1
            total_fmt[f"{it.kind}/{it.fmt}"] += 1
            if ok:
                hit[it.kind] += 1
                hit_fmt[f"{it.kind}/{it.fmt}"] += 1
            elif len(misses) < 20:
                misses.append(f"{it.kind}/{it.fmt}")
        for it in doc.negatives:
            neg_total[it.kind] += 1
            if any(m.start < it.end and it.start < m.end for m in found):
                neg_altered[it.kind] += 1
    negs = sum(neg_total.values())
    return {
        "documents": len(docs),
        "positives": dict(total),
        "recall": {k: hit[k] / total[k] for k in sorted(total)},
        "recall_by_format": {k: hit_fmt[k] / total_fmt[k] for k in sorted(total_fmt)},
        "negatives": negs,
        "negatives_altered": sum(neg_altered.values()) / negs,
        "negatives_altered_by_class": {k: neg_altered[k] / neg_total[k] for k in sorted(neg_total)},
        "first_misses": misses,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), ensure_ascii=False, indent=1))
