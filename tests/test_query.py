"""Named queries against the real data (each with its expected answer), parameters, writers and the CLI."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from conftest import ROOT, run_kg
from kg.errors import DataError, UsageError
from kg.query import (
    Binder,
    NamedQuery,
    QueryParam,
    choose_format,
    get_query,
    list_queries,
    load_query_arg,
    parse_header,
    plain_table,
    row_count,
)
from kg.query import rows as table_rows
from kg.sparqltext import (
    ask_as_construct,
    bind_values,
    is_valid_variable,
    query_form,
    rebound_variables,
    significant,
    uses_service,
    variables,
)
from kg.store import Engine
from kg.vocab import ENT, SRC, STMT, prefixes

CAUSAL_OR_CLINICAL = ("causal", "clinical")


def sparql_rows(kg_cli, *args: str) -> list[dict[str, str]]:
    """Run `kg sparql … -f json` in-process; rows as {variable: value} (IRIs in full)."""
    r = kg_cli(*args, "-f", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"head", "results"} and "vars" in data["head"]
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def key(iri: str) -> str:
    """The entity key of an ent: IRI."""
    assert iri.startswith(ENT), iri
    return iri[len(ENT) :]


def stmt_id(iri: str) -> str:
    assert iri.startswith(STMT), iri
    return iri[len(STMT) :]


def is_a(graph, entity: str, cls: str) -> bool:
    return graph.vocab.is_a(graph.entities[entity].type, cls)


# --- the query library ------------------------------------------------------------------------------------


def test_library_has_at_least_12_documented_queries():
    queries = list_queries()
    assert len(queries) >= 12
    for q in queries:
        assert q.title and len(q.description) > 40, q.name
        assert q.text.lstrip().startswith("# title:"), q.name
        assert q.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), q.name
        assert q.examples and all(e.startswith(f"kg sparql {q.name}") for e in q.examples), q.name
        for p in q.params:
            assert p.meaning, (q.name, p.name)
            assert p.name in variables(q.text), (q.name, p.name)


def test_kg_queries_lists_names_titles_and_params(kg_cli):
    text = kg_cli("queries").output
    assert text.splitlines()[0].split() == ["NAME", "PARAMS", "TITLE"]
    assert any(line.startswith("mechanism-chain") and "drug=ketamine" in line for line in text.splitlines())
    listed = json.loads(kg_cli("queries", "--format", "json").output)
    assert len(listed) >= 12
    chain = next(q for q in listed if q["name"] == "mechanism-chain")
    assert chain["params"] == [
        {"name": "drug", "type": "entity", "default": "ketamine", "meaning": "the drug (or any entity) to start from"}
    ]
    one = kg_cli("queries", "relieved-symptoms").output
    assert "min_sources (integer, default: 1)" in one and "HAVING" in one
    with pytest.raises(UsageError, match="no query named 'nope'"):
        kg_cli("queries", "nope")


# --- every named query, run against the real data, with its expected answer ------------------------------


def test_mechanism_chain_of_ketamine(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "mechanism-chain", "--param", "drug=ketamine")
    steps = {(key(r["from"]), r["predicate"], key(r["to"])) for r in rows}
    assert ("ketamine", "antagonizes", "nmda_receptor") in steps
    assert any(to == "glutamate" for _, _, to in steps)
    assert any(to == "fatigue" for _, _, to in steps)
    assert all(r["status"] != "negated" and r["quote"] and r["source"] for r in rows)
    for _, p, _ in steps:
        assert real_graph.vocab.predicates[p].kind in CAUSAL_OR_CLINICAL


def test_molecular_targets_of_ketamine(kg_cli):
    rows = sparql_rows(kg_cli, "sparql", "molecular-targets")
    by_target = {(key(r["target"]), r["direction"]) for r in rows}
    assert ("nmda_receptor", "lowers") in by_target
    assert ("glutamate", "raises") in by_target
    nmda = next(r for r in rows if key(r["target"]) == "nmda_receptor")
    assert int(nmda["sources"]) >= 2


def test_two_step_effects_compose_signs(kg_cli):
    rows = sparql_rows(kg_cli, "sparql", "two-step-effects", "-p", "drug=ketamine")
    chains = {(key(r["via"]), key(r["target"]), r["net"]) for r in rows}
    assert ("nmda_receptor", "glutamate", "raises") in chains  # blocks a brake: two minuses make a plus
    nmda = next(r for r in rows if key(r["via"]) == "nmda_receptor" and key(r["target"]) == "glutamate")
    assert nmda["statuses"] == "asserted, inferred"  # the brake is the curator's reading, and says so
    assert {r["net"] for r in rows} <= {"raises", "lowers", "unknown"}


def test_metabolites_ketamine_decreases_and_who_says_so(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "decreased-metabolites", "-p", "drug=ketamine")
    found = {key(r["metabolite"]) for r in rows}
    assert {"quinolinic_acid", "hydroxykynurenine"} <= found
    assert all(is_a(real_graph, m, "Metabolite") for m in found)
    assert all(r["quote"] and r["source"] for r in rows)


def _relief_sources(graph, drug: str) -> dict[str, int]:
    """Per symptom: distinct sources of asserted/hedged treats/relieves claims (computed from the model)."""
    out: dict[str, set[str]] = {}
    for st in graph.outgoing(drug):
        if (
            st.predicate in ("treats", "relieves")
            and st.status in ("asserted", "hedged")
            and is_a(graph, st.object, "PhenotypicFeature")
        ):
            out.setdefault(st.object, set()).update(st.sources)
    return {k: len(v) for k, v in out.items()}


def test_symptoms_relieved_by_at_least_n_sources(kg_cli, real_graph):
    expected = _relief_sources(real_graph, "ketamine")
    rows = sparql_rows(kg_cli, "sparql", "relieved-symptoms", "-p", "drug=ketamine")
    got = {key(r["symptom"]): int(r["sources"]) for r in rows}
    assert "fatigue" in got
    assert got == expected
    two = sparql_rows(kg_cli, "sparql", "relieved-symptoms", "-p", "drug=ketamine", "-p", "min_sources=2")
    assert {key(r["symptom"]) for r in two} == {k for k, n in expected.items() if n >= 2}
    assert all(r["min_sources"] == "2" for r in two)


def test_treatments_for_depression(kg_cli):
    rows = sparql_rows(kg_cli, "sparql", "treatments-for", "-p", "condition=depression")
    assert any(key(r["treatment"]) == "ketamine" and r["status"] == "asserted" for r in rows)
    assert all(r["status"] != "negated" for r in rows)


def test_what_lies_upstream_of_fatigue(kg_cli):
    rows = sparql_rows(kg_cli, "sparql", "upstream-of", "-p", "symptom=fatigue")
    direct = {key(r["upstream"]): r["direct"] for r in rows}
    assert direct.get("ketamine") == "true" and direct.get("depression") == "true"
    assert "nmda_receptor" in direct  # reaches fatigue only through a chain
    assert "fatigue" not in direct


def test_disputed_claims_with_both_quotes(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "disputed-claims")
    disputed = {sid for sid, st in real_graph.statements.items() if st.status == "disputed"}
    assert disputed, "the data should hold disputed claims"
    assert {stmt_id(r["claim"]) for r in rows} == disputed
    for r in rows:
        st = real_graph.statements[stmt_id(r["claim"])]
        assert st.evidence[0].quote in r["quotes"]
        if st.conflicts_with:
            others = {stmt_id(x["other"]) for x in rows if x["claim"] == r["claim"] and "other" in x}
            assert set(st.conflicts_with) <= others
            assert r["other_quotes"]


def test_claims_by_source_document(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "claims-by-source", "-p", "source=cycle")
    got = {(key(r["subject"]), r["predicate"], key(r["object"])) for r in rows}
    expected = {(st.subject, st.predicate, st.object) for st in real_graph.statements.values() if "cycle" in st.sources}
    assert ("ketamine", "antagonizes", "nmda_receptor") in got
    assert got == expected
    assert {r["source"] for r in rows} == {SRC + "cycle"}


def test_neurotransmitters_linked_to_sleep(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "neurotransmitters-linked-to", "-p", "topic=sleep")
    found = {key(r["neurotransmitter"]) for r in rows}
    assert "glutamate" in found  # "glutamic acid … promotes sleep" (disputed, and shown as such)
    assert all(is_a(real_graph, n, "Neurotransmitter") for n in found)
    assert any(r["status"] == "disputed" for r in rows if key(r["neurotransmitter"]) == "glutamate")


def test_quantitative_facts(kg_cli):
    rows = sparql_rows(kg_cli, "sparql", "quantitative-facts")
    kinds = {r["kind"] for r in rows}
    assert {"onset", "prevalence"} <= kinds and "location" not in kinds
    onset = sparql_rows(kg_cli, "sparql", "quantitative-facts", "-p", "kind=onset")
    assert onset and all(r["kind"] == "onset" for r in onset)
    assert any(
        key(r["subject"]) == "ketamine" and key(r["object"]) == "depression" and r.get("unit") == "hour" for r in onset
    )


def test_entities_with_their_standard_ids(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "standard-ids")
    assert {key(r["entity"]) for r in rows} == set(real_graph.entities)
    ids = {(key(r["entity"]), r["id"], r["match"]) for r in rows if "id" in r}
    expected = {(e.key, x.curie, x.match) for e in real_graph.entities.values() for x in e.xrefs}
    assert ("ketamine", "CHEBI:6121", "exact") in ids
    assert ids == expected
    keta = next(r for r in rows if r.get("id") == "CHEBI:6121")
    assert keta["iri"] == "http://purl.obolibrary.org/obo/CHEBI_6121" and keta["type"] == "drug"


def test_claims_to_review(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "claims-to-review")
    expected = {
        sid
        for sid, st in real_graph.statements.items()
        if st.status != "negated"
        and (st.status in ("hedged", "speculative", "inferred", "disputed") or len(st.sources) == 1)
    }
    assert {stmt_id(r["claim"]) for r in rows} == expected
    assert "nmda_receptor-decreases-glutamate" in expected  # the curator's inference, backed by two documents


def test_source_coverage_matches_stats(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "source-coverage")
    stats = real_graph.stats()["statements_by_source"]
    got = {r["source"][len(SRC) :]: (int(r["claims"]), int(r["quotes"])) for r in rows}
    assert got == {k: (v["statements"], v["evidence"]) for k, v in stats.items()}


def test_affects_ask_exit_status():
    yes = run_kg("sparql", "affects", "--param", "cause=ketamine", "--param", "effect=fatigue")
    assert (yes.returncode, yes.stdout) == (0, "true\n")
    no = run_kg("sparql", "affects", "-p", "cause=fatigue", "-p", "effect=ketamine")
    assert (no.returncode, no.stdout) == (1, "false\n")
    js = run_kg("sparql", "affects", "-f", "json")
    assert js.returncode == 0 and json.loads(js.stdout)["boolean"] is True


def test_neighbourhood_construct_as_turtle_ntriples_jsonld(kg_cli):
    r = kg_cli("sparql", "neighbourhood", "-p", "entity=ketamine")
    assert r.exit_code == 0
    triples = {(t.subject, t.predicate, t.object) for t in ox.parse(r.stdout, format=ox.RdfFormat.TURTLE)}
    ketamine, nmda = ox.NamedNode(ENT + "ketamine"), ox.NamedNode(ENT + "nmda_receptor")
    assert (ketamine, ox.NamedNode(prefixes()["mk"] + "antagonizes"), nmda) in triples
    quote = ox.NamedNode(prefixes()["mk"] + "quote")
    assert any(p == quote for _, p, _ in triples)
    nt = kg_cli("sparql", "neighbourhood", "-f", "nt").stdout
    assert len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) == len(triples)
    jsonld = kg_cli("sparql", "neighbourhood", "-f", "jsonld").stdout
    assert len(list(ox.parse(jsonld, format=ox.RdfFormat.JSON_LD))) == len(triples)


def test_search_quotes(kg_cli, real_graph):
    rows = sparql_rows(kg_cli, "sparql", "search-quotes", "-p", "text=Glutamate")
    expected = sum(1 for st in real_graph.statements.values() for ev in st.evidence if "glutamate" in ev.quote.lower())
    assert len(rows) == expected > 0
    assert all("glutamate" in r["quote"].lower() and r["text"] == "Glutamate" for r in rows)


def test_every_named_query_runs_by_name(kg_cli):
    for q in list_queries():
        r = kg_cli("sparql", q.name)
        assert r.exit_code == 0, (q.name, r.output)
        assert r.stdout.strip(), q.name


# Queries whose ORDER BY sorts on computed keys (for speed): the rows still come in the order of the columns
@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("mechanism-chain", ("from", "to", "source", "quote")),
        ("two-step-effects", ("via", "target")),
        ("claims-to-review", ("status", "claim")),
        ("quantitative-facts", ("kind", "subject", "object")),
        ("standard-ids", ("label", "entity", "id")),
    ],
)
def test_named_queries_come_back_in_the_order_of_their_columns(kg_cli, name, columns):
    rows = sparql_rows(kg_cli, "sparql", name)
    keys = [tuple(r.get(c, "").lower() if c == "label" else r.get(c, "") for c in columns) for r in rows]
    assert len(set(keys)) > 1
    assert keys == sorted(keys)


# --- parameters: bound as values, by name, CURIE, IRI or typed literal --------------------------------------


@pytest.mark.parametrize(
    "value",
    ["} ; DROP ALL", '"} ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #', "a'b\"c{d}e\\f\nline", "?quote"],
)
def test_hostile_parameter_values_are_bound_as_values(kg_cli, value):
    before = sparql_rows(kg_cli, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    rows = sparql_rows(kg_cli, "sparql", "search-quotes", "--param", f"text={value}")
    assert rows == []
    after = sparql_rows(kg_cli, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert before == after


def test_mechanism_chain_json_in_a_real_process():
    r = run_kg("sparql", "mechanism-chain", "--param", "drug=ketamine", "-f", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["head"]["vars"][:4] == ["drug", "from", "predicate", "to"]
    assert any(b["to"]["value"] == ENT + "nmda_receptor" for b in data["results"]["bindings"])


def test_entity_params_resolve_names_synonyms_curies_and_iris(mini_graph):
    binder = Binder(lambda: mini_graph)
    q = NamedQuery("q", "SELECT ?drug WHERE { ?drug a mk:Drug }", params=(QueryParam("drug", "entity"),))
    for value in ("drug A", "DA", "CHEBI:6121", "ent:drug_a", f"<{ENT}drug_a>", f"{ENT}drug_a"):
        assert binder.bind(q, [f"drug={value}"]) == {"drug": ox.NamedNode(ENT + "drug_a")}, value


def test_typed_and_literal_params(mini_graph):
    binder = Binder(lambda: mini_graph)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert binder.term("3", "integer") == ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))
    assert binder.term("2.50", "decimal") == ox.Literal("2.50", datatype=ox.NamedNode(xsd + "decimal"))
    assert binder.guess("42") == ox.Literal("42", datatype=ox.NamedNode(xsd + "integer"))
    assert binder.guess('"hello"@en') == ox.Literal("hello", language="en")
    assert binder.guess('"7"^^xsd:integer') == ox.Literal("7", datatype=ox.NamedNode(xsd + "integer"))
    assert binder.guess("mk:Drug") == ox.NamedNode(prefixes()["mk"] + "Drug")
    assert binder.guess("CHEBI:6121") == ox.NamedNode("http://purl.obolibrary.org/obo/CHEBI_6121")
    assert binder.term("anything at all } ;", "string") == ox.Literal("anything at all } ;")
    for bad, kind in (("x", "integer"), ("1e999x", "decimal"), ("maybe", "boolean"), ("no iri", "iri")):
        with pytest.raises(UsageError):
            binder.term(bad, kind)
    with pytest.raises(UsageError, match=r"not one literal|cannot read"):
        binder.guess('"a" . <urn:s> <urn:p> "b"')
    with pytest.raises(UsageError, match=r"Invalid IRI|not a valid IRI"):
        binder.guess("<http://x/> } DROP ALL>")


def test_param_errors_exit_2_in_one_line():
    for args, message in (
        (("mechanism-chain", "-p", "drg=ketamine"), "has no parameter 'drg'"),
        (("mechanism-chain", "-p", "drug"), "wants NAME=VALUE"),
        (("mechanism-chain", "-p", "drug=zzqqxx"), "unknown entity 'zzqqxx'"),
        (("relieved-symptoms", "-p", "min_sources=two"), "not a valid integer"),
        (("SELECT ?x WHERE { ?x a mk:Drug }", "-p", "y=1"), "has no variable ?y"),
        (("claims-by-source", "-p", "source=nowhere"), "unknown source 'nowhere'"),
    ):
        r = run_kg("sparql", *args)
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


# --- the command: query sources, formats, errors ---------------------------------------------------------


def test_a_bind_to_a_variable_in_use_is_named_as_the_error():
    query = "SELECT ?x ?label\nWHERE {\n  ?x rdfs:label ?label .\n  BIND (LCASE(?label) AS ?label)\n  ?x a mk:Drug\n}"
    r = run_kg("sparql", query)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("kg: error: query: syntax error: BIND (… AS ?label) on line 4 binds a variable")
    two = run_kg("sparql", "SELECT * {\n ?x ?p ?y\n BIND (1 AS ?x)\n BIND (2 AS ?y)\n}")
    assert "BIND (… AS ?x) on line 3 and BIND (… AS ?y) on line 4 bind variables" in two.stderr
    same = run_kg("sparql", "SELECT * {\n ?x ?p ?o\n BIND (1 AS ?x)\n BIND (2 AS ?x)\n}")  # two need two names
    assert "BIND (… AS ?x) on line 3 and BIND (… AS ?x) on line 4 bind variables" in same.stderr
    for other in (
        'SELECT ?x WHERE { BIND ("a" AS ?x) FILTER ( }',  # a BIND, but the error is elsewhere
        "SELECT (?a AS ?x) WHERE { ?a a mk:Drug . BIND (1 AS ?x) }",  # the SELECT reuses ?x, not the BIND
    ):
        r = run_kg("sparql", other)
        assert r.returncode == 2 and "BIND (…" not in r.stderr and "syntax error at line 1, column" in r.stderr
    fine = run_kg("sparql", 'SELECT ?x WHERE { BIND ("a" AS ?x) ?s ?p ?x }')  # bound first, then used: allowed
    assert fine.returncode == 0


def test_rebound_variables_are_read_from_the_bind_s_own_group():
    text = (
        '# BIND (1 AS ?c)\nSELECT * { ?v ?p ?o BIND ("AS ?q)" AS ?v) { BIND ((1 + 2) * 3 AS ?o) } '
        "OPTIONAL { ?w ?p2 ?o2 } BIND (?w AS ?w) BIND (BNODE() AS ?fresh) }"
    )
    assert [t.text for t in rebound_variables(text)] == ["?v", "?w"]  # ?o: its inner group has no ?o before


def test_an_ask_is_parsed_as_a_lazy_construct():
    for text, expected in (
        ("ASK { ?s ?p ?o }", "CONSTRUCT {} { ?s ?p ?o }"),
        (
            "PREFIX a: <urn:a:>\nask FROM <urn:g> { ?s a:p ?o }",
            "PREFIX a: <urn:a:>\nCONSTRUCT {} FROM <urn:g> { ?s a:p ?o }",
        ),
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }"),
    ):
        assert ask_as_construct(text) == expected
        ox.Store().query(ask_as_construct(text))  # still SPARQL


def test_syntax_error_reports_line_and_column_exit_2():
    r = run_kg("sparql", "SELECT ?x\nWHERE {\n  ?x a nope:Drug .\n}")
    assert r.returncode == 2
    assert r.stderr.startswith("kg: error: query: syntax error at line 3, column ") and r.stderr.count("\n") == 1


def test_update_and_service_are_refused_locally():
    r = run_kg("sparql", "DELETE WHERE { ?s ?p ?o }")
    assert r.returncode == 2 and "updates" in r.stderr and "read-only" in r.stderr
    r = run_kg("sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert r.returncode == 2 and "--allow-remote" in r.stderr
    r = run_kg("sparql", "--allow-update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert r.returncode == 2 and "only with --endpoint" in r.stderr


def test_query_from_file_stdin_and_inline(kg_cli, tmp_path, mini_dir):
    path = tmp_path / "mine.rq"
    path.write_text(
        "# title: Drugs by label\n# param: name (string, default: drug A) — a label\n"
        "SELECT ?name ?drug WHERE { ?drug a mk:Drug ; rdfs:label ?name }\n"
    )
    rows = sparql_rows(kg_cli, "--data", str(mini_dir), "sparql", str(path))
    assert rows == [{"name": "drug A", "drug": ENT + "drug_a"}]
    rows = sparql_rows(kg_cli, "--data", str(mini_dir), "sparql", str(path), "-p", "name=drug B")
    assert [r["drug"] for r in rows] == [ENT + "drug_b"]
    r = kg_cli("--data", str(mini_dir), "sparql", "-", "-f", "csv", input="SELECT ?x WHERE { ?x a mk:Receptor }")
    assert r.stdout.splitlines() == ["x", ENT + "receptor_r"]


def test_piped_table_is_plain_and_aligned(mini_dir):
    r = run_kg("--data", str(mini_dir), "sparql", "SELECT ?drug ?label WHERE { ?drug a mk:Drug ; rdfs:label ?label }")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["drug", "label"] and set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split(maxsplit=1) == ["ent:drug_a", "drug A"]
    assert "\x1b[" not in r.stdout and r.stderr == "2 rows\n"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_result_formats(kg_cli, mini_dir, fmt):
    r = kg_cli("--data", str(mini_dir), "sparql", "SELECT ?x WHERE { ?x a mk:Drug } ORDER BY ?x", "-f", fmt)
    assert r.exit_code == 0
    if fmt == "csv":
        assert list(csv.reader(io.StringIO(r.stdout))) == [["x"], [ENT + "drug_a"], [ENT + "drug_b"]]
    else:
        parsed = ox.parse_query_results(r.stdout, format=getattr(ox.QueryResultsFormat, fmt.upper()))
        assert [s["x"].value for s in parsed] == [ENT + "drug_a", ENT + "drug_b"]


def test_output_file_is_written_atomically_and_format_guessed(kg_cli, tmp_path, mini_dir):
    out = tmp_path / "drugs.csv"
    r = kg_cli("--data", str(mini_dir), "sparql", "SELECT ?x WHERE { ?x a mk:Drug }", "-o", str(out))
    assert r.exit_code == 0 and out.read_text().splitlines()[0] == "x"
    bad = tmp_path / "never.json"
    r = run_kg("--data", str(mini_dir), "sparql", "SELECT ?x WHERE {", "-o", str(bad))
    assert r.returncode == 2 and not bad.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["drugs.csv"]


def test_format_must_fit_the_query_form():
    assert choose_format(None, "-", "SELECT") == "table"
    assert choose_format(None, "x.json", "CONSTRUCT") == "jsonld"
    assert choose_format(None, "x.json", "SELECT") == "json"
    assert choose_format(None, "-", "DESCRIBE") == "ttl"
    with pytest.raises(UsageError, match="gives triples"):
        choose_format("csv", "-", "CONSTRUCT")
    with pytest.raises(UsageError, match="gives rows"):
        choose_format("ttl", "-", "SELECT")


def test_timeout_is_reported_exit_1(mini_dir):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    r = run_kg("--data", str(mini_dir), "sparql", "--timeout", "1", runaway)
    assert r.returncode == 1 and r.stderr == "kg: error: query timed out after 1 s\n"


def test_unknown_query_name_suggests():
    r = run_kg("sparql", "mechanism-chian")
    assert r.returncode == 2 and "did you mean mechanism-chain?" in r.stderr


def test_bad_header_is_a_data_error_with_file_and_line():
    with pytest.raises(DataError, match=r"q\.rq:2"):
        parse_header("# title: x\n# param: drug (entitty) — y\nSELECT * {}", "q.rq")
    title, _, params, _ = parse_header("# title: T\n# param: n (integer, default: 2) — how many\nASK {}")
    assert title == "T" and params[0].default == "2" and params[0].type == "integer"


def test_load_query_arg_kinds(tmp_path):
    assert load_query_arg("mechanism-chain").name == "mechanism-chain"
    assert load_query_arg("ASK { ?s ?p ?o }").name == "query"
    long_line = "SELECT * WHERE { ?s ?p ?o " + "FILTER(?o != 1) " * 40 + "}"
    assert load_query_arg(long_line).text == long_line
    assert load_query_arg("-", stdin_text=lambda: "ASK {}").text == "ASK {}"
    with pytest.raises(UsageError, match="no such query file"):
        load_query_arg(str(tmp_path / "missing.rq"))


# --- the lexer and client-side VALUES binding (used for remote endpoints) ---------------------------------


def test_lexer_ignores_keywords_in_strings_iris_and_comments():
    assert query_form("PREFIX x: <http://e/>\n# INSERT\nSELECT * { ?s ?p 'DROP ALL' }") == "SELECT"
    assert query_form("BASE <http://e/> PREFIX : <http://e/> insert data { :a :b :c }") == "UPDATE"
    assert query_form("ASK {}") == "ASK" and query_form("nonsense") is None
    assert not uses_service('SELECT * { ?s <http://e/SERVICE> """SERVICE""" } # SERVICE')
    assert uses_service("SELECT * { service <http://e/sparql> { ?s ?p ?o } }")
    assert variables("SELECT ?a $b { ?a ?c 'not ?d' } # ?e") == {"a", "b", "c"}


def test_lexer_reads_non_ascii_names_as_the_engine_does():
    text = "PREFIX é: <urn:e#>\nSELECT ?névé ?a\u203fb WHERE { ?névé é:été\u00b7x _:b\u00e9 . ?a\u203fb ?p 'ü' }"
    toks = [(t.kind, t.text) for t in significant(text)]
    assert ("var", "?névé") in toks and ("var", "?a\u203fb") in toks and ("bnode", "_:b\u00e9") in toks
    assert ("pname", "é:été\u00b7x") in toks and ("string", "'ü'") in toks
    assert variables(text) == {"névé", "a\u203fb", "p"}
    assert len(list(ox.Store().query(text))) == 0  # and the engine agrees that it is SPARQL
    assert variables("SELECT ?a\u00a0?b {}") == {"a", "b"}  # a no-break space ends a name (the engine refuses it)
    assert is_valid_variable("névé") and not is_valid_variable("a×b") and not is_valid_variable("\u00b7a")


def test_values_binding_is_placed_in_the_where_group_and_escapes_terms():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o = ?t) }"
    bound = bind_values(text, {"t": ox.Literal('} ; DROP ALL "x"')})
    assert bound.startswith('CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?t) { ("} ; DROP ALL \\"x\\"") }')
    sel = bind_values("SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x { ?x ?y ?z }", {"x": ox.NamedNode(ENT + "k")}, prefixes())
    assert sel.endswith("{ VALUES (?x) { (ent:k) } ?x ?y ?z }")
    with pytest.raises(UsageError, match="short form"):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": ox.NamedNode(ENT + "k")})


def test_values_binding_reaches_the_subqueries_that_use_the_variable():
    text = "SELECT ?x ?n { { SELECT ?t ?x WHERE { ?x ?p ?t } } { SELECT ?n { ?n ?q ?r } } FILTER(?x != ?t) }"
    bound = bind_values(text, {"t": ox.Literal("v")})
    assert bound.count('VALUES (?t) { ("v") }') == 2  # the outer group and the subquery that uses ?t
    assert "{ ?n ?q ?r }" in bound  # a subquery without ?t is left alone
    assert len(list(ox.Store().query(bound))) == 0  # and it still parses


def test_values_binding_gives_the_same_answers_as_engine_substitution(real_graph):
    """Parameters go in as VALUES (locally and at endpoints); that must mean what pyoxigraph's substitution does."""
    engine = Engine.for_graph(real_graph)
    binder = Binder(lambda: real_graph)
    for q in list_queries():
        defaults = [f"{p.name}={p.default}" for p in q.params if p.default is not None]
        bindings = binder.bind(q, defaults)
        with_values = engine.query(q.text, bindings=bindings, graph_format="nt")
        substituted = engine.store.query(
            q.text, prefixes=prefixes(), substitutions={ox.Variable(k): v for k, v in bindings.items()} or None
        )
        if with_values.form == "select":
            expected = json.loads(substituted.serialize(format=ox.QueryResultsFormat.JSON))
            got = json.loads(with_values.data)

            def rows(doc):
                return sorted(json.dumps(b, sort_keys=True) for b in doc["results"]["bindings"])

            assert rows(got) == rows(expected), q.name
        elif with_values.form == "graph":
            assert sorted(with_values.data.splitlines()) == sorted(
                ox.serialize(substituted, format=ox.RdfFormat.N_TRIPLES).splitlines()
            ), q.name
        else:
            assert with_values.boolean == bool(substituted), q.name


