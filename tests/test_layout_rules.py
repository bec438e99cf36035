"""The layout's rules, checked on the code itself (ast; nothing is imported or run).

- no import cycle between modules (module-level imports);
- core/ imports no domain package (accounts, admin, inventory, surge, reports, seed, app, wsgi);
- optimizer/ is pure: no flask, flask_*, sqlalchemy, sqlmodel, alembic, werkzeug or core;
- an import inside a function says why, in a comment on its line or the line above that
  starts with `# local import:` (e.g. `# local import: WeasyPrint takes 1 s to import`);
- no production function over 80 lines (def line to last line, decorators excluded) and no
  production module over 400 lines (production: all but tests/, bench/, migrations/versions/
  and scripts/);
- docs/architecture.svg is what scripts/draw_architecture.py draws from the current code.

The import graph has an edge from a module to the most specific project module it imports:
for `from a.b import c` to a.b.c when that is a module, else to a.b; none to parent packages.
"""

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "draw_architecture", ROOT / "scripts" / "draw_architecture.py"
)
draw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(draw)

DOMAIN = {"accounts", "admin", "inventory", "surge", "reports", "seed", "app", "wsgi"}
IMPURE = {"flask", "sqlalchemy", "sqlmodel", "alembic", "werkzeug", "core"}
LOCAL_IMPORT_MARK = "# local import:"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400
NOT_PRODUCTION = ("tests", "bench", "scripts", "migrations/versions")

MODULES = draw.project_modules(ROOT)


def _imports():
    """(module, target project module, statement, inside a function?) for every import."""
    for module, path in MODULES.items():
        for target, node, inner in draw.imports_of(module, path, MODULES):
            yield module, target, node, inner


def _all_import_statements(module):
    """Every import statement of a module, project or not, with whether it is in a function."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []

    def visit(node, inner):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, inner))
            visit(child, inner or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return found


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(result)


def test_no_import_cycle_between_modules():
    graph = {}
    for module, target, _node, inner in _imports():
        if not inner:
            graph.setdefault(module, set()).add(target)
    cycles = _cycles(graph)
    details = []
    for component in cycles:
        members = set(component)
        edges = sorted(f"{a} -> {b}" for a in component for b in graph.get(a, ()) if b in members)
        details.append(", ".join(component) + "\n      " + "\n      ".join(edges))
    assert not cycles, "import cycles (module-level imports):\n  " + "\n  ".join(details)


def test_core_imports_no_domain_package():
    found = sorted(
        f"{module}:{node.lineno} imports {target}"
        for module, target, node, _inner in _imports()
        if draw.top_level(module) == "core" and draw.top_level(target) in DOMAIN
    )
    assert not found, "core/ must not import a domain package:\n  " + "\n  ".join(found)


def test_optimizer_is_pure():
    found = []
    for module in MODULES:
        if draw.top_level(module) != "optimizer":
            continue
        for node, _inner in _all_import_statements(module):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue  # relative: inside the optimizer
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in IMPURE or top.startswith("flask_"):
                    found.append(f"{module}:{node.lineno} imports {name}")
    assert not found, "optimizer/ must stay pure:\n  " + "\n  ".join(sorted(found))


def test_imports_inside_functions_say_why():
    found = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, inner in _all_import_statements(module):
            if not inner:
                continue
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if LOCAL_IMPORT_MARK not in here and not above.startswith(LOCAL_IMPORT_MARK):
                found.append(f"{module}:{node.lineno}: {here.strip()}")
    assert not found, (
        f"an import inside a function needs a '{LOCAL_IMPORT_MARK} <why>' comment on its line "
        "or the line above:\n  " + "\n  ".join(sorted(found))
    )


def _production_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(".") or any(rel.startswith(p + "/") for p in NOT_PRODUCTION):
            continue
        yield rel, path


def test_production_modules_and_functions_are_short():
    found = []
    for rel, path in _production_files():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{rel}: module of {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # decorators come before lineno
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{rel}:{node.lineno} {node.name}(): {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    assert not found, "too long:\n  " + "\n  ".join(found)


def test_test_bench_and_script_modules_are_short():
    """Tests, benchmarks and scripts are read as often as the code: at most 400 lines a module
    too (their functions may be longer: a test reads top to bottom)."""
    found = []
    for folder in ("tests", "bench", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                found.append(f"{path.relative_to(ROOT).as_posix()}: {lines} lines")
    assert not found, f"modules over {MAX_MODULE_LINES} lines:\n  " + "\n  ".join(found)


def test_architecture_picture_is_current():
    drawn = draw.svg(ROOT)
    stored = (ROOT / "docs" / "architecture.svg").read_text(encoding="utf-8")
    assert stored == drawn, (
        "docs/architecture.svg does not show the current imports: "
        "run `python scripts/draw_architecture.py` and commit docs/architecture.svg"
    )
