"""Detector unit tests: every kind, every hard-negative class (PRIV-002..005)."""

from __future__ import annotations

import datetime as dt

import pytest

from govsite.privacy import find_pii
from govsite.privacy.checks import luhn_ok, uscc_complete, valid_id18, valid_uscc
from govsite.privacy.policy import MaskPolicy

from .helpers import bad_check, fullwidth, make_card, make_id

ID = "11010519491231002X"  # rulebook example (GB 11643)
MOBILE = "13800138000"


def kinds(text: str, **kw) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start : m.end]) for m in find_pii(text, **kw)]


# -- IDs ------------------------------------------------------------------------------


def test_rulebook_example_id_is_valid_and_detected() -> None:
    assert valid_id18(ID)
    [m] = find_pii(f"身份证号：{ID}。")
    assert (m.kind, m.rule, m.raw, m.masked) == ("id18", "PRIV-002", ID, "110105********002X")


def test_id_detected_by_checksum_even_where_stdnum_rejects_it() -> None:
    from stdnum.cn import ric

    # stdnum cross-checks the area code against the birth year and rejects this
    # real-world shape (昆明市五华区, born 1980); the checksum says it is an ID.
    weird = make_id(area="530102", birth="19800101")
    assert not ric.is_valid(weird)
    assert kinds(weird) == [("id18", weird)]


@pytest.mark.parametrize(
    "value",
    [
        bad_check(ID),  # checksum fails
        make_id(birth="19801301"),  # month 13
        make_id(birth="19800230"),  # 30 Feb
        make_id(birth="18991231"),  # before 1900
        make_id(birth=f"{dt.date.today().year + 1}0101"),  # future year
        "0" + make_id()[1:],  # leading zero area
    ],
)
def test_invalid_ids_not_detected(value: str) -> None:
    assert [k for k, _ in kinds(value) if k.startswith("id")] == []


def test_id_lowercase_x_fullwidth_and_grouped() -> None:
    assert kinds(ID.lower()) == [("id18", ID.lower())]
    fw = fullwidth(ID)
    [m] = find_pii(f"号码{fw}号")
    assert m.raw == fw and (m.start, m.end) == (2, 20)
    assert m.masked == fullwidth("110105") + "********" + fullwidth("002X")
    grouped = "110105 19491231 002X"
    assert kinds(grouped) == [("id18", grouped)]


def test_id_glued_to_letters_is_a_code_not_an_id() -> None:
    assert kinds(f"AB{ID}") == []
    assert kinds(f"{ID}9") == []


def test_id15_needs_label_or_person_context() -> None:
    old = "110105491231002"
    assert kinds(old) == []
    assert kinds(f"原身份证号：{old}") == [("id15", old)]
    assert kinds(old, person_context=True) == [("id15", old)]
    assert kinds(old, header="身份证号码") == [("id15", old)]
    [m] = find_pii(f"证件号{old}")
    assert m.masked == "110105******002"  # 15-digit birth date (pos 7–12) hidden


# -- mobiles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+8613800138000", "+86138****8000"),
        ("+86 13800138000", "+86 138****8000"),
        ("86-13800138000", "86-138****8000"),
        ("86 13800138000", "86 138****8000"),
        ("138 0013 8000", "138 **** 8000"),
        ("138-0013-8000", "138-****-8000"),
        ("138 0013-8000", "138 ****-8000"),
        ("+86 138 0013 8000", "+86 138 **** 8000"),
        (fullwidth("13800138000"), fullwidth("138") + "****" + fullwidth("8000")),
        ("＋８６ １３８００１３８０００", "＋８６ １３８****８０００"),
    ],
)
def test_mobile_formats(text: str, masked: str) -> None:
    [m] = find_pii(f"手机：{text}，")
    assert (m.kind, m.rule, m.raw, m.masked) == ("mobile", "PRIV-003", text, masked)


@pytest.mark.parametrize("text", ["12345678901", "10086100861", "1380013800", "138001380001"])
def test_not_mobiles(text: str) -> None:
    assert kinds(text) == []