def test_plain_table_keeps_long_values_whole():
    text = plain_table(["a", "b"], [["x" * 100, "y"], ["z", ""]])
    assert "x" * 100 in text and text.splitlines()[3].rstrip() == "z"


@pytest.mark.parametrize(
    "query",
    [
        # awkward literals: tabs, newlines, quotes, backslashes, control and non-ASCII characters, escapes
        r'SELECT ?x ?y WHERE { VALUES (?x ?y) { (UNDEF "a\tb\n\"c\\") ("x"@en-GB 1.5) (<http://a/b> true) '
        r'("é\u0001 \\u0041"^^<http://e/d> 1e3) (mk:Causal "<not an IRI>") ("\"" "ends with \\") } }',
        "SELECT ?x WHERE { VALUES ?x { UNDEF 1 UNDEF } }",  # one column, rows with nothing bound
        "SELECT * WHERE {}",  # no variables, one row
        "SELECT ?x WHERE { FILTER (false) }",  # no rows
        "SELECT ?drug ?to ?quote WHERE { ?st rdf:subject ?drug ; rdf:object ?to ; mk:evidence/mk:quote ?quote }",
    ],
)
def test_table_rows_read_from_tsv_equal_those_read_from_json(mini_graph, query):
    engine = Engine.for_graph(mini_graph)
    as_json = engine.query(query, results="json")
    as_tsv = engine.query(query, results="tsv")
    names, table = table_rows(as_tsv)
    assert (names, table) == table_rows(as_json)
    assert row_count(as_tsv) == row_count(as_json) == len(table)
    for limit in (0, 1, 2):
        assert table_rows(as_tsv, limit) == table_rows(as_json, limit) == (names, table[:limit])


