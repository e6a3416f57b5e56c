"""The vocabulary: every predicate carries sign and kind, hierarchies are sane, OWL is consistent."""

import io
import shutil

import pyoxigraph as ox
import pytest

from kg import resources
from kg.model import KINDS
from kg.vocab import load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def test_every_predicate_has_sign_kind_and_phrase(vocab):
    for p in vocab.predicates.values():
        assert p.sign in (-1, 0, 1), p.key
        assert p.kind in KINDS, p.key
        assert p.phrase, p.key
        assert p.biolink.startswith("biolink:"), p.key


def test_signs_live_in_the_vocabulary(vocab):
    preds = vocab.predicates
    assert (preds["increases"].sign, preds["decreases"].sign, preds["antagonizes"].sign) == (1, -1, -1)
    assert preds["hasSymptom"].sign == 1 and preds["hasSymptom"].kind == "clinical"
    assert preds["partOf"].kind == "structural" and not preds["partOf"].is_step
    assert vocab.predicate_ancestors("antagonizes")[:3] == ("antagonizes", "inhibits", "negativelyAffects")
    # a sub-property never contradicts the sign of a signed parent
    for p in preds.values():
        for parent in vocab.predicate_ancestors(p.key)[1:]:
            if preds[parent].sign:
                assert preds[parent].sign == p.sign, (p.key, parent)


def test_every_class_has_a_biolink_category(vocab):
    assert vocab.is_a("Symptom", "PhenotypicFeature") and vocab.is_a("Drug", "Entity")
    for c in vocab.classes.values():
        assert c.category.startswith("biolink:"), c.key


def test_shapes_parse():
    triples = list(ox.parse(path=str(resources.ontology_dir() / "shapes.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(triples) > 50


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")
def test_ontology_is_consistent_in_an_owl_reasoner():
    owlready2 = pytest.importorskip("owlready2")
    path = resources.ontology_dir() / "mechkg.ttl"
    nt = ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    onto = world.get_ontology("https://w3id.org/mechkg/vocab").load(fileobj=io.BytesIO(nt), format="ntriples")
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)  # raises if inconsistent
    assert list(world.inconsistent_classes()) == []
    assert len(list(onto.classes())) >= 20
