"""Child processes timed from outside: wall time and each command's own peak memory, medians of fresh runs."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NA = "n/a"
COLD_TIMEOUT_S = 120.0  # a cold command slower than this is stopped and reported as "> 120"
SLOW_S = 10.0  # a cold command slower than this (on its warm-up) gets 2 timed runs, not --runs


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
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "memory": mem,
        "machine": platform.machine(),
        "system": platform.system(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        **versions,
    }
