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
    """The queries to run on both engines: every named one (issue 23), else the inline ones."""
    return dict(texts)


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
                deadline = time.monotonic() + budget + 30  # the worker stops a query at `budget` itself
                times: list[float] = []
                rows, error, finished = 0, "", False
                while (msg := lines.next(deadline)) is not None:
                    if msg.get("done"):
                        finished = True
                        break
                    if "error" in msg:
                        error = msg["error"]
                    elif "s" in msg:
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
    """Child side of rdflib_times: parse once, then run each query up to `runs` times in a forked child of its own,
    one JSON line per run; a query over the budget is killed there, and the parsed graph is kept for the next one."""
    import select

    import rdflib

    spec = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(spec["nt"], format="nt")
    print(json.dumps({"load_s": time.perf_counter() - t0, "triples": len(g)}), flush=True)
    for name, text in spec["queries"].items():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, report, and leave without cleanup
            os.close(read)
            try:
                _rdflib_runs(g, name, text, spec, os.fdopen(write, "w"))
            finally:
                os._exit(0)
        os.close(write)
        deadline, stopped = time.monotonic() + spec["budget"], False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, 9)
                stopped = True
                break
            if select.select([read], [], [], left)[0]:
                chunk = os.read(read, 1 << 16)
                if not chunk:
                    break
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
        os.close(read)
        os.waitpid(pid, 0)
        if stopped:
            print(json.dumps({"q": name, "stopped": True}), flush=True)
        print(json.dumps({"q": name, "done": True}), flush=True)


def _rdflib_runs(g, name: str, text: str, spec: dict, out) -> None:
    from pyparsing import ParseBaseException

    spent = 0.0
    for _ in range(spec["runs"]):
        t0 = time.perf_counter()
        try:
            res = g.query(text)
            rows = int(bool(res.askAnswer)) if res.type == "ASK" else len(list(res))
        except (ParseBaseException, ValueError, TypeError, KeyError, SyntaxError, RecursionError) as exc:
            print(json.dumps({"q": name, "error": f"{type(exc).__name__}: {exc}"[:200]}), file=out, flush=True)
            break
        s = time.perf_counter() - t0
        spent += s
        print(json.dumps({"q": name, "s": s, "rows": rows}), file=out, flush=True)
        if spent > spec["budget"] / 2:
            break


def sparql_cli_available(env: dict[str, str]) -> bool:
    """Whether this checkout's `kg` has the `sparql` command yet."""
    return run_child([*kg_command(), "sparql", "--help"], env).code == 0


def stream_times(argv: list[str], env: dict[str, str], runs: int, timeout: float = 120.0) -> dict[str, Any]:
    """A whole answer written to a pipe: median time to its first byte and to its end, its lines, lines per second
    (fresh processes after an untimed warm-up, as repeat() does)."""
    firsts, wholes, lines = [], [], 0
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        first, count = None, 0
        deadline = time.monotonic() + timeout
        while chunk := proc.stdout.read1(1 << 16):
            first = first if first is not None else time.perf_counter() - t0
            count += chunk.count(b"\n")
            if time.monotonic() > deadline:
                proc.kill()
                break
        proc.wait()
        whole = time.perf_counter() - t0
        if i:  # the first run warms the page cache
            firsts.append(first if first is not None else whole)
            wholes.append(whole)
        lines = count
    rows = max(lines - 1, 0) if "nt" not in argv else lines
    return {
        "first_byte_s": median(firsts),
        "whole_s": median(wholes),
        "rows": rows,
        "rows_per_s": round(rows / median(wholes)) if rows else NA,
    }


def serve_times(kg: list[str], env: dict[str, str], texts: dict[str, str], runs: int) -> dict[str, Any] | str:
    """Every query (prefixes declared, parameters bound) through a warm `kg serve`: the median time of a request
    from a client on this machine, after one untimed request each."""
    import http.client
    import signal
    import urllib.parse

    from kg.sparqltext import parse

    proc = subprocess.Popen(
        [*kg, "serve", "--port", "0", "--timeout", "120"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        line = proc.stderr.readline().decode()  # "serving the graph at http://127.0.0.1:PORT/ …"
        found = [w for w in line.split() if w.startswith("http://")]
        if not found:
            return NA
        url = urllib.parse.urlsplit(found[0])
        out: dict[str, Any] = {}
        for name, text in texts.items():
            triples = parse(text).form in ("CONSTRUCT", "DESCRIBE")
            accept = "application/n-triples" if triples else "application/sparql-results+json"
            times, size, status = [], 0, 0
            for i in range(runs + 1):
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
                t0 = time.perf_counter()
                conn.request(
                    "POST",
                    "/query",
                    body=urllib.parse.urlencode({"query": text}).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
                )
                resp = conn.getresponse()
                body = resp.read()
                if i:
                    times.append(time.perf_counter() - t0)
                status, size = resp.status, len(body)
                conn.close()
            out[name] = {"median_s": median(times), "status": status, "bytes": size}
        return out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
