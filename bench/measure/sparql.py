"""SPARQL: named queries bound to hubs or ordinary entities, pyoxigraph against rdflib's default store, cold
`kg sparql` runs, first screens, whole answers streamed, and a warm `kg serve`."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure.proc import NA, ROOT, kg_command, median, run_child, say

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX mk: <https://w3id.org/mechkg/vocab/>
PREFIX ent: <https://w3id.org/mechkg/entity/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# Representative queries, used while queries/ holds no named ones.
INLINE_QUERIES = {
    "chain-2-hops": PREFIXES
    + """SELECT ?r ?x ?y WHERE {
  ent:drug_hub mk:antagonizes ?r . ?r mk:negativelyAffects ?x . ?x mk:positivelyAffects ?y .
} LIMIT 1000""",
    "evidence-of-entity": PREFIXES
    + """SELECT ?st ?p ?o ?quote ?src WHERE {
  ?st rdf:subject ent:drug_hub ; rdf:predicate ?p ; rdf:object ?o ; mk:evidence ?e .
  ?e mk:quote ?quote ; dcterms:source ?src .
}""",
    "disputed-by-source": PREFIXES
    + """SELECT ?src (COUNT(DISTINCT ?st) AS ?n) WHERE {
  ?st mk:status mk:Disputed ; prov:wasDerivedFrom ?src .
} GROUP BY ?src ORDER BY DESC(?n) LIMIT 20""",
    "treatments-for-symptom": PREFIXES
    + """SELECT DISTINCT ?drug ?condition WHERE {
  ?condition mk:hasSymptom ent:symptom_1 . ?drug a mk:Drug ; mk:treats ?condition .
}""",
}
# Synthetic entities to bind named queries' entity parameters to, by a word in the parameter's name: the hubs
# (the worst case: their answers are the largest), and the class whose typical (median-degree) entity stands in
# for an ordinary question.
PARAM_ENTITIES = (
    ("drug", "drug_hub"),
    ("cause", "drug_hub"),
    ("effect", "symptom_1"),
    ("disease", "depression_hub"),
    ("condition", "depression_hub"),
    ("symptom", "symptom_1"),
    ("process", "inflammation_hub"),
    ("receptor", "receptor_1"),
    ("object", "depression_hub"),
    ("target", "depression_hub"),
)
PARAM_CLASSES = (
    ("drug", "Drug"),
    ("cause", "Drug"),
    ("effect", "Symptom"),
    ("disease", "Disease"),
    ("condition", "Disease"),
    ("symptom", "Symptom"),
    ("process", "BiologicalProcess"),
    ("receptor", "Receptor"),
    ("object", "Disease"),
    ("target", "Disease"),
)
# The named queries compared across engines (when present): a property-path walk, an aggregate, a two-hop join
# and a scan over every claim.
ENGINE_QUERIES = ("mechanism-chain", "treatments-for", "two-step-effects", "claims-to-review")


def param_entity(name: str, typical: dict[str, str] | None = None) -> str:
    """The entity to bind an entity parameter to: a hub, or with `typical` an ordinary entity of the right class."""
    word = name.lower()
    if typical is None:
        return next((k for w, k in PARAM_ENTITIES if w in word), "drug_hub")
    cls = next((c for w, c in PARAM_CLASSES if w in word), "Metabolite")
    return typical.get(cls) or next(iter(typical.values()))


def typical_params(typical: dict[str, str]) -> dict[str, list[str]]:
    """The CLI --params of each named query that takes an entity, bound to ordinary entities instead of hubs."""
    from kg.query import list_queries

    out = {}
    for q in list_queries():
        if any(p.type == "entity" for p in q.params):
            out[q.name] = [
                f"{p.name}={param_entity(p.name, typical)}" if p.type == "entity" else f"{p.name}=src_1"
                for p in q.params
                if p.type in ("entity", "source")
            ]
    return out


def named_queries(graph) -> tuple[dict[str, str], dict[str, list[str]], str]:
    """Every query as runnable text (prefixes declared, parameters bound), its CLI --params, and their origin."""
    from kg.errors import KGError

    try:
        from kg.query import Binder, list_queries
        from kg.remote import prepare
    except ImportError:
        return dict(INLINE_QUERIES), {}, "inline"
    try:
        found = list_queries()
    except KGError as exc:
        say(f"cannot read the named queries ({exc}); using inline ones")
        found = []
    texts: dict[str, str] = {}
    params: dict[str, list[str]] = {}
    binder = Binder(lambda: graph, resolve=lambda value: value)
    for q in found:
        if q.form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            continue
        given = []
        for p in q.params:
            if p.type == "entity":
                given.append(f"{p.name}={param_entity(p.name)}")
            elif p.type == "source":
                given.append(f"{p.name}=src_1")
        try:
            texts[q.name] = prepare(q.parsed, binder.bind(q, given))
        except KGError as exc:
            say(f"skipping query {q.name}: {exc}")
            continue
        params[q.name] = given
    if texts:
        return texts, params, "named"
    return dict(INLINE_QUERIES), {}, "inline"


def engine_queries(texts: dict[str, str]) -> dict[str, str]:
    """The 3–4 queries to run on both engines: the preferred named ones, else the first few."""
    chosen = [q for q in ENGINE_QUERIES if q in texts] or list(texts)[:4]
    return {q: texts[q] for q in chosen}


def count_rows(answer) -> int:
    """Rows of a pyoxigraph answer (solutions, triples) or 1/0 for ASK."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return int(bool(answer))
    return sum(1 for _ in answer)


