"""The option lists of the search page's facets: every value of a facet's vocabulary (zero
counts kept), its count and whether it is selected, as the <li> checkboxes of the list.

A page lists ~250 options. The parts of an option that never change (escaped value and
label, the fixed pieces of its <li>) are built once per process; a page fills in only the
count, the class and `checked`, straight into the HTML (no dict per option) unless a
type-to-filter text needs the options themselves (matching_options)."""

from __future__ import annotations

from functools import cache
from typing import Any

from markupsafe import Markup, escape

from board.browse.labels import BOOL_LABELS, CHOICE_VOCABULARIES
from board.core import vocab
from board.core.search_spec import BOOLEAN_FACETS
from board.core.synonyms import resolve_specialty

LONG_LIST = 12
# Facets with a type-to-filter box (the `facet_q` parameter of the page, never a filter).
SEARCHABLE_FACETS = ("specialty",)


@cache
def _vocabulary(facet: str) -> tuple[tuple[str, str, str, str], ...]:
    """A facet's (value, label, escaped value, escaped label), built once per process: the
    lists are vocabulary-sized (~250 options on a page) and never change while it runs."""
    if facet in BOOLEAN_FACETS:
        yes, no = BOOL_LABELS[facet]
        values = [("true", yes), ("false", no)]
    elif facet == "state":
        values = list(vocab.states().items())
    elif facet == "kind":
        values = [(k, k.capitalize()) for k in vocab.KINDS]
    elif facet in CHOICE_VOCABULARIES:
        values = list(vocab.CHOICES[str(CHOICE_VOCABULARIES[facet])].items())
    else:
        values = [(s, s) for s in vocab.specialties()]
    return tuple((v, label, str(escape(v)), str(escape(label))) for v, label in values)


@cache
def _option_bases(facet: str) -> tuple[dict[str, Any], ...]:
    """Per option the parts that never change: value, label and the two fixed pieces of its
    <li> around the class, checked and count (`_li` fills those in)."""
    name = escape(facet)
    return tuple({"value": v, "label": label,
                  "_head": f'"><input type="checkbox" name="{name}" value="{ev}"',
                  "_mid": f'><span>{el}</span><span class="facet__count" aria-hidden="true">'}
                 for v, label, ev, el in _vocabulary(facet))


def facet_options(facet: str, counts: dict[str, int], selected: tuple[str, ...]
             ) -> list[dict[str, Any]]:
    # The <li> pieces ride along (keys options_html reads): a page escapes nothing twice.
    get = counts.get
    opts = [{**base, "count": get(base["value"], 0), "selected": base["value"] in selected}
            for base in _option_bases(facet)]
    if len(opts) > LONG_LIST:
        opts.sort(key=lambda o: (not o["selected"], -o["count"], o["label"]))
    return opts


