"""The curation report (ID coverage, gaps, conflicts) and the data's own curation rules."""

import json

import pytest
import yaml

from kg import resources
from kg.curation import conflict_pairs, has_standard_term, id_coverage, report, standard_ids, without_id
from kg.load import load_dataset
from kg.model import Dataset, Entity, Evidence, MissingId, Statement, Xref
from kg.rdf import rdf_lines
from kg.vocab import MK, load_vocabulary

EV = (Evidence("a", "q"),)


def _toy() -> Dataset:
    ents = [
        Entity("a", "A", "Symptom", xrefs=(Xref("HP:0000001", checked="c"), Xref("MESH:D000001", "close"))),
        Entity("b", "B", "Symptom", no_id=MissingId("no-term", "searched HP")),
        Entity("c", "C", "Symptom", no_id=MissingId("unverified", "NCIT not readable")),
        Entity("d", "D", "Drug"),
        Entity("e", "E", "Drug", xrefs=(Xref("CHEBI:1", checked="c"),)),
    ]
    sts = [
        Statement("s1", "e", "treats", "a", EV, conflicts_with=("s2",)),
        Statement("s2", "e", "causes", "a", EV, conflicts_with=("s1", "s3")),
        Statement("s3", "e", "causes", "b", EV),
        Statement("s4", "e", "causes", "c", EV, conflicts_with=("gone",)),
    ]
    return Dataset({}, {e.key: e for e in ents}, {s.id: s for s in sts})


def test_coverage_counts_only_entities_that_have_a_term():
    cov = id_coverage(_toy())
    assert cov["total"] == {"with_id": 2, "with_term": 4, "entities": 5, "percent": 50.0}
    assert cov["by_type"]["Symptom"] == {"with_id": 1, "with_term": 2, "entities": 3, "percent": 50.0}
    assert cov["by_type"]["Drug"] == {"with_id": 1, "with_term": 2, "entities": 2, "percent": 50.0}
    assert [has_standard_term(e) for e in _toy().entities.values()] == [True, False, True, True, True]


def test_gaps_ids_and_conflicts():
    data = _toy()
    assert [(e["key"], e["kind"], e["note"]) for e in without_id(data)] == [
        ("d", "missing", ""),
        ("b", "no-term", "searched HP"),
        ("c", "unverified", "NCIT not readable"),
    ]
    assert standard_ids(data) == {
        "ids": 3,
        "checked": 2,
        "by_match": {"close": 1, "exact": 2},
        "by_prefix": {"CHEBI": 1, "HP": 1, "MESH": 1},
    }
    assert conflict_pairs(data) == 2  # s1-s2 stated both ways counts once; s2-s3; the unknown 'gone' not at all


def test_no_id_reason_is_in_the_rdf():
    data = _toy()
    lines = "\n".join(rdf_lines(data, load_vocabulary()))
    assert f'<{MK}noStandardId> "no-term: searched HP"' in lines
    assert f'<{MK}noStandardId> "unverified: NCIT not readable"' in lines


# --- the real data -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_entities() -> list[dict]:
    """The entity records as the YAML files hold them, read without kg's loader."""
    out = []
    for path in sorted(resources.data_dir().rglob("*.yaml")):
        out += (yaml.safe_load(path.read_text()) or {}).get("entities") or []
    return out


def test_every_id_has_a_check_note_and_every_entity_an_id_or_a_reason(raw_entities):
    for ent in raw_entities:
        ids = ent.get("ids") or []
        assert ids or ent.get("no_id"), f"{ent['key']}: neither ids nor a no_id reason"
        for x in ids:
            assert isinstance(x, dict) and str(x.get("checked", "")).strip(), f"{ent['key']}: {x} has no check note"
        if not ids:
            assert ent["no_id"]["kind"] in ("no-term", "unverified") and ent["no_id"]["note"].strip()


def test_real_coverage_matches_the_yaml_and_reaches_95_percent(real_graph, raw_entities):
    with_id = sum(1 for e in raw_entities if e.get("ids"))
    no_term = sum(1 for e in raw_entities if not e.get("ids") and e["no_id"]["kind"] == "no-term")
    total = report(real_graph.data)["id_coverage"]["total"]
    assert total["entities"] == len(raw_entities)
    assert (total["with_id"], total["with_term"]) == (with_id, len(raw_entities) - no_term)
    assert total["with_id"] / total["with_term"] >= 0.95


def test_stats_json_and_text_carry_the_curation_report(kg_cli, real_graph, raw_entities):
    s = json.loads(kg_cli("stats", "--format", "json").stdout)
    assert s == json.loads(json.dumps(real_graph.stats()))  # the same result from Python and JSON
    missing = {e["key"] for e in raw_entities if not e.get("ids")}
    assert {e["key"] for e in s["entities_without_id"]} == missing
    assert (
        s["standard_ids"]["checked"] == s["standard_ids"]["ids"] == sum(len(e.get("ids") or []) for e in raw_entities)
    )
    pairs = {frozenset((st.id, o)) for st in real_graph.statements.values() for o in st.conflicts_with}
    assert s["conflict_pairs"] == len(pairs)
    text = kg_cli("stats").stdout
    total = s["id_coverage"]["total"]
    assert f"{total['with_id']:4d} /{total['with_term']:4d} /{total['entities']:4d}  {total['percent']:5.1f} %" in text
    assert f"conflict pairs: {s['conflict_pairs']}" in text
    for e in s["entities_without_id"]:
        assert f"{e['key']} ({e['type']}) {e['kind']}: {e['note']}" in text


def test_fixture_entities_without_reason_are_reported_as_missing(mini_dir):
    data, _ = load_dataset(mini_dir)
    gaps = {e["key"]: e["kind"] for e in without_id(data)}
    assert gaps and set(gaps.values()) == {"missing"} and "drug_a" not in gaps
