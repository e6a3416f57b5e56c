"""Benchmark SPARQL engines side by side on mechkg's named queries: rdflib, rdflib over oxrdflib, pyoxigraph.

Two graphs: the real built graph, and a synthetic graph of ~100k triples made by `synthetic_graph`
(the real graph's data replicated under renamed IRIs, with seeded cross-links between copies so that
hubs and long chains exist, plus the ontology once). Each engine loads the N-Triples and runs every
named query with its default parameters; each engine runs in its own forked process (so memory is
measured separately) and each query under a time limit. Row counts are compared across engines.
A last section times a cold `kg sparql` process (persisted store) against re-parsing with rdflib.

    python bench/sparql_engines.py                      # writes bench/results/sparql_engines.{json,md}
    python bench/sparql_engines.py --triples 20000 --repeat 3

Never run as a unit test (see ARCHITECTURE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store import QueryTimeout, run_with_timeout  # noqa: E402

_OUR_IRI = re.compile(r"<https://w3id\.org/mechkg/(entity|statement|source)/([^>/]+)((?:/[^>]*)?)>")
ENGINES = ("rdflib", "oxrdflib", "pyoxigraph")


def real_graph_lines() -> list[str]:
    """The real graph's N-Triples lines (built or read from the cache)."""
    from kg.build import load_graph
    from kg.export import ntriples

    return [line for line in ntriples(load_graph()).splitlines() if line.strip()]


