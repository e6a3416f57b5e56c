"""Every named query gives the same answer on the embedded engine (pyoxigraph), Virtuoso 7.2, Jena ARQ and rdflib.

Virtuoso is Debian's `virtuoso-opensource`, started on 127.0.0.1 from a private ini on free ports; the graph is
pushed with `kg push` and queried with `kg sparql --endpoint`, exactly as a user would. ARQ is Debian's
`libapache-jena-java` run on the build's N-Triples, and rdflib reads the same file; both get the text the client
sends to an endpoint (kg.remote.prepare: prefixes declared, parameters bound). Answers are compared as multisets of
rows (order is the engine's business where ORDER BY ties, and GROUP_CONCAT's order is unspecified). A tool that is
not installed skips its tests with the reason; `.ci/run` installs them all.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, run_kg, wait_for_http
from kg.query import Binder, get_query, list_queries, run
from kg.remote import prepare
from kg.serve import free_port

GRAPH = "https://w3id.org/mechkg/graph"
CASES = [(q.name, ()) for q in list_queries()] + [
    ("mechanism-chain", ("drug=NMDA receptor",)),
    ("upstream-of", ("symptom=depression",)),
    ("affects", ("cause=fatigue", "effect=ketamine")),  # false
    ("relieved-symptoms", ("min_sources=2",)),
    ("search-quotes", ("text=NMDA",)),
    ("neighbourhood", ("entity=glutamate",)),
]
CASE_IDS = [" ".join((name, *params)) for name, params in CASES]


# --- the engines -------------------------------------------------------------------------------------------


def readme_virtuoso() -> tuple[str, list[str]]:
    """The README's Virtuoso section: its ini file and its shell lines (the tests follow them as written)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Virtuoso") :]
    section = section[: section.index("\n## ")]
    ini = re.search(r"```ini\n(.*?)```", section, re.S)
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert ini and blocks, "the README's Virtuoso section lost its ini or its commands"
    return ini.group(1), [line for block in blocks for line in block.splitlines() if line.strip()]