def test_table_shows_a_blank_node_by_its_label(mini_graph):
    result = Engine.for_graph(mini_graph).query("SELECT ?b WHERE { BIND (BNODE() AS ?b) }", results="tsv")
    names, table = table_rows(result)
    assert names == ["b"] and len(table) == 1 and table[0][0].startswith("_:") and len(table[0][0]) > 2


def test_max_rows_cuts_the_table_and_says_how_many_rows_there_are():
    query = "SELECT ?e WHERE { ?e a mk:Entity } ORDER BY ?e"
    everything = run_kg("sparql", query)
    total = len(everything.stdout.splitlines()) - 2  # a header and a rule
    assert total > 3 and everything.stderr == f"{total} rows\n"
    r = run_kg("sparql", query, "--max-rows", "3")
    first = everything.stdout.splitlines()[2:5]
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "e" and r.stdout.splitlines()[2:] == first
    assert r.stderr.startswith(f"{total} rows (the first 3 shown;")
    assert run_kg("sparql", query, "--max-rows", "0").stdout == everything.stdout
    assert run_kg("sparql", query, "--max-rows", "3", "-f", "csv").stdout.count("\n") == total + 1  # tables only


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_gets_the_first_rows_of_a_long_table():
    import pty

    from cli import TERMINAL_ROWS

    leader, follower = pty.openpty()
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "sparql", query],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"},
    )
    os.close(follower)
    out = b""
    with contextlib.suppress(OSError):  # EIO once the program has exited and closed the terminal
        while chunk := os.read(leader, 65536):
            out += chunk
    os.close(leader)
    stderr = proc.communicate(timeout=60)[1].decode()
    total = int(stderr.split()[0])
    assert proc.returncode == 0 and total > TERMINAL_ROWS
    assert f"(the first {TERMINAL_ROWS} shown;" in stderr
    assert out.decode().count("│ ") == TERMINAL_ROWS  # a line per row (the header is drawn with ┃)


