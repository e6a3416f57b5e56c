"""The synthetic data sets (bench/generate.py), generated once per seed, size and generator fingerprint."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.generate import GENERATOR_VERSION, generate
from bench.measure.proc import ROOT


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
