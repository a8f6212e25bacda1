"""The content contract: document types and their metadata keys, in one place.

Used by the strict source parser, the content-stage rules, the scaffolds (`invoke new`) and the
editor documentation, so all four always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

DATETIME_FMT = "YYYY-MM-DD HH:MM"
DATE_FMT = "YYYY-MM-DD"


@dataclass(frozen=True)
class Key:
    name: str
    label: str  # Chinese label shown to editors
    help: str  # one-line Chinese explanation
    kind: str = "text"  # text | datetime | date | bool | choice | list
    choices: tuple[str, ...] = ()
    example: str = ""


COMMON_KEYS: dict[str, Key] = {
    k.name: k
    for k in [
        Key("title", "标题", "信息标题，与页面大标题一致", example="示例县召开2026年秋冬季森林防火工作会议"),
        Key("date", "发布时间", f"格式 {DATETIME_FMT}（北京时间），不得晚于当前时间", "datetime", example="2026-11-20 09:30"),
        Key("category", "所属栏目", "必须是 content/columns.yaml 中登记的栏目名称", example="工作动态"),
        Key(
            "type",
            "信息类型",
            "news 新闻动态 / notice 通知公告 / policy 政策文件 / interpretation 政策解读 / reprint 转载 / "
            "guide 办事指南 / public-notice 公示 / report 年度报告 / page 单页",
            "choice",
            ("news", "notice", "policy", "interpretation", "reprint", "guide", "public-notice", "report", "page"),
            example="news",
        ),
        Key("source", "来源", "发布单位；转载时填写原发布单位（如 中国政府网）", example="示例县人民政府办公室"),
        Key("author", "作者/责任编辑", "可选", example="县政府办"),
        Key("summary", "摘要", "可选，一两句话概括内容"),
        Key("keywords", "关键词", "可选，多个关键词用逗号分隔", "list"),
        Key("slug", "网址名", "可选，只能用小写字母、数字和连字符，如 2026-fire-meeting"),
        Key("modified", "修改时间", f"可选，格式 {DATETIME_FMT}", "datetime"),
        Key("status", "状态", "可选：published（默认）/ draft 草稿不发布", "choice", ("published", "draft", "hidden")),
        Key("image", "题图", "可选，正文图片地址"),
        Key("privacy_exempt", "隐私豁免", "仅 惩戒公示 或 强制性信息披露 可填，须同时填写 privacy_basis", "choice",
            ("惩戒公示", "强制性信息披露")),
        Key("privacy_basis", "豁免依据", "privacy_exempt 的法律法规依据"),
        Key("date_justification", "日期说明", "发布时间早于首次入库时间时必填（如历史档案迁移）"),
        Key("external_ok", "外链说明", "正文含非政府网站链接时，写明审核通过的理由"),
        Key("html_allow", "HTML放行", "维护人员审核后放行的 HTML 写法（如 iframe），并写明审核人"),
        Key("offline_notice", "下线公告", "网站关停/迁移公告：closure 或 migration", "choice", ("closure", "migration")),
        Key("new_site_name", "新网站名称", "下线/迁移公告中的新网站名称"),
        Key("new_site_url", "新网站地址", "下线/迁移公告中的新网站地址（.gov.cn）"),
        Key("template", "页面模板", "一般不填，由信息类型决定"),
        Key("save_as", "保存路径", "一般不填（仅单页使用）"),
        Key("url", "访问路径", "一般不填（仅单页使用）"),
    ]
}

TYPE_KEYS: dict[str, dict[str, Key]] = {
    "policy": {
        k.name: k
        for k in [
            Key("doc_number", "文号", "发文字号，年份用六角括号〔〕，如 示政发〔2026〕3号", example="示政发〔2026〕3号"),
            Key("issuer", "发文机关", "如 示例县人民政府", example="示例县人民政府"),
            Key("signed_date", "成文日期", f"格式 {DATE_FMT}", "date", example="2026-11-18"),
            Key("index_number", "索引号", "政府信息公开索引号", example="11530000MB0000000X/2026-00031"),
            Key("validity", "有效性", "有效 / 失效 / 废止 / 已修改", "choice", ("有效", "失效", "废止", "已修改"),
                example="有效"),
            Key("needs_interpretation", "需要解读", "yes（默认）/ no；填 no 时必须填写 no_interpretation_reason", "bool",
                example="yes"),
            Key("no_interpretation_reason", "不解读理由", "needs_interpretation 为 no 时必填"),
            Key("disclosure_deadline_override", "公开时限依据", "法律另有规定公开时限时填写依据"),
        ]
    },
    "interpretation": {
        k.name: k
        for k in [
            Key("interprets", "解读的文件", "被解读政策文件的文号（或其网址名 slug）", example="示政发〔2026〕3号"),
            Key("form", "解读形式", "图解 / 文字 / 视频 / 音频 / 动漫 / 问答 / 访谈 / 图文", "choice",
                ("图解", "文字", "视频", "音频", "动漫", "问答", "访谈", "图文"), example="图解"),
            Key("delay_reason", "延迟原因", "超过解读时限发布时填写原因"),
        ]
    },
    "reprint": {
        k.name: k
        for k in [
            Key("source_url", "原文链接", "原文网址", example="https://www.gov.cn/zhengce/content/202611/content_0000001.htm"),
            Key("source_published", "原文发布时间", f"格式 {DATETIME_FMT}", "datetime", example="2026-11-20 08:00"),
            Key("delay_reason", "延迟原因", "超过转载时限时填写原因"),
        ]
    },
    "guide": {
        k.name: k
        for k in [
            Key("item_name", "事项名称", "办事事项的规范名称"),
            Key("legal_basis", "设定依据", "法律法规依据"),
            Key("conditions", "申请条件", "申请人应当具备的条件"),
            Key("materials", "办理材料", "需要提交的材料清单"),
            Key("place", "办理地点", "窗口地址"),
            Key("agency", "办理机构", "受理机构名称"),
            Key("fee", "收费标准", "收费标准及依据，不收费写「不收费」"),
            Key("hours", "办理时间", "工作日及时间段"),
            Key("phone", "联系电话", "咨询电话"),
            Key("process", "办理流程", "受理、审查、决定、送达等步骤"),
            Key("time_limit", "办理时限", "可选，法定/承诺办结时限"),
            Key("forms", "表格下载", "可选，表格附件路径，多个用逗号分隔", "list"),
        ]
    },
    "public-notice": {
        k.name: k
        for k in [
            Key("notice_end", "公示截止", f"可选，公示期截止日期 {DATE_FMT}", "date"),
        ]
    },
    "report": {
        k.name: k
        for k in [
            Key("report_kind", "报告类型", "信息公开年报 / 网站年度报表", "choice", ("信息公开年报", "网站年度报表"),
                example="网站年度报表"),
            Key("report_year", "报告年度", "四位年份，如 2025", example="2025"),
        ]
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "news": ("title", "date", "category", "type", "source"),
    "notice": ("title", "date", "category", "type", "source"),
    "policy": ("title", "date", "category", "type", "source", "doc_number", "issuer", "signed_date", "index_number",
               "validity"),
    "interpretation": ("title", "date", "category", "type", "source", "interprets", "form"),
    "reprint": ("title", "date", "category", "type", "source", "source_url", "source_published"),
    "guide": ("title", "date", "category", "type", "source", "item_name", "legal_basis", "conditions", "materials",
              "place", "agency", "fee", "hours", "phone", "process"),
    "public-notice": ("title", "date", "category", "type", "source"),
    "report": ("title", "date", "category", "type", "source", "report_kind", "report_year"),
    "page": ("title",),
}

GUIDE_ELEMENTS = REQUIRED["guide"][5:]
DOC_TYPES = tuple(REQUIRED)


def keys_for(doc_type: str | None) -> dict[str, Key]:
    keys = dict(COMMON_KEYS)
    if doc_type:
        keys.update(TYPE_KEYS.get(doc_type, {}))
    return keys


ALL_KEYS: dict[str, Key] = dict(COMMON_KEYS)
for _keys in TYPE_KEYS.values():
    ALL_KEYS.update(_keys)
