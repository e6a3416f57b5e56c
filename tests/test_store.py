"""The SPARQL engine: persisted store, read-only queries, bindings as values, refusals, time limits."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg import store as store_mod
from kg.errors import UsageError
from kg.store import Engine, QueryTimeout, build_store, check_query, ensure_store
from kg.vocab import ENT, prefixes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture()
def fresh_graph(mini_graph, tmp_path):
    """The mini graph with a cache directory of its own (no store built yet)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(mini_graph.cache_dir / "graph.nt", cache / "graph.nt")
    return dataclasses.replace(mini_graph, cache_dir=cache)


@pytest.fixture(scope="module")
def engine(mini_graph):
    return Engine.for_graph(mini_graph)


def _count(engine: Engine, query: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> int:
    import json

    data = json.loads(engine.query(query).data)
    return int(data["results"]["bindings"][0]["n"]["value"])


def test_store_is_built_lazily_atomically_and_reused(fresh_graph, monkeypatch):
    target = fresh_graph.cache_dir / "oxigraph"
    assert not target.exists()
    path = ensure_store(fresh_graph)
    assert path == target and target.is_dir()
    hidden = [p.name for p in fresh_graph.cache_dir.iterdir() if p.name.startswith(".")]
    assert hidden == [".lock"]  # no temp dir left; only the lock file builds take turns on
    lines = (fresh_graph.cache_dir / "graph.nt").read_text().count("\n")
    assert _count(Engine(path)) == lines

    def no_rebuild(*_args, **_kwargs):
        raise AssertionError("the store was built again")

    monkeypatch.setattr(store_mod, "build_store", no_rebuild)
    assert Engine.for_graph(fresh_graph).location == target  # second use: opened, not re-parsed


def test_a_build_with_the_store_beside_it_leaves_a_complete_store(mini_dir, tmp_path, monkeypatch):
    """kg sparql on new data: the store is loaded from the triples as graph.nt is written (kg.store.StoreWriter, in
    chunks on two threads), and is then the store a later command opens, checked, with every triple."""
    from kg.build import load_graph
    from kg.store import STORE_DIR, StoreWriter, store_beside, store_damage

    monkeypatch.setenv("MECHKG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(StoreWriter, "CHUNK", 4096)  # many chunks, loaded side by side
    graph = load_graph(mini_dir, companion=store_beside)
    target = graph.cache_dir / STORE_DIR
    assert store_damage(target) is None

    def no_rebuild(*_args, **_kwargs):
        raise AssertionError("the store was built again")

    monkeypatch.setattr(store_mod, "build_store", no_rebuild)
    engine = Engine.for_graph(graph)
    assert engine.location == target
    lines = (graph.cache_dir / "graph.nt").read_text().count("\n")
    assert lines > 500 and _count(engine) == lines  # 4 KB chunks: a dozen of them
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def test_build_race_keeps_one_store(fresh_graph):
    nt = fresh_graph.cache_dir / "graph.nt"
    target = fresh_graph.cache_dir / "oxigraph"
    build_store(nt, target)
    before = sorted(p.name for p in target.iterdir())
    assert build_store(nt, target) == target  # the loser of a race discards its own copy
    assert sorted(p.name for p in target.iterdir()) == before
    assert not [p for p in fresh_graph.cache_dir.iterdir() if p.name.startswith(".oxigraph-")]


def test_persisted_store_is_opened_read_only(engine):
    with pytest.raises((OSError, RuntimeError), match="read-write"):
        engine.store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))


def test_select_ask_and_construct_forms_and_formats(engine):
    q = "SELECT ?x WHERE { ?x a mk:Drug } ORDER BY ?x"
    res = engine.query(q)
    assert res.form == "select" and res.format == "json" and res.media_type == "application/sparql-results+json"
    assert [s["x"].value for s in ox.parse_query_results(res.data, format=ox.QueryResultsFormat.JSON)] == [
        ENT + "drug_a",
        ENT + "drug_b",
    ]
    assert engine.query(q, results="csv").data.splitlines()[0] == b"x"
    assert b"<sparql" in engine.query(q, results="xml").data
    assert engine.query(q, results="tsv").data.splitlines()[0] == b"?x"
    yes = engine.query("ASK { ent:drug_a mk:antagonizes ent:receptor_r }")
    no = engine.query("ASK { ent:receptor_r mk:antagonizes ent:drug_a }")
    assert (yes.form, yes.boolean, no.boolean) == ("ask", True, False)
    for fmt, rdf in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)):
        res = engine.query("DESCRIBE ent:drug_a", graph_format=fmt, prefixes=prefixes())
        triples = {(t.subject, t.predicate, t.object) for t in ox.parse(res.data, format=rdf)}
        assert res.form == "graph" and len(triples) > 10
        label = (ox.NamedNode(ENT + "drug_a"), ox.NamedNode(prefixes()["rdfs"] + "label"), ox.Literal("drug A"))
        assert label in triples


