"""Benchmark: cold-process latency of `kg how ketamine fatigue` (median of N runs; target ≤ 0.25 s).

Run: python bench/bench_how.py [--runs 11] [--json bench/results/how.json]
The first, untimed run builds the cache; every timed run is a fresh process reading it.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def kg_command() -> list[str]:
    """The installed `kg` script if there is one, else `python -m kg`."""
    exe = shutil.which("kg")
    return [exe] if exe else [sys.executable, "-m", "kg"]


def time_command(argv: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` fresh processes (after one untimed warm-up)."""
    subprocess.run(argv, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    """Measure and print the median; optionally write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    argv = [*kg_command(), "how", "ketamine", "fatigue"]
    times = time_command(argv, args.runs)
    python = time_command([sys.executable, "-c", "pass"], args.runs)
    result = {
        "command": "kg how ketamine fatigue",
        "runs": args.runs,
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "bare_python_median_s": round(statistics.median(python), 4),
        "target_s": 0.25,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    print(
        f"kg how ketamine fatigue: median {result['median_s']:.3f} s over {args.runs} cold runs "
        f"(bare python {result['bare_python_median_s']:.3f} s; target ≤ 0.25 s)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
