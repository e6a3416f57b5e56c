from pathlib import Path

from kg.load import load_dataset


def test_loads_records_with_locations(mini_dir):
    data, problems = load_dataset(mini_dir)
    assert problems == []
    assert set(data.sources) == {"a", "b"}
    assert data.entities["drug_a"].synonyms == ("DA", "drug-a")
    st = data.statements["drug_a-treats-condition_c"]
    assert st.where.endswith("statements.yaml:22")
    assert st.qualifiers[0].name == "onset" and st.qualifiers[0].max == 2.0


def test_broken_yaml_reports_file_and_line(data_copy: Path):
    path = data_copy / "statements.yaml"
    lines = path.read_text().splitlines()
    lines[3] = "    predicate: [unclosed"
    path.write_text("\n".join(lines) + "\n")
    _, problems = load_dataset(data_copy)
    assert len(problems) == 1
    assert "statements.yaml:" in problems[0].where and "malformed YAML" in problems[0].message


def test_duplicate_keys_and_missing_fields(data_copy: Path):
    (data_copy / "more.yaml").write_text(
        "entities:\n  - {key: drug_a, label: again, type: Drug}\n  - {key: x, type: Drug}\n"
        "statements:\n  - {subject: drug_a, predicate: treats, object: condition_c}\n"
    )
    _, problems = load_dataset(data_copy)
    messages = [str(p) for p in problems]
    assert any("more.yaml:2" in m and "duplicate entity key 'drug_a'" in m for m in messages)
    assert any("more.yaml:3" in m and "missing required field 'label'" in m for m in messages)
    assert any("more.yaml:5" in m and "at least one evidence" in m for m in messages)


def test_same_key_twice_in_one_record(data_copy: Path):
    (data_copy / "dup.yaml").write_text("entities:\n  - key: z\n    label: z\n    label: zz\n    type: Drug\n")
    _, problems = load_dataset(data_copy)
    assert [p.message for p in problems] == ["key 'label' appears twice in one record"]
    assert problems[0].where.endswith("dup.yaml:4")


def test_json_data_files_load_like_yaml(data_copy: Path):
    import json

    (data_copy / "extra.json").write_text(
        json.dumps({"entities": [{"key": "j1", "label": "json one", "type": "Drug"}, {"key": "j2", "type": "Drug"}]})
    )
    data, problems = load_dataset(data_copy)
    assert "j1" in data.entities
    assert [str(p).split("/")[-1] for p in problems] == ["extra.json#entities[1]: missing required field 'label'"]


def test_malformed_json_reports_line(data_copy: Path):
    (data_copy / "bad.json").write_text('{"entities": [\n  {"key": "x",\n}')
    _, problems = load_dataset(data_copy)
    assert len(problems) == 1 and problems[0].where.endswith("bad.json:3") and "malformed JSON" in problems[0].message


def test_no_id_reason_and_obsolete_flags_load(data_copy: Path):
    (data_copy / "ids.yaml").write_text(
        "entities:\n"
        "  - {key: e1, label: e1, type: Symptom, no_id: {kind: unverified, note: searched HP}}\n"
        "  - {key: e2, label: e2, type: Symptom,"
        " ids: [{curie: 'HP:0000001', obsolete: true, replaced_by: 'HP:0000002'}]}\n"
        "  - {key: e3, label: e3, type: Symptom, no_id: {kind: maybe, note: x}}\n"
        "  - {key: e4, label: e4, type: Symptom, no_id: because}\n"
        "  - {key: e5, label: e5, type: Symptom, ids: [{curie: 'HP:0000001', obsolete: 'yes'}]}\n"
    )
    data, problems = load_dataset(data_copy)
    assert data.entities["e1"].no_id.kind == "unverified" and data.entities["e1"].no_id.note == "searched HP"
    x = data.entities["e2"].xrefs[0]
    assert x.obsolete and x.replaced_by == "HP:0000002"
    messages = {p.where.rsplit(":", 1)[-1]: p.message for p in problems}
    assert "no_id kind must be one of no-term, unverified" in messages["4"]
    assert "field 'no_id' must be a mapping" in messages["5"]
    assert "'obsolete' must be true or false" in messages["6"]
