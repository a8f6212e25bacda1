"""Compliance rules, one module per area. Importing this package fills the registry."""

from importlib import import_module

MODULES = (
    "config_identity",
    "content_meta",
    "page_footer",
    "page_meta",
    "page_layout",
)

for _name in MODULES:
    import_module(f"{__name__}.{_name}")
