"""Beyond one machine: `kg push` into a real Oxigraph server, then `kg sparql --endpoint` against it."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pyoxigraph as ox
import pytest

from conftest import run_kg, wait_for_http
from kg.errors import UsageError
from kg.query import list_queries
from kg.remote import check_url, prepare, store_url
from kg.serve import free_port
from kg.vocab import ENT

GRAPH = "https://w3id.org/mechkg/graph/test"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A read-write `oxigraph serve` on a free loopback port, in a temporary location (base URL)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server (extra 'serve') is not installed")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    cmd = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "3"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if not wait_for_http(f"{base}/query?query=ASK%7B%7D", proc, 15):
        proc.kill()
        pytest.fail("oxigraph serve did not start")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def remote_count(base: str, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    q = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"})
    with urllib.request.urlopen(f"{base}/query?{q}", timeout=10) as resp:
        return int(json.loads(resp.read())["results"]["bindings"][0]["n"]["value"])


def normalized(result_text: str, fmt: str):
    if fmt == "nt":
        return sorted(result_text.splitlines())
    data = json.loads(result_text)
    if "boolean" in data:
        return data["boolean"]
    return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])


@pytest.mark.server
def test_push_then_every_named_query_gives_the_local_answer(kg_cli, oxigraph, real_graph):
    r = kg_cli("push", "--endpoint", f"{oxigraph}/store")
    lines = (real_graph.cache_dir / "graph.nt").read_text().count("\n")
    assert r.exit_code == 0 and f"loaded {lines} triples into {oxigraph}/store?default" in r.stderr
    assert remote_count(oxigraph) == lines
    for q in list_queries():
        fmt = "nt" if q.form in ("CONSTRUCT", "DESCRIBE") else "json"
        local = kg_cli("sparql", q.name, "-f", fmt)
        remote = kg_cli("sparql", q.name, "-f", fmt, "--endpoint", f"{oxigraph}/query")
        assert local.exit_code == remote.exit_code, q.name
        assert normalized(remote.stdout, fmt) == normalized(local.stdout, fmt), q.name
    # parameters by entity name, bound on the client
    args = ("sparql", "mechanism-chain", "-p", "drug=NMDA receptor", "-f", "json")
    local, remote = kg_cli(*args), kg_cli(*args, "--endpoint", f"{oxigraph}/query")
    assert normalized(local.stdout, "json") == normalized(remote.stdout, "json") != []


@pytest.mark.server
def test_push_into_a_named_graph_replaces_or_appends(kg_cli, oxigraph, mini_dir, mini_graph, real_graph):
    mini = (mini_graph.cache_dir / "graph.nt").read_text().splitlines()
    real = (real_graph.cache_dir / "graph.nt").read_text().splitlines()
    assert kg_cli("push", "--endpoint", f"{oxigraph}/store", "--graph", GRAPH).exit_code == 0
    assert remote_count(oxigraph, GRAPH) == len(real)
    r = kg_cli("--data", str(mini_dir), "push", "--endpoint", f"{oxigraph}/store", "--graph", GRAPH)
    assert r.exit_code == 0 and remote_count(oxigraph, GRAPH) == len(mini)  # PUT replaces
    r = kg_cli("push", "--endpoint", f"{oxigraph}/store", "--graph", GRAPH, "--append")
    assert r.exit_code == 0 and "added" in r.stderr
    assert remote_count(oxigraph, GRAPH) == len(set(mini) | set(real))  # POST adds
    ask = f"ASK {{ GRAPH <{GRAPH}> {{ ent:drug_a a mk:Drug . ent:ketamine a mk:Drug }} }}"
    r = run_kg("sparql", ask, "--endpoint", f"{oxigraph}/query")
    assert (r.returncode, r.stdout) == (0, "true\n")


@pytest.mark.server
def test_push_of_a_graph_without_a_cache_sends_the_same_triples(oxigraph, mini_dir, mini_graph):
    from kg.build import build
    from kg.remote import push

    uncached = build(mini_dir)
    assert uncached.cache_dir is None
    target, count = push(uncached, f"{oxigraph}/store", graph_iri=GRAPH)
    assert target.endswith("graph=" + urllib.parse.quote(GRAPH, safe=""))
    assert count == len((mini_graph.cache_dir / "graph.nt").read_text().splitlines()) == remote_count(oxigraph, GRAPH)


@pytest.mark.server
def test_remote_params_are_bound_as_values(kg_cli, oxigraph):
    kg_cli("push", "--endpoint", f"{oxigraph}/store")
    before = remote_count(oxigraph)
    for value in ("} ; DROP ALL", '"} } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #'):
        r = kg_cli("sparql", "search-quotes", "-p", f"text={value}", "-f", "json", "--endpoint", f"{oxigraph}/query")
        assert r.exit_code == 0 and json.loads(r.stdout)["results"]["bindings"] == []
    assert remote_count(oxigraph) == before
    r = kg_cli("sparql", "search-quotes", "-p", "text=NMDA", "-f", "json", "--endpoint", f"{oxigraph}/query")
    rows = json.loads(r.stdout)["results"]["bindings"]
    assert rows and all(row["text"]["value"] == "NMDA" for row in rows)


@pytest.mark.server
def test_remote_update_only_when_allowed(oxigraph):
    insert = "INSERT DATA { GRAPH <urn:test:scratch> { <urn:test:a> <urn:test:b> <urn:test:c> } }"
    r = run_kg("sparql", insert, "--endpoint", f"{oxigraph}/update")
    assert r.returncode == 2 and "--allow-update" in r.stderr
    assert remote_count(oxigraph, "urn:test:scratch") == 0
    r = run_kg("sparql", insert, "--endpoint", f"{oxigraph}/update", "--allow-update")
    assert r.returncode == 0, r.stderr
    assert remote_count(oxigraph, "urn:test:scratch") == 1


@pytest.mark.server
def test_remote_errors_are_one_line(oxigraph):
    r = run_kg("sparql", "SELECT ?x\nWHERE {\n  ?x a nope:Drug .\n}", "--endpoint", f"{oxigraph}/query")
    assert r.returncode == 2 and "the endpoint rejected the query" in r.stderr and "error at 3:" in r.stderr
    r = run_kg("sparql", "ASK {}", "--endpoint", "file:///etc/passwd")
    assert r.returncode == 2 and "not an http(s) URL" in r.stderr
    r = run_kg("sparql", "ASK {}", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert r.returncode == 1 and "cannot reach the endpoint" in r.stderr
    for res in (r,):
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


@pytest.mark.server
def test_remote_query_time_limit(oxigraph):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    r = run_kg("sparql", slow, "--endpoint", f"{oxigraph}/query", "--timeout", "1")
    assert r.returncode == 1 and r.stderr == "kg: error: query timed out after 1 s\n"
    assert time.monotonic() - started < 10


# --- without a server ---------------------------------------------------------------------------------------


def test_prepare_declares_missing_prefixes_and_binds_values():
    text = prepare("PREFIX ent: <urn:own:>\nSELECT ?d WHERE { ?d ?p ?o }", {"d": ox.NamedNode(ENT + "k")})
    first, rest = text.split("\n", 1)
    assert "PREFIX mk: <https://w3id.org/mechkg/vocab/>" in first and "PREFIX ent:" not in first
    assert (
        rest
        == "PREFIX ent: <urn:own:>\nSELECT ?d WHERE { VALUES (?d) { (<https://w3id.org/mechkg/entity/k>) } ?d ?p ?o }"
    )


def test_store_urls_and_schemes():
    assert store_url("http://h:1/store", None) == "http://h:1/store?default"
    assert (
        store_url("http://h:1/store?x=1", GRAPH)
        == "http://h:1/store?x=1&graph=https%3A%2F%2Fw3id.org%2Fmechkg%2Fgraph%2Ftest"
    )
    with pytest.raises(UsageError):
        store_url("http://h:1/store", "not an iri")
    with pytest.raises(UsageError):
        check_url("ftp://h/x")


# --- faults: an endpoint that answers what it should not --------------------------------------------------


class _Faulty(BaseHTTPRequestHandler):
    """Answers by path: an HTML page, triples for a SELECT, a two-row table for an ASK, broken JSON, silence."""

    answers: ClassVar[dict[str, tuple[str, bytes]]] = {
        "/html": ("text/html", b"<html><head><title>Login</title></head><body><p>Please sign in</p></body></html>"),
        "/triples": ("application/n-triples", b"<urn:a> <urn:b> <urn:c> .\n"),
        "/table": (
            "application/sparql-results+json",
            b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"urn:a"}},'
            b'{"x":{"type":"uri","value":"urn:b"}}]}}',
        ),
        "/ask-table": (
            "application/sparql-results+json",
            b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[{"__ASK_RETVAL":'
            b'{"type":"typed-literal","datatype":"http://www.w3.org/2001/XMLSchema#integer","value":"1"}}]}}',
        ),
        "/ask-empty": (
            "application/sparql-results+json",
            b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[]}}',
        ),
        "/broken": ("application/sparql-results+json", b'{"head":{"vars":["x"]},"results":{"bindi'),
    }

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        if path == "/silent":
            time.sleep(3)
            return
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        ctype, body = self.answers[path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def faulty():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_answer_that_cannot_be_read_is_refused_in_one_line(faulty):
    select = "SELECT ?x WHERE { ?x ?p ?o }"
    for path, query, says in (
        ("/html", select, "it sent 'text/html', not SPARQL results (Please sign in)"),
        ("/triples", select, "it sent 'application/n-triples', not SPARQL results"),
        ("/table", "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "not triples"),
        ("/table", "ASK { ?x ?p ?o }", "2 row(s) of x for an ASK query, not true or false"),
        ("/broken", select, "cannot read the endpoint's answer as application/sparql-results+json"),
    ):
        r = run_kg("sparql", query, "--endpoint", faulty + path)
        assert r.returncode == 1 and says in r.stderr, (path, r.stderr)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_an_ask_answered_as_a_one_row_table_is_read_as_true_or_false(faulty):
    yes = run_kg("sparql", "ASK { ?x ?p ?o }", "--endpoint", faulty + "/ask-table")
    no = run_kg("sparql", "ASK { ?x ?p ?o }", "--endpoint", faulty + "/ask-empty", "-f", "json")
    assert (yes.returncode, yes.stdout) == (0, "true\n")
    assert no.returncode == 1 and json.loads(no.stdout) == {"head": {}, "boolean": False}


def test_push_to_a_silent_url_gives_up_within_the_probe_time(faulty, mini_graph, monkeypatch):
    import kg.remote

    monkeypatch.setattr(kg.remote, "PROBE_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(UsageError, match="gave no answer within 1 s to a Graph Store request"):
        kg.remote.push(mini_graph, faulty + "/silent", graph_iri=GRAPH, timeout=300)
    assert time.monotonic() - started < 2.5


@pytest.mark.server
def test_push_to_a_query_endpoint_is_refused_at_once(oxigraph):
    started = time.monotonic()
    r = run_kg("push", "--endpoint", f"{oxigraph}/query")
    assert r.returncode == 2 and "is not a Graph Store Protocol endpoint (415" in r.stderr
    assert "Oxigraph: /store" in r.stderr and time.monotonic() - started < 10
