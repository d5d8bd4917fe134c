"""Rules of the code base checked on its source: SQL is never built by string formatting (all
SQL goes through Piccolo's query builder or parameterised `raw(sql, *args)`)."""

from __future__ import annotations

import ast
from pathlib import Path

from board.settings import ROOT

PACKAGES = ("board", "search", "jobs")
SQL_CALLS = {"raw", "querystring", "execute", "executemany", "fetch", "fetchrow", "fetchval",
             "executescript"}


def _is_formatted(node: ast.AST) -> bool:
    """An f-string with a placeholder, a `.format(...)` call or `%` formatting: the ways values
    get pasted into SQL text. (Concatenation is allowed: the importer builds its multi-row
    INSERT from the table's column names and `{}` markers, with every value a parameter.)"""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return True
    return False


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def formatted_sql(source: str, filename: str = "<src>") -> list[str]:
    """`file:line call` for each SQL call whose first argument is built by formatting, also
    through a local variable assigned a formatted string in the same function."""
    tree = ast.parse(source, filename)
    problems = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in [tree, *functions]:
        formatted_names = {
            t.id for n in ast.walk(scope) if isinstance(n, ast.Assign) and _is_formatted(n.value)
            for t in n.targets if isinstance(t, ast.Name)
        }
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or _call_name(node) not in SQL_CALLS or not node.args:
                continue
            first = node.args[0]
            if _is_formatted(first) or (isinstance(first, ast.Name) and first.id in formatted_names):
                problems.append(f"{filename}:{node.lineno} {_call_name(node)}(...)")
    return sorted(set(problems))


def test_the_checker_catches_each_way_of_pasting_values_into_sql():
    bad = '''
async def f(table, name, ids):
    await Opportunity.raw(f"SELECT * FROM x WHERE name = '{name}'").run()
    await conn.execute("DELETE FROM x WHERE id = {}".format(ids))
    await conn.execute("UPDATE x SET a = '%s'" % name)
    sql = f"DROP TABLE {table}"
    await conn.execute(sql)
'''
    assert len(formatted_sql(bad)) == 4, formatted_sql(bad)
    good = '''
async def f(name):
    await Opportunity.raw("SELECT * FROM x WHERE name = {}", name).run()
    await conn.execute("DELETE FROM x WHERE id = $1", name)
    await conn.execute("SELECT " "1")
'''
    assert formatted_sql(good) == []


def test_no_sql_is_built_by_string_formatting_in_the_code_base():
    problems = []
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    assert len(files) > 30  # the scan really reads the code base
    for path in files:
        problems += formatted_sql(path.read_text(encoding="utf-8"), str(Path(path).relative_to(ROOT)))
    assert not problems, "SQL built by formatting (use parameters):\n" + "\n".join(problems)
