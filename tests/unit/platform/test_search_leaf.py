"""The search adapter is a leaf: nothing under search/ imports `board` or `jobs` (lazy imports
included), and both SearchIndex implementations offer exactly the protocol's calls."""

from __future__ import annotations

import ast
import inspect

from board.settings import ROOT
from search.index import SearchIndex
from search.meili_index import MeiliIndex
from search.memory import MemoryIndex


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_search_imports_nothing_of_board_or_jobs():
    bad = []
    for path in sorted((ROOT / "search").rglob("*.py")):
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name.split(".")[0] in {"board", "jobs"}:
                bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert not bad, bad


def test_both_indexes_have_the_protocols_signatures():
    calls = [n for n, v in vars(SearchIndex).items() if inspect.iscoroutinefunction(v)]
    assert {"search", "run_many", "facet_values", "upsert", "delete"} <= set(calls)
    for impl in (MeiliIndex, MemoryIndex):
        for name in calls:
            assert inspect.signature(getattr(impl, name)) == inspect.signature(
                getattr(SearchIndex, name)), (impl.__name__, name)
