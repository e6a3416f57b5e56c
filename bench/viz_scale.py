"""Scale check for the HTML view: a synthetic graph of N entities, the time to build its page, and its size.

    python bench/viz_scale.py 1000 3 -o bench/out/viz-1000.html

`synthetic_graph` is also what tests/test_viz.py draws in the browser.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.graph import KnowledgeGraph
from kg.model import Dataset, Entity, Evidence, Qualifier, Source, Statement, Xref
from kg.vocab import load_vocabulary

TYPES = (
    "Drug",
    "Receptor",
    "Neurotransmitter",
    "Metabolite",
    "BiologicalProcess",
    "AnatomicalEntity",
    "Disease",
    "Symptom",
    "AdverseEffect",
    "RiskFactor",
    "Behavior",
)
PREDICATES = (
    "increases",
    "decreases",
    "inhibits",
    "causes",
    "affects",
    "treats",
    "hasSymptom",
    "associatedWith",
    "partOf",
)
WORDS = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "neuro",
    "cortical",
    "synaptic",
    "serotonin",
    "dopamine",
    "kinase",
    "factor",
    "signal",
    "receptor",
    "channel",
    "stress",
    "sleep",
    "mood",
    "pain",
    "fatigue",
    "memory",
)


def synthetic_graph(n_nodes: int = 1000, edges_per_node: float = 2.0, seed: int = 1) -> KnowledgeGraph:
    """A random graph of `n_nodes` typed entities and about `edges_per_node` × n statements, with quotes."""
    rng = random.Random(seed)
    sources = {f"doc{i}": Source(f"doc{i}", f"Synthetic document {i}", f"doc{i}.txt") for i in range(8)}
    entities = {}
    for i in range(n_nodes):
        key = f"e{i:05d}"
        label = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        xrefs = (Xref(f"CHEBI:{10000 + i}"),) if i % 7 == 0 else ()
        entities[key] = Entity(
            key,
            label,
            rng.choice(TYPES),
            synonyms=(f"syn {i}",),
            xrefs=xrefs,
            definition=f"Synthetic entity number {i}.",
        )
    keys = list(entities)
    statements = {}
    for j in range(int(n_nodes * edges_per_node)):
        # preferential attachment: some hubs, as in real mechanism graphs
        s = keys[min(int(rng.paretovariate(1.2)) - 1, n_nodes - 1)] if j % 3 == 0 else rng.choice(keys)
        o = rng.choice(keys)
        if s == o:
            continue
        pred = rng.choice(PREDICATES)
        sid = f"{s}-{pred}-{o}-{j}"
        ev = tuple(
            Evidence(f"doc{rng.randrange(8)}", f"Quote {j}: {entities[s].label} {pred} {entities[o].label}.")
            for _ in range(rng.randint(1, 3))
        )
        status = rng.choices(("asserted", "hedged", "disputed", "negated"), (85, 8, 5, 2))[0]
        quals = (Qualifier("dose", text="low"),) if j % 11 == 0 else ()
        statements[sid] = Statement(
            sid, s, pred, o, ev, quals, status, note="synthetic" if status != "asserted" else ""
        )
    return KnowledgeGraph.create(load_vocabulary(), Dataset(sources, entities, statements))


def main() -> None:
    """Build the page for a synthetic graph and report the time taken."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nodes", type=int, nargs="?", default=1000)
    ap.add_argument("edges_per_node", type=float, nargs="?", default=2.0)
    ap.add_argument("-o", "--output", default="bench/out/viz-scale.html")
    args = ap.parse_args()
    from kg.viz import graph_html, write_html

    t0 = time.perf_counter()
    graph = synthetic_graph(args.nodes, args.edges_per_node)
    t1 = time.perf_counter()
    page = graph_html(graph)
    t2 = time.perf_counter()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    write_html(args.output, page)
    print(
        f"{len(graph.entities)} entities, {len(graph.statements)} statements: graph {t1 - t0:.2f} s, "
        f"page {t2 - t1:.2f} s, {len(page) / 1e6:.2f} MB → {args.output}"
    )


if __name__ == "__main__":
    main()
