"""Paths: typical and hub pairs, warm `kg how`, and the alternatives measured beside it (networkx, igraph)."""

from __future__ import annotations

import statistics
import time
from itertools import islice, pairwise
from typing import Any

from bench.generate import HUB_PAIRS
from bench.measure.proc import NA, median


def typical_entities(graph) -> dict[str, str]:
    """The median-degree non-hub entity of each class (by outgoing edges for causes, incoming for effects)."""
    from kg.paths import SignedGraph

    sg = SignedGraph(graph)
    hubs = {k for pair in HUB_PAIRS for k in pair}
    effects = {"Symptom", "Disease", "PhenotypicFeature", "AdverseEffect"}
    by_class: dict[str, list[str]] = {}
    for k, e in graph.entities.items():
        if k not in hubs and k in (sg.redges if e.type in effects else sg.edges):
            by_class.setdefault(e.type, []).append(k)
    chosen = {}
    for cls, keys in by_class.items():
        mid = statistics.median(sg.degree[k] for k in keys)
        chosen[cls] = min(keys, key=lambda k: (abs(sg.degree[k] - mid), len(k), k))
    return chosen


def typical_pairs(graph) -> list[tuple[str, str]]:
    """Pairs of ordinary entities: the median-degree drug, receptor and metabolite to a median symptom or disease."""
    typical = typical_entities(graph)
    wanted = (("Drug", "Symptom"), ("Receptor", "Disease"), ("Metabolite", "Symptom"))
    return [(typical[a], typical[b]) for a, b in wanted if a in typical and b in typical]


def warm_how(graph, pairs: list[tuple[str, str]], runs: int) -> list[dict[str, Any]]:
    """In-process `kg.paths.how(graph, a, b, top=5)`: median time, result code, paths, and any limit hit."""
    from kg.paths import how

    out = []
    for a, b in pairs:
        times = []
        answer = None
        for _ in range(runs):
            t0 = time.perf_counter()
            answer = how(graph, a, b, top=5)
            times.append(time.perf_counter() - t0)
        out.append(
            {
                "pair": f"{a} → {b}",
                "median_s": median(times),
                "first_s": round(times[0], 4),
                "code": answer.code,
                "effect": answer.effect,
                "paths": len(answer.paths),
                "limited": answer.limited,
            }
        )
    return out


def step_digraph(graph):
    """The entity-level networkx DiGraph of the steps kg.paths walks (causal and clinical, not negated)."""
    import networkx as nx

    from kg.paths import SignedGraph

    g = nx.DiGraph()
    for sts in SignedGraph(graph).edges.values():
        g.add_edges_from((st.subject, st.object) for st in sts)
    return g


def simple_paths(g, a: str, b: str, budget: float, cutoff: int = 4) -> dict[str, Any]:
    """How many simple paths of ≤ `cutoff` hops networkx.all_simple_paths finds within `budget` seconds."""
    import networkx as nx

    count = 0
    complete = True
    t0 = time.perf_counter()
    if a in g and b in g:
        for i, _ in enumerate(nx.all_simple_paths(g, a, b, cutoff=cutoff), 1):
            count = i
            if not i % 256 and time.perf_counter() - t0 > budget:
                complete = False
                break
    seconds = round(time.perf_counter() - t0, 3)
    return {
        "pair": f"{a} → {b}",
        "count": count,
        "complete": complete,
        "seconds": seconds,
        "cutoff": cutoff,
        "budget_s": budget,
    }


def yen_top5(g, a: str, b: str, runs: int) -> float | str:
    """Median seconds for the 5 shortest simple paths with networkx.shortest_simple_paths (Yen)."""
    import networkx as nx

    if a not in g or b not in g or not nx.has_path(g, a, b):
        return NA
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        list(islice(nx.shortest_simple_paths(g, a, b), 5))
        times.append(time.perf_counter() - t0)
    return median(times)


