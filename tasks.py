"""invoke tasks for govsite. Run `.venv/bin/invoke --list` to see them all.

Each area keeps its tasks in tasks_ext/<area>.py; this file collects every task found there.
"""

import importlib
import pkgutil

from invoke import Collection, Task

import tasks_ext

ns = Collection()
for _mod in sorted(m.name for m in pkgutil.iter_modules(tasks_ext.__path__)):
    module = importlib.import_module(f"tasks_ext.{_mod}")
    for _name, _obj in sorted(vars(module).items()):
        if isinstance(_obj, Task) and _obj.__module__ == module.__name__:
            ns.add_task(_obj)
