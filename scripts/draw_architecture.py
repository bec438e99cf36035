"""Draw the packages and their imports from the code: docs/architecture.svg.

Standard library only (ast). Walks the project's own modules (not tests/, bench/, migrations/,
scripts/ or the virtualenv), builds the import graph between top-level packages (core,
accounts, inventory, surge, reports, admin, optimizer, seed, and the app/wsgi entry points),
writes a hand-made SVG (boxes in layers, an arrow per import) and prints the edges.

    python scripts/draw_architecture.py          # writes docs/architecture.svg
    python scripts/draw_architecture.py --check  # exit 1 if the file differs from the code

tests/test_layout_rules.py compares docs/architecture.svg with `svg()` so the picture cannot go
stale: after changing imports, run this script and commit the new SVG.
"""

import ast
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "architecture.svg"
# directories that are not the application's own code
EXCLUDED = {"tests", "bench", "migrations", "scripts", "docs", "static", "templates"}
# the packages drawn, and what each box says under its name
PACKAGES = {
    "app": "assembles the app",
    "wsgi": "gunicorn entry",
    "admin": "administration",
    "surge": "应急调拨 surge",
    "reports": "readiness, weekly PDF",
    "seed": "the demo city",
    "accounts": "users, roles, tokens",
    "inventory": "stock, ledger, cover",
    "optimizer": "pure solver",
    "core": "the platform",
}


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the application: dotted name -> file."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        top = rel.parts[0]
        if top.startswith(".") or top in EXCLUDED:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            modules[".".join(parts)] = path
    return modules


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name `from ... import` refers to (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _most_specific(name: str, modules) -> str | None:
    """The longest prefix of `name` that is a project module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules) -> list[tuple[str, ast.stmt, bool]]:
    """(imported project module, the statement, inside a function?) for each import.

    For `from a.b import c` the target is a.b.c when that is a module, else a.b; `import a.b`
    goes to a.b. No edges to parent packages are added."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = _most_specific(alias.name, modules)
                    if target:
                        found.append((target, child, in_function))
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(module, path, child)
                for alias in child.names:
                    target = _most_specific(f"{base}.{alias.name}", modules)
                    if target:
                        found.append((target, child, in_function))
            visit(child, nested)

    visit(tree, False)
    return [(target, node, inner) for target, node, inner in found if target != module]


def top_level(module: str) -> str:
    return module.split(".")[0]


def package_edges(root: Path = ROOT) -> list[tuple[str, str]]:
    """(importer, imported) between top-level packages, module- and function-level imports."""
    modules = project_modules(root)
    edges = set()
    for module, path in modules.items():
        for target, _node, _inner in imports_of(module, path, modules):
            a, b = top_level(module), top_level(target)
            if a != b and a in PACKAGES and b in PACKAGES:
                edges.add((a, b))
    return sorted(edges)


def layers(edges) -> list[list[str]]:
    """Rows from the top: a package sits one row above the lowest it imports (cycles share)."""
    depth = {p: 0 for p in PACKAGES}
    for _ in range(len(PACKAGES)):  # longest path; bounded so a cycle cannot loop forever
        for a, b in edges:
            depth[a] = max(depth[a], depth[b] + 1) if depth[b] + 1 <= len(PACKAGES) else depth[a]
    rows = {}
    for p in PACKAGES:  # PACKAGES' order keeps each row stable
        rows.setdefault(depth[p], []).append(p)
    return [rows[d] for d in sorted(rows, reverse=True)]


BOX_W, BOX_H, DUMMY_W, GAP_X, GAP_Y, MARGIN, PER_END = 150, 52, 14, 34, 80, 24, 18


def _rows_with_dummies(edges, rows):
    """Sugiyama-style rows: an edge that skips rows passes through a thin dummy slot in each
    row it crosses, so no arrow runs through a box; the slots are ordered by barycentres."""
    row_of = {p: r for r, row in enumerate(rows) for p in row}
    grid = [list(row) for row in rows]
    chains = {}
    for a, b in edges:
        if row_of[a] >= row_of[b]:
            continue
        chain = [a]
        for r in range(row_of[a] + 1, row_of[b]):
            dummy = ("dummy", a, b, r)
            grid[r].append(dummy)
            chain.append(dummy)
        chain.append(b)
        chains[(a, b)] = chain
    links = [(u, v) for chain in chains.values() for u, v in zip(chain, chain[1:], strict=False)]
    for sweep in range(8):  # barycentre sweeps, down then up
        order = range(1, len(grid)) if sweep % 2 == 0 else range(len(grid) - 2, -1, -1)
        for r in order:
            near = grid[r - 1] if sweep % 2 == 0 else grid[r + 1]
            index = {n: i for i, n in enumerate(near)}

            def barycentre(n, index=index, current=grid[r]):
                ends = [index[u] for u, v in links if v == n and u in index]
                ends += [index[v] for u, v in links if u == n and v in index]
                return sum(ends) / len(ends) if ends else current.index(n)

            grid[r].sort(key=barycentre)
    return grid, chains


def svg(root: Path = ROOT) -> str:
    """The picture of the current code, as SVG text."""
    edges = package_edges(root)
    rows = layers(edges)
    grid, chains = _rows_with_dummies(edges, rows)
    degree = {
        p: max(sum(a == p for a, _ in edges), sum(b == p for _, b in edges)) for p in PACKAGES
    }

    def width_of(n):
        return DUMMY_W if isinstance(n, tuple) else max(BOX_W, PER_END * (degree[n] + 1))

    row_widths = [sum(width_of(n) for n in row) + GAP_X * (len(row) - 1) for row in grid]
    width = 2 * MARGIN + max(row_widths)
    height = 2 * MARGIN + 26 + len(grid) * BOX_H + (len(grid) - 1) * GAP_Y
    pos = {}  # node -> (left x, top y, width)
    for r, row in enumerate(grid):
        x = (width - row_widths[r]) / 2
        y = MARGIN + 26 + r * (BOX_H + GAP_Y)
        for n in row:
            pos[n] = (x, y, width_of(n))
            x += width_of(n) + GAP_X
    row_of = {n: r for r, row in enumerate(grid) for n in row}

    def centre(n):
        return pos[n][0] + pos[n][2] / 2

    # spread the arrows' ends along each box's bottom (out) and top (in) edges, by direction
    first_hop = {e: chain[1] for e, chain in chains.items()}
    last_hop = {e: chain[-2] for e, chain in chains.items()}
    out_at, in_at = {}, {}
    for p in PACKAGES:
        outs = sorted((e for e in chains if e[0] == p), key=lambda e: centre(first_hop[e]))
        ins = sorted((e for e in chains if e[1] == p), key=lambda e: centre(last_hop[e]))
        for i, e in enumerate(outs):
            out_at[e] = pos[p][0] + pos[p][2] * (i + 1) / (len(outs) + 1)
        for i, e in enumerate(ins):
            in_at[e] = pos[p][0] + pos[p][2] * (i + 1) / (len(ins) + 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">',
        "<title>Packages and their imports</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="14" fill="#222">'
        "An arrow points from the importer to the package it imports</text>",
    ]
    for (a, b), chain in sorted(chains.items()):
        points = [(out_at[(a, b)], pos[a][1] + BOX_H)]
        for dummy in chain[1:-1]:
            x, y, w = pos[dummy]
            points += [(x + w / 2, y), (x + w / 2, y + BOX_H)]
        points.append((in_at[(a, b)], pos[b][1]))
        d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            if x1 == x2:
                d += f" L{x2:.1f},{y2:.1f}"
            else:
                mid = (y1 + y2) / 2
                d += f" C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
        out.append(
            f'<path d="{d}" fill="none" stroke="#555" stroke-width="1.3" opacity="0.85" '
            f'marker-end="url(#arrow)"><title>{a} → {b}</title></path>'
        )
    for a, b in edges:  # same row or upwards: a cycle, drawn in red above the boxes
        if row_of[a] < row_of[b]:
            continue
        x1, x2 = centre(a), centre(b)
        y1, y2 = pos[a][1], pos[b][1]
        top = min(y1, y2) - GAP_Y * 0.6
        out.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{top:.1f} {x2:.1f},{top:.1f} {x2:.1f},'
            f'{y2:.1f}" fill="none" stroke="#c0392b" stroke-width="1.6" '
            f'marker-end="url(#arrow)"><title>{a} → {b} (cycle)</title></path>'
        )
    colours = {"core": "#dbe9f6", "optimizer": "#e3f1df", "app": "#f6ead8", "wsgi": "#f6ead8"}
    for p in PACKAGES:
        x, y, w = pos[p]
        name = f"{p}.py" if p in ("app", "wsgi") else f"{p}/"
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{BOX_H}" rx="6" '
            f'fill="{colours.get(p, "#f4f4f4")}" stroke="#333" stroke-width="1.2"/>'
        )
        out.append(
            f'<text x="{x + w / 2:.1f}" y="{y + 22:.1f}" text-anchor="middle" '
            f'font-size="15" font-weight="bold" fill="#111">{escape(name)}</text>'
        )
        out.append(
            f'<text x="{x + w / 2:.1f}" y="{y + 41:.1f}" text-anchor="middle" '
            f'font-size="12" fill="#444">{escape(PACKAGES[p])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    for a, b in package_edges():
        print(f"{a} -> {b}")
    text = svg()
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python scripts/draw_architecture.py")
            return 1
        return 0
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
