"""The web app's route handlers, grouped by page family: every module in this package that
defines `HANDLERS` contributes its handlers, so a new page family is one new module."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def route_handlers() -> list[Any]:
    handlers: list[Any] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        handlers.extend(getattr(module, "HANDLERS", []))
    return handlers
