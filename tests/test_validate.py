from pathlib import Path

import pytest

from conftest import run_kg
from kg.load import load_dataset
from kg.validate import check_corpus, check_curie, check_dataset, normalize_text, quote_found, run_validation
from kg.vocab import load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def test_fixture_is_valid_with_corpus_and_shacl(mini_dir, mini_corpus):
    report = run_validation(mini_dir, mini_corpus, shacl=True)
    assert report.ok, report.problems
    assert report.checked[-2:] == ["quotes", "shacl"]
    assert report.counts["statements"] == 9


def test_quote_normalisation():
    doc = normalize_text("He said “quickly” — within\n  2 hours, it’s fine.")
    assert quote_found('said "quickly" - within 2 hours', doc)
    assert quote_found("it's fine", doc)
    assert quote_found("He said ... it's fine", doc)
    assert not quote_found("it's fine ... He said", doc)  # fragments must appear in order
    assert not quote_found("within 3 hours", doc)


@pytest.mark.parametrize(
    "curie, ok",
    [
        ("CHEBI:6121", True),
        ("GO:0007416", True),
        ("HP:12378", False),
        ("chebi6121", False),
        ("FOO:1", False),
        ("MESH:D003866", True),
    ],
)
def test_curie_check(curie, ok):
    assert (check_curie(curie) is None) == ok


def test_three_kinds_of_corruption_reported_with_locations(data_copy: Path, mini_corpus, vocab):
    st = data_copy / "statements.yaml"
    text = st.read_text()
    text = text.replace("Drug A blocks receptor R.", "Drug A blocks receptor Q.")  # corrupted quote
    text = text.replace("object: process_p", "object: process_zz")  # unknown entity
    st.write_text(text)
    ent = data_copy / "entities.yaml"
    ent.write_text(ent.read_text() + "  - {key: broken, label: [oops\n")  # broken YAML line
    report = run_validation(data_copy, mini_corpus)
    text_problems = [str(p) for p in report.problems]
    assert not report.ok
    assert len(text_problems) == 3, text_problems  # the broken file's records cause no cascade of errors
    assert any("entities.yaml:" in p and "malformed YAML" in p for p in text_problems)
    assert any("statements.yaml:10" in p and "unknown object entity 'process_zz'" in p for p in text_problems)
    assert any("statements.yaml:2" in p and "quote not found verbatim" in p for p in text_problems)


def test_domain_range_and_references(data_copy: Path, vocab):
    (data_copy / "bad.yaml").write_text(
        "statements:\n"
        "  - {subject: symptom_s, predicate: antagonizes, object: condition_c, evidence: [{source: a, quote: x}]}\n"
        "  - {subject: drug_a, predicate: zaps, object: condition_c, evidence: [{source: nope, quote: x}]}\n"
        "  - {subject: drug_a, predicate: increases, object: drug_b, status: disputed,"
        " evidence: [{source: a, quote: x}]}\n"
    )
    data, problems = load_dataset(data_copy)
    msgs = [str(p) for p in problems + check_dataset(data, vocab)]
    assert any("bad.yaml:2" in m and "'symptom_s' is a Symptom" in m and "ChemicalEntity" in m for m in msgs)
    assert any("bad.yaml:2" in m and "takes a Receptor as object" in m for m in msgs)
    assert any("bad.yaml:3" in m and "unknown predicate 'zaps'" in m for m in msgs)
    assert any("bad.yaml:3" in m and "unknown source 'nope'" in m for m in msgs)
    assert any("bad.yaml:4" in m and "needs a curator note" in m for m in msgs)


def test_missing_document_in_corpus(mini_dir, tmp_path, vocab):
    data, _ = load_dataset(mini_dir)
    problems = check_corpus(data, tmp_path)
    assert {p.code for p in problems} == {"io"} and len(problems) == 2


def test_obsolete_and_replaced_ids_reported_with_locations(vocab):
    fixture = Path(__file__).parent / "fixtures" / "obsolete_ids"
    data, problems = load_dataset(fixture)
    assert problems == []
    found = [p for p in check_dataset(data, vocab) if p.code == "obsolete-id"]
    assert [(p.where.rsplit("/", 1)[-1], p.message) for p in found] == [
        ("entities.yaml:3", "entity 'sleepiness': id HP:0100786 is obsolete; use HP:0001262"),
        ("entities.yaml:9", "entity 'mood_swings': id HP:0000720 is obsolete"),
    ]


def test_validate_cli_fails_on_an_obsolete_id():
    r = run_kg("validate", "--no-shacl", "--data", str(Path(__file__).parent / "fixtures" / "obsolete_ids"))
    assert r.returncode == 1
    assert "obsolete_ids/entities.yaml:3: entity 'sleepiness': id HP:0100786 is obsolete; use HP:0001262" in r.stdout


def test_bad_replacement_and_id_with_no_id_reason(data_copy: Path, vocab):
    (data_copy / "more.yaml").write_text(
        "entities:\n"
        "  - {key: e1, label: e1, type: Symptom, ids: [{curie: 'HP:0000001', replaced_by: 'HP:12'}]}\n"
        "  - {key: e2, label: e2, type: Symptom, ids: ['HP:0000002'], no_id: {kind: no-term, note: x}}\n"
    )
    data, problems = load_dataset(data_copy)
    msgs = [str(p) for p in problems + check_dataset(data, vocab)]
    assert any("more.yaml:2" in m and "bad replaced_by of HP:0000001" in m for m in msgs)
    assert any("more.yaml:2" in m and "id HP:0000001 is obsolete; use HP:12" in m for m in msgs)
    assert any("more.yaml:3" in m and "has ids and a no_id reason" in m for m in msgs)


def test_a_conflict_listed_on_one_side_only_is_reported(data_copy: Path, vocab):
    st = data_copy / "statements.yaml"
    st.write_text(st.read_text().replace("    conflicts_with: [drug_a-increases-symptom_s]\n", "", 1))
    data, problems = load_dataset(data_copy)
    found = [p for p in problems + check_dataset(data, vocab) if p.code == "one-sided-conflict"]
    assert len(found) == 1, found
    assert "statements.yaml:27" in found[0].where  # the disputed claim, which names the other
    assert "'drug_a-increases-symptom_s'" in found[0].message and "'drug_a-treats-condition_c'" in found[0].message