def test_mobile_amount_is_not_a_phone() -> None:
    assert kinds("合计13800138000元") == []


def test_contact_block_office_numbers_are_not_pii_outside_person_lists() -> None:
    for label in ("咨询电话", "办公电话", "联系电话", "监督电话", "服务热线", "传真"):
        assert kinds(f"{label}：{MOBILE}") == [], label
    # several numbers on one contact line
    assert kinds(f"咨询电话：0871-65123456、0871-65123457，{MOBILE}") == []
    # far away from the label → personal again
    assert kinds(f"咨询电话：0871-65123456。经查，申请人张三的手机为{MOBILE}")[-1] == ("mobile", MOBILE)
    # a mobile in a person list is always personal
    assert kinds(f"联系电话：{MOBILE}", person_context=True) == [("mobile", MOBILE)]


def test_allowlist() -> None:
    policy = MaskPolicy.from_mapping({"allowed_phones": ["+86 138-0013-8000", "0871-65123456"]})
    assert kinds(f"值班手机{MOBILE}", policy=policy) == []
    assert kinds("值班手机13900139000", policy=policy) == [("mobile", "13900139000")]
    assert kinds("电话 0871-65123456", policy=policy, person_context=True) == []
    assert kinds("电话 0871-65123457", policy=policy, person_context=True) == [("landline", "0871-65123457")]


def test_allowed_accounts() -> None:
    card = make_card(length=19)
    grouped = " ".join(card[k : k + 4] for k in range(0, 19, 4))
    policy = MaskPolicy.from_mapping({"allowed_accounts": [grouped]})
    assert kinds(f"户名：示例县财政局，账号：{card}", policy=policy) == []
    assert kinds(f"账号：{card}") == [("bankcard", card)]


# -- bank cards -----------------------------------------------------------------------


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_cards_plain_and_grouped(length: int) -> None:
    card = make_card(length=length)
    assert luhn_ok(card)
    assert kinds(f"补贴打入{card}。") == [("bankcard", card)]
    spaced = " ".join(card[k : k + 4] for k in range(0, length, 4))
    hyph = "-".join(card[k : k + 4] for k in range(0, length, 4))
    [m] = find_pii(f"账户 {spaced}")
    assert m.masked.endswith(card[-4:][-len(spaced.split()[-1]) :]) and m.masked.count(" ") == spaced.count(" ")
    assert [k for k, _ in kinds(hyph)] == ["bankcard"]
    assert kinds(fullwidth(card)) == [("bankcard", fullwidth(card))]


def test_card_masks_all_but_last_four() -> None:
    card = make_card(length=16)
    [m] = find_pii(" ".join(card[k : k + 4] for k in range(0, 16, 4)))
    assert m.masked == "**** **** **** " + card[-4:]
    [m] = find_pii(card)
    assert m.masked == "*" * 12 + card[-4:]


def test_card_luhn_failure_and_short_runs() -> None:
    card = make_card(length=16)
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert kinds(broken) == []
    short = make_card(length=13)
    assert kinds(f"编码{short}") == []
    assert kinds(f"开户银行：农村信用社，账号：{short}") == [("bankcard", short)]
    assert kinds(short, header="银行卡号") == [("bankcard", short)]


def test_luhn_valid_serials_and_id_shaped_numbers_are_not_cards() -> None:
    card = make_card(length=16)
    assert kinds(f"项目编号：{card}") == []
    # 18 digits shaped like an ID (area + real date) but failing the ID checksum
    for seq in range(100, 400):
        fake = bad_check(make_id(seq=str(seq)))
        if luhn_ok(fake):
            break
    assert luhn_ok(fake) and not valid_id18(fake)
    assert kinds(fake) == []
    assert kinds(f"卡号{fake}") == [("bankcard", fake)]


# -- landlines and addresses: person context only ---------------------------------------


