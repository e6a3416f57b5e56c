"""Benchmark mechkg at scale on synthetic graphs and print the figures beside their targets.

Run: python bench/run.py --sizes 1k,10k,100k [--runs 5] [--seed 42] [--budget 10] [--json OUT]

For each size, the data comes from bench/generate.py (cached under $TMPDIR/mechkg-bench by seed, size and a
fingerprint of the generator and the ontology), and MECHKG_CACHE_DIR points at a fresh temporary directory,
so nothing is shared with the user's cache. Measured, each a median of --runs runs:

- `kg validate --no-shacl` and a rebuild (`load_graph(rebuild=True)`) in child processes: time and peak RSS;
- a second load with unchanged inputs: its time, and whether the cached pickle was left untouched;
- the first command on new data (an empty cache): `kg sparql` (which also loads the SPARQL store) and `kg how`;
- cold processes: `kg how` (a typical and a hub pair), `kg show`, `kg effects` and `kg causes` (a typical
  entity and a hub), `kg export -f ttl` (time and peak RSS); one untimed warm-up first, then fresh processes;
- SPARQL (bench/measure/sparql.py), every named query with hubs as parameters and, where it takes an entity,
  an ordinary one: the first screen (`kg sparql NAME --max-rows 40`, what a terminal shows), the whole answer to a
  pipe (time to the first byte and to the end, rows per second), and through a warm `kg serve`;
- warm, in-process: `kg.paths.how(graph, a, b, top=5)` for typical and hub pairs, with the limit it reports;
- the alternatives we chose against, in the same run: k shortest paths by python-igraph's and networkx's Yen on
  kg's own signed state graph and costs (bench/measure/paths.py says what each side computes); networkx
  `all_simple_paths` (length ≤ 4, counted within --budget seconds) against `shortest_simple_paths` on the step
  graph; rdflib's default in-memory store against pyoxigraph's in-memory store on the same N-Triples (the cache's
  graph.nt) for every named query, rdflib in a child process that forks one per query, so that a runaway query
  is stopped (--rdflib-budget) without parsing the graph again; and the same queries on the on-disk store;
- rendering a 1,000-node neighbourhood with kg.viz (n/a without it).

Peak memory of a child is its own ru_maxrss, read with os.wait4 for that child alone by a small launcher
process (see LAUNCHER): resource.getrusage(RUSAGE_CHILDREN) holds the maximum over all children reaped so far,
and a child forked straight from this process would count this process's own peak as well.
The results go to bench/results/run-<date>.json unless --json says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import HUB_PAIRS, parse_size, size_label  # noqa: E402
from bench.measure.data import dataset  # noqa: E402
from bench.measure.paths import (  # noqa: E402
    k_shortest,
    simple_paths,
    step_digraph,
    typical_entities,
    typical_pairs,
    warm_how,
    yen_top5,
)
from bench.measure.proc import (  # noqa: E402
    COLD_TIMEOUT_S,
    NA,
    cache_dir,
    child_env,
    kg_command,
    machine,
    median,
    repeat,
    run_child,
    say,
)
from bench.measure.report import table, targets  # noqa: E402
from bench.measure.sparql import (  # noqa: E402
    disk_store_times,
    engine_queries,
    named_queries,
    oxigraph_times,
    rdflib_times,
    rdflib_worker,
    serve_times,
    sparql_cli_available,
    stream_times,
    typical_params,
)
from bench.measure.viz import viz_time  # noqa: E402
from kg.sparqltext import parse  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SCREEN_ROWS = 40  # the rows of a first screen: what `kg sparql` shows on a terminal

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
    "first_command",
    "cold_sparql",
    "cold_sparql_typical",
    "stream",
    "serve_warm",
    "k_shortest",
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

        fig["first_command"] = first_commands(kg, data, min(args.runs, 3), label)

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
            # the first screen: what a terminal shows (--max-rows 40, as on a terminal; a CONSTRUCT's whole Turtle)
            screen = ("--max-rows", str(SCREEN_ROWS))
            say(f"{label}: cold kg sparql, first screen, {len(texts)} named queries ×{args.runs}")
            fig["cold_sparql"] = {}
            for name in texts:
                cmd = [*kg, "sparql", name, *screen, *[a for p in params[name] for a in ("--param", p)]]
                fig["cold_sparql"][name] = repeat(cmd, env, args.runs, COLD_TIMEOUT_S)
            ordinary = typical_params(typical_entities(graph))
            say(f"{label}: cold kg sparql, first screen, {len(ordinary)} queries with ordinary entities ×{args.runs}")
            fig["cold_sparql_typical"] = {}
            for name, given in ordinary.items():
                cmd = [*kg, "sparql", name, *screen, *[a for p in given for a in ("--param", p)]]
                fig["cold_sparql_typical"][name] = {**repeat(cmd, env, args.runs, COLD_TIMEOUT_S), "params": given}
            say(f"{label}: whole answers to a pipe, {len(texts)} named queries ×{args.runs}")
            fig["stream"] = {}
            for name in texts:
                fmt = "nt" if parse(texts[name]).form in ("CONSTRUCT", "DESCRIBE") else "tsv"
                cmd = [*kg, "sparql", name, "-f", fmt, *[a for p in params[name] for a in ("--param", p)]]
                fig["stream"][name] = stream_times(cmd, env, args.runs)
            say(f"{label}: a warm kg serve, {len(texts)} named queries ×{args.runs}")
            fig["serve_warm"] = serve_times(kg, env, texts, args.runs)
        else:
            fig["cold_sparql"] = fig["cold_sparql_typical"] = fig["stream"] = fig["serve_warm"] = NA

        say(f"{label}: warm kg.paths.how ×{args.runs}")
        fig["warm_how_typical"] = warm_how(graph, pairs, args.runs)
        fig["warm_how_hub"] = warm_how(graph, hubs, args.runs)

        say(f"{label}: k shortest paths: kg against igraph and networkx (Yen) on the signed state graph ×{args.runs}")
        fig["k_shortest"] = k_shortest(graph, hubs, args.runs)

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


def first_commands(kg: list[str], data: Path, runs: int, label: str) -> dict[str, Any]:
    """The first command on new data, each run in an empty cache: `kg sparql` (which also loads the SPARQL store)
    and `kg how` between hubs; median time and peak memory."""
    from kg.build import load_graph

    with cache_dir(f"{label}-probe"):
        graph = load_graph(data)
        hubs = [p for p in HUB_PAIRS if p[0] in graph.entities and p[1] in graph.entities]
        del graph
    commands = {"sparql": ["sparql", "treatments-for", "--max-rows", str(SCREEN_ROWS)]}
    if hubs:
        commands["how"] = ["how", *hubs[0]]
    out = {}
    for what, cmd in commands.items():
        say(f"{label}: first command on new data, kg {what} ×{runs}")
        done = []
        for _ in range(runs):
            with cache_dir(f"{label}-first") as fresh:
                done.append(run_child([*kg, *cmd], child_env(fresh), COLD_TIMEOUT_S))
        out[what] = {
            "median_s": median([c.seconds for c in done]),
            "peak_mb": round(statistics.median(c.peak_mb for c in done), 1),
            "code": done[-1].code,
            "runs": len(done),
        }
    return out


def bench_real(runs: int) -> dict[str, Any]:
    """Cold `kg how ketamine fatigue` and `kg show ketamine` on the embedded data."""
    with cache_dir("real") as cache:
        env = child_env(cache)
        return {
            "real_how_cold_s": repeat([*kg_command(), "how", "ketamine", "fatigue"], env, runs),
            "real_show_cold_s": repeat([*kg_command(), "show", "ketamine"], env, runs),
        }


def main(argv: list[str] | None = None) -> int:
    """Measure every size, print the table and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k, 10k, 100k or numbers of statements")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    ap.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds for all_simple_paths (default 10)")
    ap.add_argument("--rdflib-budget", type=float, default=30.0, help="seconds per query on rdflib (default 30)")
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
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(real, result["sizes"], result["targets"]))
    m = result["machine"]
    print(
        f"\nmachine: {m['cpus']} cores, {m['memory']}, {m['python']}; load average (1, 5, 15 min) at the start "
        f"{m['load_average_at_start']}, at the end {m['load_average_at_end']}"
    )
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
