"""`kg serve`: the read-only SPARQL endpoint, queried with SPARQLWrapper and raw HTTP; refusals, limits, page."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.vocab import ENT

pytestmark = pytest.mark.server

LIMIT = 2  # seconds per query on the test server
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Server:
    """A `kg serve` subprocess on a free port."""

    def __init__(self, *args: str) -> None:
        cmd = [sys.executable, "-m", "kg", *args, "serve", "--port", "0", "--timeout", str(LIMIT)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self.stderr = b""
        deadline = time.monotonic() + 60
        while b"serving the graph at" not in self.stderr:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stderr], [], [], max(left, 0))
            chunk = os.read(self.proc.stderr.fileno(), 4096) if ready else b""
            if not chunk:
                self.proc.kill()
                raise AssertionError(f"kg serve did not start: {self.stderr.decode()}")
            self.stderr += chunk
        self.url = re.search(rb"serving the graph at (\S+/) ", self.stderr).group(1).decode()
        self.query_url = self.url + "query"

    def descendants(self) -> list[int]:
        """Ids of the processes kg serve started and theirs (the Oxigraph engine and its guard), from /proc."""
        found, todo = [], [self.proc.pid]
        while todo:
            for task in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    kids = [int(p) for p in task.read_text().split()]
                    found += kids
                    todo += kids
        return found

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit status and what it printed."""
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, (self.stderr + err).decode()


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, content type, body text, headers) of one request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode(), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode(), exc.headers


def get(server: Server, query: str, accept: str = "application/sparql-results+json", **extra: str):
    qs = urllib.parse.urlencode({"query": query, **extra})
    return http(f"{server.query_url}?{qs}", headers={"Accept": accept})


def triple_count(server: Server) -> int:
    status, _, body, _ = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_sparqlwrapper_select_ask_construct_get_and_post(server):
    from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper

    for method in (GET, POST):
        sw = SPARQLWrapper(server.query_url)
        sw.setMethod(method)
        sw.setReturnFormat(JSON)
        sw.setQuery("SELECT ?label WHERE { ent:ketamine rdfs:label ?label }")  # prefixes are predeclared
        res = sw.query().convert()
        assert res["results"]["bindings"] == [{"label": {"type": "literal", "value": "ketamine"}}]
        sw.setQuery("ASK { ent:ketamine mk:antagonizes ent:nmda_receptor }")
        assert sw.query().convert()["boolean"] is True
    sw = SPARQLWrapper(server.query_url)
    sw.setQuery("CONSTRUCT { ent:ketamine ?p ?o } WHERE { ent:ketamine ?p ?o }")
    sw.setReturnFormat(TURTLE)
    data = sw.query().convert()
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert len(triples) > 5 and all(t.subject == ox.NamedNode(ENT + "ketamine") for t in triples)


def test_raw_http_content_negotiation(server):
    q = "SELECT ?x WHERE { ?x a mk:Drug } ORDER BY ?x"
    status, ctype, body, _ = get(server, q, accept="text/csv")
    assert status == 200 and ctype.startswith("text/csv") and body.splitlines()[0] == "x"
    assert ENT + "ketamine" in body
    form = urllib.parse.urlencode({"query": q}).encode()
    status, ctype, body, _ = http(
        server.query_url,
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+xml"},
    )
    assert status == 200 and "xml" in ctype and "<sparql" in body
    status, ctype, body, _ = http(
        server.query_url,
        q.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
    )
    assert status == 200 and body.splitlines()[0] == "?x"
    construct = "CONSTRUCT WHERE { ent:ketamine rdfs:label ?l }"
    status, ctype, body, _ = get(server, construct, accept="application/n-triples")
    assert status == 200 and ctype.startswith("application/n-triples")
    assert body.strip() == f'<{ENT}ketamine> <http://www.w3.org/2000/01/rdf-schema#label> "ketamine" .'
    status, ctype, body, _ = get(server, q, accept="text/html,*/*;q=0.8", format="json")  # a link: ?format= wins
    assert status == 200 and json.loads(body)["head"]["vars"] == ["x"]
    status, ctype, body, _ = get(server, q, accept="text/csv", format="json")  # a client's Accept wins
    assert status == 200 and body.splitlines()[0] == "x"