def test_landline_only_in_person_context() -> None:
    assert kinds("电话 0871-65125678") == []
    [m] = find_pii("电话 0871-65125678", person_context=True)
    assert (m.kind, m.rule, m.masked) == ("landline", "PRIV-003", "0871-****5678")
    assert [m.masked for m in find_pii("（0871）65125678；010 12345678", person_context=True)] == [
        "（0871）****5678",
        "010 ****5678",
    ]
    assert kinds("电话：6512567", person_context=True) == [("landline", "6512567")]
    assert kinds("0871-65125678", person_context=True, header="办公电话") == []
    assert kinds("申请日期 20261120", person_context=True) == []


def test_addresses_only_in_person_context() -> None:
    text = "家庭住址：示例镇红旗村3组15号"
    assert kinds(text) == []
    [m] = find_pii(text, person_context=True)
    assert (m.kind, m.rule, m.raw, m.masked) == ("address", "PRIV-005", "3组15号", "")
    assert kinds("人民路12号3栋2单元501室", header="住址") == []  # header alone is not person context
    assert kinds("人民路12号3栋2单元501室", person_context=True, header="住址") == [("address", "12号3栋2单元501室")]
    assert kinds("幸福小区15-2-301", person_context=True, header="家庭住址") == [("address", "15-2-301")]


@pytest.mark.parametrize(
    "text",
    [
        "示例镇政府示政发〔2026〕3号",  # 文号: 〕 before the number
        "红旗村委会于3月15号发放",  # a date
        "红旗村第3号",  # an ordinal
        "红旗村12号线",  # followed by 线/文件/公告 …
        "红旗村3号文件",
        "12345",
    ],
)
def test_address_negatives_in_person_context(text: str) -> None:
    assert [k for k, _ in kinds(text, person_context=True)] == []


def test_address_requires_address_column_when_header_known() -> None:
    assert kinds("红旗村3组15号", person_context=True, header="备注") == []


# -- hard negatives -------------------------------------------------------------------

HARD_NEGATIVES = [
    "统一社会信用代码：91110000100000000X",
    "统一社会信用代码：" + uscc_complete("91530102MA6K1234"[:17].ljust(17, "0")),
    "示政发〔2026〕3号",
    "索引号：11530000MB1234567X/2026-00012",
    "索引号：000014349/2026-00101",
    "成文日期：2026-11-20",
    "20261120",
    "2026年11月20日 10:30",
    "资金1,234,567.89元",
    "12345678901元",
    "13800138000元",
    "邮政编码：650000",
    "ISBN 978-7-111-12345-6",
    "ISBN 9787111123456",
    bad_check(ID),
    "http://www.example.gov.cn/zwgk/t20261120_6012345678901234.html",
    "https://www.example.gov.cn/art/2026/11/20/art_13800138000.html",
    "www.example.gov.cn/f/13800138000.pdf",
    "订单号：1234567890123456789",
    "流水号：12345678901234567890123",
    "咨询电话：0871-65123456",
    "服务热线：12345",
    "网站标识码5301000001",
    "公网安备 53010202000001号",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_never_match(text: str) -> None:
    assert find_pii(text) == []


def test_credit_code_checker_and_pure_digit_code_with_label() -> None:
    code = uscc_complete("91530102" + "123456789")
    assert valid_uscc(code)
    # A pure-digit code that also happens to be a valid ID is skipped under its label.
    assert kinds(f"统一社会信用代码：{ID}") == []


def test_valid_id_inside_url_is_reported() -> None:
    assert kinds(f"http://x.gov.cn/files/{ID}.pdf") == [("id18", ID)]


def test_match_repr_never_contains_raw_value() -> None:
    [m] = find_pii(ID)
    assert ID not in repr(m) and "110105********002X" in repr(m)


def test_offsets_point_into_original_text() -> None:
    text = f"张三，{fullwidth(ID)}，手机 138 0013 8000，卡 {make_card()}"
    for m in find_pii(text):
        assert text[m.start : m.end] == m.raw
        assert len(m.masked) == len(m.raw)