def test_terminal_table_uses_rich_and_ask_prints_a_word(mini_graph):
    from kg.query import render

    engine = Engine.for_graph(mini_graph)
    table = render(engine.query("SELECT ?drug WHERE { ?drug a mk:Drug }"), "table", terminal=True).decode()
    assert "ent:drug_a" in table and "drug" in table
    assert any(ch in table for ch in "━─│┃")  # drawn as a table
    assert render(engine.query("ASK { ent:drug_a a mk:Drug }"), "table") == b"true\n"
    with pytest.raises(UsageError, match="triples"):
        render(engine.query("DESCRIBE ent:drug_a"), "table")


# --- pages: a terminal's first screen of a large answer -----------------------------------------------------


@pytest.mark.parametrize("name", [q.name for q in list_queries() if q.keys])
def test_a_page_of_a_query_with_keys_is_that_slice_of_the_whole_sorted_answer(real_graph, name):
    """run(window=…) computes a page from the query's first keys only; it must be exactly the rows the whole answer
    has there, for small pages (whose batches end inside the answer) and pages past the end."""
    from kg.query import FIRST_KEYS, run

    query = get_query(name)
    bindings = Binder(lambda: real_graph).bind(query, [])
    whole = table_rows(run(query, bindings, "table", graph=lambda: real_graph))
    assert len(whole[1]) > 2 * FIRST_KEYS, name  # so that the pages below need a second batch of keys
    for size in (1, 3, 7, 40):
        for start in (0, size, 5 * size, len(whole[1]) - 2, len(whole[1]) + 5):
            page = run(query, bindings, "table", graph=lambda: real_graph, window=(start, size), timeout=60)
            assert table_rows(page) == (whole[0], whole[1][start : start + size]), (name, size, start)
            assert page.more == (start + size < len(whole[1])), (name, size, start)


def test_pages_on_the_command_line_say_which_rows_they_show():
    first = run_kg("sparql", "mechanism-chain", "--max-rows", "5")
    second = run_kg("sparql", "mechanism-chain", "--max-rows", "5", "--page", "2")
    whole = run_kg("sparql", "mechanism-chain", "-f", "tsv").stdout.splitlines()
    assert first.returncode == second.returncode == 0
    assert first.stderr.startswith("rows 1–5 shown, sorted as the query asks (next: --page 2;")
    assert second.stderr.startswith("rows 6–10 shown")
    assert len(first.stdout.splitlines()) == len(second.stdout.splitlines()) == 7  # a header, a rule, five rows
    assert [r.split()[1] for r in second.stdout.splitlines()[2:]] == [
        "ent:" + line.split("\t")[1].rsplit("/", 1)[1][:-1] for line in whole[6:11]
    ]
    page = run_kg("sparql", "source-coverage", "--max-rows", "2", "--page", "2")
    assert page.returncode == 0 and page.stderr.startswith("5 rows (rows 3–4 shown; next: --page 3;")
    assert run_kg("sparql", "source-coverage", "--page", "2").returncode == 2  # not a table of pages
