"""Context keywords that decide whether a number or address is personal (PRIV-002..005).

Shared by the text, HTML, Markdown and attachment scanners so that every
surface applies the same person-list and contact-block logic.
"""

from __future__ import annotations

import re

# A table / sheet / list is a list of private persons when its header names a person field.
_PERSON_STRONG = re.compile(
    r"姓\s*名|户\s*主|家庭住址|住\s*址|身份证|公民身份|证件号|申请人|监护人|收款人|持卡人|户\s*名|家庭成员|被征收人|被拆迁人|救助对象|享受对象"
)
# 联系电话 alone also marks a person list, unless the header names an organisation:
# 「单位 | 联系电话」 tables are office directories, not person lists.
_PERSON_WEAK = re.compile(r"联系电话|联系方式|手机")
_ORG_HEADER = re.compile(r"单位|部门|机构|科室|窗口|名称|办公")

# A paragraph / list item is person context when it labels a name AND a contact/address/ID.
_LABEL_NAME = re.compile(r"姓\s*名|户\s*主|申请人")
_LABEL_DETAIL = re.compile(r"住\s*址|地\s*址|电\s*话|联系方式|手\s*机|身份证")

ADDRESS_HEADER = re.compile(r"住址|地址|住所|居住地|户籍地|门牌|家庭住址")
OFFICE_PHONE_HEADER = re.compile(r"办公电话|值班电话|咨询电话|服务热线|传真|单位电话|监督电话|举报电话|投诉电话")

ID_KEYWORDS = re.compile(r"身份证|证件号|公民身份号码|身份号码|身份证号")
CARD_KEYWORDS = re.compile(r"银行|账号|帐号|卡号|开户|一卡通|社保卡|存折")
CREDIT_KEYWORDS = re.compile(r"信用代码|组织机构代码|纳税人识别号|税号|注册号")
# Labels of serial numbers that can pass Luhn by chance (1 in 10).
SERIAL_KEYWORDS = re.compile(
    r"索引号|文号|编号|编码|代码|订单号|单号|流水号|发票|证书|备案|标识码|条码|ISBN|批号|项目号|案号|合同号|登记号|许可证|识别码"
)
PHONE_KEYWORDS = re.compile(r"电话|联系方式|固话|座机")
CONTACT_KEYWORDS = re.compile(
    r"咨询电话|办公电话|联系电话|监督电话|服务热线|热线电话|咨询热线|举报电话|投诉电话|值班电话|受理电话|服务电话|传真"
)
# What may sit between a contact keyword and a later number in the same block
# (other numbers of the block, separators, short connectives).
_CONTACT_FILLER = re.compile(r"[\d０-９\s\-－‐‑—()（）+＋、，,;；/:：转或和及]")
_ADDRESS_TOKENS = re.compile(r"村|社区|路|街|巷|弄|道|小区|组|镇|乡|苑|园|里|庄|屯|寨|湾|坊|大厦|公寓|楼|区")


def is_person_header(text: str) -> bool:
    """Header row/column text of a table, sheet or CSV."""
    if _PERSON_STRONG.search(text):
        return True
    return bool(_PERSON_WEAK.search(text)) and not _ORG_HEADER.search(text)


def is_person_block(text: str) -> bool:
    """A paragraph or list with 姓名 + 住址/电话/身份证 labels."""
    return bool(_LABEL_NAME.search(text)) and bool(_LABEL_DETAIL.search(text))


def near(rx: re.Pattern[str], window: str) -> bool:
    return rx.search(window) is not None


def in_contact_block(window: str, keywords: re.Pattern[str] = CONTACT_KEYWORDS) -> bool:
    """``window`` = text just before a number (header prepended).

    True when a contact keyword ends ≤ 12 chars before the number, not counting
    other numbers / separators of the same contact line.
    """
    hits = list(keywords.finditer(window))
    if not hits:
        return False
    last = hits[-1]
    gap = window[last.end() :]
    return len(gap) <= 12 or len(_CONTACT_FILLER.sub("", gap)) <= 4


def has_address_token(window: str) -> bool:
    return _ADDRESS_TOKENS.search(window) is not None
