"""Figures of the package's import graph: modules, edges, cycles, levels (run by hand).

    python bench/import_graph.py            # the checkout this file is in
    python bench/import_graph.py /path/to/other/checkout

Counts only imports between ``bot`` modules, including those under ``TYPE_CHECKING``
(they are still a dependency a reader follows) and those inside functions.  A cycle is
a strongly connected component of more than one module; the levels are the longest
import chain of the graph once each cycle is folded into one node.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp: set[str] = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    sys.path.insert(0, str(root))
    g = grimp.build_graph("bot", cache_dir=None)
    modules = sorted(m for m in g.modules if not m.endswith("__main__"))
    graph = {
        m: {i for i in g.find_modules_directly_imported_by(m) if i in modules} for m in modules
    }
    # a package imports its own submodules only through its __init__; leave those edges out
    graph = {m: {i for i in deps if not i.startswith(m + ".")} for m, deps in graph.items()}
    edges = sum(len(v) for v in graph.values())
    comps = strongly_connected(graph)
    cycles = [sorted(c) for c in comps if len(c) > 1]
    of = {m: i for i, c in enumerate(comps) for m in c}
    dag: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    for m, deps in graph.items():
        dag[of[m]].update(of[d] for d in deps if of[d] != of[m])
    level: dict[int, int] = {}

    def depth(i: int) -> int:
        if i not in level:
            level[i] = 1 + max((depth(j) for j in dag[i]), default=0)
        return level[i]

    levels = max(depth(i) for i in dag)
    print(
        f"{root}: {len(modules)} modules, {edges} import edges, {levels} levels, "
        f"{len(cycles)} cycle(s)"
    )
    for c in cycles:
        print("  cycle:", " <-> ".join(c))


if __name__ == "__main__":
    main()
