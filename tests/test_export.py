import csv
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDFS

from conftest import ROOT
from kg.build import build
from kg.export import clean, export, guess_format, kgx_node_ids
from kg.vocab import SRC, STMT, prefixes


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


def read_tsv(path: str | Path) -> list[dict[str, str]]:
    """A KGX TSV as kgx reads it: tab-separated, no quoting."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_kgx_has_biolink_fields_and_provenance(mini_graph, tmp_path):
    written = export(mini_graph, "kgx", str(tmp_path / "mini"))
    assert [p.rsplit("/", 1)[1] for p in written] == ["mini_nodes.tsv", "mini_edges.tsv"]
    nodes, edges = (read_tsv(p) for p in written)
    assert len(nodes) == len(mini_graph.entities) and len(edges) == len(mini_graph.statements)
    drug = next(n for n in nodes if n["name"] == "drug A")
    assert drug["id"] == "CHEBI:6121" and drug["xref"] == "MECHKG:drug_a"  # its standard id; ours beside it
    assert drug["category"].split("|")[:2] == ["biolink:Drug", "biolink:ChemicalEntity"]
    assert next(n for n in nodes if n["name"] == "drug B")["id"] == "MECHKG:drug_b"  # no standard id
    treats = next(e for e in edges if e["id"] == STMT + "drug_a-treats-condition_c")
    assert treats["subject"] == "CHEBI:6121" and treats["object"] == "MECHKG:condition_c"
    assert treats["predicate"] == "biolink:treats" and treats["primary_knowledge_source"] == "infores:mechkg"
    assert treats["publications"] == SRC + "a" and treats["mechkg_onset"] == "?–2 hour"
    assert treats["knowledge_level"] == "knowledge_assertion" and treats["agent_type"] == "manual_agent"
    negated = [e for e in edges if e["negated"]]
    assert [e["mechkg_status"] for e in negated] == ["negated"] and negated[0]["negated"] == "True"
    assert all(e["negated"] == "" for e in edges if e["mechkg_status"] != "negated")  # kgx reads "false" as true


def test_kgx_direction_lives_in_biolink_qualifiers(real_graph, tmp_path):
    _, edges_path = export(real_graph, "kgx", str(tmp_path / "real"))
    edges = {e["id"].removeprefix(STMT): e for e in read_tsv(edges_path)}
    preds = real_graph.vocab.predicates
    for sid, st in real_graph.statements.items():
        pred, e = preds[st.predicate], edges[sid]
        assert e["original_predicate"].endswith("/" + st.predicate) and int(e["mechkg_sign"]) == pred.sign
        if pred.kind == "causal" and pred.sign:
            assert e["object_direction_qualifier"] == ("increased" if pred.sign > 0 else "decreased"), sid
        else:
            assert e["object_direction_qualifier"] == "", sid
        if e["predicate"] == "biolink:affects" and pred.sign:
            assert e["qualified_predicate"] == "biolink:causes"
    raised = edges["ketamine-increases-glutamate"]
    assert (raised["predicate"], raised["object_aspect_qualifier"]) == ("biolink:affects", "activity_or_abundance")
    located = [e for e in edges.values() if e["anatomical_context_qualifier"]]
    assert located and all(
        q.startswith(("UBERON:", "CL:", "MECHKG:"))
        for e in located
        for q in e["anatomical_context_qualifier"].split("|")
    )
    assert edges["depression-hasSymptom-fatigue"]["has_percentage"] == "90"


def kgx(*args: str, cwd: Path, own_prefix: bool = True) -> subprocess.CompletedProcess:
    """The real kgx command line, offline (tests/kgx_offline.py points it at the biolink-model wheel's files)."""
    flag = () if own_prefix else ("--biolink-prefixes-only",)
    cmd = [sys.executable, str(ROOT / "tests" / "kgx_offline.py"), *flag, *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def kgx_export(real_graph, tmp_path_factory):
    """The real graph exported as KGX TSV (skips without kgx and the biolink-model wheel)."""
    pytest.importorskip("kgx", reason="kgx is not installed (pip install '.[test]')")
    pytest.importorskip("biolink_model", reason="the biolink-model wheel is not installed (pip install '.[test]')")
    out = tmp_path_factory.mktemp("kgx")
    export(real_graph, "kgx", str(out))
    return out


def validation_report(r: subprocess.CompletedProcess) -> dict:
    """The errors `kgx validate` found: its JSON report (kgx writes it to stderr, whatever -o says)."""
    text = r.stderr[r.stderr.index("{") :]
    return json.JSONDecoder().raw_decode(text)[0]


def test_kgx_validate_finds_no_error(kgx_export):
    r = kgx("validate", "-i", "tsv", "nodes.tsv", "edges.tsv", cwd=kgx_export)
    assert r.returncode == 0 and validation_report(r) == {}, r.stdout[-2000:] + r.stderr[-2000:]
    # kgx checks node ids against the prefixes it is given: with Biolink's alone, our own MECHKG ids (entities
    # without a standard identifier) are the only thing it objects to
    r = kgx("validate", "-i", "tsv", "nodes.tsv", "edges.tsv", cwd=kgx_export, own_prefix=False)
    errors = validation_report(r)["ERROR"]
    assert r.returncode == 1 and sorted(errors) == ["INVALID_EDGE_PROPERTY_VALUE", "INVALID_NODE_PROPERTY_VALUE"]
    messages = [m for kind in errors.values() for m in kind]
    assert messages and all("CURIE prefix 'MECHKG'" in m for m in messages)


def test_kgx_round_trip_keeps_every_claim(real_graph, kgx_export):
    """kgx reads the export and writes it again (streamed: kgx's graph mode merges claims that share subject,
    predicate and object, see the next test); every claim comes back with its negation, sign and evidence."""
    out = kgx_export / "stream"
    out.mkdir()
    r = kgx("transform", "--stream", "-i", "tsv", "-f", "jsonl", "-o", "rt", "../nodes.tsv", "../edges.tsv", cwd=out)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    r = kgx(
        "transform", "--stream", "-i", "jsonl", "-f", "jsonl", "-o", "rt2", "rt_nodes.jsonl", "rt_edges.jsonl", cwd=out
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]

    def listed(value) -> list:
        return value if isinstance(value, list) else [value] if value else []

    ids = kgx_node_ids(real_graph)
    nodes = {n["id"]: n for n in map(json.loads, (out / "rt2_nodes.jsonl").read_text().splitlines())}
    assert len(nodes) == len(real_graph.entities)
    for key, ent in real_graph.entities.items():
        assert nodes[ids[key]]["name"] == clean(ent.label)
    edges = {e["id"]: e for e in map(json.loads, (out / "rt2_edges.jsonl").read_text().splitlines())}
    assert len(edges) == len(real_graph.statements)
    preds = real_graph.vocab.predicates
    for sid, st in real_graph.statements.items():
        e, pred = edges[STMT + sid], preds[st.predicate]
        assert (e["subject"], e["predicate"], e["object"]) == (ids[st.subject], pred.biolink, ids[st.object])
        assert e.get("negated", False) is (st.status == "negated"), sid
        assert int(e["mechkg_sign"]) == pred.sign and e["mechkg_status"] == st.status
        direction = e.get("object_direction_qualifier")
        assert direction == ({1: "increased", -1: "decreased"}.get(pred.sign) if pred.kind == "causal" else None)
        assert sorted(e["publications"]) == sorted(SRC + s for s in st.sources)
        evidence = list(zip(listed(e["mechkg_supporting_text_publication"]), e["supporting_text"], strict=True))
        assert evidence == [(SRC + ev.source, clean(ev.quote)) for ev in st.evidence], sid


def test_kgx_graph_mode_merges_only_claims_that_share_subject_predicate_object(real_graph, kgx_export):
    """Without --stream, kgx keys its graph by subject-predicate-object (biolink/kgx#413), so two claims that
    differ only in status, qualifiers or negation become one edge; every other claim comes back as it was."""
    out = kgx_export / "graph"
    out.mkdir()
    r = kgx("transform", "-i", "tsv", "-f", "tsv", "-o", "rt", "../nodes.tsv", "../edges.tsv", cwd=out)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    exported = read_tsv(kgx_export / "edges.tsv")
    spo = Counter((e["subject"], e["predicate"], e["object"]) for e in exported)
    back = read_tsv(out / "rt_edges.tsv")
    assert len(back) == len(spo) and len(read_tsv(out / "rt_nodes.tsv")) == len(real_graph.entities)
    back_by_id = {e["id"]: e for e in back}
    for e in exported:
        if spo[(e["subject"], e["predicate"], e["object"])] == 1:
            b = back_by_id[e["id"]]
            assert (b["negated"] == "True") == (e["negated"] == "True")
            fields = ("object_direction_qualifier", "mechkg_sign", "mechkg_status", "original_predicate")
            assert [b[f] for f in fields] == [e[f] for f in fields]
            assert sorted(b["supporting_text"].split("|")) == sorted(e["supporting_text"].split("|"))


HOSTILE = 'drug\tA\nnew line\r\x01\x0b\x7f | "quoted" <b>&amp; ]]>'


@pytest.fixture()
def hostile_dir(data_copy) -> Path:
    """The fixture data with a label, a synonym and a quote full of tabs, newlines, control characters and |."""
    entities = data_copy / "entities.yaml"
    text = entities.read_text().replace("label: drug A,", f"label: {json.dumps(HOSTILE)},")
    entities.write_text(text.replace("synonyms: [DA, drug-a]", 'synonyms: [DA, "drug|a", "tab\\there"]'))
    return data_copy


def test_hostile_labels_stay_inside_their_fields(hostile_dir, tmp_path):
    from xml.etree import ElementTree

    import networkx as nx

    graph = build(hostile_dir)
    assert graph.entities["drug_a"].label == HOSTILE
    nodes_path, edges_path = export(graph, "kgx", str(tmp_path / "h"))
    for path in (nodes_path, edges_path):
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "" and len({line.count("\t") for line in lines[:-1]}) == 1  # one row per line
        assert not any(c in "".join(lines) for c in "\r\x01\x0b\x7f")
    drug = next(n for n in read_tsv(nodes_path) if n["id"] == "CHEBI:6121")
    assert drug["name"] == 'drug A new line     ¦ "quoted" <b>&amp; ]]>'  # | would split it into a list
    assert drug["synonym"].split("|") == ["DA", "drug¦a", "tab here"]
    export(graph, "graphml", str(tmp_path / "h.graphml"))
    ElementTree.parse(tmp_path / "h.graphml")  # well-formed XML 1.0
    g = nx.read_graphml(tmp_path / "h.graphml", force_multigraph=True)
    assert g.nodes["drug_a"]["name"] == drug["name"]
    export(graph, "jsonld", str(tmp_path / "h.jsonld"))
    labels = {str(o) for o in rdflib.Graph().parse(tmp_path / "h.jsonld", format="json-ld").objects(None, RDFS.label)}
    assert HOSTILE in labels  # RDF keeps the text as it is, escaped


def test_graphml_is_what_cytoscape_and_gephi_read(mini_graph, tmp_path):
    from xml.etree import ElementTree

    import networkx as nx

    export(mini_graph, "graphml", str(tmp_path / "g.graphml"))
    keys = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type")
        for k in ElementTree.parse(tmp_path / "g.graphml").getroot().iter("{http://graphml.graphdrawing.org/xmlns}key")
    }
    assert keys[("node", "name")] == keys[("edge", "interaction")] == keys[("edge", "name")] == "string"
    assert keys[("edge", "sign")] == keys[("edge", "source_count")] == "int" and keys[("edge", "negated")] == "boolean"
    g = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert g.number_of_nodes() == len(mini_graph.entities)
    assert g.number_of_edges() == len(mini_graph.statements)
    for key, ent in mini_graph.entities.items():
        assert g.nodes[key]["name"] == ent.label and g.nodes[key]["ids"] == "|".join(x.curie for x in ent.xrefs)
    edges = {k: d for _, _, k, d in g.edges(keys=True, data=True)}
    preds = mini_graph.vocab.predicates
    for sid, st in mini_graph.statements.items():
        e = edges[sid]
        assert e["interaction"] == st.predicate and e["sign"] == preds[st.predicate].sign
        assert e["negated"] is (st.status == "negated") and e["status"] == st.status
        assert e["sources"].split("|") == list(st.sources) and e["source_count"] == len(st.sources)
        assert e["quotes"].split("|") == [ev.quote for ev in st.evidence]
        assert (
            e["name"]
            == f"{mini_graph.entities[st.subject].label} ({st.predicate}) {mini_graph.entities[st.object].label}"
        )


def test_jsonld_is_compacted_with_the_project_context_and_means_the_turtle(real_graph, tmp_path):
    export(real_graph, "jsonld", str(tmp_path / "g.jsonld"))
    export(real_graph, "ttl", str(tmp_path / "g.ttl"))
    doc = json.loads((tmp_path / "g.jsonld").read_text())
    context = doc["@context"]
    for prefix, ns in prefixes().items():
        assert context[prefix] in (ns, {"@id": ns, "@prefix": True})
    ketamine = next(n for n in doc["@graph"] if n["@id"] == "ent:ketamine")
    assert ketamine["@type"][0].startswith("mk:") and "rdfs:label" in ketamine
    assert {"@id": "http://purl.obolibrary.org/obo/CHEBI_6121"} not in ketamine["skos:exactMatch"]
    assert ketamine["skos:exactMatch"] == [{"@id": "CHEBI:6121"}]
    from_jsonld = rdflib.Graph().parse(tmp_path / "g.jsonld", format="json-ld")
    from_turtle = rdflib.Graph().parse(tmp_path / "g.ttl", format="turtle")
    assert len(from_jsonld) == len(from_turtle) > 6000
    assert set(from_jsonld) == set(from_turtle)
    ox_triples = set(map(str, ox.parse(path=str(tmp_path / "g.jsonld"), format=ox.RdfFormat.JSON_LD)))
    assert ox_triples == set(map(str, ox.parse(path=str(tmp_path / "g.ttl"), format=ox.RdfFormat.TURTLE)))


def test_format_guessing():
    assert guess_format("x.nt", None) == "nt"
    assert guess_format("x.jsonld", None) == "jsonld"
    assert guess_format("-", None) == "ttl"
    assert guess_format("x.nt", "ttl") == "ttl"
