"""Paths: typical and hub pairs, warm `kg how`, and the alternatives measured beside it (networkx, igraph)."""

from __future__ import annotations

import statistics
import time
from itertools import islice
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
