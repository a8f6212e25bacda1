"""Compliance rules, one module per area. Importing this package fills the registry.

Modules are imported in name order; a module that attaches a check to another module's rule
(``@check``) must sort after the module that defines it (e.g. config_identity → page_footer).
"""

import pkgutil
from importlib import import_module

MODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name != "patterns"))

for _name in MODULES:
    import_module(f"{__name__}.{_name}")
