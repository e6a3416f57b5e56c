"""Benchmark: `kg serve` under load — N simultaneous clients × M queries each; errors and latency percentiles.

Run: python bench/serve_load.py [--clients 40] [--queries 50] [--data DIR] [--json bench/results/serve_load.json]

A `kg serve` process is started on a free port over the built graph (the embedded data unless --data). All clients
start at the same instant (a barrier) and each sends its queries one after another, every query on a new connection
(as SPARQLWrapper and urllib do), cycling through a mix of small and medium queries. An error is any exception (a
reset, a refused connection, a timeout) or a status other than 200. The target: 0 errors at 40 × 50.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import select
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "ASK { ent:ketamine a mk:Drug }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?e ?label WHERE { ?e a mk:Symptom ; rdfs:label ?label } ORDER BY ?label",
    "SELECT ?x ?p WHERE { ent:ketamine ?p ?x } LIMIT 50",
    "SELECT ?s ?quote WHERE { ?s mk:evidence/mk:quote ?quote } LIMIT 100",
]


def start_server(data: str | None, timeout: float) -> tuple[subprocess.Popen, str]:
    """Start `kg serve` on a free port; the process and its /query URL once it is ready."""
    cmd = [sys.executable, "-m", "kg", *(["--data", data] if data else []), "serve", "--port", "0"]
    cmd += ["--timeout", str(timeout)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, deadline = b"", time.monotonic() + 300
    while b"serving the graph at" not in seen:
        ready, _, _ = select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(proc.stderr.fileno(), 4096) if ready else b""
        if not chunk:
            proc.kill()
            raise SystemExit(f"kg serve did not start: {seen.decode(errors='replace')}")
        seen += chunk
    url = re.search(rb"serving the graph at (\S+/) ", seen).group(1).decode()
    return proc, url + "query"


def client(url: str, n: int, offset: int, barrier: threading.Barrier, latencies: list, errors: list) -> None:
    """Send `n` queries one after another, each on a new connection; record latencies and failures."""
    barrier.wait()
    for i in range(n):
        query = QUERIES[(offset + i) % len(QUERIES)]
        req = urllib.request.Request(
            f"{url}?{urllib.parse.urlencode({'query': query})}",
            headers={"Accept": "application/sparql-results+json"},
        )
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            errors.append(f"status {status}")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def run(clients: int, queries: int, url: str) -> dict:
    """The load: `clients` threads × `queries` each, started together; the figures."""
    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=client, args=(url, queries, i, barrier, latencies, errors)) for i in range(clients)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "queries_per_client": queries,
        "queries": clients * queries,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "wall_s": round(wall, 2),
        "throughput_qps": round(len(latencies) / wall, 1),
        "p50_s": round(percentile(latencies, 50), 4) if latencies else None,
        "p90_s": round(percentile(latencies, 90), 4) if latencies else None,
        "p99_s": round(percentile(latencies, 99), 4) if latencies else None,
        "max_s": round(max(latencies), 4) if latencies else None,
        "mean_s": round(statistics.fmean(latencies), 4) if latencies else None,
    }


def main() -> None:
    """Start the server, load it, print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--queries", type=int, default=50, help="queries per client")
    ap.add_argument("--data", help="dataset directory (default: the embedded data)")
    ap.add_argument("--timeout", type=float, default=30.0, help="the server's per-query limit")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    proc, url = start_server(args.data, args.timeout)
    try:
        run(min(args.clients, 4), 5, url)  # warm-up: the engine's first answers
        figures = run(args.clients, args.queries, url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    figures |= {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version()}
    print(
        f"{figures['clients']} clients × {figures['queries_per_client']} queries = {figures['queries']}: "
        f"{figures['errors']} errors; {figures['throughput_qps']} queries/s; latency p50 {figures['p50_s']} s, "
        f"p90 {figures['p90_s']} s, p99 {figures['p99_s']} s, max {figures['max_s']} s"
    )
    for kind in figures["error_kinds"]:
        print(f"  error: {kind}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    sys.exit(1 if figures["errors"] else 0)


if __name__ == "__main__":
    main()