def state_graph(graph):
    """kg how's signed state graph as python-igraph and networkx graphs: a vertex per (entity, sign) for signs
    +, − and unknown, an edge (n, s) → (m, s·σ) for each step n → m of sign σ with the step's cost in kg.paths (the
    cheapest of parallel claims of one sign, as kg.paths.SignedGraph.adjacency keeps). The same graph and costs
    kg.paths.find_paths searches."""
    import igraph as ig
    import networkx as nx

    from kg.paths import signed_graph

    adj = signed_graph(graph).adjacency()
    index: dict[tuple[str, int], int] = {}
    for n in sorted(set(adj) | {m for steps in adj.values() for m, *_ in steps}):
        for s in (1, -1, 0):
            index[(n, s)] = len(index)
    edges, costs = [], []
    for n, steps in adj.items():
        for m, sigma, cost, _ in steps:
            for s in (1, -1, 0):
                edges.append((index[(n, s)], index[(m, s * sigma)]))
                costs.append(cost)
    g = ig.Graph(n=len(index), edges=edges, directed=True)
    g.es["cost"] = costs
    nxg = nx.DiGraph()
    nxg.add_weighted_edges_from(((u, v, c) for (u, v), c in zip(edges, costs, strict=True)), weight="cost")
    return index, g, nxg


def k_shortest(graph, pairs: list[tuple[str, str]], runs: int, top: int = 5) -> list[dict[str, Any]] | str:
    """kg's k-shortest search against python-igraph's and networkx's Yen on the same signed state graph and costs.

    Each side finds the `top` cheapest paths from (a, +) to each of (b, +), (b, −), (b, unknown): up to 3 × top
    paths. kg.paths.find_paths: A* over signed states, paths simple in entities, at most 6 hops; timed fresh (its
    memo of the backward bound to b cleared before each run) and warm; `kg how` (kg.paths.how) also searches the
    chains that start at the subject's molecular targets (and, if needed, without disputed claims), so it is timed
    whole beside it. igraph Graph.get_k_shortest_paths and networkx shortest_simple_paths: Yen's algorithm, paths
    simple in states (an entity may come back with another sign), no hop limit; called once per end sign."""

    from kg.paths import find_paths, how, signed_graph

    try:
        import igraph  # noqa: F401  (the benchmark's alone: pip install igraph)
    except ImportError:
        return NA
    t0 = time.perf_counter()
    index, g, nxg = state_graph(graph)
    built = round(time.perf_counter() - t0, 3)
    sg = signed_graph(graph)
    out = []
    for a, b in pairs:
        if (a, 1) not in index or not any((b, s) in index for s in (1, -1, 0)):
            continue
        ends = [index[(b, s)] for s in (1, -1, 0) if (b, s) in index]
        fresh, warm, whole, lib_ig, lib_nx = [], [], [], [], []
        kg_costs, ig_costs = [], []
        for _ in range(runs):
            sg._backward.clear()
            t = time.perf_counter()
            paths, _ = find_paths(graph, a, b, top=top)
            fresh.append(time.perf_counter() - t)
            t = time.perf_counter()
            find_paths(graph, a, b, top=top)
            warm.append(time.perf_counter() - t)
            sg._backward.clear()
            t = time.perf_counter()
            how(graph, a, b, top=top)
            whole.append(time.perf_counter() - t)
            t = time.perf_counter()
            found = [g.get_k_shortest_paths(index[(a, 1)], to=e, k=top, weights="cost", mode="out") for e in ends]
            lib_ig.append(time.perf_counter() - t)
            t = time.perf_counter()
            for e in ends:
                list(islice(_nx_paths(nxg, index[(a, 1)], e), top))
            lib_nx.append(time.perf_counter() - t)
            kg_costs = sorted(p.cost for p in paths)
            ig_costs = sorted(
                round(sum(g.es[g.get_eid(u, v)]["cost"] for u, v in pairwise(p)), 3) for r in found for p in r
            )
        best = min(median(lib_ig), median(lib_nx))
        out.append(
            {
                "pair": f"{a} → {b}",
                "kg_find_fresh_s": median(fresh),
                "kg_find_warm_s": median(warm),
                "kg_how_fresh_s": median(whole),
                "igraph_s": median(lib_ig),
                "networkx_s": median(lib_nx),
                "ratio_find": round(median(fresh) / best, 2),
                "ratio_how": round(median(whole) / best, 2),
                "paths": len(kg_costs),
                "library_paths": len(ig_costs),
                "same_costs": kg_costs == ig_costs,
                "cheapest": [kg_costs[:1], ig_costs[:1]],
                "state_graph_build_s": built,
            }
        )
    return out


def _nx_paths(g, source: int, target: int):
    import networkx as nx

    if not nx.has_path(g, source, target):
        return iter(())
    return nx.shortest_simple_paths(g, source, target, weight="cost")
