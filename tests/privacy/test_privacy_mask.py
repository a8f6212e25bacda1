"""Mask policy, validators, mask_text / mask_html / mask_markdown."""

from __future__ import annotations

import pytest

from govsite.privacy import (
    DEFAULT_POLICY,
    MaskPolicy,
    is_masked_card,
    is_masked_id,
    is_masked_landline,
    is_masked_mobile,
    mask_html,
    mask_markdown,
    mask_text,
    masked_form_ok,
)

from .helpers import fullwidth, make_card

ID = "11010519491231002X"
MOBILE = "13800138000"

# -- policy ---------------------------------------------------------------------------


def test_default_policy_forms() -> None:
    card = make_card(length=16)
    out, found = mask_text(f"{ID} {MOBILE} {card}")
    assert out == f"110105********002X 138****8000 {'*' * 12}{card[-4:]}"
    assert [m.kind for m in found] == ["id18", "mobile", "bankcard"]


def test_stricter_policy_from_mapping() -> None:
    policy = MaskPolicy.from_mapping({"id_keep_head": 1, "id_keep_tail": 1, "mask_char": "×", "card_keep_tail": 0})
    out, _ = mask_text(f"{ID}，{make_card(length=16)}", policy)
    assert out == "1" + "×" * 16 + "X，" + "×" * 16


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"id_keep_head": 7}, "出生日期"),
        ({"id_keep_tail": 5}, "出生日期"),
        ({"id_keep_head": -1}, "id_keep_head"),
        ({"mobile_keep_head": 4}, "手机"),
        ({"card_keep_tail": 6}, "银行卡"),
        ({"id_keep_head": True}, "整数"),
        ({"id_keep_head": "6"}, "整数"),
        ({"mask_char": "1"}, "mask_char"),
        ({"mask_char": "**"}, "单个字符"),
        ({"mask_char": "<"}, "HTML"),
        ({"allowed_phones": "13800138000"}, "列表"),
        ({"allowed_phones": ["12"]}, "allowed_phones"),
        ({"bogus": 1}, "未知"),
    ],
)
def test_bad_policy_values_raise_chinese_errors(data: dict, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        MaskPolicy.from_mapping(data)


def test_policy_never_shows_birth_date_with_any_valid_config() -> None:
    for head in range(7):
        for tail in range(5):
            policy = MaskPolicy(id_keep_head=head, id_keep_tail=tail)
            masked = policy.mask_id(ID)
            assert set(masked[6:14]) == {"*"}, (head, tail)
            assert is_masked_id(masked)


# -- validators (rulebook A.4) --------------------------------------------------------


def test_validators() -> None:
    assert is_masked_id("110105********002X")
    assert is_masked_id("110105**********2X")
    assert is_masked_id("1****************X")
    assert not is_masked_id(ID)
    assert not is_masked_id("1101051949******2X")  # birth year visible
    assert not is_masked_id("110105****1231002X")
    assert is_masked_mobile("138****5678") and is_masked_mobile("+86 138 **** 5678")
    assert not is_masked_mobile(MOBILE) and not is_masked_mobile("1380013****")
    assert is_masked_card("***************1234") and is_masked_card("**** **** **** 1234")
    assert is_masked_card("6222 **** **** 1234")
    assert not is_masked_card(make_card()) and not is_masked_card("622202123456****")
    assert is_masked_landline("0871-****5678") and not is_masked_landline("0871-65125678")
    assert masked_form_ok("id18", DEFAULT_POLICY.mask_id(ID))


# -- mask_text ------------------------------------------------------------------------


def test_mask_text_preserves_length_and_grouping() -> None:
    text = f"身份证{fullwidth(ID)}，电话+86 138-0013-8000，卡号6222 0212 3456 7890 128。"
    out, found = mask_text(text)
    assert len(out) == len(text)
    assert "+86 138-****-8000" in out
    assert fullwidth("110105") + "********" in out
    for m in found:
        assert m.raw not in out


def test_mask_text_person_context_truncates_address() -> None:
    out, found = mask_text("张三，示例镇红旗村3组15号，0871-65125678", person_context=True)
    assert out == "张三，示例镇红旗村，0871-****5678"
    assert {m.rule for m in found} == {"PRIV-005", "PRIV-003"}


# -- mask_html ------------------------------------------------------------------------


def test_html_inline_tags_are_transparent() -> None:
    html = "<p>身份证 110105<b>19491231</b>002X，手机 138<span class='x'>0013</span>8000</p>"
    out, found = mask_html(html)
    assert out == "<p>身份证 110105<b>********</b>002X，手机 138<span class='x'>****</span>8000</p>"
    assert [m.kind for m in found] == ["id18", "mobile"]
    assert html[found[0].start : found[0].end] == "110105<b>19491231</b>002X"


def test_html_cells_never_join() -> None:
    html = "<table><tr><td>138</td><td>00138000</td><td>1101051949</td><td>1231002X</td></tr></table>"
    assert mask_html(html) == (html, [])


def test_html_attributes() -> None:
    html = (
        f'<img alt="张三 {MOBILE}" title="{ID}" data-x="{MOBILE}" src="/u/{ID}.jpg">'
        f'<meta name="description" content="电话{MOBILE}"><a href="tel:{MOBILE}">拨打</a>'
        f'<a href="http://www.example.gov.cn/t20261120_{MOBILE}.html">链接</a>'
    )
    out, found = mask_html(html)
    assert 'alt="张三 138****8000"' in out and 'title="110105********002X"' in out
    assert f'data-x="{MOBILE}"' in out  # not a text attribute
    assert f'src="/u/{ID}.jpg"' in out  # URLs stay intact …
    assert ("id18", "url:src") in {(m.kind, m.where) for m in found}  # … but IDs in them are reported
    assert 'content="电话138****8000"' in out and 'href="tel:138****8000"' in out
    assert f'href="http://www.example.gov.cn/t20261120_{MOBILE}.html"' in out
    assert not any(m.where == "url:href" for m in found)


def test_html_script_reported_not_altered() -> None:
    html = f'<script>var phone = "{MOBILE}";</script><p>{MOBILE}</p>'
    out, found = mask_html(html)
    assert out == f'<script>var phone = "{MOBILE}";</script><p>138****8000</p>'
    assert [m.where for m in found] == ["script", "text"]


def test_html_entities_and_tag_names_untouched() -> None:
    html = "<P CLASS=a>138&nbsp;0013&nbsp;8000 &#49;3800138000</P><br/>"
    out, _ = mask_html(html)
    assert out == "<P CLASS=a>138&nbsp;****&nbsp;8000 &#49;38****8000</P><br/>"


def test_html_person_table_masks_landlines_and_addresses() -> None:
    html = (
        "<table><tr><th>姓名</th><th>家庭住址</th><th>联系电话</th></tr>"
        "<tr><td>张三</td><td>示例镇红旗村3组15号</td><td>0871-65125678</td></tr></table>"
        "<table><tr><th>单位</th><th>地址</th><th>联系电话</th></tr>"
        "<tr><td>县民政局</td><td>人民路12号</td><td>0871-65125679</td></tr></table>"
    )
    out, found = mask_html(html)
    assert "<td>示例镇红旗村</td><td>0871-****5678</td>" in out
    assert "<td>人民路12号</td><td>0871-65125679</td>" in out  # office directory untouched
    assert [m.kind for m in found] == ["address", "landline"]


def test_html_br_keeps_paragraph_person_context_but_splits_values() -> None:
    html = "<p>姓名：张三<br>住址：红旗村3组15号<br/>电话：0871-65125678</p><p>138<br>00138000</p>"
    out, _ = mask_html(html)
    assert out == "<p>姓名：张三<br>住址：红旗村<br/>电话：0871-****5678</p><p>138<br>00138000</p>"
    assert mask_html("<p>地址：人民路12号<br>电话：0871-65125678</p>")[1] == []  # no name label


def test_html_title_row_before_header_row() -> None:
    html = (
        "<table><thead><tr><th colspan=3>2026年临时救助对象名单</th></tr>"
        "<tr><td>户主</td><td>住址</td><td>电话</td></tr></thead>"
        "<tr><td>李四</td><td>向阳村2组8号</td><td>0874-3125678</td></tr></table>"
    )
    out, _ = mask_html(html)
    assert "<td>向阳村</td><td>0874-***5678</td>" in out


# -- mask_markdown --------------------------------------------------------------------


def test_markdown_person_table() -> None:
    md = (
        "| 序号 | 姓名 | 身份证号 | 家庭住址 | 联系电话 |\n"
        "|---|---|---|---|---|\n"
        f"| 1 | 张三 | {ID} | 示例镇红旗村3组15号 | 0871-65125678 |\n"
        "| 2 | 李四 | 110105491231002 | 人民路12号3栋2单元501室 | 138 0013 8000 |\n"
    )
    out, found = mask_markdown(md)
    assert "| 1 | 张三 | 110105********002X | 示例镇红旗村 | 0871-****5678 |" in out
    assert "| 2 | 李四 | 110105******002 | 人民路 | 138 **** 8000 |" in out
    for m in found:
        assert md[m.start : m.end] == m.raw


def test_markdown_office_table_and_contact_block_kept() -> None:
    md = f"| 单位 | 联系电话 |\n|:--|--:|\n| 县政务服务中心 | 0871-65123456 |\n\n咨询电话：0871-65123457，{MOBILE}\n"
    assert mask_markdown(md) == (md, [])


def test_markdown_paragraph_with_person_labels() -> None:
    md = "姓名：王五，住址：幸福小区5栋2单元301室，电话：0871-65125678\n\n地址：人民路12号，电话：0871-65125678\n"
    out, _ = mask_markdown(md)
    assert out.splitlines()[0] == "姓名：王五，住址：幸福小区，电话：0871-****5678"
    assert out.splitlines()[2] == "地址：人民路12号，电话：0871-65125678"  # no person label → office


def test_markdown_raw_html_table_across_blank_lines() -> None:
    md = (
        "前言\n\n<table>\n<tr><td>姓名</td><td>身份证号</td><td>住址</td></tr>\n\n"
        "<tr><td>赵六</td><td>110105<b>19491231</b>002X</td><td>红旗村3组15号</td></tr>\n</table>\n\n后记\n"
    )
    out, found = mask_markdown(md)
    assert "<td>110105<b>********</b>002X</td><td>红旗村</td>" in out  # header block decides the rows
    assert md[found[0].start : found[0].end] == "110105<b>19491231</b>002X"


def test_markdown_link_targets_kept_but_ids_reported() -> None:
    md = f"见[附件](/files/{MOBILE}_{ID}.pdf)，手机{MOBILE}\n"
    out, found = mask_markdown(md)
    assert out == f"见[附件](/files/{MOBILE}_{ID}.pdf)，手机138****8000\n"
    assert [(m.kind, m.where) for m in found] == [("id18", "url:link"), ("mobile", "text")]


def test_markdown_vertical_form_table() -> None:
    md = "| 项目 | 内容 |\n|---|---|\n| 姓名 | 张三 |\n| 家庭住址 | 红旗村3组15号 |\n| 联系电话 | 6512567 |\n"
    out, _ = mask_markdown(md)
    assert "| 家庭住址 | 红旗村 |" in out and "| 联系电话 | ***2567 |" in out