def synthetic_graph(lines: list[str], target: int = 100_000, seed: int = 7, share: float = 0.15) -> list[str]:
    """~`target` triples: the data replicated with renamed IRIs (copy 0 keeps the real names), ontology once.

    In each copy an entity is, with probability `share`, replaced by the same entity of an earlier copy,
    so copies are linked into one graph with hubs, as real graphs are.
    """
    rng = random.Random(seed)
    ontology = [ln for ln in lines if not _OUR_IRI.search(ln)]
    data = [ln for ln in lines if _OUR_IRI.search(ln)]
    entities = sorted({m.group(2) for ln in data for m in _OUR_IRI.finditer(ln) if m.group(1) == "entity"})
    copies = max(1, -(-(target - len(ontology)) // max(1, len(data))))
    out: set[str] = set(ontology)
    for k in range(copies):
        owner = {e: (rng.randrange(k) if k and rng.random() < share else k) for e in entities}

        def rename(m: re.Match, k: int = k, owner: dict = owner) -> str:
            kind, name, rest = m.groups()
            copy = owner.get(name, k) if kind == "entity" else k
            return f"<https://w3id.org/mechkg/{kind}/{name}{'' if copy == 0 else f'__c{copy}'}{rest}>"

        out.update(_OUR_IRI.sub(rename, ln) for ln in data)
        if len(out) >= target:
            break
    return sorted(out)


def named_queries() -> list[tuple[str, str, dict[str, tuple[str, str]]]]:
    """(name, text, {param: (kind, value)}) for every named query, parameters at their defaults."""
    from kg.query import list_queries
    from kg.vocab import ENT, SRC

    out = []
    for q in list_queries():
        params = {}
        for p in q.params:
            if p.default is None:
                continue
            if p.type == "entity":
                params[p.name] = ("iri", ENT + p.default)
            elif p.type == "source":
                params[p.name] = ("iri", SRC + p.default)
            elif p.type == "integer":
                params[p.name] = ("integer", p.default)
            else:
                params[p.name] = ("string", p.default)
        out.append((q.name, q.text, params))
    return out


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Runner:
    """Load a graph into one engine and run queries on it; `run` returns the number of results."""

    def __init__(self, engine: str, nt_path: Path) -> None:
        from kg.vocab import prefixes

        self.engine = engine
        self.prefixes = prefixes()
        if engine == "pyoxigraph":
            import pyoxigraph as ox

            self.store = ox.Store()
            self.store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES)
        else:
            import rdflib

            if engine == "rdflib":
                self.graph = rdflib.Graph()
                self.graph.parse(str(nt_path), format="nt")
            else:
                self.graph = rdflib.Graph(store="Oxigraph")
                self.graph.parse(str(nt_path), format="ox-nt")

    def run(self, text: str, params: dict[str, tuple[str, str]]) -> int:
        """Run one query to completion; the number of rows, triples, or 0/1 for ASK."""
        xsd = "http://www.w3.org/2001/XMLSchema#"
        if self.engine == "pyoxigraph":
            import pyoxigraph as ox

            def term(kind: str, value: str):
                if kind == "iri":
                    return ox.NamedNode(value)
                if kind == "integer":
                    return ox.Literal(value, datatype=ox.NamedNode(xsd + "integer"))
                return ox.Literal(value)

            subs = {ox.Variable(k): term(*v) for k, v in params.items()}
            res = self.store.query(text, prefixes=self.prefixes, substitutions=subs or None)
            if isinstance(res, ox.QueryBoolean):
                return int(bool(res))
            return sum(1 for _ in res)
        import rdflib

        def rterm(kind: str, value: str):
            if kind == "iri":
                return rdflib.URIRef(value)
            if kind == "integer":
                return rdflib.Literal(value, datatype=rdflib.XSD.integer)
            return rdflib.Literal(value)

        res = self.graph.query(text, initNs=self.prefixes, initBindings={k: rterm(*v) for k, v in params.items()})
        if res.type == "ASK":
            return int(bool(res.askAnswer))
        return sum(1 for _ in res)


def bench_engine(engine: str, nt_path: Path, queries, repeat: int, limit: float) -> dict:
    """Load time, memory and per-query median time and result count for one engine (run in a child)."""
    before = _rss_mb()
    t0 = time.perf_counter()
    runner = Runner(engine, nt_path)
    load = time.perf_counter() - t0
    held = _rss_mb() - before
    results = {}
    for name, text, params in queries:

        def timed(text=text, params=params) -> tuple[float, int]:
            t = time.perf_counter()
            n = runner.run(text, params)
            return time.perf_counter() - t, n

        times, count, status = [], None, "ok"
        for _ in range(repeat):
            try:
                seconds, count = run_with_timeout(timed, limit)
            except QueryTimeout:
                status = f"timeout>{limit:g}s"
                break
            times.append(seconds)
            if seconds * repeat > limit:  # slow engine: one or two runs are enough
                break
        results[name] = {
            "median_ms": round(statistics.median(times) * 1000, 2) if times else None,
            "runs": len(times),
            "count": count,
            "status": status,
        }
    return {"load_s": round(load, 3), "rss_mb": round(held, 1), "queries": results}


def in_child(fn: Callable[[], dict], limit: float) -> dict:
    """Run fn in a forked child (fresh memory accounting), with an overall time limit."""
    try:
        return run_with_timeout(fn, limit)
    except QueryTimeout:
        return {"error": f"timeout>{limit:g}s"}


def cold_process(repeat: int) -> dict:
    """Seconds for a whole `kg sparql` process (persisted store) vs a process that re-parses with rdflib."""
    from kg.build import load_graph

    graph = load_graph()
    nt = graph.cache_dir / "graph.nt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kg_cmd = [sys.executable, "-m", "kg", "sparql", "mechanism-chain", "-f", "json"]
    rdflib_cmd = [
        sys.executable,
        "-c",
        "import sys, rdflib; from kg.query import get_query; from kg.vocab import prefixes, ENT;"
        f"g = rdflib.Graph(); g.parse({str(nt)!r}, format='nt');"
        "r = g.query(get_query('mechanism-chain').text, initNs=prefixes(),"
        " initBindings={'drug': rdflib.URIRef(ENT + 'ketamine')});"
        "sys.stdout.write(r.serialize(format='json').decode())",
    ]
    subprocess.run(kg_cmd, env=env, cwd=ROOT, capture_output=True, check=True)  # builds the store once
    out = {}
    for label, cmd in (("kg sparql (persisted pyoxigraph store)", kg_cmd), ("python + rdflib re-parse", rdflib_cmd)):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        out[label] = round(statistics.median(times), 3)
    return out


def import_times() -> dict:
    """Seconds to import pyoxigraph alone vs rdflib with its SPARQL engine, in a fresh interpreter."""
    out = {}
    for label, stmt in (
        ("pyoxigraph", "import pyoxigraph"),
        ("rdflib + SPARQL", "import rdflib, rdflib.plugins.sparql.processor"),
    ):
        code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out[label] = round(float(res.stdout), 3)
    return out


def markdown(report: dict) -> str:
    """The report as a markdown page."""
    lines = [
        "# SPARQL engines on mechkg's named queries",
        "",
        f"Generated by `bench/sparql_engines.py` on {report['machine']} (Python {report['python']}), "
        f"{report['date']}. Median of up to {report['repeat']} runs per query, each under a "
        f"{report['limit_s']:g} s limit. Times in milliseconds; `count` = rows (or triples, or 1/0 for ASK).",
        "",
        f"Decision: **{report['decision']}**",
        "",
    ]
    for gname, g in report["graphs"].items():
        lines += [f"## {gname}: {g['triples']:,} triples", ""]
        lines.append("| engine | load (s) | memory held (MB) |")
        lines.append("|---|---:|---:|")
        for e in ENGINES:
            r = g["engines"][e]
            lines.append(f"| {e} | {r.get('load_s', '-')} | {r.get('rss_mb', '-')} |")
        lines += ["", "| query | " + " | ".join(ENGINES) + " | rdflib / pyoxigraph | count |", "|---" * 6 + "|"]
        for q in g["engines"]["pyoxigraph"]["queries"]:
            cells = []
            counts = set()
            for e in ENGINES:
                r = g["engines"][e].get("queries", {}).get(q, {})
                cells.append(str(r.get("median_ms")) if r.get("status") == "ok" else r.get("status", "-"))
                if r.get("status") == "ok":
                    counts.add(r["count"])
            ox_ms = g["engines"]["pyoxigraph"]["queries"][q]["median_ms"]
            rd = g["engines"]["rdflib"].get("queries", {}).get(q, {})
            ratio = f"{rd['median_ms'] / ox_ms:.0f}×" if rd.get("status") == "ok" and ox_ms else "-"
            count = ", ".join(map(str, sorted(counts))) + (" (DIFFER!)" if len(counts) > 1 else "")
            lines.append(f"| {q} | " + " | ".join(cells) + f" | {ratio} | {count} |")
        totals = g["totals_ms"]
        lines += [
            "",
            f"Total over the {len(g['totals_over'])} queries every engine finished (ms): "
            + ", ".join(f"{e} {totals[e]}" for e in ENGINES),
            "",
        ]
    lines += ["## Cold process: one query from a fresh `python`", "", "| path | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in report["cold_process_s"].items()]
    lines += ["", "## Import time (fresh interpreter)", "", "| module | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in report["import_s"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and write bench/results/sparql_engines.{json,md}."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=100_000, help="size of the synthetic graph")
    ap.add_argument("--repeat", type=int, default=5, help="runs per query (fewer for slow engines)")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds allowed per query run")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()

    os.environ.setdefault("MECHKG_CACHE_DIR", str(Path(tempfile.gettempdir()) / "mechkg-bench-cache"))
    queries = named_queries()
    real = real_graph_lines()
    graphs = {"real graph": real, "synthetic graph": synthetic_graph(real, args.triples, args.seed)}
    report: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "limit_s": args.limit,
        "seed": args.seed,
        "graphs": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for gname, lines in graphs.items():
            nt = Path(tmp) / f"{gname.split()[0]}.nt"
            nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
            engines = {}
            for engine in ENGINES:
                print(f"{gname}: {engine} …", file=sys.stderr, flush=True)
                engines[engine] = in_child(
                    lambda engine=engine, nt=nt: bench_engine(engine, nt, queries, args.repeat, args.limit),
                    args.limit * len(queries) * 2 + 600,
                )
            finished = [
                q
                for q, _, _ in queries
                if all(engines[e].get("queries", {}).get(q, {}).get("status") == "ok" for e in ENGINES)
            ]
            totals = {e: round(sum(engines[e]["queries"][q]["median_ms"] for q in finished), 1) for e in ENGINES}
            unfinished = {
                e: sorted(q for q, r in engines[e].get("queries", {}).items() if r["status"] != "ok") for e in ENGINES
            }
            report["graphs"][gname] = {
                "triples": len(lines),
                "engines": engines,
                "totals_ms": totals,
                "totals_over": finished,
                "unfinished": unfinished,
            }
    print("cold process …", file=sys.stderr, flush=True)
    report["cold_process_s"] = cold_process(args.repeat)
    report["import_s"] = import_times()
    syn = report["graphs"]["synthetic graph"]
    speed = syn["totals_ms"]["rdflib"] / syn["totals_ms"]["pyoxigraph"] if syn["totals_ms"]["pyoxigraph"] else 0
    over = syn["totals_ms"]["oxrdflib"] / syn["totals_ms"]["pyoxigraph"] if syn["totals_ms"]["pyoxigraph"] else 0
    slow = syn["unfinished"]["rdflib"]
    report["decision"] = (
        f"pyoxigraph, used directly. On the {syn['triples']:,}-triple graph it ran the {len(syn['totals_over'])} "
        f"queries every engine finished {speed:.0f}× faster than rdflib's default store"
        + (f", and rdflib did not finish {', '.join(slow)} within {args.limit:g} s" if slow else "")
        + f"; oxrdflib (rdflib's API over Oxigraph) took {over:.1f}× pyoxigraph's time and needs rdflib imported. "
        "A persisted pyoxigraph store opens in milliseconds, so a cold `kg sparql` does not re-parse the graph"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sparql_engines.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "sparql_engines.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
