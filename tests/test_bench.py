"""Smoke test of the scale generator and the benchmark runner: correctness, not timing."""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import generate as gen
from bench.run import FIGURE_KEYS, REAL_KEYS
from kg.load import load_dataset
from kg.validate import check_dataset
from kg.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def _digests(directory: Path) -> dict[str, str]:
    """Every file under `directory` with the hash of its bytes."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    gen.generate(tmp_path / "a", 500, seed=7)
    gen.generate(tmp_path / "b", 500, seed=7)
    gen.generate(tmp_path / "c", 500, seed=8)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a") != _digests(tmp_path / "c")


def test_generated_data_validates_has_the_size_and_is_skewed(tmp_path: Path) -> None:
    summary = gen.generate(tmp_path, 2000, seed=3)
    data, problems = load_dataset(tmp_path)
    problems += check_dataset(data, load_vocabulary())
    assert problems == []
    assert len(data.statements) == summary.statements == 2000
    degree: Counter[str] = Counter()
    for st in data.statements.values():
        degree[st.subject] += 1
        degree[st.object] += 1
    top_key, top = degree.most_common(1)[0]
    assert top_key in {key for key, *_ in gen.HUBS}
    assert top >= 10 * statistics.median(degree[k] for k in data.entities)
    statuses = Counter(st.status for st in data.statements.values())
    assert set(statuses) == {"asserted", "disputed", "hedged", "negated"}
    assert 0.015 < statuses["disputed"] / 2000 < 0.05
    assert any(st.conflicts_with for st in data.statements.values())
    assert any(st.qualifiers for st in data.statements.values())
    assert {len(st.evidence) for st in data.statements.values()} == {1, 2, 3, 4}
    assert len({st.predicate for st in data.statements.values()}) >= 15


def test_statements_are_split_into_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen, "FILE_LIMIT", 300)
    summary = gen.generate(tmp_path, 1000, seed=1)
    parts = sorted((tmp_path / "statements").glob("*.json"))
    assert [p.name for p in parts] == [f"statements-00{i}.json" for i in range(1, 5)]
    assert [len(json.loads(p.read_text())["statements"]) for p in parts] == [300, 300, 300, 100]
    assert summary.files[:2] == ["sources.json", "entities.json"]


def test_yaml_and_json_hold_the_same_dataset(tmp_path: Path) -> None:
    gen.generate(tmp_path / "j", 300, seed=5, fmt="json")
    gen.generate(tmp_path / "y", 300, seed=5, fmt="yaml")
    (j, pj), (y, py) = load_dataset(tmp_path / "j"), load_dataset(tmp_path / "y")
    assert pj == py == []
    assert j.statements == y.statements and j.entities == y.entities and j.sources == y.sources


def test_parse_size() -> None:
    assert [gen.parse_size(s) for s in ("1k", "10k", "100k", "250", "2.5k")] == [1000, 10_000, 100_000, 250, 2500]
    with pytest.raises(ValueError):
        gen.parse_size("lots")


def test_runner_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    argv = [sys.executable, "bench/run.py", "--sizes", "200", "--runs", "1", "--json", str(out)]
    proc = subprocess.run(
        [*argv, "--workdir", str(tmp_path / "work")], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    figures = result["sizes"]["200"]
    assert set(figures) == set(FIGURE_KEYS)
    assert set(result["real"]) == set(REAL_KEYS)
    assert figures["statements"] == 200 and figures["cache_untouched"] is True
    assert figures["warm_how_hub"] and all(h["code"] == "found" for h in figures["warm_how_hub"])
    cold = [f"cold_{cmd}_{kind}_s" for cmd in ("how", "show", "effects", "causes") for kind in ("typical", "hub")]
    assert [figures[k]["code"] for k in cold] == [0] * len(cold)
    assert figures["cold_export_ttl"]["code"] == 0 and figures["cold_export_ttl"]["peak_mb"] > 0
    assert all(t["verdict"] in ("PASS", "FAIL", "n/a") for t in result["targets"]) and len(result["targets"]) >= 6
    assert "targets:" in proc.stdout


def test_suggest_eval_holds_out_and_counts_consistently() -> None:
    """bench/suggest_eval.py: the held-out claims are exactly those one document alone supports; the counts add up."""
    from bench.suggest_eval import claim_key, evaluate, held_out
    from conftest import SEEDS

    data, _ = load_dataset(ROOT / "data")
    vocab = load_vocabulary()
    kept = held_out(data, "cycle", keep_entities=True)
    assert set(data.statements) - set(kept.statements) == {
        k for k, s in data.statements.items() if s.sources == ("cycle",)
    }
    assert kept.entities == data.entities
    strict = held_out(data, "cycle", keep_entities=False)
    named = {k for s in strict.statements.values() for k in (s.subject, s.object)}
    assert set(strict.entities) <= set(data.entities) and named <= set(strict.entities)
    assert claim_key(vocab, "a", "associatedWith", "b", False) == claim_key(vocab, "b", "associatedWith", "a", False)
    assert claim_key(vocab, "a", "increases", "b", False) != claim_key(vocab, "b", "increases", "a", False)
    if not SEEDS.is_dir():
        pytest.skip("the corpus (../shared/seeds) is not beside this checkout")
    result = evaluate(SEEDS)
    assert {r["source"] for r in result["documents"]} == set(data.sources)
    for r in result["documents"]:
        assert 0 <= r["recalled"] <= r["dropped"] and 0 <= r["right"] <= r["candidates"]
    o = result["overall"]
    assert o["recalled"] == sum(r["recalled"] for r in result["documents"]) and 0 < o["recall"] <= 1
