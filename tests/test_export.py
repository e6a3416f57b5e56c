import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from conftest import ROOT
from kg.build import build
from kg.export import export, guess_format


@pytest.mark.parametrize("fmt, parse_as", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_in_rdflib_and_oxigraph(mini_graph, tmp_path, fmt, parse_as):
    out = tmp_path / f"g.{fmt}"
    export(mini_graph, fmt, str(out))
    g = rdflib.Graph().parse(out, format=parse_as)
    ox_fmt = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    assert len(list(ox.parse(path=str(out), format=ox_fmt))) == len(g) > 100


def test_turtle_export_is_byte_identical(mini_graph, tmp_path):
    export(mini_graph, "ttl", str(tmp_path / "a.ttl"))
    export(mini_graph, "ttl", str(tmp_path / "b.ttl"))
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()


@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld"])
def test_rdf_exports_do_not_depend_on_the_cache_or_on_chunking(mini_dir, mini_graph, tmp_path, monkeypatch, fmt):
    import kg.export

    export(mini_graph, fmt, str(tmp_path / "cached"))  # from the build's N-Triples file
    uncached = build(mini_dir)
    assert uncached.cache_dir is None
    export(uncached, fmt, str(tmp_path / "built"))  # from the records
    whole = kg.export._sorted_ntriples
    monkeypatch.setattr(kg.export, "_sorted_ntriples", lambda graph: whole(graph, chunk=3))
    export(mini_graph, fmt, str(tmp_path / "chunked"))  # the parser reads across many chunk boundaries
    cached = (tmp_path / "cached").read_bytes()
    assert cached == (tmp_path / "built").read_bytes() == (tmp_path / "chunked").read_bytes()
    if fmt == "nt":
        lines = cached.decode().splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines)) > 100


def test_a_graph_larger_than_memory_allows_is_sorted_in_runs_and_merged(mini_graph):
    from kg.export import _sorted_ntriples

    whole = b"".join(_sorted_ntriples(mini_graph))
    for run_bytes, chunk in ((2_000, 7), (30_000, 1), (8_000, 50)):  # ~50 runs, a few runs, a dozen
        assert b"".join(_sorted_ntriples(mini_graph, chunk=chunk, run_bytes=run_bytes)) == whole


def test_merging_sorted_runs_gives_one_sorted_sequence():
    import random

    from kg.export import _merged

    rng = random.Random(7)
    for _ in range(200):
        lines = [bytes(rng.choices(b"ab<>_ ", k=rng.randint(0, 6))) for _ in range(rng.randint(0, 60))]
        cuts = sorted(rng.sample(range(len(lines) + 1), k=min(len(lines) + 1, rng.randint(1, 5))))
        runs = [iter(sorted(lines[a:b])) for a, b in zip([0, *cuts], [*cuts, len(lines)], strict=True)]
        blocks = list(_merged(runs, rng.randint(1, 8)))
        assert [line for block in blocks for line in block] == sorted(lines)


def test_rdf_export_from_a_cache_directory_needs_no_graph(mini_graph, tmp_path):
    for fmt in ("nt", "ttl"):
        export(mini_graph, fmt, str(tmp_path / f"graph.{fmt}"))
        export(mini_graph.cache_dir, fmt, str(tmp_path / f"dir.{fmt}"))
        assert (tmp_path / f"graph.{fmt}").read_bytes() == (tmp_path / f"dir.{fmt}").read_bytes()
    with pytest.raises(TypeError):
        export(mini_graph.cache_dir, "graphml", str(tmp_path / "g.graphml"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.nt", "dir.ttl", "graph.nt", "graph.ttl"]


def test_sigterm_while_writing_leaves_no_half_file(tmp_path):
    script = (
        "import os, signal, time\n"
        "from kg.export import atomic_file\n"
        "with atomic_file('out.ttl') as fh:\n"
        "    fh.write(b'half of it')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, timeout=60)
    assert r.returncode == 128 + signal.SIGTERM and list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_is_not_an_error():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "export", "-f", "ttl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    proc.stdout.close()  # like `kg export | head -0`
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and err == b""


def test_kgx_has_biolink_fields_and_provenance(mini_graph, tmp_path):
    written = export(mini_graph, "kgx", str(tmp_path / "mini"))
    assert [p.rsplit("/", 1)[1] for p in written] == ["mini_nodes.tsv", "mini_edges.tsv"]
    nodes, edges = (list(csv.DictReader(Path(p).read_text().splitlines(), delimiter="\t")) for p in written)
    assert len(nodes) == len(mini_graph.entities) and len(edges) == len(mini_graph.statements)
    drug = next(n for n in nodes if n["id"] == "ent:drug_a")
    assert drug["category"].split("|")[:2] == ["biolink:Drug", "biolink:ChemicalEntity"]
    treats = next(e for e in edges if e["id"] == "stmt:drug_a-treats-condition_c")
    assert treats["predicate"] == "biolink:treats" and treats["primary_knowledge_source"] == "infores:mechkg"
    assert "Document A" in treats["publications"] and "within 2 hours" in treats["supporting_text"]
    negated = next(e for e in edges if e["status"] == "negated")
    assert negated["negated"] == "true"


def test_graphml_has_every_node_and_edge(mini_graph, tmp_path):
    import networkx as nx

    export(mini_graph, "graphml", str(tmp_path / "g.graphml"))
    g = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert g.number_of_nodes() == len(mini_graph.entities)
    assert g.number_of_edges() == len(mini_graph.statements)


def test_format_guessing():
    assert guess_format("x.nt", None) == "nt"
    assert guess_format("x.jsonld", None) == "jsonld"
    assert guess_format("-", None) == "ttl"
    assert guess_format("x.nt", "ttl") == "ttl"
