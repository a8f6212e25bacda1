"""Settings of the sample county portal 示例县人民政府 (fictional: every identifier below is made up)."""

from govsite.theme_filters import FILTERS

# ---- Site identity (网站标识) -------------------------------------------------------------
GOVSITE_NAME = "示例县人民政府"  # 规范名称
SITENAME = GOVSITE_NAME
SITEURL = "https://www.example-county.gov.cn"  # 英文域名 must be www.<name>.gov.cn for a portal
GOVSITE_LEVEL = "county-portal"  # county-portal | department | city-portal | province-portal
GOVSITE_ID_CODE = "5399990001"  # 政府网站标识码: 10 digits (region code + 4) or bm + 8 digits
GOVSITE_REGION_CODE = "539999"  # GB/T 2260 行政区划代码 (fictional)
GOVSITE_ICP = "滇ICP备00000001号-1"  # ICP备案编号
GOVSITE_PSB = "滇公网安备53999902000001号"  # 公安机关备案号
GOVSITE_CONAC_ID = "5a3f1c7e9b2d4f6081a3c5e7f9b1d3e5"  # 党政机关网站标识 registration id (32 hex)
GOVSITE_SPONSOR = "示例县人民政府办公室"  # 主办单位
GOVSITE_OPERATOR = "示例县融媒体中心"  # 承办单位 (optional)
GOVSITE_CONTACT = {
    "phone": "0871-60000000",
    "email": "zfb@example-county.gov.cn",
    "address": "云南省示例县政府路1号",
    "postcode": "659999",
}
GOVSITE_PUBLIC_PHONES = ["0871-60000000", "0871-12345", "12345"]  # office numbers that are not personal data
GOVSITE_INTERACTION_URL = "https://www.example-county.gov.cn/hdjl/"  # 互动交流 (consultation channel)
GOVSITE_PROFILE = "national"  # national | fujian | ningxia | jiangxi | guangzhou

# The sample portal freezes its own "now" so that the README command keeps passing on any future
# date (freshness rules compare dates with now). Real sites delete this line; GOVSITE_NOW overrides it.
GOVSITE_FROZEN_NOW = "2026-11-20T18:00:00+08:00"

# ---- Pelican ----------------------------------------------------------------------------
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["govsite_config", "govsite_content", "govsite_privacy", "govsite_pages", "govsite_a11y"]
JINJA_FILTERS = FILTERS

ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["attachments", "images"]
ARTICLE_URL = "{category}/{date:%Y%m}/t{date:%Y%m%d}_{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = PAGE_URL
CATEGORY_SAVE_AS = ""  # column pages are written by govsite (own items + sub-columns)
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "search", "sitemap", "404"]
PAGINATED_TEMPLATES = {}
DEFAULT_PAGINATION = False
SUMMARY_MAX_LENGTH = 60
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
MARKDOWN = {
    "extensions": ["markdown.extensions.tables", "markdown.extensions.fenced_code", "markdown.extensions.sane_lists"],
    "extension_configs": {},
    "output_format": "html5",
}
# Metadata values (titles, sources, …) are escaped in every template; rendered Markdown is marked |safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
