import os
import pickle

import pyoxigraph as ox
import pytest

from kg.build import build, cached_dir, cached_names, input_hash, load_graph
from kg.errors import ValidationError
from kg.rdf import rdf_lines
from kg.resolve import NameIndex, Resolver
from kg.vocab import ENT, MK


def _store(lines):
    store = ox.Store()
    store.bulk_load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_build_is_deterministic(mini_dir):
    a = rdf_lines(build(mini_dir).data, build(mini_dir).vocab)
    b = rdf_lines(build(mini_dir).data, build(mini_dir).vocab)
    assert a == b and a == sorted(set(a))


def test_direct_triples_entailments_and_reification(mini_dir):
    g = build(mini_dir)
    lines = rdf_lines(g.data, g.vocab)
    store = _store(lines)
    q = store.query
    # direct triple + super-properties materialized
    assert q(f"ASK {{ <{ENT}drug_a> <{MK}antagonizes> <{ENT}receptor_r> }}")
    assert q(f"ASK {{ <{ENT}drug_a> <{MK}negativelyAffects> <{ENT}receptor_r> }}")
    # inverse materialized
    assert q(f"ASK {{ <{ENT}symptom_s> <{MK}symptomOf> <{ENT}condition_c> }}")
    # subclass materialized on instances
    assert q(f"ASK {{ <{ENT}messenger_m> a <{MK}ChemicalEntity> }}")
    # a negated claim is reified but has no direct triple
    assert not q(f"ASK {{ <{ENT}drug_a> <{MK}causes> <{ENT}symptom_t> }}")
    rdf_object = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object>"
    assert q(f"ASK {{ ?s <{MK}status> <{MK}Negated> ; {rdf_object} <{ENT}symptom_t> }}")
    # statement node carries sign, evidence and qualifier
    rows = list(
        q(f"""SELECT ?sign ?quote ?max WHERE {{
        ?s <http://purl.org/dc/terms/identifier> "drug_a-treats-condition_c" ;
           <{MK}signValue> ?sign ; <{MK}evidence>/<{MK}quote> ?quote ;
           <{MK}qualifier>/<{MK}maxValue> ?max }}""")
    )
    assert len(rows) == 1 and rows[0]["sign"].value == "-1" and rows[0]["max"].value == "2"
    # standard ids as OBO PURLs
    assert q(
        f"ASK {{ <{ENT}drug_a> <http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://purl.obolibrary.org/obo/CHEBI_6121> }"
    )
    # conflicts are symmetric
    assert q(f"ASK {{ ?a <{MK}conflictsWith> ?b . ?b <{MK}conflictsWith> ?a }}")


def test_cache_reused_and_invalidated(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("MECHKG_CACHE_DIR", str(tmp_path / "cache"))
    g1 = load_graph(data_copy)
    stamp = os.path.getmtime(g1.cache_dir / "kg.pickle")
    g2 = load_graph(data_copy)
    assert g2.cache_dir == g1.cache_dir and os.path.getmtime(g2.cache_dir / "kg.pickle") == stamp
    (data_copy / "entities.yaml").write_text(
        (data_copy / "entities.yaml").read_text() + "  - {key: new, label: new, type: Drug}\n"
    )
    g3 = load_graph(data_copy)
    assert g3.cache_dir != g1.cache_dir and "new" in g3.entities


def test_cache_keeps_a_name_index_that_resolves_without_the_graph(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("MECHKG_CACHE_DIR", str(tmp_path / "cache"))
    assert cached_dir(data_copy) is None
    graph = load_graph(data_copy)
    where = cached_dir(data_copy)
    names = cached_names(where)
    assert where == graph.cache_dir and names == NameIndex.of(graph)
    some = next(iter(graph.entities.values()))
    assert Resolver(names).resolve(some.label.upper()).key == some.key
    (where / "names.pickle").write_bytes(b"not a pickle")
    assert cached_names(where) is None  # a damaged index is ignored, not trusted


def test_failed_build_leaves_previous_cache(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("MECHKG_CACHE_DIR", str(tmp_path / "cache"))
    good = load_graph(data_copy)
    before = sorted(p.name for p in (tmp_path / "cache").iterdir())
    (data_copy / "entities.yaml").write_text("entities: [\n")
    with pytest.raises(ValidationError):
        load_graph(data_copy)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == before
    with open(good.cache_dir / "kg.pickle", "rb") as fh:
        assert pickle.load(fh).data == good.data


def test_hash_changes_with_content(data_copy):
    h = input_hash(data_copy)
    (data_copy / "sources.yaml").write_text((data_copy / "sources.yaml").read_text() + "\n# comment\n")
    assert input_hash(data_copy) != h
