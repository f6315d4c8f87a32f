"""The shape of the house, checked from the source with `ast` so that it stays true.

- No import circle between the packages and top-level modules of `src/tocsin`: any import
  counts, at the top, inside a function or under TYPE_CHECKING.
- Domain packages never import the top of the house (`app`, `cli`, `scheduler`, `web`).
- The pure cores (`sharing`, `indicators`) import no I/O library and no storage.
- No module outside the migrations is over 400 lines.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tocsin"
TOP = frozenset({"app", "cli", "scheduler", "web"})
PURE = ("sharing", "indicators")
IO_LIBRARIES = frozenset({
    "sqlalchemy", "httpx", "aiosmtplib", "nats", "fastapi", "starlette", "sse_starlette",
    "psycopg", "socket", "requests", "urllib.request", "asyncio", "subprocess",
    "tocsin.db", "tocsin.state", "tocsin.bus", "tocsin.mailer",
})  # fmt: skip
MAX_LINES = 400


def _unit(module: str) -> str:
    """The package or top-level module a dotted name belongs to: tocsin.alerts.x -> alerts."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(SRC.parent).with_suffix("").parts): path
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
    }


def _imports(path: Path) -> set[str]:
    """Every module an import statement of the file names, however deep in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def package_graph() -> dict[str, set[str]]:
    """unit -> units it imports (tocsin's own, not itself)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in _modules().items():
        me = _unit(module)
        for target in _imports(path):
            if target.startswith("tocsin.") and _unit(target) != me:
                graph[me].add(_unit(target))
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_packages() -> None:
    graph = package_graph()
    assert {"alerts", "delivery", "responses"} <= graph["publication"]  # the graph is read
    assert circles(graph) == []


def test_domains_never_import_the_top_of_the_house() -> None:
    upward = sorted(
        f"{unit} -> {target}"
        for unit, targets in package_graph().items()
        if unit not in TOP
        for target in targets & TOP
    )
    assert upward == []


def test_pure_cores_import_no_io() -> None:
    impure = sorted(
        f"{module} imports {target}"
        for module, path in _modules().items()
        if _unit(module) in PURE
        for target in _imports(path)
        if any(target == lib or target.startswith(f"{lib}.") for lib in IO_LIBRARIES)
    )
    assert impure == []


def test_no_module_is_over_four_hundred_lines() -> None:
    long = sorted(
        f"{module}: {lines} lines"
        for module, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )
    assert long == []