class Virtuoso:
    """A Virtuoso server of our own, from the README's ini: a private directory, both ports on 127.0.0.1 (free ones)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sql_port, self.http_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        ini, _ = readme_virtuoso()
        assert "127.0.0.1:1111" in ini and "127.0.0.1:8890" in ini
        ini = ini.replace("127.0.0.1:1111", f"127.0.0.1:{self.sql_port}").replace("127.0.0.1:8890", self.base[7:])
        (directory / "virtuoso.ini").write_text(ini)
        self.proc = subprocess.Popen(
            ["virtuoso-t", "+configfile", "virtuoso.ini", "+foreground"],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def follow(self, line: str) -> list[str]:
        """A README command line with this server's ports."""
        line = line.replace("127.0.0.1:1111", f"127.0.0.1:{self.sql_port}").replace("127.0.0.1:8890", self.base[7:])
        return shlex.split(line, comments=True)

    def wait(self, seconds: float = 60) -> None:
        """Until the SPARQL endpoint answers."""
        if not wait_for_http(f"{self.base}/sparql?query=ASK%7B%7D", self.proc, seconds):
            log = (self.directory / "virtuoso.log").read_text(errors="replace")[-1500:]
            self.stop()
            pytest.fail(f"Virtuoso did not start: {log}")

    def isql(self, statement: str) -> None:
        """Run one SQL statement as dba (the private server's default account)."""
        cmd = ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "Error" not in r.stdout + r.stderr, r.stdout + r.stderr

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A running Virtuoso that lets the SPARQL user write (GRANT SPARQL_UPDATE), stopped after the module."""
    if not (shutil.which("virtuoso-t") and shutil.which("isql-vt")):
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does it)")
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.wait()
        grant = next(line for line in readme_virtuoso()[1] if line.startswith("isql-vt"))
        r = subprocess.run(server.follow(grant), capture_output=True, text=True, timeout=60)  # the README's GRANT
        assert r.returncode == 0 and "Error" not in r.stdout + r.stderr, r.stdout + r.stderr
        yield server
    finally:
        server.stop()


def jena_classpath(workdir: Path) -> str | None:
    """The class path for Debian's Jena ARQ: the jars of libapache-jena-java and its dependencies, with the shaded
    Xerces message bundles first (as packaged, its XSD datatypes die with "internal error" without them)."""
    if not (shutil.which("java") and shutil.which("dpkg-query")):
        return None
    packages, todo = set(), ["libapache-jena-java"]
    while todo:
        name = todo.pop()
        if name in packages:
            continue
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}\t${Depends}", name], capture_output=True, text=True)
        if r.returncode or "ok installed" not in r.stdout:
            if name == "libapache-jena-java":
                return None
            continue
        packages.add(name)
        for dep in r.stdout.split("\t", 1)[1].split(","):
            todo.append(dep.split("|")[0].strip().split(" ")[0].split(":")[0])
    listed = subprocess.run(["dpkg-query", "-L", *sorted(packages)], capture_output=True, text=True).stdout
    jars = sorted(
        f
        for f in set(listed.splitlines())
        if re.fullmatch(r"/usr/share/java/[^/]+\.jar", f)
        and not re.search(r"log4j|jcl-over|jul-to|slf4j-(?!api)", Path(f).name)  # one logging binding: none
    )
    bundles = workdir / "bundles"
    core = next((j for j in jars if Path(j).name == "jena-core.jar"), None)
    if core:
        with zipfile.ZipFile(core) as z:
            names = z.namelist()
            if any(
                n.startswith("xerces/") for n in names
            ):  # shaded as xerces.*, bundles left under org/apache/jena/ext
                for n in names:
                    if n.startswith("org/apache/jena/ext/xerces/") and n.endswith(".properties"):
                        target = bundles / n.removeprefix("org/apache/jena/ext/")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(z.read(n))
    return ":".join([str(bundles), *jars])


@pytest.fixture(scope="module")
def arq(tmp_path_factory):
    """A function running a query file with Jena ARQ over an RDF file (strict SPARQL mode)."""
    workdir = tmp_path_factory.mktemp("jena")
    classpath = jena_classpath(workdir)
    if classpath is None:
        pytest.skip("Jena ARQ is not installed (Debian: apt-get install libapache-jena-java; .ci/run does it)")

    def query(data: Path, text: str, results: str) -> bytes:
        path = workdir / f"q{abs(hash(text))}.rq"
        path.write_text(text, encoding="utf-8")
        cmd = [
            "java",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            classpath,
            "arq.sparql",
            "--strict",
            "--data",
            str(data),
            "--query",
            str(path),
        ]
        r = subprocess.run([*cmd, "--results", results], capture_output=True, timeout=300)
        assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
        return r.stdout

    return query


# --- the answers -------------------------------------------------------------------------------------------


def canonical(data: bytes, kind: str):
    """An answer in a form to compare: True/False, a multiset of rows, or a set of triples."""
    if kind == "graph":
        return Counter(str(t) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    answer = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    names = [v.value for v in answer.variables]

    def cell(term) -> str | None:
        if term is None:
            return None
        if isinstance(term, ox.Literal) and " | " in term.value:  # GROUP_CONCAT: its order is not specified
            return " | ".join(sorted(term.value.split(" | "))) + f"^^{term.datatype}"
        return str(term)

    return names, Counter(tuple(cell(s[n]) for n in names) for s in answer)


def bound(case: tuple[str, tuple[str, ...]], graph):
    """The named query of a case and its parameters bound as RDF terms (defaults for the rest)."""
    name, params = case
    q = get_query(name)
    return q, Binder(lambda: graph).bind(q, params), "graph" if q.form in ("CONSTRUCT", "DESCRIBE") else "rows"


def all_answers(graph, answer) -> dict[str, object]:
    """Each case's canonical answer from `answer(query, bindings, kind) -> bytes`."""
    out = {}
    for case, case_id in zip(CASES, CASE_IDS, strict=True):
        q, bindings, kind = bound(case, graph)
        out[case_id] = canonical(answer(q, bindings, kind), kind)
    return out


@pytest.fixture(scope="module")
def local_answers(real_graph):
    """The embedded engine's answers (pyoxigraph over the build's store), as `kg sparql` gives them."""
    return all_answers(
        real_graph, lambda q, b, kind: run(q, b, "nt" if kind == "graph" else "json", graph=lambda: real_graph).data
    )


@pytest.fixture(scope="module")
def virtuoso_endpoint(virtuoso):
    """The query URL of a Virtuoso holding the real graph in a named graph, loaded with `kg push`."""
    r = run_kg("push", "--endpoint", f"{virtuoso.base}/sparql-graph-crud", "--graph", GRAPH)
    assert r.returncode == 0 and "loaded" in r.stderr, r.stderr
    return f"{virtuoso.base}/sparql?default-graph-uri={GRAPH}"


@pytest.fixture(scope="module")
def virtuoso_answers(real_graph, virtuoso_endpoint):
    """Virtuoso's answers through the client (`kg sparql NAME --endpoint URL`)."""

    def answer(q, b, kind):
        return run(q, b, "nt" if kind == "graph" else "json", endpoint=virtuoso_endpoint).data

    return all_answers(real_graph, answer)


@pytest.fixture(scope="module")
def arq_answers(real_graph, arq):
    """Jena ARQ's answers to the text an endpoint would be sent, over the build's N-Triples (two JVMs at a time)."""
    data = real_graph.cache_dir / "graph.nt"
    with ThreadPoolExecutor(2) as pool:
        futures = {}
        for case, case_id in zip(CASES, CASE_IDS, strict=True):
            q, bindings, kind = bound(case, real_graph)
            results = "N-TRIPLES" if kind == "graph" else "JSON"
            futures[case_id] = (pool.submit(arq, data, prepare(q.text, bindings), results), kind)
        return {case_id: canonical(f.result(), kind) for case_id, (f, kind) in futures.items()}


