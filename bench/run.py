"""Benchmark mechkg at scale on synthetic graphs and print the figures beside their targets.

Run: python bench/run.py --sizes 1k,10k,100k [--runs 5] [--seed 42] [--budget 10] [--json OUT]

For each size, the data comes from bench/generate.py (cached under $TMPDIR/mechkg-bench by seed, size and a
fingerprint of the generator and the ontology), and MECHKG_CACHE_DIR points at a fresh temporary directory,
so nothing is shared with the user's cache. Measured, each a median of --runs runs:

- `kg validate --no-shacl` and a rebuild (`load_graph(rebuild=True)`) in child processes: time and peak RSS;
- a second load with unchanged inputs: its time, and whether the cached pickle was left untouched;
- cold processes: `kg how` (a typical and a hub pair), `kg show`, `kg effects` and `kg causes` (a typical
  entity and a hub), `kg export -f ttl` (time and peak RSS), `kg sparql NAME` (n/a while the command is
  missing); one untimed warm-up first, then fresh processes;
- warm, in-process: `kg.paths.how(graph, a, b, top=5)` for typical and hub pairs, with the limit it reports;
- the alternatives we chose against, in the same run: networkx `all_simple_paths` (length ≤ 4, counted within
  --budget seconds) against k-shortest `shortest_simple_paths` (Yen, top 5) on the same step graph; rdflib's
  default in-memory store against pyoxigraph's in-memory store on the same N-Triples (the cache's graph.nt)
  for 3–4 named queries (inline ones while queries/ has none), rdflib in a child process so that a runaway
  query can be stopped; and, for reference, the same queries on the on-disk store `kg sparql` opens;
- rendering a 1,000-node neighbourhood with kg.viz (n/a without it).

Peak memory of a child is its own ru_maxrss, read with os.wait4 for that child alone by a small launcher
process (see LAUNCHER): resource.getrusage(RUSAGE_CHILDREN) holds the maximum over all children reaped so far,
and a child forked straight from this process would count this process's own peak as well.
The results go to bench/results/run-<date>.json unless --json says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import GENERATOR_VERSION, HUB_PAIRS, generate, parse_size, size_label  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NA = "n/a"

# Every size's entry in the JSON has exactly these keys (a figure, a dict of figures, or "n/a").
FIGURE_KEYS = (
    "statements",
    "entities",
    "sources",
    "evidence",
    "triples",
    "generate_s",
    "validate_s",
    "validate_peak_mb",
    "build_s",
    "build_peak_mb",
    "cached_load_s",
    "cached_load_inprocess_s",
    "cached_load_hash_s",
    "cache_untouched",
    "cold_how_typical_s",
    "cold_how_hub_s",
    "cold_show_typical_s",
    "cold_show_hub_s",
    "cold_effects_typical_s",
    "cold_effects_hub_s",
    "cold_causes_typical_s",
    "cold_causes_hub_s",
    "cold_export_ttl",
    "cold_sparql",
    "cold_sparql_typical",
    "warm_how_typical",
    "warm_how_hub",
    "simple_paths_hub",
    "yen_top5_hub_s",
    "enumeration_vs_yen",
    "sparql_queries",
    "oxigraph_load_s",
    "rdflib_load_s",
    "viz_1000",
)
REAL_KEYS = ("real_how_cold_s", "real_show_cold_s")

# Targets (issue 7).
HOW_REAL_TARGET_S = 0.25
SPARQL_RATIO_TARGET = 20.0
BUILD_TARGET_S = 15.0
BUILD_TARGET_MB = 1024.0
QUERY_TARGET_S = 1.0
HUB_HOW_TARGET_S = 1.0

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
COLD_TIMEOUT_S = 120.0  # a cold command slower than this is stopped and reported as "> 120"
SLOW_S = 10.0  # a cold command slower than this (on its warm-up) gets 2 timed runs, not --runs
BUILD_SNIPPET = (
    "import sys; from pathlib import Path; from kg.build import load_graph; load_graph(Path(sys.argv[1]), rebuild=True)"
)
LOAD_SNIPPET = """import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from kg.build import input_hash, load_graph
t1 = time.perf_counter()
input_hash(Path(sys.argv[1]))
t2 = time.perf_counter()
load_graph(Path(sys.argv[1]))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "hash_s": t2 - t1, "load_s": t3 - t2}))
"""


@dataclass(frozen=True)
class Child:
    """How one child process went: wall time, its own peak RSS, exit code and output."""

    seconds: float
    peak_mb: float
    code: int
    stdout: str
    stderr: str


# A child's ru_maxrss includes the peak of the address space it was forked from, until its exec (Linux keeps the
# larger of the two), so a child of this process, which holds a loaded graph, would report at least our own peak.
# Each command is therefore started by this small launcher, which times it and reads its peak with os.wait4.
LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - t0
with open(sys.argv[1], "w") as fh:
    json.dump({"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}, fh)
if os.WIFSIGNALED(status):
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(argv: list[str], env: dict[str, str], timeout: float | None = None) -> Child:
    """Run a process to its end (through LAUNCHER); its wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "child.json"
        t0 = time.perf_counter()
        # A session of its own, so that a timeout also stops the processes it forks (kg sparql's query child).
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(report), *argv],
            stdout=out,
            stderr=err,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL)) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        # stopped by the timer: no report, so the wall time seen here and the launcher's peak, an upper bound
        seen = json.loads(report.read_text()) if report.is_file() else {}
        seconds = seen.get("seconds", time.perf_counter() - t0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            seconds,
            seen.get("peak_mb", usage.ru_maxrss / 1024),
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def kg_command() -> list[str]:
    """The `kg` script of this interpreter's environment, else `python -m kg`."""
    script = Path(sys.executable).with_name("kg")
    if script.is_file():
        return [str(script)]
    found = shutil.which("kg")
    return [found] if found else [sys.executable, "-m", "kg"]


def child_env(cache: Path) -> dict[str, str]:
    """The environment for children: our own cache directory, the embedded data unless --data says otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "MECHKG_DATA"}
    env["MECHKG_CACHE_DIR"] = str(cache)
    return env


def median(values: list[float]) -> float:
    """The median, rounded to 0.1 ms."""
    return round(statistics.median(values), 4)


def repeat(argv: list[str], env: dict[str, str], runs: int, timeout: float | None = None) -> dict[str, Any]:
    """Median wall time and peak RSS of `runs` fresh processes, after one untimed warm-up."""
    first = run_child(argv, env, timeout)
    if timeout and first.seconds >= timeout:
        return {"median_s": NA, "timeout_s": timeout, "code": first.code, "stderr": "timed out", "runs": 0}
    if first.seconds > SLOW_S:
        runs = min(runs, 2)  # ten times over any target: more runs would not change the verdict
    done = [run_child(argv, env, timeout) for _ in range(runs)]
    last = done[-1]
    figure = {
        "median_s": median([c.seconds for c in done]),
        "min_s": round(min(c.seconds for c in done), 4),
        "peak_mb": round(statistics.median(c.peak_mb for c in done), 1),
        "code": last.code,
        "runs": len(done),
        "stderr": last.stderr.strip().splitlines()[-1] if last.code not in (0, 1) and last.stderr.strip() else "",
    }
    counted = re.search(r"^(\d+) rows?$", last.stderr, re.MULTILINE)  # `kg sparql` says how many rows it gave
    if counted:
        figure["rows"] = int(counted.group(1))
    return figure


# --- data ---------------------------------------------------------------------------------------------------


def fingerprint() -> str:
    """A digest of what decides the generated data: the generator's code and the ontology."""
    from kg import resources

    h = hashlib.blake2b(digest_size=6)
    h.update(GENERATOR_VERSION.encode())
    h.update((ROOT / "bench" / "generate.py").read_bytes())
    for p in sorted(resources.ontology_dir().glob("*.ttl")):
        h.update(p.read_bytes())
    return h.hexdigest()


def dataset(n: int, seed: int, workdir: Path) -> tuple[Path, dict[str, Any]]:
    """The data directory for (n, seed), generated once and reused; and the generator's summary."""
    base = workdir / f"seed{seed}-n{n}-{fingerprint()}"
    meta = base / "summary.json"
    if meta.is_file():
        return base / "data", json.loads(meta.read_text())
    t0 = time.perf_counter()
    summary = asdict(generate(base / "data", n, seed))
    summary["generate_s"] = round(time.perf_counter() - t0, 3)
    meta.write_text(json.dumps(summary, indent=1) + "\n")
    return base / "data", summary


# --- pairs ----------------------------------------------------------------------------------------------------


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


# --- SPARQL -----------------------------------------------------------------------------------------------------


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
            [sys.executable, __file__, "--rdflib-worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
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


# --- viz --------------------------------------------------------------------------------------------------------


def thousand(graph, start: str, limit: int = 1000):
    """A neighbourhood of up to `limit` entities around `start` (breadth first) and the statements among them."""
    from collections import deque

    from kg.viz import Selection

    seen = {start: None}
    todo = deque([start])
    while todo and len(seen) < limit:
        n = todo.popleft()
        for st in (*graph.outgoing(n), *graph.incoming(n)):
            m = st.object if st.subject == n else st.subject
            if m not in seen:
                seen[m] = None
                todo.append(m)
                if len(seen) >= limit:
                    break
    sts = tuple(i for n in seen for i in graph.out_edges.get(n, ()) if graph.statements[i].object in seen)
    return Selection(tuple(seen), sts)


def viz_time(graph, start: str, runs: int) -> dict[str, Any] | str:
    """Median time to render a 1,000-entity neighbourhood as an HTML page with kg.viz."""
    try:
        from kg import viz
    except ImportError:
        return NA
    if not all(hasattr(viz, n) for n in ("Selection", "view_data", "render_html")):
        return NA
    sel = thousand(graph, start)
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        page = viz.render_html(viz.view_data(graph, sel, title="bench"))
        times.append(time.perf_counter() - t0)
        size = len(page)
    return {
        "median_s": median(times),
        "nodes": len(sel.nodes),
        "edges": len(sel.statements),
        "html_mb": round(size / 1e6, 2),
    }


# --- one size ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def cache_dir(label: str) -> Iterator[Path]:
    """A temporary MECHKG_CACHE_DIR, also set in this process while the size is measured."""
    old = os.environ.get("MECHKG_CACHE_DIR")
    path = Path(tempfile.mkdtemp(prefix=f"mechkg-bench-cache-{label}-"))
    os.environ["MECHKG_CACHE_DIR"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("MECHKG_CACHE_DIR", None)
        else:
            os.environ["MECHKG_CACHE_DIR"] = old
        shutil.rmtree(path, ignore_errors=True)


def say(msg: str) -> None:
    """Progress on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bench_size(n: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Every figure for one size."""
    label = size_label(n)
    say(f"{label}: data")
    data, summary = dataset(n, args.seed, workdir)
    fig: dict[str, Any] = {k: summary[k] for k in ("statements", "entities", "sources", "evidence")}
    fig["generate_s"] = summary.get("generate_s", NA)
    kg = [*kg_command(), "--data", str(data)]
    with cache_dir(label) as cache:
        env = child_env(cache)
        say(f"{label}: validate ×{args.runs}")
        runs = [run_child([*kg, "validate", "--no-shacl"], env) for _ in range(args.runs)]
        if runs[-1].code != 0:
            raise SystemExit(f"the generated {label} data does not validate:\n{runs[-1].stdout[-2000:]}")
        fig["validate_s"] = median([c.seconds for c in runs])
        fig["validate_peak_mb"] = round(statistics.median(c.peak_mb for c in runs), 1)

        say(f"{label}: build ×{args.runs}")
        runs = [run_child([sys.executable, "-c", BUILD_SNIPPET, str(data)], env) for _ in range(args.runs)]
        if runs[-1].code != 0:
            raise SystemExit(f"the build failed at {label}:\n{runs[-1].stderr[-2000:]}")
        fig["build_s"] = median([c.seconds for c in runs])
        fig["build_peak_mb"] = round(statistics.median(c.peak_mb for c in runs), 1)

        say(f"{label}: second load with unchanged inputs ×{args.runs}")
        pickles = sorted(cache.glob("*/kg.pickle"))
        before = {p: p.stat().st_mtime_ns for p in pickles}
        runs = [run_child([sys.executable, "-c", LOAD_SNIPPET, str(data)], env) for _ in range(args.runs)]
        after = {p: p.stat().st_mtime_ns for p in sorted(cache.glob("*/kg.pickle"))}
        inner = [json.loads(c.stdout.strip().splitlines()[-1]) for c in runs]
        fig["cached_load_s"] = median([c.seconds for c in runs])
        fig["cached_load_inprocess_s"] = median([i["load_s"] for i in inner])
        fig["cached_load_hash_s"] = median([i["hash_s"] for i in inner])
        fig["cache_untouched"] = bool(before) and before == after

        from kg.build import load_graph

        graph = load_graph(data)
        nt = Path(graph.cache_dir) / "graph.nt"
        with open(nt, "rb") as fh:
            fig["triples"] = sum(1 for _ in fh)
        pairs = typical_pairs(graph)
        hubs = [p for p in HUB_PAIRS if p[0] in graph.entities and p[1] in graph.entities]

        say(f"{label}: cold kg how / show ×{args.runs}")
        fig["cold_how_typical_s"] = repeat([*kg, "how", *pairs[0]], env, args.runs) if pairs else NA
        fig["cold_how_hub_s"] = repeat([*kg, "how", *hubs[0]], env, args.runs) if hubs else NA
        fig["cold_show_typical_s"] = repeat([*kg, "show", pairs[0][0]], env, args.runs) if pairs else NA
        fig["cold_show_hub_s"] = repeat([*kg, "show", hubs[0][0]], env, args.runs) if hubs else NA
        say(f"{label}: cold kg effects / causes ×{args.runs}")
        fig["cold_effects_typical_s"] = repeat([*kg, "effects", pairs[0][0]], env, args.runs) if pairs else NA
        fig["cold_effects_hub_s"] = repeat([*kg, "effects", hubs[0][0]], env, args.runs) if hubs else NA
        fig["cold_causes_typical_s"] = repeat([*kg, "causes", pairs[0][1]], env, args.runs) if pairs else NA
        fig["cold_causes_hub_s"] = repeat([*kg, "causes", hubs[0][1]], env, args.runs) if hubs else NA
        say(f"{label}: cold kg export -f ttl ×{args.runs}")
        with tempfile.TemporaryDirectory() as out:
            fig["cold_export_ttl"] = repeat([*kg, "export", "-f", "ttl", "-o", f"{out}/graph.ttl"], env, args.runs)

        texts, params, origin = named_queries(graph)
        queries = engine_queries(texts)
        if origin == "named" and sparql_cli_available(env):
            say(f"{label}: cold kg sparql, {len(texts)} named queries ×{args.runs}")
            fig["cold_sparql"] = {}
            for name in texts:
                cmd = [*kg, "sparql", name, *[a for p in params[name] for a in ("--param", p)]]
                fig["cold_sparql"][name] = repeat(cmd, env, args.runs, COLD_TIMEOUT_S)
            ordinary = typical_params(typical_entities(graph))
            say(f"{label}: cold kg sparql, {len(ordinary)} named queries with ordinary entities ×{args.runs}")
            fig["cold_sparql_typical"] = {}
            for name, given in ordinary.items():
                cmd = [*kg, "sparql", name, *[a for p in given for a in ("--param", p)]]
                fig["cold_sparql_typical"][name] = {**repeat(cmd, env, args.runs, COLD_TIMEOUT_S), "params": given}
        else:
            fig["cold_sparql"] = fig["cold_sparql_typical"] = NA

        say(f"{label}: warm kg.paths.how ×{args.runs}")
        fig["warm_how_typical"] = warm_how(graph, pairs, args.runs)
        fig["warm_how_hub"] = warm_how(graph, hubs, args.runs)

        say(f"{label}: all_simple_paths (≤ {args.budget:g} s) vs Yen")
        g = step_digraph(graph)
        a, b = hubs[0] if hubs else pairs[0]
        fig["simple_paths_hub"] = simple_paths(g, a, b, args.budget)
        fig["yen_top5_hub_s"] = yen_top5(g, a, b, args.runs)
        sp, yen = fig["simple_paths_hub"], fig["yen_top5_hub_s"]
        if isinstance(yen, float) and yen > 0:
            fig["enumeration_vs_yen"] = {"ratio": round(sp["seconds"] / yen, 1), "lower_bound": not sp["complete"]}
        else:
            fig["enumeration_vs_yen"] = NA
        del g

        say(f"{label}: viz")
        fig["viz_1000"] = viz_time(graph, a, args.runs)

        say(f"{label}: SPARQL on pyoxigraph and rdflib ({origin} queries)")
        fig["oxigraph_load_s"], ox_times = oxigraph_times(nt, queries, args.runs)
        disk = disk_store_times(graph, queries, args.runs)
        del graph
        gc.collect()
        fig["rdflib_load_s"], rdf_times = rdflib_times(nt, queries, args.runs, args.rdflib_budget)
        fig["sparql_queries"] = {}
        for name in queries:
            o, r = ox_times[name], rdf_times.get(name, {"median_s": NA})
            entry: dict[str, Any] = {
                "origin": origin,
                "oxigraph_s": o["median_s"],
                "rows": o["rows"],
                "rdflib_s": r["median_s"],
                "rdflib_rows": r.get("rows", NA),
                "oxigraph_disk_s": disk[name]["median_s"] if isinstance(disk, dict) else NA,
            }
            base = max(o["median_s"], 1e-4)
            if isinstance(r["median_s"], float):
                entry["ratio"], entry["ratio_lower_bound"] = round(r["median_s"] / base, 1), False
            elif "lower_bound_s" in r:
                entry["ratio"], entry["ratio_lower_bound"] = round(r["lower_bound_s"] / base, 1), True
            else:
                entry["ratio"], entry["ratio_lower_bound"] = NA, False
            if "note" in r:
                entry["note"] = r["note"]
            fig["sparql_queries"][name] = entry
    return fig


def bench_real(runs: int) -> dict[str, Any]:
    """Cold `kg how ketamine fatigue` and `kg show ketamine` on the embedded data."""
    with cache_dir("real") as cache:
        env = child_env(cache)
        return {
            "real_how_cold_s": repeat([*kg_command(), "how", "ketamine", "fatigue"], env, runs),
            "real_show_cold_s": repeat([*kg_command(), "show", "ketamine"], env, runs),
        }


# --- targets and report -----------------------------------------------------------------------------------------


def _s(x: Any) -> float | None:
    """Seconds from a figure (a number or a dict with median_s)."""
    if isinstance(x, dict):
        x = x.get("median_s")
    return x if isinstance(x, (int, float)) else None


def targets(real: dict[str, Any], sizes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets with value, PASS / FAIL (or n/a), judged at the largest size measured."""
    out = []

    def add(name: str, target: str, value: Any, ok: bool | None, note: str = "") -> None:
        verdict = NA if ok is None else ("PASS" if ok else "FAIL")
        out.append({"target": name, "wanted": target, "value": value, "verdict": verdict, "note": note})

    how = _s(real.get("real_how_cold_s"))
    add(
        "cold `kg how ketamine fatigue` (real data), median",
        f"≤ {HOW_REAL_TARGET_S} s",
        how,
        None if how is None else how <= HOW_REAL_TARGET_S,
    )
    if not sizes:
        return out
    label = list(sizes)[-1]
    fig = sizes[label]
    at = f"at {label}" + ("" if label == "100k" else " (the target is for 100k)")
    ratios = [
        (q, e["ratio"], e["ratio_lower_bound"])
        for q, e in fig["sparql_queries"].items()
        if isinstance(e["ratio"], float)
    ]
    if ratios:
        worst = min(ratios, key=lambda r: r[1])
        ok = all(r >= SPARQL_RATIO_TARGET for _, r, _ in ratios)
        note = "" if ok or not worst[2] else "a lower bound: rdflib was stopped"
        add(
            f"SPARQL: pyoxigraph vs rdflib default store, slowest ratio {at}",
            f"≥ {SPARQL_RATIO_TARGET:g}×",
            f"{'≥ ' if worst[2] else ''}{worst[1]}× ({worst[0]})",
            ok,
            note,
        )
    add(f"build time {at}", f"≤ {BUILD_TARGET_S:g} s", fig["build_s"], fig["build_s"] <= BUILD_TARGET_S)
    add(
        f"build peak memory {at}",
        f"≤ {BUILD_TARGET_MB:g} MB",
        fig["build_peak_mb"],
        fig["build_peak_mb"] <= BUILD_TARGET_MB,
    )
    cli = fig["cold_sparql"]
    if isinstance(cli, dict) and cli:
        typical = fig.get("cold_sparql_typical")
        runs = [(f"hub parameters ({len(cli)} queries)", cli)]
        if isinstance(typical, dict) and typical:
            # queries without an entity parameter are the same runs as above
            runs.append(("ordinary entities as parameters", {**cli, **typical}))
        for what, figs in runs:

            def secs(q: str, figs: dict = figs) -> float:
                v = _s(figs[q])
                return float("inf") if v is None else v

            worst = max(figs, key=secs)
            shown = _fmt(figs[worst]) if secs(worst) < float("inf") else f"> {figs[worst].get('timeout_s', '?')} s"
            slow = [q for q in figs if secs(q) > QUERY_TARGET_S]
            add(
                f"each named query, cold `kg sparql NAME`, {what} {at}",
                f"≤ {QUERY_TARGET_S:g} s",
                f"{shown} ({worst})",
                not slow,
                f"over: {', '.join(slow)}" if slow else "",
            )
    else:
        qs = fig["sparql_queries"]
        worst_q = max(qs, key=lambda q: qs[q]["oxigraph_s"])
        add(
            f"each query, in-process pyoxigraph {at}",
            f"≤ {QUERY_TARGET_S:g} s",
            f"{qs[worst_q]['oxigraph_s']} ({worst_q})",
            all(v["oxigraph_s"] <= QUERY_TARGET_S for v in qs.values()),
            "`kg sparql` not available: measured in-process",
        )
    hub = fig["warm_how_hub"]
    if hub:
        worst_h = max(hub, key=lambda h: h["median_s"])
        limits = "; ".join(f"{h['pair']}: {h['limited']}" for h in hub if h["limited"])
        add(
            f"warm `kg how` top-5 between hub pairs {at}",
            f"≤ {HUB_HOW_TARGET_S:g} s",
            f"{worst_h['median_s']} ({worst_h['pair']})",
            worst_h["median_s"] <= HUB_HOW_TARGET_S,
            f"limit hit: {limits}" if limits else "no limit hit",
        )
    untouched = all(f["cache_untouched"] for f in sizes.values())
    add(
        "second run with unchanged inputs does no build work (pickle mtime unchanged)",
        "true",
        untouched,
        untouched,
        "cached load " + ", ".join(f"{k}: {_fmt(f['cached_load_s'])} s" for k, f in sizes.items()),
    )
    return out


def _fmt(x: Any) -> str:
    """A figure for the table."""
    if x is None or x == NA:
        return NA
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, dict) and "timeout_s" in x:
        return f"> {x['timeout_s']:g}"
    if isinstance(x, dict) and "median_s" in x:
        rows = f" ({x['rows']:,} rows)" if "rows" in x else ""
        return _fmt(x["median_s"]) + rows
    if isinstance(x, float):
        return f"{x:.4f}" if x < 0.01 else f"{x:.3f}" if x < 10 else f"{x:.1f}"
    return str(x)


def table(real: dict[str, Any], sizes: dict[str, dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    """The report: figures per size, the SPARQL engines side by side, and the targets."""
    labels = list(sizes)
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, get: Callable[[dict[str, Any]], Any]) -> None:
        rows.append((name, [_fmt(get(sizes[k])) for k in labels]))

    for key in ("statements", "entities", "sources", "evidence", "triples"):
        row(key, lambda f, key=key: f[key])
    row("generate (s)", lambda f: f["generate_s"])
    row("validate --no-shacl (s)", lambda f: f["validate_s"])
    row("validate peak (MB)", lambda f: f["validate_peak_mb"])
    row("build (s)  [≤ 15 s at 100k]", lambda f: f["build_s"])
    row("build peak (MB)  [≤ 1024 at 100k]", lambda f: f["build_peak_mb"])
    row("cached load, cold process (s)", lambda f: f["cached_load_s"])
    row("  of which load_graph (s)", lambda f: f["cached_load_inprocess_s"])
    row("  of which input hash (s)", lambda f: f["cached_load_hash_s"])
    row("cache untouched on 2nd run", lambda f: f["cache_untouched"])
    row("cold kg how, typical pair (s)", lambda f: f["cold_how_typical_s"])
    row("cold kg how, hub pair (s)", lambda f: f["cold_how_hub_s"])
    row("cold kg show, typical (s)", lambda f: f["cold_show_typical_s"])
    row("cold kg show, hub (s)", lambda f: f["cold_show_hub_s"])
    row("cold kg effects, typical (s)", lambda f: f["cold_effects_typical_s"])
    row("cold kg effects, hub (s)", lambda f: f["cold_effects_hub_s"])
    row("cold kg causes, typical (s)", lambda f: f["cold_causes_typical_s"])
    row("cold kg causes, hub (s)", lambda f: f["cold_causes_hub_s"])
    row("cold kg export -f ttl (s)", lambda f: f["cold_export_ttl"])
    row("  its peak (MB)", lambda f: f["cold_export_ttl"]["peak_mb"] if isinstance(f["cold_export_ttl"], dict) else NA)
    names = sorted({q for f in sizes.values() if isinstance(f["cold_sparql"], dict) for q in f["cold_sparql"]})
    if names:
        for q in names:
            row(
                f"cold kg sparql {q} (s)  [≤ 1 s]",
                lambda f, q=q: f["cold_sparql"].get(q, NA) if isinstance(f["cold_sparql"], dict) else NA,
            )
            if any(
                isinstance(f.get("cold_sparql_typical"), dict) and q in f["cold_sparql_typical"] for f in sizes.values()
            ):
                row(
                    "  with an ordinary entity, not a hub (s)",
                    lambda f, q=q: (
                        f["cold_sparql_typical"].get(q, NA) if isinstance(f.get("cold_sparql_typical"), dict) else NA
                    ),
                )
    else:
        row("cold kg sparql NAME (s)", lambda f: f["cold_sparql"])
    for i in range(3):
        row(f"warm how typical #{i + 1} (s)", lambda f, i=i: _pair(f["warm_how_typical"], i))
    for i in range(len(HUB_PAIRS)):
        row(f"warm how hub #{i + 1} (s)  [≤ 1 s]", lambda f, i=i: _pair(f["warm_how_hub"], i))
    row("networkx Yen top-5, hub pair (s)", lambda f: f["yen_top5_hub_s"])
    row("all_simple_paths ≤ 4 hops, hub pair", lambda f: _paths(f["simple_paths_hub"]))
    row("enumeration / Yen", lambda f: _ratio(f["enumeration_vs_yen"]))
    row("viz render, 1,000 nodes (s)", lambda f: _viz(f["viz_1000"]))
    row("pyoxigraph load graph.nt (s)", lambda f: f["oxigraph_load_s"])
    row("rdflib parse graph.nt (s)", lambda f: f["rdflib_load_s"])
    width = max(len(r[0]) for r in rows) + 2
    cols = [max([len(lb)] + [len(r[1][i]) for r in rows]) + 2 for i, lb in enumerate(labels)]
    lines = ["".ljust(width) + "".join(lb.rjust(c) for lb, c in zip(labels, cols, strict=True))]
    lines += [name.ljust(width) + "".join(v.rjust(c) for v, c in zip(vals, cols, strict=True)) for name, vals in rows]
    lines.append("")
    lines.append("warm how details (pair: code, effect, paths, first call, limit):")
    for k, f in sizes.items():
        for h in f["warm_how_typical"] + f["warm_how_hub"]:
            lines.append(
                f"  {k:>6}  {h['pair']}: {h['code']}, {h['effect']}, {h['paths']} paths, first call "
                f"{_fmt(h.get('first_s'))} s{', limited: ' + h['limited'] if h['limited'] else ', no limit hit'}"
            )
    lines.append("")
    lines.append(
        "SPARQL, in-process, median s: pyoxigraph in-memory vs rdflib default store (same graph.nt); "
        "ratio = rdflib / pyoxigraph; disk = kg's persisted store"
    )
    for k, f in sizes.items():
        for q, e in f["sparql_queries"].items():
            ratio = e["ratio"] if e["ratio"] == NA else f"{'≥ ' if e['ratio_lower_bound'] else ''}{e['ratio']}×"
            lines.append(
                f"  {k:>6}  {q:<28} oxigraph {_fmt(e['oxigraph_s']):>8}  rdflib {_fmt(e['rdflib_s']):>8}  "
                f"ratio {ratio:>9}  disk {_fmt(e.get('oxigraph_disk_s')):>7}  rows {e['rows']}/{e['rdflib_rows']}"
                f"{'  ' + e['note'] if 'note' in e else ''}"
            )
    lines.append("")
    lines.append(
        f"real data: cold kg how ketamine fatigue {_fmt(real['real_how_cold_s'])} s, "
        f"cold kg show ketamine {_fmt(real['real_show_cold_s'])} s"
    )
    lines.append("")
    lines.append("targets:")
    for c in checks:
        note = f"  ({c['note']})" if c["note"] else ""
        lines.append(f"  {c['verdict']:<5} {c['target']}: {_fmt(c['value'])} (wanted {c['wanted']}){note}")
    return "\n".join(lines)


def _pair(items: list[dict[str, Any]], i: int) -> str:
    if i >= len(items):
        return NA
    h = items[i]
    return f"{_fmt(h['median_s'])}{'*' if h['limited'] else ''}"


def _paths(sp: dict[str, Any]) -> str:
    return f"{sp['count']} in {sp['seconds']:.1f} s" if sp["complete"] else f"≥ {sp['count']} in {sp['budget_s']:g} s"


def _ratio(r: Any) -> str:
    return NA if r == NA else f"{'≥ ' if r['lower_bound'] else ''}{r['ratio']}×"


def _viz(v: Any) -> str:
    return NA if v == NA else f"{_fmt(v['median_s'])} ({v['nodes']} n)"


def machine() -> dict[str, Any]:
    """Where the numbers were taken."""
    mem = NA
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GB"
    versions = {}
    for pkg in ("pyoxigraph", "rdflib", "networkx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[pkg] = metadata.version(pkg)
    return {
        "cpus": os.cpu_count(),
        "memory": mem,
        "machine": platform.machine(),
        "system": platform.system(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        **versions,
    }


def main(argv: list[str] | None = None) -> int:
    """Measure every size, print the table and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k, 10k, 100k or numbers of statements")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    ap.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds for all_simple_paths (default 10)")
    ap.add_argument("--rdflib-budget", type=float, default=120.0, help="seconds per query on rdflib (default 120)")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mechkg-bench",
        help="where generated data is cached",
    )
    ap.add_argument("--json", type=Path, help="results file (default bench/results/run-<date>.json)")
    ap.add_argument("--rdflib-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.rdflib_worker:
        rdflib_worker()
        return 0
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        ns = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as exc:
        ap.error(str(exc))
    args.workdir.mkdir(parents=True, exist_ok=True)
    say(f"real data: cold kg how ×{args.runs}")
    real = bench_real(args.runs)
    out = args.json or RESULTS / f"run-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": args.runs,
        "seed": args.seed,
        "budget_s": args.budget,
        "real": real,
        "sizes": {},
        "targets": [],
    }
    for n in ns:
        result["sizes"][size_label(n)] = bench_size(n, args, args.workdir)
        result["targets"] = targets(real, result["sizes"])
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")  # after each size
    print(table(real, result["sizes"], result["targets"]))
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
