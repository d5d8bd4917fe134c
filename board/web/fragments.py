"""Parts of a page that depend on a few values only, rendered once per distinct values.

The search page's form repeats the same blocks on almost every search: the "My profile"
panel (the visitor's own profile, the same on all of their searches) and the cost, hands-on
and place fields (mostly empty). Rendered through Jinja each time they were ~4% of the page's
CPU on the distinct-search benchmark. Here a block is a partial template rendered with only
the values it reads, kept by those values: the same values give the same HTML, so nothing
can be stale. A page with a field error in the block renders it fresh (errors carry links
and free text: rare, and not worth remembering)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from markupsafe import Markup

from board.core.templating import environment

MAX_ENTRIES = 2048
_rendered: OrderedDict[tuple[str, Hashable], Markup] = OrderedDict()


def fragment(template: str, values: Mapping[str, Any], key: Hashable | None) -> Markup:
    """`template` rendered with `values`; `key` must hold everything the values say (None:
    do not remember this one)."""
    if key is None:
        return _render(template, values)
    cache_key = (template, key)
    html = _rendered.get(cache_key)
    if html is None:
        html = _rendered[cache_key] = _render(template, values)
        if len(_rendered) > MAX_ENTRIES:
            _rendered.popitem(last=False)
    else:
        _rendered.move_to_end(cache_key)
    return html


def frozen(state: Mapping[str, list[str]], names: tuple[str, ...]) -> tuple:
    """The parameters `names` of a search state as a hashable key."""
    return tuple((name, tuple(state[name])) for name in names if state.get(name))


def _render(template: str, values: Mapping[str, Any]) -> Markup:
    return Markup(environment().get_template(template).render(**values))


def clear() -> None:
    _rendered.clear()