@pytest.fixture(scope="module")
def rdflib_answers(real_graph):
    """rdflib's answers to the text an endpoint would be sent, over the build's N-Triples."""
    import rdflib

    g = rdflib.Graph().parse(real_graph.cache_dir / "graph.nt", format="nt")

    def answer(q, b, kind):
        return g.query(prepare(q.text, b)).serialize(format="nt" if kind == "graph" else "json")

    return all_answers(real_graph, answer)


def test_the_cases_have_answers_worth_comparing(local_answers):
    for case_id, answer in local_answers.items():
        if isinstance(answer, tuple):
            assert sum(answer[1].values()) > 0, case_id
        elif isinstance(answer, Counter):
            assert len(answer) > 10, case_id
    assert local_answers["affects"] is True and local_answers["affects cause=fatigue effect=ketamine"] is False


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_virtuoso_gives_the_local_answer(case_id, local_answers, virtuoso_answers):
    assert virtuoso_answers[case_id] == local_answers[case_id]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_jena_arq_gives_the_local_answer(case_id, local_answers, arq_answers):
    assert arq_answers[case_id] == local_answers[case_id]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_rdflib_gives_the_local_answer(case_id, local_answers, rdflib_answers):
    assert rdflib_answers[case_id] == local_answers[case_id]


# --- the client against Virtuoso, as a user runs it ----------------------------------------------------------


def test_the_readme_steps_push_and_query(virtuoso):
    """The README's `kg` lines for Virtuoso, run as written (with this server's port)."""
    lines = [line for line in readme_virtuoso()[1] if line.startswith("kg ")]
    assert [shlex.split(line)[1] for line in lines] == ["push", "sparql", "sparql"]
    push, chain, affects = (run_kg(*virtuoso.follow(line)[1:]) for line in lines)
    assert push.returncode == 0 and "loaded" in push.stderr, push.stderr
    local = run_kg("sparql", "mechanism-chain")
    assert chain.returncode == 0 and sorted(chain.stdout.splitlines()) == sorted(local.stdout.splitlines())
    assert (affects.returncode, affects.stdout) == (1, "false\n")  # as the README's comment says


def test_ask_at_virtuoso_prints_true_or_false_and_exits_0_or_1(virtuoso_endpoint):
    yes = run_kg("sparql", "affects", "--endpoint", virtuoso_endpoint)
    no = run_kg("sparql", "affects", "-p", "cause=fatigue", "-p", "effect=ketamine", "--endpoint", virtuoso_endpoint)
    assert (yes.returncode, yes.stdout, no.returncode, no.stdout) == (0, "true\n", 1, "false\n")
    js = run_kg("sparql", "affects", "-f", "json", "--endpoint", virtuoso_endpoint)
    assert json.loads(js.stdout) == {"head": {}, "boolean": True}


def test_construct_at_virtuoso_in_every_rdf_format(virtuoso_endpoint):
    for fmt, rdf in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)):
        local = run_kg("sparql", "neighbourhood", "-f", fmt)
        remote = run_kg("sparql", "neighbourhood", "-f", fmt, "--endpoint", virtuoso_endpoint)
        assert remote.returncode == 0, remote.stderr
        parsed = [set(map(str, ox.parse(r.stdout.encode(), format=rdf))) for r in (local, remote)]
        assert parsed[0] == parsed[1] and len(parsed[0]) > 100


def test_an_answer_that_is_not_sparql_is_refused(virtuoso):
    r = run_kg("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--endpoint", f"{virtuoso.base}/sparql-graph-crud")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "the endpoint answered 406" in r.stderr


def test_push_to_virtuoso_explains_what_to_fix(virtuoso, virtuoso_endpoint):
    crud = f"{virtuoso.base}/sparql-graph-crud"
    started = time.monotonic()
    to_query_url = run_kg("push", "--endpoint", f"{virtuoso.base}/sparql", "--graph", GRAPH)
    assert to_query_url.returncode == 2 and "not a Graph Store Protocol endpoint" in to_query_url.stderr
    assert "/sparql-graph-crud" in to_query_url.stderr and time.monotonic() - started < 30  # it waited 300 s
    no_graph = run_kg("push", "--endpoint", crud)
    assert no_graph.returncode == 2 and "no writable default graph" in no_graph.stderr and "--graph" in no_graph.stderr
    virtuoso.isql('REVOKE SPARQL_UPDATE FROM "SPARQL";')
    try:
        no_grant = run_kg("push", "--endpoint", crud, "--graph", GRAPH + "/2")
    finally:
        virtuoso.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    assert no_grant.returncode == 1 and 'GRANT SPARQL_UPDATE TO "SPARQL"' in no_grant.stderr
    for r in (to_query_url, no_graph, no_grant):
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert run_kg("sparql", "affects", "--endpoint", virtuoso_endpoint).stdout == "true\n"  # the graph is whole
