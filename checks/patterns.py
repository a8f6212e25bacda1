"""Regexes from rulebook Appendix A.1, shared by the config and page stages."""

import re

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝蜀川黔贵滇云藏陕甘陇青宁新"
ICP_RE = re.compile(rf"^[{PROVINCES}]ICP备\d{{6,10}}号(-\d{{1,3}})?$")
ICP_IN_TEXT = re.compile(rf"[{PROVINCES}]ICP[备证]\d{{6,10}}号(?:-\d{{1,3}})?")
PSB_RE = re.compile(rf"^[{PROVINCES}]公网安备\s*(\d{{14}})号$")
PSB_IN_TEXT = re.compile(rf"[{PROVINCES}]公网安备\s*[:：]?\s*(\d{{14}})号")
PSB_LINK_RE = re.compile(r"^https?://(www\.beian\.gov\.cn/portal/registerSystemInfo\?recordcode=(\d{14})|beian\.mps\.gov\.cn/.*)$")
SITE_ID_RE = re.compile(r"^(\d{10}|bm\d{8})$")
SITE_ID_IN_TEXT = re.compile(r"(?:政府)?网站标识码\s*[:：]\s*(\d{10}|bm\d{8})")
GOV_HOST_RE = re.compile(r"^([a-z0-9-]+\.)+gov\.cn$")
PORTAL_HOST_RE = re.compile(r"^www\.[a-z0-9-]+(\.[a-z0-9-]+)*\.gov\.cn$")
DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5]{1,20}〔(19|20)\d{2}〕\d{1,4}号$")
PUBDATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d$")
PHONE_RE = re.compile(r"0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|12345")
CONAC_ID_RE = re.compile(r"^[0-9a-f]{32}$")
