"""The import direction, checked on the source (lazy imports inside functions count too):

- `search` imports nothing of `board` or `jobs` (documents in, results out);
- of `board`, only the composition roots import `jobs` (jobs sits on top);
- web code (board.web and every feature's views/api modules) is imported only by web code and
  the composition roots;
- a feature imports core, store, mail, settings and the public modules of another feature
  (services, queries, status, visibility, schemas, labels...), never its views, api, tasks,
  commands or emails, and never a name starting with `_` from another module;
- there are no import circles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from board.settings import ROOT

ROOTS = {"board.app", "board.cli", "board.serve", "board.routes", "board.__main__"}
SHARED = {"core", "store", "mail", "settings", "runtime", "piccolo_conf", "piccolo_app"}
INTERNAL = {"views", "api", "tasks", "commands", "emails"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, name: str, known: set[str]) -> list[tuple[str, set[str]]]:
    """(imported module, names taken from it) for each import; `from pkg import mod` counts as
    importing the module `pkg.mod` when that module exists."""
    found: list[tuple[str, set[str]]] = []
    package = name if name in known and not name.count(".") == 0 else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub, set()) if sub in known else (base, {alias.name}))
    return [(mod, names) for mod, names in found if mod.split(".")[0] in ("board", "search", "jobs")]


def is_web(mod: str) -> bool:
    last = mod.rsplit(".", 1)[-1]
    return mod.startswith("board.web") or last in {"views", "api"} or last.endswith("_views")


def feature_of(mod: str) -> str | None:
    parts = mod.split(".")
    if parts[0] != "board" or len(parts) < 3 or parts[1] in SHARED | {"web"}:
        return None
    return parts[1]


def problems_in(sources: dict[str, str]) -> list[str]:
    known = set(sources)
    graph: dict[str, set[str]] = defaultdict(set)
    problems: list[str] = []
    for mod, source in sources.items():
        for target, names in imports_of(source, mod, known):
            if target not in known:
                continue
            graph[mod].add(target)
            here, there = feature_of(mod), feature_of(target)
            if mod.startswith("search") and not target.startswith("search"):
                problems.append(f"{mod} imports {target}: search is a leaf")
            if mod.startswith("board") and target.startswith("jobs") and mod not in ROOTS:
                problems.append(f"{mod} imports {target}: only composition roots import jobs")
            if is_web(target) and not is_web(mod) and mod not in ROOTS:
                problems.append(f"{mod} imports web code {target}")
            if here and there and here != there and target.rsplit(".", 1)[-1] in INTERNAL:
                problems.append(f"{mod} imports {target}: another feature's internals")
            if target != mod and any(n.startswith("_") and not n.startswith("__") for n in names):
                problems.append(f"{mod} imports private {sorted(names)} from {target}")
    problems += [f"import circle: {' -> '.join(c)}" for c in circles(graph)]
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def code_base() -> dict[str, str]:
    files = [p for pkg in ("board", "search", "jobs") for p in (ROOT / pkg).rglob("*.py")
             if "piccolo_migrations" not in p.parts]
    return {module_name(p): p.read_text(encoding="utf-8") for p in files}


def test_the_checker_finds_each_kind_of_wrong_import():
    sources = {
        "search.engine": "from board.settings import Settings\n",
        "board.settings": "",
        "board.listings.services": "def f():\n    from jobs.table import JOBS\n",
        "jobs.table": "",
        "board.digests.subscriptions": "from board.browse.views import chips\n",
        "board.browse.views": "",
        "board.digests.tasks": "from board.listings.tasks import expire\n",
        "board.listings.tasks": "from board.browse.params import _values\n",
        "board.browse.params": "from board.browse.labels import x\n",
        "board.browse.labels": "import board.browse.params\n",
    }
    problems = "\n".join(problems_in(sources))
    assert "search.engine imports board.settings" in problems
    assert "board.listings.services imports jobs.table" in problems
    assert "board.digests.subscriptions imports web code board.browse.views" in problems
    assert "board.digests.tasks imports board.listings.tasks: another feature's internals" in problems
    assert "private ['_values']" in problems
    assert "import circle: board.browse.labels -> board.browse.params" in problems
    clean = {"board.core.geo": "", "board.listings.services": "from board.core import geo\n",
             "board.browse.views": "from board.listings import services\n"}
    assert problems_in(clean) == []


def test_the_code_base_keeps_the_import_direction():
    sources = code_base()
    assert len(sources) > 60 and "board.app" in sources  # the scan really reads the code
    problems = problems_in(sources)
    assert not problems, "import rules broken:\n" + "\n".join(problems)


def test_board_holds_only_composition_roots_at_its_top():
    top = sorted(p.name for p in (ROOT / "board").glob("*.py"))
    assert len(top) <= 12, top