def matching_options(options: list[dict[str, Any]], text: str,
                     engine_counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The options a type-to-filter box shows for `text`: labels containing it, values the
    engine's facet search matched (prefix and typo tolerant), and always the selected ones,
    so narrowing the list never drops a checked box from the form."""
    needle = " ".join(text.casefold().split())
    if not needle:
        return options
    engine_counts = engine_counts or {}
    alias = resolve_specialty(text)  # "OBGYN" -> Obstetrics and gynecology
    out = []
    for opt in options:
        if opt["value"] in engine_counts:
            opt = {**opt, "count": engine_counts[opt["value"]]}
        if (opt["selected"] or opt["value"] in engine_counts or opt["value"] == alias
                or needle in opt["label"].casefold()):
            out.append(opt)
    return out


def options_html(title: str, options: list[dict[str, Any]], facet_q: str = "") -> Markup:
    """The <li> checkboxes of one facet list. Built here rather than in a Jinja loop because
    the page lists ~250 options: the loop was most of the page's render time (bench/)."""
    if not options:
        return Markup('<li class="facet__none muted">No {} matches \u201c{}\u201d.</li>').format(
            title.lower(), facet_q)
    return Markup("\n".join([_li(o["count"], o["selected"], o["_head"], o["_mid"])
                              for o in options]))  # every value in them is escaped


def list_html(facet: str, counts: dict[str, int], selected: tuple[str, ...]) -> Markup:
    """options_html(..., facet_options(facet, counts, selected)) without building
    the options: the same markup, in the same order. Most options of a long list have no
    hit and are not selected; their <li> never changes, so it is built once per process."""
    get = counts.get
    parts = _option_parts(facet)
    if len(parts) <= LONG_LIST:  # vocabulary order; `|` (not `or`) so both names are set
        return Markup("\n".join([
            _li(count, chosen, head, mid) if (count := get(v, 0)) | (chosen := v in selected)
            else empty for v, _, head, mid, empty in parts]))
    # Selected first, then by count, then by label: the options with neither come last, in
    # label order. Only the values the engine counted (a few dozen) and the checked ones are
    # visited; the empty <li>s are the facet's prebuilt list with the live ones blanked out
    # (a page's two long lists hold ~200 options, most of them empty).
    index = _long_index(facet)
    live = [(count, v in selected, *row) for v, count in counts.items()
            if count and (row := index.get(v)) is not None]
    live += [(0, True, *index[v]) for v in set(selected)
             if not counts.get(v) and v in index]
    live.sort(key=_long_list_order)
    empties = list(_empty_by_label(facet))
    for row in live:
        empties[row[5]] = ""
    return Markup("\n".join([
        *(_li(count, chosen, head, mid) for count, chosen, _, head, mid, _ in live),
        *filter(None, empties)]))


def _li(count: int, chosen: bool, head: str, mid: str) -> str:
    # aria-label is not allowed on a <span>: screen readers get the count with its unit
    # from a visually hidden sibling, and the bare digits are hidden from them.
    return (f'<li><label class="facet__option{" facet__option--empty" if not count and not chosen else ""}'
            f'{head}{" checked" if chosen else ""}{mid}{count}</span><span class="visually-hidden"> '
            f'{count} listings</span></label></li>')


def _long_list_order(row: tuple[int, bool, str, str, str, int]) -> tuple[bool, int, str]:
    return (not row[1], -row[0], row[2])


@cache
def _option_parts(facet: str) -> tuple[tuple[str, str, str, str, str], ...]:
    """Per option: value, label, the two fixed pieces of its <li>, and its whole <li> when it
    has no hit and is not selected."""
    return tuple((b["value"], b["label"], b["_head"], b["_mid"], _li(0, False, b["_head"], b["_mid"]))
                 for b in _option_bases(facet))


@cache
def _empty_by_label(facet: str) -> tuple[str, ...]:
    """A long list's empty <li>s (no hit, not selected), in label order."""
    return tuple(empty for _, _, _, _, empty in _by_label(facet))


@cache
def _long_index(facet: str) -> dict[str, tuple[str, str, str, int]]:
    """value -> (label, the two fixed pieces of its <li>, its place in _empty_by_label)."""
    return {v: (label, head, mid, at)
            for at, (v, label, head, mid, _) in enumerate(_by_label(facet))}


def _by_label(facet: str) -> list[tuple[str, str, str, str, str]]:
    return sorted(_option_parts(facet), key=lambda p: p[1])


def group_html(name: str, title: str, options: str, *, long: bool, searchable: bool,
               facet_q: str = "") -> Markup:
    """One facet's <fieldset>: its title, a type-to-filter box for long lists (specialty
    through the server, which works without JavaScript via `facet_q`; state in the browser,
    whose box board.js unhides) and its options (`options`: list_html or options_html).
    Written here, not as a Jinja macro: fourteen macro calls (and the import that brought
    the macro in) were ~5% of a search page's CPU. The frame around the options and the
    typed text is the same on every page: built once per facet."""
    head, tail = _group_frame(name, title, long, searchable)
    if searchable:
        head = head.replace(_TYPED, str(escape(facet_q)), 1)
    return Markup(f"{head}{options}{tail}")


# Where a searchable group's typed text goes in its cached frame (never in a title or name).
_TYPED = "\x00facet_q\x00"


@cache
def _group_frame(name: str, title: str, long: bool, searchable: bool) -> tuple[str, str]:
    n, low = escape(name), escape(title.lower())
    if searchable:
        search = (f'\n  <div class="field facet__search">\n'
                  f'    <label for="facet-q-{n}">Find a {low}</label>\n'
                  f'    <input type="search" id="facet-q-{n}" name="facet_q" value="{_TYPED}"\n'
                  f'           maxlength="100" autocomplete="off" aria-controls="facet-list-{n}"\n'
                  f'           data-hx-get="/partials/facet-search" data-hx-include="closest form" '
                  f'data-hx-vals=\'{{"facet": "{n}"}}\'\n'
                  f'           data-hx-target="#facet-list-{n}" data-hx-trigger="keyup changed '
                  f'delay:300ms, search"\n'
                  f'           data-hx-sync="this:replace" data-hx-push-url="false">\n  </div>\n  ')
    elif long:
        search = (f'\n  <div class="field facet__search" data-local-filter hidden>\n'
                  f'    <label for="facet-filter-{n}">Find a {low}</label>\n'
                  f'    <input type="search" id="facet-filter-{n}" maxlength="100" '
                  f'autocomplete="off"\n'
                  f'           aria-controls="facet-list-{n}" data-filter-list="facet-list-{n}">'
                  f'\n  </div>\n  ')
    else:
        search = ""
    return (f'<fieldset class="facet" id="facet-{n}">\n'
            f'  <legend class="facet__title">{escape(title)}</legend>\n  {search}\n'
            f'  <ul class="facet__list{" facet__list--long" if long else ""}" id="facet-list-{n}">\n'
            f'    ', '\n  </ul>\n</fieldset>')