def test_updates_are_refused(server):
    before = triple_count(server)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    attempts = [
        (server.url + "update", insert.encode(), {"Content-Type": "application/sparql-update"}, "POST"),
        (
            server.url + "update",
            urllib.parse.urlencode({"update": insert}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            "POST",
        ),
        (
            server.query_url,
            urllib.parse.urlencode({"update": insert}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            "POST",
        ),
        (server.query_url, insert.encode(), {"Content-Type": "application/sparql-query"}, "POST"),
        (server.query_url + "?" + urllib.parse.urlencode({"query": "DROP ALL"}), None, {}, "GET"),
        (
            server.url + "store?default",
            b"<urn:x:a> <urn:x:b> <urn:x:c> .",
            {"Content-Type": "application/n-triples"},
            "PUT",
        ),
        (server.url + "store?default", None, {}, "DELETE"),
    ]
    for url, data, headers, method in attempts:
        status, _, body, _ = http(url, data, headers, method)
        assert status == 403 and "read-only" in body, (url, method, status, body)
    assert triple_count(server) == before
    assert json.loads(get(server, "ASK { <urn:x:a> ?p ?o }")[2])["boolean"] is False


def test_runaway_query_is_cut_at_its_time_limit_and_the_endpoint_recovers(server):
    started = time.monotonic()
    status, _, body, _ = http(server.query_url, RUNAWAY.encode(), {"Content-Type": "application/sparql-query"})
    elapsed = time.monotonic() - started
    assert status == 503 and body.strip() == f"query timed out after {LIMIT} s"
    assert LIMIT - 0.1 < elapsed < LIMIT + 4
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the engine was restarted; it answers again
        if get(server, "ASK { ent:ketamine a mk:Drug }")[0] == 200:
            break
        time.sleep(0.1)
    assert json.loads(get(server, "ASK { ent:ketamine a mk:Drug }")[2])["boolean"] is True


def test_service_is_refused(server):
    status, _, body, _ = get(server, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert status == 403 and "SERVICE" in body


def test_syntax_error_points_into_the_users_text(server):
    status, _, body, _ = get(server, "SELECT ?x\nWHERE {\n  ?x a nope:Drug .\n}")
    assert status == 400 and "error at 3:" in body
    status, _, body, _ = get(server, "SELECT ?x\nWHERE {\n  ?x a mk:Drug .\n  BIND (1 AS ?x)\n}")
    assert status == 400 and body.startswith("syntax error: BIND (… AS ?x) on line 4 binds a variable")


def test_query_page_works_offline_and_offers_the_named_queries(server):
    status, ctype, html, headers = http(server.url)
    assert status == 200 and ctype.startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page must not load anything"
    assert "@import" not in html and "url(" not in html and "<script src" not in html and "<link" not in html
    assert "Mechanism chain of a drug, with evidence" in html
    status, _, body, _ = http(server.url + "queries.json")
    examples = {q["name"]: q for q in json.loads(body)}
    assert len(examples) >= 12
    chain = examples["mechanism-chain"]
    assert "VALUES (?drug) { (ent:ketamine) }" in chain["text"]
    status, _, body, _ = http(
        server.query_url,
        chain["text"].encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert status == 200 and json.loads(body)["results"]["bindings"]


def test_unknown_paths_and_missing_query(server):
    assert http(server.url + "nope")[0] == 404
    assert http(server.query_url)[0] == 400
    assert http(server.query_url, b"x", {"Content-Type": "text/plain"}, "POST")[0] == 415


def running(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie has)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def engine_pids(srv: Server) -> list[int]:
    pids = srv.descendants()
    engines = [p for p in pids if b"serve-read-only" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert engines, "the Oxigraph engine should run under kg serve"
    return pids


def test_ctrl_c_stops_server_and_engine(mini_dir):
    srv = Server("--data", str(mini_dir))
    pids = engine_pids(srv)
    assert json.loads(get(srv, "ASK { ent:drug_a a mk:Drug }")[2])["boolean"] is True
    code, err = srv.stop()
    assert code == 0 and err.rstrip().endswith("stopped") and "Traceback" not in err
    assert not [p for p in pids if running(p)]


def test_the_engine_does_not_outlive_a_killed_server(mini_dir):
    srv = Server("--data", str(mini_dir))
    pids = engine_pids(srv)
    srv.proc.kill()  # SIGKILL: no handler of kg serve runs
    srv.proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while [p for p in pids if running(p)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if running(p)]


def test_missing_oxigraph_is_one_clear_error(monkeypatch):
    import kg.serve
    import kg.serve_engine

    monkeypatch.setattr(kg.serve_engine.shutil, "which", lambda *_a, **_k: None)
    with pytest.raises(kg.serve.ServeError, match=r"pip install 'mechkg\[serve\]'"):
        kg.serve.oxigraph_binary()


@pytest.mark.browser
def test_query_page_runs_an_example_in_a_browser_offline(server):
    """Headless Chromium: pick an example, run it, see rows; no request leaves the endpoint, no JS error."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    blocked, errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith(server.url):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url)
            page.get_by_text("Mechanism chain of a drug, with evidence").click()
            assert "VALUES (?drug) { (ent:ketamine) }" in page.input_value("#q")
            page.click("#run")
            page.wait_for_selector("#out tr:nth-child(3)", timeout=15000)  # (the page's CSP forbids eval)
            assert "rows in" in page.text_content("#status")
            assert "ent:nmda_receptor" in page.text_content("#out")
            page.fill("#q", "ASK { ent:ketamine mk:antagonizes ent:nmda_receptor }")
            page.focus("#q")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector("#out .bool", timeout=15000)
            assert page.text_content("#out .bool") == "true"
            page.fill("#q", "SELECT * WHERE { ?s ?p ?o }")  # thousands of rows: the page draws the first 1000
            page.click("#run")
            page.wait_for_selector("#out tr:nth-child(1001)", timeout=15000)
            assert page.locator("#out tr").count() == 1 + 1000
            assert f"{triple_count(server)} rows (the first 1000 shown;" in page.text_content("#status")
            page.fill("#q", "DROP ALL")
            page.click("#run")
            page.wait_for_selector("#status.bad", timeout=15000)
            assert "403" in page.text_content("#status") and "read-only" in page.text_content("#out")
        finally:
            browser.close()
    assert blocked == [] and errors == [e for e in errors if "403" in e]