def test_project_prefixes_are_predeclared_and_a_query_may_redeclare(engine):
    q = "SELECT ?label WHERE { ent:drug_a rdfs:label ?label }"
    assert b"drug A" in engine.query(q, prefixes=prefixes()).data
    own = "PREFIX ent: <urn:nothing:> SELECT ?label WHERE { ent:drug_a rdfs:label ?label }"
    assert b"drug A" not in engine.query(own, prefixes=prefixes()).data


def test_bindings_are_values_never_query_text(engine):
    size = _count(engine)
    evil = '"} ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> <urn:z> } #'
    q = "SELECT ?text ?quote WHERE { ?ev mk:quote ?quote FILTER(CONTAINS(?quote, ?text)) }"
    res = engine.query(q, bindings={"text": ox.Literal(evil)})
    rows = list(ox.parse_query_results(res.data, format=ox.QueryResultsFormat.JSON))
    assert rows == []
    quoted = engine.query(q, bindings={"text": ox.Literal('"quickly"')})
    (row,) = list(ox.parse_query_results(quoted.data, format=ox.QueryResultsFormat.JSON))
    assert row["text"].value == '"quickly"'  # bound as a value, quotes and all
    assert _count(engine) == size


def test_a_bound_variable_need_not_be_projected(engine):
    q = "SELECT ?o WHERE { ?s rdfs:label ?o }"
    everything = json.loads(engine.query(q).data)["results"]["bindings"]
    one = json.loads(engine.query(q, bindings={"s": ox.NamedNode(ENT + "drug_a")}).data)["results"]["bindings"]
    assert len(everything) > 1 and [b["o"]["value"] for b in one] == ["drug A"]


def test_syntax_error_names_line_and_column(engine):
    with pytest.raises(UsageError) as err:
        engine.query("SELECT ?x\nWHERE {\n  ?x a nope:Drug .\n}")
    msg = str(err.value)
    assert msg.startswith("query: syntax error at line 3, column") and "\n" not in msg
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "text",
    [
        "DROP ALL",
        "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
        "LOAD <http://example.org/data.ttl>",
        "  # a comment first\n delete where { ?s ?p ?o }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(engine, text):
    with pytest.raises(UsageError, match=r"updates .* are refused"):
        engine.query(text)


def test_service_is_refused_unless_allowed():
    remote = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(UsageError, match="--allow-remote"):
        check_query(remote)
    assert check_query(remote, allow_remote=True) == "SELECT"
    # the word in a string, an IRI or a comment is not a SERVICE clause
    assert check_query('SELECT * WHERE { ?s ?p "SERVICE" . ?s ?p <http://x/SERVICE> } # SERVICE') == "SELECT"


def test_runaway_query_is_killed_at_its_time_limit(engine):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"query timed out after 1 s"):
        engine.query(RUNAWAY, timeout=1)
    assert time.monotonic() - started < 5


def test_ctrl_c_stops_a_query_without_a_time_limit(mini_dir):
    # pyoxigraph does not look for Ctrl-C while it evaluates; with --timeout 0 the query still runs in a child
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--data", str(mini_dir), "sparql", RUNAWAY, "--timeout", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 30
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    while not (children.exists() and children.read_text().split()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the query runs in its child
    query_pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:  # not stopped: do not leave it running
        for pid in [proc.pid, *query_pids]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130 and b"Traceback" not in err
    for pid in query_pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_time_limited_query_gives_the_same_answer_and_errors(engine):
    q = "SELECT ?x WHERE { ?x a mk:Entity } ORDER BY ?x"
    assert engine.query(q, timeout=30) == engine.query(q)
    with pytest.raises(UsageError, match="syntax error at line 1"):
        engine.query("SELECT ?x WHERE {", timeout=30)


def test_graph_without_cache_uses_an_in_memory_store(mini_graph):
    eng = Engine.for_graph(dataclasses.replace(mini_graph, cache_dir=None))
    assert eng.location is None
    assert eng.query("ASK { ent:drug_a a mk:Drug }").boolean is True


def test_sparql_path_never_imports_rdflib(mini_dir):
    code = (
        "import sys; sys.argv = ['kg', '--data', sys.argv[1], 'sparql', 'mechanism-chain', '-p', 'drug=drug A'];"
        "from cli import cli\n"
        "try:\n    cli.main(standalone_mode=False)\nfinally:\n"
        "    print('RDFLIB' if any(m.split('.')[0] == 'rdflib' for m in sys.modules) else 'CLEAN')"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(mini_dir)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("CLEAN") and "ent:receptor_r" in r.stdout