def query_times(store, queries: dict[str, str], runs: int) -> dict[str, dict[str, Any]]:
    """Median time and rows of each query on a pyoxigraph store."""
    out = {}
    for name, text in queries.items():
        times, rows = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            rows = count_rows(store.query(text))
            times.append(time.perf_counter() - t0)
        out[name] = {"median_s": median(times), "rows": rows}
    return out


def oxigraph_times(nt: Path, queries: dict[str, str], runs: int) -> tuple[float, dict[str, dict[str, Any]]]:
    """Load graph.nt into an in-memory pyoxigraph store; median time and rows of each query."""
    import pyoxigraph as ox

    t0 = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    load = round(time.perf_counter() - t0, 3)
    out = query_times(store, queries, runs)
    del store
    return load, out


def disk_store_times(graph, queries: dict[str, str], runs: int) -> dict[str, dict[str, Any]] | str:
    """The same queries on the persisted on-disk store that `kg sparql` opens (kg.store), if there is one."""
    try:
        import pyoxigraph as ox

        from kg.store import ensure_store
    except ImportError:
        return NA
    location = ensure_store(graph)
    if location is None:
        return NA
    store = ox.Store.read_only(str(location))
    out = query_times(store, queries, runs)
    del store
    return out


class _Lines:
    """Lines of a child's stdout, read with a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.buf = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(proc.stdout, selectors.EVENT_READ)

    def next(self, deadline: float) -> dict | None:
        """The next JSON line, or None when the deadline passes or the child ends."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def rdflib_times(
    nt: Path, queries: dict[str, str], runs: int, budget: float, load_budget: float = 1800
) -> tuple[float | str, dict[str, dict[str, Any]]]:
    """rdflib's default store on the same N-Triples, in a child: load time and per-query medians (or lower bounds)."""
    out: dict[str, dict[str, Any]] = {}
    load: float | str = NA
    todo = list(queries)
    while todo:
        spec = json.dumps({"nt": str(nt), "queries": {k: queries[k] for k in todo}, "runs": runs, "budget": budget})
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "run.py"), "--rdflib-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        proc.stdin.write(spec.encode())
        proc.stdin.close()
        lines = _Lines(proc)
        try:
            first = lines.next(time.monotonic() + load_budget)
            if first is None:
                for name in todo:
                    out[name] = {"median_s": NA, "lower_bound_s": load_budget, "note": "rdflib did not finish parsing"}
                return NA, out
            load = round(first["load_s"], 3)
            while todo:
                name = todo.pop(0)
                deadline = time.monotonic() + budget
                times: list[float] = []
                rows, error, finished = 0, "", False
                while (msg := lines.next(deadline)) is not None:
                    if msg.get("done"):
                        finished = True
                        break
                    if "error" in msg:
                        error = msg["error"]
                    else:
                        times.append(msg["s"])
                        rows = msg["rows"]
                if error:
                    out[name] = {"median_s": NA, "note": error}
                elif times:
                    out[name] = {"median_s": median(times), "rows": rows}
                elif proc.poll() is not None:
                    out[name] = {"median_s": NA, "note": f"the rdflib process ended with code {proc.returncode}"}
                else:
                    out[name] = {"median_s": NA, "lower_bound_s": budget, "note": f"stopped after {budget:g} s"}
                if not finished:
                    break  # the child is busy or gone: start a new one for the rest
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
    return load, out


def rdflib_worker() -> None:
    """Child side of rdflib_times: parse, then run each query up to `runs` times, one JSON line per run."""
    import rdflib
    from pyparsing import ParseBaseException

    spec = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(spec["nt"], format="nt")
    print(json.dumps({"load_s": time.perf_counter() - t0, "triples": len(g)}), flush=True)
    for name, text in spec["queries"].items():
        spent = 0.0
        for _ in range(spec["runs"]):
            t0 = time.perf_counter()
            try:
                res = g.query(text)
                rows = int(bool(res.askAnswer)) if res.type == "ASK" else len(list(res))
            except (ParseBaseException, ValueError, TypeError, KeyError, SyntaxError, RecursionError) as exc:
                print(json.dumps({"q": name, "error": f"{type(exc).__name__}: {exc}"[:200]}), flush=True)
                break
            s = time.perf_counter() - t0
            spent += s
            print(json.dumps({"q": name, "s": s, "rows": rows}), flush=True)
            if spent > spec["budget"] / 2:
                break
        print(json.dumps({"q": name, "done": True}), flush=True)


def sparql_cli_available(env: dict[str, str]) -> bool:
    """Whether this checkout's `kg` has the `sparql` command yet."""
    return run_child([*kg_command(), "sparql", "--help"], env).code == 0
